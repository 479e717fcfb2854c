"""Issue 13, forms that fit real inspections: conditional items (show_if) and repeated
sections (repeat), from the form checker to finalize, findings and the report."""

from __future__ import annotations

from datetime import date

import pytest

from inspector_app.domain.enums import ReportKind, ReviewKind
from inspector_app.domain.forms import FormDefinition, FormRegistry, check_forms, layout
from inspector_app.services import findings, lifecycle, report_service, reviews
from inspector_app.services.errors import Invalid
from inspector_app.store import queries
from tests.unit.test_forms import FORMS_DIR, assert_reported, make_dir, sample_text
from tests.unit.test_reports_support import flat

# -- the form checker ------------------------------------------------------------------

SHOWN_ITEM = [  # a third item of the sample form, shown only on some answers
    "      - key: facility.follow_up",  # 27
    "        prompt: Was the poster put up during the visit?",  # 28
    "        answer: yes_no",  # 29
    "        responsible: lea",  # 30
    "        citation: 287(g) JEM MOA, Complaint procedures (complaint poster)",  # 31
    "        topic: complaints",  # 32
]


def _with_show_if(tmp_path, show_if: str, at: int = 33):
    lines = sample_text().splitlines()
    extra = list(SHOWN_ITEM)
    extra.insert(at - 27, f"        show_if: {show_if}")
    text = "\n".join(lines + extra) + "\n"
    return check_forms(make_dir(tmp_path, {"sample.v1.yaml": text}))


def test_a_valid_show_if_passes_the_checker(tmp_path):
    assert _with_show_if(tmp_path, '{item: facility.poster, equals: "no"}') == []
    assert _with_show_if(tmp_path / "b", "{item: facility.visits, in: [monthly, never]}") == []


@pytest.mark.parametrize(
    ("show_if", "field", "fragments"),
    [
        ('{item: facility.nothing, equals: "no"}', "item", ("'facility.nothing' is not an item",)),
        ('{item: facility.follow_up, equals: "no"}', "item", ("itself",)),
        ('{item: facility.poster, equals: "maybe"}', "equals",
         ("'maybe' is not an answer of 'facility.poster'", "yes, no, na")),
        ("{item: facility.visits, in: [daily, never]}", "in",
         ("'daily' is not an answer of 'facility.visits'",)),
    ],
)  # fmt: skip
def test_bad_show_if_is_reported_at_its_line(tmp_path, show_if, field, fragments):
    problems = _with_show_if(tmp_path, show_if)
    found = assert_reported(problems, f"{tmp_path}/forms/sample.v1.yaml:33: facility.follow_up:",
                            f"show_if.{field}:", *fragments)  # fmt: skip
    assert str(found).startswith(f"{tmp_path}/forms/sample.v1.yaml:33: facility.follow_up: ")


def test_show_if_on_a_later_item_is_reported(tmp_path):
    text = sample_text({17: "        on_failure: deficiency\n        show_if: "
                            "{item: facility.visits, equals: never}"})  # fmt: skip
    problems = check_forms(make_dir(tmp_path, {"sample.v1.yaml": text}))
    assert_reported(problems, f"{tmp_path}/forms/sample.v1.yaml:18: facility.poster: show_if.item:",
                    "'facility.visits' comes after this item")  # fmt: skip


def test_show_if_needs_one_condition_and_an_item_with_fixed_answers(tmp_path):
    problems = _with_show_if(tmp_path, "{item: facility.poster}")
    assert_reported(problems, f"{tmp_path}/forms/sample.v1.yaml:33: facility.follow_up: show_if:",
                    "exactly one of 'equals")  # fmt: skip


def _repeat_form(tmp_path, repeat: str, first_key: str = "facility.poster"):
    text = sample_text({9: f"    title: Facility\n    repeat: {repeat}",
                        11: f"      - key: {first_key}"})  # fmt: skip
    return check_forms(make_dir(tmp_path, {"sample.v1.yaml": text}))


def test_bad_repeat_is_reported_at_its_line(tmp_path):
    problems = _repeat_form(tmp_path, "{label: Case file, key_field: reference}")
    assert_reported(problems, f"{tmp_path}/forms/sample.v1.yaml:10: facility: repeat.key_field:",
                    "'reference' is not an item of section 'facility'")  # fmt: skip
    problems = _repeat_form(tmp_path / "b", "{label: Case file, key_field: poster}")
    assert_reported(problems, f"{tmp_path}/b/forms/sample.v1.yaml:10: facility: repeat.key_field:",
                    "answered with 'yes_no_na'; expected an item answered with text")  # fmt: skip
    problems = _repeat_form(tmp_path / "c", "{label: Case file, key_field: visits, max: 3}")
    assert_reported(problems, f"{tmp_path}/c/forms/sample.v1.yaml:10: facility: repeat.max:",
                    "unknown field; expected one of: label, key_field, min")  # fmt: skip
    problems = _repeat_form(tmp_path / "d", "{label: Case file, key_field: facility.poster}",
                            first_key="poster")  # fmt: skip
    assert_reported(problems, f"{tmp_path}/d/forms/sample.v1.yaml:12: poster: key:",
                    "needs a key starting with 'facility.'")  # fmt: skip


# -- the shipped JEM checklist ---------------------------------------------------------


def test_new_jem_reviews_get_version_2_and_version_1_stays():
    registry = FormRegistry.load(FORMS_DIR)
    latest = registry.for_review_kind(ReviewKind.JEM_INSPECTION)
    assert latest.ref == "jem_inspection.v2"
    assert registry.get("jem_inspection", 1).ref == "jem_inspection.v1"
    assert latest.item("training.lapsed_not_performing").show_if is not None
    assert latest.item("interpreter.used_qualified").show_if is not None
    section = latest.section_of("case_documents[7].i213_complete")
    assert section.repeat is not None and section.repeat.label == "Case file"


# -- a JEM review on version 2 ---------------------------------------------------------


def _new_v2_review(db) -> str:
    with db.read() as s:
        alder = next(r.review for r in queries.list_reviews(s)
                     if r.agency_name.startswith("Alder"))  # fmt: skip
    review = reviews.schedule_review(db, agency_id=alder.agency_id, kind="jem_inspection",
                                     planned_start=date(2026, 10, 20))  # fmt: skip
    review = reviews.start_review(db, review.id)
    assert (review.form_id, review.form_version) == ("jem_inspection", 2)
    reviews.update_review(db, review.id, end_date=date(2026, 10, 21))
    return review.id


def _answer(db, review_id: str, key: str, value: str | None) -> None:
    reviews.record_answer(db, review_id=review_id, item_key=key, value=value)


def _answer_everything_shown(db, review_id: str, form: FormDefinition) -> None:
    """A valid answer for every shown item (the first of each item's answers)."""
    done: set[str] = set()
    while True:
        with db.read() as s:
            data = queries.load_review(s, review_id)
        values = {k: r.value for k, r in data.responses.items()}
        todo = [slot for slot in layout.slots(form, values)
                if slot.visible and slot.key not in done]  # fmt: skip
        if not todo:
            return
        for slot in todo:
            done.add(slot.key)
            if values.get(slot.key) is None:
                allowed = slot.item.valid_values()
                text = {"number": "3", "date": "2026-10-20"}.get(slot.item.answer, "A-1")
                _answer(db, review_id, slot.key, allowed[0] if allowed else text)


def test_a_hidden_item_is_not_required_at_finalize_and_does_not_print(demo_db):
    review_id = _new_v2_review(demo_db)
    form = reviews.form_for(queries_review(demo_db, review_id))
    _answer(demo_db, review_id, "case_documents[]", "1")
    _answer(demo_db, review_id, "training.any_lapsed", "yes")
    _answer(demo_db, review_id, "training.lapsed_not_performing", "no")  # shown now
    _answer(demo_db, review_id, "training.any_lapsed", "no")  # ... and hidden again
    _answer_everything_shown(demo_db, review_id, form)
    problems = lifecycle.check_finalizable(demo_db, review_id)
    assert problems == []  # lapsed_officer (required when shown) is hidden: not required
    text = flat(report_service.build_pdf(demo_db, ReportKind.INSPECTION, review_id)[0])
    assert "Did officers with lapsed training stop performing" not in text  # hidden: no print
    assert "Officer whose training has lapsed" not in text
    assert "Has the training of any designated officer lapsed" in text
    # kept in the database, ignored; shown again when the answer shows the item
    with demo_db.read() as s:
        kept = queries.load_review(s, review_id).responses["training.lapsed_not_performing"]
    assert kept.value == "no"
    _answer(demo_db, review_id, "training.any_lapsed", "yes")
    assert lifecycle.check_finalizable(demo_db, review_id) == [
        "training.lapsed_officer: Officer whose training has lapsed (pick one; add a note for "
        "others)"
    ]


def queries_review(db, review_id: str):
    with db.read() as s:
        return queries.load_review(s, review_id).review


def test_repeat_instances_save_answers_per_instance_and_each_is_required(demo_db):
    review_id = _new_v2_review(demo_db)
    form = reviews.form_for(queries_review(demo_db, review_id))
    _answer_everything_shown(demo_db, review_id, form)  # no case file yet
    assert "case_documents: add at least 1 case file(s) (Case-processing documents)" in (
        lifecycle.check_finalizable(demo_db, review_id)
    )
    _answer(demo_db, review_id, "case_documents[]", "1,2")
    _answer(demo_db, review_id, "case_documents[1].reference", "A-123")
    _answer(demo_db, review_id, "case_documents[2].reference", "B-456")
    _answer(demo_db, review_id, "case_documents[1].i213_complete", "yes")
    _answer(demo_db, review_id, "case_documents[2].i213_complete", "no")
    with demo_db.read() as s:
        responses = queries.load_review(s, review_id).responses
    assert responses["case_documents[1].i213_complete"].value == "yes"
    assert responses["case_documents[2].i213_complete"].value == "no"
    missing = lifecycle.check_finalizable(demo_db, review_id)
    assert (
        "case_documents[1].i200_signed: Case file A-123: Was the Form I-200 (Warrant for "
        "Arrest of Alien) signed by an authorized ICE official before it was served?" in missing
    )
    assert any(m.startswith("case_documents[2].i200_signed: Case file B-456: ") for m in missing)
    assert not any(m.startswith("case_documents[1].i213_complete") for m in missing)
    # an item of a repeated section is answered per instance, never on its own
    with pytest.raises(Invalid, match="repeated section"):
        _answer(demo_db, review_id, "case_documents.i213_complete", "yes")
    with pytest.raises(Invalid, match="instance"):
        _answer(demo_db, review_id, "case_documents[]", "1,1")
    _answer_everything_shown(demo_db, review_id, form)
    assert lifecycle.check_finalizable(demo_db, review_id) == []


def test_the_report_prints_a_repeat_as_a_table_with_a_row_per_instance(demo_db):
    review_id = _new_v2_review(demo_db)
    _answer(demo_db, review_id, "case_documents[]", "2,1")  # reordered: file 2 first
    _answer(demo_db, review_id, "case_documents[1].reference", "A-123")
    _answer(demo_db, review_id, "case_documents[2].reference", "B-456")
    _answer(demo_db, review_id, "case_documents[1].i213_complete", "no")
    _answer(demo_db, review_id, "case_documents[2].i200_signed", "na")
    text = flat(report_service.build_pdf(demo_db, ReportKind.INSPECTION, review_id)[0])
    section = text[text.index("Case-processing documents 2 case file(s), one row each") :]
    assert "No. Reference I-213 complete I-213 reviewed I-200 signed" in section
    assert section.index("1 B-456") < section.index("2 A-123")  # in the instances' order
    assert "2 A-123 No —" in section
    assert "1 B-456 — — N/A" in section


def test_a_finding_raised_from_an_instance_names_it(demo_db):
    review_id = _new_v2_review(demo_db)
    _answer(demo_db, review_id, "case_documents[]", "1,2")
    _answer(demo_db, review_id, "case_documents[2].reference", "A-123")
    _answer(demo_db, review_id, "case_documents[2].i213_complete", "no")
    draft = findings.draft_from_item(demo_db, review_id=review_id,
                                     item_key="case_documents[2].i213_complete")  # fmt: skip
    assert draft.description.startswith("Case file A-123: Is the Form I-213")
    assert draft.item_key == "case_documents[2].i213_complete"
    unnamed = findings.draft_from_item(demo_db, review_id=review_id,
                                       item_key="case_documents[1].i213_complete")  # fmt: skip
    assert unnamed.description.startswith("Case file 1: ")
    finding = findings.add_finding(
        demo_db, review_id=review_id, kind=draft.kind, topic=draft.topic,
        responsible=draft.responsible, citation=draft.citation,
        description=draft.description, item_key=draft.item_key,
    )  # fmt: skip
    text = flat(report_service.build_pdf(demo_db, ReportKind.INSPECTION, review_id)[0])
    assert f"F-{finding.number} · " in text and "Case file A-123: Is the Form I-213" in text
