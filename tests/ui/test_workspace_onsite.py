"""Issue 13, on site: a workspace that never makes the inspector fight it.

Typed answers go into their field (never a digit answering the next yes/no item), the
answer panel's controls stay on screen on a 13-inch laptop, and errors and state do not
stick or mislead."""

from __future__ import annotations

import pytest

from inspector_app.ui.qt import QApplication, Qt
from tests.ui.workspace_helpers import ctx, open_ws, response, started_review  # noqa: F401

pytestmark = pytest.mark.gui

SAMPLE = "complaints.count"  # "Number of complaints or allegations ..." (a number)


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

    ws.target.set_value("training.any_lapsed", "yes")  # shows the lapsed officer (v2)
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


# -- defect 2: a 13-inch laptop's screen ---------------------------------------------------

SCREENS = [(1366, 768), (1024, 600)]


def _shown(widget, window) -> bool:  # noqa: ANN001
    """The widget is visible and lies inside the window and inside every scroll area's
    viewport around it (nothing to scroll to see it)."""
    if not widget.isVisible():
        return False
    rect = widget.rect().translated(widget.mapTo(window, widget.rect().topLeft()))
    if not window.rect().contains(rect):
        return False
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if parent.objectName() == "qt_scrollarea_viewport":
            port = parent.rect().translated(parent.mapTo(window, parent.rect().topLeft()))
            if not port.contains(rect):
                return False
        parent = parent.parentWidget()
    return True


@pytest.fixture
def window(demo_ctx, settings, open_window):  # noqa: ANN001, ANN201
    return open_window(demo_ctx, settings)


def _demo_jem(window):  # noqa: ANN001, ANN202
    from inspector_app.services.review_views import review_rows

    rows = review_rows(window.ctx.db)
    jem = next(r for r in rows if r.review.kind == "jem_inspection" and r.review.start_date)
    return window.open_review(jem.review.id)


@pytest.mark.parametrize("size", SCREENS)
def test_answer_panel_controls_in_view(window, qtbot, size):  # noqa: ANN001
    ws = _demo_jem(window)
    window.resize(*size)
    detail, view = ws.detail, ws.checklist.view
    entries = ws.model.entries()
    longest = max(entries, key=lambda e: len(e.prompt))
    from inspector_app.ui.qt import QScrollArea

    bar = detail.findChild(QScrollArea).verticalScrollBar()
    typed = next(e for e in entries if e.answer == "number")
    for entry in (entries[0], longest, typed, entries[-1]):
        view.select_key(entry.key)
        bar.setValue(bar.maximum())  # scrolled down on this item...
        view.select_key(entries[0].key if entry is not entries[0] else entries[1].key)
        view.select_key(entry.key)  # ...the next item shown starts at its question
        qtbot.wait(10)
        controls = [detail.prompt, detail.note, *detail.answer_buttons.values()]
        if entry is typed:
            controls.append(detail.answer_edit)
        if size == (1366, 768):
            controls += [detail.raise_button, detail.attach_button]
        for widget in controls:
            assert _shown(widget, window), (size, entry.key, widget.objectName())
    # reachable at any size: shortcuts, listed in the Review menu with every review command
    window._fill_review_menu()
    menu = {a.text(): a.shortcut().toString() for a in window.review_menu.actions() if a.text()}
    assert menu["Raise finding from item…"] == "Ctrl+Shift+F"
    assert menu["Attach files to item…"] == "Ctrl+Shift+A"
    for text in ("Finalize…", "Amend…", "Dispute…", "Corrective actions…", "Report…"):
        assert menu[text], text
    assert len(set(menu.values())) == len(menu)  # no shortcut twice


@pytest.mark.parametrize("size", SCREENS)
def test_case_file_bar_leaves_the_answer_panel_its_room(window, qtbot, size):  # noqa: ANN001
    """A new JEM inspection (form v2, case files repeated): the case-file bar's long
    label and buttons widened the checklist until '2 No' and '3 N/A' were cut off at
    1024x600 (seen in a real window)."""
    from inspector_app.services import reviews
    from tests.ui.workspace_helpers import agency_id

    db = window.ctx.db
    review = reviews.schedule_review(db, agency_id=agency_id(db, "Dunmore"), kind="jem_inspection")
    ws = window.open_review(reviews.start_review(db, review.id).id)
    window.resize(*size)
    ws.repeats.add()  # one case file: the label grows ('this is case file 1 of 1')
    ws.checklist.view.select_key(ws.model.entries()[0].key)
    qtbot.wait(10)
    detail = ws.detail
    for widget in (detail.prompt, *detail.answer_buttons.values()):
        assert _shown(widget, window), (size, widget.objectName())


def test_shortcuts_raise_a_finding_and_attach(window, qtbot, monkeypatch):  # noqa: ANN001
    from inspector_app.ui.qt import QFileDialog

    ws = _demo_jem(window)
    window.resize(1024, 600)
    view = ws.checklist.view
    view.setFocus()
    view.select_key(ws.model.entries()[1].key)
    asked: list[str] = []
    monkeypatch.setattr(QFileDialog, "getOpenFileNames",
                        lambda *a, **k: (asked.append("files"), ([], ""))[1])  # fmt: skip
    qtbot.keyClick(view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)  # fmt: skip
    assert asked == ["files"]
    qtbot.keyClick(view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)  # fmt: skip
    assert ws.finding_editor is not None
    ws.finding_editor.reject()


def test_interview_questions_readable_at_1024(window, qtbot):  # noqa: ANN001
    from inspector_app.services.review_views import review_rows
    from inspector_app.ui.workspace.checklist_model import COL_ITEM

    rows = review_rows(window.ctx.db)
    wso = next(r for r in rows if r.review.kind == "wso_review" and r.review.start_date)
    ws = window.open_review(wso.review.id)
    ws.tabs.setCurrentIndex(1)
    window.resize(1024, 600)
    qtbot.wait(20)
    view = ws.interviews.questions.view
    assert view.wordWrap()
    assert view.columnWidth(COL_ITEM) >= view.fontMetrics().averageCharWidth() * 25


def test_report_window_fits_the_screen(demo_ctx, qtbot):  # noqa: ANN001
    from inspector_app.ui.reports_view import ReportWindow

    report = ReportWindow(demo_ctx)
    qtbot.addWidget(report)
    area = report.screen().availableGeometry()
    assert report.width() <= area.width() * 0.9 + 1
    assert report.height() <= area.height() * 0.9 + 1
    report.show()
    assert area.contains(report.frameGeometry())


# -- defect 3: errors and state that stick or mislead ----------------------------------------


def test_error_clears_once_a_valid_number_is_saved(ctx, open_ws, qtbot):  # noqa: ANN001, F811
    review_id, ws = _jem(ctx, open_ws)
    ws.checklist.view.select_key(SAMPLE)
    edit = ws.detail.answer_edit
    edit.setText("fourteen")
    edit.editingFinished.emit()
    assert "not a number" in ws.error.text() and not ws.error.isHidden()
    edit.setText("14")
    edit.editingFinished.emit()
    assert response(ctx.db, review_id, SAMPLE).value == "14"
    assert ws.error.isHidden()


def test_final_review_has_no_undo(ctx, open_ws, qtbot):  # noqa: ANN001, F811
    from tests.ui.workspace_helpers import review_of

    ws = open_ws(review_of(ctx.db, "Bexley", "jem_inspection", "final").id)
    view = ws.checklist.view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_1)  # refused: the review is locked
    assert not ws.undo_action.isEnabled() and not ws.redo_action.isEnabled()
    index = ws.undo_stack.index()
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert ws.undo_stack.index() == index and ws.undo_stack.count() == 0


def test_a_digit_without_an_answer_says_why(ctx, open_ws, qtbot):  # noqa: ANN001, F811
    _review_id, ws = _jem(ctx, open_ws)
    view = ws.checklist.view
    yes_no = next(e for e in ws.model.entries() if e.values == ("yes", "no"))
    view.setFocus()
    view.select_key(yes_no.key)
    with qtbot.waitSignal(ctx.sig_status) as said:
        qtbot.keyClick(view, Qt.Key.Key_3)
    assert said.args[0].startswith("This item has no N/A answer")


def test_raised_finding_carries_the_note(ctx, open_ws, qtbot):  # noqa: ANN001, F811
    review_id, ws = _jem(ctx, open_ws)
    entry = ws.model.entries()[0]
    ws.checklist.view.select_key(entry.key)
    ws.target.set_note(entry.key, "No officer was processing anyone during the tour")
    editor = ws.raise_finding(ws.target, entry.key)
    assert editor is not None
    text = editor.description.toPlainText()
    assert text.startswith("No officer was processing anyone during the tour")
    assert entry.prompt in text  # the question stays, as context
    editor.reject()
