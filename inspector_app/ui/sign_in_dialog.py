"""Signing in to an encrypted database (docs/security.md, "People and roles").

`SignInDialog` asks for the account name (the key file's accounts offered, read without
unlocking anything) and the passphrase. A wrong passphrase, a locked, unknown or
disabled account is its one line in red; the passphrase is cleared and the dialog stays
open. Accepted, `dialog.db` is the Database opened as that person. Quit rejects it.

`refusal_text` is shared with the idle lock: a lockout says until when, in local time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from inspector_app.domain.errors import KnownError
from inspector_app.services import accounts
from inspector_app.store.database import Database
from inspector_app.store.keyfile import AccountLocked

from .errors import error_text
from .qt import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    Qt,
    QVBoxLayout,
    QWidget,
)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def local_time(at: datetime) -> str:
    """An instant as the person reads it: their computer's local time."""
    return at.astimezone().strftime("%Y-%m-%d %H:%M")


def refusal_text(exc: BaseException) -> str:
    """The one line for a refused sign-in or unlock; a lockout in local time."""
    if isinstance(exc, AccountLocked):
        head = str(exc).split(" until ", 1)[0]
        return f"{head} until {local_time(exc.until)} (local time); try again then"
    return error_text(exc, "sign-in")


def passphrase_field(parent: QWidget, placeholder: str = "") -> QLineEdit:
    field = QLineEdit(parent)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setPlaceholderText(placeholder)
    return field


def error_label(parent: QWidget) -> QLabel:
    """The red one-line message under a form (the style sheet's #fieldError)."""
    label = QLabel(parent)
    label.setObjectName("fieldError")
    label.setStyleSheet("color: #a1262b")  # red even without the app's style sheet
    label.setWordWrap(True)
    return label


class SignInDialog(QDialog):
    """Account name and passphrase for the encrypted database at `path`."""

    def __init__(
        self,
        path: Path,
        parent: QWidget | None = None,
        *,
        clock: Clock = utc_now,
        user: str = "",
    ):
        super().__init__(parent)
        self.path = Path(path)
        self.clock = clock
        self.db: Database | None = None
        self.setWindowTitle("Sign in — Inspector")
        self.setMinimumWidth(480)
        intro = QLabel(
            f"<b>{self.path.name}</b> is encrypted. Sign in with your account name and "
            "passphrase to open it.",
            self,
        )
        intro.setWordWrap(True)
        self.name_box = QComboBox(self)
        self.name_box.setEditable(True)
        self.name_box.addItems(accounts.account_names(self.path))
        self.name_box.setAccessibleName("Account name")
        if user:
            self.name_box.setCurrentText(user)
        self.passphrase = passphrase_field(self, "Your passphrase")
        self.passphrase.setAccessibleName("Passphrase")
        self.message = error_label(self)
        self.buttons = QDialogButtonBox(self)
        self.sign_in_button = self.buttons.addButton(
            "&Sign in", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.quit_button = self.buttons.addButton("&Quit", QDialogButtonBox.ButtonRole.RejectRole)
        self.sign_in_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("&Account:", self.name_box)
        form.addRow("&Passphrase:", self.passphrase)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        (self.passphrase if self.name_box.currentText() else self.name_box).setFocus()

    def name(self) -> str:
        return self.name_box.currentText().strip()

    def show_refusal(self, text: str) -> None:
        self.message.setText(text)
        self.passphrase.clear()
        self.passphrase.setFocus()

    def accept(self) -> None:
        if not self.name():
            self.message.setText("Enter your account name.")
            self.name_box.setFocus()
            return
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # Argon2: a fraction of a second
        try:
            self.db = accounts.sign_in(self.path, self.name(), self.passphrase.text(),
                                       now=self.clock())  # fmt: skip
        except KnownError as exc:
            self.show_refusal(refusal_text(exc))
            return
        finally:
            QApplication.restoreOverrideCursor()
        super().accept()


def sign_in_interactively(path: Path, user: str = "",
                          parent: QWidget | None = None) -> Database | None:  # fmt: skip
    """The sign-in dialog for an encrypted database; None when the person chose Quit."""
    dialog = SignInDialog(path, parent, user=user)
    try:
        return dialog.db if dialog.exec() else None
    finally:
        dialog.deleteLater()


def roles_text(roles: frozenset[str] | set[str] | None) -> str:
    return ", ".join(sorted(roles)) if roles else "no roles"
