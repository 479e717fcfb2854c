"""Photos (issue 13 item 6): the photo viewer (zoom, next), markup saved as a new
attachment linked to the untouched original, caption editing, removal with undo, and
thumbnails in the finding editor; on a real (demo) database."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlmodel import select

from inspector_app.services import attachments
from inspector_app.store.database import Database
from inspector_app.store.files import read_blob, sha256_of
from inspector_app.store.models import Attachment
from inspector_app.ui.qt import QPointF, QRectF, QStyle, Qt
from inspector_app.ui.workspace.attachments_view import AttachmentList
from tests.ui.workspace_helpers import ctx, open_ws  # noqa: F401

pytestmark = pytest.mark.gui
DEMO_PHOTO = "processing-area-poster.jpg"


def _png(color: tuple[int, int, int], size: tuple[int, int] = (800, 600)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format="PNG")
    return buf.getvalue()


def demo_photo(db: Database) -> Attachment:
    with db.read() as s:
        return s.exec(select(Attachment).where(Attachment.filename == DEMO_PHOTO)).one()


def _live(db: Database, **where: str | None) -> list[Attachment]:
    with db.read() as s:
        rows = s.exec(select(Attachment).where(Attachment.deleted == False)).all()  # noqa: E712
    return [a for a in rows if all(getattr(a, k) == v for k, v in where.items())]


def _open_item(opener, photo: Attachment):  # noqa: ANN001, ANN202
    """The workspace on the photo's review, its item shown; the item's file list."""
    ws = opener(photo.review_id)
    assert ws.checklist.view.select_key(photo.item_key)
    files: AttachmentList = ws.detail.files
    assert DEMO_PHOTO in files.names()
    return ws, files


def _index_of(files: AttachmentList, filename: str):  # noqa: ANN202
    return files.model().index(files.names().index(filename), 0)


def test_viewer_opens_a_demo_photo_zooms_and_goes_to_the_next(ctx, open_ws, qtbot):  # noqa: ANN001, F811
    photo = demo_photo(ctx.db)
    second = attachments.add_attachment(
        ctx.db, source=_png((200, 40, 40)), filename="second.png", review_id=photo.review_id,
        item_key=photo.item_key, finding_id=photo.finding_id, caption="Second photo",
    )  # fmt: skip
    ws, files = _open_item(open_ws, photo)
    qtbot.waitUntil(lambda: "second.png" in files.names())
    files.setCurrentIndex(_index_of(files, DEMO_PHOTO))
    qtbot.keyClick(files, Qt.Key.Key_Return)  # Enter opens the viewer
    viewer = files.viewer
    assert viewer is not None
    qtbot.waitExposed(viewer)
    keys = viewer.windowHandle()  # as the window system delivers keys: shortcuts apply
    assert viewer.current().id == photo.id and viewer.view.has_image()
    assert viewer.caption.text() == "Processing area wall, day 1"
    assert "Photo 1 of 2" in viewer.position.text()
    fitted = viewer.view.zoom()
    qtbot.keyClick(keys, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert viewer.view.zoom() == pytest.approx(fitted * 1.25)
    assert not viewer.view.fitting
    qtbot.keyClick(keys, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(keys, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert viewer.view.zoom() == pytest.approx(fitted * 0.8)
    qtbot.keyClick(keys, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert viewer.view.fitting and viewer.view.zoom() == pytest.approx(fitted)
    qtbot.keyClick(keys, Qt.Key.Key_Right)  # the next photo of the item
    assert viewer.current().id == second.id
    assert viewer.caption.text() == "Second photo" and "Photo 2 of 2" in viewer.position.text()
    qtbot.keyClick(keys, Qt.Key.Key_PageUp)
    assert viewer.current().id == photo.id
    viewer.close()


def test_markup_is_a_new_attachment_linked_to_the_untouched_original(ctx, open_ws, qtbot):  # noqa: ANN001, F811
    photo = demo_photo(ctx.db)
    before = read_blob(ctx.db.attachments_dir, photo.sha256)
    ws, files = _open_item(open_ws, photo)
    viewer = files.open(_index_of(files, DEMO_PHOTO))
    qtbot.waitExposed(viewer)
    viewer.start_markup()
    assert viewer.markup_bar.isVisible()
    size = viewer.view.photo.pixmap().size()
    viewer.view.add_arrow(QPointF(10, 10), QPointF(size.width() / 2, size.height() / 2))
    viewer.view.add_ellipse(QRectF(20, 20, size.width() / 3, size.height() / 4))
    viewer.view.add_text(QPointF(30, size.height() - 60), "English only")
    copy = viewer.save_markup()
    assert copy is not None and copy.derived_from == photo.id
    assert copy.caption == "Marked up from Processing area wall, day 1"
    assert (copy.item_key, copy.finding_id, copy.review_id) == (
        photo.item_key, photo.finding_id, photo.review_id)  # fmt: skip
    assert viewer.current().id == copy.id  # the viewer shows the copy
    # the original: same row revision, same bytes under the same hash
    original = attachments.attachment(ctx.db, photo.id)
    assert original.rev == photo.rev and original.sha256 == photo.sha256
    assert read_blob(ctx.db.attachments_dir, photo.sha256) == before
    assert sha256_of(before) == photo.sha256
    stored = read_blob(ctx.db.attachments_dir, copy.sha256)
    assert stored and stored != before
    qtbot.waitUntil(lambda: copy.filename in files.names())
    # undo: the copy is removed, the original stays
    viewer.undo()
    assert attachments.attachment(ctx.db, copy.id) is None
    assert attachments.attachment(ctx.db, photo.id) is not None
    qtbot.waitUntil(lambda: copy.filename not in files.names())
    viewer.close()


def test_caption_edit_saves_and_a_concurrent_change_is_refused(ctx, open_ws, qtbot):  # noqa: ANN001, F811
    photo = demo_photo(ctx.db)
    ws, files = _open_item(open_ws, photo)
    viewer = files.open(_index_of(files, DEMO_PHOTO))
    viewer.caption.setText("Processing area, east wall: English-only poster")
    qtbot.keyClick(viewer.caption, Qt.Key.Key_Return)
    saved = attachments.attachment(ctx.db, photo.id)
    assert saved.caption == "Processing area, east wall: English-only poster"
    assert saved.rev == photo.rev + 1 and viewer.isVisible()
    # someone else changes it meanwhile: the save is refused, the text typed stays
    attachments.set_caption(ctx.db, photo.id, "Their caption", base_rev=saved.rev)
    viewer.caption.setText("Mine")
    assert not viewer.save_caption()
    assert viewer.stale.isVisible() and viewer.caption.text() == "Mine"
    assert attachments.attachment(ctx.db, photo.id).caption == "Their caption"
    assert viewer.keep_mine()
    assert attachments.attachment(ctx.db, photo.id).caption == "Mine"
    viewer.close()


def test_removal_hides_the_photo_and_ctrl_z_restores_it(ctx, open_ws, qtbot):  # noqa: ANN001, F811
    photo = demo_photo(ctx.db)
    ws, files = _open_item(open_ws, photo)
    files.setFocus()
    files.setCurrentIndex(_index_of(files, DEMO_PHOTO))
    qtbot.keyClick(files, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: DEMO_PHOTO not in files.names())
    assert attachments.attachment(ctx.db, photo.id) is None
    with ctx.db.read() as s:
        assert s.get(Attachment, photo.id).deleted  # a tombstone, not a DELETE
    assert ws.undo_stack.canUndo()
    ws.undo_stack.undo()  # the workspace's Ctrl+Z
    qtbot.waitUntil(lambda: DEMO_PHOTO in files.names())
    assert attachments.attachment(ctx.db, photo.id).sha256 == photo.sha256
    # removed from the viewer, brought back by its Undo
    viewer = files.open(_index_of(files, DEMO_PHOTO))
    viewer.remove()
    assert attachments.attachment(ctx.db, photo.id) is None and viewer.current() is None
    viewer.undo()
    assert viewer.current().id == photo.id
    viewer.close()


def test_finding_editor_shows_thumbnails_and_removes_with_undo(ctx, open_ws, qtbot):  # noqa: ANN001, F811
    photo = demo_photo(ctx.db)
    attachments.add_attachment(ctx.db, source=b"%PDF-1.4 not much", filename="memo.pdf",
                               finding_id=photo.finding_id)  # fmt: skip
    ws = open_ws(photo.review_id)
    editor = ws.open_finding(photo.finding_id)
    files = editor.files
    assert sorted(files.names()) == sorted([DEMO_PHOTO, "memo.pdf"])
    generic = files.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon).pixmap(32).toImage()
    model = files.model()
    icons = {model.index(r, 0).data(): model.index(r, 0).data(Qt.ItemDataRole.DecorationRole)
             for r in range(model.rowCount())}  # fmt: skip
    thumb = icons[DEMO_PHOTO].pixmap(files.iconSize()).toImage()
    assert not thumb.isNull() and thumb != generic
    assert icons[DEMO_PHOTO].cacheKey() != icons["memo.pdf"].cacheKey()
    # Remove from the editor's list, then its Undo button
    files.setCurrentIndex(_index_of(files, DEMO_PHOTO))
    files.remove_current()
    assert DEMO_PHOTO not in files.names() and editor.undo_button.isEnabled()
    editor.undo_button.click()
    assert DEMO_PHOTO in files.names()
    assert attachments.attachment(ctx.db, photo.id) is not None
    editor.reject()
