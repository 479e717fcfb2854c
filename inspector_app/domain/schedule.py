"""Planning reviews: when each agreement is next due, and the fiscal-year plan.

Every JEM LEA is inspected at least once every two years, about half of them each
fiscal year (DOMAIN.md). The plan for fiscal year N therefore takes:
1. every agreement whose next inspection falls due in or before FY N (skipping one
   would put it past two years), then
2. tops up to about half of all JEM agreements with those due soonest after FY N, so
   the workload stays level from year to year.
If more than half are already due, all of them are taken: the two-year rule wins
over the even split.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from .calendar import FiscalYear, biennial_due, due_state
from .enums import ProgramModel, ReviewKind, ReviewStatus

# The review that renews each program's two-year cycle (DOMAIN.md: every JEM LEA is
# inspected at least once every two years; HQ reviews each WSO LEA every 2 years).
CYCLE_REVIEW_KIND: dict[str, ReviewKind] = {ProgramModel.JEM: ReviewKind.JEM_INSPECTION,
                     ProgramModel.WSO: ReviewKind.WSO_REVIEW}  # fmt: skip


@dataclass(frozen=True)
class ReviewFact:
    """What the biennial rule needs about one review of an agreement."""

    kind: str
    status: str
    end_date: date | None


def counts_for_cycle(model: str, kind: str, status: str, end_date: date | None) -> bool:
    """Whether a review renews an agreement's two-year cycle.

    Only a review that has ENDED: final, with its end date. One still planned may never
    happen, and one merely started (in progress, or its report in draft) has not been
    done yet: the agreement stays due (or overdue) until the review is final, and the
    end date a started review carries is only its planned end. And only the program's
    own review (a JEM inspection for a JEM agreement, a WSO review for a WSO agreement):
    a focus review is a follow-up of an inspection, not the biennial review, so it never
    resets the clock.
    """
    return (
        end_date is not None
        and str(status) == ReviewStatus.FINAL.value
        and CYCLE_REVIEW_KIND.get(str(model)) == str(kind)
    )


def last_cycle_review_end(model: str, reviews: Iterable[ReviewFact]) -> date | None:
    """End date of the latest review of the agreement that counts for its cycle."""
    ends = [r.end_date for r in reviews if counts_for_cycle(model, r.kind, r.status, r.end_date)]
    return max(ends, default=None)  # type: ignore[type-var]


def next_biennial_due(model: str, signed_on: date, reviews: Iterable[ReviewFact] = ()) -> date:
    """Next biennial review due for one active agreement: two years after the end of
    its last review that counts (`counts_for_cycle`), or two years after signing when
    there is none. The one definition the Due list, the agencies list, the agency page
    and the plan all use."""
    return biennial_due(last_cycle_review_end(model, reviews), signed_on)


@dataclass(frozen=True)
class AgreementHistory:
    """What the schedule needs about one agreement."""

    agreement_id: str
    signed_on: date
    last_review_end: date | None = None

    @property
    def due(self) -> date:
        return biennial_due(self.last_review_end, self.signed_on)

    def state(self, today: date) -> str:
        return due_state(self.due, today)


@dataclass(frozen=True)
class PlanChoice:
    agreement_id: str
    due: date
    included: bool
    reason: str  # why it is (not) in the plan, shown beside it


def plan_target(total: int) -> int:
    """About half of the agreements each year (rounded up, so two years cover all)."""
    return math.ceil(total / 2)


def propose_plan(histories: Iterable[AgreementHistory], fiscal_year: int) -> list[PlanChoice]:
    """Which agreements to inspect in `fiscal_year`, in due-date order."""
    fy = FiscalYear(fiscal_year)
    ordered = sorted(histories, key=lambda h: (h.due, h.agreement_id))
    target = plan_target(len(ordered))
    must = [h for h in ordered if h.due <= fy.end]
    extra = max(0, target - len(must))
    out: list[PlanChoice] = []
    for h in ordered:
        if h.due < fy.start:
            out.append(PlanChoice(h.agreement_id, h.due, True, "overdue before the year starts"))
        elif h.due <= fy.end:
            out.append(PlanChoice(h.agreement_id, h.due, True, f"due in {fy}"))
        elif extra > 0:
            extra -= 1
            out.append(PlanChoice(h.agreement_id, h.due, True, "early, to level the workload"))
        else:
            out.append(PlanChoice(h.agreement_id, h.due, False, f"next due {h.due.isoformat()}"))
    return out


def plan_gaps(
    histories: Sequence[AgreementHistory], included: Iterable[str], fiscal_year: int
) -> list[str]:
    """Agreements a (changed) plan leaves out although they fall due in or before the year."""
    chosen = set(included)
    fy = FiscalYear(fiscal_year)
    return [h.agreement_id for h in histories if h.due <= fy.end and h.agreement_id not in chosen]
