"""Corrective actions: on-time computation kept on the row, and the closeout state."""

from __future__ import annotations

from datetime import date

import pytest

from inspector_app.services import agencies as ag
from inspector_app.services import corrective_actions as ca
from inspector_app.services import findings, reviews
from inspector_app.services.errors import Invalid
from inspector_app.store import queries

TODAY = date(2026, 11, 2)


@pytest.fixture
def review(db):
    agency = ag.create_agency(db, name="Test County SO", state="GA")
    ag.create_agreement(db, agency_id=agency.id, model="JEM", signed_on="2024-01-01")
    r = reviews.schedule_review(db, agency_id=agency.id, kind="jem_inspection",
                                planned_start="2026-06-01")  # fmt: skip
    return reviews.start_review(db, r.id, on="2026-06-01")


def _finding(db, review, kind="deficiency", topic="training"):
    return findings.add_finding(db, review_id=review.id, kind=kind, topic=topic,
                                description="x")  # fmt: skip


def test_on_time_is_computed_and_kept(db, review):
    f = _finding(db, review)
    early = ca.add_action(db, finding_id=f.id, action="Train", due_on="2026-09-01", today=TODAY)
    assert early.on_time is None and early.completed_on is None
    early = ca.complete_action(db, early.id, completed_on="2026-09-01", today=TODAY)
    assert early.status == "done" and early.on_time is True  # on the due date is on time
    late = ca.add_action(db, finding_id=f.id, action="Audit", due_on="2026-09-01", today=TODAY)
    late = ca.complete_action(db, late.id, completed_on="2026-09-02", today=TODAY)
    assert late.on_time is False
    undated = ca.add_action(db, finding_id=f.id, action="Memo", status="done", today=TODAY)
    assert undated.completed_on == TODAY and undated.on_time is True  # no due date: on time
    # Reopened: no longer done, so neither on time nor late.
    reopened = ca.update_action(db, late.id, status="in_progress", today=TODAY)
    assert reopened.completed_on is None and reopened.on_time is None
    # Moving the due date re-computes a done action.
    moved = ca.update_action(db, early.id, due_on="2026-08-01", today=TODAY)
    assert moved.on_time is False
    with db.read() as s:
        trail = queries.audit_trail(s, early.id)
    assert [e.action for e in trail] == ["add_corrective_action", "update_corrective_action",
                                         "update_corrective_action"]  # fmt: skip
    assert trail[-1].detail["new"] == {"due_on": "2026-08-01"} and trail[-1].user


def test_closeout_only_when_every_action_is_done(db, review):
    d = _finding(db, review)
    a = _finding(db, review, "area_of_concern", "interpreter")
    _finding(db, review, "best_practice", "information-security")
    state = ca.closeout_state(db, review.id)
    assert not state.closed_out
    assert state.blockers == ["F-1 training: no corrective action recorded",
                              "F-2 interpreter: no corrective action recorded"]  # fmt: skip
    x = ca.add_action(db, finding_id=d.id, action="Train", due_on="2026-12-01", today=TODAY)
    y = ca.add_action(db, finding_id=a.id, action="Log interpreters", today=TODAY)
    ca.complete_action(db, x.id, completed_on="2026-11-01", today=TODAY)
    assert ca.closeout_state(db, review.id).blockers == [
        "F-2 interpreter: 1 corrective action(s) not done"
    ]
    ca.complete_action(db, y.id, today=TODAY)
    state = ca.closeout_state(db, review.id)
    assert state.closed_out and state.done == 2 and state.on_time == 2 and state.late == 0
    with db.read() as s:
        closed = [e for e in queries.audit_trail(s, review.id) if e.detail.get("closed_out")]
    assert len(closed) == 1 and closed[0].action == "update_corrective_action"


def test_best_practice_needs_no_action_and_bad_input_names_the_field(db, review):
    bp = _finding(db, review, "best_practice", "information-security")
    with pytest.raises(Invalid, match="best practice"):
        ca.add_action(db, finding_id=bp.id, action="Nothing")
    f = _finding(db, review)
    with pytest.raises(Invalid, match="^action"):
        ca.add_action(db, finding_id=f.id, action="  ")
    with pytest.raises(Invalid, match="^owner"):
        ca.add_action(db, finding_id=f.id, action="x", owner="mayor")
    with pytest.raises(Invalid, match="^due_on"):
        ca.add_action(db, finding_id=f.id, action="x", due_on="next week")


def test_demo_has_actions_in_several_states(demo_db):
    from inspector_app.services import schedule

    items = [i for i in schedule.due_items(demo_db, date(2026, 11, 2))
             if i.category == schedule.Category.CORRECTIVE_ACTION]  # fmt: skip
    states = {i.state for i in items}
    assert {"done_on_time", "done_late", "overdue", "due_soon"} <= states
