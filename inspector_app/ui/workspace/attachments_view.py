"""Attachments as thumbnails (photos) or file icons (documents), in a list view.

Double-click or Enter opens a photo in the photo viewer (ui/photo_viewer.py: zoom,
next/previous, caption, markup, removal) and offers to save a copy of a document;
Delete removes the selected file. Once bound to an undo stack (`bind`), removals,
markups and caption edits are undone there (the workspace's Ctrl+Z, or the finding
editor's Undo).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from inspector_app.services import attachments
from inspector_app.services.errors import ServiceError
from inspector_app.services.review_views import Attachment
from inspector_app.store.errors import DatabaseProblem
from inspector_app.store.files import read_blob

from ..photo_viewer import PhotoViewer, save_copy_as
from ..qt import (
    QAbstractItemView,
    QBuffer,
    QByteArray,
    QIcon,
    QImageReader,
    QKeyEvent,
    QListView,
    QMenu,
    QModelIndex,
    QPixmap,
    QSize,
    QStandardItem,
    QStandardItemModel,
    QStyle,
    Qt,
    QUndoStack,
    QWidget,
    Signal,
)
from .undo import ServiceCommand

THUMB = QSize(96, 72)
_cache: dict[str, QIcon] = {}  # sha256 -> thumbnail: a file never changes under its hash


def thumbnail_of(data: bytes) -> QIcon | None:
    """A thumbnail decoded from bytes in memory; None if they are not an image."""
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    reader = QImageReader(buffer)
    reader.setAutoTransform(True)  # upright, as the camera recorded it
    size = reader.size()
    if size.isValid():  # decode only at thumbnail size: fast even for camera photos
        reader.setScaledSize(size.scaled(THUMB, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    return None if image.isNull() else QIcon(QPixmap.fromImage(image))


def thumbnail(root: Path, attachment: Attachment, fallback: QIcon,
              local: Path | None = None) -> QIcon:  # fmt: skip
    """A photo's thumbnail, or `fallback`. `local`: a file chosen but not stored yet."""
    if not attachment.mime_type.startswith("image/"):
        return fallback
    key = attachment.sha256 or (str(local) if local else "")
    icon = _cache.get(key)
    if icon is None:
        # Decrypted in memory (an encrypted database's files are ciphertext on disk):
        # no decoded copy or thumbnail is ever written to disk, this cache is in memory.
        data = read_blob(root, attachment.sha256) if attachment.sha256 else _read(local)
        icon = thumbnail_of(data) if data else None
        if icon is None:
            return fallback
        _cache[key] = icon
    return icon


def _read(path: Path | None) -> bytes | None:
    try:
        return path.read_bytes() if path is not None else None
    except OSError:
        return None


class ListActions:
    """Removal, markup and captions for a list's files, undone on `stack` (FileActions)."""

    def __init__(self, db: Any, stack: QUndoStack, on_error: Callable[[Exception], None],  # noqa: ANN401
                 read_only: Callable[[], bool]) -> None:  # fmt: skip
        self.db, self.stack, self.on_error, self._read_only = db, stack, on_error, read_only

    def read_only(self) -> bool:
        return self._read_only()

    def _push(self, text: str, attachment_id: str, old: bool, new: bool) -> None:
        def apply(removed: bool) -> None:
            attachments.set_removed(self.db, attachment_id, removed)

        self.stack.push(ServiceCommand(text, apply, old, new, on_error=self.on_error))

    def remove(self, attachment: Attachment) -> None:
        self._push(f"remove {attachment.filename}", attachment.id, False, True)

    def added(self, attachment: Attachment) -> None:
        """A markup just stored: undo removes it (redo brings it back)."""
        self._push(f"mark up ({attachment.filename})", attachment.id, True, False)

    def set_caption(self, attachment: Attachment, caption: str, base_rev: int | None
                    ) -> Attachment:  # fmt: skip
        """Save a caption typed in the viewer from revision `base_rev`; a refusal (StaleEdit:
        someone saved it since) is raised as it is, nothing pushed. Undo writes back the
        caption it replaced, redo this one, each from the revision the last one wrote."""
        before = attachments.attachment(self.db, attachment.id)
        saved = attachments.set_caption(self.db, attachment.id, caption, base_rev=base_rev)
        if before is None or saved.caption == before.caption:
            return saved
        rev = [saved.rev]

        def apply(text: str) -> None:
            rev[0] = attachments.set_caption(self.db, attachment.id, text, base_rev=rev[0]).rev

        self.stack.push(ServiceCommand(f"caption ({attachment.filename})", apply,
                                       before.caption, saved.caption, on_error=self.on_error,
                                       done=True))  # fmt: skip
        return saved

    def undo(self) -> None:
        self.stack.undo()

    def redo(self) -> None:
        self.stack.redo()

    def undo_text(self) -> str:
        """What Undo would undo ("caption (poster.jpg)"), "" when nothing."""
        return self.stack.undoText() if self.stack.canUndo() else ""


class AttachmentList(QListView):
    sig_changed = Signal()  # a file was removed, marked up or captioned from here

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setIconSize(THUMB)
        self.setGridSize(QSize(THUMB.width() + 24, THUMB.height() + 36))
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setWrapping(True)
        self.setWordWrap(True)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setObjectName("attachments")
        self._model = QStandardItemModel(self)
        self.setModel(self._model)
        self._file_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon)
        self.file_actions: ListActions | None = None
        self.shown: list[Attachment] = []
        self.viewer: PhotoViewer | None = None
        self.activated.connect(self._on_activated)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._on_menu)
        self.setToolTip("Double-click or Enter: open; Delete: remove")

    def bind(self, db: Any, stack: QUndoStack, on_error: Callable[[Exception], None],  # noqa: ANN401
             read_only: Callable[[], bool]) -> None:  # fmt: skip
        """Open, remove and mark up the files shown, undone on `stack`."""
        self.file_actions = ListActions(db, stack, on_error, read_only)

    def show_attachments(self, root: Path, files: list[Attachment],
                         local: dict[str, Path] | None = None) -> None:  # fmt: skip
        """`local`: files chosen and not stored yet (by attachment id), for thumbnails."""
        self._model.clear()
        self.shown = sorted(files, key=lambda a: a.updated_at)
        for a in self.shown:
            icon = thumbnail(root, a, self._file_icon, (local or {}).get(a.id))
            item = QStandardItem(icon, a.filename)
            item.setToolTip(
                f"{a.filename} ({a.size:,} bytes){': ' + a.caption if a.caption else ''}"
            )
            item.setData(a.id, Qt.ItemDataRole.UserRole)
            self._model.appendRow(item)

    def count(self) -> int:
        return self._model.rowCount()

    def stored(self, index: QModelIndex) -> Attachment | None:
        """The stored attachment at `index` (None: none, or a file not saved yet)."""
        ident = index.data(Qt.ItemDataRole.UserRole) if index.isValid() else None
        found = next((a for a in self.shown if a.id == ident), None)
        return found if found is not None and found.sha256 else None

    def open(self, index: QModelIndex) -> PhotoViewer | None:
        """A photo in the viewer (among the list's photos); a document: Save as."""
        attachment = self.stored(index)
        if attachment is None or self.file_actions is None:
            return None
        if not attachments.is_image(attachment):
            self._save_as(attachment)
            return None
        photos = [a for a in self.shown if a.sha256 and attachments.is_image(a)]
        viewer = PhotoViewer(self.file_actions, photos, photos.index(attachment), self.window())
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        viewer.finished.connect(lambda _r: self.sig_changed.emit())
        viewer.destroyed.connect(lambda *_: setattr(self, "viewer", None))
        self.viewer = viewer
        viewer.open()  # window-modal, without a nested event loop
        return viewer

    def _on_activated(self, index: QModelIndex) -> None:
        self.open(index)

    def _save_as(self, attachment: Attachment) -> None:
        assert self.file_actions is not None
        try:
            save_copy_as(self, self.file_actions.db, attachment)
        except (ServiceError, DatabaseProblem) as exc:  # shown where the list's errors go
            self.file_actions.on_error(exc)

    def remove_current(self) -> None:
        attachment = self.stored(self.currentIndex())
        if attachment is None or self.file_actions is None or self.file_actions.read_only():
            return
        self.file_actions.remove(attachment)
        self.sig_changed.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.file_actions:
            self.remove_current()
            event.accept()
            return
        super().keyPressEvent(event)

    def _on_menu(self, pos) -> None:  # noqa: ANN001
        index = self.indexAt(pos)
        attachment = self.stored(index)
        if attachment is None or self.file_actions is None:
            return
        self.setCurrentIndex(index)
        menu = QMenu(self)
        menu.addAction("Open" if attachments.is_image(attachment) else "Save a copy as…",
                       lambda: self.open(index))  # fmt: skip
        if attachments.is_image(attachment):
            menu.addAction("Save a copy as…", lambda: self._save_as(attachment))
        remove = menu.addAction("Remove", self.remove_current)
        remove.setEnabled(not self.file_actions.read_only())
        menu.popup(self.viewport().mapToGlobal(pos))

    def names(self) -> list[str]:
        return [self._model.item(r).text() for r in range(self._model.rowCount())]
