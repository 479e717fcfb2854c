"""Training compliance: JEM annual online (by fiscal-year end) and refresher (24 months);
WSO course (8 hours)."""

from __future__ import annotations

from datetime import date, timedelta

from inspector_app.domain.calendar import add_months
from inspector_app.domain.enums import ProgramModel, TrainingKind
from inspector_app.domain.training import TrainingEvent, training_status

JEM, WSO = ProgramModel.JEM, ProgramModel.WSO
INITIAL, ONLINE = TrainingKind.INITIAL_COURSE, TrainingKind.ANNUAL_ONLINE
REFRESHER, COURSE = TrainingKind.REFRESHER, TrainingKind.WSO_COURSE
TODAY = date(2026, 11, 2)


def ev(kind: TrainingKind, day: date, hours: float | None = None) -> TrainingEvent:
    return TrainingEvent(kind, day, hours)


def test_jem_without_initial_course_is_not_compliant():
    status = training_status(JEM, [ev(ONLINE, TODAY - timedelta(days=10))], TODAY)
    assert not status.compliant
    assert status.reasons == ["no initial course on record"]
    assert status.summary == "Lapsed: no initial course on record"


def test_jem_newly_trained_officer_recertifies_by_the_end_of_the_next_fiscal_year():
    initial = date(2025, 11, 1)  # FY2026: the initial course covers FY2026
    assert training_status(JEM, [ev(INITIAL, initial)], date(2027, 9, 30)).compliant
    status = training_status(JEM, [ev(INITIAL, initial)], date(2027, 10, 1))
    assert not status.compliant
    assert status.reasons == [
        "annual online training overdue (last never; due by 2027-09-30): "
        "suspended from 2027-10-01, revoke on 2027-12-29 unless waived"
    ]


def test_annual_recertification_is_due_at_fiscal_year_end_not_twelve_months_later():
    """Issue 12 error 3: training of 2025-11-01 was shown lapsed on 2026-12-01 although
    its deadline is 2027-09-30 (the end of the next fiscal year)."""
    records = [
        ev(INITIAL, date(2025, 1, 10)),
        ev(ONLINE, date(2025, 11, 1)),
        ev(REFRESHER, date(2026, 6, 1)),
    ]
    status = training_status(JEM, records, date(2026, 12, 1))
    assert status.compliant, status.reasons
    assert status.recertification is not None
    assert status.recertification.deadline == date(2027, 9, 30)
    assert training_status(JEM, records, date(2027, 9, 30)).compliant
    lapsed = training_status(JEM, records, date(2027, 10, 1))
    assert not lapsed.compliant
    recert = lapsed.recertification
    assert recert is not None and recert.missed and recert.suspended_from == date(2027, 10, 1)
    assert recert.revoke_on == date(2027, 12, 29)  # 90 days after the missed deadline
    assert lapsed.reasons[0].startswith("annual online training overdue (last 2025-11-01; ")


def test_training_done_late_in_september_still_counts_for_that_year():
    records = [
        ev(INITIAL, date(2024, 3, 1)),
        ev(ONLINE, date(2026, 9, 30)),
        ev(REFRESHER, date(2026, 1, 5)),
    ]
    status = training_status(JEM, records, date(2027, 9, 1))
    assert status.compliant
    assert status.recertification.deadline == date(2027, 9, 30)


def test_waiver_stops_the_revocation_but_not_the_lapse():
    records = [ev(INITIAL, date(2024, 3, 1)), ev(ONLINE, date(2024, 10, 15))]  # FY2025
    day = date(2026, 11, 15)  # deadline 2026-09-30 missed
    no_waiver = training_status(JEM, records, day).recertification
    assert no_waiver.revoke_on == date(2026, 12, 29) and no_waiver.waived_on is None
    waived = training_status(JEM, records, day, waiver_on=date(2026, 10, 20))
    assert not waived.compliant
    assert waived.recertification.revoke_on is None
    assert waived.recertification.waived_on == date(2026, 10, 20)
    assert "revocation waived 2026-10-20" in waived.reasons[0]
    old = training_status(JEM, records, day, waiver_on=date(2025, 6, 1))  # an earlier year's
    assert old.recertification.revoke_on == date(2026, 12, 29)


def test_jem_refresher_boundary_is_twenty_four_months():
    refresher = add_months(TODAY, -24)
    records = [
        ev(INITIAL, TODAY - timedelta(days=1500)),
        ev(REFRESHER, refresher),
        ev(ONLINE, TODAY - timedelta(days=40)),
    ]
    assert training_status(JEM, records, TODAY).compliant
    lapsed = training_status(JEM, records, TODAY + timedelta(days=1))
    assert lapsed.reasons == [f"biennial refresher overdue (last {refresher})"]


def test_jem_initial_course_counts_as_first_refresher():
    initial = add_months(TODAY, -23)
    records = [ev(INITIAL, initial), ev(ONLINE, TODAY - timedelta(days=100))]
    assert training_status(JEM, records, TODAY).compliant
    later = add_months(initial, 24) + timedelta(days=1)
    status = training_status(JEM, [*records, ev(ONLINE, later - timedelta(days=5))], later)
    assert status.reasons == [f"biennial refresher overdue (last {initial})"]


def test_jem_both_lapsed_lists_both_reasons():
    records = [ev(INITIAL, date(2020, 1, 10)), ev(ONLINE, date(2021, 1, 10))]
    status = training_status(JEM, records, TODAY)
    assert len(status.reasons) == 2
    assert status.summary.startswith("Lapsed: annual online training overdue (last 2021-01-10; ")


def test_training_in_the_future_does_not_count_yet():
    records = [ev(INITIAL, TODAY + timedelta(days=3))]
    assert training_status(JEM, records, TODAY).reasons == ["no initial course on record"]


def test_latest_record_wins():
    records = [
        ev(INITIAL, date(2020, 1, 1)),
        ev(ONLINE, date(2022, 1, 1)),
        ev(ONLINE, TODAY - timedelta(days=3)),
        ev(REFRESHER, date(2021, 1, 1)),
        ev(REFRESHER, TODAY - timedelta(days=300)),
    ]
    status = training_status(JEM, records, TODAY)
    assert status.compliant and status.summary == "Current"


def test_wso_course_with_hours_is_compliant_without_annual_training():
    status = training_status(WSO, [ev(COURSE, date(2019, 6, 1), hours=8)], TODAY)
    assert status.compliant


def test_wso_course_shorter_than_the_eight_hour_course_is_flagged():
    status = training_status(WSO, [ev(COURSE, date(2019, 6, 1), hours=1.5)], TODAY)
    assert not status.compliant
    assert status.reasons == [
        "WSO course of 1.5 hours on 2019-06-01 is shorter than the 8-hour course"
    ]


def test_wso_course_missing_or_without_hours():
    assert training_status(WSO, [], TODAY).reasons == ["no WSO course on record"]
    no_hours = training_status(WSO, [ev(COURSE, date(2025, 6, 1))], TODAY)
    assert no_hours.reasons == ["WSO course hours not recorded"]
    zero = training_status(WSO, [ev(COURSE, date(2025, 6, 1), hours=0)], TODAY)
    assert not zero.compliant


def test_wso_ignores_jem_courses():
    assert not training_status(WSO, [ev(INITIAL, date(2025, 1, 1), 160)], TODAY).compliant
