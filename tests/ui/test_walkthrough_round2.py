"""A second real-window walk-through: Ctrl+N offered a duplicate of the review in
progress, the Finalize dialog showed internal keys, interview answers were cut off,
the Approve dialog's Tab order, the first run's "Signed in: unknown" and photo markup
text running off small photos."""

from __future__ import annotations

from html import escape

import pytest

from inspector_app.services import lifecycle, reviews
from inspector_app.services.demo_data import DEMO_INSPECTOR
from inspector_app.services.review_views import review, review_rows
from inspector_app.store.database import open_database
from inspector_app.ui import lifecycle_dialogs as ld
from inspector_app.ui.approve_dialog import ApproveDialog
from inspector_app.ui.first_run import needs_first_run, seed_with_progress
from inspector_app.ui.markup import PhotoView
from inspector_app.ui.qt import (
    QApplication,
    QColor,
    QFont,
    QFontMetrics,
    QImage,
    QMessageBox,
    QPointF,
    QStyle,
    Qt,
)
from inspector_app.ui.workspace import NewReviewDialog, interviews_panel
from inspector_app.ui.workspace.checklist_model import COL_ANSWER
from tests.ui.conftest import make_ctx
from tests.ui.workspace_helpers import agency_id, ctx, open_ws, started_review  # noqa: F401

pytestmark = pytest.mark.gui


def _wso_reviews(db, agency: str) -> list:  # noqa: ANN001
    return [r for r in review_rows(db, agency_id=agency) if r.review.kind == "wso_review"]


def test_new_review_opens_the_review_in_progress(ctx, qtbot):  # noqa: ANN001, F811
    elk = agency_id(ctx.db, "Elk Ridge")
    (planned,) = _wso_reviews(ctx.db, elk)
    started = reviews.start_review(ctx.db, planned.review.id)
    assert started.start_date is not None
    dialog = NewReviewDialog(ctx, agency_id=elk)
    qtbot.addWidget(dialog)
    assert dialog.kind.currentData() == "wso_review"
    assert not dialog.use_planned.isHidden() and dialog.use_planned.isChecked()
    assert dialog.use_planned.text() == (
        f"Open the review in progress (started {started.start_date.isoformat()})"
    )
    assert not dialog.planned_start.isEnabled()
    assert dialog.submit()
    assert dialog.created_review_id == planned.review.id
    assert len(_wso_reviews(ctx.db, elk)) == 1  # no duplicate
    opened = review(ctx.db, planned.review.id)
    assert opened is not None and opened.status == "in_progress"


def test_a_second_review_beside_the_one_in_progress_is_still_possible(ctx, qtbot):  # noqa: ANN001, F811
    elk = agency_id(ctx.db, "Elk Ridge")
    (planned,) = _wso_reviews(ctx.db, elk)
    reviews.start_review(ctx.db, planned.review.id)
    dialog = NewReviewDialog(ctx, agency_id=elk)
    qtbot.addWidget(dialog)
    dialog.plan_new.setChecked(True)
    assert dialog.planned_start.isEnabled()
    dialog.start_now.setChecked(False)
    assert dialog.submit()
    assert dialog.created_review_id != planned.review.id
    assert len(_wso_reviews(ctx.db, elk)) == 2


def _review_of_kind(db, name_start: str, kind: str):  # noqa: ANN001, ANN202
    return next(r.review for r in review_rows(db, agency_id=agency_id(db, name_start))
                if r.review.kind == kind)  # fmt: skip


def test_finalize_lists_what_is_missing_by_section_without_keys(ctx, qtbot):  # noqa: ANN001, F811
    elk = _review_of_kind(ctx.db, "Elk Ridge", "wso_review")
    reviews.start_review(ctx.db, elk.id)
    form = reviews.form_for(review(ctx.db, elk.id))
    dialog = ld.FinalizeDialog(ctx, None, elk.id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    missing = lifecycle.check_finalizable(ctx.db, elk.id)
    assert len(missing) > 1
    assert dialog.intro.text() == (
        f"This review cannot be finalized yet: {len(missing)} items are missing."
    )
    text = dialog.missing_text.text()
    assert "thing(s)" not in dialog.intro.text()
    for section in form.sections:  # keys nowhere, the section titles and prompts instead
        assert f"{section.key}." not in text
    first = next(i for i in form.items() if i.required)
    assert escape(first.prompt) in text
    assert escape(form.section_of(first.key).title) in text
    assert dialog.missing.horizontalScrollBar().maximum() == 0  # wrapped, no sideways scroll
    assert dialog.missing_text.width() <= dialog.missing.viewport().width()


def test_finalize_names_the_case_file_and_counts_one_item(ctx, qtbot):  # noqa: ANN001, F811
    dunmore = reviews.schedule_review(ctx.db, agency_id=agency_id(ctx.db, "Dunmore"),
                                      kind="jem_inspection")  # fmt: skip
    reviews.start_review(ctx.db, dunmore.id)
    for key, value in (("case_documents[]", "1"), ("case_documents[1].reference", "A-123")):
        reviews.record_answer(ctx.db, review_id=dunmore.id, item_key=key, value=value)
    dialog = ld.FinalizeDialog(ctx, None, dunmore.id)
    qtbot.addWidget(dialog)
    text = dialog.missing_text.text()
    assert "Case file A-123: Was the Form I-200" in text
    assert "case_documents[1]" not in text

    alder = _review_of_kind(ctx.db, "Alder", "jem_inspection")
    item = next(i for i in reviews.form_for(alder).items() if i.required)
    reviews.record_answer(ctx.db, review_id=alder.id, item_key=item.key, value=None)
    dialog = ld.FinalizeDialog(ctx, None, alder.id)
    qtbot.addWidget(dialog)
    assert dialog.intro.text() == "This review cannot be finalized yet: 1 item is missing."
    assert escape(item.prompt) in dialog.missing_text.text()
    assert item.key not in dialog.missing_text.text()


def _interviewing(ctx, open_ws, qtbot):  # noqa: ANN001, ANN202, F811
    ws = open_ws(started_review(ctx.db, "Elk Ridge", "wso_review"))
    ws.resize(1050, 700)  # beside the sidebar on a 1366-pixel screen
    panel = ws.interviews
    ws.tabs.setCurrentWidget(panel)
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.current() is not None)
    return panel


def test_interview_answers_are_not_cut_off(ctx, open_ws, qtbot):  # noqa: ANN001, F811
    panel = _interviewing(ctx, open_ws, qtbot)
    view = panel.questions.view
    entries = panel.model.entries()
    for entry, key in zip(entries, (Qt.Key.Key_2, Qt.Key.Key_3, Qt.Key.Key_1), strict=False):
        assert view.select_key(entry.key)
        qtbot.keyClick(view, key)
    qtbot.waitUntil(lambda: panel.model.progress()[0] == 3)
    bold = QFont(view.font())
    bold.setBold(True)
    margin = 2 * (view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 1)
    for entry in entries[:3]:
        for text in {entry.label(v) for v in entry.values or ()}:  # "Partly understood" ...
            need = QFontMetrics(bold).horizontalAdvance(text) + margin
            assert view.columnWidth(COL_ANSWER) >= need, text
    shown = panel.model.index_of(entries[0].key, COL_ANSWER).data()
    assert shown == "Partly understood"


def test_completing_an_interview_with_questions_left_asks_first(ctx, open_ws, qtbot,  # noqa: ANN001, F811
                                                               monkeypatch):  # fmt: skip
    panel = _interviewing(ctx, open_ws, qtbot)
    view = panel.questions.view
    for _ in range(3):
        qtbot.keyClick(view, Qt.Key.Key_1)  # answers and moves to the next question
    qtbot.waitUntil(lambda: panel.model.progress()[0] == 3)
    total = panel.model.progress()[1]
    asked: list[str] = []
    reply = [QMessageBox.StandardButton.No]

    def question(_parent, _title, text, *_args):  # noqa: ANN001, ANN202
        asked.append(text)
        return reply[0]

    monkeypatch.setattr(interviews_panel.QMessageBox, "question", question)
    qtbot.mouseClick(panel.complete_button, Qt.MouseButton.LeftButton)
    assert asked == [f"{total - 3} questions are unanswered (3 of {total} answered). "
                     "Complete the interview anyway?"]  # fmt: skip
    assert not panel.current().interview.completed  # No: back to the questions
    assert panel.complete_button.isEnabled()
    reply[0] = QMessageBox.StandardButton.Yes
    qtbot.mouseClick(panel.complete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.current().interview.completed)
    assert len(asked) == 2


def _focus_chain(qtbot, start, steps: int) -> list:  # noqa: ANN001
    """The widgets Tab visits from `start`, pressed in the shown dialog."""
    start.setFocus()
    visited = []
    widget = start
    for _ in range(steps):
        visited.append(widget)
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
        widget = QApplication.focusWidget()
    return visited


def test_approve_dialog_tab_order_and_default_button(demo_ctx, qtbot, tmp_path):  # noqa: ANN001
    review_id = _review_of_kind(demo_ctx.db, "Bexley", "jem_inspection").id
    dialog = ApproveDialog(demo_ctx, review_id, "Bexley JEM inspection", "Bexley")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    expected = [dialog.p12_edit, dialog.p12_button, dialog.p12_passphrase, dialog.out_edit,
                dialog.out_button, dialog.approve_button, dialog.close_button]  # fmt: skip
    assert _focus_chain(qtbot, dialog.p12_edit, 7) == expected
    chain, widget = [], dialog.p12_edit  # the order as set, whatever the platform's Tab does
    for _ in range(6):
        widget = widget.nextInFocusChain()
        while not widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            widget = widget.nextInFocusChain()
        chain.append(widget)
    assert chain == expected[1:]
    # Enter approves only once every field is filled in
    dialog.p12_edit.clear()
    dialog.p12_passphrase.clear()
    assert not dialog.approve_button.isDefault()
    approved: list[bool] = []
    dialog.buttons.accepted.connect(lambda: approved.append(True))
    dialog.out_edit.setFocus()
    qtbot.keyClick(dialog.out_edit, Qt.Key.Key_Return)
    assert approved == [] and dialog.isVisible()
    dialog.p12_edit.setText(str(tmp_path / "me.p12"))
    assert not dialog.approve_button.isDefault()
    dialog.p12_passphrase.setText("secret")
    assert dialog.approve_button.isDefault()
    dialog.out_edit.clear()
    assert not dialog.approve_button.isDefault()


@pytest.mark.slow
def test_the_first_run_of_the_demo_is_signed_in_as_the_next(qtbot, tmp_path, settings,  # noqa: ANN001
                                                           open_window):  # fmt: skip
    """`--demo` on an empty data folder: the database is opened without a name, then
    filled with the demo; the window said "Signed in: unknown" until the next start."""
    db = open_database(tmp_path / "demo.db", daily_backup=False)
    try:
        assert db.user == "" and needs_first_run(db)
        assert seed_with_progress(db)
        assert db.user == DEMO_INSPECTOR
        ctx = make_ctx(db, settings)
        window = open_window(ctx, settings)
        assert window.user_label.text() == f"Signed in: {DEMO_INSPECTOR}"
        dialog = NewReviewDialog(ctx, window)
        qtbot.addWidget(dialog)
        assert dialog.lead.text() == DEMO_INSPECTOR
        window.close()
        ctx.close()
    finally:
        db.close()
    again = open_database(tmp_path / "demo.db", daily_backup=False)  # the next start
    try:
        assert again.user == DEMO_INSPECTOR
    finally:
        again.close()


def _photo_view(qtbot, width: int, height: int) -> PhotoView:  # noqa: ANN001
    view = PhotoView()
    qtbot.addWidget(view)
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#406080"))
    view.set_image(image)
    view.resize(800, 600)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_markup_text_stays_inside_a_small_photo(qtbot):  # noqa: ANN001
    view = _photo_view(qtbot, 480, 320)
    photo = view.photo.sceneBoundingRect()
    near_edge = view.add_text(QPointF(440, 300), "Handcuffs left on the bench")
    assert photo.contains(near_edge.sceneBoundingRect())  # moved left and up, not clipped
    assert near_edge.pos().x() < 440 and near_edge.pos().y() < 300
    where_clicked = view.add_text(QPointF(20, 30), "OK")
    assert where_clicked.pos() == QPointF(20, 30)  # room enough: where it was placed
    too_long = view.add_text(QPointF(10, 10), "A note far too long to fit across this photo "
                                               "at the size text is written on it")  # fmt: skip
    assert photo.contains(too_long.sceneBoundingRect())  # smaller, and inside
    small = where_clicked.font().pixelSize()
    large = _photo_view(qtbot, 3000, 2000)
    big = large.add_text(QPointF(0, 0), "OK").font().pixelSize()
    assert 12 <= small < 30 and big > 4 * small  # the size follows the photo's
    dialog = view.text_dialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.windowTitle() == "Text on the photo"
    assert dialog.width() >= 420
    assert dialog.width() >= dialog.fontMetrics().horizontalAdvance(dialog.labelText())
