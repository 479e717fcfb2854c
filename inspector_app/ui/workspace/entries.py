"""What the checklist shows, independent of where it comes from.

A review's checklist, an interview guide and a focus review's list of earlier
findings all become sections of entries; the model, the view and the item detail
work on entries only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from inspector_app.domain.enums import AnswerType, AnswerValue, FindingKind
from inspector_app.domain.forms import FormDefinition, FormItem, layout
from inspector_app.domain.forms.schema import base_key
from inspector_app.domain.keys import finding_key
from inspector_app.domain.labels import answer_label
from inspector_app.services.review_views import Finding

FOCUS_VALUES = [AnswerValue.RESOLVED, AnswerValue.UNRESOLVED]


# answered in a field (typed or picked), not by a digit key in the checklist
FIELD_ANSWERS = frozenset({AnswerType.NUMBER, AnswerType.DATE, AnswerType.TEXT, AnswerType.OFFICER})


def value_label(value: str | None) -> str:
    """A button's or cell's caption: the same label the reports print."""
    return answer_label(value)


def choice_label(value: str) -> str:
    """A form's choice as a person reads it: 'weekly_or_more' -> 'Weekly or more'."""
    label = answer_label(value)
    if label != value or not value:
        return label
    return value.replace("_", " ").strip().capitalize()


@dataclass(frozen=True)
class Entry:
    """One answerable line: a checklist item, an interview question or an earlier finding."""

    key: str
    prompt: str
    answer: AnswerType
    values: tuple[str, ...] | None  # the enumerated answers, keyed 1..n; None = free
    help: str = ""
    citation: str = ""
    topic: str | None = None
    fail_values: tuple[str, ...] = ()
    can_raise: bool = True  # a finding can be raised from it

    def is_failure(self, value: str | None) -> bool:
        return value is not None and value in self.fail_values

    @property
    def takes_field(self) -> bool:
        """Answered by typing or picking in a field (a number, a date, a text, an officer):
        digit keys go into the field, never answer the item by position."""
        return self.values is None and self.answer in FIELD_ANSWERS

    def label(self, value: str | None) -> str:
        """The answer as shown: a choice by its label, anything typed as it was typed."""
        if value is not None and self.answer == AnswerType.CHOICE:
            return choice_label(value)
        return value_label(value)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    entries: list[Entry] = field(default_factory=list)
    repeat: str | None = None  # the repeated form section this shows (an instance of it)
    instance: int | None = None  # the instance number (None: the group has none yet)


_FORM_SECTIONS: dict[str, tuple[FormDefinition, list[Section]]] = {}


def sections_of_form(form: FormDefinition) -> list[Section]:
    """The form's sections as entries (cached: a form version never changes)."""
    cached = _FORM_SECTIONS.get(form.ref)
    if cached is not None and cached[0] is form:  # the same loaded form, not a namesake
        return cached[1]
    out = []
    for section in form.sections:
        entries = [_entry(item.key, item) for item in section.items]
        out.append(Section(section.key, section.title, entries))
    _FORM_SECTIONS[form.ref] = (form, out)
    return out


def _entry(key: str, item: FormItem) -> Entry:
    return Entry(
        key=key,
        prompt=item.prompt,
        answer=item.answer,
        values=tuple(v) if (v := item.valid_values()) is not None else None,
        help=item.help,
        citation=item.citation,
        topic=item.topic,
        fail_values=tuple(item.fail_values),
    )  # fmt: skip


ADD_INSTANCE_KEYS = "Ctrl+Shift+I"


class FormLayout:
    """The sections a form shows given its answers: items whose show_if does not hold
    are left out, and a repeated section shows once per instance (its title names the
    instance), or once, empty, saying how to add one (domain.forms.layout)."""

    def __init__(self, form: FormDefinition) -> None:
        self.form = form
        self._controllers = layout.controllers(form)
        self._names = {i.key for s in form.sections if (i := layout.key_item(s)) is not None}
        self._entries: dict[str, Entry] = {}

    @staticmethod
    def of(form: FormDefinition) -> FormLayout | None:
        """The layout of a form with conditional items or repeats; None for a fixed one."""
        return FormLayout(form) if layout.is_dynamic(form) else None

    def affects(self, key: str) -> bool:
        """Whether an answer to ``key`` can change the sections (or their titles)."""
        if layout.order_section(key) is not None:
            return True
        base = base_key(key)
        return base in self._controllers or base in self._names

    def sections(self, values: dict[str, str | None]) -> list[Section]:
        by_section: dict[tuple[str, int | None], list[Entry]] = {}
        for slot in layout.slots(self.form, values):
            entries = by_section.setdefault((slot.section.key, slot.instance), [])
            if slot.visible:
                entries.append(self._entry(slot))
        out = []
        for section in self.form.sections:
            if section.repeat is None:
                entries = by_section.get((section.key, None), [])
                if entries:
                    out.append(Section(section.key, section.title, entries))
                continue
            numbers = layout.parse_order(values.get(layout.order_key(section.key)))
            if not numbers:
                label = section.repeat.label.lower()
                out.append(Section(section.key, f"{section.title}: no {label} yet "
                                   f"(Add {label}, {ADD_INSTANCE_KEYS})",
                                   [], repeat=section.key))  # fmt: skip
            for position, n in enumerate(numbers, 1):
                name = layout.instance_label(section, n, values, position)
                out.append(Section(f"{section.key}[{n}]", f"{name} · {section.title}",
                                   by_section.get((section.key, n), []),
                                   repeat=section.key, instance=n))  # fmt: skip
        return out

    def _entry(self, slot: layout.Slot) -> Entry:
        entry = self._entries.get(slot.key)
        if entry is None:
            entry = self._entries[slot.key] = _entry(slot.key, slot.item)
        return entry


def sections_of_findings(findings: list[Finding], title: str) -> list[Section]:
    """A focus review's items: each finding of the inspection it follows up."""
    entries = []
    for f in findings:
        kind = FindingKind(f.kind).label if f.kind else "Finding"
        help_text = f.description
        if f.evidence:
            help_text += f"\n\nEvidence: {f.evidence}"
        entries.append(
            Entry(
                key=finding_key(f.id),
                prompt=f"F-{f.number} {kind}: {f.description}",
                answer=AnswerType.CHOICE,
                values=tuple(FOCUS_VALUES),
                help=help_text,
                citation=f.citation,
                topic=f.topic,
                fail_values=("unresolved",),
                can_raise=False,
            )  # fmt: skip
        )
    return [Section("findings", title, entries)]
