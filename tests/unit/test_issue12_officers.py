"""Issue 12 error 6: terminating an MOA revokes its officers; the credential revocation
process (revoke, retrieve, destroy, log) is recorded step by step; warrant counts before
the MOA was signed are refused. Service level, on a real SQLite file."""

from __future__ import annotations

from datetime import date

import pytest

from inspector_app.services import agencies as ag
from inspector_app.services.errors import Invalid
from inspector_app.store.models import Officer


def _officer(db, officer_id: str) -> Officer:
    with db.read() as s:
        return s.get(Officer, officer_id)


@pytest.fixture
def wso(db):
    agency = ag.create_agency(db, name="Test County SO", state="GA")
    agreement = ag.create_agreement(db, agency_id=agency.id, model="WSO", signed_on="2024-03-15",
                                    moa_number="WSO-1")  # fmt: skip
    jem = ag.create_agreement(db, agency_id=agency.id, model="JEM", signed_on="2020-01-01")
    officers = [ag.add_officer(db, agency_id=agency.id, name=n, model="WSO") for n in ("A", "B")]
    jem_officer = ag.add_officer(db, agency_id=agency.id, name="J", model="JEM")
    return agreement, jem, officers, jem_officer


def test_terminating_an_moa_revokes_its_officers(db, wso):
    agreement, _, (a, b), jem_officer = wso
    ag.set_officer_status(db, b.id, status="suspended", reason="Complaint",
                          credential_retrieved=True, on="2026-01-05")  # fmt: skip
    ag.set_agreement_status(db, agreement.id, "terminated", on="2026-02-01")
    for officer in (_officer(db, a.id), _officer(db, b.id)):
        assert officer.status == "revoked"
        assert officer.status_reason == "MOA WSO-1 terminated on 2026-02-01"
        assert officer.status_changed_on == date(2026, 2, 1)
        assert officer.credential_revoked_on == date(2026, 2, 1)
    assert _officer(db, jem_officer.id).status == "active"  # the JEM MOA still stands


def test_credential_revocation_steps_are_recorded_in_order(db, wso):
    _, _, (a, _), _ = wso
    with pytest.raises(Invalid, match="active authority"):
        ag.record_credential_step(db, a.id, "revoked", on="2026-03-01")
    ag.set_officer_status(db, a.id, status="revoked", reason="Left the agency",
                          credential_retrieved=False, on="2026-03-01")  # fmt: skip
    assert _officer(db, a.id).credential_revoked_on == date(2026, 3, 1)
    with pytest.raises(Invalid, match="retrieved before it is destroyed"):
        ag.record_credential_step(db, a.id, "destroyed", on="2026-03-02")
    ag.record_credential_step(db, a.id, "retrieved", on="2026-03-02")
    ag.record_credential_step(db, a.id, "destroyed", on="2026-03-03")
    with pytest.raises(Invalid, match="log_ref"):
        ag.record_credential_step(db, a.id, "logged", on="2026-03-04")
    ag.record_credential_step(db, a.id, "logged", on="2026-03-04", log_ref="ATL-CRED-2026-014")
    officer = _officer(db, a.id)
    assert officer.credential_retrieved is True
    assert officer.credential_destroyed_on == date(2026, 3, 3)
    assert (officer.credential_logged_on, officer.credential_log_ref) == (
        date(2026, 3, 4), "ATL-CRED-2026-014")  # fmt: skip
    with pytest.raises(Invalid, match="one of revoked, retrieved, destroyed, logged"):
        ag.record_credential_step(db, a.id, "shredded")


def test_warrant_counts_before_the_moa_was_signed_are_refused(db, wso):
    agreement, *_ = wso
    with pytest.raises(Invalid) as refused:
        ag.record_warrants(db, agreement_id=agreement.id, year=2024, month=2, count=3)
    assert str(refused.value) == "month: 2024-02 is before the MOA was signed (2024-03-15)"
    assert ag.record_warrants(db, agreement_id=agreement.id, year=2024, month=3, count=3).count == 3
