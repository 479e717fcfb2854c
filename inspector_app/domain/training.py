"""Training compliance of a designated officer, computed from training records.

JEM officers: the initial course, annual online training within the last 12 months,
and a refresher within 24 months (the initial course counts as the first "refresher"
for its first two years). WSO officers: the WSO course with its hours recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from .calendar import add_months
from .enums import ProgramModel, TrainingKind


@dataclass(frozen=True)
class TrainingEvent:
    kind: TrainingKind
    completed_on: date
    hours: float | None = None


@dataclass(frozen=True)
class TrainingStatus:
    compliant: bool
    reasons: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return "Current" if self.compliant else "Lapsed: " + "; ".join(self.reasons)


def _latest(events: list[TrainingEvent], *kinds: TrainingKind) -> TrainingEvent | None:
    matching = [e for e in events if e.kind in kinds]
    return max(matching, key=lambda e: e.completed_on) if matching else None


def training_status(
    model: ProgramModel, records: Iterable[TrainingEvent], today: date
) -> TrainingStatus:
    events = [e for e in records if e.completed_on <= today]
    reasons: list[str] = []
    if model is ProgramModel.JEM:
        initial = _latest(events, TrainingKind.INITIAL_COURSE)
        if initial is None:
            return TrainingStatus(False, ["no initial course on record"])
        online = _latest(events, TrainingKind.ANNUAL_ONLINE)
        # A newly trained officer has 12 months before the first online training is due.
        online_anchor = max(
            (e.completed_on for e in (online, initial) if e is not None), default=None
        )
        if online_anchor is None or add_months(online_anchor, 12) < today:
            last = online.completed_on.isoformat() if online else "never"
            reasons.append(f"annual online training overdue (last {last})")
        refresher = _latest(events, TrainingKind.REFRESHER, TrainingKind.INITIAL_COURSE)
        if refresher is None or add_months(refresher.completed_on, 24) < today:
            last = refresher.completed_on.isoformat() if refresher else "never"
            reasons.append(f"biennial refresher overdue (last {last})")
    else:
        course = _latest(events, TrainingKind.WSO_COURSE)
        if course is None:
            reasons.append("no WSO course on record")
        elif not course.hours:
            reasons.append("WSO course hours not recorded")
    return TrainingStatus(not reasons, reasons)
