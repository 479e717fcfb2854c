"""Issue 13 defect 5: adding and removing field offices, agencies, agreements, officers
and training records through the services, on a real SQLite file: one line per
refusal naming the field, unique codes, sane dates, one unit of work with its audit
entry and change-log rows, tombstone removal and its undo."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from inspector_app.services import agencies as ag
from inspector_app.services import records
from inspector_app.services.errors import Conflict, Invalid
from inspector_app.store.models import AuditLog, ChangeLog, Officer, TrainingRecord


def _office(db):  # noqa: ANN001, ANN202
    return ag.create_field_office(db, name="Atlanta", code="atl", poc_name="Marisol Peña",
                                  poc_email="marisol.pena@example.gov")  # fmt: skip


def test_required_fields_are_named_in_one_line(db):
    with pytest.raises(Invalid) as exc:
        ag.create_agency(db, name=" ", state="")
    assert str(exc.value) == "name, state: required"
    with pytest.raises(Invalid, match=r"^name, model: required$"):
        ag.add_officer(db, agency_id="x", name="", model="")


def test_field_office_code_unique_and_email_checked(db):
    office = _office(db)
    assert office.code == "ATL"
    with pytest.raises(Invalid, match="code: ATL is already the code of the Atlanta field office"):
        ag.create_field_office(db, name="Atlanta 2", code="ATL")
    with pytest.raises(Invalid, match="poc_email: 'marisol' is not an e-mail address"):
        ag.create_field_office(db, name="Houston", code="HOU", poc_email="marisol")


def test_agreement_dates_and_uniqueness(db):
    agency = ag.create_agency(db, name="Test County SO", state="GA")
    tomorrow = date.today() + timedelta(days=1)
    with pytest.raises(Invalid, match="signed_on: .* is in the future"):
        ag.create_agreement(db, agency_id=agency.id, model="JEM", signed_on=tomorrow)
    with pytest.raises(Invalid, match=r"signed_on: 2018-05-01 is before the WSO model began"):
        ag.create_agreement(db, agency_id=agency.id, model="WSO", signed_on="2018-05-01")
    ag.create_agreement(db, agency_id=agency.id, model="JEM", signed_on="2020-03-01",
                        moa_number="287G-GA-1")  # fmt: skip
    with pytest.raises(Invalid, match="model: the agency already holds a JEM agreement"):
        ag.create_agreement(db, agency_id=agency.id, model="JEM", signed_on="2021-03-01")
    with pytest.raises(Invalid, match="moa_number: 287G-GA-1 is already"):
        ag.create_agreement(db, agency_id=agency.id, model="WSO", signed_on="2021-03-01",
                            moa_number="287G-GA-1")  # fmt: skip


def test_officer_and_training_checks(db):
    agency = ag.create_agency(db, name="Test County SO", state="GA")
    wso = ag.create_agreement(db, agency_id=agency.id, model="WSO", signed_on="2021-03-01")
    officer = ag.add_officer(db, agency_id=agency.id, name="José Núñez", model="WSO",
                             credential_number="W1")  # fmt: skip
    assert officer.agreement_id == wso.id
    with pytest.raises(Invalid, match="credential_number: W1 is already José Núñez's"):
        ag.add_officer(db, agency_id=agency.id, name="Ana Ríos", model="WSO",
                       credential_number="W1")  # fmt: skip
    with pytest.raises(Invalid, match="agreement_id: not a JEM agreement of this agency"):
        ag.add_officer(db, agency_id=agency.id, name="Ana Ríos", model="JEM", agreement_id=wso.id)
    with pytest.raises(Invalid, match="kind: 'annual_online' is not a WSO course"):
        ag.add_training(db, officer_id=officer.id, kind="annual_online", completed_on="2024-01-01")
    with pytest.raises(Invalid, match="completed_on: 1999-01-01 is before"):
        ag.add_training(db, officer_id=officer.id, kind="wso_course", completed_on="1999-01-01")
    with pytest.raises(Invalid, match="hours: 'eight' is not a number"):
        ag.add_training(db, officer_id=officer.id, kind="wso_course", completed_on="2024-01-01",
                        hours="eight")  # fmt: skip
    ag.add_training(db, officer_id=officer.id, kind="wso_course", completed_on="2024-01-01",
                    hours=8)  # fmt: skip


def test_each_add_is_one_unit_of_work_with_audit_and_outbox(db):
    office = _office(db)
    with db.read() as s:
        audit = s.exec(select(AuditLog).where(AuditLog.entity_id == office.id)).all()
        log = s.exec(select(ChangeLog).where(ChangeLog.row_id == office.id)).all()
    assert [(a.action, a.event) for a in audit] == [("create_field_office", "create")]
    assert [c.op for c in log] == ["insert"]


def test_remove_is_refused_while_records_depend_and_undo_brings_back(db):
    office = _office(db)
    agency = ag.create_agency(db, name="Test County SO", state="GA", field_office_id=office.id)
    ag.create_agreement(db, agency_id=agency.id, model="WSO", signed_on="2021-03-01")
    officer = ag.add_officer(db, agency_id=agency.id, name="José Núñez", model="WSO")
    training = ag.add_training(db, officer_id=officer.id, kind="wso_course",
                               completed_on="2024-01-01", hours=8)  # fmt: skip
    with pytest.raises(Conflict, match="field office Atlanta has 1 agency: remove or move"):
        records.remove_record(db, "field_office", office.id)
    with pytest.raises(Conflict, match="agency Test County SO has 1 agreement, 1 officer:"):
        records.remove_record(db, "agency", agency.id)

    removed = records.remove_record(db, "officer", officer.id, base_rev=officer.rev)
    assert removed.rows == (("officer", officer.id), ("training_record", training.id))
    assert records.officer_choices(db, agency.id) == []
    with db.read() as s:
        assert s.get(Officer, officer.id).deleted and s.get(TrainingRecord, training.id).deleted
        audit = s.exec(select(AuditLog).where(AuditLog.entity_id == officer.id)).all()
    assert [a.event for a in audit][-1] == "delete"

    records.undo_remove(db, removed)
    assert [c.id for c in records.officer_choices(db, agency.id)] == [officer.id]
    assert [r.id for r in records.training_of(db, officer.id)] == [training.id]
