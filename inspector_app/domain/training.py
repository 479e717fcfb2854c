"""Training compliance of a designated officer, computed from training records.

JEM officers: the initial course; the annual online recertification, due by the end of
each fiscal year (September 30; ERO TPU 13004.2, OIG-18-77 appendix A); and a refresher
within 24 months (the initial course counts as the first "refresher" for its first two
years). Training done in fiscal year N (the online course, or the initial course for a
newly trained officer) meets that year's recertification: the next one is due by the end
of FY N+1. An officer who misses the deadline is suspended at fiscal-year end and
revoked 90 days later unless a waiver is granted.

WSO officers: the WSO course, about one day (8 hours, DOMAIN.md / GAO-21-186), with its
hours recorded; a recorded course shorter than that is flagged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from .calendar import FiscalYear, add_months, fiscal_year
from .enums import ProgramModel, TrainingKind

REFRESHER_MONTHS = 24
REVOCATION_DAYS_AFTER_SUSPENSION = 90  # revoked 90 days after suspension unless waived
WSO_COURSE_HOURS = 8.0  # the WSO course: about one day (in practice 1.5 to 8 hours)


@dataclass(frozen=True)
class TrainingEvent:
    kind: TrainingKind
    completed_on: date
    hours: float | None = None


@dataclass(frozen=True)
class Recertification:
    """Where a JEM officer stands with the annual online recertification."""

    deadline: date  # September 30 of the fiscal year it is due in
    last_online: date | None  # the last online training (None: never)
    missed: bool  # the deadline has passed without it: suspended from the next day
    revoke_on: date | None  # 90 days after the missed deadline, unless waived
    waived_on: date | None = None  # the waiver that stops the revocation

    @property
    def suspended_from(self) -> date | None:
        return self.deadline + timedelta(days=1) if self.missed else None


@dataclass(frozen=True)
class TrainingStatus:
    compliant: bool
    reasons: list[str] = field(default_factory=list)
    recertification: Recertification | None = None  # JEM officers with an initial course

    @property
    def summary(self) -> str:
        return "Current" if self.compliant else "Lapsed: " + "; ".join(self.reasons)


def _latest(events: list[TrainingEvent], *kinds: TrainingKind) -> TrainingEvent | None:
    matching = [e for e in events if e.kind in kinds]
    return max(matching, key=lambda e: e.completed_on) if matching else None


def recertification_deadline(last_training: date) -> date:
    """Online (or initial) training done in FY N: the next recertification is due by
    September 30 of FY N+1."""
    return FiscalYear(fiscal_year(last_training) + 1).end


def revocation_date(deadline: date) -> date:
    """Suspended at the missed deadline, revoked 90 days later (unless waived)."""
    return deadline + timedelta(days=REVOCATION_DAYS_AFTER_SUSPENSION)


def waiver_covers(waiver_on: date | None, deadline: date) -> bool:
    """A waiver granted in the fiscal year of the missed deadline or after it covers
    that deadline (one from an earlier year does not)."""
    return waiver_on is not None and waiver_on >= FiscalYear(fiscal_year(deadline)).start


def recertification(
    events: Iterable[TrainingEvent], today: date, waiver_on: date | None = None
) -> Recertification | None:
    """The officer's annual recertification as of `today` (None without an initial
    course: there is nothing to recertify)."""
    done = [e for e in events if e.completed_on <= today]
    initial = _latest(done, TrainingKind.INITIAL_COURSE)
    if initial is None:
        return None
    online = _latest(done, TrainingKind.ANNUAL_ONLINE)
    anchor = max(e.completed_on for e in (online, initial) if e is not None)
    deadline = recertification_deadline(anchor)
    missed = today > deadline
    waived = waiver_on if missed and waiver_covers(waiver_on, deadline) else None
    revoke = revocation_date(deadline) if missed and waived is None else None
    return Recertification(deadline, online.completed_on if online else None, missed, revoke,
                           waived)  # fmt: skip


def _recertification_reason(r: Recertification) -> str:
    last = r.last_online.isoformat() if r.last_online else "never"
    then = (f"revocation waived {r.waived_on.isoformat()}" if r.waived_on
            else f"revoke on {r.revoke_on.isoformat() if r.revoke_on else '?'} unless waived")  # fmt: skip
    return (f"annual online training overdue (last {last}; due by {r.deadline.isoformat()}): "
            f"suspended from {r.suspended_from}, {then}")  # fmt: skip


def _jem_status(events: list[TrainingEvent], today: date, waiver_on: date | None) -> TrainingStatus:
    recert = recertification(events, today, waiver_on)
    if recert is None:
        return TrainingStatus(False, ["no initial course on record"])
    reasons = [_recertification_reason(recert)] if recert.missed else []
    refresher = _latest(events, TrainingKind.REFRESHER, TrainingKind.INITIAL_COURSE)
    if refresher is None or add_months(refresher.completed_on, REFRESHER_MONTHS) < today:
        last = refresher.completed_on.isoformat() if refresher else "never"
        reasons.append(f"biennial refresher overdue (last {last})")
    return TrainingStatus(not reasons, reasons, recert)


def _wso_reasons(events: list[TrainingEvent]) -> list[str]:
    course = _latest(events, TrainingKind.WSO_COURSE)
    if course is None:
        return ["no WSO course on record"]
    if not course.hours:
        return ["WSO course hours not recorded"]
    if course.hours < WSO_COURSE_HOURS:
        return [f"WSO course of {course.hours:g} hours on {course.completed_on.isoformat()} is "
                f"shorter than the {WSO_COURSE_HOURS:g}-hour course"]  # fmt: skip
    return []


def training_status(
    model: ProgramModel, records: Iterable[TrainingEvent], today: date,
    *, waiver_on: date | None = None,
) -> TrainingStatus:  # fmt: skip
    """Compliance as of `today`; `waiver_on`: the officer's recorded waiver of the
    revocation after a missed recertification, if any."""
    events = [e for e in records if e.completed_on <= today]
    if model is ProgramModel.JEM:
        return _jem_status(events, today, waiver_on)
    reasons = _wso_reasons(events)
    return TrainingStatus(not reasons, reasons)
