"""The follow-up rule: 4 or more deficiencies and areas of concern together."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspector_app.domain.enums import FindingKind
from inspector_app.domain.rules import (
    FOLLOW_UP_THRESHOLD,
    FindingCounts,
    follow_up_due,
    requires_follow_up,
)

D, A, B = FindingKind.DEFICIENCY, FindingKind.AREA_OF_CONCERN, FindingKind.BEST_PRACTICE


def test_counts_from_kinds_accept_enum_and_stored_strings():
    counts = FindingCounts.of([D, "deficiency", A, B, "best_practice"])
    assert counts == FindingCounts(deficiencies=2, areas_of_concern=1, best_practices=2)
    assert counts.counted_for_follow_up == 3
    assert counts.total == 5


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        FindingCounts.of(["observation"])


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        ([D, D, D], False),
        ([D, D, D, D], True),
        ([D, A, A, A], True),
        ([A, A, A, A], True),
        ([A, A, A], False),
        ([D, D, A], False),
        ([D, D, D] + [B] * 5, False),  # best practices never count
        ([D, D, D, A, B], True),
        ([], False),
    ],
)
def test_follow_up_threshold(kinds, expected):
    assert requires_follow_up(FindingCounts.of(kinds)) is expected


def test_follow_up_due_six_months_after_the_inspection_end():
    end = date(2025, 3, 31)
    assert follow_up_due(FindingCounts(2, 2, 0), end) == date(2025, 9, 30)
    assert follow_up_due(FindingCounts(3, 0, 5), end) is None


@given(st.lists(st.sampled_from(list(FindingKind)), max_size=20))
def test_best_practices_never_change_the_decision(kinds):
    counts = FindingCounts.of(kinds)
    without = FindingCounts.of([k for k in kinds if k is not B])
    assert requires_follow_up(counts) == requires_follow_up(without)
    assert requires_follow_up(counts) == (
        sum(k.counts_toward_follow_up for k in kinds) >= FOLLOW_UP_THRESHOLD
    )
