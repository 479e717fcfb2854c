"""Issue 12, the inspection report: findings in number order, choice labels, full-width
free-text answers, the WSO interviewer's notes, the footer layout and the signature and
approval block. Each test reads a report rendered from the demo data back with pypdf."""

from __future__ import annotations

import re

from inspector_app.domain.enums import ReportKind, ReviewKind
from inspector_app.services import report_service
from inspector_app.store.queries import list_reviews
from tests.unit.test_reports_support import flat, pages_text


def _review_id(db, kind: str, status: str) -> str:
    with db.read() as s:
        return next(r.review.id for r in list_reviews(s)
                    if r.review.kind == kind and r.review.status == status)  # fmt: skip


def _alder(db) -> str:  # the demo's JEM inspection with a draft report: F-1 to F-6
    return _review_id(db, ReviewKind.JEM_INSPECTION, "report_draft")


def _cedar(db) -> str:  # the demo's WSO review in progress, three officers interviewed
    return _review_id(db, ReviewKind.WSO_REVIEW, "in_progress")


def _pdf(db, review_id: str) -> bytes:
    return report_service.build_pdf(db, ReportKind.INSPECTION, review_id)[0]


def test_findings_are_listed_in_number_order_everywhere(demo_db):
    text = flat(_pdf(demo_db, _alder(demo_db)))
    glance = text[text.index("Findings at a glance") : text.index("Findings In number order")]
    assert re.findall(r"F-(\d+)", glance) == ["1", "2", "3", "4", "5", "6"]
    section = text[text.index("Findings In number order") : text.index("Appendix: checklist")]
    assert re.findall(r"F-(\d+) · ", section) == ["1", "2", "3", "4", "5", "6"]


def test_choice_answers_print_their_label_not_the_stored_code(demo_db):
    text = flat(_pdf(demo_db, _alder(demo_db)))
    assert "weekly_or_more" not in text
    assert "oversee 287(g) operations? Weekly or more" in text


def _lines(pdf: bytes) -> list[str]:
    return [line.strip() for page in pages_text(pdf) for line in page.splitlines()]


def test_free_text_answers_get_the_full_width_under_their_question(demo_db):
    lines = _lines(_pdf(demo_db, _alder(demo_db)))
    # was cut into five lines of the 0.9-inch answer column ("Reviewed on", "site;", ...)
    for prompt in ("Notes on the procedures observed",
                   "Errors found in the case files (file number and description)"):  # fmt: skip
        at = lines.index(prompt)
        assert lines[at + 1] == "Reviewed on site; consistent with the MOA."


def test_a_continued_row_spans_the_columns_and_keeps_its_stripe():
    from reportlab.platypus import Table

    from inspector_app.reports.base import LIGHT, data_table, inch

    rows = [["1", "Question one", "Yes", ""], ["2", "Question two", "", "note"],
            ["", "A long free-text answer " * 8], ["3", "Question three", "No", ""]]  # fmt: skip
    (table,) = data_table(["No.", "Question", "Answer", "Note"], rows,
                          [0.5 * inch, 3.5 * inch, 1 * inch, 1.5 * inch], continued=[2])  # fmt: skip
    assert isinstance(table, Table)
    assert ("SPAN", (1, 3), (-1, 3)) in table._spanCmds  # the answer under "Question two"
    shaded = [cmd[1][1] for cmd in table._bkgrndcmds if cmd[-1] == LIGHT]
    assert shaded == [2, 3]  # question two and its answer share a stripe


def test_wso_interviews_print_the_interviewers_notes_and_each_answers_note(demo_db):
    from inspector_app.services import interviews
    from inspector_app.store.queries import load_review

    review_id = _cedar(demo_db)
    with demo_db.read() as s:
        first = load_review(s, review_id).interviews[0]
    understood = next(k for k, a in first.answers.items() if a.value == "understood")
    interviews.record_interview_answer(demo_db, interview_id=first.interview.id,
                                       question_key=understood, value="understood",
                                       note="Knew the complaint line by heart.")  # fmt: skip
    text = flat(_pdf(demo_db, review_id))
    # the guide's notes item (notes.interviewer_notes), once per officer interviewed
    assert text.count("Interviewer's notes: Reviewed on site; consistent with the MOA.") == 3
    assert "Knew the complaint line by heart." in text  # a note on an answer without a gap
