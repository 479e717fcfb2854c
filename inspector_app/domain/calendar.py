"""Date arithmetic of the program: fiscal years, biennial due dates, follow-up deadlines.

The federal fiscal year N runs from October 1 of year N-1 to September 30 of year N
(FY2020 = 2019-10-01 .. 2020-09-30).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

REVIEW_CYCLE_MONTHS = 24  # every LEA inspected at least once every two years
FOCUS_REVIEW_MONTHS = 6  # follow-up focus review within six months
DUE_SOON_DAYS = 90


def fiscal_year(day: date) -> int:
    """The fiscal year a day falls in."""
    return day.year + 1 if day.month >= 10 else day.year


@dataclass(frozen=True)
class FiscalYear:
    year: int

    @property
    def start(self) -> date:
        return date(self.year - 1, 10, 1)

    @property
    def end(self) -> date:
        return date(self.year, 9, 30)

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end

    def __str__(self) -> str:
        return f"FY{self.year}"


def add_months(day: date, months: int) -> date:
    """Same day-of-month `months` later, clamped to the month's last day (Feb 29 -> Feb 28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def biennial_due(last_review_end: date | None, agreement_signed: date) -> date:
    """When the next JEM inspection / WSO review is due.

    Two years after the last review ended; for an agreement never reviewed, two years
    after it was signed.
    """
    anchor = last_review_end if last_review_end is not None else agreement_signed
    return add_months(anchor, REVIEW_CYCLE_MONTHS)


def focus_review_due(inspection_end: date) -> date:
    """A focus review is due within six months of the inspection's end."""
    return add_months(inspection_end, FOCUS_REVIEW_MONTHS)


class DueState:
    OK = "ok"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


def due_state(due: date, today: date, soon_days: int = DUE_SOON_DAYS) -> str:
    """'overdue' after the due date, 'due_soon' within `soon_days` of it, else 'ok'."""
    if today > due:
        return DueState.OVERDUE
    if (due - today).days <= soon_days:
        return DueState.DUE_SOON
    return DueState.OK
