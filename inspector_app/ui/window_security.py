"""The main window's security commands and status (docs/security.md, issue 11).

File menu: Lock now (Ctrl+L), Idle lock…, Encrypt database… (a plaintext database),
Change passphrase… (an encrypted one), Accounts… (an admin). The status bar says who
is signed in with their roles, or "Not encrypted" for a plaintext database (the demo).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from inspector_app import paths
from inspector_app.services import accounts, encryption
from inspector_app.store.database import Database, open_database
from inspector_app.store.errors import DatabaseProblem
from inspector_app.store.keyfile import keyfile_path

from .accounts_dialog import AccountsDialog
from .context import AppContext
from .errors import error_text
from .idle_lock import MAX_IDLE_MINUTES, IdleLock, idle_minutes, set_idle_minutes
from .passphrase_dialogs import ChangePassphraseDialog, EncryptDialog
from .qt import (
    QAction,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QObject,
    QProgressDialog,
    QSettings,
    QStatusBar,
    Qt,
)
from .sign_in_dialog import Clock, roles_text, utc_now
from .tasks import Task


class SecuredWindow(Protocol):
    """What the security actions need of their main window (main_window.MainWindow;
    named by shape so the two modules do not import each other)."""

    ctx: AppContext
    settings: QSettings

    def _action(self, key: str, text: str, slot: Any, *shortcuts: Any) -> QAction: ...
    def refresh_status(self) -> None: ...
    def open_window(self, db: Database, clock: Clock | None = None) -> QMainWindow: ...
    def close(self) -> bool: ...
    def statusBar(self) -> QStatusBar: ...  # noqa: N802  (Qt's name)


NOT_ENCRYPTED_TIP = (
    "This database is not encrypted: anyone with the file can read it. The demo may stay "
    "so; for real reviews use File > Encrypt database… (an account name and a passphrase "
    "of at least 12 characters)."
)


class WindowSecurity(QObject):
    """Owned by a MainWindow: its idle lock, security actions and status label."""

    def __init__(self, widget: QMainWindow, window: SecuredWindow, clock: Clock = utc_now):
        super().__init__(widget)
        self.widget = widget  # the same window, as the parent of labels and dialogs
        self.window = window
        self.clock = clock
        self.idle = IdleLock(widget, window.ctx.db, window.settings, clock)
        self.label = QLabel(widget)
        self.label.setObjectName("encryptionStatus")
        self.menu: QMenu | None = None
        self.dialog: Any = None  # the open Encrypt / Change passphrase dialog
        self.busy: QProgressDialog | None = None
        self.encrypt_task: Task | None = None
        self.reopened: QMainWindow | None = None  # the window signed in after encrypting

    @property
    def encrypted(self) -> bool:
        return self.window.ctx.db.roles is not None

    # --- menu ---------------------------------------------------------------------------
    def add_actions(self, menu: QMenu) -> None:
        w = self.window
        encrypted = self.encrypted
        lock = w._action("lock_now", "&Lock now", self.lock_now, "Ctrl+L")
        lock.setEnabled(encrypted)
        idle = w._action("idle_lock", "&Idle lock…", self.choose_idle_minutes)
        idle.setEnabled(encrypted)
        for action in (lock, idle):
            menu.addAction(action)
            if not encrypted:
                action.setToolTip("Only an encrypted database locks: it has accounts")
        encrypt = w._action("encrypt_database", "&Encrypt database…", self.encrypt)
        why = self._encrypt_refusal()
        encrypt.setEnabled(why is None)
        encrypt.setToolTip(why or "Encrypt this database and its files; you sign in from now on")
        change = w._action("change_passphrase", "C&hange passphrase…", self.change_passphrase)
        change.setEnabled(encrypted)
        people = w._action("accounts", "Acco&unts…", self.manage_accounts)
        why = "Only an encrypted database has accounts" if not encrypted else \
            self.may("manage_accounts")  # fmt: skip
        people.setEnabled(why is None)
        people.setToolTip(why or "Add accounts, change their roles, disable them")
        for action in (encrypt, change, people):
            menu.addAction(action)
        menu.addSeparator()
        self.menu = menu

    def _encrypt_refusal(self) -> str | None:
        db = self.window.ctx.db
        if self.encrypted:
            return "Already encrypted"
        if db.path.resolve() == paths.demo_db_path().resolve():
            return "The demo database stays plaintext: encrypt your own database"
        return None

    def lock_now(self) -> None:
        self.idle.lock()

    def choose_idle_minutes(self) -> int | None:
        minutes, ok = QInputDialog.getInt(
            self.widget, "Idle lock",
            f"Lock the window after this many minutes without input (1 to {MAX_IDLE_MINUTES}):",
            idle_minutes(self.window.settings), 1, MAX_IDLE_MINUTES,
        )  # fmt: skip
        if not ok:
            return None
        return set_idle_minutes(self.window.settings, minutes)

    def manage_accounts(self) -> None:
        dialog = AccountsDialog(self.window.ctx.db, self.widget)
        self.dialog = dialog
        try:
            dialog.exec()
        finally:
            self.dialog = None
            dialog.deleteLater()
        self.window.refresh_status()  # one's own roles may have changed

    def change_passphrase(self) -> bool:
        dialog = ChangePassphraseDialog(self.window.ctx.db, self.widget, self.clock)
        self.dialog = dialog  # tests drive the open dialog through this
        try:
            changed = bool(dialog.exec())
        finally:
            self.dialog = None
            dialog.deleteLater()
        if changed:
            self.window.statusBar().showMessage("Passphrase changed.", 6000)
        return changed

    def encrypt(self) -> Task | None:
        """Ask for the first account, then close, encrypt and reopen signed in."""
        if self._encrypt_refusal() is not None:
            return None
        db = self.window.ctx.db
        dialog = EncryptDialog(db.path, db.user or "", self.widget)
        self.dialog = dialog
        try:
            if not dialog.exec():
                return None
            name, passphrase = dialog.account(), dialog.passphrase()
        finally:
            self.dialog = None
            dialog.deleteLater()
        return self.run_encryption(name, passphrase)

    def run_encryption(self, name: str, passphrase: str) -> Task:
        """Close this window and its database, encrypt off the GUI thread (a busy dialog
        meanwhile), then open a new window signed in as `name` (`self.reopened`)."""
        w = self.window
        path, user = w.ctx.db.path, w.ctx.db.user
        busy = QProgressDialog(f"Encrypting {path.name} and its files…", "", 0, 0)
        busy.setWindowTitle("Encrypting")
        busy.setCancelButton(None)  # type: ignore[arg-type]  # the conversion is not cancellable
        busy.setWindowModality(Qt.WindowModality.ApplicationModal)
        busy.setMinimumDuration(0)
        busy.show()
        self.busy = busy
        w.close()  # settings saved, background work stopped
        w.ctx.close()
        w.ctx.db.close()

        def job(_report: Any) -> Database:
            encryption.encrypt_database(path, name=name, passphrase=passphrase)
            return accounts.sign_in(path, name, passphrase)

        task = Task(job)
        task.signals.finished.connect(lambda db: self._reopen(db, None))
        task.signals.failed.connect(lambda exc: self._reopen_plaintext(path, user, exc))
        self.encrypt_task = task.start(w.ctx.pool)
        return task

    def _reopen_plaintext(self, path: Path, user: str, exc: BaseException) -> None:
        try:
            db = open_database(path, user=user)
        except DatabaseProblem as again:
            self._close_busy()
            QMessageBox.critical(None, "Encrypt database", f"{error_text(exc)}; and the "
                                 f"database cannot be opened again: {again}")  # fmt: skip
            return
        self._reopen(db, exc)

    def _close_busy(self) -> None:
        if self.busy is not None:
            self.busy.close()
            self.busy.deleteLater()
            self.busy = None

    def _reopen(self, db: Database, exc: BaseException | None) -> None:
        window = self.window.open_window(db, clock=self.clock)
        self._close_busy()
        self.reopened = window
        if exc is not None:
            QMessageBox.warning(window, "Encrypt database",
                                f"The database was not encrypted: {error_text(exc)}")  # fmt: skip
            return
        window.statusBar().showMessage(
            f"Encrypted; signed in as {db.user}. Back up {keyfile_path(db.path).name} "
            "together with the database."
        )  # fmt: skip

    # --- status -------------------------------------------------------------------------
    def user_text(self) -> str:
        db = self.window.ctx.db
        if not self.encrypted:
            return f"Signed in: {db.user or 'unknown'}"
        return f"Signed in: {db.user} ({roles_text(db.roles)})"

    def refresh(self) -> None:
        if self.encrypted:
            self.label.setText("Encrypted")
            self.label.setStyleSheet("")
            self.label.setToolTip(
                f"Encrypted: opened with {self.window.ctx.db.user}'s passphrase. The window "
                f"locks after {idle_minutes(self.window.settings)} idle minutes (File > Idle "
                "lock…). Back up the key file with the database."
            )  # fmt: skip
        else:
            self.label.setText("Not encrypted")
            self.label.setStyleSheet("color: #a1262b; font-weight: bold")
            self.label.setToolTip(NOT_ENCRYPTED_TIP)

    def may(self, action: str, review: Any = None) -> str | None:
        return accounts.may(self.window.ctx.db, action, review)

    def shutdown(self) -> None:
        self.idle.shutdown()
