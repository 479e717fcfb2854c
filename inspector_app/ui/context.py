"""What every view gets: the open database and one "something changed" signal.

Services call the database's listeners after each committed action; the context turns
that into a Qt signal on the GUI thread, so each view decides whether to refresh
(Anki's single change hook, CONVENTIONS.md).
"""

from __future__ import annotations

from inspector_app.store.database import Change, Database

from .qt import QObject, QSettings, QThreadPool, Signal


class AppContext(QObject):
    sig_changed = Signal(object)  # inspector_app.store.database.Change
    sig_open_review = Signal(str)  # ask the main window to open a review workspace
    sig_open_agency = Signal(str)
    sig_status = Signal(str)  # a short message for the status bar

    def __init__(
        self, db: Database, settings: QSettings | None = None, parent: QObject | None = None
    ):
        super().__init__(parent)
        self.db = db
        self.settings = settings
        self.pool = QThreadPool.globalInstance()
        # Queued across threads by Qt: a service called from a worker is still delivered
        # to the views on the GUI thread.
        db.listeners.append(self._on_db_change)

    def _on_db_change(self, change: Change) -> None:
        self.sig_changed.emit(change)

    def close(self) -> None:
        if self._on_db_change in self.db.listeners:
            self.db.listeners.remove(self._on_db_change)
