"""Every finding across reviews: filter by kind, topic and status, search, open at it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from inspector_app.domain.enums import FindingKind, FindingStatus, ResponsibleParty
from inspector_app.services import forms
from inspector_app.services.review_views import review_findings_all
from inspector_app.store.database import Database

from .errors import KNOWN_ERRORS
from .qt import QHBoxLayout
from .reviews_view import kind_label
from .widgets import ALL, Column, ListPage

KIND_COLOURS = {
    FindingKind.DEFICIENCY.value: "#f6d5d5",
    FindingKind.AREA_OF_CONCERN.value: "#fcefc7",
    FindingKind.BEST_PRACTICE.value: "#d9eedb",
}


_SHORT_KIND = {"jem_inspection": "JEM inspection", "wso_review": "WSO review",
               "focus_review": "Focus review"}  # fmt: skip


@dataclass(frozen=True)
class FindingRow:
    id: str
    review_id: str
    review: str  # "JEM inspection 2026-09-25"
    agency: str
    number: int
    kind: str
    topic: str
    topic_title: str
    responsible: str
    status: str
    disputed: bool
    description: str

    @property
    def kind_label(self) -> str:
        try:
            return FindingKind(self.kind).label
        except ValueError:
            return self.kind or "(kind not set)"


def _topic_titles() -> dict[str, str]:
    try:
        return forms.topics()
    except KNOWN_ERRORS:  # a broken forms folder must not hide the findings
        return {}


def load_finding_rows(db: Database) -> list[FindingRow]:
    titles = _topic_titles()
    rows = []
    for rf in review_findings_all(db):
        f, rr = rf.finding, rf.review
        when = rr.review.start_date or rr.review.planned_start
        rows.append(
            FindingRow(
                id=f.id,
                review_id=f.review_id,
                review=f"{_SHORT_KIND.get(rr.review.kind, kind_label(rr.review.kind))} "
                f"{when.isoformat() if when else ''}".strip(),
                agency=rr.agency_name,
                number=f.number,
                kind=f.kind or "",
                topic=f.topic or "",
                topic_title=titles.get(f.topic or "", f.topic or ""),
                responsible=ResponsibleParty(f.responsible).label
                if f.responsible in ResponsibleParty._value2member_map_
                else f.responsible,
                status=f.status,
                disputed=f.disputed,
                description=f.description,
            )  # fmt: skip
        )
    rows.sort(key=lambda r: (r.agency.casefold(), r.review, r.number))
    return rows


FINDING_COLUMNS = [
    Column("Review", lambda r: r.review, width=170),
    Column("Agency", lambda r: r.agency, width=200),
    Column("No.", lambda r: f"F-{r.number}", sort=lambda r: r.number, numeric=True, width=48),
    Column(
        "Kind", lambda r: r.kind_label, background=lambda r: KIND_COLOURS.get(r.kind), width=120
    ),  # fmt: skip
    Column("Topic", lambda r: r.topic_title, tooltip=lambda r: r.description, width=220),
    Column("Responsible", lambda r: r.responsible, width=100),
    Column("Status", lambda r: r.status.capitalize(), width=80),
    Column("Disputed", lambda r: "Disputed" if r.disputed else ""),
]


class FindingsView(ListPage):
    """All findings; double-click opens the review at that finding."""

    search_placeholder = "Search descriptions, agencies, topics"

    def title(self) -> str:
        return "Findings"

    def columns(self) -> list[Column]:
        return FINDING_COLUMNS

    def load(self, db: Database, today: date) -> list[FindingRow]:
        return load_finding_rows(db)

    def haystack(self, row: FindingRow) -> str:
        return " ".join((row.agency, row.review, row.topic_title, row.description, row.kind_label))

    def build_filters(self, bar: QHBoxLayout) -> None:
        self.kind_filter = self.add_combo(bar, "Kind", [ALL, *(k.label for k in FindingKind)])
        self.topic_filter = self.add_combo(bar, "Topic", [ALL])
        self.status_filter = self.add_combo(
            bar, "Status", [ALL, *(s.value.capitalize() for s in FindingStatus), "Disputed"]
        )

    def rows_loaded(self, rows: list[FindingRow]) -> None:
        self.fill_combo(self.topic_filter, sorted({r.topic_title for r in rows if r.topic_title}))

    def row_filter(self) -> Callable[[FindingRow], bool] | None:
        kind, topic = self.kind_filter.currentText(), self.topic_filter.currentText()
        status = self.status_filter.currentText()
        if kind == ALL and topic == ALL and status == ALL:
            return None
        return lambda row: (
            (kind == ALL or row.kind_label == kind)
            and (topic == ALL or row.topic_title == topic)
            and (status == ALL or (row.disputed if status == "Disputed"
                                   else row.status.capitalize() == status))
        )  # fmt: skip

    def open_row(self, row: Any) -> None:
        # The main window opens the review and, if the workspace can, shows the finding.
        self.ctx.sig_open_review.emit(row.review_id)
