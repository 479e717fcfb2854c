"""File > Encrypt database… and File > Change passphrase… (docs/security.md, "Keys").

Both refuse in the dialog, in red, a passphrase shorter than accounts.MIN_PASSPHRASE
characters or one typed differently twice. Encrypting warns that a forgotten
passphrase cannot be recovered and that the key file must be backed up with the
database; the conversion itself is run by window_security (off the GUI thread).
"""

from __future__ import annotations

from pathlib import Path

from inspector_app.domain.errors import KnownError
from inspector_app.services import accounts, audit, encryption
from inspector_app.services.accounts import MIN_PASSPHRASE
from inspector_app.store.database import Database
from inspector_app.store.keyfile import keyfile_path

from .qt import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    Qt,
    QVBoxLayout,
    QWidget,
)
from .sign_in_dialog import Clock, error_label, passphrase_field, refusal_text, utc_now


def new_passphrase_problem(first: str, again: str) -> str | None:
    """Why two typed new passphrases are refused, or None."""
    if len(first) < MIN_PASSPHRASE:
        return f"A passphrase has at least {MIN_PASSPHRASE} characters; this one has {len(first)}."
    if first != again:
        return "The two passphrases differ; type the same one twice."
    return None


class _PassphraseForm(QDialog):
    """A form with the new passphrase twice, a red message line and OK / Cancel."""

    def __init__(self, title: str, ok_text: str, parent: QWidget | None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        self.new = passphrase_field(self, f"At least {MIN_PASSPHRASE} characters")
        self.again = passphrase_field(self, "The same again")
        self.message = error_label(self)
        self.form = QFormLayout()
        self.buttons = QDialogButtonBox(self)
        self.ok_button = self.buttons.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def _lay_out(self, *above: QWidget) -> None:
        layout = QVBoxLayout(self)
        for widget in above:
            layout.addWidget(widget)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def _refuse(self, text: str, field: QLineEdit) -> None:
        self.message.setText(text)
        field.setFocus()
        field.selectAll()

    def _new_ok(self) -> bool:
        problem = new_passphrase_problem(self.new.text(), self.again.text())
        if problem is not None:
            self.again.clear()
            self._refuse(problem, self.new)
            return False
        return True


class EncryptDialog(_PassphraseForm):
    """The first account of the database to encrypt: its name and passphrase."""

    def __init__(self, path: Path, name: str = "", parent: QWidget | None = None):
        super().__init__("Encrypt database", "&Encrypt", parent)
        keys = keyfile_path(path).name
        intro = QLabel(f"<b>{Path(path).name}</b> and its attached files will be encrypted. "
                       "You sign in with this account name and passphrase from now on; "
                       "your account can add others (File &gt; Accounts…).", self)  # fmt: skip
        intro.setWordWrap(True)
        self.warning = QLabel(
            "<b>A forgotten passphrase cannot be recovered.</b> Nobody can open the "
            "database without it. The key file <b>" + keys + "</b> beside the database "
            "holds the keys: back it up together with the database, or the backup cannot "
            "be read.",
            self,
        )  # fmt: skip
        self.warning.setObjectName("encryptWarning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("background: #fff4ce; border: 1px solid #d8c27a; "
                                   "padding: 8px; color: #3b2f00")  # fmt: skip
        self.name = QLineEdit(name, self)
        self.name.setPlaceholderText("Your name, as it appears on changes and reports")
        self.form.addRow("Account &name:", self.name)
        self.form.addRow("&Passphrase:", self.new)
        self.form.addRow("&Again:", self.again)
        self._lay_out(intro, self.warning)
        (self.new if name else self.name).setFocus()

    def account(self) -> str:
        return self.name.text().strip()

    def passphrase(self) -> str:
        return self.new.text()

    def accept(self) -> None:
        if not self.account():
            self._refuse("Enter the account name you will sign in with.", self.name)
            return
        if self._new_ok():
            super().accept()


class ChangePassphraseDialog(_PassphraseForm):
    """The signed-in person's current passphrase, then the new one twice."""

    def __init__(self, db: Database, parent: QWidget | None = None, clock: Clock = utc_now):
        super().__init__("Change passphrase", "&Change", parent)
        self.db, self.clock = db, clock
        intro = QLabel(f"The passphrase of <b>{db.user}</b>. The data is not re-encrypted; "
                       "only your key slot in the key file is.", self)  # fmt: skip
        intro.setWordWrap(True)
        self.current = passphrase_field(self, "Your passphrase now")
        self.form.addRow("&Current:", self.current)
        self.form.addRow("&New:", self.new)
        self.form.addRow("&Again:", self.again)
        self._lay_out(intro)
        self.current.setFocus()

    def accept(self) -> None:
        if not self._new_ok():
            return
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:  # checked first as the idle lock does: a wrong one counts and is audited
            accounts.check_passphrase(self.db, self.current.text(), now=self.clock())
            encryption.change_passphrase(self.db.path, self.db.user, self.current.text(),
                                         self.new.text(), now=self.clock())  # fmt: skip
        except KnownError as exc:
            self.current.clear()
            self._refuse(refusal_text(exc), self.current)
            return
        finally:
            QApplication.restoreOverrideCursor()
        audit.record_event(self.db, "passphrase", "success", "account", self.db.user)
        super().accept()


__all__ = ["ChangePassphraseDialog", "EncryptDialog", "new_passphrase_problem"]
