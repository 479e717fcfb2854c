"""Issue 13, on site, the rest: the findings list on a 600-pixel screen, interview
questions that only apply after an earlier answer, and photo captions on the undo stack."""

from __future__ import annotations

import pytest

from tests.ui.test_workspace_onsite import _demo_jem, _shown
from tests.ui.workspace_helpers import ctx, open_ws, started_review  # noqa: F401
from tests.unit.conditional_guide import conditional_guide  # noqa: F401

pytestmark = pytest.mark.gui


@pytest.fixture
def window(demo_ctx, settings, open_window):  # noqa: ANN001, ANN201
    return open_window(demo_ctx, settings)


def _whole_rows(table) -> int:  # noqa: ANN001
    """How many rows of the table are shown whole (nothing to scroll to read them)."""
    height = table.viewport().height()
    return sum(
        table.rowViewportPosition(row) >= 0
        and table.rowViewportPosition(row) + table.rowHeight(row) <= height
        for row in range(table.model().rowCount())
    )


# -- defect 1: "two rows of findings show" at 1024x600 ---------------------------------------


@pytest.mark.parametrize(("size", "rows"), [((1366, 768), 6), ((1024, 600), 4)])
def test_findings_list_usable_on_a_small_screen(window, qtbot, size, rows):  # noqa: ANN001
    ws = _demo_jem(window)  # Alder: 6 findings, and an officer whose training lapsed
    window.resize(*size)
    panel = ws.findings
    qtbot.waitUntil(panel.training_notice.isVisible, timeout=3000)
    qtbot.wait(20)
    assert panel.model.rowCount() >= rows
    assert _whole_rows(panel.table) >= rows, (size, panel.table.viewport().height())
    for widget in (panel.counts, panel.new_button, panel.edit_button, panel.remove_button,
                   panel.training_text, panel.training_button):  # fmt: skip
        assert _shown(widget, window), (size, widget.text())
    # the checklist keeps its question, answers and note in view
    detail = ws.detail
    ws.checklist.view.select_key(ws.model.entries()[0].key)
    qtbot.wait(10)
    for widget in (detail.prompt, detail.note, *detail.answer_buttons.values()):
        assert _shown(widget, window), (size, widget.objectName())


# -- defect 2: the interviews ignored show_if --------------------------------------------------


def test_interview_questions_follow_show_if(ctx, open_ws, qtbot, conditional_guide, monkeypatch):  # noqa: ANN001, F811
    from inspector_app.ui.qt import Qt
    from inspector_app.ui.workspace import interviews_panel
    from tests.unit.conditional_guide import CONTROLLER, FOLLOW_UP

    review_id = started_review(ctx.db, "Elk Ridge", "wso_review")
    asked: list[str] = []
    monkeypatch.setattr(interviews_panel.QMessageBox, "question",
                        lambda _p, _t, text, *_a: (asked.append(text),
                                                   interviews_panel.QMessageBox.StandardButton.No)[1])  # fmt: skip
    ws = open_ws(review_id)
    panel = ws.interviews
    ws.tabs.setCurrentWidget(panel)
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.current() is not None)
    every = sum(1 for _ in conditional_guide.items())

    def keys() -> list[str]:
        return [e.key for e in panel.model.entries()]

    assert CONTROLLER in keys() and FOLLOW_UP not in keys()  # hidden until a gap shows
    assert panel.model.progress() == (0, every - 1)
    view = panel.questions.view
    view.select_key(CONTROLLER)
    qtbot.keyClick(view, Qt.Key.Key_2)  # partial: the follow-up is asked
    assert FOLLOW_UP in keys() and keys().index(FOLLOW_UP) == keys().index(CONTROLLER) + 1
    assert panel.model.progress() == (1, every)
    assert panel.list_model.item(0).text().endswith("1/" + str(every))
    view.select_key(CONTROLLER)
    qtbot.keyClick(view, Qt.Key.Key_1)  # understood: hidden again, and not asked for
    assert FOLLOW_UP not in keys()
    qtbot.mouseClick(panel.complete_button, Qt.MouseButton.LeftButton)
    assert asked and f"({1} of {every - 1} answered)" in asked[-1]
    # another interview's line in the list counts the questions it asks
    panel.current_id = None
    panel._update_list_texts()
    assert panel.list_model.item(0).text().endswith(f"1/{every - 1}")


# -- defect 3: a caption edit was not on the undo stack ---------------------------------------


def test_caption_edits_are_undone_and_redone(ctx, open_ws, qtbot):  # noqa: ANN001, F811
    from inspector_app.services import attachments
    from inspector_app.ui.qt import Qt
    from tests.ui.test_photos import DEMO_PHOTO, _index_of, _open_item, demo_photo

    photo = demo_photo(ctx.db)
    first = photo.caption  # "Processing area wall, day 1"
    ws, files = _open_item(open_ws, photo)
    viewer = files.open(_index_of(files, DEMO_PHOTO))
    qtbot.waitExposed(viewer)
    keys = viewer.windowHandle()  # as the window system delivers keys: shortcuts apply
    viewer.activateWindow()
    viewer.caption.setFocus()
    qtbot.waitUntil(viewer.caption.hasFocus, timeout=2000)
    viewer.caption.selectAll()
    qtbot.keyClicks(viewer.caption, "East wall: English-only poster")
    qtbot.keyClick(viewer.caption, Qt.Key.Key_Return)
    assert attachments.attachment(ctx.db, photo.id).caption == "East wall: English-only poster"
    assert ws.undo_stack.undoText() == f"caption ({DEMO_PHOTO})"
    assert viewer.undo_action.text() == "Undo caption"
    # Ctrl+Z in the caption field (saved, not being typed into) restores the previous one
    assert viewer.caption.hasFocus()
    qtbot.keyClick(keys, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert attachments.attachment(ctx.db, photo.id).caption == first
    assert viewer.caption.text() == first
    qtbot.keyClick(keys, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)  # fmt: skip
    assert attachments.attachment(ctx.db, photo.id).caption == "East wall: English-only poster"
    assert viewer.caption.text() == "East wall: English-only poster"
    qtbot.keyClick(keys, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(keys, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)  # Ctrl+Y redoes too
    assert viewer.caption.text() == "East wall: English-only poster"
    # while typing, Ctrl+Z undoes the typing only
    qtbot.keyClicks(viewer.caption, "!")
    qtbot.keyClick(keys, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert viewer.caption.text() == "East wall: English-only poster"
    assert attachments.attachment(ctx.db, photo.id).caption == "East wall: English-only poster"
    viewer.close()
    # the viewer closed, the workspace's Undo (named for it) takes the caption back
    assert ws.undo_action.toolTip() == f"Undo caption ({DEMO_PHOTO})"
    ws.undo_stack.undo()
    assert attachments.attachment(ctx.db, photo.id).caption == first
    ws.undo_stack.redo()
    assert attachments.attachment(ctx.db, photo.id).caption == "East wall: English-only poster"
