"""An open workspace follows changes made elsewhere, reading only the row that changed."""

from __future__ import annotations

import pytest

from inspector_app.services import findings, reviews
from inspector_app.services import review_views as rv
from inspector_app.store.changes import Changes
from inspector_app.ui.context import AppContext
from inspector_app.ui.qt import Qt
from inspector_app.ui.workspace import ReviewWorkspace
from inspector_app.ui.workspace.checklist_model import COL_ANSWER, COL_FINDINGS
from tests.ui.workspace_helpers import ctx, open_ws, started_review  # noqa: F401

pytestmark = pytest.mark.gui


def test_a_second_window_answer_shows_in_the_first(ctx, open_ws, qtbot, monkeypatch) -> None:  # noqa: ANN001, F811
    review_id = started_review(ctx.db, "Dunmore", "jem_inspection")
    first = open_ws(review_id)
    other = AppContext(ctx.db)  # a second main window on the same database
    second = ReviewWorkspace(other, review_id)
    qtbot.addWidget(second)
    reads: list[str] = []
    real = rv.checklist_response
    monkeypatch.setattr(rv, "checklist_response",
                        lambda db, rid: reads.append(rid) or real(db, rid))  # fmt: skip
    key = first.model.entries()[0].key
    second.checklist.view.select_key(key)
    qtbot.keyClick(second.checklist.view, Qt.Key.Key_2)  # "no", in the other window
    assert second.model.index_of(key, COL_ANSWER).data() == "No"  # its own: at once
    qtbot.waitUntil(lambda: first.model.index_of(key, COL_ANSWER).data() == "No")
    # the first window read that one row; the second already had it and read nothing
    assert reads == [first.data.responses[key].id]

    # a finding added by a direct service call (the command line, another device's sync)
    finding = findings.add_finding(ctx.db, review_id=review_id, kind="deficiency",
                                   topic="training", item_key=key)  # fmt: skip
    qtbot.waitUntil(lambda: first.model.index_of(key, COL_FINDINGS).data() == f"F-{finding.number}")
    assert first.findings.model.rowCount() == second.findings.model.rowCount() == 1
    second.shutdown()
    other.close()


def test_answering_is_one_queued_notice_not_a_reentrant_call(ctx, open_ws, qtbot) -> None:  # noqa: ANN001, F811
    review_id = started_review(ctx.db, "Dunmore", "jem_inspection")
    ws = open_ws(review_id)
    heard: list[Changes] = []
    ctx.sig_changed.connect(heard.append)  # (starting the review may still be on its way)
    key = ws.model.entries()[1].key
    row = reviews.record_answer(ctx.db, review_id=review_id, item_key=key, value="yes")
    assert heard == []  # not inside the call that wrote: through the event loop
    answers = lambda: [c for c in heard if c.action == "record_answer"]  # noqa: E731
    qtbot.waitUntil(lambda: len(answers()) == 1)  # one notice for the one answer
    (changes,) = answers()
    assert changes.touches_review(review_id) and changes.only_answers
    assert [(r.table, r.row_id, r.rev) for r in changes.rows] == [
        ("checklist_response", row.id, row.rev)
    ]
    qtbot.waitUntil(lambda: ws.model.index_of(key, COL_ANSWER).data() == "Yes")
