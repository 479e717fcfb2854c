"""INSPECTOR_QUIT_AFTER_PAINT=1: quit once the main window has been painted.

For the start-up benchmark (bench/startup.py), the tests that check what is imported
before the first view shows, and the frozen bundle's smoke run: the process ends
with status 0 right after the first paint, so its whole lifetime is the start-up.
Functions in HOOKS run at the first paint, before the quit (a test appends one), and
one line on stderr gives the wall-clock time of that paint ("first paint at EPOCH").
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

from .qt import QApplication, QEvent, QObject, QTimer

ENV = "INSPECTOR_QUIT_AFTER_PAINT"
HOOKS: list[Callable[[], None]] = []


class _QuitAfterFirstPaint(QObject):
    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._app = app

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Paint:
            self._app.removeEventFilter(self)
            sys.stderr.write(f"inspector-app: first paint at {time.time():.6f}\n")
            for hook in HOOKS:
                hook()
            # The rest of this paint pass finishes first: the timer runs after it. Closing
            # the windows (not only quitting) lets them stop their work as a user's close
            # would: background loads finish before the database closes.
            QTimer.singleShot(0, self._quit)
        return False

    def _quit(self) -> None:
        self._app.closeAllWindows()
        self._app.quit()


def quit_after_first_paint(app: object, environ: dict[str, str] | os._Environ = os.environ) -> None:
    """Install the watcher when the environment asks for it."""
    if environ.get(ENV) == "1" and isinstance(app, QApplication):
        app.installEventFilter(_QuitAfterFirstPaint(app))
