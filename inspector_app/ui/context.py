"""What every view gets: the open database and one "something changed" signal.

Services call the database's listeners once per committed action with a Changes
(store/changes.py: which rows, tables and reviews it touched). The context posts it to
the event loop and emits sig_changed from there, on the GUI thread: a view never hears
of a change in the middle of the call that made it (no re-entry while a handler is
still running), and each view decides from the Changes whether to refresh (Anki's
OpChanges, CONVENTIONS.md). Code that must see a refresh waits for the event loop
(qtbot.waitUntil in tests).
"""

from __future__ import annotations

from inspector_app.store.changes import Changes
from inspector_app.store.database import Database

from .qt import QObject, QSettings, Qt, QThreadPool, Signal


class AppContext(QObject):
    sig_changed = Signal(object)  # inspector_app.store.changes.Changes
    sig_open_review = Signal(str)  # ask the main window to open a review workspace
    sig_open_agency = Signal(str)
    sig_status = Signal(str)  # a short message for the status bar
    _sig_posted = Signal(object)  # Changes on their way through the event loop

    def __init__(
        self, db: Database, settings: QSettings | None = None, parent: QObject | None = None
    ):
        super().__init__(parent)
        self.db = db
        self.settings = settings
        self.pool = QThreadPool.globalInstance()
        self._closed = False
        # Queued, from any thread: delivered by the GUI thread's event loop.
        self._sig_posted.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        db.listeners.append(self._on_db_change)

    def _on_db_change(self, changes: Changes) -> None:
        self._sig_posted.emit(changes)

    def _deliver(self, changes: Changes) -> None:
        if not self._closed:
            self.sig_changed.emit(changes)

    def close(self) -> None:
        self._closed = True
        if self._on_db_change in self.db.listeners:
            self.db.listeners.remove(self._on_db_change)
