"""Scheduling a review (and, by default, starting it at once).

When the agency already has a review of the chosen kind planned, the dialog offers it
("Start the planned review of 2027-01-16", preselected) instead of planning a second
one: following the README must not leave a duplicate review behind. A review of that
kind already begun and not final is offered first ("Open the review in progress
(started 2027-01-16)"): OK opens it in the workspace.
"""

from __future__ import annotations

from datetime import date, timedelta

from inspector_app.domain.enums import AgreementStatus, ProgramModel, ReviewKind, ReviewMode
from inspector_app.services import reviews
from inspector_app.services.errors import Invalid, ServiceError
from inspector_app.services.review_views import agencies_and_agreements
from inspector_app.services.schedule import (
    PlannedReview,
    ReviewInProgress,
    planned_reviews,
    reviews_in_progress,
)

from ..formatting import today_of
from ..qt import (
    QCheckBox,
    QComboBox,
    QDate,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    Qt,
    QVBoxLayout,
    QWidget,
)

_KIND_OF_MODEL = {
    ProgramModel.JEM: ReviewKind.JEM_INSPECTION,
    ProgramModel.WSO: ReviewKind.WSO_REVIEW,
}


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _pydate(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


def _day(d: date | None) -> str:
    return d.isoformat() if d else "no date"


class NewReviewDialog(QDialog):
    def __init__(self, ctx, parent: QWidget | None = None, agency_id: str | None = None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.ctx = ctx
        self.created_review_id: str | None = None
        self.setWindowTitle("New review")
        self.setMinimumWidth(520)
        agencies, agreements = agencies_and_agreements(ctx.db)
        self._models: dict[str, list[str]] = {}
        for a in agreements:
            if a.status != AgreementStatus.TERMINATED:
                self._models.setdefault(a.agency_id, []).append(a.model)

        self.agency = QComboBox(self)
        self.agency.setObjectName("agency")
        self.agency.setEditable(True)  # type part of a name: the completer finds it
        self.agency.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        completer = self.agency.completer()
        assert completer is not None, "an editable combo box has a completer"
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        for agency in agencies:
            self.agency.addItem(f"{agency.name} ({agency.state})", agency.id)
        self.kind = QComboBox(self)
        self.kind.setObjectName("kind")
        self.mode = QComboBox(self)
        self.mode.setObjectName("mode")
        for m in ReviewMode:
            self.mode.addItem(m.label, m.value)
        today = date.today()
        self.planned_start = QDateEdit(_qdate(today), self)
        self.planned_end = QDateEdit(_qdate(today + timedelta(days=2)), self)
        for edit in (self.planned_start, self.planned_end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.lead = QLineEdit(ctx.db.user, self)
        self.lead.setObjectName("lead_inspector")
        self.team = QLineEdit(self)
        self.team.setObjectName("team")
        self.team.setPlaceholderText("Names separated by commas")
        self.start_now = QCheckBox(
            "Start the review now (pin the checklist, begin answering)", self
        )
        self.start_now.setObjectName("start_now")
        self.start_now.setChecked(True)
        # The agency's planned review of the chosen kind, offered instead of a new one.
        self._planned: list[PlannedReview] = []
        self.planned: PlannedReview | None = None
        # ... and before it, the one begun and not final (opened, not started again).
        self._in_progress: list[ReviewInProgress] = []
        self.in_progress: ReviewInProgress | None = None
        self.use_planned = QRadioButton(self)
        self.use_planned.setObjectName("use_planned")
        self.plan_new = QRadioButton("Plan another review of this kind", self)
        self.plan_new.setObjectName("plan_new")
        self.use_planned.toggled.connect(self._on_choice)

        self.errors: dict[str, QLabel] = {}
        form = QFormLayout()
        for field, label, widget in (
            ("agency_id", "Agency", self.agency), ("kind", "Review", self.kind),
            ("mode", "Mode", self.mode), ("planned_start", "Planned start", self.planned_start),
            ("planned_end", "Planned end", self.planned_end),
            ("lead_inspector", "Lead inspector", self.lead), ("team", "Team", self.team),
        ):  # fmt: skip
            form.addRow(label, widget)
            error = QLabel(self)
            error.setObjectName(f"{field}_error")
            error.setStyleSheet("color: #b3261e;")
            error.setWordWrap(True)
            error.hide()
            form.addRow("", error)
            self.errors[field] = error
        self.general_error = QLabel(self)
        self.general_error.setStyleSheet("color: #b3261e;")
        self.general_error.setWordWrap(True)
        self.general_error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        form.insertRow(4, "", self.use_planned)  # below the review kind and its error
        form.insertRow(5, "", self.plan_new)
        layout.addLayout(form)
        layout.addWidget(self.start_now)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)

        self.agency.currentIndexChanged.connect(self._on_agency)
        self.kind.currentIndexChanged.connect(self._on_kind)
        if agency_id is not None:
            self.agency.setCurrentIndex(max(0, self.agency.findData(agency_id)))
        self._on_agency()

    def _on_agency(self) -> None:
        """Offer only the review kinds the agency holds an agreement for."""
        agency_id = self.agency.currentData()
        self._planned = planned_reviews(self.ctx.db, agency_id) if agency_id else []
        self._in_progress = reviews_in_progress(self.ctx.db, agency_id) if agency_id else []
        self.kind.clear()
        for model in sorted(set(self._models.get(self.agency.currentData(), []))):
            kind = _KIND_OF_MODEL.get(ProgramModel(model))
            if kind is not None:
                self.kind.addItem(kind.label, kind.value)
        self._clear_errors()
        if self.agency.currentData() and self.kind.count() == 0:
            self._show_error("kind", "this agency has no active 287(g) agreement to review")

    def _on_kind(self) -> None:
        """Offer the review of this kind in progress or else the planned one, if there is
        one (preselected)."""
        kind = self.kind.currentData()
        self.in_progress = next((r for r in self._in_progress if r.kind == kind), None)
        planned = next((p for p in self._planned if p.kind == kind), None)
        self.planned = planned if self.in_progress is None else None
        offered = self.planned is not None or self.in_progress is not None
        self.use_planned.setVisible(offered)
        self.plan_new.setVisible(offered)
        if self.in_progress is not None:
            started = _day(self.in_progress.start_date)
            self.use_planned.setText(f"Open the review in progress (started {started})")
            self.use_planned.setChecked(True)
        elif self.planned is not None:
            self.use_planned.setText(
                f"Start the planned review of {_day(self.planned.planned_start)}"
            )
            self.use_planned.setChecked(True)
            if self.planned.planned_start:
                self.planned_start.setDate(_qdate(self.planned.planned_start))
            if self.planned.planned_end:
                self.planned_end.setDate(_qdate(self.planned.planned_end))
            self.mode.setCurrentIndex(max(0, self.mode.findData(self.planned.mode)))
        self._on_choice()

    def _on_choice(self) -> None:
        """The planned review keeps its own details: they are edited in its workspace."""
        offered = self.planned is not None or self.in_progress is not None
        editable = not offered or not self.use_planned.isChecked()
        for widget in (self.mode, self.planned_start, self.planned_end, self.lead, self.team):
            widget.setEnabled(editable)
        # Nothing is started when the review in progress is opened.
        self.start_now.setEnabled(editable or self.in_progress is None)

    @property
    def opens_in_progress(self) -> bool:
        return self.in_progress is not None and self.use_planned.isChecked()

    @property
    def starts_planned(self) -> bool:
        return self.planned is not None and self.use_planned.isChecked()

    def _clear_errors(self) -> None:
        for label in (*self.errors.values(), self.general_error):
            label.hide()

    def _show_error(self, field: str, message: str) -> None:
        label = self.errors.get(field)
        if label is None:
            label = self.general_error
            message = f"{field}: {message}"
        label.setText(message)
        label.show()

    def submit(self) -> bool:
        self._clear_errors()
        agency_id = self.agency.currentData()
        if not agency_id or self.agency.currentText() != self.agency.itemText(
            self.agency.currentIndex()
        ):
            self._show_error("agency_id", "choose an agency from the list")
            return False
        if not self.kind.currentData():
            self._show_error("kind", "this agency has no active 287(g) agreement to review")
            return False
        if self.starts_planned or self.opens_in_progress:
            return self._open_planned()
        try:
            review = reviews.schedule_review(
                self.ctx.db, agency_id=agency_id, kind=self.kind.currentData(),
                mode=self.mode.currentData(), planned_start=_pydate(self.planned_start.date()),
                planned_end=_pydate(self.planned_end.date()), lead_inspector=self.lead.text(),
                team=[t for t in self.team.text().split(",") if t.strip()],
            )  # fmt: skip
        except Invalid as exc:
            self._show_error("agency_id" if exc.field == "agency" else exc.field, exc.message)
            return False
        except ServiceError as exc:
            self._show_error("review", str(exc))
            return False
        self.created_review_id = review.id
        if self.start_now.isChecked():
            try:
                reviews.start_review(self.ctx.db, review.id)
            except ServiceError as exc:  # scheduled all the same: say so, open it planned
                self.ctx.sig_status.emit(f"Scheduled, but not started: {exc}")
        self.accept()
        return True

    def _open_planned(self) -> bool:
        """Open the review in progress, or start (with Start now unticked, just open) the
        planned review."""
        if self.in_progress is not None:
            self.created_review_id = self.in_progress.id
            self.accept()
            return True
        assert self.planned is not None
        if self.start_now.isChecked():
            try:
                reviews.start_review(self.ctx.db, self.planned.id, on=today_of(self.ctx))
            except ServiceError as exc:
                self._show_error("review", str(exc))
                return False
        self.created_review_id = self.planned.id
        self.accept()
        return True
