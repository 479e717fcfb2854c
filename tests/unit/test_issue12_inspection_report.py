"""Issue 12, the inspection report: findings in number order, choice labels, full-width
free-text answers, the WSO interviewer's notes, the footer layout and the signature and
approval block. Each test reads a report rendered from the demo data back with pypdf."""

from __future__ import annotations

import re

from inspector_app.domain.enums import ReportKind, ReviewKind
from inspector_app.services import report_service
from inspector_app.store.queries import list_reviews, load_review
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


LONG_NAME = ("The Consolidated Metropolitan Government of the City and County of Alder "
             "Sheriff's Office Detention and Corrections Bureau")  # fmt: skip


def _footer_runs(pdf: bytes) -> list[list[tuple[float, str]]]:
    """Each page's footer line as (x, text) runs, read back with pypdf (y = 0.5 inch)."""
    import io

    from pypdf import PdfReader

    pages = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        runs: list[tuple[float, str]] = []

        def visit(text, cm, tm, _font, _size, runs=runs):  # noqa: ANN001, ANN202
            x, y = tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]
            if abs(y - 36) < 0.5 and text.strip():
                runs.append((x, text.strip()))

        page.extract_text(visitor_text=visit)
        pages.append(runs)
    return pages


def test_footer_parts_never_overlap_with_a_long_agency_name(demo_db):
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from inspector_app.reports.base import FONT, FOOTER_SIZE
    from inspector_app.services import agencies
    from inspector_app.store.queries import load_review

    review_id = _alder(demo_db)
    with demo_db.read() as s:
        agency_id = load_review(s, review_id).agency.id
    assert len(LONG_NAME) >= 120
    agencies.update_agency(demo_db, agency_id, name=LONG_NAME)
    pages = _footer_runs(_pdf(demo_db, review_id))
    assert pages and all(len(runs) == 3 for runs in pages)
    for runs in pages:
        spans = sorted((x, x + stringWidth(t, FONT, FOOTER_SIZE), t) for x, t in runs)
        assert spans[0][2].startswith("JEM inspection report · The Consolidated")
        assert spans[0][2].endswith("…") and spans[1][2] == "DRAFT – not final"
        assert spans[2][2].startswith("Page ")
        for (_, end, _), (start, _, _) in zip(spans, spans[1:], strict=False):
            assert end < start  # no two parts of the footer touch


def test_footer_layout_cuts_the_title_before_the_status_and_the_page_number():
    from inspector_app.reports.base import footer_layout, inch, register_fonts

    register_fonts()
    left, right = 0.75 * inch, 7.75 * inch
    title = "JEM inspection report · " + LONG_NAME
    draft = footer_layout(title, "DRAFT – not final", "Page 12 of 140", left=left, right=right)
    assert [p.text for p in draft][1:] == ["DRAFT – not final", "Page 12 of 140"]
    assert draft[0].text.endswith("…") and draft[0].x0 == left and draft[-1].x1 == right
    assert all(a.x1 < b.x0 for a, b in zip(draft, draft[1:], strict=False))
    final = footer_layout(title, "", "Page 1 of 2", left=left, right=right)
    assert len(final) == 2 and final[0].x1 < final[1].x0
    assert len(final[0].text) > len(draft[0].text)  # no status: the title takes its room
    short = footer_layout("Report · Alder", "DRAFT – not final", "Page 1 of 2", left=left,
                          right=right)  # fmt: skip
    assert short[0].text == "Report · Alder"  # a title that fits is never cut


LINE = "_" * 18  # a blank signature or date line


def test_draft_signature_block_names_the_team_and_leaves_the_dates_blank(demo_db):
    text = flat(_pdf(demo_db, _alder(demo_db)))
    block = text[text.index("Signatures and approval") : text.index("Appendix: checklist")]
    assert f"Lead inspector Dana Whitfield {LINE} {LINE}" in block
    assert f"Inspector Inés Carvalho {LINE} {LINE}" in block
    assert f"Supervisor {LINE} {LINE} {LINE}" in block
    assert not re.search(r"\d{4}-\d{2}-\d{2}", block)  # no date on a draft


def test_approval_prints_the_supervisor_and_the_approval_date(demo_db_path):
    from datetime import UTC, datetime

    from inspector_app.services import approval
    from inspector_app.store.database import open_database
    from tests.signing.certs import PASSPHRASE, make_ca

    db = open_database(demo_db_path, user="Sam Reyes", daily_backup=False)
    try:
        review_id = _review_id(db, ReviewKind.JEM_INSPECTION, "final")
        with db.read() as s:
            finalized = load_review(s, review_id).review.finalized_at.date().isoformat()
        before = flat(_pdf(db, review_id))
        assert f"Lead inspector Dana Whitfield {LINE} {finalized}" in before  # final: dated
        assert f"Supervisor {LINE} {LINE} {LINE}" in before
        approval.approve_review(db, review_id, p12=make_ca().issue("Sam Reyes"),
                                p12_passphrase=PASSPHRASE,
                                now=datetime.now(UTC))  # fmt: skip
        today = approval.approval_of(db, review_id).approved_at.date().isoformat()
        first = _pdf(db, review_id)
        assert f"Supervisor Sam Reyes Approved (signed report) {today}" in flat(first)
        assert _pdf(db, review_id) == first  # the same data still gives the same bytes
    finally:
        db.close()
