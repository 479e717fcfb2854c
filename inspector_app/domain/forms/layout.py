"""What a review's checklist is, given its answers: conditional items and repeats.

A form item with ``show_if`` is shown only while an earlier item's answer matches; a
section with ``repeat`` is answered once per instance (e.g. once per case file). The
instances of a repeated section are stored as answers too, so no table is needed:

- the answer of item ``case_documents.i213_complete`` for instance 2 is stored under
  ``case_documents[2].i213_complete`` (`instance_key`);
- the instances, in their order, are the answer of ``case_documents[]`` (`order_key`),
  e.g. ``"1,3,2"``. An instance number is never reused within a review, so removing an
  instance keeps its answers (undo brings them back) and they are ignored meanwhile.

Instance numbers are names, never shown: people see an instance by its position ("Case
file 2") or its key field. Reviews sync between laptops that work offline, so a new
instance's number (`next_instance`) is drawn at random from ``INSTANCE_DRAW`` (10^6 to
10^12) and checked against the numbers the review used: two laptops adding a case file
each get different numbers (two draws collide about once in 10^12), and their answers
stay apart. Reviews made before this keep their small numbers (1, 2, 3...): the keys and
the order answer's syntax are the same.

When two laptops changed the same order answer (each added, removed or moved
instances), sync merges it (`merge_order`, called by ``domain.sync.merge_change`` and by
the laptop's rebase of pending edits), given the version both started from (the base):

- an instance stays listed if both sides list it, or if one side lists it and the base
  did not (that side added it); an instance in the base that one side no longer lists
  was removed there and stays removed (the other side did not add it, it only kept it);
  with no base known (both sides created the answer) nothing counts as removed: the
  union of both lists;
- the order is the receiver's ("ours": the server's row, or the laptop's pending edit),
  the other side's new instances after it in their order; except when only the other
  side moved instances (of those both sides keep from the base, ours lists them in the
  base's order and theirs does not): then theirs gives the order and ours' new
  instances go at the end;
- a side that did not change the list (equal to the base) takes the other side's list
  as it is.

`slots` lists what is answerable now, in form order: every item of a plain section,
every item of each instance of a repeated section, each marked visible or hidden. An
answer stored for a hidden item (or a removed instance) is kept but ignored: not
required, not printed, not counted.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .schema import FormDefinition, FormItem, FormSection, split_key

ORDER_SUFFIX = "[]"
_ORDER_RE = re.compile(r"^(?:[1-9][0-9]*(?:,[1-9][0-9]*)*)?$")


def instance_key(item_key: str, section_key: str, n: int) -> str:
    """The stored key of ``item_key`` in instance ``n`` of its repeated section."""
    return f"{section_key}[{n}].{item_key.removeprefix(section_key + '.')}"


def order_key(section_key: str) -> str:
    """The stored key whose answer lists a repeated section's instances, in order."""
    return f"{section_key}{ORDER_SUFFIX}"


def order_section(key: str) -> str | None:
    """The section key of an order key, else None."""
    return key.removesuffix(ORDER_SUFFIX) if key.endswith(ORDER_SUFFIX) else None


def order_problem(value: str) -> str | None:
    """Why ``value`` is not a list of instances ("1,3,2"), or None."""
    if not _ORDER_RE.fullmatch(value):
        return f"{value!r} is not a list of instance numbers; expected e.g. '1,3,2'"
    numbers = value.split(",") if value else []
    if len(set(numbers)) != len(numbers):
        return f"{value!r} lists an instance twice"
    return None


def parse_order(value: str | None) -> list[int]:
    """The instance numbers of an order answer (nothing when empty or not valid)."""
    if not value or order_problem(value):
        return []
    return [int(n) for n in value.split(",")]


def format_order(numbers: list[int]) -> str:
    return ",".join(str(n) for n in numbers)


# New instance numbers are drawn from [first, last): large enough that two laptops
# adding instances offline do not pick the same one, small enough to read in a key.
INSTANCE_DRAW = (10**6, 10**12)
_DRAWS = random.SystemRandom()


def used_instances(
    section_key: str, stored_keys: list[str] | set[str], order: list[int]
) -> set[int]:
    """The instance numbers a section has used: listed, or named by a stored answer."""
    used = set(order)
    prefix = f"{section_key}["
    for key in stored_keys:
        if key.startswith(prefix):
            _, n = split_key(key)
            if n is not None:
                used.add(n)
    return used


def next_instance(
    section_key: str, stored_keys: list[str] | set[str], order: list[int],
    rng: random.Random | None = None,
) -> int:  # fmt: skip
    """A number for a new instance: drawn at random from ``INSTANCE_DRAW``, never one
    the section used (answers of removed instances included). Random so that laptops
    adding instances offline pick different numbers (see the module's docstring)."""
    used = used_instances(section_key, stored_keys, order)
    draws = rng or _DRAWS
    while True:
        n = draws.randrange(*INSTANCE_DRAW)
        if n not in used:
            return n


def merge_orders(base: Sequence[int], ours: Sequence[int], theirs: Sequence[int]) -> list[int]:
    """The three-way merge of a repeated section's instance list (rule: the module's
    docstring). Each list holds an instance at most once."""
    base, ours, theirs = list(base), list(ours), list(theirs)
    if ours == theirs or theirs == base:
        return ours
    if ours == base:
        return theirs
    was, mine, other = set(base), set(ours), set(theirs)
    keep = {n for n in mine | other if n not in was or (n in mine and n in other)}
    first, second = ours, theirs
    if _keeps_base_order(base, ours, keep) and not _keeps_base_order(base, theirs, keep):
        first, second = theirs, ours
    out = [n for n in first if n in keep]
    listed = set(out)
    return out + [n for n in second if n in keep and n not in listed]


def _keeps_base_order(base: list[int], side: list[int], keep: set[int]) -> bool:
    """Whether ``side`` lists the base's instances that stay (``keep``) in the base's order."""
    common = set(base) & keep
    return [n for n in side if n in common] == [n for n in base if n in common]


def merge_order(base: str | None, ours: str | None, theirs: str | None) -> str | None:
    """`merge_orders` of three order answers (None: no instance); the merged answer,
    None when empty. A base that is not an order answer counts as unknown (empty).
    Raises ValueError when ``ours`` or ``theirs`` is not an order answer."""
    for value in (ours, theirs):
        problem = order_problem(value) if value is not None else None
        if problem:
            raise ValueError(problem)
    merged = merge_orders(parse_order(base), parse_order(ours), parse_order(theirs))
    for value in (ours, theirs):  # one side's own answer as it is ("" and None alike)
        if merged == parse_order(value):
            return value
    return format_order(merged) or None


def instances(form: FormDefinition, values: Mapping[str, str | None]) -> dict[str, list[int]]:
    """Each repeated section's instance numbers, in order."""
    return {s.key: parse_order(values.get(order_key(s.key))) for s in form.sections if s.repeat}


def key_item(section: FormSection) -> FormItem | None:
    """The item naming an instance (``repeat.key_field``: its key or the part after the
    section key), or None."""
    if section.repeat is None:
        return None
    field = section.repeat.key_field
    for item in section.items:
        if item.key in (field, f"{section.key}.{field}"):
            return item
    return None


def instance_label(
    section: FormSection, n: int, values: Mapping[str, str | None], position: int | None = None
) -> str:
    """How an instance is named: "Case file A-123", or by its position ("Case file 2")
    while its key field is empty."""
    label = section.repeat.label if section.repeat else section.title
    item = key_item(section)
    name = (values.get(instance_key(item.key, section.key, n)) or "").strip() if item else ""
    if name:
        return f"{label} {name}"
    return f"{label} {position if position is not None else n}"


@dataclass(frozen=True)
class Slot:
    """One answerable place: an item, or an item of one instance of a repeated section."""

    key: str  # the stored item key (an instance's key in a repeated section)
    item: FormItem
    section: FormSection
    instance: int | None = None  # the instance number; None outside repeated sections
    position: int | None = None  # the instance's 1-based place in its section
    visible: bool = True

    @property
    def required(self) -> bool:
        """Required to finalize: a required item that is shown."""
        return self.visible and self.item.required


def slots(form: FormDefinition, values: Mapping[str, str | None]) -> list[Slot]:
    """Every answerable place of the form given the stored answers, in form order."""
    out: list[Slot] = []
    shown: dict[str, bool] = {}  # stored key -> visible, for show_if chains
    for section in form.sections:
        if section.repeat is None:
            for item in section.items:
                out.append(_slot(item.key, item, section, None, None, values, shown))
            continue
        for position, n in enumerate(parse_order(values.get(order_key(section.key))), 1):
            for item in section.items:
                key = instance_key(item.key, section.key, n)
                out.append(_slot(key, item, section, n, position, values, shown))
    return out


def _slot(
    key: str, item: FormItem, section: FormSection, n: int | None, position: int | None,
    values: Mapping[str, str | None], shown: dict[str, bool],
) -> Slot:  # fmt: skip
    visible = True
    if item.show_if is not None:
        controller = item.show_if.item
        if n is not None and controller.startswith(section.key + "."):
            controller = instance_key(controller, section.key, n)  # same instance
        visible = shown.get(controller, True) and item.show_if.holds(values.get(controller))
    shown[key] = visible
    return Slot(key, item, section, n, position, visible)


def controllers(form: FormDefinition) -> frozenset[str]:
    """The item keys whose answers change what `slots` lists (show_if targets)."""
    return frozenset(i.show_if.item for i in form.items() if i.show_if is not None)


def is_dynamic(form: FormDefinition) -> bool:
    """Whether the form has conditional items or repeated sections."""
    return any(s.repeat for s in form.sections) or bool(controllers(form))
