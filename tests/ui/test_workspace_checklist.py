"""The checklist: a new JEM inspection answered by keyboard, notes, files, undo, search,
and everything still there when the database is opened again."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from inspector_app.store import queries
from inspector_app.store.database import open_database
from inspector_app.ui.qt import QFileDialog, Qt
from inspector_app.ui.workspace import NewReviewDialog
from inspector_app.ui.workspace.checklist_model import COL_ANSWER, COL_EXTRA, SEARCH_ROLE
from tests.ui.workspace_helpers import agency_id, ctx, open_ws, response  # noqa: F401

pytestmark = pytest.mark.gui


def _new_jem_inspection(context, qtbot) -> str:  # noqa: ANN001
    dialog = NewReviewDialog(context, agency_id=agency_id(context.db, "Dunmore"))
    qtbot.addWidget(dialog)
    assert [dialog.kind.itemData(i) for i in range(dialog.kind.count())] == ["jem_inspection"]
    assert dialog.lead.text() == "Dana Whitfield"
    assert dialog.start_now.isChecked()
    assert dialog.submit()
    return dialog.created_review_id


def _photo(path: Path) -> Path:
    buf = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 120, 60)).save(buf, format="PNG")
    path.write_bytes(buf.getvalue())
    return path


def test_answer_note_attach_undo_and_reopen(ctx, open_ws, qtbot, demo_db_path, tmp_path,  # noqa: ANN001, F811
                                            monkeypatch):  # fmt: skip
    review_id = _new_jem_inspection(ctx, qtbot)
    ws = open_ws(review_id)
    view = ws.checklist.view
    entries = ws.model.entries()
    total = len(entries)
    assert view.current_key() == entries[0].key  # the first item is ready for the keyboard
    assert ws.checklist.progress.text() == f"0 / {total} answered"

    # 1 yes, 2 no, 3 not applicable; each answer moves on to the next item
    qtbot.keyClick(view, Qt.Key.Key_1)
    assert view.current_key() == entries[1].key
    qtbot.keyClick(view, Qt.Key.Key_2)
    qtbot.keyClick(view, Qt.Key.Key_3)
    assert [response(ctx.db, review_id, e.key).value for e in entries[:3]] == ["yes", "no", "na"]
    assert ws.checklist.progress.text() == f"3 / {total} answered"
    first_section = ws.model.index(0, COL_ANSWER)
    assert first_section.data() == f"3 / {len(ws.model.sections[0].entries)}"
    assert ws.model.index_of(entries[1].key, COL_ANSWER).data() == "No"

    # Tab and Shift+Tab move between items
    qtbot.keyClick(view, Qt.Key.Key_Backtab)
    assert view.current_key() == entries[2].key
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    assert view.current_key() == entries[3].key

    # the help text and MOA clause of the current item are shown (and given to F1)
    assert entries[3].citation in ws.detail.help.text()
    assert entries[3].citation in ws.help_text()

    # Enter goes to the note; typing is saved by itself after a pause
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: ws.detail.note.hasFocus(), timeout=2000)
    qtbot.keyClicks(ws.detail.note, "Poster faded but legible")
    qtbot.waitUntil(
        lambda: (
            response(ctx.db, review_id, entries[3].key) is not None
            and response(ctx.db, review_id, entries[3].key).note == "Poster faded but legible"
        ),
        timeout=3000,
    )
    assert ws.model.index_of(entries[3].key, COL_EXTRA).data() == "note"

    # attach a photo (the file dialog is replaced); it shows as a thumbnail
    photo = _photo(tmp_path / "poster.png")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(photo)], ""))
    qtbot.mouseClick(ws.detail.attach_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ws.detail.files.count() == 1, timeout=5000)
    assert ws.detail.files.names() == ["poster.png"]
    assert ws.model.index_of(entries[3].key, COL_EXTRA).data() == "note, 1 file"

    # Ctrl+Z undoes the note, then the 'na' answer - in the database too; Ctrl+Shift+Z redoes
    view.setFocus()
    qtbot.waitUntil(view.hasFocus, timeout=2000)
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert response(ctx.db, review_id, entries[3].key).note == ""
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert response(ctx.db, review_id, entries[2].key).value is None
    assert ws.checklist.progress.text() == f"2 / {total} answered"
    qtbot.keyClick(
        view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert response(ctx.db, review_id, entries[2].key).value == "na"
    assert ws.model.index_of(entries[2].key, COL_ANSWER).data() == "N/A"

    # a note typed just before closing is not lost
    view.select_key(entries[5].key)
    ws.detail.focus_note()
    qtbot.keyClicks(ws.detail.note, "Typed, then closed at once")
    ws.shutdown()

    other = open_database(demo_db_path, daily_backup=False)
    try:
        with other.read() as s:
            data = queries.load_review(s, review_id)
        assert data.review.status == "in_progress" and data.review.form_id == "jem_inspection"
        assert data.responses[entries[0].key].value == "yes"
        assert data.responses[entries[1].key].value == "no"
        assert data.responses[entries[2].key].value == "na"
        assert data.responses[entries[3].key].note == ""  # undone
        assert data.responses[entries[5].key].note == "Typed, then closed at once"
        assert [(a.filename, a.item_key) for a in data.attachments] == [
            ("poster.png", entries[3].key)
        ]
        assert (other.attachments_dir / data.attachments[0].sha256[:2]).is_dir()
    finally:
        other.close()


def test_ctrl_f_filters_items(ctx, open_ws, qtbot) -> None:  # noqa: ANN001, F811
    review_id = _new_jem_inspection(ctx, qtbot)
    ws = open_ws(review_id)
    ws.checklist.view.setFocus()
    qtbot.waitUntil(ws.checklist.view.hasFocus, timeout=2000)
    qtbot.keyClick(ws.checklist.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(ws.checklist.search.hasFocus, timeout=2000)
    qtbot.keyClicks(ws.checklist.search, "spanish")
    proxy = ws.checklist.proxy
    shown = [
        proxy.index(r, 0, proxy.index(s, 0)).data(SEARCH_ROLE)
        for s in range(proxy.rowCount())
        for r in range(proxy.rowCount(proxy.index(s, 0)))
    ]
    assert shown and all("spanish" in text.lower() for text in shown)
    assert len(shown) < len(ws.model.entries())
    assert ws.checklist.view.current_key() is not None  # the cursor lands on a match
    ws.checklist.search.clear()
    total = sum(proxy.rowCount(proxy.index(s, 0)) for s in range(proxy.rowCount()))
    assert total == len(ws.model.entries())


def test_free_text_and_number_answers(ctx, open_ws, qtbot) -> None:  # noqa: ANN001, F811
    review_id = _new_jem_inspection(ctx, qtbot)
    ws = open_ws(review_id)
    number = next(e for e in ws.model.entries() if e.answer == "number")
    ws.checklist.view.select_key(number.key)
    edit = ws.detail.answer_edit
    assert edit.isVisibleTo(ws)
    edit.setText("twelve")
    edit.editingFinished.emit()
    assert "not a number" in ws.error.text()  # refused, said in one line, nothing stored
    assert response(ctx.db, review_id, number.key) is None
    edit.setText("12")
    edit.editingFinished.emit()
    assert response(ctx.db, review_id, number.key).value == "12"
