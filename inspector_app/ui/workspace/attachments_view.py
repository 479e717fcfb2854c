"""Attachments as thumbnails (photos) or file icons (documents), in a list view."""

from __future__ import annotations

from pathlib import Path

from inspector_app.services.review_views import Attachment
from inspector_app.store.files import read_blob

from ..qt import (
    QAbstractItemView,
    QBuffer,
    QByteArray,
    QIcon,
    QImageReader,
    QListView,
    QPixmap,
    QSize,
    QStandardItem,
    QStandardItemModel,
    QStyle,
    Qt,
    QWidget,
)

THUMB = QSize(96, 72)
_cache: dict[str, QIcon] = {}  # sha256 -> thumbnail: a file never changes under its hash


def thumbnail(root: Path, attachment: Attachment, fallback: QIcon) -> QIcon:
    if not attachment.mime_type.startswith("image/"):
        return fallback
    icon = _cache.get(attachment.sha256)
    if icon is None:
        # Decrypted in memory (an encrypted database's files are ciphertext on disk):
        # no decoded copy or thumbnail is ever written to disk, this cache is in memory.
        data = read_blob(root, attachment.sha256)
        if data is None:
            return fallback
        buffer = QBuffer()
        buffer.setData(QByteArray(data))
        reader = QImageReader(buffer)
        size = reader.size()
        if size.isValid():  # decode only at thumbnail size: fast even for camera photos
            reader.setScaledSize(size.scaled(THUMB, Qt.AspectRatioMode.KeepAspectRatio))
        image = reader.read()
        if image.isNull():
            return fallback
        icon = QIcon(QPixmap.fromImage(image))
        _cache[attachment.sha256] = icon
    return icon


class AttachmentList(QListView):
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

    def show_attachments(self, root: Path, attachments: list[Attachment]) -> None:
        self._model.clear()
        for a in sorted(attachments, key=lambda a: a.updated_at):
            item = QStandardItem(thumbnail(root, a, self._file_icon), a.filename)
            item.setToolTip(
                f"{a.filename} ({a.size:,} bytes){': ' + a.caption if a.caption else ''}"
            )
            item.setData(a.id, Qt.ItemDataRole.UserRole)
            self._model.appendRow(item)

    def count(self) -> int:
        return self._model.rowCount()

    def names(self) -> list[str]:
        return [self._model.item(r).text() for r in range(self._model.rowCount())]
