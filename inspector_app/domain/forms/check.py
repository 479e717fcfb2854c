"""The form checker: every problem of the YAML files with file, line and key.

Pydantic says what is wrong; the YAML node tree says where (line numbers), so each
problem is reported at the line a person editing the file would fix.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from inspector_app.domain.enums import AnswerType, ReviewKind
from inspector_app.domain.errors import KnownError

from .schema import (
    FORM_FILE_RE,
    REFERENCES_FILE,
    SUPPORT_FILES,
    TOPICS_FILE,
    FormDefinition,
    FormItem,
    FormKind,
    FormSection,
    Reference,
    ReferencesFile,
    Repeat,
    SourceDocument,
    Topic,
    TopicsFile,
)

# Error types raised by FormDefinition's own duplicate checks; the checker reports
# duplicates itself (with the line of the second key), so it skips these.
_DUPLICATE_ERROR_TYPES = frozenset({"duplicate_section_key", "duplicate_item_key"})


# ---------------------------------------------------------------------------
# Problems


@dataclass(frozen=True)
class FormProblem:
    """One thing wrong with a form file; ``line`` is 1-based."""

    file: str
    line: int
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.key}: {self.message}"


class FormError(KnownError):
    """Raised when form files have problems; ``problems`` lists all of them."""

    def __init__(self, problems: Iterable[FormProblem]) -> None:
        self.problems: list[FormProblem] = list(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


# Error types raised by the validators above; their message is complete.
_CUSTOM_ERROR_TYPES = frozenset(
    {
        "empty_text",
        "bad_item_key",
        "bad_section_key",
        "bad_form_id",
        "bad_topic_code",
        "bad_on_failure",
        "bad_fail_value",
        "choices_missing",
        "choices_not_allowed",
        "empty_choice",
        "duplicate_choice",
        "unknown_topic",
        "unknown_citation",
        "citation_with_semicolon",
        "fail_values_not_allowed",
        "review_kind_missing",
        "review_kind_program",
        "review_kind_not_allowed",
        "interviewee_role_missing",
        "interviewee_role_not_allowed",
        "show_if_condition",
    }
)

# Hints added to "required field is missing" messages.
_FIELD_HINTS = {
    "id": "the form id, equal to the file name's id part",
    "version": "the form version, a whole number equal to the file name's version",
    "title": "a title",
    "program": "JEM or WSO",
    "kind": "checklist or interview",
    "sections": "a list of sections",
    "key": "a stable key",
    "items": "a list of items",
    "prompt": "the question the inspector answers",
    "answer": "an answer type: " + ", ".join(a.value for a in AnswerType),
    "citation": "the MOA clause or policy the item checks",
    "topic": "a topic code from topics.yaml",
    "responsible": "who must fix a failure: lea, ice or both",
    "document": "the source document: " + ", ".join(d.value for d in SourceDocument),
    "where": "the page, section, table or footnote of the document",
    "quote": "words of the document at that place, verbatim",
    "references": "a list of references with citation, document, where and quote",
    "code": "a topic code",
    "topics": "a list of topics with code and title",
    "item": "the key of an earlier item whose answer shows this one",
    "label": "what one instance is called (e.g. 'Case file')",
    "key_field": "the item of the section that names an instance (e.g. 'reference')",
}

_MODEL_FIELDS = {
    "form": list(FormDefinition.model_fields),
    "section": list(FormSection.model_fields),
    "item": list(FormItem.model_fields),
    "topics": list(TopicsFile.model_fields),
    "topic": list(Topic.model_fields),
    "references": list(ReferencesFile.model_fields),
    "reference": list(Reference.model_fields),
    "show_if": ["item", "equals", "in"],
    "repeat": list(Repeat.model_fields),
}


def _describe_input(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (YAML reads unquoted yes/no/on/off as true/false; quote it)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, date):
        return f"the date {value.isoformat()} (quote it to make it text)"
    if isinstance(value, str):
        return repr(value)
    return type(value).__name__


def _model_at(loc: Sequence[str | int], root_model: str) -> str:
    """Which model a location's parent is (to list the allowed fields)."""
    if root_model in ("topics", "references"):
        entry = {"topics": "topic", "references": "reference"}[root_model]
        return entry if len(loc) >= 3 else root_model
    for part in ("show_if", "repeat"):
        if part in loc[:-1]:
            return part
    if len(loc) >= 5:
        return "item"
    if len(loc) >= 3:
        return "section"
    return "form"


# What a pydantic type error expected, by error type.
_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "list_type": "a list",
    "model_type": "a mapping of fields (field: value)",
    "model_attributes_type": "a mapping of fields (field: value)",
    "dict_type": "a mapping of fields (field: value)",
}


def _error_text(error: ErrorDetails, root_model: str) -> str:
    kind = error["type"]
    loc = error["loc"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    field = loc[-1] if loc else ""
    if kind == "missing":
        hint = _FIELD_HINTS.get(str(field))
        return "required field is missing" + (f"; expected {hint}" if hint else "")
    if kind == "extra_forbidden":
        allowed = _MODEL_FIELDS[_model_at(loc, root_model)]
        return f"unknown field; expected one of: {', '.join(allowed)}"
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {_describe_input(value)}"
    if kind in {"enum", "literal_error"}:
        return f"{_describe_input(value)} is not allowed; expected {ctx.get('expected', '')}"
    if kind == "too_short":
        what = "item" if field == "items" else "section" if field == "sections" else "entry"
        return f"must not be empty; expected at least {ctx.get('min_length', 1)} {what}"
    if kind == "greater_than_equal":
        return f"must be at least {ctx.get('ge')}, got {_describe_input(value)}"
    if kind in _CUSTOM_ERROR_TYPES or kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    return f"{error['msg']} (got {_describe_input(value)})"


# ---------------------------------------------------------------------------
# YAML helpers


class _ParsedFile:
    """A YAML file's node tree and data (or the syntax problem)."""

    def __init__(self, path: Path, label: str) -> None:
        self.path = path
        self.label = label
        self.node: Node | None = None
        self.data: Any = None
        self.problems: list[FormProblem] = []
        self._parse()

    def _parse(self) -> None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            self.problems.append(
                FormProblem(self.label, 1, "(file)", "cannot read file: expected UTF-8 text")
            )
            return
        except OSError as exc:
            self.problems.append(
                FormProblem(self.label, 1, "(file)", f"cannot read file: {exc.strerror or exc}")
            )
            return
        loader = yaml.SafeLoader(text)
        try:
            self.node = loader.get_single_node()
            if self.node is not None:
                self.data = loader.construct_document(self.node)
        except yaml.MarkedYAMLError as exc:
            self.node = None
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else 1
            parts = [p for p in (exc.context, exc.problem) if p]
            detail = ", ".join(parts) or "invalid YAML"
            if exc.context_mark is not None and exc.context_mark.line + 1 != line:
                detail += f" (the construct began at line {exc.context_mark.line + 1})"
            self.problems.append(
                FormProblem(
                    self.label,
                    line,
                    "(yaml)",
                    f"YAML syntax error: {detail}; expected valid YAML (check indentation, "
                    "colons and quotes)",
                )
            )
        except yaml.YAMLError as exc:
            self.node = None
            self.problems.append(FormProblem(self.label, 1, "(yaml)", f"YAML error: {exc}"))
        finally:
            loader.dispose()

    @property
    def ok(self) -> bool:
        return not self.problems

    def line(self, loc: Sequence[str | int]) -> int:
        """1-based line of the node at ``loc``, or of its nearest existing parent.

        A mapping field's line is the line of its name.
        """
        node = self.node
        if node is None:
            return 1
        line = node.start_mark.line + 1
        for part in loc:
            if isinstance(part, str) and isinstance(node, MappingNode):
                found = None
                for key_node, value_node in node.value:
                    if isinstance(key_node, ScalarNode) and key_node.value == part:
                        found = (key_node, value_node)  # the last one wins, as in the data
                if found is None:
                    break
                line = found[0].start_mark.line + 1
                node = found[1]
            elif (
                isinstance(part, int)
                and isinstance(node, SequenceNode)
                and 0 <= part < len(node.value)
            ):
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                break
        return line

    def problem(
        self,
        loc: Sequence[str | int],
        text: str,
        *,
        name_field: str = "key",
        root_name: str = "(form)",
        line: int | None = None,
    ) -> FormProblem:
        key, rest = _key_and_rest(self.data, loc, name_field, root_name)
        message = f"{rest}: {text}" if rest else text
        return FormProblem(self.label, self.line(loc) if line is None else line, key, message)


def _format_path(loc: Sequence[str | int]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _key_and_rest(
    data: Any, loc: Sequence[str | int], name_field: str, root_name: str
) -> tuple[str, str]:
    """The deepest list entry's key enclosing ``loc``, and the path below it.

    Falls back to the field path ("sections[2].title") when no entry has a key.
    """
    key: str | None = None
    rest_start = 0
    obj = data
    for i, part in enumerate(loc):
        if isinstance(part, int) and isinstance(obj, list) and 0 <= part < len(obj):
            obj = obj[part]
            name = obj.get(name_field) if isinstance(obj, dict) else None
            if isinstance(name, str) and name.strip():
                key, rest_start = name, i + 1
        elif isinstance(part, str) and isinstance(obj, dict) and part in obj:
            obj = obj[part]
        else:
            break
    if key is None:
        return (_format_path(loc) or root_name), ""
    return key, _format_path(loc[rest_start:])


def _walk_duplicate_mapping_keys(
    node: Node | None, loc: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], ScalarNode, int]]:
    """YAML mapping keys given twice in one mapping (YAML keeps the last silently)."""
    if isinstance(node, MappingNode):
        first: dict[str, int] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode):
                if key_node.value in first:
                    yield loc + (key_node.value,), key_node, first[key_node.value]
                else:
                    first[key_node.value] = key_node.start_mark.line + 1
                yield from _walk_duplicate_mapping_keys(value_node, loc + (key_node.value,))
    elif isinstance(node, SequenceNode):
        for index, child in enumerate(node.value):
            yield from _walk_duplicate_mapping_keys(child, loc + (index,))


def _duplicate_field_problems(parsed: _ParsedFile, **kwargs: Any) -> list[FormProblem]:
    problems = []
    for loc, key_node, first_line in _walk_duplicate_mapping_keys(parsed.node):
        problems.append(
            parsed.problem(
                loc,
                f"field given twice in the same mapping (first at line {first_line}); "
                "expected it once (YAML silently keeps the last one)",
                line=key_node.start_mark.line + 1,
                **kwargs,
            )
        )
    return problems


def _validation_problems(
    parsed: _ParsedFile, exc: ValidationError, root_model: str, **kwargs: Any
) -> list[FormProblem]:
    problems = []
    for error in exc.errors(include_url=False):
        if error["type"] in _DUPLICATE_ERROR_TYPES:
            continue
        problems.append(parsed.problem(error["loc"], _error_text(error, root_model), **kwargs))
    return problems


# ---------------------------------------------------------------------------
# Topics and references: one list of named entries each


@dataclass(frozen=True)
class _ListFile:
    """A YAML file holding one list of entries named by one field (topics, references)."""

    list_name: str  # "topics"
    field: str  # "code": names each entry
    model: type[BaseModel]
    missing: str  # what the file should list, for the "missing" message
    duplicate: str  # "duplicate topic code": the start of the repeated-entry message


_TOPICS = _ListFile(
    "topics", "code", TopicsFile,
    f"topics file is missing; expected {TOPICS_FILE} listing the finding topic codes",
    "duplicate topic code",
)  # fmt: skip
_REFERENCES = _ListFile(
    "references", "citation", ReferencesFile,
    f"references file is missing; expected {REFERENCES_FILE} listing every citation a "
    "form item may use, with its source",
    "citation listed twice",
)  # fmt: skip


def _check_list_file(path: Path, spec: _ListFile) -> tuple[Any, list[FormProblem]]:
    """The validated model of a topics or references file, or its problems."""
    label = str(path)
    if not path.is_file():
        return None, [FormProblem(label, 1, "(file)", spec.missing)]
    parsed = _ParsedFile(path, label)
    if not parsed.ok:
        return None, parsed.problems
    kwargs = {"name_field": spec.field, "root_name": f"({spec.list_name})"}
    problems = _duplicate_field_problems(parsed, **kwargs)
    if parsed.data is None:
        problems.append(FormProblem(label, 1, f"({spec.list_name})",
                                    f"file is empty; expected a '{spec.list_name}:' list"))  # fmt: skip
        return None, problems
    model = None
    try:
        model = spec.model.model_validate(parsed.data)
    except ValidationError as exc:
        problems.extend(_validation_problems(parsed, exc, spec.list_name, **kwargs))
    problems.extend(_duplicate_entries(parsed, spec))
    return (None if problems else model), problems


def _duplicate_entries(parsed: _ParsedFile, spec: _ListFile) -> list[FormProblem]:
    """An entry named twice (names compared stripped), at its line, naming the first."""
    raw = parsed.data.get(spec.list_name) if isinstance(parsed.data, dict) else None
    if not isinstance(raw, list):
        return []
    problems = []
    first: dict[str, int] = {}
    for index, entry in enumerate(raw):
        name = entry.get(spec.field) if isinstance(entry, dict) else None
        if not isinstance(name, str):
            continue
        line = parsed.line((spec.list_name, index, spec.field))
        key = name.strip()
        if key in first:
            problems.append(FormProblem(parsed.label, line, key,
                                        f"{spec.duplicate} (first at line {first[key]}); "
                                        f"expected each {spec.field} once"))  # fmt: skip
        else:
            first[key] = line
    return problems


def _check_topics_file(path: Path) -> tuple[dict[str, str] | None, list[FormProblem]]:
    model, problems = _check_list_file(path, _TOPICS)
    return ({t.code: t.title for t in model.topics} if model else None), problems


def load_topics(directory: Path) -> dict[str, str]:
    """Topic code -> title from ``directory/topics.yaml``; raises FormError."""
    topics, problems = _check_topics_file(Path(directory) / TOPICS_FILE)
    if problems or topics is None:
        raise FormError(problems)
    return topics


# ---------------------------------------------------------------------------
# References


def _check_references_file(
    path: Path,
) -> tuple[dict[str, Reference] | None, list[FormProblem]]:
    model, problems = _check_list_file(path, _REFERENCES)
    return ({r.citation: r for r in model.references} if model else None), problems


def load_references(directory: Path) -> dict[str, Reference]:
    """Citation -> its reference from ``directory/references.yaml``; raises FormError."""
    references, problems = _check_references_file(Path(directory) / REFERENCES_FILE)
    if problems or references is None:
        raise FormError(problems)
    return references


# ---------------------------------------------------------------------------
# Forms


def _check_form_file(
    path: Path, topics: dict[str, str] | None, references: Mapping[str, object] | None
) -> tuple[FormDefinition | None, _ParsedFile, list[FormProblem]]:
    """Every problem of one form file; the form when there is none."""
    parsed = _ParsedFile(path, str(path))
    if not parsed.ok:
        return None, parsed, list(parsed.problems)
    problems = _duplicate_field_problems(parsed)
    data = parsed.data
    if data is None:
        problems.append(
            FormProblem(
                parsed.label, 1, "(form)", "file is empty; expected a form definition mapping"
            )
        )
        return None, parsed, problems

    form: FormDefinition | None = None
    try:
        form = FormDefinition.model_validate(
            data, context={"topics": topics, "references": references}
        )
    except ValidationError as exc:
        problems.extend(_validation_problems(parsed, exc, "form"))

    problems.extend(_duplicate_key_problems(parsed))
    if form is not None:
        problems.extend(_layout_problems(parsed, form))
    problems.extend(_file_name_problems(parsed))
    problems.sort(key=lambda p: p.line)
    return (form if not problems else None), parsed, problems


def _duplicate_key_problems(parsed: _ParsedFile) -> list[FormProblem]:
    data = parsed.data
    sections = data.get("sections") if isinstance(data, dict) else None
    if not isinstance(sections, list):
        return []
    problems = []
    section_lines: dict[str, int] = {}
    item_lines: dict[str, int] = {}
    for s_index, section in enumerate(sections):
        if not isinstance(section, dict):
            continue
        key = section.get("key")
        if isinstance(key, str):
            line = parsed.line(("sections", s_index, "key"))
            if key in section_lines:
                problems.append(
                    FormProblem(
                        parsed.label,
                        line,
                        key,
                        f"duplicate section key (first used at line {section_lines[key]}); "
                        "expected section keys unique within the form",
                    )
                )
            else:
                section_lines[key] = line
        items = section.get("items")
        if not isinstance(items, list):
            continue
        for i_index, item in enumerate(items):
            key = item.get("key") if isinstance(item, dict) else None
            if not isinstance(key, str):
                continue
            line = parsed.line(("sections", s_index, "items", i_index, "key"))
            if key in item_lines:
                problems.append(
                    FormProblem(
                        parsed.label,
                        line,
                        key,
                        f"duplicate item key (first used at line {item_lines[key]}); "
                        "expected item keys unique within the form",
                    )
                )
            else:
                item_lines[key] = line
    return problems


def _layout_problems(parsed: _ParsedFile, form: FormDefinition) -> list[FormProblem]:
    """show_if and repeat checked against the rest of the form (the schema checks
    each on its own)."""
    problems: list[FormProblem] = []
    earlier: dict[str, tuple[FormItem, FormSection]] = {}
    later = {item.key for item in form.items()}
    for s_index, section in enumerate(form.sections):
        if section.repeat is not None:
            problems += _repeat_problems(parsed, s_index, section)
        for i_index, item in enumerate(section.items):
            later.discard(item.key)
            if item.show_if is not None:
                loc = ("sections", s_index, "items", i_index, "show_if")
                text = _show_if_problem(item, section, earlier, later)
                if text:
                    problems.append(parsed.problem((*loc, text[0]), text[1]))
            earlier[item.key] = (item, section)
    return problems


def _show_if_problem(
    item: FormItem,
    section: FormSection,
    earlier: Mapping[str, tuple[FormItem, FormSection]],
    later: set[str],
) -> tuple[str, str] | None:
    """(the show_if field at fault, what is wrong) or None."""
    assert item.show_if is not None
    ref = item.show_if.item
    if ref == item.key:
        return "item", f"'{ref}' is this item itself; expected an earlier item"
    if ref in later:
        return "item", f"'{ref}' comes after this item; expected an earlier item"
    if ref not in earlier:
        return "item", f"'{ref}' is not an item of this form; expected an earlier item's key"
    target, target_section = earlier[ref]
    if target_section.repeat is not None and target_section is not section:
        return "item", (
            f"'{ref}' is in the repeated section '{target_section.key}'; expected an item "
            "outside repeated sections or in this item's own section"
        )
    allowed = target.valid_values()
    if allowed is None:
        return "item", (
            f"'{ref}' is answered with '{target.answer.value}', which has no fixed answers; "
            "expected an item answered yes_no_na, yes_no, understanding or choice"
        )
    field = "equals" if item.show_if.equals is not None else "in"
    unknown = [v for v in item.show_if.values if v not in allowed]
    if unknown:
        return field, (
            f"{', '.join(repr(v) for v in unknown)} {'is' if len(unknown) == 1 else 'are'} "
            f"not an answer of '{ref}'; expected values from: {', '.join(allowed)}"
        )
    return None


def _repeat_problems(parsed: _ParsedFile, s_index: int, section: FormSection) -> list[FormProblem]:
    assert section.repeat is not None
    problems = []
    field = section.repeat.key_field
    names = {i.key: i for i in section.items}
    key_item = names.get(field) or names.get(f"{section.key}.{field}")
    if key_item is None:
        problems.append(parsed.problem(
            ("sections", s_index, "repeat", "key_field"),
            f"'{field}' is not an item of section '{section.key}'; expected the item that "
            f"names an instance (e.g. '{section.key}.reference')",
        ))  # fmt: skip
    elif key_item.answer not in (AnswerType.TEXT, AnswerType.NUMBER, AnswerType.DATE):
        problems.append(parsed.problem(
            ("sections", s_index, "repeat", "key_field"),
            f"'{key_item.key}' is answered with '{key_item.answer.value}'; expected an item "
            "answered with text, number or date (it names each instance)",
        ))  # fmt: skip
    for i_index, item in enumerate(section.items):
        if not item.key.startswith(section.key + "."):
            problems.append(parsed.problem(
                ("sections", s_index, "items", i_index, "key"),
                f"an item of the repeated section '{section.key}' needs a key starting with "
                f"'{section.key}.' (each instance's answers are stored under "
                f"'{section.key}[n].<name>')",
            ))  # fmt: skip
    return problems


def _file_name_problems(parsed: _ParsedFile) -> list[FormProblem]:
    name = parsed.path.name
    match = FORM_FILE_RE.fullmatch(name)
    if match is None:
        return [
            FormProblem(
                parsed.label,
                1,
                "(file)",
                f"file name '{name}' does not follow '{{id}}.v{{version}}.yaml' "
                "(e.g. 'jem_inspection.v1.yaml')",
            )
        ]
    data = parsed.data if isinstance(parsed.data, dict) else {}
    problems = []
    form_id = data.get("id")
    version = data.get("version")
    file_id, file_version = match["id"], int(match["version"])
    if isinstance(form_id, str) and form_id != file_id:
        problems.append(
            FormProblem(
                parsed.label,
                parsed.line(("id",)),
                "id",
                f"id '{form_id}' does not match the file name '{name}'; expected id "
                f"'{file_id}' or a file named '{form_id}.v{file_version}.yaml'",
            )
        )
    if isinstance(version, int) and not isinstance(version, bool) and version != file_version:
        problems.append(
            FormProblem(
                parsed.label,
                parsed.line(("version",)),
                "version",
                f"version {version} does not match the file name '{name}'; expected version "
                f"{file_version} or a file named '{file_id}.v{version}.yaml'",
            )
        )
    return problems


def load_form(
    path: Path, topics: dict[str, str], references: Mapping[str, object] | None = None
) -> FormDefinition:
    """Load and check one form file; raises FormError listing all its problems.

    ``references`` (citation -> reference) checks each citation; None skips the check."""
    form, _, problems = _check_form_file(Path(path), topics, references)
    if problems or form is None:
        raise FormError(problems)
    return form


def _duplicate_definitions(parsed_files: list[_ParsedFile]) -> list[FormProblem]:
    """One definition per (id, version), judged on the raw fields so a file whose name
    does not match its id still counts. The file named after the form keeps it; the
    others are reported."""
    problems: list[FormProblem] = []
    refs: list[tuple[bool, str, str, int, _ParsedFile]] = []
    for parsed in parsed_files:
        data = parsed.data if isinstance(parsed.data, dict) else {}
        form_id, version = data.get("id"), data.get("version")
        if isinstance(form_id, str) and isinstance(version, int) and not isinstance(version, bool):
            misnamed = parsed.path.name != f"{form_id}.v{version}.yaml"
            refs.append((misnamed, parsed.label, form_id, version, parsed))
    refs.sort(key=lambda r: (r[0], r[1]))
    by_ref: dict[tuple[str, int], _ParsedFile] = {}
    for _, _, form_id, version, parsed in refs:
        first = by_ref.setdefault((form_id, version), parsed)
        if first is not parsed:
            problems.append(
                FormProblem(
                    parsed.label,
                    parsed.line(("id",)),
                    "id",
                    f"form {form_id}.v{version} is also defined in {first.label}; "
                    "expected each (id, version) defined once",
                )
            )
    return problems


def check_directory(
    directory: Path,
) -> tuple[dict[str, str], list[FormDefinition], list[FormProblem]]:
    directory = Path(directory)
    if not directory.is_dir():
        return (
            {},
            [],
            [FormProblem(str(directory), 1, "(directory)", "forms directory does not exist")],
        )
    topics, problems = _check_topics_file(directory / TOPICS_FILE)
    references, reference_problems = _check_references_file(directory / REFERENCES_FILE)
    problems.extend(reference_problems)
    forms: list[tuple[FormDefinition, _ParsedFile]] = []
    parsed_files: list[_ParsedFile] = []
    for path in sorted(directory.glob("*.yaml")):
        if path.name in SUPPORT_FILES or not path.is_file():
            continue
        form, parsed, file_problems = _check_form_file(path, topics, references)
        problems.extend(file_problems)
        parsed_files.append(parsed)
        if form is not None:
            forms.append((form, parsed))

    problems.extend(_duplicate_definitions(parsed_files))

    # One checklist id per review kind (for_review_kind returns one form).
    checklist_ids: dict[ReviewKind, tuple[str, _ParsedFile]] = {}
    accepted: list[FormDefinition] = []
    for form, parsed in forms:
        if form.kind == FormKind.CHECKLIST and form.review_kind is not None:
            other = checklist_ids.setdefault(form.review_kind, (form.id, parsed))
            if other[0] != form.id:
                problems.append(
                    FormProblem(
                        parsed.label,
                        parsed.line(("review_kind",)),
                        "review_kind",
                        f"review kind '{form.review_kind.value}' already has checklist "
                        f"'{other[0]}' ({other[1].label}); expected one checklist id per "
                        "review kind (add a new version of that form instead)",
                    )
                )
                continue
        accepted.append(form)
    problems.sort(key=lambda p: (p.file, p.line))
    return (topics or {}), accepted, problems


def check_forms(directory: Path) -> list[FormProblem]:
    """Every problem of ``topics.yaml``, ``references.yaml`` and the ``*.yaml`` form files
    in ``directory``."""
    return check_directory(directory)[2]
