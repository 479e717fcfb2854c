"""Approve and sign… a final review (docs/security.md, "Supervisor sign-off").

The supervisor chooses their PKCS#12 file, types its passphrase and where the signed
PDF goes; approval.approve_review renders and signs the report off the GUI thread and
records the approval. The dialog then says "Signed by X at T; saved to F", or the one
line of a refusal (not a supervisor, wrong certificate passphrase, expired certificate,
review changed since it was finalized).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from inspector_app.services import approval, report_service
from inspector_app.services.approval import ApprovalResult
from inspector_app.services.errors import ServiceError

from .context import AppContext
from .errors import error_text
from .qt import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QShowEvent,
    QVBoxLayout,
    QWidget,
)
from .sign_in_dialog import error_label, local_time, passphrase_field
from .tasks import Task, run_with_progress

P12_KEY = "security/last_p12"
FOLDER_KEY = "reports/last_folder"


def signed_name(agency: str, review_id: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", agency.lower()).strip("-") or "review"
    return f"{slug}-{review_id[:8]}-signed.pdf"


def default_folder(settings: Any) -> Path:
    folder = settings.value(FOLDER_KEY, "") if settings is not None else ""
    if isinstance(folder, str) and folder and Path(folder).is_dir():
        return Path(folder)
    documents = Path.home() / "Documents"
    return documents if documents.is_dir() else Path.home()


def approval_text(row: Any) -> str:
    """One line for a review's latest approval (an Approval row), or ''."""
    if row is None:
        return ""
    return (f"Approved by {row.approved_by or 'unknown'} on {local_time(row.approved_at)} "
            f"(revision {row.revision}; signed by {row.signer})")  # fmt: skip


def _buddy(text: str, field: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(field)
    return label


def _say(label: QLabel, text: str) -> None:
    """A status line shown only while it has something to say."""
    label.setText(text)
    label.setVisible(bool(text))


def _path_row(edit: QLineEdit, button: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(edit, 1)
    row.addWidget(button)
    return row


class ApproveDialog(QDialog):
    """The signer's PKCS#12 file and passphrase, and where the signed PDF is saved."""

    def __init__(self, ctx: AppContext, review_id: str, title: str, agency: str = "",
                 parent: QWidget | None = None):  # fmt: skip
        super().__init__(parent)
        self.ctx, self.review_id = ctx, review_id
        self.task: Task | None = None
        self.result_value: ApprovalResult | None = None
        self.setWindowTitle("Approve and sign")
        self.setMinimumWidth(720)
        intro = QLabel(f"<b>{title}</b><br>Approving signs the final report with your "
                       "certificate and records who approved it and when. The review "
                       "cannot change afterwards without an amendment.", self)  # fmt: skip
        intro.setWordWrap(True)
        last_p12 = ctx.settings.value(P12_KEY, "") if ctx.settings is not None else ""
        self.p12_edit = QLineEdit(str(last_p12 or ""), self)
        self.p12_edit.setPlaceholderText("Your certificate: a .p12 or .pfx file")
        self.p12_button = QPushButton("Browse…", self)
        self.p12_button.clicked.connect(self._choose_p12)
        self.p12_passphrase = passphrase_field(self, "The certificate's passphrase (if any)")
        target = default_folder(ctx.settings) / signed_name(agency, review_id)
        self.out_edit = QLineEdit(str(target), self)
        self.out_button = QPushButton("Browse…", self)
        self.out_button.clicked.connect(self._choose_out)
        self.out_edit.setCursorPosition(0)
        form = QFormLayout()
        form.addRow(_buddy("&Certificate file:", self.p12_edit),
                    _path_row(self.p12_edit, self.p12_button))  # fmt: skip
        form.addRow("Certificate &passphrase:", self.p12_passphrase)
        form.addRow(_buddy("&Save signed PDF to:", self.out_edit),
                    _path_row(self.out_edit, self.out_button))  # fmt: skip
        self.message = error_label(self)
        self.message.hide()
        self.done_label = QLabel(self)
        self.done_label.hide()
        self.done_label.setWordWrap(True)
        self.done_label.setObjectName("approvalDone")
        self.buttons = QDialogButtonBox(self)
        self.approve_button = self.buttons.addButton("&Approve and sign",
                                                     QDialogButtonBox.ButtonRole.AcceptRole)  # fmt: skip
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.approve)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.done_label)
        layout.addWidget(self.buttons)
        # Tab goes down the form: file, Browse, passphrase, target, Browse, Approve, Cancel.
        chain: list[QWidget] = [self.p12_edit, self.p12_button, self.p12_passphrase,
                                self.out_edit, self.out_button, self.approve_button,
                                self.close_button]  # fmt: skip
        for before, after in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(before, after)
        # Enter approves only once everything is filled in (never half-typed, never by
        # a Browse button that happens to have the focus).
        for button in (self.p12_button, self.out_button, self.close_button):
            button.setAutoDefault(False)
        for edit in (self.p12_edit, self.p12_passphrase, self.out_edit):
            edit.textChanged.connect(self._update_default)
        self._update_default()

    def filled(self) -> bool:
        return all(e.text().strip() for e in (self.p12_edit, self.p12_passphrase, self.out_edit))

    def _update_default(self) -> None:
        filled = self.filled()
        self.approve_button.setAutoDefault(filled)
        self.approve_button.setDefault(filled)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        self._update_default()  # the button box made Approve the default as it was shown

    def _choose_p12(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Your certificate", self.p12_edit.text(),
                                              "PKCS#12 files (*.p12 *.pfx);;All files (*)")  # fmt: skip
        if path:
            self.p12_edit.setText(path)

    def _choose_out(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the signed report as",
                                              self.out_edit.text(), "PDF files (*.pdf)")  # fmt: skip
        if path:
            self.out_edit.setText(path)

    def target(self) -> Path:
        target = Path(self.out_edit.text().strip()).expanduser()
        return target if target.suffix.lower() == ".pdf" else target.with_name(target.name + ".pdf")

    def _inputs(self) -> tuple[bytes, bytes | None, Path] | None:
        """The certificate's bytes, its passphrase and the target, or None (said why)."""
        target = self.target()
        if not self.out_edit.text().strip() or not target.parent.is_dir():
            _say(self.message, f"{target.parent}: no such folder; choose where to save")
            return None
        try:
            p12 = Path(self.p12_edit.text().strip()).expanduser().read_bytes()
        except OSError as exc:
            _say(self.message, f"Cannot read the certificate file: {exc.strerror or exc}")
            return None
        typed = self.p12_passphrase.text()
        return p12, (typed.encode() if typed else None), target

    def approve(self) -> None:
        inputs = self._inputs()
        if inputs is None:
            return
        p12, passphrase, target = inputs
        _say(self.message, "")
        self.approve_button.setEnabled(False)
        db, review_id = self.ctx.db, self.review_id

        def job(_report: Any) -> ApprovalResult:
            return approval.approve_review(db, review_id, p12=p12, p12_passphrase=passphrase)

        self.task = run_with_progress(self, "Signing the report", job,
                                      lambda r: self._done(r, target), self._failed,
                                      pool=self.ctx.pool)  # fmt: skip

    def _done(self, result: ApprovalResult, target: Path) -> None:
        self.result_value = result
        a = result.approval
        self.approve_button.hide()
        self.close_button.setText("Close")
        try:
            report_service.write_atomically(target, result.pdf)
        except (OSError, ServiceError) as exc:
            _say(self.message, f"Approved, but the signed PDF could not be saved: {exc}; "
                                 "open it from the Reports list and use Save As")  # fmt: skip
            return
        if self.ctx.settings is not None:
            self.ctx.settings.setValue(P12_KEY, self.p12_edit.text().strip())
            self.ctx.settings.setValue(FOLDER_KEY, str(target.parent))
        _say(self.done_label, f"Signed by {a.signer} at {local_time(a.approved_at)}; "
                                f"saved to {target}")  # fmt: skip
        self.ctx.sig_status.emit(f"Review approved and signed; saved to {target}")

    def _failed(self, exc: BaseException) -> None:
        self.approve_button.setEnabled(True)
        _say(self.message, error_text(exc, "approve"))
        self.p12_passphrase.clear()
