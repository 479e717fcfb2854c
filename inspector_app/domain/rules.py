"""Rules about findings: the follow-up threshold and counting."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from .calendar import focus_review_due
from .enums import FindingKind, ReviewMode

FOLLOW_UP_THRESHOLD = 4  # deficiencies + areas of concern together


@dataclass(frozen=True)
class FindingCounts:
    deficiencies: int = 0
    areas_of_concern: int = 0
    best_practices: int = 0

    @classmethod
    def of(cls, kinds: Iterable[FindingKind | str]) -> FindingCounts:
        c = Counter(FindingKind(k) for k in kinds)
        return cls(
            c[FindingKind.DEFICIENCY], c[FindingKind.AREA_OF_CONCERN], c[FindingKind.BEST_PRACTICE]
        )

    @property
    def counted_for_follow_up(self) -> int:
        """Best practices never count toward the follow-up rule."""
        return self.deficiencies + self.areas_of_concern

    @property
    def total(self) -> int:
        return self.deficiencies + self.areas_of_concern + self.best_practices


def requires_follow_up(counts: FindingCounts) -> bool:
    """4 or more deficiencies and areas of concern together call for a focus review."""
    return counts.counted_for_follow_up >= FOLLOW_UP_THRESHOLD


def follow_up_due(counts: FindingCounts, inspection_end: date) -> date | None:
    """The focus review's due date, or None when no follow-up is required."""
    return focus_review_due(inspection_end) if requires_follow_up(counts) else None


# A focus review is a desk review (records in ICE systems) or a site visit, depending on
# the findings (GAO-21-186, note 5): what can only be seen on site, such as the complaint
# poster in the jail or how credentials and ICE equipment are secured, needs a visit.
SITE_VISIT_TOPICS = frozenset({"complaints", "interpreter", "information-security"})


def default_focus_mode(topics: Iterable[str | None]) -> ReviewMode:
    """The focus review's mode proposed by the findings it follows up (the inspector may
    choose the other): a site visit when one of their topics needs one, else a desk
    review."""
    if any(t in SITE_VISIT_TOPICS for t in topics):
        return ReviewMode.SITE_VISIT
    return ReviewMode.DESK_REVIEW
