"""The agencies list: one table model over plain rows, filtered by a proxy.

Rows are computed off the GUI thread (`services.agency_list.load_agency_rows`, SQL
without the ORM: this is the first view at start-up) so the list stays responsive with
a thousand agencies.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from inspector_app.domain.calendar import DueState
from inspector_app.services.agency_list import AgencyRow, load_agency_rows
from inspector_app.store.database import Database

from .formatting import DUE_COLOURS, DUE_LABELS, fmt_date
from .qt import QHBoxLayout, QPushButton
from .widgets import ALL, Column, ListPage

__all__ = ["AgenciesView", "AgencyRow", "load_agency_rows"]


def due_text(row: AgencyRow) -> str:
    if row.next_due is None:
        return ""
    label = DUE_LABELS.get(row.due_state, "")
    text = f"{row.next_due.isoformat()} {row.due_program}"
    return f"{text} ({label})" if label else text


AGENCY_COLUMNS = [
    Column("Agency", lambda r: r.name, width=280),
    Column("State", lambda r: r.state, width=52),
    Column("Field office", lambda r: r.field_office, width=100),
    Column("Programs", lambda r: " / ".join(r.programs), width=90),
    Column("Officers", lambda r: r.officers, numeric=True, width=70),
    Column(
        "Last review",
        lambda r: fmt_date(r.last_review),
        sort=lambda r: r.last_review,
        tooltip=lambda r: r.last_review_kind,
        width=100,
    ),  # fmt: skip
    Column(
        "Next due",
        due_text,
        sort=lambda r: r.next_due,
        background=lambda r: DUE_COLOURS.get(r.due_state),
        tooltip=lambda r: (
            f"Next {r.due_program} review due {fmt_date(r.next_due)}"
            if r.next_due
            else "No active agreement"
        ),
        width=190,
    ),  # fmt: skip
    Column(
        "Open findings",
        lambda r: r.open_findings or "",
        sort=lambda r: r.open_findings,
        numeric=True,
    ),  # fmt: skip
]

DUE_FILTERS = {
    "Any due date": lambda r: True,
    "Overdue or due soon": lambda r: r.due_state in (DueState.OVERDUE, DueState.DUE_SOON),
    "Overdue": lambda r: r.due_state == DueState.OVERDUE,
    "Not due yet": lambda r: r.due_state == DueState.OK,
}


class AgenciesView(ListPage):
    """All agencies; double-click (or Enter) opens the agency page."""

    search_placeholder = "Search agencies, counties, field offices"

    def title(self) -> str:
        return "Agencies"

    def columns(self) -> list[Column]:
        return AGENCY_COLUMNS

    def load(self, db: Database, today: date) -> list[AgencyRow]:
        return load_agency_rows(db, today)

    def haystack(self, row: AgencyRow) -> str:
        return " ".join((row.name, row.state, row.county, row.field_office, *row.programs))

    def build_filters(self, bar: QHBoxLayout) -> None:
        self.model_filter = self.add_combo(bar, "Model", [ALL, "JEM", "WSO"])
        self.state_filter = self.add_combo(bar, "State", [ALL])
        self.office_filter = self.add_combo(bar, "Field office", [ALL])
        self.due_filter = self.add_combo(bar, "Due", list(DUE_FILTERS))

    def rows_loaded(self, rows: list[AgencyRow]) -> None:
        self.fill_combo(self.state_filter, sorted({r.state for r in rows if r.state}))
        self.fill_combo(
            self.office_filter, sorted({r.field_office for r in rows if r.field_office})
        )

    def row_filter(self) -> Callable[[AgencyRow], bool] | None:
        model, state = self.model_filter.currentText(), self.state_filter.currentText()
        office, due = self.office_filter.currentText(), DUE_FILTERS[self.due_filter.currentText()]
        if (model, state, office) == (ALL, ALL, ALL) and self.due_filter.currentIndex() == 0:
            return None
        return lambda row: (
            (model == ALL or model in row.programs)
            and (state == ALL or row.state == state)
            and (office == ALL or row.field_office == office)
            and due(row)
        )

    def build_actions(self, bar: QHBoxLayout) -> None:
        """New field office and New agency (issue 13: an empty database is no dead end)."""
        for kind, text in (("field_office", "New field office…"), ("agency", "New agency…")):
            button = QPushButton(text, self)
            button.setObjectName(f"new_{kind}")
            button.clicked.connect(lambda _=False, k=kind: self.new_record(k))
            bar.addWidget(button)

    def new_record(self, kind: str) -> object:
        from .record_dialogs import new_record_dialog

        row = new_record_dialog(self.ctx, self, kind)
        if row is not None and kind == "agency":
            self.ctx.sig_open_agency.emit(row.id)
        return row

    def open_row(self, row: AgencyRow) -> None:
        self.ctx.sig_open_agency.emit(row.id)
