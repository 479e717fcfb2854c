"""Interviews of three officers, a finding raised from an answer, a final review
that cannot be changed, and a focus review judged resolved / unresolved."""

from __future__ import annotations

import pytest

from inspector_app.services import reviews
from inspector_app.store import queries
from inspector_app.store.database import open_database
from inspector_app.store.models import Finding
from inspector_app.ui.qt import Qt
from inspector_app.ui.workspace import interviews_panel
from tests.ui.workspace_helpers import ctx, open_ws, response, review_of, started_review  # noqa: F401

pytestmark = pytest.mark.gui


def test_wso_interviews_three_officers(ctx, open_ws, qtbot, demo_db_path, monkeypatch) -> None:  # noqa: ANN001, F811
    review_id = started_review(ctx.db, "Elk Ridge", "wso_review")
    # two answers of each guide: completing asks first (Yes, complete it all the same)
    monkeypatch.setattr(interviews_panel.QMessageBox, "question",
                        lambda *_a: interviews_panel.QMessageBox.StandardButton.Yes)  # fmt: skip
    ws = open_ws(review_id)
    panel = ws.interviews
    assert ws.tabs.isTabVisible(1) is not False
    ws.tabs.setCurrentWidget(panel)
    assert panel.role.currentData() == "officer"
    assert panel.officer.count() == 3  # the agency's WSOs
    officer_names = [panel.officer.itemText(i) for i in range(3)]

    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    seen: list[str] = []  # the interviews started so far
    for n in range(3):
        view = panel.questions.view
        # the new interview is listed and chosen once its change arrives
        qtbot.waitUntil(lambda: panel.current() is not None
                        and panel.current().interview.id not in seen)  # fmt: skip
        seen.append(panel.current().interview.id)
        keys = [e.key for e in panel.model.entries()]
        assert view.current_key() == keys[0]  # the first question, ready for the keyboard
        first = panel.model.entries()[0]
        qtbot.keyClick(view, Qt.Key.Key_1 if n != 1 else Qt.Key.Key_2)
        qtbot.keyClick(view, Qt.Key.Key_1)
        assert panel.model.progress()[0] == 2
        if n == 1:  # the second officer's gap becomes a finding
            view.select_key(first.key)
            qtbot.mouseClick(panel.detail.raise_button, Qt.MouseButton.LeftButton)
            editor = ws.finding_editor
            assert editor.topic.currentData() == first.topic
            assert editor.description.toPlainText().startswith(
                panel.current().interview.interviewee_name
            )
            assert editor.save()
        if n < 2:
            qtbot.mouseClick(panel.next_button, Qt.MouseButton.LeftButton)
        else:
            assert not panel.next_button.isEnabled()  # nobody left
            qtbot.mouseClick(panel.complete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.list_model.rowCount() == 3)
    ws.shutdown()

    other = open_database(demo_db_path, daily_backup=False)
    try:
        with other.read() as s:
            data = queries.load_review(s, review_id)
    finally:
        other.close()
    assert len(data.interviews) == 3 and all(i.interview.completed for i in data.interviews)
    assert sorted(i.officer.name for i in data.interviews) == sorted(
        n.split(" (")[0] for n in officer_names
    )
    # the same questions for each officer, answers stored per officer
    assert len({frozenset(i.answers) for i in data.interviews}) == 1
    values = {i.interview.interviewee_name: i.answers[first.key].value for i in data.interviews}
    assert sorted(values.values()) == sorted([first.values[0], first.values[1], first.values[0]])
    [finding] = data.findings
    gap = next(i for i in data.interviews if i.answers[first.key].value == first.values[1])
    assert finding.interview_answer_id == gap.answers[first.key].id


def test_final_review_is_read_only(ctx, open_ws, qtbot) -> None:  # noqa: ANN001, F811
    review = review_of(ctx.db, "Bexley", "jem_inspection", "final")
    ws = open_ws(review.id)
    assert "Final" in ws.state.text() and "read-only" in ws.state.text()
    view = ws.checklist.view
    key = view.current_key()
    before = response(ctx.db, review.id, key)
    qtbot.keyClick(view, Qt.Key.Key_3)
    after = response(ctx.db, review.id, key)
    assert (after.value, after.rev) == (before.value, before.rev)
    assert "final" in ws.error.text().lower()
    assert all(not b.isEnabled() for b in ws.detail.answer_buttons.values())
    assert ws.detail.note.isReadOnly()
    assert not ws.detail.attach_button.isEnabled()
    assert not ws.findings.new_button.isEnabled()
    assert not ws.interviews.start_button.isEnabled()


def test_focus_review_resolved_and_unresolved(ctx, open_ws, qtbot, demo_db_path) -> None:  # noqa: ANN001, F811
    focus = review_of(ctx.db, "Bexley", "focus_review")
    reviews.start_review(ctx.db, focus.id)
    with ctx.db.read() as s:
        parent_findings = queries.live(s, Finding, Finding.review_id == focus.parent_review_id)
    ws = open_ws(focus.id)
    assert ws.tabs.isTabVisible(1) is False and ws.findings.isHidden()
    entries = ws.model.entries()
    assert len(entries) == len(parent_findings) >= 2
    assert {e.key for e in entries} == {f"finding:{f.id}" for f in parent_findings}
    assert [b.text() for b in ws.detail.answer_buttons.values()] == ["1  Resolved", "2  Unresolved"]
    assert not ws.detail.raise_button.isVisible()
    view = ws.checklist.view
    qtbot.keyClick(view, Qt.Key.Key_1)
    qtbot.keyClick(view, Qt.Key.Key_2)
    view.select_key(entries[1].key)
    ws.detail.focus_note()
    qtbot.keyClicks(ws.detail.note, "Spanish poster still missing")
    ws.shutdown()

    other = open_database(demo_db_path, daily_backup=False)
    try:
        with other.read() as s:
            data = queries.load_review(s, focus.id)
    finally:
        other.close()
    assert data.responses[entries[0].key].value == "resolved"
    assert data.responses[entries[1].key].value == "unresolved"
    assert data.responses[entries[1].key].note == "Spanish poster still missing"


def test_answer_buttons_wrap_instead_of_being_cut_off(ctx, open_ws, qtbot) -> None:  # noqa: ANN001, F811
    from inspector_app.ui.qt import QScrollArea

    ws = open_ws(review_of(ctx.db, "Cedar", "wso_review").id)
    ws.tabs.setCurrentIndex(1)  # officers' interviews: Understood / Partial / Not understood
    detail = ws.interviews.detail
    qtbot.waitUntil(lambda: len(detail.answer_buttons) == 3, timeout=3000)
    scroll = detail.findChild(QScrollArea)
    for width in (1280, 1000):
        ws.resize(width, 860)
        qtbot.wait(50)  # let the layouts settle
        assert scroll.horizontalScrollBar().maximum() == 0  # nothing scrolls sideways
        for button in detail.answer_buttons.values():
            assert button.width() >= button.sizeHint().width(), button.text()
            assert button.geometry().right() <= scroll.widget().width()
