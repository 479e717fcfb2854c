"""Field offices, agencies, agreements, officers, training records and warrant counts."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import col, select

from inspector_app.domain.enums import (
    AgreementStatus,
    OfficerStatus,
    ProgramModel,
    TrainingKind,
)
from inspector_app.store.database import Database
from inspector_app.store.models import (
    Agency,
    Agreement,
    FieldOffice,
    Officer,
    TrainingRecord,
    WarrantCount,
)

from . import record_rules as rules
from .errors import Invalid
from .uow import UnitOfWork, unit_of_work
from .validate import enum_value, parse_date, required_text, state_code


def create_field_office(
    db: Database, *, name: str, code: str = "", state: str = "", poc_name: str = "",
    poc_email: str = "",
) -> FieldOffice:  # fmt: skip
    """A field office. Its code (ATL, HOU...) is unique among live field offices; the
    point of contact's e-mail (who receives WSO request forms) must look like one."""
    rules.require(name=name)
    with unit_of_work(db, "create_field_office") as uow:
        office = FieldOffice(
            name=name.strip(), code=code.strip().upper(),
            state=state_code(state) if state.strip() else "",
            poc_name=poc_name.strip(), poc_email=rules.email(poc_email, "poc_email"),
        )  # fmt: skip
        _check_office_unique(uow, office)
        uow.save(office)
        uow.audit("field_office", office.id, name=office.name, code=office.code)
        return office


def _check_office_unique(uow: UnitOfWork, office: FieldOffice) -> None:
    if not office.code:
        return
    taken = uow.session.exec(
        select(FieldOffice).where(
            FieldOffice.code == office.code,
            FieldOffice.deleted == False,  # noqa: E712
        )
    ).first()
    if taken is not None:
        raise Invalid("code", f"{office.code} is already the code of the {taken.name} field office")


def create_agency(
    db: Database, *, name: str, state: str, field_office_id: str | None = None,
    county: str = "", address: str = "", contact_name: str = "", contact_email: str = "",
) -> Agency:  # fmt: skip
    rules.require(name=name, state=state)
    with unit_of_work(db, "create_agency") as uow:
        if field_office_id:
            uow.get(FieldOffice, field_office_id, "field office")
        agency = Agency(
            name=required_text(name, "name"), state=state_code(state), county=county.strip(),
            field_office_id=field_office_id, address=address.strip(),
            contact_name=contact_name.strip(),
            contact_email=rules.email(contact_email, "contact_email"),
        )  # fmt: skip
        duplicate = uow.session.exec(
            select(Agency).where(
                Agency.name == agency.name,
                Agency.state == agency.state,
                Agency.deleted == False,  # noqa: E712
            )
        ).first()
        if duplicate:
            raise Invalid(
                "name", f"an agency named {agency.name!r} already exists in {agency.state}"
            )
        uow.save(agency)
        uow.audit("agency", agency.id, name=agency.name, state=agency.state)
        return agency


_AGENCY_FIELDS = {
    "name",
    "county",
    "field_office_id",
    "address",
    "contact_name",
    "contact_email",
    "state",
}


def update_agency(
    db: Database, agency_id: str, *, base_rev: int | None = None, **changes: Any
) -> Agency:
    """Change an agency's fields (StaleEdit if it moved on from `base_rev`)."""
    unknown = set(changes) - _AGENCY_FIELDS
    if unknown:
        raise Invalid(sorted(unknown)[0], "cannot be changed here")
    with unit_of_work(db, "update_agency") as uow:
        agency = uow.get_for_update(Agency, agency_id, "agency", base_rev, changes)
        if "name" in changes:
            changes["name"] = required_text(changes["name"], "name")
        if "state" in changes:
            changes["state"] = state_code(changes["state"])
        for key, value in changes.items():
            setattr(agency, key, value)
        uow.save(agency)
        uow.audit("agency", agency.id, changed=sorted(changes))
        return agency


def create_agreement(
    db: Database, *, agency_id: str, model: str, signed_on: date | str,
    status: str = AgreementStatus.ACTIVE, moa_number: str = "",
) -> Agreement:  # fmt: skip
    """An MOA of one program model. Signed on a day of the model's past (WSO agreements
    from April 2019); an agency holds one agreement in force per model, and an MOA
    number belongs to one agreement."""
    program = enum_value(ProgramModel, model, "model")
    signed = rules.sane_date(parse_date(signed_on, "signed_on", required=True), "signed_on",
                             earliest=rules.MODEL_START[program],
                             what=f"the {program.value} model")  # fmt: skip
    with unit_of_work(db, "create_agreement") as uow:
        uow.get(Agency, agency_id, "agency")
        agreement = Agreement(
            agency_id=agency_id, model=program, signed_on=signed,
            status=enum_value(AgreementStatus, status, "status"), moa_number=moa_number.strip(),
        )  # fmt: skip
        _check_agreement_unique(uow, agreement)
        uow.save(agreement)
        uow.audit("agreement", agreement.id, model=agreement.model, agency_id=agency_id)
        return agreement


def _check_agreement_unique(uow: UnitOfWork, agreement: Agreement) -> None:
    others = uow.session.exec(
        select(Agreement).where(Agreement.deleted == False)  # noqa: E712
    ).all()
    if agreement.moa_number and any(g.moa_number == agreement.moa_number for g in others):
        raise Invalid("moa_number", f"{agreement.moa_number} is already another agreement's")
    in_force = agreement.status != AgreementStatus.TERMINATED
    if in_force and any(g.agency_id == agreement.agency_id and g.model == agreement.model
                        and g.status != AgreementStatus.TERMINATED for g in others):  # fmt: skip
        raise Invalid("model", f"the agency already holds a {agreement.model} agreement "
                               "(terminate it before recording a new one)")  # fmt: skip


def set_agreement_status(
    db: Database, agreement_id: str, status: str, *, base_rev: int | None = None,
    on: date | str | None = None,
) -> Agreement:  # fmt: skip
    """Activate, suspend or terminate an MOA. Terminating it revokes the authority of
    every officer designated under it (in the same transaction), each with the reason,
    the date and the credential revoked; whether each credential was retrieved is
    recorded afterwards (set_officer_status / record_credential_step)."""
    with unit_of_work(db, "set_agreement_status") as uow:
        agreement = uow.get_for_update(
            Agreement, agreement_id, "agreement", base_rev, {"status": status}
        )
        old = agreement.status
        agreement.status = enum_value(AgreementStatus, status, "status")
        day = parse_date(on, "on") or date.today()
        uow.save(agreement)
        revoked = []
        if agreement.status == AgreementStatus.TERMINATED and old != AgreementStatus.TERMINATED:
            revoked = _revoke_officers_of(uow, agreement, day)
        uow.audit("agreement", agreement.id, old=old, new=agreement.status,
                  officers_revoked=revoked)  # fmt: skip
        return agreement


def _revoke_officers_of(uow: UnitOfWork, agreement: Agreement, day: date) -> list[str]:
    """Revoke every officer designated under the agreement (or, with no agreement
    recorded, every officer of its agency under its program model)."""
    officers = uow.session.exec(
        select(Officer).where(
            Officer.agency_id == agreement.agency_id, Officer.model == agreement.model,
            Officer.deleted == False, Officer.status != OfficerStatus.REVOKED,  # noqa: E712
            (col(Officer.agreement_id) == agreement.id) | (col(Officer.agreement_id) == None),  # noqa: E711
        )
    ).all()  # fmt: skip
    reason = f"MOA {agreement.moa_number or agreement.id[:8]} terminated on {day.isoformat()}"
    for officer in officers:
        old = officer.status
        officer.status = OfficerStatus.REVOKED
        officer.status_reason = reason
        officer.status_changed_on = day
        officer.credential_revoked_on = officer.credential_revoked_on or day
        uow.save(officer)
        uow.audit("officer", officer.id, old=old, new=officer.status, reason=reason,
                  credential_revoked_on=day)  # fmt: skip
    return [o.id for o in officers]


def add_officer(
    db: Database, *, agency_id: str, name: str, model: str, credential_number: str = "",
    agreement_id: str | None = None,
) -> Officer:  # fmt: skip
    """A designated officer under the agency's agreement of `model` (the one given must
    be the agency's, of that model). A credential number is unique within the agency."""
    rules.require(name=name, model=model)
    with unit_of_work(db, "add_officer") as uow:
        uow.get(Agency, agency_id, "agency")
        program = enum_value(ProgramModel, model, "model")
        agreement_id = _officer_agreement(uow, agency_id, program, agreement_id)
        officer = Officer(
            agency_id=agency_id, agreement_id=agreement_id, model=program,
            name=required_text(name, "name"), credential_number=credential_number.strip(),
        )  # fmt: skip
        _check_credential_unique(uow, officer)
        uow.save(officer)
        uow.audit("officer", officer.id, name=officer.name, model=program)
        return officer


def _officer_agreement(
    uow: UnitOfWork, agency_id: str, program: ProgramModel, agreement_id: str | None
) -> str | None:
    if agreement_id:
        given = uow.get(Agreement, agreement_id, "agreement")
        if given.agency_id != agency_id or given.model != program:
            raise Invalid("agreement_id", f"not a {program.value} agreement of this agency")
        return given.id
    agreement = uow.session.exec(
        select(Agreement).where(
            Agreement.agency_id == agency_id, Agreement.model == program,
            Agreement.deleted == False,  # noqa: E712
        )
    ).first()  # fmt: skip
    return agreement.id if agreement else None


def _check_credential_unique(uow: UnitOfWork, officer: Officer) -> None:
    if not officer.credential_number:
        return
    taken = uow.session.exec(
        select(Officer).where(
            Officer.agency_id == officer.agency_id, Officer.deleted == False,  # noqa: E712
            Officer.credential_number == officer.credential_number,
        )
    ).first()  # fmt: skip
    if taken is not None:
        raise Invalid("credential_number",
                      f"{officer.credential_number} is already {taken.name}'s credential")  # fmt: skip


def set_officer_status(
    db: Database, officer_id: str, *, status: str, reason: str = "", on: date | str | None = None,
    credential_retrieved: bool | None = None, base_rev: int | None = None,
) -> Officer:  # fmt: skip
    """Suspend, revoke or reinstate an officer's authority (with the reason)."""
    attempted = {"status": status, "status_reason": reason.strip(),
                 "credential_retrieved": credential_retrieved}  # fmt: skip
    with unit_of_work(db, "set_officer_status") as uow:
        officer = uow.get_for_update(Officer, officer_id, "officer", base_rev, attempted)
        new = enum_value(OfficerStatus, status, "status")
        if new is not OfficerStatus.ACTIVE:
            reason = required_text(reason, "reason")
            if credential_retrieved is None:
                raise Invalid(
                    "credential_retrieved", "say whether the ICE credential was retrieved"
                )
        old = officer.status
        officer.status = new
        officer.status_reason = reason.strip()
        officer.status_changed_on = parse_date(on, "on") or date.today()
        officer.credential_retrieved = credential_retrieved
        if new is OfficerStatus.REVOKED and officer.credential_revoked_on is None:
            officer.credential_revoked_on = officer.status_changed_on  # the process's first step
        uow.save(officer)
        uow.audit("officer", officer.id, old=old, new=new, reason=officer.status_reason,
                  credential_retrieved=credential_retrieved)  # fmt: skip
        return officer


# The credential revocation process of June 2022 (GAO-21-186 recommendation status):
# the credential is revoked, retrieved, destroyed and logged, in that order.
CREDENTIAL_STEPS = ("revoked", "retrieved", "destroyed", "logged")


def _check_credential_step(officer: Officer, step: str) -> None:
    if officer.status == OfficerStatus.ACTIVE:
        raise Invalid("step", f"{officer.name} holds active authority: suspend or revoke it first")
    before = {
        "retrieved": ("revoked", officer.credential_revoked_on),
        "destroyed": ("retrieved", officer.credential_retrieved or None),
        "logged": ("destroyed", officer.credential_destroyed_on),
    }.get(step)
    if before is not None and before[1] is None:
        raise Invalid("step", f"record that the credential was {before[0]} before it is {step}")


def record_credential_step(
    db: Database, officer_id: str, step: str, *, on: date | str | None = None,
    log_ref: str = "", base_rev: int | None = None,
) -> Officer:  # fmt: skip
    """Record one step of the credential revocation process: 'revoked', 'retrieved',
    'destroyed' or 'logged' (with the credential log's entry), each after the one
    before it, with its date."""
    if step not in CREDENTIAL_STEPS:
        raise Invalid("step", f"{step!r}: one of {', '.join(CREDENTIAL_STEPS)}")
    with unit_of_work(db, "record_credential_step") as uow:
        officer = uow.get_for_update(Officer, officer_id, "officer", base_rev, {"step": step})
        _check_credential_step(officer, step)
        day = parse_date(on, "on") or date.today()
        if step == "retrieved":
            officer.credential_retrieved = True
        else:
            setattr(officer, f"credential_{step}_on", day)
        if step == "logged":
            officer.credential_log_ref = required_text(log_ref, "log_ref")
        uow.save(officer)
        uow.audit("officer", officer.id, credential_step=step, on=day,
                  log_ref=officer.credential_log_ref if step == "logged" else None)  # fmt: skip
        return officer


def record_training_waiver(
    db: Database, officer_id: str, *, on: date | str | None = None, note: str,
    base_rev: int | None = None,
) -> Officer:  # fmt: skip
    """Record the waiver a Field Responsible Official granted: the officer who missed
    the annual recertification is not revoked 90 days after suspension."""
    why = required_text(note, "note")
    with unit_of_work(db, "record_training_waiver") as uow:
        officer = uow.get_for_update(Officer, officer_id, "officer", base_rev,
                                     {"training_waiver_note": why})  # fmt: skip
        if officer.model != ProgramModel.JEM:
            raise Invalid(
                "officer_id", f"{officer.name} is a WSO: there is no annual recertification"
            )
        officer.training_waiver_on = parse_date(on, "on") or date.today()
        officer.training_waiver_note = why
        uow.save(officer)
        uow.audit("officer", officer.id, training_waiver_on=officer.training_waiver_on, note=why)
        return officer


def add_training(
    db: Database,
    *,
    officer_id: str,
    kind: str,
    completed_on: date | str,
    hours: float | str | None = None,
) -> TrainingRecord:
    """A course the officer completed: one of the officer's program's courses, on a day
    of the program's past, with a plausible number of hours (0-200) if given."""
    course = enum_value(TrainingKind, kind, "kind")
    day = rules.sane_date(parse_date(completed_on, "completed_on", required=True),
                          "completed_on")  # fmt: skip
    hours = rules.training_hours(hours)
    with unit_of_work(db, "add_training") as uow:
        officer = uow.get(Officer, officer_id, "officer")
        rules.course_of_model(course, officer.model)
        record = TrainingRecord(officer_id=officer_id, kind=course, completed_on=day, hours=hours)
        uow.save(record)
        uow.audit("training_record", record.id, officer_id=officer_id, kind=record.kind)
        return record


def record_warrants(
    db: Database, *, agreement_id: str, year: int, month: int, count: int
) -> WarrantCount:
    """Set the number of warrants served under a WSO agreement in one month."""
    if not 1 <= month <= 12:
        raise Invalid("month", f"{month} is not a month (1-12)")
    if count < 0:
        raise Invalid("count", "cannot be negative")
    with unit_of_work(db, "record_warrants") as uow:
        agreement = uow.get(Agreement, agreement_id, "agreement")
        if agreement.model != ProgramModel.WSO:
            raise Invalid("agreement_id", "warrant counts are kept for WSO agreements only")
        if (year, month) < (agreement.signed_on.year, agreement.signed_on.month):
            raise Invalid("month", f"{year}-{month:02d} is before the MOA was signed "
                                   f"({agreement.signed_on.isoformat()})")  # fmt: skip
        row = uow.session.exec(
            select(WarrantCount).where(
                WarrantCount.agreement_id == agreement_id, WarrantCount.year == year,
                WarrantCount.month == month,
            )
        ).first() or WarrantCount(agreement_id=agreement_id, year=year, month=month)  # fmt: skip
        row.count = count
        uow.save(row)
        uow.audit("warrant_count", row.id, year=year, month=month, count=count)
        return row
