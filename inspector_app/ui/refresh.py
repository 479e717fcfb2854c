"""Refresh a view now if it is on screen, else once when it is next shown.

A hidden page (another tab of the main window, a stacked page not current) that
recomputed on every change would do work nobody sees, on every answer. Instead it is
marked stale and refreshes the first time it is shown again.
"""

from __future__ import annotations

from collections.abc import Callable

from .qt import QEvent, QObject, QTimer, QWidget


class RefreshWhenShown(QObject):
    """Watches `view` for Show events; `request()` refreshes now or when shown.

    Requests arriving together (a burst of changes) give one refresh: the refresh runs
    from a single-shot timer `interval` ms later.
    """

    def __init__(self, view: QWidget, refresh: Callable[[], None], interval: int = 0) -> None:
        super().__init__(view)
        self.view = view
        self.stale = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(interval)
        self._timer.timeout.connect(refresh)
        view.installEventFilter(self)

    def request(self) -> None:
        if self.view.isVisible():
            self._timer.start()
        else:
            self.stale = True

    @property
    def pending(self) -> bool:
        """A refresh is waiting: stale, or due on the timer."""
        return self.stale or self._timer.isActive()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if obj is self.view and event.type() == QEvent.Type.Show and self.stale:
            self.stale = False
            self._timer.start()
        return False
