"""Focus review report, WSO request form and closeout memo, read back from the PDF."""

from __future__ import annotations

from datetime import date

import pytest

from inspector_app.domain.enums import ReportKind, ReviewKind
from inspector_app.reports.request_form import DEFAULT_REQUEST_ITEMS
from inspector_app.services import corrective_actions as ca
from inspector_app.services import info_requests, report_service, reviews
from inspector_app.store.queries import list_reviews
from tests.unit.test_reports_support import (
    add_findings,
    agency_world,
    flat,
    make_final,
    pages_text,
    started_review,
)


def _inspection_with_findings(db):
    _, agency, _ = agency_world(db)
    review = started_review(db, agency.id)
    found = add_findings(db, review.id, {"deficiency": 2, "area_of_concern": 2, "best_practice": 1})
    return agency, review, found


def test_focus_review_report_gives_each_verdict_note_and_totals(db):
    agency, inspection, found = _inspection_with_findings(db)
    focus = reviews.schedule_review(db, agency_id=agency.id, kind=ReviewKind.FOCUS_REVIEW,
                                    parent_review_id=inspection.id, mode="desk_review",
                                    planned_start=date(2027, 3, 1))  # fmt: skip
    reviews.start_review(db, focus.id, on=date(2027, 3, 1))
    verdicts = ["resolved", "unresolved", "resolved"]  # the 4th is not judged yet
    for f, v in zip(found, verdicts, strict=False):
        reviews.record_answer(db, review_id=focus.id, item_key=f"finding:{f.id}", value=v,
                              note=f"Reviewer checked F-{f.number}: {v}.")  # fmt: skip
    rendered = report_service.render_report(db, ReportKind.FOCUS_REVIEW, focus.id)
    text = flat(rendered.pdf)
    assert rendered.filename.startswith("focus-review-alder-county-so-")
    assert "2 1 1 4 Resolved Unresolved Not yet judged Findings followed up" in text
    assert "Reviewer checked F-2: unresolved." in text
    assert "F-2 · Deficiency" in text and "— Unresolved" in text
    assert "F-4 · Area of concern" in text and "— Not yet judged" in text
    assert "F-5" not in text  # the best practice needs no follow-up
    assert "DRAFT" in pages_text(rendered.pdf)[0]


def test_focus_review_report_is_only_for_focus_reviews(db):
    _, inspection, _ = _inspection_with_findings(db)
    with pytest.raises(report_service.Conflict, match="for a focus review"):
        report_service.render_report(db, ReportKind.FOCUS_REVIEW, inspection.id)


def test_request_form_defaults_without_an_info_request(db):
    _, agency, _ = agency_world(db, model="WSO", name="Cedar County Sheriff's Office")
    review = reviews.schedule_review(db, agency_id=agency.id, kind=ReviewKind.WSO_REVIEW,
                                     lead_inspector="José Núñez", planned_start=date(2027, 2, 1),
                                     planned_end=date(2027, 2, 2))  # fmt: skip
    rendered = report_service.render_report(db, ReportKind.REQUEST_FORM, review.id)
    text = flat(rendered.pdf)
    assert "Marisol Peña <m.pena@example.gov>, 287(g) point of contact" in text
    assert "by 2027-01-11" in text  # three weeks before the planned start
    assert "2027-02-01 to 2027-02-02" in text
    assert DEFAULT_REQUEST_ITEMS[0][:40] in text
    assert f"{len(DEFAULT_REQUEST_ITEMS)} Name and contact details" in text
    assert "DRAFT" not in text and rendered.pages == 1


def test_request_form_uses_the_recorded_request(demo_db):
    with demo_db.read() as s:
        review = next(r.review for r in list_reviews(s) if r.review.kind == "wso_review"
                      and r.review.status == "planned")  # fmt: skip
    state = info_requests.request_of(demo_db, review.id)
    assert state is not None  # the demo sent this request
    text = flat(report_service.render_report(demo_db, ReportKind.REQUEST_FORM, review.id).pdf)
    assert f"by {state.request.due_on.isoformat()}" in text
    for item in state.items:
        assert item.description[:30] in text


def test_request_form_is_only_for_wso_reviews(db):
    _, inspection, _ = _inspection_with_findings(db)
    with pytest.raises(report_service.Conflict, match="WSO internal oversight review"):
        report_service.render_report(db, ReportKind.REQUEST_FORM, inspection.id)


def test_closeout_refused_while_findings_are_open_then_produced(db):
    _, inspection, found = _inspection_with_findings(db)
    make_final(db, inspection.id)
    first = ca.add_action(db, finding_id=found[0].id, action="Retrain both officers",
                          due_on=date(2026, 12, 1))  # fmt: skip
    with pytest.raises(report_service.CloseoutBlocked) as caught:
        report_service.render_report(db, ReportKind.CLOSEOUT, inspection.id)
    blockers = caught.value.blockers
    assert (
        len(blockers) == 4
    )  # F-1 action not done, F-2..F-4 no action; the best practice needs none
    assert blockers[0].startswith("F-1") and "not done" in blockers[0]
    assert any(b.startswith("F-3") and "no corrective action" in b for b in blockers)

    ca.complete_action(db, first.id, completed_on=date(2026, 11, 20), evidence="Training roster")
    for f in found[1:4]:
        a = ca.add_action(db, finding_id=f.id, action=f"Fix F-{f.number}", owner="ice",
                          due_on=date(2026, 11, 1))  # fmt: skip
        ca.complete_action(db, a.id, completed_on=date(2026, 11, 15), evidence=f"Memo {f.number}")
    rendered = report_service.render_report(db, ReportKind.CLOSEOUT, inspection.id)
    text = flat(rendered.pdf)
    assert "4 4 1 3 Findings closed Corrective actions Done on time Done late" in text
    assert "Retrain both officers" in text and "Training roster" in text and "Memo 4" in text
    assert "2026-11-15 (late)" in text
    assert "DRAFT" not in text
    assert rendered.filename.startswith("closeout-alder-county-so-")


@pytest.mark.slow
def test_focus_review_and_closeout_lay_out_20000_characters_without_a_space(db):
    _, agency, _ = agency_world(db)
    inspection = started_review(db, agency.id)
    word = "x" * 19_990 + "-WORD-END"
    (finding,) = add_findings(db, inspection.id, {"deficiency": 1}, description=word)
    focus = reviews.schedule_review(db, agency_id=agency.id, kind=ReviewKind.FOCUS_REVIEW,
                                    parent_review_id=inspection.id, mode="desk_review",
                                    planned_start=date(2027, 3, 1))  # fmt: skip
    reviews.start_review(db, focus.id, on=date(2027, 3, 1))
    reviews.record_answer(db, review_id=focus.id, item_key=f"finding:{finding.id}",
                          value="resolved", note=word)  # fmt: skip
    text = flat(report_service.render_report(db, ReportKind.FOCUS_REVIEW, focus.id).pdf)
    assert text.replace(" ", "").count("-WORD-END") == 2  # the finding and the reviewer's note
    make_final(db, inspection.id)
    action = ca.add_action(db, finding_id=finding.id, action=word, due_on=date(2026, 12, 1))
    ca.complete_action(db, action.id, completed_on=date(2026, 11, 20), evidence=word)
    text = flat(report_service.render_report(db, ReportKind.CLOSEOUT, inspection.id).pdf)
    assert text.replace(" ", "").count("-WORD-END") == 3  # finding, action, evidence
