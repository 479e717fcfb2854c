"""Issue 13, on site: a workspace that never makes the inspector fight it.

Typed answers go into their field (never a digit answering the next yes/no item), the
answer panel's controls stay on screen on a 13-inch laptop, and errors and state do not
stick or mislead."""

from __future__ import annotations

import pytest

from inspector_app.ui.qt import QApplication, Qt
from tests.ui.workspace_helpers import ctx, open_ws, response, started_review  # noqa: F401

pytestmark = pytest.mark.gui

SAMPLE = "case_documents.sample_size"  # "Number of case files reviewed"


def _keys(qtbot, *keys) -> None:  # noqa: ANN001
    """Each key to whatever has the keyboard, as a person's typing goes."""
    for key in keys:
        widget = QApplication.focusWidget()
        assert widget is not None
        if isinstance(key, str):
            qtbot.keyClicks(widget, key)
        else:
            qtbot.keyClick(widget, key)


def _jem(ctx, open_ws):  # noqa: ANN001, ANN202, F811
    review_id = started_review(ctx.db, "Dunmore", "jem_inspection")
    ws = open_ws(review_id)
    ws.activateWindow()
    return review_id, ws


def _keys_after(ws, key: str) -> list[str]:  # noqa: ANN001
    keys = [e.key for e in ws.model.entries()]
    return keys[keys.index(key) + 1 : keys.index(key) + 3]


def test_typing_a_number_goes_into_its_field(ctx, open_ws, qtbot):  # noqa: ANN001, F811
    review_id, ws = _jem(ctx, open_ws)
    view = ws.checklist.view
    view.setFocus()
    qtbot.waitUntil(view.hasFocus, timeout=2000)
    view.select_key(SAMPLE)
    # the number item takes the keys in its field
    qtbot.waitUntil(ws.detail.answer_edit.hasFocus, timeout=2000)
    _keys(qtbot, Qt.Key.Key_Tab, "12", Qt.Key.Key_Return)
    assert response(ctx.db, review_id, SAMPLE).value == "12"
    for key in _keys_after(ws, SAMPLE):  # Tab, 1 and 2 answered nothing else
        assert response(ctx.db, review_id, key) is None
    # Enter moved on to the next (yes/no) item, with the keys back in the list
    assert view.current_key() == _keys_after(ws, SAMPLE)[0]
    assert view.hasFocus()

    # clicked in the list on the number item, digits still go into the field
    view.select_key(SAMPLE)
    view.setFocus()
    qtbot.keyClicks(view, "14")
    assert ws.detail.answer_edit.hasFocus()
    assert ws.detail.answer_edit.text().endswith("14")
    ws.detail.answer_edit.setText("12")
    # Ctrl+Z in the field (not typed into) undoes the review's last answer at once
    _keys(qtbot, Qt.Key.Key_Escape)  # back to the list: the field shows the answer again
    assert view.hasFocus() and ws.detail.answer_edit.text() == "12"
    qtbot.keyClick(view, Qt.Key.Key_Return)  # and Enter goes into the field again
    assert ws.detail.answer_edit.hasFocus()
    qtbot.keyClick(ws.detail.answer_edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert response(ctx.db, review_id, SAMPLE).value is None
    assert ws.detail.answer_edit.text() == ""


def test_date_and_officer_pickers_and_choice_labels(ctx, open_ws, qtbot):  # noqa: ANN001, F811
    review_id, ws = _jem(ctx, open_ws)
    view, detail = ws.checklist.view, ws.detail
    view.setFocus()
    view.select_key("steering_committee.last_meeting")
    assert detail.pick_button.isVisible() and detail.calendar is not None
    from inspector_app.ui.qt import QDate

    detail.calendar.clicked.emit(QDate(2026, 3, 4))
    assert response(ctx.db, review_id, "steering_committee.last_meeting").value == "2026-03-04"

    view.select_key("training.lapsed_officer")
    names = [a.text() for a in detail.pick_menu.actions()]
    assert names and names == detail.officer_names
    detail.pick_menu.actions()[0].trigger()
    assert response(ctx.db, review_id, "training.lapsed_officer").value == names[0]

    view.select_key("ice_oversight.site_visits")
    captions = [b.text() for b in detail.answer_buttons.values()]
    assert captions[0] == "1  Weekly or more"
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_1)
    assert response(ctx.db, review_id, "ice_oversight.site_visits").value == "weekly_or_more"
    from inspector_app.ui.workspace.checklist_model import COL_ANSWER

    assert ws.model.index_of("ice_oversight.site_visits", COL_ANSWER).data() == "Weekly or more"
    assert ws.undo_stack.undoText() == "answer Weekly or more (ice_oversight.site_visits)"


def test_a_stray_digit_says_what_it_changed(ctx, open_ws, qtbot):  # noqa: ANN001, F811
    review_id, ws = _jem(ctx, open_ws)
    view = ws.checklist.view
    first = ws.model.entries()[0].key
    view.setFocus()
    view.select_key(first)
    qtbot.keyClick(view, Qt.Key.Key_3)
    view.select_key(first)
    with qtbot.waitSignal(ctx.sig_status) as said:
        qtbot.keyClick(view, Qt.Key.Key_1)
    assert said.args == ["Answer changed from N/A to Yes (Ctrl+Z undoes)"]
