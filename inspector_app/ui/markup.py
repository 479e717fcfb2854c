"""A photo on screen: fit to the window, zoom, pan, and markup drawn over it.

The photo is a pixmap item at the scene's origin in the image's own pixels, so marks
(arrows, circles, text) are kept in image coordinates whatever the zoom; `rendered()`
paints the photo and its marks into a new image of the photo's size. The photo's
bytes are never changed: a markup is saved as a new attachment (services.attachments
.add_markup).
"""

from __future__ import annotations

import math

from .qt import (
    QBuffer,
    QByteArray,
    QColor,
    QFont,
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QImage,
    QImageReader,
    QInputDialog,
    QLineEdit,
    QLineF,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
    QPointF,
    QRectF,
    Qt,
    QWheelEvent,
    QWidget,
    Signal,
)

MARK_COLOR = QColor("#e3161b")
ZOOM_STEP = 1.25
MIN_ZOOM, MAX_ZOOM = 0.02, 16.0
TOOLS = ("arrow", "ellipse", "text")


def decode_image(data: bytes) -> QImage:
    """The image in `data`, turned upright as its camera recorded (EXIF orientation)."""
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    reader = QImageReader(buffer)
    reader.setAutoTransform(True)
    return reader.read()


def encode_image(image: QImage, fmt: str) -> bytes:
    """PNG or JPEG bytes of `image` (JPEG at a quality that keeps marks and text sharp)."""
    buffer = QBuffer()
    buffer.open(QBuffer.OpenModeFlag.WriteOnly)
    # PySide6 takes the format as str (its stubs say bytes)
    image.save(buffer, fmt, 92 if fmt == "JPG" else -1)  # type: ignore[call-overload]
    return bytes(buffer.data().data())


def arrow_path(start: QPointF, end: QPointF, head: float) -> QPainterPath:
    """A line from start to end with an open arrowhead at end."""
    path = QPainterPath(start)
    path.lineTo(end)
    back = QLineF(end, start)
    if back.length() < 1:
        return path
    head = min(head, back.length() / 2)
    for turn in (25.0, -25.0):
        angle = math.radians(back.angle() + turn)
        path.moveTo(end)
        path.lineTo(end.x() + head * math.cos(angle), end.y() - head * math.sin(angle))
    return path


class PhotoView(QGraphicsView):
    """One photo, fitted to the view until zoomed; draws marks when a tool is chosen."""

    sig_marks_changed = Signal(int)  # how many marks there are now

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("photo_view")
        self._scene = QGraphicsScene(self)
        self.setScene(self._scene)
        self.photo = QGraphicsPixmapItem()
        self.photo.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self._scene.addItem(self.photo)
        self.setRenderHints(QPainter.RenderHint.Antialiasing
                            | QPainter.RenderHint.SmoothPixmapTransform)  # fmt: skip
        self.setBackgroundBrush(QColor("#303030"))
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.fitting = True
        self.tool: str | None = None
        self.marks: list[QGraphicsItem] = []
        self._drawing: QGraphicsPathItem | QGraphicsEllipseItem | None = None
        self._start = QPointF()

    # -- the photo and the zoom ------------------------------------------------------

    def set_image(self, image: QImage) -> None:
        self.clear_marks()
        self.photo.setPixmap(QPixmap.fromImage(image))
        self._scene.setSceneRect(self.photo.boundingRect())
        self.fit()

    def has_image(self) -> bool:
        return not self.photo.pixmap().isNull()

    def fit(self) -> None:
        """Show the whole photo (and keep it whole as the window is resized)."""
        self.fitting = True
        if self.has_image():
            self.fitInView(self.photo, Qt.AspectRatioMode.KeepAspectRatio)

    def zoom(self) -> float:
        return self.transform().m11()

    def zoom_by(self, factor: float) -> None:
        self.fitting = False
        new = min(MAX_ZOOM, max(MIN_ZOOM, self.zoom() * factor))
        self.scale(new / self.zoom(), new / self.zoom())

    def resizeEvent(self, event) -> None:  # noqa: ANN001, N802
        super().resizeEvent(event)
        if self.fitting:
            self.fit()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_by(ZOOM_STEP if event.angleDelta().y() > 0 else 1 / ZOOM_STEP)
            event.accept()
            return
        super().wheelEvent(event)

    # -- marks -----------------------------------------------------------------------

    def _pen(self) -> QPen:
        size = self.photo.pixmap().size()
        pen = QPen(MARK_COLOR, max(3.0, min(size.width(), size.height()) / 180))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        return pen

    def _head(self) -> float:
        return self._pen().widthF() * 5

    def _keep(self, item: QGraphicsItem) -> QGraphicsItem:
        self._scene.addItem(item)
        self.marks.append(item)
        self.sig_marks_changed.emit(len(self.marks))
        return item

    def add_arrow(self, start: QPointF, end: QPointF) -> QGraphicsPathItem:
        item = QGraphicsPathItem(arrow_path(start, end, self._head()))
        item.setPen(self._pen())
        self._keep(item)
        return item

    def add_ellipse(self, rect: QRectF) -> QGraphicsEllipseItem:
        item = QGraphicsEllipseItem(rect.normalized())
        item.setPen(self._pen())
        self._keep(item)
        return item

    def add_text(self, at: QPointF, text: str) -> QGraphicsSimpleTextItem:
        """Red text with a thin white outline, legible on dark and light parts alike.

        Its size follows the photo's (about 1/18 of the shorter side); it is kept inside
        the photo: moved left or up from `at` when it would run off the right or bottom
        edge, and made smaller when it is wider than the whole photo."""
        item = QGraphicsSimpleTextItem(text)
        bounds = self.photo.boundingRect()
        font = QFont()
        font.setPixelSize(max(12, round(min(bounds.width(), bounds.height()) / 18)))
        font.setBold(True)
        item.setFont(font)
        item.setBrush(MARK_COLOR)
        item.setPen(QPen(QColor("white"), max(1.0, self._pen().widthF() / 3)))
        rect = item.boundingRect()
        if rect.width() > bounds.width() and rect.width() > 0:
            font.setPixelSize(max(6, math.floor(font.pixelSize() * bounds.width() / rect.width())))
            item.setFont(font)
            rect = item.boundingRect()
        gap = min(font.pixelSize() / 4, (bounds.width() - rect.width()) / 2)  # off the edge
        x = min(max(at.x(), bounds.left()), bounds.right() - rect.width() - max(gap, 0))
        y = min(max(at.y(), bounds.top()), bounds.bottom() - rect.height() - font.pixelSize() / 4)
        item.setPos(QPointF(max(x, bounds.left()), max(y, bounds.top())))
        self._keep(item)
        return item

    def text_dialog(self) -> QInputDialog:
        """The "Text on the photo" input: wide enough for a sentence and its title."""
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Text on the photo")
        dialog.setLabelText("Text to write on the photo (kept inside its edges):")
        dialog.setInputMode(QInputDialog.InputMode.TextInput)
        metrics = dialog.fontMetrics()
        width = max(400, metrics.horizontalAdvance(dialog.labelText()) + 24,
                    metrics.horizontalAdvance(dialog.windowTitle()) + 160)  # fmt: skip
        # The dialog's layout sizes it to its contents: widen the field, not the dialog.
        field = dialog.findChild(QLineEdit)
        if field is not None:
            field.setMinimumWidth(width)
        return dialog

    def undo_mark(self) -> None:
        if self.marks:
            self._scene.removeItem(self.marks.pop())
            self.sig_marks_changed.emit(len(self.marks))

    def clear_marks(self) -> None:
        while self.marks:
            self._scene.removeItem(self.marks.pop())
        self._drawing = None
        self.sig_marks_changed.emit(0)

    def set_tool(self, tool: str | None) -> None:
        """Draw with `tool` (one of TOOLS); None: drag to pan."""
        self.tool = tool
        self.setDragMode(QGraphicsView.DragMode.NoDrag if tool
                         else QGraphicsView.DragMode.ScrollHandDrag)  # fmt: skip
        self.viewport().setCursor(Qt.CursorShape.CrossCursor if tool
                                  else Qt.CursorShape.OpenHandCursor)  # fmt: skip

    def rendered(self, fmt: str = "PNG") -> bytes:
        """The photo with its marks, at the photo's own size, as `fmt` bytes."""
        size = self.photo.pixmap().size()
        image = QImage(size, QImage.Format.Format_RGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        self._scene.render(painter, QRectF(image.rect()), self.photo.sceneBoundingRect())
        painter.end()
        return encode_image(image, fmt)

    # -- drawing with the mouse ------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self.tool is None or event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        at = self.mapToScene(event.position().toPoint())
        if self.tool == "text":
            dialog = self.text_dialog()
            try:
                ok = dialog.exec() == QInputDialog.DialogCode.Accepted
                text = dialog.textValue().strip()
            finally:
                dialog.deleteLater()
            if ok and text:
                self.add_text(at, text)
            return
        self._start = at
        self._drawing = (self.add_arrow(at, at) if self.tool == "arrow"
                         else self.add_ellipse(QRectF(at, at)))  # fmt: skip

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._drawing is None:
            super().mouseMoveEvent(event)
            return
        at = self.mapToScene(event.position().toPoint())
        if isinstance(self._drawing, QGraphicsPathItem):
            self._drawing.setPath(arrow_path(self._start, at, self._head()))
        else:
            self._drawing.setRect(QRectF(self._start, at).normalized())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        item, self._drawing = self._drawing, None
        if item is None:
            super().mouseReleaseEvent(event)
            return
        if item.boundingRect().width() < 4 and item.boundingRect().height() < 4:
            self.undo_mark()  # a click, not a drag: nothing drawn
