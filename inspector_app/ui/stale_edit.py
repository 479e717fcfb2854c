"""The bar an editor shows when its save was refused because someone else saved the same
row after it was opened (services.errors.StaleEdit).

It says who and when (the error's one line), shows their version of what changed, and
offers "Keep mine" (save again over theirs, deliberately) or "Load theirs". The editor
keeps the user's text in its fields meanwhile: nothing typed is dropped.
"""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

from inspector_app.services.errors import StaleEdit

from .qt import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)

_STYLE = (
    "QFrame#stale_edit { background: #fff4ce; border: 1px solid #e0b100; border-radius: 3px; }"
    " QLabel { color: #5c4400; }"
)


def plain(value: Any) -> str:
    """A value as a form shows it (None and '' alike, dates as ISO)."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def their_changes(exc: StaleEdit, loaded: dict[str, Any] | None) -> dict[str, Any]:
    """Their value of each field that differs from what the editor loaded (their change);
    without `loaded`, each field that differs from what the user tried to save."""
    if loaded is None:
        return exc.changed_fields()
    return {k: v for k, v in exc.current.items() if k in loaded and plain(loaded[k]) != plain(v)}


class StaleEditBar(QFrame):
    sig_keep_mine = Signal()
    sig_load_theirs = Signal()

    def __init__(self, parent: QWidget | None = None, labels: dict[str, str] | None = None):
        super().__init__(parent)
        self.setObjectName("stale_edit")
        self.setStyleSheet(_STYLE)
        self.labels = labels or {}
        self.exc: StaleEdit | None = None
        self.message = QLabel(self)
        self.message.setObjectName("stale_message")
        self.message.setWordWrap(True)
        self.theirs = QLabel(self)
        self.theirs.setObjectName("stale_theirs")
        self.theirs.setWordWrap(True)
        self.theirs.setTextFormat(Qt.TextFormat.RichText)
        self.theirs.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.keep_button = QPushButton("Keep mine", self)
        self.keep_button.setObjectName("keep_mine")
        self.keep_button.setToolTip("Save your version over theirs")
        self.load_button = QPushButton("Load theirs", self)
        self.load_button.setObjectName("load_theirs")
        self.load_button.setToolTip("Replace what you typed with their version")
        self.keep_button.clicked.connect(self.sig_keep_mine)
        self.load_button.clicked.connect(self.sig_load_theirs)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.keep_button)
        buttons.addWidget(self.load_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.theirs)
        layout.addLayout(buttons)
        self.hide()

    @property
    def pending(self) -> bool:
        return self.exc is not None

    def show_conflict(
        self, exc: StaleEdit, loaded: dict[str, Any] | None = None, mine: str | None = None
    ) -> None:
        """Show the refusal and their version of the fields that changed since `loaded`
        (what the editor started from); `mine`: the user's text when not in a field."""
        self.exc = exc
        self.message.setText(str(exc))
        rows = [
            f"<b>{escape(self.labels.get(k, k.replace('_', ' ').capitalize()))}:</b> "
            f"{escape(plain(v)) or '<i>(empty)</i>'}"
            for k, v in their_changes(exc, loaded).items()
        ]
        text = ("<b>Their version</b><br>" + "<br>".join(rows)) if rows else ""
        if mine is not None:
            text += f"{'<br>' if text else ''}<b>Yours (not saved):</b> {escape(mine)}"
        self.theirs.setText(text)
        self.theirs.setVisible(bool(text))
        self.show()
        self._grow_dialog()

    def _grow_dialog(self) -> None:
        """Make room for the bar in the dialog it sits in (within the screen), so the
        fields above keep their height instead of being squeezed and clipped. A bar
        inside the main window leaves the window's size alone."""
        dialog = self.window()
        if not isinstance(dialog, QDialog):
            return
        layout = dialog.layout()
        if layout is not None:
            layout.activate()
        hint, screen = dialog.sizeHint(), dialog.screen().availableGeometry()
        dialog.resize(max(dialog.width(), min(hint.width(), screen.width())),
                      max(dialog.height(), min(hint.height(), screen.height())))  # fmt: skip

    def clear(self) -> None:
        self.exc = None
        self.hide()
