"""Issue 12 error 3: the annual recertification is due by fiscal-year end (September 30);
a missed one means suspension, then revocation 90 days later unless waived; WSO courses
shorter than the 8-hour course are flagged. Service level, on a real SQLite file."""

from __future__ import annotations

from datetime import date

import pytest

from inspector_app.services import agencies as ag
from inspector_app.services import lifecycle, schedule
from inspector_app.services.errors import Invalid


@pytest.fixture
def jem(db):
    agency = ag.create_agency(db, name="Test County SO", state="GA")
    ag.create_agreement(db, agency_id=agency.id, model="JEM", signed_on="2024-01-01")
    officer = ag.add_officer(db, agency_id=agency.id, name="Ana Ruiz", model="JEM")
    ag.add_training(db, officer_id=officer.id, kind="initial_course", completed_on="2025-01-10")
    ag.add_training(db, officer_id=officer.id, kind="annual_online", completed_on="2025-11-01")
    ag.add_training(db, officer_id=officer.id, kind="refresher", completed_on="2026-06-01")
    return agency, officer


def _training_items(db, today):
    return [i for i in schedule.due_items(db, today) if i.category == schedule.Category.TRAINING]


def test_training_of_november_is_current_until_the_next_fiscal_year_end(db, jem):
    agency, officer = jem
    [t] = lifecycle.officer_training(db, agency.id, date(2026, 12, 1))
    assert t.status.compliant and not t.lapsed  # was "lapsed" under the 12-month rule
    assert t.status.recertification.deadline == date(2027, 9, 30)
    assert lifecycle.lapsed_officers(db, agency.id, date(2027, 9, 30)) == []
    [late] = lifecycle.lapsed_officers(db, agency.id, date(2027, 10, 1))
    assert late.officer.id == officer.id and late.action == "suspend"


def test_due_lists_the_recertification_then_the_revocation(db, jem):
    _, officer = jem
    assert _training_items(db, date(2026, 9, 1)) == []  # recertified for FY2026 already
    [recert] = _training_items(db, date(2026, 12, 1))  # FY2027's is due 2027-09-30
    assert (recert.due, recert.state, recert.ref_id) == (date(2027, 9, 30), "ok", officer.id)
    assert recert.title == "Annual online recertification: Ana Ruiz"
    items = _training_items(db, date(2027, 10, 15))
    assert [(i.due, i.state) for i in items] == [
        (date(2027, 9, 30), "overdue"),
        (date(2027, 12, 29), "due_soon"),
    ]
    assert items[1].title.startswith("Revoke authority")


def test_a_recorded_waiver_removes_the_revocation(db, jem):
    agency, officer = jem
    ag.record_training_waiver(db, officer.id, on="2027-10-20", note="PALMS course withdrawn")
    items = _training_items(db, date(2027, 11, 1))
    assert [i.title for i in items] == ["Annual online recertification: Ana Ruiz"]
    [t] = lifecycle.officer_training(db, agency.id, date(2028, 1, 5))
    assert not t.status.compliant and t.action == "suspend"  # still lapsed, not revoked
    assert "revocation waived 2027-10-20" in t.status.reasons[0]
    with pytest.raises(Invalid, match="note"):
        ag.record_training_waiver(db, officer.id, on="2027-10-20", note=" ")


def test_past_the_revocation_date_the_officer_is_to_be_revoked(db, jem):
    agency, officer = jem
    ag.set_officer_status(db, officer.id, status="suspended", on="2027-10-01",
                          reason="Recertification missed", credential_retrieved=True)  # fmt: skip
    [t] = lifecycle.officer_training(db, agency.id, date(2027, 12, 29))
    assert t.action == "revoke"


def test_wso_course_shorter_than_eight_hours_is_flagged(db):
    agency = ag.create_agency(db, name="Wso County SO", state="GA")
    ag.create_agreement(db, agency_id=agency.id, model="WSO", signed_on="2024-01-01")
    short = ag.add_officer(db, agency_id=agency.id, name="Bo Short", model="WSO")
    full = ag.add_officer(db, agency_id=agency.id, name="Cy Full", model="WSO")
    ag.add_training(
        db, officer_id=short.id, kind="wso_course", completed_on="2025-02-01", hours=1.5
    )
    ag.add_training(db, officer_id=full.id, kind="wso_course", completed_on="2025-02-01", hours=8)
    [lapsed] = lifecycle.lapsed_officers(db, agency.id, date(2026, 1, 1))
    assert lapsed.officer.name == "Bo Short"
    assert lapsed.status.reasons == [
        "WSO course of 1.5 hours on 2025-02-01 is shorter than the 8-hour course"
    ]
