"""The main window's security commands and status (docs/security.md, issue 11).

File menu: Lock now (Ctrl+L), Idle lock…, Encrypt database… (a plaintext database),
Change passphrase… (an encrypted one), Accounts… (an admin). The status bar says who
is signed in with their roles, or "Not encrypted" for a plaintext database (the demo).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from inspector_app.services import accounts

from .idle_lock import MAX_IDLE_MINUTES, IdleLock, idle_minutes, set_idle_minutes
from .qt import QInputDialog, QLabel, QMenu, QObject
from .sign_in_dialog import Clock, roles_text, utc_now

if TYPE_CHECKING:
    from .main_window import MainWindow

NOT_ENCRYPTED_TIP = (
    "This database is not encrypted: anyone with the file can read it. The demo may stay "
    "so; for real reviews use File > Encrypt database… (an account name and a passphrase "
    "of at least 12 characters)."
)


class WindowSecurity(QObject):
    """Owned by a MainWindow: its idle lock, security actions and status label."""

    def __init__(self, window: MainWindow, clock: Clock = utc_now):
        super().__init__(window)
        self.window = window
        self.clock = clock
        self.idle = IdleLock(window, window.ctx.db, window.settings, clock)
        self.label = QLabel(window)
        self.label.setObjectName("encryptionStatus")
        self.menu: QMenu | None = None

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
        menu.addSeparator()
        self.menu = menu

    def lock_now(self) -> None:
        self.idle.lock()

    def choose_idle_minutes(self) -> int | None:
        minutes, ok = QInputDialog.getInt(
            self.window, "Idle lock",
            f"Lock the window after this many minutes without input (1 to {MAX_IDLE_MINUTES}):",
            idle_minutes(self.window.settings), 1, MAX_IDLE_MINUTES,
        )  # fmt: skip
        if not ok:
            return None
        return set_idle_minutes(self.window.settings, minutes)

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
