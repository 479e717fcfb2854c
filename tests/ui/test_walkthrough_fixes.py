"""What a walk through the README in a real window found: the workspace's Undo button
grew with the command's text until the Checklist and Interviews tabs scrolled out of
view, the report window had no keys (Escape, Ctrl+P, Ctrl+Shift+S), and a text item's
answer field said "Answer: answer"."""

from __future__ import annotations

import pytest

from inspector_app.services import reviews
from inspector_app.ui.qt import QKeySequence, Qt, QToolButton
from inspector_app.ui.record_dialogs import AgencyDialog, ImportRosterDialog, OfficerDialog
from inspector_app.ui.reports_view import ReportWindow
from tests.ui.workspace_helpers import agency_id, ctx, open_ws  # noqa: F401

pytestmark = pytest.mark.gui


def _started_jem_v2(db) -> str:  # noqa: ANN001
    review = reviews.schedule_review(db, agency_id=agency_id(db, "Dunmore"), kind="jem_inspection")
    return reviews.start_review(db, review.id).id


def _tabs_in_view(ws) -> bool:  # noqa: ANN001
    bar = ws.tabs.tabBar()
    return all(bar.rect().contains(bar.tabRect(i)) for i in range(bar.count()))


def test_undo_keeps_its_width_and_the_tabs_stay_in_view(ctx, open_ws, qtbot):  # noqa: ANN001, F811
    ws = open_ws(_started_jem_v2(ctx.db))
    ws.resize(1050, 700)  # the workspace beside the sidebar on a 1366-pixel screen
    ws.interviews  # noqa: B018  (both tabs built, as after a visit to Interviews)
    qtbot.waitUntil(lambda: _tabs_in_view(ws))
    before = ws.toolbar.sizeHint().width()
    ws.repeats.buttons["add"].click()
    (n,) = ws.repeats.order(ws.repeats.group())  # the new case file's (random) number
    ws.target.set_value(f"case_documents[{n}].i213_complete", "no")
    ws.target.set_value(f"case_documents[{n}].i200_signed", "yes")
    ws.undo_action.trigger()  # the button undoes: now both Undo and Redo name an item
    assert ws.model.answer(f"case_documents[{n}].i200_signed").value is None
    assert ws.undo_action.isEnabled() and ws.redo_action.isEnabled()
    assert (ws.undo_action.text(), ws.redo_action.text()) == ("Undo", "Redo")
    assert f"case_documents[{n}].i213_complete" in ws.undo_action.toolTip()
    assert f"case_documents[{n}].i200_signed" in ws.redo_action.toolTip()
    button = ws.toolbar.widgetForAction(ws.undo_action)
    assert isinstance(button, QToolButton) and button.text() == "Undo"
    assert ws.toolbar.sizeHint().width() == before
    qtbot.wait(50)
    assert _tabs_in_view(ws)


def test_a_text_item_says_what_to_type(ctx, open_ws, qtbot):  # noqa: ANN001, F811
    ws = open_ws(_started_jem_v2(ctx.db))
    ws.repeats.buttons["add"].click()  # the cursor goes to the case file's reference (text)
    (n,) = ws.repeats.order(ws.repeats.group())
    assert ws.checklist.view.current_key() == f"case_documents[{n}].reference"
    placeholder = ws.detail.answer_edit.placeholderText()
    assert "answer: answer" not in placeholder.lower()
    assert placeholder == "Type the answer (Enter to save)"
    assert ws.checklist.view.select_key("complaints.count")
    assert ws.detail.answer_edit.placeholderText() == "Answer: a number, e.g. 8 (Enter to save)"


def test_the_report_window_answers_to_keys(demo_ctx, qtbot):  # noqa: ANN001
    window = ReportWindow(demo_ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    assert window.act_print.shortcut() == QKeySequence(QKeySequence.StandardKey.Print)
    assert window.act_save.shortcut() == QKeySequence("Ctrl+Shift+S")
    assert "Ctrl+P" in window.act_print.toolTip()
    qtbot.keyClick(window.view, Qt.Key.Key_Escape)  # closes, like the photo viewer and help
    assert not window.isVisible()
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window.view, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert not window.isVisible()


def _shown(qtbot, dialog):  # noqa: ANN001, ANN202
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def test_record_dialogs_start_in_their_first_field(demo_ctx, qtbot):  # noqa: ANN001
    dialog = _shown(qtbot, AgencyDialog(demo_ctx))
    assert dialog.focusWidget() is dialog.name  # not Save: typing fills the name
    qtbot.keyClicks(dialog.focusWidget(), "Harlan County Jail")
    assert dialog.name.text() == "Harlan County Jail" and dialog.error.text() == ""
    dialog.reject()
    # opened from an agency's page, the agency is chosen: typing starts after it
    first = agency_id(demo_ctx.db, "Alder")
    officer = _shown(qtbot, OfficerDialog(demo_ctx, None, first))
    assert officer.focusWidget() is not officer.agency
    roster = _shown(qtbot, ImportRosterDialog(demo_ctx, None, first))
    assert roster.focusWidget() is roster.path


def test_a_new_window_leaves_room_for_its_title_bar(qapp):  # noqa: ANN001, ARG001
    """A window sized before it is shown (its frame unknown) stays inside the screen
    once a window manager adds a title bar: the main window's status bar was cut off."""
    from inspector_app.ui.qt import QWidget
    from inspector_app.ui.screen_size import available, fit_to_screen

    widget = QWidget()
    fit_to_screen(widget, 5000, 5000)
    area = available(widget)
    assert widget.height() <= area.height() - 30  # a title bar is about 20-30 pixels
    assert widget.width() < area.width()
