"""Windows sized to the screen they open on: a 13-inch laptop at 1366x768 or 1024x600
has less room than the sizes the windows were designed at, and a window taller than the
screen hides its own buttons."""

from __future__ import annotations

from .qt import QApplication, QRect, QWidget


def available(widget: QWidget) -> QRect:
    """The screen's area without task bars and docks (the widget's screen, or the first)."""
    screen = widget.screen() or QApplication.primaryScreen()
    return screen.availableGeometry()


def fit_to_screen(widget: QWidget, width: int, height: int, share: float = 1.0) -> None:
    """Resize to width x height, at most `share` of the available screen, and move the
    window inside that area (centred when it was off it)."""
    area = available(widget)
    w = min(width, int(area.width() * share))
    h = min(height, int(area.height() * share))
    widget.resize(w, h)
    frame = widget.frameGeometry()
    if not area.contains(frame):
        frame.moveCenter(area.center())
        widget.move(frame.topLeft())
