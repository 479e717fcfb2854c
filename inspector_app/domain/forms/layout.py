"""What a review's checklist is, given its answers: conditional items and repeats.

A form item with ``show_if`` is shown only while an earlier item's answer matches; a
section with ``repeat`` is answered once per instance (e.g. once per case file). The
instances of a repeated section are stored as answers too, so no table is needed:

- the answer of item ``case_documents.i213_complete`` for instance 2 is stored under
  ``case_documents[2].i213_complete`` (`instance_key`);
- the instances, in their order, are the answer of ``case_documents[]`` (`order_key`),
  e.g. ``"1,3,2"``. An instance number is never reused within a review, so removing an
  instance keeps its answers (undo brings them back) and they are ignored meanwhile.

`slots` lists what is answerable now, in form order: every item of a plain section,
every item of each instance of a repeated section, each marked visible or hidden. An
answer stored for a hidden item (or a removed instance) is kept but ignored: not
required, not printed, not counted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
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


def next_instance(section_key: str, stored_keys: list[str] | set[str], order: list[int]) -> int:
    """A number no instance of the section has used (answers of removed ones included)."""
    used = set(order)
    prefix = f"{section_key}["
    for key in stored_keys:
        if key.startswith(prefix):
            _, n = split_key(key)
            if n is not None:
                used.add(n)
    return max(used, default=0) + 1


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
