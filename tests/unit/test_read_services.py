"""The next biennial review due is one rule: the Due list, the agencies list and the
agency page show the same date for every agreement (before, the agencies list and the
agency page counted planned reviews, and the agency page any non-focus review)."""

from __future__ import annotations

from datetime import date

from inspector_app.services import agencies as ag
from inspector_app.services import lookup, review_views, reviews, schedule
from inspector_app.services.agency_views import load_agency, load_agency_rows
from inspector_app.services.review_views import Review
from tests.conftest import DEMO_TODAY


def _due_list(db, today):  # noqa: ANN001, ANN202
    return {i.agreement_id: i.due for i in schedule.due_items(db, today)
            if i.category == schedule.Category.AGREEMENT}  # fmt: skip


def _agency_page(db, agency_id, today):  # noqa: ANN001, ANN202
    details = load_agency(db, agency_id, today)
    return {g.id: g.next_due for g in details.agreements if g.next_due}


def _agencies_list(db, today):  # noqa: ANN001, ANN202
    return {r.id: r.next_due for r in load_agency_rows(db, today)}


def test_every_screen_shows_the_same_due_date_on_the_demo(demo_db):
    due = _due_list(demo_db, DEMO_TODAY)
    rows = load_agency_rows(demo_db, DEMO_TODAY)
    assert due
    for row in rows:
        page = _agency_page(demo_db, row.id, DEMO_TODAY)
        assert all(due[a] == d for a, d in page.items())
        assert row.next_due == (min(page.values()) if page else None)


def _agency_with_jem(db):  # noqa: ANN001, ANN202
    agency = ag.create_agency(db, name="Edge County SO", state="GA")
    jem = ag.create_agreement(db, agency_id=agency.id, model="JEM", signed_on="2020-03-01")
    return agency, jem


def _held(db, agency_id, agreement_id, kind, end, **kw):  # noqa: ANN001, ANN003, ANN202
    r = reviews.schedule_review(db, agency_id=agency_id, kind=kind, agreement_id=agreement_id,
                                planned_start=end, **kw)  # fmt: skip
    reviews.start_review(db, r.id, on=end)
    reviews.update_review(db, r.id, end_date=end)
    # Held means ended: final (issue 13 defect 4). Finalizing needs every answer; the
    # biennial rule reads only the status and the end date.
    with db.write() as s:
        row = s.get(Review, r.id)
        row.status = "final"
        s.add(row)
        s.commit()
    return r


def _all_three(db, agency_id, agreement_id, today):  # noqa: ANN001, ANN202
    return (_due_list(db, today)[agreement_id], _agency_page(db, agency_id, today)[agreement_id],
            _agencies_list(db, today)[agency_id])  # fmt: skip


def test_no_reviews_due_two_years_after_signing_everywhere(db):
    agency, jem = _agency_with_jem(db)
    assert set(_all_three(db, agency.id, jem.id, date(2026, 1, 1))) == {date(2022, 3, 1)}


def test_a_planned_review_with_dates_does_not_reset_the_clock(db):
    agency, jem = _agency_with_jem(db)
    _held(db, agency.id, jem.id, "jem_inspection", "2024-12-03")
    planned = reviews.schedule_review(db, agency_id=agency.id, kind="jem_inspection",
                                      agreement_id=jem.id, planned_start="2026-11-20")  # fmt: skip
    reviews.update_review(db, planned.id, end_date="2026-11-22")  # still only planned
    assert set(_all_three(db, agency.id, jem.id, date(2026, 11, 2))) == {date(2026, 12, 3)}


def test_a_focus_review_does_not_reset_the_clock(db):
    agency, jem = _agency_with_jem(db)
    inspection = _held(db, agency.id, jem.id, "jem_inspection", "2024-12-03")
    _held(db, agency.id, jem.id, "focus_review", "2025-05-01", parent_review_id=inspection.id)
    assert set(_all_three(db, agency.id, jem.id, date(2026, 11, 2))) == {date(2026, 12, 3)}


def test_lookup_resolves_prefixes_and_counts(db):
    agency, jem = _agency_with_jem(db)
    r = _held(db, agency.id, jem.id, "jem_inspection", "2024-12-03")
    assert lookup.ids_matching(db, "review", r.id[:6]) == [r.id]
    assert lookup.counts(db).reviews == 1 and lookup.has_agencies(db)
    title = lookup.review_title(db, r.id)
    assert title is not None and title.agency_name == "Edge County SO"
    assert [row.review.id for row in review_views.review_rows(db)] == [r.id]
