"""Closeout: every deficiency and area of concern has corrective actions, all done."""

from __future__ import annotations

from datetime import date

from inspector_app.domain.closeout import (
    ActionFacts,
    FindingFacts,
    closeout_blockers,
    count_by_status,
    needs_corrective_action,
    remediated_on_time,
)
from inspector_app.domain.enums import ActionStatus, FindingKind

DONE = ActionFacts(ActionStatus.DONE, date(2026, 3, 1), date(2026, 2, 20))
OPEN = ActionFacts(ActionStatus.IN_PROGRESS, date(2026, 3, 1), None)


def test_only_deficiencies_and_areas_of_concern_need_actions():
    assert needs_corrective_action(FindingKind.DEFICIENCY)
    assert needs_corrective_action("area_of_concern")
    assert not needs_corrective_action(FindingKind.BEST_PRACTICE)
    assert not needs_corrective_action(None)


def test_no_findings_is_closed_out():
    assert closeout_blockers([]) == []


def test_best_practice_without_action_does_not_block():
    assert closeout_blockers([FindingFacts("F-1 training", "best_practice", [])]) == []


def test_each_open_finding_is_one_line():
    findings = [
        FindingFacts("F-1 training", FindingKind.DEFICIENCY, []),
        FindingFacts("F-2 complaints", FindingKind.AREA_OF_CONCERN, [DONE, OPEN, OPEN]),
        FindingFacts("F-3 interpreter", FindingKind.AREA_OF_CONCERN, [DONE]),
        FindingFacts("F-4 info-sec", FindingKind.BEST_PRACTICE, [OPEN]),
    ]
    assert closeout_blockers(findings) == [
        "F-1 training: no corrective action recorded",
        "F-2 complaints: 2 corrective action(s) not done",
    ]


def test_all_actions_done_closes_out():
    findings = [
        FindingFacts("F-1", FindingKind.DEFICIENCY, [DONE, DONE]),
        FindingFacts("F-2", FindingKind.AREA_OF_CONCERN, [DONE]),
    ]
    assert closeout_blockers(findings) == []


def test_remediated_on_time():
    due = date(2026, 3, 1)
    assert remediated_on_time(ActionFacts(ActionStatus.DONE, due, due)) is True
    assert remediated_on_time(ActionFacts(ActionStatus.DONE, due, date(2026, 3, 2))) is False
    assert remediated_on_time(ActionFacts(ActionStatus.DONE, None, date(2030, 1, 1))) is True
    assert remediated_on_time(OPEN) is None
    assert remediated_on_time(ActionFacts(ActionStatus.DONE, due, None)) is None
    assert remediated_on_time(ActionFacts(ActionStatus.PLANNED, due, date(2026, 1, 1))) is None


def test_count_by_status_includes_zero_counts():
    counts = count_by_status({"f1": [DONE, OPEN], "f2": [DONE]})
    assert counts == {"planned": 0, "in_progress": 1, "done": 2}
