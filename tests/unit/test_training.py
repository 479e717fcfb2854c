"""Training compliance: JEM annual online (12 months) and refresher (24 months); WSO course."""

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


def test_jem_newly_trained_officer_is_current_for_twelve_months():
    initial = add_months(TODAY, -12)
    assert training_status(JEM, [ev(INITIAL, initial)], TODAY).compliant
    status = training_status(JEM, [ev(INITIAL, initial)], TODAY + timedelta(days=1))
    assert not status.compliant
    assert status.reasons == ["annual online training overdue (last never)"]


def test_jem_annual_online_boundary_is_twelve_months_to_the_day():
    records = [ev(INITIAL, TODAY - timedelta(days=500)), ev(REFRESHER, TODAY - timedelta(days=30))]
    online = ev(ONLINE, add_months(TODAY, -12))
    assert training_status(JEM, [*records, online], TODAY).compliant
    lapsed = training_status(JEM, [*records, online], TODAY + timedelta(days=1))
    assert not lapsed.compliant
    assert lapsed.reasons == [f"annual online training overdue (last {online.completed_on})"]


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
    assert status.summary.startswith("Lapsed: annual online training overdue (last 2021-01-10); ")


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
    status = training_status(WSO, [ev(COURSE, date(2019, 6, 1), hours=1.5)], TODAY)
    assert status.compliant


def test_wso_course_missing_or_without_hours():
    assert training_status(WSO, [], TODAY).reasons == ["no WSO course on record"]
    no_hours = training_status(WSO, [ev(COURSE, date(2025, 6, 1))], TODAY)
    assert no_hours.reasons == ["WSO course hours not recorded"]
    zero = training_status(WSO, [ev(COURSE, date(2025, 6, 1), hours=0)], TODAY)
    assert not zero.compliant


def test_wso_ignores_jem_courses():
    assert not training_status(WSO, [ev(INITIAL, date(2025, 1, 1), 160)], TODAY).compliant
