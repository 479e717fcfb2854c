"""Windows sized to the screen they open on: a 13-inch laptop at 1366x768 or 1024x600
has less room than the sizes the windows were designed at, and a window taller than the
screen hides its own buttons."""

from __future__ import annotations

from .qt import QApplication, QRect, QWidget

# room left for a window manager's title bar and borders while the frame is unknown
FRAME_ALLOWANCE = (16, 40)


def available(widget: QWidget) -> QRect:
    """The screen's area without task bars and docks (the widget's screen, or the first)."""
    screen = widget.screen() or QApplication.primaryScreen()
    return screen.availableGeometry()


def fit_to_screen(widget: QWidget, width: int, height: int, share: float = 1.0) -> None:
    """Resize to width x height, at most `share` of the available screen, and move the
    window inside that area (centred when it was off it)."""
    area = available(widget)
    # Before a window is first shown its frame is not known (frameGeometry is the bare
    # client area), yet a window manager adds a title bar and borders: a 1280x800 window
    # on a 768-pixel screen lost its status bar (who is signed in, Sync) below the edge.
    known = widget.frameGeometry().size() != widget.geometry().size()
    spare_w, spare_h = (0, 0) if known else FRAME_ALLOWANCE
    w = min(width, int(area.width() * share) - spare_w)
    h = min(height, int(area.height() * share) - spare_h)
    widget.resize(w, h)
    frame = widget.frameGeometry()
    if not area.contains(frame):
        frame.moveCenter(area.center())
        widget.move(frame.topLeft())
