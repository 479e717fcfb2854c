"""Fiscal years, month arithmetic and due dates: the edges a calendar gets wrong."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspector_app.domain.calendar import (
    DUE_SOON_DAYS,
    DueState,
    FiscalYear,
    add_months,
    biennial_due,
    due_state,
    fiscal_year,
    focus_review_due,
)

days = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))


def test_fiscal_year_turns_over_on_october_first():
    assert fiscal_year(date(2019, 9, 30)) == 2019
    assert fiscal_year(date(2019, 10, 1)) == 2020
    assert fiscal_year(date(2020, 9, 30)) == 2020
    assert fiscal_year(date(2020, 1, 1)) == 2020


def test_fy2020_bounds_and_label():
    fy = FiscalYear(2020)
    assert (fy.start, fy.end) == (date(2019, 10, 1), date(2020, 9, 30))
    assert str(fy) == "FY2020"
    assert date(2019, 10, 1) in fy and date(2020, 9, 30) in fy
    assert date(2019, 9, 30) not in fy and date(2020, 10, 1) not in fy


@given(days, st.integers(min_value=1991, max_value=2101))
def test_fiscal_year_matches_its_bounds(day, year):
    fy = FiscalYear(year)
    assert (fiscal_year(day) == year) == (fy.start <= day <= fy.end)
    assert (day in fy) == (fiscal_year(day) == year)


@given(days)
def test_fiscal_years_tile_the_calendar(day):
    fy = FiscalYear(fiscal_year(day))
    assert fy.start <= day <= fy.end
    assert FiscalYear(fy.year + 1).start == fy.end + timedelta(days=1)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 24, date(2026, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 8, 31), 6, date(2025, 2, 28)),
        (date(2024, 12, 15), 1, date(2025, 1, 15)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2025, 1, 15), -13, date(2023, 12, 15)),
        (date(2025, 5, 5), 0, date(2025, 5, 5)),
    ],
)
def test_add_months_clamps_to_month_end(start, months, expected):
    assert add_months(start, months) == expected


@given(days, st.integers(min_value=-120, max_value=120))
def test_add_months_lands_in_the_right_month(day, months):
    result = add_months(day, months)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    assert result.day == day.day or (result.day < day.day and (result + timedelta(days=1)).day == 1)


def test_biennial_due_of_a_new_agreement_counts_from_signing():
    assert biennial_due(None, date(2023, 5, 17)) == date(2025, 5, 17)


def test_biennial_due_after_a_review_counts_from_its_end_not_the_signing():
    assert biennial_due(date(2024, 3, 8), date(2019, 1, 2)) == date(2026, 3, 8)
    assert biennial_due(date(2024, 2, 29), date(2019, 1, 2)) == date(2026, 2, 28)


def test_focus_review_due_six_months_after_the_inspection():
    assert focus_review_due(date(2025, 4, 10)) == date(2025, 10, 10)
    assert focus_review_due(date(2025, 8, 31)) == date(2026, 2, 28)


def test_due_state_boundaries():
    due = date(2026, 6, 30)
    assert due_state(due, due - timedelta(days=DUE_SOON_DAYS + 1)) == DueState.OK
    assert due_state(due, due - timedelta(days=DUE_SOON_DAYS)) == DueState.DUE_SOON
    assert DUE_SOON_DAYS == 90
    assert due_state(due, due) == DueState.DUE_SOON
    assert due_state(due, due + timedelta(days=1)) == DueState.OVERDUE


def test_due_state_custom_window():
    due = date(2026, 1, 31)
    assert due_state(due, date(2026, 1, 1), soon_days=30) == DueState.DUE_SOON
    assert due_state(due, date(2025, 12, 31), soon_days=30) == DueState.OK
