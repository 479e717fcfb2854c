"""Dialogs of the review lifecycle, called from the workspace and the agency page. Each function opens a modal dialog and returns what it did (or None):

- finalize_review_dialog(ctx, parent, review_id) -> FinalizeResult | None
  Lists what is missing (required items, findings without kind/topic, unjudged findings
  of a focus review) and otherwise finalizes: the hash and any focus review are shown.
- amend_review_dialog(ctx, parent, review_id) -> Review | None: asks the reason.
- corrective_actions_dialog(ctx, parent, finding_id) -> None: add, edit, complete,
  remove actions, attach evidence; shows whether the review can be closed out.
- dispute_finding_dialog(ctx, parent, finding_id) -> Finding | None
- officer_status_dialog(ctx, parent, officer_id) -> Officer | None: suspend, revoke or
  reinstate with the reason and whether the ICE credential was retrieved.
- info_request_dialog(ctx, parent, review_id) -> None: the WSO request form.

The workspace's Review menu (ui/workspace/lifecycle_actions.py) and the agency page
call these functions; the Due view's fiscal-year plan is in ui/fy_plan_dialog.py.
Each dialog is a class too, so tests drive it without exec(). Every write goes through a service; refusals are shown
in the dialog as one line, never as a traceback.

A dialog editing an existing row (corrective action, officer's authority, request form)
saves from the revision it loaded. If someone saved the row since, the save is refused
(StaleEdit): the dialog keeps the user's values, its bar says who and when, shows their
change and offers "Keep mine" (save again from their revision) or "Load theirs".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from html import escape
from typing import Any

from inspector_app.domain.enums import (
    ActionStatus,
    OfficerStatus,
    ResponsibleParty,
    ReviewKind,
    ReviewMode,
)
from inspector_app.services import agencies as ag
from inspector_app.services import attachments, lifecycle, review_views
from inspector_app.services import corrective_actions as ca
from inspector_app.services import info_requests as ir
from inspector_app.services.errors import ServiceError, StaleEdit
from inspector_app.services.review_views import Finding, Officer
from inspector_app.store.errors import DatabaseProblem

from .context import AppContext
from .formatting import today_of
from .qt import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDate,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStandardItem,
    QStandardItemModel,
    Qt,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from .stale_edit import StaleEditBar

ID_ROLE = Qt.ItemDataRole.UserRole


def _qdate(day: date | None) -> QDate:
    day = day or date.today()
    return QDate(day.year, day.month, day.day)


def _pydate(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


def _date_edit(parent: QWidget, day: date | None) -> QDateEdit:
    edit = QDateEdit(_qdate(day), parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


_FIELD_LABELS = {"poc_name": "Point of contact", "poc_email": "E-mail", "due_on": "Due",
                 "status_reason": "Reason", "credential_retrieved": "Credential retrieved",
                 "completed_on": "Completed on", "dispute_note": "Dispute note"}  # fmt: skip


def _error_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setObjectName("error")
    label.setStyleSheet("color: #a61b1b")
    label.setWordWrap(True)
    return label


class _Dialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None, title: str):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(title)
        self.error = _error_label(self)
        self.layout_ = QVBoxLayout(self)
        self.result_: Any = None
        # editing an existing row: the revision and values it was loaded with
        self.base_rev: int | None = None
        self.loaded: dict[str, Any] | None = None
        self.stale = StaleEditBar(self, _FIELD_LABELS)
        self.stale.sig_keep_mine.connect(self.keep_mine)
        self.stale.sig_load_theirs.connect(self._on_load_theirs)
        self._retry: Callable[[], Any] | None = None

    def run(self, fn: Any, *args: Any, **kw: Any) -> Any:
        """Call a service; show a refusal in the dialog (one line) instead of raising."""
        self.error.clear()
        try:
            return fn(*args, **kw)
        except (ServiceError, DatabaseProblem) as exc:
            self.error.setText(str(exc))
            return None

    def run_edit(self, retry: Callable[[], Any], fn: Any, *args: Any, **kw: Any) -> Any:
        """Call an edit service with base_rev=self.base_rev. A stale refusal shows the bar
        (the fields keep the user's values); `retry` is the handler "Keep mine" runs again."""
        self.error.clear()
        try:
            result = fn(*args, base_rev=self.base_rev, **kw)
        except StaleEdit as exc:
            self._retry = retry
            self.stale.show_conflict(exc, self.loaded)
            return None
        except (ServiceError, DatabaseProblem) as exc:
            self.error.setText(str(exc))
            return None
        self.stale.clear()
        return result

    def keep_mine(self) -> None:
        """Save the user's values over the ones saved meanwhile (deliberately)."""
        exc, retry = self.stale.exc, self._retry
        if exc is None or retry is None:
            return
        self.base_rev = exc.current_rev
        retry()

    def _on_load_theirs(self) -> None:
        self.stale.clear()
        self.load_theirs()

    def load_theirs(self) -> None:
        """Fill the fields with the row as stored now (and its revision)."""


# --- finalize / amend -------------------------------------------------------------


class FinalizeDialog(_Dialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None, review_id: str):
        super().__init__(ctx, parent, "Finalize review")
        self.review_id = review_id
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        # What is missing, grouped by checklist section and wrapped (never sideways).
        self.missing_text = QLabel(self)
        self.missing_text.setObjectName("missing_text")
        self.missing_text.setWordWrap(True)
        self.missing_text.setTextFormat(Qt.TextFormat.RichText)
        self.missing_text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.missing_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.missing = QScrollArea(self)
        self.missing.setObjectName("missing")
        self.missing.setWidgetResizable(True)
        self.missing.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.missing.setWidget(self.missing_text)
        self.missing_items: list[lifecycle.Missing] = []
        self.buttons = QDialogButtonBox(self)
        self.finalize_button = self.buttons.addButton(
            "Finalize and lock", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.finalize_button.clicked.connect(self._on_finalize)
        self.close_button.clicked.connect(self.reject)
        # A focus review, if one follows: a desk review or a site visit (by the findings).
        self.focus_mode = QComboBox(self)
        for mode in ReviewMode:
            self.focus_mode.addItem(mode.label, mode.value)
        proposed = self.run(lifecycle.proposed_focus_mode, ctx.db, review_id)
        self.focus_mode.setCurrentIndex(max(0, self.focus_mode.findData(proposed)))
        focus_row = QFormLayout()
        focus_row.addRow("Focus review, if one follows:", self.focus_mode)
        for w in (self.intro, self.missing, self.error):
            self.layout_.addWidget(w)
        self.layout_.addLayout(focus_row)
        self.layout_.addWidget(self.buttons)
        self.resize(640, 420)
        self._show_missing(self.run(lifecycle.what_is_missing, ctx.db, review_id) or [])

    def _show_missing(self, missing: list[lifecycle.Missing]) -> None:
        self.missing_items = missing
        self.missing_text.setText(_missing_html(missing))
        self.missing.setVisible(bool(missing))
        self.finalize_button.setEnabled(not missing)
        if missing:
            self.intro.setText(f"This review cannot be finalized yet: "
                               f"{lifecycle.count_missing(len(missing))}.")  # fmt: skip
        else:
            self.intro.setText(
                "Finalizing locks the review: its content hash is stored and printed on the "
                "report, and later changes need an amendment with a reason. A JEM inspection "
                "or WSO review with 4 or more deficiencies and areas of concern gets a focus "
                "review due within 6 months."
            )

    def _on_finalize(self) -> None:
        try:
            result = lifecycle.finalize_review(self.ctx.db, self.review_id,
                                               focus_mode=self.focus_mode.currentData())  # fmt: skip
        except lifecycle.FinalizeRefused:
            self._show_missing(self.run(lifecycle.what_is_missing, self.ctx.db, self.review_id)
                               or [])  # fmt: skip
            return
        except ServiceError as exc:
            self.error.setText(str(exc))
            return
        self.result_ = result
        text = f"Final. SHA-256 {result.content_hash}"
        if result.focus_review is not None:
            text += (f"\nA focus review ({result.focus_review.mode.label}; "
                     f"{result.counts.counted_for_follow_up} deficiencies and areas of concern) "
                     f"is planned, due {result.focus_review.due_date}.")  # fmt: skip
        self.intro.setText(text)
        self.finalize_button.setEnabled(False)
        self.ctx.sig_status.emit("Review finalized and locked")


def _missing_html(missing: list[lifecycle.Missing]) -> str:
    """Each group's title, then its items as a list, in the order given."""
    groups: dict[str, list[str]] = {}
    for m in missing:
        groups.setdefault(m.group, []).append(m.text)
    return "".join(
        f"<p style='margin: 6px 0 0 0'><b>{escape(group)}</b> ({len(texts)})</p>"
        "<ul style='margin: 2px 0 0 -24px'>"
        + "".join(f"<li>{escape(t)}</li>" for t in texts)
        + "</ul>"
        for group, texts in groups.items()
    )


class AmendDialog(_Dialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None, review_id: str):
        super().__init__(ctx, parent, "Amend a final review")
        self.review_id = review_id
        label = QLabel("Why does the final review need to change? The reason is kept in the "
                       "audit log and the revision goes up by one.", self)  # fmt: skip
        label.setWordWrap(True)
        self.reason = QPlainTextEdit(self)
        self.reason.setPlaceholderText("e.g. Wrong citation on F-2, corrected at ERO's request")
        buttons = QDialogButtonBox(self)
        self.ok = buttons.addButton("Reopen for amendment", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel).clicked.connect(self.reject)
        self.ok.clicked.connect(self._on_ok)
        for w in (label, self.reason, self.error, buttons):
            self.layout_.addWidget(w)

    def _on_ok(self) -> None:
        review = self.run(lifecycle.begin_amendment, self.ctx.db, self.review_id,
                          self.reason.toPlainText())  # fmt: skip
        if review is not None:
            self.result_ = review
            self.accept()


# --- corrective actions -----------------------------------------------------------

OWNER_LABELS = {  # who carries out a corrective action (a str-valued enum: keys match text)
    ResponsibleParty.LEA: "LEA",
    ResponsibleParty.ICE: "ICE field office",
    ResponsibleParty.BOTH: "ICE and LEA",
}
_STATUS_LABELS = {s.value: s.value.replace("_", " ").capitalize() for s in ActionStatus}


class CorrectiveActionsDialog(_Dialog):
    HEADERS = ["Action", "Owner", "Due", "Status", "Completed", "On time", "Evidence"]

    def __init__(self, ctx: AppContext, parent: QWidget | None, finding_id: str):
        super().__init__(ctx, parent, "Corrective actions")
        self.finding_id = finding_id
        self.finding = review_views.finding(ctx.db, finding_id)
        f = self.finding
        head = QLabel(f"<b>F-{f.number}</b> {f.kind or ''} · {f.topic or ''}<br>"
                      f"{f.description}" if f else "Finding not found", self)  # fmt: skip
        head.setWordWrap(True)
        self.model = QStandardItemModel(0, len(self.HEADERS), self)
        self.model.setHorizontalHeaderLabels(self.HEADERS)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().selectionChanged.connect(self._on_select)

        self.action = QLineEdit(self)
        self.owner = QComboBox(self)
        for p in ResponsibleParty:
            self.owner.addItem(OWNER_LABELS[p], p.value)
        self.has_due = QCheckBox("Due on", self)
        self.has_due.setChecked(True)
        self.due = _date_edit(self, today_of(ctx))
        self.status = QComboBox(self)
        for value, label in _STATUS_LABELS.items():
            self.status.addItem(label, value)
        self.completed = _date_edit(self, today_of(ctx))
        self.evidence = QLineEdit(self)
        form = QFormLayout()
        form.addRow("Action", self.action)
        form.addRow("Owner", self.owner)
        due_row = QHBoxLayout()
        due_row.addWidget(self.has_due)
        due_row.addWidget(self.due, 1)
        form.addRow("", due_row)
        form.addRow("Status", self.status)
        form.addRow("Completed on (when done)", self.completed)
        form.addRow("Evidence", self.evidence)

        row = QHBoxLayout()
        self.add_button = QPushButton("Add", self)
        self.save_button = QPushButton("Save changes", self)
        self.done_button = QPushButton("Mark done", self)
        self.attach_button = QPushButton("Attach evidence…", self)
        self.remove_button = QPushButton("Remove", self)
        for b, slot in ((self.add_button, self._on_add), (self.save_button, self._on_save),
                        (self.done_button, self._on_done), (self.attach_button, self._on_attach),
                        (self.remove_button, self._on_remove)):  # fmt: skip
            b.clicked.connect(slot)
            row.addWidget(b)
        self.closeout = QLabel(self)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        close.accepted.connect(self.accept)
        for w in (head, self.table):
            self.layout_.addWidget(w)
        self.layout_.addLayout(form)
        self.layout_.addLayout(row)
        for tail in (self.stale, self.error, self.closeout, close):
            self.layout_.addWidget(tail)
        self.resize(820, 560)
        self.reload()

    def reload(self) -> None:
        self.model.removeRows(0, self.model.rowCount())
        self.corrective_actions = ca.actions_of(self.ctx.db, self.finding_id)
        for a in self.corrective_actions:
            cells = [a.action, OWNER_LABELS.get(a.owner, a.owner),
                     a.due_on.isoformat() if a.due_on else "", _STATUS_LABELS.get(a.status, a.status),
                     a.completed_on.isoformat() if a.completed_on else "",
                     {True: "yes", False: "LATE", None: ""}[a.on_time], a.evidence]  # fmt: skip
            items = [QStandardItem(c) for c in cells]
            items[0].setData(a.id, ID_ROLE)
            self.model.appendRow(items)
        self._selection_changed()
        if self.finding is not None:
            state = ca.closeout_state(self.ctx.db, self.finding.review_id)
            self.closeout.setText(
                "All findings of this review are closed out: the closeout memo can be produced."
                if state.closed_out else
                f"Review not closed out yet: {len(state.blockers)} finding(s) open "
                f"({state.done} of {state.actions} actions done, {state.late} late)."
            )  # fmt: skip

    def selected_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.item(rows[0].row(), 0).data(ID_ROLE) if rows else None

    def _selection_changed(self) -> None:
        has = self.selected_id() is not None
        for b in (self.save_button, self.done_button, self.attach_button, self.remove_button):
            b.setEnabled(has)

    def _on_select(self, *_: Any) -> None:
        self._selection_changed()
        self.stale.clear()  # a refusal was about the row chosen before
        ident = self.selected_id()
        a = next((x for x in self.corrective_actions if x.id == ident), None)
        if a is None:
            self.base_rev = self.loaded = None
            return
        self.base_rev = a.rev
        self.loaded = {k: getattr(a, k) for k in
                       ("action", "owner", "due_on", "status", "completed_on", "evidence")}  # fmt: skip
        self.action.setText(a.action)
        self.owner.setCurrentIndex(self.owner.findData(a.owner))
        self.has_due.setChecked(a.due_on is not None)
        self.due.setDate(_qdate(a.due_on or today_of(self.ctx)))
        self.status.setCurrentIndex(self.status.findData(a.status))
        self.completed.setDate(_qdate(a.completed_on or today_of(self.ctx)))
        self.evidence.setText(a.evidence)

    def _fields(self) -> dict[str, Any]:
        status = self.status.currentData()
        return {
            "action": self.action.text(), "owner": self.owner.currentData(),
            "due_on": _pydate(self.due.date()) if self.has_due.isChecked() else None,
            "status": status, "evidence": self.evidence.text(),
            "completed_on": _pydate(self.completed.date()) if status == ActionStatus.DONE else None,
        }  # fmt: skip

    def _on_add(self) -> None:
        if self.run(ca.add_action, self.ctx.db, finding_id=self.finding_id,
                    today=today_of(self.ctx), **self._fields()) is not None:  # fmt: skip
            self.action.clear()
            self.evidence.clear()
            self.reload()

    def _on_save(self) -> None:
        ident = self.selected_id()
        if ident and self.run_edit(self._on_save, ca.update_action, self.ctx.db, ident,
                                   today=today_of(self.ctx), **self._fields()) is not None:  # fmt: skip
            self.reload()

    def _on_done(self) -> None:
        ident = self.selected_id()
        if ident and self.run_edit(self._on_done, ca.complete_action, self.ctx.db, ident,
                                   completed_on=_pydate(self.completed.date()),
                                   evidence=self.evidence.text() or None,
                                   today=today_of(self.ctx)) is not None:  # fmt: skip
            self.reload()

    def load_theirs(self) -> None:
        ident = self.selected_id()
        self.reload()
        for n in range(self.model.rowCount()):
            if self.model.item(n, 0).data(ID_ROLE) == ident:
                self.table.selectRow(n)  # fills the fields from the row as stored now

    def _on_remove(self) -> None:
        ident = self.selected_id()
        if ident and self.run(ca.remove_action, self.ctx.db, ident) is not None:
            self.reload()

    def _on_attach(self) -> None:
        ident = self.selected_id()
        path, _ = QFileDialog.getOpenFileName(self, "Evidence for the corrective action")
        if ident and path:
            self.attach_file(ident, path)

    def attach_file(self, action_id: str, path: str) -> None:
        if self.run(attachments.add_attachment, self.ctx.db, source=path,
                    corrective_action_id=action_id) is not None:  # fmt: skip
            self.closeout.setText(f"Attached {path.rsplit('/', 1)[-1]}")


# --- dispute ------------------------------------------------------------------------


class DisputeDialog(_Dialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None, finding_id: str):
        super().__init__(ctx, parent, "Dispute a finding")
        self.finding_id = finding_id
        f = review_views.finding(ctx.db, finding_id)
        head = QLabel(f"<b>F-{f.number}</b> {f.description}" if f else "Finding not found", self)
        head.setWordWrap(True)
        self.disputed = QCheckBox("Disputed by the program office", self)
        self.note = QPlainTextEdit(self)
        self.note.setPlaceholderText("What the program office disputes, and why")
        hint = QLabel("A disputed finding stays in the review and its reports; it is counted "
                      "separately.", self)  # fmt: skip
        hint.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel, self)  # fmt: skip
        buttons.accepted.connect(self._on_save)
        buttons.rejected.connect(self.reject)
        for w in (head, self.disputed, self.note, hint, self.stale, self.error, buttons):
            self.layout_.addWidget(w)
        self._fill(f)

    def _fill(self, f: Finding | None) -> None:
        self.disputed.setChecked(bool(f and f.disputed))
        self.note.setPlainText(f.dispute_note if f else "")
        self.was_disputed = bool(f and f.disputed)
        if f is not None:  # saves are checked against the revision shown
            self.base_rev = f.rev
            self.loaded = {"disputed": f.disputed, "dispute_note": f.dispute_note}

    def load_theirs(self) -> None:
        self._fill(review_views.finding(self.ctx.db, self.finding_id))

    def _on_save(self) -> None:
        if self.disputed.isChecked():
            result = self.run_edit(self._on_save, lifecycle.dispute_finding, self.ctx.db,
                                   self.finding_id, self.note.toPlainText())  # fmt: skip
        elif self.was_disputed:
            result = self.run_edit(self._on_save, lifecycle.undispute_finding, self.ctx.db,
                                   self.finding_id)  # fmt: skip
        else:
            self.reject()
            return
        if result is not None:
            self.result_ = result
            self.accept()


# --- officers -----------------------------------------------------------------------


class OfficerStatusDialog(_Dialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None, officer_id: str):
        super().__init__(ctx, parent, "Officer's authority")
        self.officer_id = officer_id
        o, status = review_views.officer_with_training(ctx.db, officer_id, today_of(ctx))
        head = QLabel(f"<b>{o.name}</b> ({o.model}, credential {o.credential_number or '—'})<br>"
                      f"Training: {status.summary}" if o and status else "Officer not found",
                      self)  # fmt: skip
        head.setWordWrap(True)
        self.status = QComboBox(self)
        for s_ in OfficerStatus:
            self.status.addItem({"active": "Active (reinstated)", "suspended": "Suspended",
                                 "revoked": "Revoked"}[s_.value], s_.value)  # fmt: skip
        self.reason = QPlainTextEdit(self)
        self.reason.setPlaceholderText("Reason (misconduct, training lapsed, left the agency…)")
        self.on = _date_edit(self, today_of(ctx))
        self.credential = QComboBox(self)
        self.credential.addItem("— not asked —", None)
        self.credential.addItem("Yes, the ICE credential was retrieved", True)
        self.credential.addItem("No, not retrieved", False)
        self._fill(o)
        form = QFormLayout()
        form.addRow("Authority", self.status)
        form.addRow("Reason", self.reason)
        form.addRow("Since", self.on)
        form.addRow("Credential", self.credential)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel, self)  # fmt: skip
        buttons.accepted.connect(self._on_save)
        buttons.rejected.connect(self.reject)
        self.layout_.addWidget(head)
        self.layout_.addLayout(form)
        self.layout_.addWidget(self.stale)
        self.layout_.addWidget(self.error)
        self.layout_.addWidget(buttons)

    def _fill(self, o: Officer | None) -> None:
        self.status.setCurrentIndex(self.status.findData(o.status if o else "active"))
        self.reason.setPlainText(o.status_reason if o else "")
        self.credential.setCurrentIndex(
            self.credential.findData(o.credential_retrieved) if o else 0
        )
        if o is not None:
            self.base_rev = o.rev
            self.loaded = {"status": o.status, "status_reason": o.status_reason,
                           "credential_retrieved": o.credential_retrieved}  # fmt: skip

    def load_theirs(self) -> None:
        self._fill(review_views.officer(self.ctx.db, self.officer_id))

    def _on_save(self) -> None:
        status = self.status.currentData()
        officer = self.run_edit(
            self._on_save, ag.set_officer_status, self.ctx.db, self.officer_id, status=status,
            reason=self.reason.toPlainText(), on=_pydate(self.on.date()),
            credential_retrieved=(None if status == OfficerStatus.ACTIVE
                                  else self.credential.currentData()),
        )  # fmt: skip
        if officer is not None:
            self.result_ = officer
            self.accept()


# --- WSO request form ---------------------------------------------------------------


class InfoRequestDialog(_Dialog):
    HEADERS = ["#", "Document requested", "Received", "Files"]

    def __init__(self, ctx: AppContext, parent: QWidget | None, review_id: str):
        super().__init__(ctx, parent, "WSO review request form")
        self.review_id = review_id
        self._shown: dict[str, Any] = {}  # the form fields as last filled from the database
        self.review = review_views.review(ctx.db, review_id)
        self.state = QLabel(self)
        self.state.setWordWrap(True)
        self.poc_name, self.poc_email = QLineEdit(self), QLineEdit(self)
        self.due = _date_edit(self, today_of(ctx))
        form = QFormLayout()
        form.addRow("Point of contact", self.poc_name)
        form.addRow("E-mail", self.poc_email)
        form.addRow("Documents due", self.due)
        self.model = QStandardItemModel(0, len(self.HEADERS), self)
        self.model.setHorizontalHeaderLabels(self.HEADERS)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.new_item = QLineEdit(self)
        self.new_item.setPlaceholderText("Another document to request")
        row = QHBoxLayout()
        self.create_button = QPushButton("Create request form", self)
        self.save_button = QPushButton("Save", self)
        self.sent_button = QPushButton("Mark sent today", self)
        self.receive_button = QPushButton("Received… (attach file)", self)
        self.unreceive_button = QPushButton("Not received", self)
        self.add_button = QPushButton("Add document", self)
        for b, slot in ((self.create_button, self._on_create), (self.save_button, self._on_save),
                        (self.sent_button, self._on_sent), (self.receive_button, self._on_receive),
                        (self.unreceive_button, self._on_unreceive),
                        (self.add_button, self._on_add)):  # fmt: skip
            b.clicked.connect(slot)
            row.addWidget(b)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        self.layout_.addWidget(self.state)
        self.layout_.addLayout(form)
        self.layout_.addWidget(self.table)
        self.layout_.addWidget(self.new_item)
        self.layout_.addLayout(row)
        self.layout_.addWidget(self.stale)
        self.layout_.addWidget(self.error)
        self.layout_.addWidget(close)
        self.resize(860, 560)
        self.reload()

    def reload(self) -> None:
        self.view = view = ir.request_of(self.ctx.db, self.review_id, today_of(self.ctx))
        self.model.removeRows(0, self.model.rowCount())
        exists = view is not None
        for b in (self.save_button, self.sent_button, self.receive_button,
                  self.unreceive_button, self.add_button):  # fmt: skip
            b.setEnabled(exists)
        self.new_item.setEnabled(exists)
        self.create_button.setEnabled(
            not exists and self.review is not None and self.review.kind == ReviewKind.WSO_REVIEW
        )
        if view is None:
            self.state.setText("No request form yet. Creating one fills in the field office's "
                               "point of contact and the standard list of documents.")  # fmt: skip
            return
        r = view.request
        self._fill_form(r)
        sent = f"sent {r.sent_on.isoformat()}" if r.sent_on else "not sent yet"
        self.state.setText(f"<b>{view.state.replace('_', ' ').capitalize()}</b>: {sent}; "
                           f"{view.received} of {len(view.items)} documents received; "
                           f"due {r.due_on.isoformat() if r.due_on else '—'}.")  # fmt: skip
        for item in view.items:
            files = ", ".join(a.filename for a in view.files.get(item.id, []))
            cells = [str(item.position), item.description,
                     item.received_on.isoformat() if item.received_on else "", files]  # fmt: skip
            row = [QStandardItem(c) for c in cells]
            row[0].setData(item.id, ID_ROLE)
            self.model.appendRow(row)

    def _form_values(self) -> dict[str, Any]:
        return {"poc_name": self.poc_name.text(), "poc_email": self.poc_email.text(),
                "due_on": _pydate(self.due.date())}  # fmt: skip

    def _fill_form(self, r: Any) -> None:
        """The point of contact and due date as stored, unless the user is editing them:
        after another button (mark sent, a document received) their typing stays, and
        if no one changed those fields meanwhile the edit goes on from the new revision."""
        stored = {"poc_name": r.poc_name, "poc_email": r.poc_email, "due_on": r.due_on}
        loaded = self.loaded
        editing = loaded is not None and self._form_values() != self._shown
        if loaded is not None and editing and any(loaded[k] != stored[k] for k in stored):
            return  # changed elsewhere too: Save will say so (StaleEdit)
        self.base_rev, self.loaded = r.rev, stored
        if editing:
            return
        self.poc_name.setText(r.poc_name)
        self.poc_email.setText(r.poc_email)
        if r.due_on:
            self.due.setDate(_qdate(r.due_on))
        self._shown = self._form_values()

    def load_theirs(self) -> None:
        self._shown = self._form_values()  # not editing any more: show what is stored
        self.reload()

    def _request_id(self) -> str:
        """The request's id: the buttons that use it are disabled until there is one."""
        assert self.view is not None
        return self.view.request.id

    def selected_item(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.item(rows[0].row(), 0).data(ID_ROLE) if rows else None

    def _on_create(self) -> None:
        if self.run(ir.create_request, self.ctx.db, review_id=self.review_id) is not None:
            self.reload()

    def _on_save(self) -> None:
        if (
            self.run_edit(
                self._on_save,
                ir.update_request,
                self.ctx.db,
                self._request_id(),
                **self._form_values(),
            )
            is not None
        ):
            self._shown = self._form_values()  # saved: what the fields show is stored
            self.reload()

    def _on_sent(self) -> None:
        if self.run(ir.mark_sent, self.ctx.db, self._request_id(),
                    on=today_of(self.ctx)) is not None:  # fmt: skip
            self.reload()

    def _on_receive(self) -> None:
        ident = self.selected_item()
        if ident is None:
            self.error.setText("Choose the document that arrived in the list first.")
            return
        path, _ = QFileDialog.getOpenFileName(self, "The document received")
        self.receive(ident, path or None)

    def receive(self, item_id: str, path: str | None) -> None:
        if self.run(ir.receive_item, self.ctx.db, item_id, on=today_of(self.ctx),
                    source=path) is not None:  # fmt: skip
            self.reload()

    def _on_unreceive(self) -> None:
        ident = self.selected_item()
        if ident and self.run(ir.unreceive_item, self.ctx.db, ident) is not None:
            self.reload()

    def _on_add(self) -> None:
        if self.run(ir.add_item, self.ctx.db, self._request_id(),
                    self.new_item.text()) is not None:  # fmt: skip
            self.new_item.clear()
            self.reload()


# --- entry points -------------------------------------------------------------------


def _exec(dialog: _Dialog) -> Any:
    dialog.exec()
    return dialog.result_


def finalize_review_dialog(ctx: AppContext, parent: QWidget | None, review_id: str) -> Any:
    return _exec(FinalizeDialog(ctx, parent, review_id))


def amend_review_dialog(ctx: AppContext, parent: QWidget | None, review_id: str) -> Any:
    return _exec(AmendDialog(ctx, parent, review_id))


def corrective_actions_dialog(ctx: AppContext, parent: QWidget | None, finding_id: str) -> None:
    _exec(CorrectiveActionsDialog(ctx, parent, finding_id))


def dispute_finding_dialog(ctx: AppContext, parent: QWidget | None, finding_id: str) -> Any:
    return _exec(DisputeDialog(ctx, parent, finding_id))


def officer_status_dialog(ctx: AppContext, parent: QWidget | None, officer_id: str) -> Any:
    return _exec(OfficerStatusDialog(ctx, parent, officer_id))


def info_request_dialog(ctx: AppContext, parent: QWidget | None, review_id: str) -> None:
    _exec(InfoRequestDialog(ctx, parent, review_id))
