"""Issue 12, the inspection report: findings in number order, choice labels, full-width
free-text answers, the WSO interviewer's notes, the footer layout and the signature and
approval block. Each test reads a report rendered from the demo data back with pypdf."""

from __future__ import annotations

import re

from inspector_app.domain.enums import ReportKind, ReviewKind
from inspector_app.services import report_service
from inspector_app.store.queries import list_reviews
from tests.unit.test_reports_support import flat


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
