"""Long work off the GUI thread, with progress and cancel.

A job is a plain function `job(report)` where `report(percent, message)` publishes
progress and raises `Cancelled` once the user has cancelled, so the job stops at its
next step. Jobs are testable without Qt (call them with a lambda). A progress dialog
appears only when the job runs longer than SHOW_AFTER_MS, so quick jobs never flash.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from .errors import is_known, log_unexpected
from .qt import QObject, QProgressDialog, QRunnable, Qt, QThreadPool, QTimer, QWidget, Signal

SHOW_AFTER_MS = 600

Report = Callable[[int, str], None]


class Cancelled(Exception):
    """Raised inside a job when the user cancelled it."""


class _Signals(QObject):
    progress = Signal(int, str)
    finished = Signal(object)
    failed = Signal(object)  # the exception
    cancelled = Signal()


class Task(QRunnable):
    """One background job. Connect to `signals` before `start()`."""

    def __init__(self, job: Callable[[Report], Any]):
        super().__init__()
        self.setAutoDelete(False)
        self.job = job
        self.signals = _Signals()
        self._cancel = threading.Event()
        self.done = threading.Event()
        self.dialog: QProgressDialog | None = None  # run_with_progress's (kept alive with it)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def _report(self, percent: int, message: str) -> None:
        if self._cancel.is_set():
            raise Cancelled
        self.signals.progress.emit(int(percent), message)

    def run(self) -> None:  # in a pool thread
        try:
            result = self.job(self._report)
        except Cancelled:
            self.signals.cancelled.emit()
        except Exception as exc:  # noqa: BLE001  (a worker cannot raise: handed to the caller)
            exc.formatted_traceback = traceback.format_exc()  # type: ignore[attr-defined]
            if not is_known(exc):  # a bug: its traceback goes to the log, from this thread
                exc.logged_to = log_unexpected(exc, "background task")  # type: ignore[attr-defined]
            self.signals.failed.emit(exc)
        else:
            self.signals.finished.emit(result)
        finally:
            self.done.set()

    def start(self, pool: QThreadPool | None = None) -> Task:
        (pool or QThreadPool.globalInstance()).start(self)
        return self


def run_with_progress(
    parent: QWidget | None,
    title: str,
    job: Callable[[Report], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
    *,
    pool: QThreadPool | None = None,
) -> Task:
    """Run `job` in the background; show a cancellable progress dialog if it is slow."""
    task = Task(job)
    dialog = QProgressDialog(title, "Cancel", 0, 100, parent)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(SHOW_AFTER_MS)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setValue(0)
    dialog.canceled.connect(task.cancel)

    def _progress(percent: int, message: str) -> None:
        dialog.setLabelText(message or title)
        dialog.setValue(percent)

    def _close() -> None:
        dialog.canceled.disconnect(task.cancel)
        dialog.reset()
        dialog.deleteLater()

    def _finished(result: Any) -> None:
        _close()
        on_done(result)

    def _failed(exc: BaseException) -> None:
        _close()
        on_error(exc)

    task.signals.progress.connect(_progress)
    task.signals.finished.connect(_finished)
    task.signals.failed.connect(_failed)
    task.signals.cancelled.connect(_close)
    QTimer.singleShot(0, lambda: task.start(pool))
    task.dialog = dialog  # kept alive with the task; tests read it
    return task
