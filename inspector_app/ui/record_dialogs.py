"""Dialogs that add the program's records: a field office, an agency, an agreement, an
officer, a training record (issue 13: starting from an empty database must not be a
dead end). Reached from the Agencies view, the agency page and File > New.

Each dialog calls one service (services.agencies) and shows its refusal in one line
in red ("name, state: required"), keeping what was typed. `result_` is the new row.
Removing a record (and undoing it) is `remove_dialog` / services.records.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from inspector_app.domain.enums import AgreementStatus, ProgramModel, TrainingKind
from inspector_app.services import agencies as ag
from inspector_app.services import record_rules as rules
from inspector_app.services import records
from inspector_app.services.errors import ServiceError
from inspector_app.store.errors import DatabaseProblem

from .formatting import today_of
from .qt import (
    QComboBox,
    QDate,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

COURSES = {
    ProgramModel.JEM: (TrainingKind.INITIAL_COURSE, TrainingKind.ANNUAL_ONLINE,
                       TrainingKind.REFRESHER),
    ProgramModel.WSO: (TrainingKind.WSO_COURSE,),
}  # fmt: skip


def _date_edit(parent: QWidget, day: date) -> QDateEdit:
    edit = QDateEdit(QDate(day.year, day.month, day.day), parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


def _pydate(edit: QDateEdit) -> date:
    q = edit.date()
    return date(q.year(), q.month(), q.day())


def _line(parent: QWidget, name: str, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setObjectName(name)
    edit.setPlaceholderText(placeholder)
    edit.setMinimumWidth(320)
    return edit


class RecordDialog(QDialog):
    """A form of labelled fields, an error line and Save/Cancel; `save()` calls the
    service through `run`."""

    title = "New record"
    intro = ""

    def __init__(self, ctx: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.result_: Any = None
        self.setWindowTitle(self.title)
        self.form = QFormLayout()
        self.error = QLabel(self)
        self.error.setObjectName("error")
        self.error.setStyleSheet("color: #a61b1b")
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if self.intro:
            intro = QLabel(self.intro, self)
            intro.setWordWrap(True)
            layout.addWidget(intro)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.preset: QWidget | None = None  # an agency chosen by where the dialog was opened
        self._focused = False

    def showEvent(self, event: Any) -> None:  # noqa: N802
        super().showEvent(event)
        # The buttons are made before the fields, so Qt would give Save the focus: typed
        # letters went nowhere and a space pressed Save ("name, state: required").
        if not self._focused:
            self._focused = True
            field = self.first_field()
            if field is not None:
                field.setFocus()

    def first_field(self) -> QWidget | None:
        """Where typing starts: the form's first field, after a preset agency."""
        for row in range(self.form.rowCount()):
            item = self.form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            if item is None:
                continue
            inner = item.layout()
            item = inner.itemAt(0) if inner is not None else item  # a field and its button
            widget = item.widget() if item is not None else None
            if widget is not None and widget.isEnabled() and widget is not self.preset:
                return widget
        return None

    def agency_combo(self, agency_id: str | None) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName("agency")
        for choice in records.agency_choices(self.ctx.db):
            combo.addItem(choice.text, choice.id)
        if agency_id:
            combo.setCurrentIndex(max(0, combo.findData(agency_id)))
            self.preset = combo
        return combo

    def save(self) -> Any:  # pragma: no cover - each dialog defines it
        raise NotImplementedError

    def submit(self) -> bool:
        """Save; a refusal is shown in one line and the dialog stays open."""
        self.error.clear()
        try:
            self.result_ = self.save()
        except (ServiceError, DatabaseProblem) as exc:
            self.error.setText(str(exc))
            return False
        self.accept()
        return True


class FieldOfficeDialog(RecordDialog):
    title = "New field office"
    intro = "An ICE ERO field office. Its 287(g) point of contact receives the WSO request forms."

    def __init__(self, ctx: Any, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.code = _line(self, "code", "ATL")
        self.name = _line(self, "name", "Atlanta")
        self.state = _line(self, "state", "GA (optional)")
        self.poc_name = _line(self, "poc_name", "287(g) point of contact")
        self.poc_email = _line(self, "poc_email", "name@example.gov")
        for label, widget in (("Code", self.code), ("Name", self.name), ("State", self.state),
                              ("Point of contact", self.poc_name),
                              ("E-mail", self.poc_email)):  # fmt: skip
            self.form.addRow(label, widget)

    def save(self) -> Any:
        rules.require(code=self.code.text(), name=self.name.text())  # the dialog asks both
        return ag.create_field_office(
            self.ctx.db, code=self.code.text(), name=self.name.text(), state=self.state.text(),
            poc_name=self.poc_name.text(), poc_email=self.poc_email.text(),
        )  # fmt: skip


class AgencyDialog(RecordDialog):
    title = "New agency"
    intro = "A state or local law enforcement agency (LEA) that holds or will hold a 287(g) MOA."

    def __init__(self, ctx: Any, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.name = _line(self, "name", "Elk Ridge County Sheriff's Department")
        self.state = _line(self, "state", "SC")
        self.county = _line(self, "county", "Elk Ridge (optional)")
        self.office = QComboBox(self)
        self.office.setObjectName("field_office")
        self.office.addItem("— none —", None)
        for choice in records.field_office_choices(ctx.db):
            self.office.addItem(choice.text, choice.id)
        if self.office.count() > 1:
            self.office.setCurrentIndex(1)
        for label, widget in (("Name", self.name), ("State", self.state),
                              ("County", self.county), ("Field office", self.office)):  # fmt: skip
            self.form.addRow(label, widget)

    def save(self) -> Any:
        return ag.create_agency(
            self.ctx.db, name=self.name.text(), state=self.state.text(),
            county=self.county.text(), field_office_id=self.office.currentData(),
        )  # fmt: skip


class AgreementDialog(RecordDialog):
    title = "New agreement"
    intro = "A 287(g) Memorandum of Agreement: Jail Enforcement Model or Warrant Service Officer."

    def __init__(self, ctx: Any, parent: QWidget | None = None, agency_id: str | None = None):
        super().__init__(ctx, parent)
        self.agency = self.agency_combo(agency_id)
        self.model = QComboBox(self)
        self.model.setObjectName("model")
        for m in ProgramModel:
            self.model.addItem(m.label, m.value)
        self.signed_on = _date_edit(self, today_of(ctx))
        self.signed_on.setObjectName("signed_on")
        self.status = QComboBox(self)
        self.status.setObjectName("status")
        for s_ in AgreementStatus:
            self.status.addItem(s_.label, s_.value)
        self.moa_number = _line(self, "moa_number", "287G-SC-2024-WSO (optional)")
        for label, widget in (("Agency", self.agency), ("Model", self.model),
                              ("Signed on", self.signed_on), ("Status", self.status),
                              ("MOA number", self.moa_number)):  # fmt: skip
            self.form.addRow(label, widget)

    def save(self) -> Any:
        return ag.create_agreement(
            self.ctx.db, agency_id=self.agency.currentData() or "", model=self.model.currentData(),
            signed_on=_pydate(self.signed_on), status=self.status.currentData(),
            moa_number=self.moa_number.text(),
        )  # fmt: skip


class OfficerDialog(RecordDialog):
    title = "New officer"
    intro = "A designated officer (JEM) or warrant service officer (WSO) under an agreement."

    def __init__(self, ctx: Any, parent: QWidget | None = None, agency_id: str | None = None):
        super().__init__(ctx, parent)
        self.agency = self.agency_combo(agency_id)
        self.agreement = QComboBox(self)
        self.agreement.setObjectName("agreement")
        self.name = _line(self, "name", "Full name")
        self.credential = _line(self, "credential_number", "Badge or ICE credential number")
        for label, widget in (("Agency", self.agency), ("Agreement", self.agreement),
                              ("Name", self.name), ("Credential", self.credential)):  # fmt: skip
            self.form.addRow(label, widget)
        self.agency.currentIndexChanged.connect(self._fill_agreements)
        self._fill_agreements()

    def _fill_agreements(self) -> None:
        self.agreement.clear()
        agency_id = self.agency.currentData()
        for choice in records.agreement_choices(self.ctx.db, agency_id) if agency_id else []:
            self.agreement.addItem(choice.text, (choice.id, choice.model))

    def save(self) -> Any:
        picked = self.agreement.currentData()
        rules.require(name=self.name.text(), agreement="" if picked is None else picked[0])
        return ag.add_officer(
            self.ctx.db, agency_id=self.agency.currentData() or "", name=self.name.text(),
            model=picked[1], agreement_id=picked[0], credential_number=self.credential.text(),
        )  # fmt: skip


class TrainingDialog(RecordDialog):
    title = "New training record"
    intro = "A course an officer completed (JEM: initial course, annual online, refresher; WSO: the WSO course)."

    def __init__(self, ctx: Any, parent: QWidget | None = None, agency_id: str | None = None,
                 officer_id: str | None = None):  # fmt: skip
        super().__init__(ctx, parent)
        self.agency = self.agency_combo(agency_id)
        self.officer = QComboBox(self)
        self.officer.setObjectName("officer")
        self.course = QComboBox(self)
        self.course.setObjectName("course")
        self.completed_on = _date_edit(self, today_of(ctx))
        self.completed_on.setObjectName("completed_on")
        self.hours = _line(self, "hours", "e.g. 8 (optional)")
        for label, widget in (("Agency", self.agency), ("Officer", self.officer),
                              ("Course", self.course), ("Completed on", self.completed_on),
                              ("Hours", self.hours)):  # fmt: skip
            self.form.addRow(label, widget)
        self.agency.currentIndexChanged.connect(self._fill_officers)
        self.officer.currentIndexChanged.connect(self._fill_courses)
        self._fill_officers()
        if officer_id:
            self.officer.setCurrentIndex(max(0, self.officer.findData(officer_id)))

    def _fill_officers(self) -> None:
        self.officer.clear()
        agency_id = self.agency.currentData()
        self._models = {}
        for choice in records.officer_choices(self.ctx.db, agency_id) if agency_id else []:
            self._models[choice.id] = choice.model
            self.officer.addItem(choice.text, choice.id)
        self._fill_courses()

    def _fill_courses(self) -> None:
        self.course.clear()
        model = self._models.get(self.officer.currentData())
        for kind in COURSES.get(ProgramModel(model), ()) if model else ():
            self.course.addItem(kind.label, kind.value)

    def save(self) -> Any:
        rules.require(officer=self.officer.currentData(), course=self.course.currentData())
        return ag.add_training(
            self.ctx.db, officer_id=self.officer.currentData(), kind=self.course.currentData(),
            completed_on=_pydate(self.completed_on), hours=self.hours.text().strip() or None,
        )  # fmt: skip


# --- entry points --------------------------------------------------------------------------

DIALOGS: dict[str, type[RecordDialog]] = {
    "field_office": FieldOfficeDialog, "agency": AgencyDialog, "agreement": AgreementDialog,
    "officer": OfficerDialog, "training_record": TrainingDialog,
}  # fmt: skip
NEW_LABELS = {"field_office": "&Field office…", "agency": "&Agency…",
              "agreement": "A&greement…", "officer": "&Officer…",
              "training_record": "&Training record…"}  # fmt: skip


def new_record_dialog(ctx: Any, parent: QWidget | None, kind: str, **context: Any) -> Any:
    """Open the dialog adding a `kind` record (agency_id/officer_id preselect); the new
    row, or None if cancelled."""
    cls = DIALOGS[kind]
    dialog = cls(ctx, parent, **context) if context else cls(ctx, parent)
    dialog.exec()
    return dialog.result_


def remove_dialog(ctx: Any, parent: QWidget | None, kind: str, record_id: str,
                  label: str) -> records.Removed | None:  # fmt: skip
    """Ask, then remove (a tombstone); a refusal is shown in one line."""
    what = records.LABELS[kind]
    answer = QMessageBox.question(parent, f"Remove {what}",
                                  f"Remove the {what} {label}? Undo remove brings it back.")  # fmt: skip
    if answer != QMessageBox.StandardButton.Yes:
        return None
    try:
        return records.remove_record(ctx.db, kind, record_id)
    except (ServiceError, DatabaseProblem) as exc:
        QMessageBox.warning(parent, f"Remove {what}", str(exc))
        return None


class ImportRosterDialog(RecordDialog):
    title = "Import roster"
    intro = ("An agency's officers with their training dates, from a CSV or Excel file "
             "(columns: name, model, credential, course, completed_on, hours). All or "
             "nothing: every bad row is listed and nothing is written.")  # fmt: skip

    def __init__(self, ctx: Any, parent: QWidget | None = None, agency_id: str | None = None):
        super().__init__(ctx, parent)
        self.agency = self.agency_combo(agency_id)
        self.path = _line(self, "file", "roster.csv or roster.xlsx")
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        self.form.addRow("Agency", self.agency)
        self.form.addRow("File", row)
        self.problems = QPlainTextEdit(self)
        self.problems.setObjectName("problems")
        self.problems.setReadOnly(True)
        self.problems.hide()
        self.form.addRow("", self.problems)
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        if save is not None:
            save.setText("Import")

    def _browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Roster", "", "Rosters (*.csv *.xlsx)")
        if name:
            self.path.setText(name)

    def save(self) -> Any:
        # roster_import reads CSV through pandas: imported here, not at the app's start
        from inspector_app.services.roster_import import RosterImportError, import_roster

        rules.require(agency=self.agency.currentData(), file=self.path.text())
        try:
            return import_roster(self.ctx.db, self.agency.currentData(), self.path.text().strip())
        except RosterImportError as exc:
            self.problems.setPlainText("\n".join(exc.errors))
            self.problems.show()
            raise ServiceError(
                f"{len(exc.errors)} problem(s) in the file; nothing was imported"
            ) from None


def import_roster_dialog(ctx: Any, parent: QWidget | None, agency_id: str | None = None) -> Any:
    dialog = ImportRosterDialog(ctx, parent, agency_id)
    dialog.exec()
    if dialog.result_ is not None:
        ctx.sig_status.emit(f"Roster imported: {dialog.result_.describe()}")
    return dialog.result_


def add_record_menu(window: Any, file_menu: Any, agency_id: Any) -> None:
    """File > New (field office, agency, agreement, officer, training record) and File >
    Import roster…; `agency_id()` is the agency shown, if any."""
    menu = file_menu.addMenu("Ne&w")
    for kind, text in NEW_LABELS.items():
        action = menu.addAction(text)
        action.setObjectName(f"new_{kind}")
        action.triggered.connect(lambda _=False, k=kind: new_record_dialog(
            window.ctx, window, k, **({"agency_id": agency_id()}
                                      if k not in ("field_office", "agency") else {})))  # fmt: skip
    roster = file_menu.addAction("&Import roster…")
    roster.setObjectName("import_roster")
    roster.triggered.connect(lambda: import_roster_dialog(window.ctx, window, agency_id()))
