"""The Sync command (File > Sync now, F9): one sync at a time, in the background.

A laptop that was never enrolled first asks for the server and an enrollment token
(ConnectDialog). The sync runs in a worker through tasks.run_with_progress: the
progress dialog appears only after SHOW_AFTER_MS, shows SyncProgress.message, and its
Cancel makes the service's `cancelled()` return True (the service stops between
requests and raises SyncCancelled, keeping what was already acknowledged). The
service tells the database's listeners Changes(everything=True), so every view
reloads by itself; the runner only reports the outcome.
"""

from __future__ import annotations

from typing import Any

from inspector_app.services.sync import (
    SyncCancelled,
    SyncProgress,
    SyncReport,
    sync_status,
)

from .connect_dialog import ConnectDialog
from .context import AppContext
from .errors import error_text, is_known
from .qt import QMessageBox, QObject, Qt, QWidget, Signal
from .tasks import Task, run_with_progress


def sync(db: Any, **options: Any) -> SyncReport:
    """services.sync.sync, imported on the first sync (httpx is not needed to start)."""
    from inspector_app.services.sync.run import sync as run_sync

    return run_sync(db, **options)


# Where each phase sits on the progress bar (percent from, to).
PHASES = {
    "connect": (0, 5),
    "upload": (5, 30),
    "push": (30, 60),
    "pull": (60, 97),
    "download": (60, 97),
}


def percent(progress: SyncProgress) -> int:
    low, high = PHASES.get(progress.phase, (0, 97))
    if not progress.total:
        return low
    done = min(max(progress.done, 0), progress.total)
    return low + (high - low) * done // progress.total


def report_text(report: SyncReport) -> str:
    new = len(report.new_conflicts)
    text = (
        f"Synced: pushed {report.pushed:,}, pulled {report.pulled:,}, "
        f"{new} new conflict{'' if new == 1 else 's'}"
    )
    if report.held_back:
        text += f" ({report.held_back:,} changes to other field offices' records stay here)"
    return text


class SyncRunner(QObject):
    """Starts syncs for one window; `sig_running(bool)` while one runs."""

    sig_running = Signal(bool)
    sig_synced = Signal(object)  # the SyncReport
    sig_failed = Signal(str)  # the one line shown

    def __init__(self, ctx: AppContext, parent: QWidget) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.window = parent
        self.task: Task | None = None
        self._busy = False  # from start to the outcome's handler, on the GUI thread
        self.connect_dialog: ConnectDialog | None = None  # tests fill it in
        self.error_box: QMessageBox | None = None
        self.last_message = ""

    @property
    def running(self) -> bool:
        """Asking where to, or syncing until its outcome was handled."""
        return self._busy

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.sig_running.emit(busy)

    def start(self) -> None:
        """Sync now, or first ask where to (a laptop never enrolled)."""
        if self.running:
            return
        if sync_status(self.ctx.db).server:
            self._run(None, None)
            return
        dialog = ConnectDialog(self.window)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.connect_dialog = dialog
        dialog.finished.connect(lambda result: self._on_connect_done(dialog, result))
        self._set_busy(True)
        dialog.open()

    def _on_connect_done(self, dialog: ConnectDialog, result: int) -> None:
        self.connect_dialog = None
        dialog.deleteLater()
        if result == int(ConnectDialog.DialogCode.Accepted):
            self._run(dialog.server(), dialog.token())
        else:
            self._set_busy(False)

    def _run(self, server: str | None, token: str | None) -> None:
        db = self.ctx.db
        holder: list[Task] = []  # filled before the job runs (started from the event loop)

        def progress(p: SyncProgress) -> None:  # in the worker
            # Not through the job's report(): that raises Cancelled inside the service;
            # the service polls `cancelled` itself and stops cleanly.
            holder[0].signals.progress.emit(percent(p), p.message)

        def job(_report: Any) -> SyncReport:
            return sync(db, server=server, token=token, progress=progress,
                        cancelled=lambda: holder[0].is_cancelled)  # fmt: skip

        task = run_with_progress(self.window, "Syncing", job, self._on_done, self._on_error,
                                 pool=self.ctx.pool)  # fmt: skip
        holder.append(task)
        task.signals.progress.connect(self._on_progress)
        task.signals.cancelled.connect(lambda: self._on_error(SyncCancelled("sync cancelled")))
        self.task = task
        self._set_busy(True)
        self._show("Syncing…")

    def _show(self, text: str) -> None:
        self.last_message = text
        bar = getattr(self.window, "statusBar", None)
        if callable(bar):
            bar().showMessage(text)  # stays until the next message

    def _on_progress(self, _percent: int, message: str) -> None:
        if message:
            self._show(message)

    def _on_done(self, report: SyncReport) -> None:
        self._show(report_text(report))
        self._set_busy(False)
        self.sig_synced.emit(report)

    def _on_error(self, exc: BaseException) -> None:
        text = error_text(exc, "sync")
        cancelled = isinstance(exc, SyncCancelled)
        self._show(text if cancelled else f"Sync failed: {text}")
        self._set_busy(False)
        self.sig_failed.emit(text)
        if not cancelled:
            self._error_box(text, known=is_known(exc))

    def _error_box(self, text: str, *, known: bool) -> None:
        """Non-modal: the window stays usable, and nothing waits on the box."""
        if self.error_box is not None:
            self.error_box.close()
        box = QMessageBox(QMessageBox.Icon.Warning if known else QMessageBox.Icon.Critical,
                          "Sync failed", text, parent=self.window)  # fmt: skip
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.show()
        self.error_box = box

    def shutdown(self, timeout_s: float = 30.0) -> None:
        """Cancel a running sync and wait for it to stop (before the database closes)."""
        if self.task is not None and not self.task.done.is_set():
            self.task.cancel()
            self.task.done.wait(timeout_s)
