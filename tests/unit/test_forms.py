"""Form definitions: the shipped forms, the checker's problem reports, answer rules."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from inspector_app.domain.enums import (
    AnswerType,
    FindingKind,
    IntervieweeRole,
    ProgramModel,
    ReviewKind,
)
from inspector_app.domain.errors import FormVersionMissing
from inspector_app.domain.forms import (
    FormDefinition,
    FormError,
    FormItem,
    FormKind,
    FormProblem,
    FormRegistry,
    check_forms,
    default_forms_dir,
    load_form,
    load_topics,
)

FORMS_DIR = default_forms_dir()

TOPIC_CODES = {
    "training",
    "complaints",
    "interpreter",
    "steering-committee",
    "statistics",
    "information-security",
    "detainers",
    "processing",
    "citizenship-claims",
    "authorization",
    "other",
}

# (form id, min items, max items) of the shipped forms.
SHIPPED = [
    ("jem_inspection", 40, None),
    ("wso_review", 20, None),
    ("wso_officer_interview", 12, None),
    ("jem_interview_field_office", 6, 10),
    ("jem_interview_lea_leadership", 6, 10),
    ("jem_interview_officer", 6, 10),
    ("jem_interview_detainee", 6, 10),
]

# A valid form; the tests below break single lines of it. Line numbers matter.
SAMPLE_LINES = [
    "id: sample",  # 1
    "version: 1",  # 2
    "title: Sample checklist",  # 3
    "program: JEM",  # 4
    "kind: checklist",  # 5
    "review_kind: jem_inspection",  # 6
    "sections:",  # 7
    "  - key: facility",  # 8
    "    title: Facility",  # 9
    "    items:",  # 10
    "      - key: facility.poster",  # 11
    "        prompt: Is the complaint poster displayed?",  # 12
    "        answer: yes_no_na",  # 13
    "        responsible: lea",  # 14
    "        citation: 287(g) JEM MOA, Complaint procedures (complaint poster)",  # 15
    "        topic: complaints",  # 16
    "        on_failure: deficiency",  # 17
    "      - key: facility.visits",  # 18
    "        prompt: How often does the supervisor visit?",  # 19
    "        answer: choice",  # 20
    "        choices: [weekly, monthly, never]",  # 21
    '        fail_values: ["never"]',  # 22
    "        citation: ERO Policy 11152.01, Field Oversight of the 287(g) Program",  # 23
    "        topic: other",  # 24
    "        on_failure: area_of_concern",  # 25
    "        responsible: ice",  # 26
]


def sample_text(replace: dict[int, str | None] | None = None) -> str:
    """The sample form with 1-based lines replaced (None deletes the line)."""
    lines = list(SAMPLE_LINES)
    for number, text in sorted((replace or {}).items(), reverse=True):
        if text is None:
            del lines[number - 1]
        else:
            lines[number - 1] = text
    return "\n".join(lines) + "\n"


def make_dir(
    tmp_path: Path, files: dict[str, str], *, topics: bool = True, references: bool = True
) -> Path:
    directory = tmp_path / "forms"
    directory.mkdir(parents=True)
    if topics:
        shutil.copy(FORMS_DIR / "topics.yaml", directory / "topics.yaml")
    if references:
        shutil.copy(FORMS_DIR / "references.yaml", directory / "references.yaml")
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def problem_lines(problems: list[FormProblem]) -> list[str]:
    return [str(p) for p in problems]


def assert_reported(problems: list[FormProblem], prefix: str, *fragments: str) -> FormProblem:
    """The problem starting with ``prefix`` whose message holds every fragment."""
    matching = [
        p for p in problems if str(p).startswith(prefix) and all(f in p.message for f in fragments)
    ]
    assert matching, (
        f"no problem starting with {prefix!r} and mentioning {fragments!r} in:\n"
        + "\n".join(problem_lines(problems))
    )
    return matching[0]


@pytest.fixture(scope="module")
def registry() -> FormRegistry:
    return FormRegistry.load(FORMS_DIR)


# ---------------------------------------------------------------------------
# Shipped forms


def test_default_forms_dir_is_the_repository_forms_folder():
    assert default_forms_dir() == Path(__file__).resolve().parents[2] / "forms"
    assert (FORMS_DIR / "topics.yaml").is_file()


def test_default_forms_dir_when_frozen(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert default_forms_dir() == tmp_path / "forms"


def test_shipped_forms_have_no_problems():
    assert problem_lines(check_forms(FORMS_DIR)) == []


def test_shipped_topics_keep_the_reference_codes():
    topics = load_topics(FORMS_DIR)
    assert set(topics) == TOPIC_CODES
    assert all(title.strip() for title in topics.values())
    text = (FORMS_DIR / "topics.yaml").read_text(encoding="utf-8")
    assert "# How GAO's rows map" in text  # the comments are kept


def test_shipped_form_set(registry):
    shipped = [f"{form_id}.v1" for form_id, _, _ in SHIPPED] + ["jem_inspection.v2"]
    assert [f.ref for f in registry.all()] == sorted(shipped)
    assert set(registry.topics) == TOPIC_CODES


@pytest.mark.parametrize(("form_id", "minimum", "maximum"), SHIPPED)
def test_shipped_item_counts(registry, form_id, minimum, maximum):
    count = len(list(registry.latest(form_id).items()))
    assert count >= minimum
    if maximum is not None:
        assert count <= maximum


@pytest.mark.parametrize("form_id", [form_id for form_id, _, _ in SHIPPED])
def test_shipped_items_are_well_formed(registry, form_id):
    form = registry.latest(form_id)
    keys = [item.key for item in form.items()]
    assert len(keys) == len(set(keys))
    assert len({s.key for s in form.sections}) == len(form.sections)
    for section in form.sections:
        for item in section.items:
            assert item.key.startswith(section.key + "."), item.key  # key convention
            assert item.topic in TOPIC_CODES, item.key
            assert item.citation.strip(), item.key
            assert item.help.strip(), item.key
            assert item.on_failure in (FindingKind.DEFICIENCY, FindingKind.AREA_OF_CONCERN)
            assert form.item(item.key) is item
            assert form.section_of(item.key) is section


def test_checklists_by_review_kind(registry):
    jem = registry.for_review_kind(ReviewKind.JEM_INSPECTION)
    wso = registry.for_review_kind(ReviewKind.WSO_REVIEW)
    assert (jem.ref, jem.program, jem.kind) == ("jem_inspection.v2", ProgramModel.JEM, "checklist")
    assert (wso.ref, wso.program, wso.kind) == ("wso_review.v1", ProgramModel.WSO, "checklist")
    with pytest.raises(KeyError, match="focus_review"):
        registry.for_review_kind(ReviewKind.FOCUS_REVIEW)


def test_interview_forms_by_program(registry):
    jem = registry.interview_forms(ProgramModel.JEM)
    assert [(f.id, f.interviewee_role) for f in jem] == [
        ("jem_interview_officer", IntervieweeRole.OFFICER),
        ("jem_interview_field_office", IntervieweeRole.FIELD_OFFICE_LEADERSHIP),
        ("jem_interview_lea_leadership", IntervieweeRole.LEA_LEADERSHIP),
        ("jem_interview_detainee", IntervieweeRole.DETAINEE),
    ]
    wso = registry.interview_forms(ProgramModel.WSO)
    assert [(f.id, f.interviewee_role) for f in wso] == [
        ("wso_officer_interview", IntervieweeRole.OFFICER)
    ]
    assert all(f.kind == FormKind.INTERVIEW and f.review_kind is None for f in jem + wso)


def test_jem_inspection_content(registry):
    form = registry.for_review_kind(ReviewKind.JEM_INSPECTION)
    sections = {s.key for s in form.sections}
    assert {
        "facility",
        "complaints",
        "interpreter",
        "case_documents",
        "detainers",
        "custody",
        "citizenship",
        "training",
        "authorization",
        "steering_committee",
        "statistics",
        "information_security",
        "ice_oversight",
    } <= sections
    kinds = {item.on_failure for item in form.items()}
    assert kinds == {FindingKind.DEFICIENCY, FindingKind.AREA_OF_CONCERN}
    assert form.item("complaints.poster_english").on_failure == FindingKind.DEFICIENCY
    assert form.item("complaints.poster_spanish").on_failure == FindingKind.AREA_OF_CONCERN
    assert form.item("interpreter.documented").on_failure == FindingKind.AREA_OF_CONCERN
    assert form.item("training.annual_online").on_failure == FindingKind.DEFICIENCY
    topics = {item.topic for item in form.items()}
    assert TOPIC_CODES - {"other"} <= topics
    ice_items = form.sections[[s.key for s in form.sections].index("ice_oversight")].items
    assert len(ice_items) >= 4
    assert all(item.help.startswith("ICE responsibility") for item in ice_items)
    prompts = " ".join(item.prompt for item in form.items())
    for document in ("I-213", "I-200", "I-247A", "I-205", "Notice to Appear", "48 hours"):
        assert document in prompts


def test_wso_review_content(registry):
    form = registry.for_review_kind(ReviewKind.WSO_REVIEW)
    assert {s.key for s in form.sections} >= {
        "request_form",
        "warrants",
        "credentials",
        "complaints",
        "interpretation",
        "training",
        "revocation",
        "communication",
    }
    assert form.item("training.fewest_hours").answer == AnswerType.NUMBER
    assert "8 hours" in form.item("training.fewest_hours").help


def test_wso_officer_interview_is_standardized(registry):
    form = registry.latest("wso_officer_interview")
    assert form.program == ProgramModel.WSO
    assert form.interviewee_role == IntervieweeRole.OFFICER
    questions = [i for i in form.items() if i.answer not in (AnswerType.OFFICER, AnswerType.TEXT)]
    assert len(questions) >= 12
    answers = [q.answer for q in questions]
    assert answers.count(AnswerType.UNDERSTANDING) > len(answers) / 2
    assert answers.count(AnswerType.NUMBER) == 1
    assert AnswerType.YES_NO in answers
    assert form.item("training.hours_received").answer == AnswerType.NUMBER


# ---------------------------------------------------------------------------
# Checker


def test_sample_form_is_valid(tmp_path):
    directory = make_dir(tmp_path, {"sample.v1.yaml": sample_text()})
    assert check_forms(directory) == []
    form = load_form(directory / "sample.v1.yaml", load_topics(directory))
    assert form.ref == "sample.v1"
    assert [i.key for i in form.items()] == ["facility.poster", "facility.visits"]


def test_yaml_syntax_error(tmp_path):
    directory = make_dir(tmp_path, {"sample.v1.yaml": sample_text({3: "title: Sample: list"})})
    file = directory / "sample.v1.yaml"
    problems = check_forms(directory)
    assert len(problems) == 1
    assert_reported(problems, f"{file}:3: (yaml): ", "YAML syntax error")


def test_unknown_topic_names_item_and_line(tmp_path):
    directory = make_dir(
        tmp_path, {"sample.v1.yaml": sample_text({16: "        topic: complaintz"})}
    )
    file = directory / "sample.v1.yaml"
    problems = check_forms(directory)
    assert len(problems) == 1
    assert_reported(
        problems, f"{file}:16: facility.poster: ", "topic", "'complaintz'", "complaints"
    )


def test_missing_citation(tmp_path):
    directory = make_dir(tmp_path, {"sample.v1.yaml": sample_text({15: None})})
    file = directory / "sample.v1.yaml"
    problems = check_forms(directory)
    assert len(problems) == 1
    # The item has no citation line: the problem points at the item's first line.
    assert_reported(problems, f"{file}:11: facility.poster: ", "citation", "missing")


def test_empty_citation(tmp_path):
    directory = make_dir(tmp_path, {"sample.v1.yaml": sample_text({15: '        citation: " "'})})
    file = directory / "sample.v1.yaml"
    assert_reported(check_forms(directory), f"{file}:15: facility.poster: ", "citation", "empty")


def test_duplicate_item_key(tmp_path):
    directory = make_dir(
        tmp_path, {"sample.v1.yaml": sample_text({18: "      - key: facility.poster"})}
    )
    file = directory / "sample.v1.yaml"
    problems = check_forms(directory)
    assert len(problems) == 1
    assert_reported(problems, f"{file}:18: facility.poster: ", "duplicate item key", "line 11")


def test_duplicate_section_key(tmp_path):
    extra = [
        "  - key: facility",
        "    title: Again",
        "    items:",
        "      - key: facility.other",
        "        prompt: Another question?",
        "        answer: yes_no",
        "        citation: 287(g) JEM MOA",
        "        topic: other",
        "        responsible: both",
    ]
    directory = make_dir(tmp_path, {"sample.v1.yaml": sample_text() + "\n".join(extra) + "\n"})
    file = directory / "sample.v1.yaml"
    problems = check_forms(directory)
    assert len(problems) == 2
    assert_reported(problems, f"{file}:27: facility: ", "duplicate section key", "line 8")
    assert_reported(problems, f"{file}:33: facility.other: ", "'287(g) JEM MOA'", "references")


def test_choice_without_choices(tmp_path):
    directory = make_dir(tmp_path, {"sample.v1.yaml": sample_text({21: None, 22: None})})
    file = directory / "sample.v1.yaml"
    problems = check_forms(directory)
    assert len(problems) == 1
    assert_reported(problems, f"{file}:18: facility.visits: ", "choices", "non-empty")


def test_fail_value_not_a_choice(tmp_path):
    directory = make_dir(
        tmp_path, {"sample.v1.yaml": sample_text({22: '        fail_values: ["rarely"]'})}
    )
    file = directory / "sample.v1.yaml"
    assert_reported(
        check_forms(directory), f"{file}:22: facility.visits: ", "fail_values", "'rarely'"
    )


def test_unquoted_no_in_fail_values_is_explained(tmp_path):
    directory = make_dir(tmp_path, {"sample.v1.yaml": sample_text({22: "        choices_x: 1"})})
    file = directory / "sample.v1.yaml"
    assert_reported(check_forms(directory), f"{file}:22: facility.visits: ", "choices_x", "unknown")
    directory2 = make_dir(
        tmp_path / "b",
        {"sample.v1.yaml": sample_text({21: "        choices: [yes, no]", 22: None})},
    )
    file2 = directory2 / "sample.v1.yaml"
    assert_reported(
        check_forms(directory2), f"{file2}:21: facility.visits: ", "choices[0]", "quote"
    )


def test_file_name_must_match_id(tmp_path):
    directory = make_dir(tmp_path, {"other.v1.yaml": sample_text()})
    file = directory / "other.v1.yaml"
    problems = check_forms(directory)
    assert len(problems) == 1
    assert_reported(problems, f"{file}:1: id: ", "'sample'", "'other'")


def test_file_name_must_match_version(tmp_path):
    directory = make_dir(tmp_path, {"sample.v2.yaml": sample_text()})
    file = directory / "sample.v2.yaml"
    problems = check_forms(directory)
    assert len(problems) == 1
    assert_reported(problems, f"{file}:2: version: ", "version 1", "expected version 2")


def test_file_name_pattern(tmp_path):
    directory = make_dir(tmp_path, {"sample.yaml": sample_text()})
    file = directory / "sample.yaml"
    assert_reported(check_forms(directory), f"{file}:1: (file): ", "{id}.v{version}.yaml")


def test_duplicate_id_and_version_across_files(tmp_path):
    directory = make_dir(tmp_path, {"sample.v1.yaml": sample_text(), "zzz.v1.yaml": sample_text()})
    file = directory / "zzz.v1.yaml"
    problems = check_forms(directory)
    assert_reported(problems, f"{file}:1: id: ", "does not match the file name")
    assert_reported(problems, f"{file}:1: id: ", "also defined in")


def test_schema_errors(tmp_path):
    text = sample_text(
        {
            2: 'version: "1"',
            4: "program: jem",
            13: "        answer: yes_or_no",
            17: "        on_failure: best_practice",
        }
    )
    text = text.replace("title: Sample checklist\n", "title: Sample checklist\ncolour: red\n")
    directory = make_dir(tmp_path, {"sample.v1.yaml": text})
    file = directory / "sample.v1.yaml"
    problems = check_forms(directory)
    assert_reported(problems, f"{file}:2: version: ", "whole number")
    assert_reported(problems, f"{file}:4: colour: ", "unknown field", "sections")
    assert_reported(problems, f"{file}:5: program: ", "'jem'", "'JEM'")
    assert_reported(problems, f"{file}:14: facility.poster: ", "answer", "'yes_or_no'")
    assert_reported(problems, f"{file}:18: facility.poster: ", "on_failure", "area_of_concern")
    assert len(problems) == 5


def test_missing_root_field_and_item_key(tmp_path):
    directory = make_dir(
        tmp_path, {"sample.v1.yaml": sample_text({3: None, 18: "      - prompt_x: 1"})}
    )
    file = directory / "sample.v1.yaml"
    problems = check_forms(directory)
    assert_reported(problems, f"{file}:1: title: ", "missing")
    # No key on the item: the key is the field path below the section.
    assert_reported(problems, f"{file}:17: facility: items[1].key: ", "missing")


def test_field_path_when_no_key(tmp_path):
    directory = make_dir(
        tmp_path, {"sample.v1.yaml": sample_text({8: "  - title_x: x", 9: "    title: Facility"})}
    )
    file = directory / "sample.v1.yaml"
    problems = check_forms(directory)
    assert_reported(problems, f"{file}:8: sections[0].key: ", "missing")
    assert_reported(problems, f"{file}:8: sections[0].title_x: ", "unknown field")


def test_all_problems_in_one_file_are_reported(tmp_path):
    text = sample_text(
        {
            16: "        topic: complaintz",
            21: None,
            22: None,
            23: None,
        }
    )
    directory = make_dir(tmp_path, {"sample.v1.yaml": text, "other.v1.yaml": text})
    file = directory / "sample.v1.yaml"
    other = directory / "other.v1.yaml"
    problems = check_forms(directory)
    assert_reported(problems, f"{file}:16: facility.poster: ", "topic")
    assert_reported(problems, f"{file}:18: facility.visits: ", "choices")
    assert_reported(problems, f"{file}:18: facility.visits: ", "citation")
    assert_reported(problems, f"{other}:1: id: ", "does not match the file name")
    assert_reported(problems, f"{other}:1: id: ", "also defined in")
    assert_reported(problems, f"{other}:16: facility.poster: ", "topic")
    assert_reported(problems, f"{other}:18: facility.visits: ", "choices")
    assert_reported(problems, f"{other}:18: facility.visits: ", "citation")
    assert len(problems) == 8
    assert problems == sorted(problems, key=lambda p: (p.file, p.line))


def test_yaml_duplicate_field_is_reported(tmp_path):
    directory = make_dir(
        tmp_path,
        {"sample.v1.yaml": sample_text({17: "        topic: other"})},
    )
    file = directory / "sample.v1.yaml"
    problems = check_forms(directory)
    assert_reported(problems, f"{file}:17: facility.poster: ", "topic", "line 16")


def test_empty_file_and_non_mapping(tmp_path):
    directory = make_dir(tmp_path, {"empty.v1.yaml": "", "listy.v1.yaml": "- 1\n- 2\n"})
    problems = check_forms(directory)
    assert_reported(problems, f"{directory / 'empty.v1.yaml'}:1: (form): ", "empty")
    assert_reported(problems, f"{directory / 'listy.v1.yaml'}:1: (form): ", "mapping")


def test_checklist_and_interview_fields(tmp_path):
    interview = sample_text({5: "kind: interview"})
    directory = make_dir(tmp_path, {"sample.v1.yaml": interview})
    file = directory / "sample.v1.yaml"
    problems = check_forms(directory)
    assert_reported(problems, f"{file}:6: review_kind: ", "interviewee_role")
    assert_reported(problems, f"{file}:1: interviewee_role: ", "needs")


def test_relative_paths_are_reported_as_given(tmp_path, monkeypatch):
    make_dir(tmp_path, {"sample.v1.yaml": sample_text({16: "        topic: nope"})})
    monkeypatch.chdir(tmp_path)
    problems = check_forms(Path("forms"))
    assert problem_lines(problems)[0].startswith(
        f"{Path('forms') / 'sample.v1.yaml'}:16: facility.poster: "
    )


def test_topics_file_problems(tmp_path):
    directory = make_dir(tmp_path, {"sample.v1.yaml": sample_text()}, topics=False)
    (directory / "topics.yaml").write_text(
        "topics:\n  - code: training\n    title: Training\n  - code: training\n    title: Again\n"
    )
    problems = check_forms(directory)
    assert_reported(problems, f"{directory / 'topics.yaml'}:4: training: ", "duplicate topic code")
    # With a broken topics file the forms are still checked, without topic checks.
    assert all(p.file == str(directory / "topics.yaml") for p in problems)


def test_missing_topics_file(tmp_path):
    directory = make_dir(tmp_path, {"sample.v1.yaml": sample_text()}, topics=False)
    assert_reported(check_forms(directory), f"{directory / 'topics.yaml'}:1: (file): ", "missing")
    with pytest.raises(FormError):
        load_topics(directory)


def test_load_form_raises_form_error_with_all_problems(tmp_path):
    directory = make_dir(
        tmp_path,
        {"sample.v1.yaml": sample_text({16: "        topic: nope", 23: None})},
    )
    with pytest.raises(FormError) as caught:
        load_form(directory / "sample.v1.yaml", load_topics(directory))
    assert len(caught.value.problems) == 2
    assert str(caught.value) == "\n".join(str(p) for p in caught.value.problems)
    with pytest.raises(FormError):
        FormRegistry.load(directory)


def test_form_problem_str():
    problem = FormProblem("forms/a.v1.yaml", 12, "facility.poster", "topic: unknown")
    assert str(problem) == "forms/a.v1.yaml:12: facility.poster: topic: unknown"


# ---------------------------------------------------------------------------
# Registry


def test_registry_versions(tmp_path):
    directory = make_dir(
        tmp_path,
        {
            "sample.v1.yaml": sample_text(),
            "sample.v2.yaml": sample_text({2: "version: 2", 3: "title: Sample checklist v2"}),
        },
    )
    registry = FormRegistry.load(directory)
    assert [f.ref for f in registry.all()] == ["sample.v1", "sample.v2"]
    assert registry.get("sample", 1).title == "Sample checklist"
    assert registry.latest("sample").version == 2
    assert registry.for_review_kind(ReviewKind.JEM_INSPECTION).ref == "sample.v2"
    assert registry.interview_forms(ProgramModel.JEM) == []
    with pytest.raises(FormVersionMissing, match=r"form sample v3, .*\(it has v1, v2\)"):
        registry.get("sample", 3)
    with pytest.raises(FormVersionMissing, match="review 1a2b uses form nope v1, .* no form"):
        registry.get("nope", 1, record="review 1a2b")
    with pytest.raises(KeyError, match="nope"):
        registry.latest("nope")


def test_two_checklist_ids_for_one_review_kind(tmp_path):
    second = sample_text({1: "id: sample_two"})
    directory = make_dir(tmp_path, {"sample.v1.yaml": sample_text(), "sample_two.v1.yaml": second})
    file = directory / "sample_two.v1.yaml"
    assert_reported(check_forms(directory), f"{file}:6: review_kind: ", "one checklist id")


# ---------------------------------------------------------------------------
# Answers


def make_item(answer: str, **fields) -> FormItem:
    return FormItem(
        key="s.item",
        prompt="Question?",
        answer=answer,
        citation="MOA",
        topic="other",
        responsible="lea",
        **fields,
    )


def test_yes_no_na_answers():
    item = make_item("yes_no_na")
    assert item.valid_values() == ["yes", "no", "na"]
    assert item.fail_values == ["no"]
    assert item.is_failure("no")
    assert not item.is_failure("yes")
    assert not item.is_failure("na")
    assert not item.is_failure(None)
    assert item.validate_value("na") is None
    message = item.validate_value("maybe")
    assert message is not None and "yes, no, na" in message


def test_yes_no_and_understanding_defaults():
    assert make_item("yes_no").valid_values() == ["yes", "no"]
    assert make_item("yes_no").validate_value("na") is not None
    item = make_item("understanding")
    assert item.valid_values() == ["understood", "partial", "not_understood"]
    assert item.fail_values == ["not_understood", "partial"]
    assert item.is_failure("partial") and item.is_failure("not_understood")
    assert not item.is_failure("understood")


def test_explicit_fail_values():
    item = make_item("yes_no", fail_values=[])
    assert not item.is_failure("no")
    item = make_item("choice", choices=["weekly", "never"], fail_values=["never"])
    assert item.valid_values() == ["weekly", "never"]
    assert item.is_failure("never") and not item.is_failure("weekly")
    assert item.validate_value("weekly") is None
    assert item.validate_value("daily") is not None


def test_number_answers():
    item = make_item("number")
    assert item.valid_values() is None
    assert item.fail_values == []
    for value in ("8", "1.5", "-2", "0"):
        assert item.validate_value(value) is None, value
    for value in ("", "abc", "8 hours", "nan", "inf", "1e3", "1_000"):
        assert item.validate_value(value) is not None, value
    assert not item.is_failure("0")


def test_date_answers():
    item = make_item("date")
    assert item.validate_value("2024-01-31") is None
    assert item.validate_value("2024-02-30") is not None
    assert item.validate_value("01/31/2024") is not None
    assert item.validate_value("2024-1-5") is not None


@pytest.mark.parametrize("answer", ["text", "officer", "photo"])
def test_free_answers(answer):
    item = make_item(answer)
    assert item.valid_values() is None
    assert item.validate_value("anything at all") is None
    assert not item.is_failure("anything at all")


def test_item_rules_without_a_file():
    with pytest.raises(ValidationError, match="non-empty 'choices'"):
        make_item("choice")
    with pytest.raises(ValidationError, match="only apply to items with answer 'choice'"):
        make_item("yes_no", choices=["a"])
    with pytest.raises(ValidationError, match="'maybe'"):
        make_item("yes_no", fail_values=["maybe"])
    with pytest.raises(ValidationError, match="fail_values only apply"):
        make_item("number", fail_values=["0"])
    with pytest.raises(ValidationError, match="area_of_concern"):
        make_item("yes_no", on_failure="best_practice")
    with pytest.raises(ValidationError, match="citation"):
        FormItem(key="s.a", prompt="Q?", answer="yes_no", topic="other", responsible="lea")


def test_form_definition_lookup_and_duplicates():
    section = {"key": "s", "title": "S", "items": [make_item("yes_no").model_dump()]}
    data = {
        "id": "f",
        "version": 3,
        "title": "F",
        "program": "WSO",
        "kind": "interview",
        "interviewee_role": "officer",
        "sections": [section],
    }
    form = FormDefinition.model_validate(data)
    assert form.ref == "f.v3"
    assert form.item("s.item").answer == AnswerType.YES_NO
    assert form.section_of("s.item").key == "s"
    with pytest.raises(KeyError, match="f.v3"):
        form.item("s.missing")
    with pytest.raises(KeyError):
        form.section_of("s.missing")
    with pytest.raises(ValidationError, match="duplicate item key"):
        FormDefinition.model_validate({**data, "sections": [section, {**section, "key": "t"}]})
    with pytest.raises(ValidationError, match="unknown topic"):
        FormDefinition.model_validate(data, context={"topics": {"training": "Training"}})
