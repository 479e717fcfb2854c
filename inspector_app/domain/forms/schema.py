"""The pydantic schema of a form file: form, section, item, and the topics list."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    StrictInt,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from inspector_app.domain.enums import (
    AnswerType,
    AnswerValue,
    FindingKind,
    IntervieweeRole,
    ProgramModel,
    ResponsibleParty,
    ReviewKind,
)

TOPICS_FILE = "topics.yaml"
REFERENCES_FILE = "references.yaml"
# Files of a forms folder that are not forms.
SUPPORT_FILES = (TOPICS_FILE, REFERENCES_FILE)
FORM_FILE_RE = re.compile(r"^(?P<id>[a-z0-9_]+)\.v(?P<version>[0-9]+)\.yaml$")
FORM_ID_RE = re.compile(r"^[a-z0-9_]+$")
SECTION_KEY_RE = re.compile(r"^[a-z0-9_]+$")
ITEM_KEY_RE = re.compile(r"^[a-z0-9_.]+$")
TOPIC_CODE_RE = re.compile(r"^[a-z0-9_-]+$")
DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
NUMBER_RE = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$")


# The item key of one instance of a repeated section: "<section>[<n>].<name>"; n is a
# stable instance number (never reused in a review), not a position.
INSTANCE_KEY_RE = re.compile(r"^(?P<section>[a-z0-9_]+)\[(?P<n>[0-9]+)\]\.(?P<rest>[a-z0-9_.]+)$")


def split_key(key: str) -> tuple[str, int | None]:
    """(the form's item key, the instance number or None) of a stored item key."""
    match = INSTANCE_KEY_RE.fullmatch(key)
    if match is None:
        return key, None
    return f"{match['section']}.{match['rest']}", int(match["n"])


def base_key(key: str) -> str:
    """The form's item key of a stored item key (an instance's key without its number)."""
    return split_key(key)[0]


class FormKind(StrEnum):
    CHECKLIST = "checklist"  # a review's checklist (one per review kind)
    INTERVIEW = "interview"  # an interview guide (one per interviewee role)


# Answer values of the enumerated answer types (choice items list their own).
ENUMERATED_VALUES: dict[AnswerType, tuple[AnswerValue, ...]] = {
    AnswerType.YES_NO_NA: (AnswerValue.YES, AnswerValue.NO, AnswerValue.NA),
    AnswerType.YES_NO: (AnswerValue.YES, AnswerValue.NO),
    AnswerType.UNDERSTANDING: (
        AnswerValue.UNDERSTOOD, AnswerValue.PARTIAL, AnswerValue.NOT_UNDERSTOOD,
    ),
}  # fmt: skip

# fail_values when a form does not give them.
DEFAULT_FAIL_VALUES: dict[AnswerType, tuple[AnswerValue, ...]] = {
    AnswerType.YES_NO_NA: (AnswerValue.NO,),
    AnswerType.YES_NO: (AnswerValue.NO,),
    AnswerType.UNDERSTANDING: (AnswerValue.NOT_UNDERSTOOD, AnswerValue.PARTIAL),
}

# The finding kinds a failed item may suggest.
FAILURE_KINDS = (FindingKind.DEFICIENCY, FindingKind.AREA_OF_CONCERN)


def citation_parts(citation: str) -> list[str]:
    """The single citations of an item's ``citation`` ("A; B" cites A and B)."""
    return [part.strip() for part in citation.split(";") if part.strip()]


def _require_text(value: str, what: str) -> str:
    if not value.strip():
        raise PydanticCustomError(
            "empty_text", "must not be empty; expected {what}", {"what": what}
        )
    return value


# ---------------------------------------------------------------------------
# Schema


class ShowIf(BaseModel):
    """When an item is shown: an earlier item's answer equals a value or is one of several.

    Checked against the form by the form checker (the item exists, comes earlier and the
    values are answers of it)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    item: str
    equals: str | None = None
    in_: list[str] | None = Field(default=None, alias="in")

    @model_validator(mode="after")
    def _one_condition(self) -> ShowIf:
        if (self.equals is None) == (self.in_ is None):
            raise PydanticCustomError(
                "show_if_condition",
                "show_if needs exactly one of 'equals: <answer>' or 'in: [<answer>, ...]'",
            )
        if self.in_ is not None and not self.in_:
            raise PydanticCustomError(
                "show_if_condition", "show_if 'in' must list at least one answer"
            )
        return self

    @property
    def values(self) -> tuple[str, ...]:
        """The answers of the controlling item that show the item."""
        return (self.equals,) if self.equals is not None else tuple(self.in_ or ())

    def holds(self, value: str | None) -> bool:
        return value is not None and value in self.values


class Repeat(BaseModel):
    """A section answered once per thing reviewed (e.g. once per case file)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str  # what one instance is called, e.g. "Case file"
    key_field: str  # the item (of the section) naming an instance, e.g. its reference
    min: StrictInt = Field(default=0, ge=0)  # instances required to finalize

    @field_validator("label")
    @classmethod
    def _check_label(cls, value: str) -> str:
        return _require_text(value, "what one instance is called (e.g. 'Case file')")


class FormItem(BaseModel):
    """One checklist item or interview question."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str
    prompt: str
    answer: AnswerType
    choices: list[str] = Field(default_factory=list, validate_default=True)
    required: StrictBool = True
    help: str = ""
    citation: str
    topic: str
    # Who must fix a failure: the LEA, ICE (its field office and supervisors) or both.
    responsible: ResponsibleParty
    on_failure: FindingKind = FindingKind.DEFICIENCY
    # None in the file means "the default for the answer type"; always a list after validation.
    fail_values: list[str] = Field(default=None, validate_default=True)
    # Shown only when an earlier item's answer matches; hidden items are not required
    # and do not print (their stored answers are kept but ignored).
    show_if: ShowIf | None = None
    # A short label for a table column (a repeated section prints as a table).
    short: str = ""

    @field_validator("key")
    @classmethod
    def _check_key(cls, value: str) -> str:
        if not ITEM_KEY_RE.fullmatch(value):
            raise PydanticCustomError(
                "bad_item_key",
                "'{value}' is not a valid item key; expected lowercase letters, digits, "
                "'_' and '.', by convention the section key + '.' + a name "
                "(e.g. 'facility.complaint_poster_english')",
                {"value": value},
            )
        return value

    @field_validator("prompt")
    @classmethod
    def _check_prompt(cls, value: str) -> str:
        return _require_text(value, "the question the inspector answers")

    @field_validator("citation")
    @classmethod
    def _check_citation(cls, value: str, info: ValidationInfo) -> str:
        _require_text(value, "the MOA clause or policy the item checks")
        references = (info.context or {}).get("references")
        if references is None:  # no (valid) references.yaml; reported there
            return value
        unknown = [part for part in citation_parts(value) if part not in references]
        if unknown:
            raise PydanticCustomError(
                "unknown_citation",
                "{unknown} not in {file}; expected citations listed there with their source "
                "(several separated by '; ')",
                {
                    "unknown": ", ".join(repr(u) for u in unknown)
                    + (" is" if len(unknown) == 1 else " are"),
                    "file": REFERENCES_FILE,
                },
            )
        return value

    @field_validator("choices")
    @classmethod
    def _check_choices(cls, value: list[str], info: ValidationInfo) -> list[str]:
        answer = info.data.get("answer")
        if answer is None:  # the answer type itself is invalid; reported there
            return value
        if answer == AnswerType.CHOICE:
            if not value:
                raise PydanticCustomError(
                    "choices_missing",
                    "an item with answer 'choice' needs a non-empty 'choices' list "
                    "(e.g. choices: [daily, weekly, monthly])",
                )
            for choice in value:
                if not choice.strip():
                    raise PydanticCustomError(
                        "empty_choice", "choices must not contain an empty string"
                    )
            duplicates = sorted({c for c in value if value.count(c) > 1})
            if duplicates:
                raise PydanticCustomError(
                    "duplicate_choice",
                    "choice {choices} listed more than once; expected each choice once",
                    {"choices": ", ".join(repr(c) for c in duplicates)},
                )
        elif value:
            raise PydanticCustomError(
                "choices_not_allowed",
                "choices only apply to items with answer 'choice' (this item's answer is "
                "'{answer}'); remove 'choices' or change the answer type",
                {"answer": str(answer)},
            )
        return value

    @field_validator("topic")
    @classmethod
    def _check_topic(cls, value: str, info: ValidationInfo) -> str:
        topics = (info.context or {}).get("topics")
        if topics is not None and value not in topics:
            raise PydanticCustomError(
                "unknown_topic",
                "unknown topic code '{value}'; expected a code from topics.yaml: {known}",
                {"value": value, "known": ", ".join(topics)},
            )
        return value

    @field_validator("on_failure", mode="before")
    @classmethod
    def _check_on_failure(cls, value: Any) -> Any:
        if not isinstance(value, str) or value not in FAILURE_KINDS:
            raise PydanticCustomError(
                "bad_on_failure",
                "{value} is not a finding kind a failure can suggest; "
                "expected 'deficiency' or 'area_of_concern'",
                {"value": repr(value)},
            )
        return value

    @field_validator("fail_values", mode="before")
    @classmethod
    def _default_fail_values(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            answer = info.data.get("answer")
            return list(DEFAULT_FAIL_VALUES.get(answer, ())) if answer is not None else []
        return value

    @field_validator("fail_values")
    @classmethod
    def _check_fail_values(cls, value: list[str], info: ValidationInfo) -> list[str]:
        answer = info.data.get("answer")
        if answer is None:
            return value
        if answer == AnswerType.CHOICE:
            if "choices" not in info.data:  # choices invalid; reported there
                return value
            allowed: Sequence[str] | None = info.data["choices"]
        else:
            allowed = ENUMERATED_VALUES.get(answer)
        if allowed is None:
            if value:
                raise PydanticCustomError(
                    "fail_values_not_allowed",
                    "fail_values only apply to yes_no_na, yes_no, understanding and choice "
                    "answers (this item's answer is '{answer}'); remove fail_values",
                    {"answer": str(answer)},
                )
            return value
        unknown = [v for v in value if v not in allowed]
        if unknown:
            raise PydanticCustomError(
                "bad_fail_value",
                "{unknown} not an answer of this item; expected values from: {allowed}",
                {
                    "unknown": ", ".join(repr(v) for v in unknown)
                    + (" is" if len(unknown) == 1 else " are"),
                    "allowed": ", ".join(allowed),
                },
            )
        return value

    # -- behaviour --------------------------------------------------------

    def valid_values(self) -> list[str] | None:
        """The answers this item accepts, or None when the answer is free."""
        if self.answer == AnswerType.CHOICE:
            return list(self.choices)
        values = ENUMERATED_VALUES.get(self.answer)
        return list(values) if values is not None else None

    def is_failure(self, value: str | None) -> bool:
        """True when ``value`` is one of the answers that suggest a finding."""
        return value is not None and value in self.fail_values

    def validate_value(self, value: str) -> str | None:
        """An error message when ``value`` is not a valid answer, else None."""
        allowed = self.valid_values()
        if allowed is not None:
            if value not in allowed:
                return f"{value!r} is not a valid answer; expected one of: {', '.join(allowed)}"
            return None
        if self.answer == AnswerType.NUMBER:
            if not isinstance(value, str) or not NUMBER_RE.fullmatch(value.strip()):
                return f"{value!r} is not a number; expected a number such as 8 or 1.5"
            return None
        if self.answer == AnswerType.DATE:
            if not isinstance(value, str) or not DATE_RE.fullmatch(value):
                return f"{value!r} is not a date; expected YYYY-MM-DD"
            try:
                date.fromisoformat(value)
            except ValueError:
                return f"{value!r} is not a valid calendar date; expected YYYY-MM-DD"
            return None
        return None  # text, officer, photo: free


class FormSection(BaseModel):
    """A titled group of items."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str
    title: str
    # Answered once per instance (e.g. per case file reviewed); see forms.layout.
    repeat: Repeat | None = None
    items: list[FormItem] = Field(min_length=1)

    @field_validator("key")
    @classmethod
    def _check_key(cls, value: str) -> str:
        if not SECTION_KEY_RE.fullmatch(value):
            raise PydanticCustomError(
                "bad_section_key",
                "'{value}' is not a valid section key; expected lowercase letters, digits "
                "and '_' (e.g. 'facility')",
                {"value": value},
            )
        return value

    @field_validator("title")
    @classmethod
    def _check_title(cls, value: str) -> str:
        return _require_text(value, "the section's title")


class FormDefinition(BaseModel):
    """One version of a checklist or interview guide."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    _by_key: dict[str, tuple[FormSection, FormItem]] = PrivateAttr(default_factory=dict)

    id: str
    version: StrictInt = Field(ge=1)
    title: str
    program: ProgramModel
    kind: FormKind
    review_kind: ReviewKind | None = Field(default=None, validate_default=True)
    interviewee_role: IntervieweeRole | None = Field(default=None, validate_default=True)
    description: str = ""
    sections: list[FormSection] = Field(min_length=1)

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        if not FORM_ID_RE.fullmatch(value):
            raise PydanticCustomError(
                "bad_form_id",
                "'{value}' is not a valid form id; expected lowercase letters, digits and '_' "
                "(e.g. 'jem_inspection')",
                {"value": value},
            )
        return value

    @field_validator("title")
    @classmethod
    def _check_title(cls, value: str) -> str:
        return _require_text(value, "the form's title")

    @field_validator("review_kind")
    @classmethod
    def _check_review_kind(cls, value: ReviewKind | None, info: ValidationInfo) -> Any:
        kind = info.data.get("kind")
        if kind == FormKind.CHECKLIST:
            if value is None:
                raise PydanticCustomError(
                    "review_kind_missing",
                    "a checklist form needs 'review_kind' (one of: {kinds})",
                    {"kinds": ", ".join(k.value for k in ReviewKind)},
                )
            program = info.data.get("program")
            expected = {
                ReviewKind.JEM_INSPECTION: ProgramModel.JEM,
                ReviewKind.WSO_REVIEW: ProgramModel.WSO,
            }.get(value)
            if program is not None and expected is not None and program != expected:
                raise PydanticCustomError(
                    "review_kind_program",
                    "review kind '{kind}' is for program {expected}, but the form's program "
                    "is {program}",
                    {"kind": value.value, "expected": expected.value, "program": program.value},
                )
        elif kind == FormKind.INTERVIEW and value is not None:
            raise PydanticCustomError(
                "review_kind_not_allowed",
                "'review_kind' only applies to checklist forms; an interview form names its "
                "'interviewee_role' instead",
            )
        return value

    @field_validator("interviewee_role")
    @classmethod
    def _check_interviewee_role(cls, value: IntervieweeRole | None, info: ValidationInfo) -> Any:
        kind = info.data.get("kind")
        if kind == FormKind.INTERVIEW and value is None:
            raise PydanticCustomError(
                "interviewee_role_missing",
                "an interview form needs 'interviewee_role' (one of: {roles})",
                {"roles": ", ".join(r.value for r in IntervieweeRole)},
            )
        if kind == FormKind.CHECKLIST and value is not None:
            raise PydanticCustomError(
                "interviewee_role_not_allowed",
                "'interviewee_role' only applies to interview forms; remove it from a checklist",
            )
        return value

    @model_validator(mode="after")
    def _check_unique_keys(self) -> FormDefinition:
        section_keys: set[str] = set()
        item_keys: set[str] = set()
        for section in self.sections:
            if section.key in section_keys:
                raise PydanticCustomError(
                    "duplicate_section_key",
                    "duplicate section key '{key}'",
                    {"key": section.key},
                )
            section_keys.add(section.key)
            for item in section.items:
                if item.key in item_keys:
                    raise PydanticCustomError(
                        "duplicate_item_key", "duplicate item key '{key}'", {"key": item.key}
                    )
                item_keys.add(item.key)
        return self

    # -- behaviour --------------------------------------------------------

    @property
    def ref(self) -> str:
        """The reference a review stores, e.g. ``"jem_inspection.v1"``."""
        return f"{self.id}.v{self.version}"

    @property
    def file_name(self) -> str:
        return f"{self.ref}.yaml"

    def items(self) -> Iterator[FormItem]:
        """All items in form order."""
        for section in self.sections:
            yield from section.items

    def model_post_init(self, context: Any, /) -> None:  # noqa: ANN401
        # Every item by key, made once: an autosave looks its item up on each answer
        # (a walk over the form's items was ~70 µs of it for a 67-item form).
        self._by_key = {i.key: (s, i) for s in self.sections for i in s.items}

    def _found(self, key: str) -> tuple[FormSection, FormItem]:
        key = base_key(key)
        try:
            return self._by_key[key]
        except KeyError:
            raise KeyError(f"form {self.ref} has no item {key!r}") from None

    def item(self, key: str) -> FormItem:
        """The item ``key``; an instance's key (``case_documents[2].i213_complete``)
        names the item of its repeated section."""
        return self._found(key)[1]

    def section_of(self, key: str) -> FormSection:
        """The section holding the item ``key`` (or an instance's key)."""
        return self._found(key)[0]


class Topic(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str
    title: str

    @field_validator("code")
    @classmethod
    def _check_code(cls, value: str) -> str:
        if not TOPIC_CODE_RE.fullmatch(value):
            raise PydanticCustomError(
                "bad_topic_code",
                "'{value}' is not a valid topic code; expected lowercase letters, digits, "
                "'-' and '_' (e.g. 'steering-committee')",
                {"value": value},
            )
        return value

    @field_validator("title")
    @classmethod
    def _check_title(cls, value: str) -> str:
        return _require_text(value, "the topic's title")


class TopicsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    topics: list[Topic] = Field(min_length=1)


class SourceDocument(StrEnum):
    """The documents a citation's source may be (shared/seeds)."""

    GAO_21_186 = "GAO-21-186"  # GAO report of January 2021
    GAO_21_186_STATUS = "GAO-21-186 recommendation status"  # GAO's page on its recommendations
    OIG_18_77 = "OIG-18-77"  # DHS OIG report of September 2018


class Reference(BaseModel):
    """One citation a form item may use, and where the source documents support it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    citation: str
    document: SourceDocument
    where: str  # page, section, table or footnote of the document
    quote: str  # words of the document at that place, verbatim, to find it

    @field_validator("citation")
    @classmethod
    def _check_citation(cls, value: str) -> str:
        _require_text(value, "the citation as items write it")
        if ";" in value:
            raise PydanticCustomError(
                "citation_with_semicolon",
                "a reference is one citation; expected no ';' (items join several with '; ')",
            )
        return value.strip()

    @field_validator("where")
    @classmethod
    def _check_where(cls, value: str) -> str:
        return _require_text(value, "the page, section, table or footnote of the document")

    @field_validator("quote")
    @classmethod
    def _check_quote(cls, value: str) -> str:
        return _require_text(value, "words of the document at that place, verbatim")


class ReferencesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    references: list[Reference] = Field(min_length=1)
