"""One agency: its agreements, designated officers with training status, past reviews.

Everything here is small (one agency), so it loads on the GUI thread in a few
queries. Lapsed training is shown in the cell itself (with the reason), not only by
colour, so it reads the same in any theme and to a screen reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Any

from inspector_app.domain.calendar import biennial_due, due_state
from inspector_app.domain.enums import OfficerStatus, ProgramModel, ReviewKind
from inspector_app.domain.training import TrainingEvent, training_status
from inspector_app.services.lifecycle import OfficerTraining
from inspector_app.store.models import Agency, Agreement, FieldOffice, Review
from inspector_app.store.queries import ReviewRow, get_live, list_reviews, live, officers_of

from .agencies_view import DUE_COLOURS, DUE_LABELS, Column, RowsModel, fmt_date, today_of
from .qt import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QModelIndex,
    QPushButton,
    Qt,
    QTableView,
    QVBoxLayout,
    QWidget,
    Signal,
)
from .reviews_view import REVIEW_COLUMNS

LAPSED_COLOUR = "#f6d5d5"
INACTIVE_COLOUR = "#e4e4e4"


@dataclass(frozen=True)
class AgreementRow:
    id: str
    model: str
    moa_number: str
    signed_on: date
    status: str
    next_due: date | None
    due_state: str


@dataclass(frozen=True)
class OfficerRow:
    id: str
    name: str
    model: str
    credential: str
    status: str
    status_reason: str
    training: str  # "Current" or "Lapsed: reason; reason"
    compliant: bool
    last_training: date | None
    lapsed: bool = False  # active and not compliant: offered as a training finding
    reasons: tuple[str, ...] = ()  # why the training is not current

    @property
    def status_text(self) -> str:
        if self.status == OfficerStatus.ACTIVE.value:
            return "Active"
        return (
            f"{self.status.capitalize()}: {self.status_reason}"
            if self.status_reason
            else (self.status.capitalize())
        )

    @property
    def colour(self) -> str | None:
        if self.status != OfficerStatus.ACTIVE.value:
            return INACTIVE_COLOUR
        return None if self.compliant else LAPSED_COLOUR


@dataclass
class AgencyDetails:
    agency: Agency
    field_office: FieldOffice | None
    agreements: list[AgreementRow]
    officers: list[OfficerRow]
    reviews: list[ReviewRow]


def load_agency(db: Any, agency_id: str, today: date) -> AgencyDetails | None:
    with db.read() as s:
        agency = get_live(s, Agency, agency_id)
        if agency is None:
            return None
        office = get_live(s, FieldOffice, agency.field_office_id)
        agreements = live(s, Agreement, Agreement.agency_id == agency_id)
        officers = officers_of(s, agency_id)
        reviews = list_reviews(s, agency_id=agency_id)
    ends: dict[str, date] = {}
    for rr in reviews:
        r: Review = rr.review
        if r.kind != ReviewKind.FOCUS_REVIEW.value and r.end_date and r.agreement_id:
            ends[r.agreement_id] = max(r.end_date, ends.get(r.agreement_id, r.end_date))
    agreement_rows = []
    for g in sorted(agreements, key=lambda g: g.model):
        due = biennial_due(ends.get(g.id), g.signed_on) if g.status == "active" else None
        agreement_rows.append(AgreementRow(g.id, g.model, g.moa_number, g.signed_on, g.status, due,
                                           due_state(due, today) if due else ""))  # fmt: skip
    officer_rows = []
    for officer, records in officers:
        events = [TrainingEvent(t.kind, t.completed_on, t.hours) for t in records]
        status = training_status(ProgramModel(officer.model), events, today)
        t = OfficerTraining(officer, status)  # its `lapsed` is the rule inspections offer
        officer_rows.append(
            OfficerRow(
                id=officer.id,
                name=officer.name,
                model=officer.model,
                credential=officer.credential_number,
                status=officer.status,
                status_reason=officer.status_reason,
                training=t.status.summary,
                compliant=t.status.compliant,
                last_training=max((r.completed_on for r in records), default=None),
                lapsed=t.lapsed,
                reasons=tuple(t.status.reasons),
            )  # fmt: skip
        )
    return AgencyDetails(agency, office, agreement_rows, officer_rows, reviews)


AGREEMENT_COLUMNS = [
    Column("Model", lambda r: r.model, width=70),
    Column("MOA number", lambda r: r.moa_number, width=170),
    Column("Signed", lambda r: fmt_date(r.signed_on), width=100),
    Column("Status", lambda r: r.status.capitalize(), width=90),
    Column(
        "Next review due",
        lambda r: (
            f"{fmt_date(r.next_due)} ({DUE_LABELS[r.due_state]})"
            if r.next_due and DUE_LABELS.get(r.due_state)
            else fmt_date(r.next_due)
        ),
        background=lambda r: DUE_COLOURS.get(r.due_state),
    ),  # fmt: skip
]

OFFICER_COLUMNS = [
    Column("Officer", lambda r: r.name, width=200),
    Column("Model", lambda r: r.model, width=60),
    Column("Credential", lambda r: r.credential, width=100),
    Column(
        "Authority",
        lambda r: r.status_text,
        background=lambda r: r.colour,
        tooltip=lambda r: r.status_text,
        width=300,
    ),  # fmt: skip
    Column(
        "Training",
        lambda r: r.training,
        background=lambda r: r.colour,
        tooltip=lambda r: r.training,
    ),  # fmt: skip
]


def _table(parent: QWidget, model: RowsModel) -> QTableView:
    table = QTableView(parent)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(26)
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    for i, col in enumerate(model.columns):
        if col.width:
            table.setColumnWidth(i, col.width)
    return table


class AgencyPage(QWidget):
    """The page of one agency (`show_agency(id)`); reloads when its data changes."""

    sig_back = Signal()

    def __init__(self, ctx: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.agency_id: str | None = None
        self.details: AgencyDetails | None = None

        self.back_button = QPushButton("← All agencies", self)
        self.back_button.setObjectName("linkButton")
        self.back_button.clicked.connect(self.sig_back)
        self.title = QLabel(self)
        self.title.setObjectName("pageTitle")
        self.subtitle = QLabel(self)
        self.subtitle.setObjectName("pageSubtitle")
        self.subtitle.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.new_review_button = QPushButton("New review…", self)
        self.new_review_button.clicked.connect(self.new_review)

        self.agreements = RowsModel(AGREEMENT_COLUMNS, self)
        self.officers = RowsModel(OFFICER_COLUMNS, self)
        self.reviews = RowsModel(REVIEW_COLUMNS[2:], self)  # agency and state are this page
        self.agreements_table = _table(self, self.agreements)
        self.officers_table = _table(self, self.officers)
        self.reviews_table = _table(self, self.reviews)
        self.reviews_table.doubleClicked.connect(self._on_review_activated)
        self.reviews_table.activated.connect(self._on_review_activated)

        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addStretch(1)
        top.addWidget(self.new_review_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addLayout(top)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        self.officers_box = self._box("Designated officers", self.officers_table)
        # the lapsed officers in words above the table (the rows are also highlighted)
        self.lapsed_label = QLabel(self.officers_box)
        self.lapsed_label.setObjectName("lapsed_officers")
        self.lapsed_label.setWordWrap(True)
        self.lapsed_label.setTextFormat(Qt.TextFormat.RichText)
        self.lapsed_label.setStyleSheet(f"QLabel {{ background: {LAPSED_COLOUR}; padding: 4px; }}")
        self.lapsed_label.hide()
        self.officers_box.layout().insertWidget(0, self.lapsed_label)
        self.reviews_box = self._box("Reviews", self.reviews_table)
        self.agreements_box = self._box("Agreements", self.agreements_table)
        layout.addWidget(self.agreements_box, 2)
        layout.addWidget(self.officers_box, 5)
        layout.addWidget(self.reviews_box, 3)
        ctx.sig_changed.connect(self._on_changed)

    def _box(self, title: str, table: QTableView) -> QGroupBox:
        box = QGroupBox(title, self)
        inner = QVBoxLayout(box)
        inner.setContentsMargins(6, 6, 6, 6)
        inner.addWidget(table)
        return box

    def show_agency(self, agency_id: str) -> None:
        self.agency_id = agency_id
        self.reload()

    def reload(self) -> None:
        if not self.agency_id:
            return
        details = load_agency(self.ctx.db, self.agency_id, today_of(self.ctx))
        self.details = details
        if details is None:
            self.title.setText("This agency no longer exists")
            self.subtitle.clear()
            for model in (self.agreements, self.officers, self.reviews):
                model.set_rows([])
            self.lapsed_label.hide()
            return
        a = details.agency
        self.title.setText(a.name)
        parts = [f"{a.county} County, {a.state}" if a.county else a.state]
        if details.field_office:
            parts.append(f"{details.field_office.name} field office")
        if a.contact_name:
            parts.append(a.contact_name)
        if a.contact_email:
            parts.append(a.contact_email)
        self.subtitle.setText("  ·  ".join(parts))
        self.agreements.set_rows(details.agreements)
        self.officers.set_rows(details.officers)
        self.reviews.set_rows(details.reviews)
        lapsed = [o for o in details.officers if o.lapsed]
        self.officers_box.setTitle(
            f"Designated officers ({len(details.officers)}"
            + (f", {len(lapsed)} with lapsed training)" if lapsed else ")")
        )
        self.lapsed_label.setText(
            "<b>Training lapsed:</b> "
            + ", ".join(f"{escape(o.name)} ({escape('; '.join(o.reasons))})" for o in lapsed)
        )
        self.lapsed_label.setVisible(bool(lapsed))
        self.reviews_box.setTitle(f"Reviews ({len(details.reviews)})")

    def _on_changed(self, _change: Any) -> None:
        if self.isVisible() and self.agency_id:
            self.reload()

    def new_review(self) -> None:
        from .workspace import NewReviewDialog  # here: the workspace imports this module's peers

        dialog = NewReviewDialog(self.ctx, self, agency_id=self.agency_id)
        if dialog.exec() and getattr(dialog, "created_review_id", None):
            self.ctx.sig_open_review.emit(dialog.created_review_id)

    def _on_review_activated(self, index: QModelIndex) -> None:
        row = self.reviews.row_at(index)
        if row is not None:
            self.ctx.sig_open_review.emit(row.review.id)
