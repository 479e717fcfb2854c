"""When a review's findings are closed out (the closeout memo may then be produced).

Closed out: every deficiency and area of concern has at least one corrective action,
and every corrective action of those findings is done. Best practices need none.
Remediated on time: done on or before its due date (no due date counts as on time).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from .enums import ActionStatus, FindingKind


@dataclass(frozen=True)
class ActionFacts:
    status: str
    due_on: date | None
    completed_on: date | None


@dataclass(frozen=True)
class FindingFacts:
    label: str  # e.g. "F-3 training"
    kind: str | None
    actions: Sequence[ActionFacts]


def needs_corrective_action(kind: str | None) -> bool:
    return kind in (FindingKind.DEFICIENCY, FindingKind.AREA_OF_CONCERN)


def closeout_blockers(findings: Iterable[FindingFacts]) -> list[str]:
    """Why the review cannot be closed out yet: one line per open finding (empty = closed)."""
    blockers: list[str] = []
    for f in findings:
        if not needs_corrective_action(f.kind):
            continue
        if not f.actions:
            blockers.append(f"{f.label}: no corrective action recorded")
            continue
        open_actions = [a for a in f.actions if a.status != ActionStatus.DONE]
        if open_actions:
            blockers.append(f"{f.label}: {len(open_actions)} corrective action(s) not done")
    return blockers


def remediated_on_time(action: ActionFacts) -> bool | None:
    """None while the action is not done."""
    if action.status != ActionStatus.DONE or action.completed_on is None:
        return None
    return action.due_on is None or action.completed_on <= action.due_on


def count_by_status(actions: Mapping[str, Sequence[ActionFacts]]) -> dict[str, int]:
    out = {s.value: 0 for s in ActionStatus}
    for group in actions.values():
        for a in group:
            out[a.status] = out.get(a.status, 0) + 1
    return out
