"""Issue 13 in the workspace: a conditional item shows and hides as its controlling
item is answered, and the case files of the JEM checklist (version 2, a repeated
section) are added, removed and reordered from the list, with undo."""

from __future__ import annotations

import pytest

from inspector_app.domain.forms import layout
from inspector_app.services import reviews
from inspector_app.store import queries
from inspector_app.ui.qt import Qt
from tests.ui.workspace_helpers import agency_id, ctx, open_ws  # noqa: F401

pytestmark = pytest.mark.gui


def _started_jem_v2(db) -> str:  # noqa: ANN001
    review = reviews.schedule_review(db, agency_id=agency_id(db, "Dunmore"), kind="jem_inspection")
    review = reviews.start_review(db, review.id)
    assert review.form_version == 2
    return review.id


def _stored(db, review_id: str) -> dict[str, str | None]:  # noqa: ANN001
    with db.read() as s:
        return {k: r.value for k, r in queries.load_review(s, review_id).responses.items()}


def test_answering_the_controlling_item_shows_and_hides_the_dependent(ctx, open_ws, qtbot):  # noqa: ANN001, F811
    review_id = _started_jem_v2(ctx.db)
    ws = open_ws(review_id)
    view, model = ws.checklist.view, ws.model
    follow_up = "training.lapsed_not_performing"
    assert not model.index_of(follow_up).isValid()  # hidden until a training lapsed
    assert view.select_key("training.any_lapsed")
    qtbot.keyClick(view, Qt.Key.Key_1)  # yes: a training lapsed
    assert model.index_of(follow_up).isValid()
    assert model.index_of("training.lapsed_officer").isValid()
    # the cursor moved on to the first follow-up, shown right under its question
    assert view.current_key() == "training.lapsed_officer"
    view.move_entry(1)
    assert view.current_key() == follow_up
    qtbot.keyClick(view, Qt.Key.Key_2)  # no: they kept processing cases
    assert _stored(ctx.db, review_id)[follow_up] == "no"
    assert view.select_key("training.any_lapsed")
    qtbot.keyClick(view, Qt.Key.Key_2)  # no: the follow-ups go away
    assert not model.index_of(follow_up).isValid()
    assert view.current_key() != follow_up
    # the hidden answer is kept; keyboard navigation never lands on a hidden item
    assert _stored(ctx.db, review_id)[follow_up] == "no"
    assert view.select_key("training.any_lapsed")
    view.move_entry(1)
    assert view.current_key() not in (follow_up, "training.lapsed_officer")
    # undo brings the follow-ups back
    ws.undo_stack.undo()
    assert model.index_of(follow_up).isValid()
    assert model.answer(follow_up).value == "no"


def _files(ws) -> list[str]:  # noqa: ANN001
    """The case files as the list shows them (their section titles), in order."""
    return [s.title.split(" · ")[0] for s in ws.model.sections if s.instance is not None]


def _numbers(db, review_id: str) -> list[int]:  # noqa: ANN001
    """The case files' instance numbers, in the list's order."""
    return layout.parse_order(_stored(db, review_id).get("case_documents[]"))


def test_case_files_are_added_removed_and_reordered_from_the_list(ctx, open_ws, qtbot):  # noqa: ANN001, F811
    review_id = _started_jem_v2(ctx.db)
    ws = open_ws(review_id)
    ws.activateWindow()  # the shortcuts work in the active window
    qtbot.waitUntil(ws.isActiveWindow)
    view, bar = ws.checklist.view, ws.repeats
    assert bar.isVisible() and bar.buttons["add"].text() == "Add"
    assert bar.buttons["add"].toolTip().startswith("Add case file")
    assert _files(ws) == []
    qtbot.mouseClick(bar.buttons["add"], Qt.MouseButton.LeftButton)
    assert _files(ws) == ["Case file 1"]
    # instance numbers are drawn at random (laptops adding files offline never clash);
    # the list shows positions, never the numbers
    (first,) = _numbers(ctx.db, review_id)
    assert first >= 1_000_000
    assert view.current_key() == f"case_documents[{first}].reference"  # ready for the reference
    ws.target.set_value(f"case_documents[{first}].reference", "A-123")
    assert _files(ws) == ["Case file A-123"]
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)  # fmt: skip
    second = _numbers(ctx.db, review_id)[-1]
    assert second != first
    assert view.current_key() == f"case_documents[{second}].reference"
    ws.target.set_value(f"case_documents[{second}].reference", "B-456")
    assert view.select_key(f"case_documents[{second}].i213_complete")
    qtbot.keyClick(view, Qt.Key.Key_2)  # file B-456: the I-213 is not complete
    assert _stored(ctx.db, review_id)[f"case_documents[{second}].i213_complete"] == "no"
    assert f"case_documents[{first}].i213_complete" not in _stored(ctx.db, review_id)
    assert _files(ws) == ["Case file A-123", "Case file B-456"]
    # move B-456 up (from one of its items): the cursor stays on that item
    assert view.select_key(f"case_documents[{second}].i213_complete")
    assert "case file 2 of 2" in bar.where.text()
    qtbot.keyClick(view, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)  # fmt: skip
    assert _files(ws) == ["Case file B-456", "Case file A-123"]
    assert view.current_key() == f"case_documents[{second}].i213_complete"
    assert _stored(ctx.db, review_id)["case_documents[]"] == f"{second},{first}"
    assert not bar.buttons["up"].isEnabled() and bar.buttons["down"].isEnabled()
    qtbot.mouseClick(bar.buttons["down"], Qt.MouseButton.LeftButton)
    assert _files(ws) == ["Case file A-123", "Case file B-456"]
    # remove A-123; its answers stay stored and undo brings it back whole
    assert view.select_key(f"case_documents[{first}].reference")
    qtbot.mouseClick(bar.buttons["remove"], Qt.MouseButton.LeftButton)
    assert _files(ws) == ["Case file B-456"]
    assert view.current_key() == f"case_documents[{second}].reference"
    assert _stored(ctx.db, review_id)[f"case_documents[{first}].reference"] == "A-123"
    ws.undo_stack.undo()
    assert _files(ws) == ["Case file A-123", "Case file B-456"]
    # a new file never takes a removed file's number (its answers would come back)
    assert view.select_key(f"case_documents[{first}].reference")
    qtbot.mouseClick(bar.buttons["remove"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(bar.buttons["add"], Qt.MouseButton.LeftButton)
    third = _numbers(ctx.db, review_id)[-1]
    assert _numbers(ctx.db, review_id) == [second, third] and third not in (first, second)
    assert _files(ws) == ["Case file B-456", "Case file 2"]
