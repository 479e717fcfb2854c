"""All reviews in one table: agency, kind, status, dates and D/A/B finding counts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from inspector_app.domain.enums import ReviewKind, ReviewStatus
from inspector_app.services.review_views import ReviewRow, review_rows
from inspector_app.store.database import Database

from .formatting import fmt_date
from .qt import QHBoxLayout, QPushButton, Qt
from .widgets import ALL, Column, ListPage

STATUS_COLOURS = {
    ReviewStatus.IN_PROGRESS.value: "#dbe8f6",
    ReviewStatus.REPORT_DRAFT.value: "#fcefc7",
}


def kind_label(kind: str) -> str:
    try:
        return ReviewKind(kind).label
    except ValueError:
        return kind


def status_label(status: str) -> str:
    try:
        return ReviewStatus(status).label
    except ValueError:
        return status


def _dates(row: ReviewRow) -> str:
    r = row.review
    start, end = r.start_date or r.planned_start, r.end_date or r.planned_end
    text = fmt_date(start)
    if end and end != start:
        text += f" – {fmt_date(end)}"
    if not text and r.due_date:
        text = f"due {fmt_date(r.due_date)}"
    return text


def _start(row: ReviewRow) -> date | None:
    r = row.review
    return r.start_date or r.planned_start or r.due_date


REVIEW_COLUMNS = [
    Column("Agency", lambda r: r.agency_name, width=260),
    Column("State", lambda r: r.agency_state, width=52),
    Column("Kind", lambda r: kind_label(r.review.kind), width=200),
    Column(
        "Status",
        lambda r: status_label(r.review.status),
        background=lambda r: STATUS_COLOURS.get(r.review.status),
        width=100,
    ),  # fmt: skip
    Column("Dates", _dates, sort=_start, width=210),
    Column("Lead", lambda r: r.review.lead_inspector, width=130),
    Column(
        "D",
        lambda r: r.deficiencies or "",
        sort=lambda r: r.deficiencies,
        numeric=True,
        tooltip=lambda r: f"{r.deficiencies} deficiencies",
        width=36,
    ),  # fmt: skip
    Column(
        "A",
        lambda r: r.areas_of_concern or "",
        sort=lambda r: r.areas_of_concern,
        numeric=True,
        tooltip=lambda r: f"{r.areas_of_concern} areas of concern",
        width=36,
    ),  # fmt: skip
    Column(
        "B",
        lambda r: r.best_practices or "",
        sort=lambda r: r.best_practices,
        numeric=True,
        tooltip=lambda r: f"{r.best_practices} best practices",
        width=36,
    ),  # fmt: skip
]


class ReviewsView(ListPage):
    """Every review; Enter or double-click opens its workspace."""

    search_placeholder = "Search agency, lead, kind"
    default_sort = (4, Qt.SortOrder.DescendingOrder)  # newest first

    def title(self) -> str:
        return "Reviews"

    def columns(self) -> list[Column]:
        return REVIEW_COLUMNS

    def load(self, db: Database, today: date) -> list[ReviewRow]:
        return review_rows(db)

    def row_id(self, row: Any) -> str:
        return row.review.id if row is not None else ""

    def haystack(self, row: ReviewRow) -> str:
        r = row.review
        return " ".join((row.agency_name, row.agency_state, kind_label(r.kind), r.lead_inspector,
                         status_label(r.status), " ".join(r.team or [])))  # fmt: skip

    def build_filters(self, bar: QHBoxLayout) -> None:
        self.kind_filter = self.add_combo(bar, "Kind", [ALL, *(k.label for k in ReviewKind)])
        self.status_filter = self.add_combo(bar, "Status", [ALL, *(s.label for s in ReviewStatus)])

    def build_actions(self, bar: QHBoxLayout) -> None:
        self.new_button = QPushButton("New review…", self)
        self.new_button.setToolTip("Schedule and start a review (Ctrl+N)")
        bar.addWidget(self.new_button)

    def row_filter(self) -> Callable[[ReviewRow], bool] | None:
        kind, status = self.kind_filter.currentText(), self.status_filter.currentText()
        if kind == ALL and status == ALL:
            return None
        return lambda row: (
            (kind == ALL or kind_label(row.review.kind) == kind)
            and (status == ALL or status_label(row.review.status) == status)
        )

    def open_row(self, row: ReviewRow) -> None:
        self.ctx.sig_open_review.emit(row.review.id)
