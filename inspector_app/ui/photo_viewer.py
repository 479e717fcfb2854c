"""The photo viewer: one photo of an item or finding at a time, fitted to the window.

Ctrl++ / Ctrl+- / Ctrl+0 (or Ctrl with the mouse wheel) zoom in, out and back to fit;
arrows or PageUp/PageDown go to the previous or next photo; the caption is edited
below the photo and saved from the revision shown (StaleEdit if someone saved it
since: "Keep mine" or "Load theirs", as in the other editors).

*Mark up* draws arrows, circles and text on a copy: *Save markup* stores it as a NEW
attachment next to the photo, captioned "Marked up from ..." and naming the original
(derived_from); the original's row and bytes are never touched. *Remove* is a
tombstone; both, and a caption saved, are undone with Undo (Ctrl+Z here, or in the
workspace; Ctrl+Shift+Z or Ctrl+Y redo). In the caption field Ctrl+Z undoes typing
while there is unsaved text, and the saved edits otherwise.

The photo is decrypted in memory (services.attachments.read_bytes): nothing decoded is
written to disk. A document is not opened with the system viewer (that would need a
decrypted copy on disk): *Save as...* writes a copy where the user chooses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from inspector_app.services import attachments
from inspector_app.services.errors import ServiceError, StaleEdit
from inspector_app.services.review_views import Attachment
from inspector_app.store.errors import DatabaseProblem

from .markup import TOOLS, PhotoView, decode_image
from .qt import (
    QAction,
    QButtonGroup,
    QDialog,
    QEvent,
    QFileDialog,
    QHBoxLayout,
    QKeyEvent,
    QKeySequence,
    QLabel,
    QLineEdit,
    QObject,
    QPushButton,
    Qt,
    QToolBar,
    QVBoxLayout,
    QWidget,
)
from .stale_edit import StaleEditBar

_TOOL_LABELS = {"arrow": "Arrow", "ellipse": "Circle", "text": "Text"}
_ERROR_STYLE = "color: #b3261e;"


class FileActions(Protocol):
    """What the list a viewer was opened from offers: its database, undoable removal
    and captions, undo and redo (the workspace's undo stack, or the finding editor's)."""

    db: Any

    def read_only(self) -> bool: ...
    def remove(self, attachment: Attachment) -> None: ...
    def added(self, attachment: Attachment) -> None: ...
    def set_caption(self, attachment: Attachment, caption: str, base_rev: int | None
                    ) -> Attachment: ...  # fmt: skip
    def undo(self) -> None: ...
    def redo(self) -> None: ...
    def undo_text(self) -> str: ...


def _is_undo_or_redo(event: QKeyEvent) -> bool:
    return any(event.matches(k) for k in (QKeySequence.StandardKey.Undo,
                                          QKeySequence.StandardKey.Redo)) or (
        event.keyCombination().toCombined() in _REDO_KEYS)  # fmt: skip


_REDO_KEYS = {QKeySequence(k)[0].toCombined() for k in ("Ctrl+Shift+Z", "Ctrl+Y")}  # type: ignore[index]


def save_copy_as(parent: QWidget, db: Any, attachment: Attachment) -> Path | None:  # noqa: ANN401
    """Ask where, then write the file (decrypted) there; None if cancelled."""
    name, _ = QFileDialog.getSaveFileName(parent, "Save a copy as", attachment.filename)
    if not name:
        return None
    return attachments.save_copy(db, attachment.id, Path(name))


class PhotoViewer(QDialog):
    def __init__(self, actions: FileActions, photos: list[Attachment], index: int = 0,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("photo_viewer")
        self.setWindowTitle("Photo")
        self.file_actions, self.db = actions, actions.db
        self._ids = [p.id for p in photos]  # removed ones come back on undo
        self.photos: list[Attachment] = [p for p in photos if attachments.is_image(p)]
        self.index = 0
        self.base_rev: int | None = None
        self.read_only = actions.read_only()

        self.view = PhotoView(self)
        self.view.sig_marks_changed.connect(self._on_marks)
        self.position = QLabel(self)
        self.position.setObjectName("photo_position")
        self.caption = QLineEdit(self)
        self.caption.setObjectName("photo_caption")
        self.caption.setPlaceholderText("Caption (what the photo shows, where, when)")
        self.caption.returnPressed.connect(self.save_caption)
        self.caption.installEventFilter(self)  # Ctrl+Z: typing, or the saved edits
        self.caption_button = self._button("Save caption", self.save_caption, "save_caption")
        self.stale = StaleEditBar(self, {"caption": "Caption"})
        self.stale.sig_keep_mine.connect(self.keep_mine)
        self.stale.sig_load_theirs.connect(self.load_theirs)
        self.message = QLabel(self)
        self.message.setObjectName("photo_message")
        self.message.setWordWrap(True)
        self.message.hide()

        self.toolbar = QToolBar(self)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.prev_action = self._action("◀ Previous", self.previous, "Left", "PgUp")
        self.next_action = self._action("Next ▶", self.next, "Right", "PgDown")
        self.toolbar.addSeparator()
        self.zoom_out_action = self._action("Zoom out", self.zoom_out, "Ctrl+-")
        self.zoom_in_action = self._action("Zoom in", self.zoom_in, "Ctrl++", "Ctrl+=")
        self.fit_action = self._action("Fit", self.view.fit, "Ctrl+0")
        self.toolbar.addSeparator()
        self.markup_action = self._action("Mark up…", self.start_markup, "Ctrl+M")
        self.save_as_action = self._action("Save as…", self.save_as, "Ctrl+Shift+S")
        self.remove_action = self._action("Remove", self.remove, "Del")
        self.undo_action = self._action("Undo", self.undo, "Ctrl+Z")
        self.redo_action = self._action("Redo", self.redo, "Ctrl+Shift+Z", "Ctrl+Y")

        self.markup_bar = self._markup_bar()
        caption_row = QHBoxLayout()
        caption_row.addWidget(QLabel("Caption", self))
        caption_row.addWidget(self.caption, 1)
        caption_row.addWidget(self.caption_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.markup_bar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.position)
        layout.addLayout(caption_row)
        layout.addWidget(self.stale)
        layout.addWidget(self.message)
        self.resize(1000, 740)
        start = photos[index].id if 0 <= index < len(photos) else None
        self._show_id(start)

    # -- building --------------------------------------------------------------------

    def _button(self, text: str, slot: Any, name: str) -> QPushButton:  # noqa: ANN401
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAutoDefault(False)  # Enter in the caption saves the caption only
        button.clicked.connect(slot)
        return button

    def _action(self, text: str, slot: Any, *keys: str) -> QAction:  # noqa: ANN401
        action = QAction(text, self)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setToolTip(f"{text.strip('◀▶ …')} ({keys[0]})")
        action.triggered.connect(slot)
        self.toolbar.addAction(action)
        return action

    def _markup_bar(self) -> QWidget:
        bar = QWidget(self)
        bar.setObjectName("markup_bar")
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("<b>Mark up a copy:</b>", bar))
        self.tool_group = QButtonGroup(bar)
        self.tool_buttons: dict[str, QPushButton] = {}
        for tool in TOOLS:
            button = self._button(_TOOL_LABELS[tool], lambda _c=False, t=tool: self.set_tool(t),
                                  f"tool_{tool}")  # fmt: skip
            button.setCheckable(True)
            self.tool_group.addButton(button)
            self.tool_buttons[tool] = button
            row.addWidget(button)
        self.undo_mark_button = self._button("Undo mark", self.view.undo_mark, "undo_mark")
        row.addWidget(self.undo_mark_button)
        hint = QLabel("Drag to draw; Text: click where it goes.", bar)
        hint.setStyleSheet("color: #555;")
        hint.setWordWrap(True)
        row.addWidget(hint, 1)
        self.save_markup_button = self._button("Save markup as a new photo", self.save_markup,
                                               "save_markup")  # fmt: skip
        row.addWidget(self.save_markup_button)
        row.addWidget(self._button("Cancel", self.cancel_markup, "cancel_markup"))
        bar.hide()
        return bar

    # -- which photo -----------------------------------------------------------------

    def current(self) -> Attachment | None:
        return self.photos[self.index] if self.photos else None

    def _show_id(self, attachment_id: str | None) -> None:
        ids = [p.id for p in self.photos]
        self.show_index(ids.index(attachment_id) if attachment_id in ids else self.index)

    def show_index(self, index: int) -> None:
        self.cancel_markup()
        self.stale.clear()
        self._say("")
        if not self.photos:
            self.view.set_image(decode_image(b""))
            self.position.setText("No photos left here (Undo brings a removed one back).")
            self.caption.clear()
            self._apply_enabled()
            return
        self.index = max(0, min(index, len(self.photos) - 1))
        photo = self.photos[self.index]
        data = attachments.read_bytes(self.db, photo)
        image = decode_image(data or b"")
        self.view.set_image(image)
        self.base_rev = photo.rev
        self.caption.setText(photo.caption)
        self._show_undo_text()
        size = f"{image.width()} × {image.height()}" if not image.isNull() else "cannot be read"
        self.position.setText(f"Photo {self.index + 1} of {len(self.photos)} · "
                              f"{photo.filename} · {size}")  # fmt: skip
        self.setWindowTitle(f"Photo: {photo.caption or photo.filename}")
        if image.isNull():
            self._say(f"{photo.filename}: the stored file is missing or damaged.")
        self._apply_enabled()

    def next(self) -> None:
        if self.index + 1 < len(self.photos):
            self.show_index(self.index + 1)

    def previous(self) -> None:
        if self.index > 0:
            self.show_index(self.index - 1)

    def zoom_in(self) -> None:
        self.view.zoom_by(1.25)

    def zoom_out(self) -> None:
        self.view.zoom_by(0.8)

    def _reload(self, show: str | None = None) -> None:
        """Read the photos again (after a removal, an undo, a markup)."""
        current = self.current()
        rows = [attachments.attachment(self.db, i) for i in self._ids]
        self.photos = [r for r in rows if r is not None and attachments.is_image(r)]
        self._show_id(show or (current.id if current else None))

    def _apply_enabled(self) -> None:
        has = bool(self.photos) and self.view.has_image()
        editable = has and not self.read_only
        self.prev_action.setEnabled(self.index > 0)
        self.next_action.setEnabled(self.index + 1 < len(self.photos))
        for action in (self.zoom_in_action, self.zoom_out_action, self.fit_action,
                       self.save_as_action):  # fmt: skip
            action.setEnabled(has or (action is self.save_as_action and bool(self.photos)))
        self.markup_action.setEnabled(editable)
        self.remove_action.setEnabled(bool(self.photos) and not self.read_only)
        self.caption.setReadOnly(not editable)
        self.caption_button.setEnabled(editable)

    def _say(self, text: str, error: bool = True) -> None:
        self.message.setStyleSheet(_ERROR_STYLE if error else "color: #1b5e20;")
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _run(self, call: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: ANN401
        """A service call; its refusal is shown here (None returned)."""
        try:
            return call(*args, **kwargs)
        except (ServiceError, DatabaseProblem) as exc:
            self._say(str(exc))
            return None

    # -- caption ---------------------------------------------------------------------

    def save_caption(self) -> bool:
        photo = self.current()
        if photo is None or self.read_only:
            return False
        try:
            saved = self.file_actions.set_caption(photo, self.caption.text(), self.base_rev)
        except StaleEdit as exc:  # someone saved it since it was shown: keep the user's text
            self.stale.show_conflict(exc, {"caption": photo.caption})
            return False
        except (ServiceError, DatabaseProblem) as exc:
            self._say(str(exc))
            return False
        self.stale.clear()
        self.photos[self.index] = saved
        self.base_rev = saved.rev
        self.caption.setText(saved.caption)
        self._say("Caption saved (Ctrl+Z undoes).", error=False)
        self._show_undo_text()
        return True

    def keep_mine(self) -> bool:
        exc = self.stale.exc
        if exc is None:
            return False
        self.base_rev = exc.current_rev
        return self.save_caption()

    def load_theirs(self) -> None:
        self.stale.clear()
        self._reload()

    # -- remove, undo, save as ---------------------------------------------------------

    def remove(self) -> None:
        photo = self.current()
        if photo is None or self.read_only:
            return
        self.file_actions.remove(photo)
        self._reload()
        if self.current() is None or self.current().id != photo.id:  # type: ignore[union-attr]
            self._say(f"Removed {photo.filename} (Undo brings it back).", error=False)

    def undo(self) -> None:
        if self.markup_bar.isVisible():
            self.view.undo_mark()
            return
        self.file_actions.undo()
        self._reload()

    def redo(self) -> None:
        if self.markup_bar.isVisible():
            return
        self.file_actions.redo()
        self._reload()

    def _show_undo_text(self) -> None:
        """The Undo button names what it undoes ("Undo caption (poster.jpg)")."""
        what = self.file_actions.undo_text()
        self.undo_action.setText(f"Undo {what.split(' (')[0]}" if what else "Undo")
        self.undo_action.setToolTip(f"Undo {what} (Ctrl+Z)" if what else "Undo (Ctrl+Z)")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        # Ctrl+Z in the caption undoes typing while there is unsaved text; otherwise
        # it is the viewer's (and the workspace's) Undo: the shortcut is let through
        if (watched is self.caption and event.type() == QEvent.Type.ShortcutOverride
                and isinstance(event, QKeyEvent) and _is_undo_or_redo(event)
                and self._caption_saved()):  # fmt: skip
            return True
        return super().eventFilter(watched, event)

    def _caption_saved(self) -> bool:
        photo = self.current()
        return photo is None or self.caption.text().strip() == photo.caption

    def save_as(self) -> Path | None:
        photo = self.current()
        if photo is None:
            return None
        saved = self._run(save_copy_as, self, self.db, photo)
        if saved is not None:
            self._say(f"Saved a copy as {saved}.", error=False)
        return saved

    # -- markup ----------------------------------------------------------------------

    def start_markup(self) -> None:
        if self.current() is None or self.read_only or not self.view.has_image():
            return
        self.markup_bar.show()
        self.set_tool("arrow")
        self._on_marks(len(self.view.marks))

    def set_tool(self, tool: str | None) -> None:
        if tool is not None:
            self.tool_buttons[tool].setChecked(True)
        self.view.set_tool(tool)

    def cancel_markup(self) -> None:
        """Drop the marks drawn (nothing was saved)."""
        self.view.clear_marks()
        self.view.set_tool(None)
        self.markup_bar.hide()

    def _on_marks(self, count: int) -> None:
        self.save_markup_button.setEnabled(count > 0)
        self.undo_mark_button.setEnabled(count > 0)

    def save_markup(self) -> Attachment | None:
        """Store the photo with its marks as a new attachment (the original stays as is)."""
        photo = self.current()
        if photo is None or not self.view.marks:
            return None
        jpeg = photo.mime_type in ("image/jpeg", "image/jpg")
        data = self.view.rendered("JPG" if jpeg else "PNG")
        copy = self._run(attachments.add_markup, self.db, photo.id, data,
                         suffix=".jpg" if jpeg else ".png")  # fmt: skip
        if copy is None:
            return None
        self.file_actions.added(copy)
        self._ids.insert(self._ids.index(photo.id) + 1, copy.id)
        self._reload(show=copy.id)
        self._say(f"Saved as a new photo, {copy.filename}; the original is unchanged "
                  "(Undo removes the copy).", error=False)  # fmt: skip
        return copy
