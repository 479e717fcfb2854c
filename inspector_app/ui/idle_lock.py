"""The idle lock (docs/security.md): after N minutes without keyboard or mouse input the
window hides its content behind a lock that needs the signed-in person's passphrase.

N is a setting (QSettings "security/idle_minutes", default 15, 1 to 30: a larger value
counts as 30). Only an encrypted database locks (a plaintext one has no accounts). The
clock is injectable and `check()` is what the timer calls, so a test advances time
instead of waiting. A wrong passphrase at the lock counts toward the account's lockout
and is audited (accounts.check_passphrase).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from inspector_app.domain.errors import KnownError
from inspector_app.services import accounts
from inspector_app.store.database import Database

from .qt import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QEvent,
    QLabel,
    QMainWindow,
    QObject,
    QSettings,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from .sign_in_dialog import Clock, error_label, passphrase_field, refusal_text, utc_now

IDLE_KEY = "security/idle_minutes"
DEFAULT_IDLE_MINUTES = 15
MAX_IDLE_MINUTES = 30
CHECK_MS = 10_000  # how often the timer looks at the idle time
INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
    QEvent.Type.Wheel, QEvent.Type.TouchBegin,
})  # fmt: skip


def clamp_minutes(value: Any) -> int:
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        return DEFAULT_IDLE_MINUTES
    return max(1, min(MAX_IDLE_MINUTES, minutes))


def idle_minutes(settings: QSettings | None) -> int:
    if settings is None:
        return DEFAULT_IDLE_MINUTES
    return clamp_minutes(settings.value(IDLE_KEY, DEFAULT_IDLE_MINUTES))


def set_idle_minutes(settings: QSettings, minutes: int) -> int:
    """Store the setting (clamped to 1..30); returns what was stored."""
    value = clamp_minutes(minutes)
    settings.setValue(IDLE_KEY, value)
    settings.sync()
    return value


class LockDialog(QDialog):
    """Over the hidden content: the signed-in person's passphrase, or quit."""

    sig_unlocked = Signal()
    sig_quit = Signal()

    def __init__(self, db: Database, clock: Clock, parent: QWidget | None = None, minutes: int = 0):
        super().__init__(parent)
        self.db, self.clock = db, clock
        self.setWindowTitle("Inspector is locked")
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setMinimumWidth(460)
        why = f"after {minutes} idle minutes" if minutes else "on request"
        intro = QLabel(f"<b>Locked {why}.</b> The review content is hidden. Enter the "
                       f"passphrase of <b>{db.user}</b> to continue.", self)  # fmt: skip
        intro.setWordWrap(True)
        self.passphrase = passphrase_field(self, f"Passphrase of {db.user}")
        self.passphrase.setAccessibleName("Passphrase")
        self.message = error_label(self)
        self.buttons = QDialogButtonBox(self)
        self.unlock_button = self.buttons.addButton("&Unlock",
                                                    QDialogButtonBox.ButtonRole.AcceptRole)  # fmt: skip
        self.quit_button = self.buttons.addButton("&Quit Inspector",
                                                  QDialogButtonBox.ButtonRole.DestructiveRole)  # fmt: skip
        self.unlock_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.quit_button.clicked.connect(self._quit)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.passphrase)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.passphrase.setFocus()

    def accept(self) -> None:
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            accounts.check_passphrase(self.db, self.passphrase.text(), now=self.clock())
        except KnownError as exc:
            self.message.setText(refusal_text(exc))
            self.passphrase.clear()
            self.passphrase.setFocus()
            return
        finally:
            QApplication.restoreOverrideCursor()
        super().accept()
        self.sig_unlocked.emit()

    def reject(self) -> None:
        """Escape and the close button do not unlock anything."""

    def _quit(self) -> None:
        super().reject()
        self.sig_quit.emit()


class IdleLock(QObject):
    """Watches the application's input for one main window and locks it when idle."""

    sig_locked = Signal(bool)

    def __init__(self, window: QMainWindow, db: Database, settings: QSettings | None,
                 clock: Clock = utc_now):  # fmt: skip
        super().__init__(window)
        self.window, self.db, self.settings, self.clock = window, db, settings, clock
        self.last_input = clock()
        self.dialog: LockDialog | None = None
        self._hidden: list[QWidget] = []
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_MS)
        self.timer.timeout.connect(self.check)
        self.enabled = db.roles is not None  # plaintext: no accounts, nothing to unlock with
        if self.enabled:
            app = QApplication.instance()
            if app is not None:
                app.installEventFilter(self)
            self.timer.start()

    @property
    def locked(self) -> bool:
        return self.dialog is not None

    def minutes(self) -> int:
        return idle_minutes(self.settings)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() in INPUT_EVENTS and not self.locked:
            self.last_input = self.clock()
        return False

    def check(self) -> None:
        """The timer's tick: lock once the idle time reaches the setting."""
        if not self.enabled or self.locked:
            return
        if self.clock() - self.last_input >= timedelta(minutes=self.minutes()):
            self.lock(self.minutes())

    def lock(self, minutes: int = 0) -> LockDialog | None:
        if not self.enabled or self.dialog is not None:
            return self.dialog
        self._hide_content()
        self.dialog = LockDialog(self.db, self.clock, self.window, minutes)
        self.dialog.sig_unlocked.connect(self._unlocked)
        self.dialog.sig_quit.connect(self._quit)
        self.dialog.show()
        self.sig_locked.emit(True)
        return self.dialog

    def _hide_content(self) -> None:
        """The central widget and every other open window (reports) are hidden."""
        central = self.window.centralWidget()
        self._hidden = [central] if central is not None and central.isVisible() else []
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QMainWindow) and widget is not self.window \
                    and widget.isVisible():  # fmt: skip
                self._hidden.append(widget)
        for widget in self._hidden:
            widget.hide()

    def _unlocked(self) -> None:
        for widget in self._hidden:
            widget.show()
        self._hidden = []
        self._drop_dialog()
        self.last_input = self.clock()
        self.sig_locked.emit(False)

    def _drop_dialog(self) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
            self.dialog = None

    def _quit(self) -> None:
        self._drop_dialog()
        self._hidden = []
        self.window.close()

    def shutdown(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        if self.dialog is not None:
            self.dialog.hide()
            self._drop_dialog()
