"""Tables. Every syncable row carries the sync fields of ARCHITECTURE.md.

Sync fields: a UUID primary key, `rev` (raised on every write), `updated_at` (UTC),
`updated_by` (user name), `device_id` and `deleted` (a tombstone: rows are never
physically deleted, so a deletion can be synced). Dates of the program (signed,
inspected, due) are plain `date`s; instants are timezone-aware UTC `datetime`s.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from inspector_app.domain.enums import (
    ActionStatus,
    AgreementStatus,
    FindingKind,
    FindingStatus,
    IntervieweeRole,
    OfficerStatus,
    ProgramModel,
    ReportKind,
    ResponsibleParty,
    ReviewKind,
    ReviewMode,
    ReviewStatus,
    TrainingKind,
)  # fmt: skip

from .enum_column import StrEnumType


def new_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(UTC)


def table_name(model: type[SQLModel]) -> str:
    """A table model's table name (SQLModel types __tablename__ as str or a callable)."""
    name = model.__tablename__
    assert isinstance(name, str)
    return name


class SyncFields(SQLModel):
    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    rev: int = Field(default=0)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str = Field(default="")
    device_id: str = Field(default="")
    deleted: bool = Field(default=False, index=True)


# --- organisation -------------------------------------------------------------------


class FieldOffice(SyncFields, table=True):
    __tablename__ = "field_office"
    name: str  # e.g. "Atlanta"
    code: str = ""  # e.g. "ATL"
    state: str = ""
    poc_name: str = ""  # 287(g) point of contact (receives WSO request forms)
    poc_email: str = ""


class Agency(SyncFields, table=True):
    """A state or local law enforcement agency (LEA)."""

    __tablename__ = "agency"
    __table_args__ = (Index("ix_agency_name_state", "name", "state"),)
    name: str
    state: str = Field(max_length=2)
    county: str = ""
    field_office_id: str | None = Field(default=None, foreign_key="field_office.id")
    address: str = ""
    contact_name: str = ""
    contact_email: str = ""
    source_ref: str | None = Field(default=None, index=True)  # set by imports


class Agreement(SyncFields, table=True):
    """A 287(g) Memorandum of Agreement of one program model."""

    __tablename__ = "agreement"
    agency_id: str = Field(foreign_key="agency.id", index=True)
    model: ProgramModel = Field(sa_type=StrEnumType(ProgramModel))
    signed_on: date
    status: AgreementStatus = Field(
        default=AgreementStatus.ACTIVE, sa_type=StrEnumType(AgreementStatus)
    )
    moa_number: str = ""


class Officer(SyncFields, table=True):
    """A designated officer (JEM) or warrant service officer (WSO)."""

    __tablename__ = "officer"
    agency_id: str = Field(foreign_key="agency.id", index=True)
    agreement_id: str | None = Field(default=None, foreign_key="agreement.id")
    model: ProgramModel = Field(sa_type=StrEnumType(ProgramModel))  # designated under
    name: str
    credential_number: str = ""
    status: OfficerStatus = Field(default=OfficerStatus.ACTIVE, sa_type=StrEnumType(OfficerStatus))
    status_reason: str = ""
    status_changed_on: date | None = None
    credential_retrieved: bool | None = None  # asked on suspension/revocation
    # The credential revocation process (June 2022): revoked, destroyed, logged.
    credential_revoked_on: date | None = None
    credential_destroyed_on: date | None = None
    credential_logged_on: date | None = None
    credential_log_ref: str = ""  # the entry in the credential log
    # A waiver of the revocation that follows a missed annual recertification
    # (OIG-18-77 appendix A: revoked 90 days after suspension unless waived).
    training_waiver_on: date | None = None
    training_waiver_note: str = ""


class TrainingRecord(SyncFields, table=True):
    __tablename__ = "training_record"
    officer_id: str = Field(foreign_key="officer.id", index=True)
    kind: TrainingKind = Field(sa_type=StrEnumType(TrainingKind))
    completed_on: date
    hours: float | None = None


class WarrantCount(SyncFields, table=True):
    """Warrants served by WSOs under one agreement in one calendar month."""

    __tablename__ = "warrant_count"
    __table_args__ = (UniqueConstraint("agreement_id", "year", "month"),)
    agreement_id: str = Field(foreign_key="agreement.id", index=True)
    year: int
    month: int
    count: int = 0


# --- reviews ---------------------------------------------------------------------


class Review(SyncFields, table=True):
    """A JEM inspection, a WSO internal oversight review or a focus review."""

    __tablename__ = "review"
    agency_id: str = Field(foreign_key="agency.id", index=True)
    agreement_id: str | None = Field(default=None, foreign_key="agreement.id")
    kind: ReviewKind = Field(sa_type=StrEnumType(ReviewKind))
    mode: ReviewMode = Field(default=ReviewMode.SITE_VISIT, sa_type=StrEnumType(ReviewMode))
    status: ReviewStatus = Field(default=ReviewStatus.PLANNED, sa_type=StrEnumType(ReviewStatus))
    form_id: str | None = None  # pinned when the review starts
    form_version: int | None = None
    # Interview guides pinned when the review starts: form id -> version.
    interview_forms: dict[str, int] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}")
    )
    team: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    lead_inspector: str = ""
    planned_start: date | None = None
    planned_end: date | None = None
    start_date: date | None = None
    end_date: date | None = None
    due_date: date | None = None  # focus reviews: 6 months after the inspection's end
    parent_review_id: str | None = Field(default=None, foreign_key="review.id", index=True)
    summary: str = ""
    revision: int = 0  # raised by each amendment after finalization
    content_hash: str | None = None  # SHA-256 stored at finalization
    finalized_at: datetime | None = None
    finalized_by: str = ""
    source_ref: str | None = Field(default=None, index=True)  # set by history imports


class ChecklistResponse(SyncFields, table=True):
    """The answer to one checklist item of a review (a focus review's items are the
    original review's findings, keyed 'finding:<id>')."""

    __tablename__ = "checklist_response"
    __table_args__ = (UniqueConstraint("review_id", "item_key"),)
    review_id: str = Field(foreign_key="review.id", index=True)
    item_key: str
    value: str | None = None
    note: str = ""
    answered_by: str = ""
    answered_at: datetime | None = None


class Interview(SyncFields, table=True):
    __tablename__ = "interview"
    review_id: str = Field(foreign_key="review.id", index=True)
    form_id: str
    form_version: int
    interviewee_role: IntervieweeRole = Field(sa_type=StrEnumType(IntervieweeRole))
    officer_id: str | None = Field(default=None, foreign_key="officer.id")
    interviewee_name: str = ""
    interviewer: str = ""
    conducted_on: date | None = None
    completed: bool = False


class InterviewAnswer(SyncFields, table=True):
    __tablename__ = "interview_answer"
    __table_args__ = (UniqueConstraint("interview_id", "question_key"),)
    interview_id: str = Field(foreign_key="interview.id", index=True)
    question_key: str
    value: str | None = None
    note: str = ""
    answered_by: str = ""
    answered_at: datetime | None = None


class Finding(SyncFields, table=True):
    __tablename__ = "finding"
    review_id: str = Field(foreign_key="review.id", index=True)
    number: int = 0  # display order within the review: F-1, F-2, ...
    kind: FindingKind | None = Field(
        default=None, sa_type=StrEnumType(FindingKind)
    )  # required to finalize
    topic: str | None = None  # topic code from forms/topics.yaml
    responsible: ResponsibleParty = Field(
        default=ResponsibleParty.LEA, sa_type=StrEnumType(ResponsibleParty)
    )
    item_key: str | None = None  # the checklist item it was raised from
    interview_answer_id: str | None = Field(default=None, foreign_key="interview_answer.id")
    citation: str = ""
    description: str = ""
    evidence: str = ""
    status: FindingStatus = Field(default=FindingStatus.OPEN, sa_type=StrEnumType(FindingStatus))
    resolution: str = ""  # the focus reviewer's note
    resolved_on: date | None = None
    resolved_by_review_id: str | None = Field(default=None, foreign_key="review.id")
    disputed: bool = False
    dispute_note: str = ""
    source_ref: str | None = Field(default=None, index=True)


class CorrectiveAction(SyncFields, table=True):
    __tablename__ = "corrective_action"
    finding_id: str = Field(foreign_key="finding.id", index=True)
    action: str
    owner: ResponsibleParty = Field(  # the LEA or the ICE field office
        default=ResponsibleParty.LEA, sa_type=StrEnumType(ResponsibleParty)
    )
    due_on: date | None = None
    status: ActionStatus = Field(default=ActionStatus.PLANNED, sa_type=StrEnumType(ActionStatus))
    completed_on: date | None = None
    evidence: str = ""
    on_time: bool | None = None  # computed when done, kept for the performance measures


class InfoRequest(SyncFields, table=True):
    """The WSO Internal Oversight Review request form sent ahead of a review."""

    __tablename__ = "info_request"
    review_id: str = Field(foreign_key="review.id", index=True)
    poc_name: str = ""
    poc_email: str = ""
    due_on: date | None = None  # documents due back
    send_by: date | None = None  # the form goes out by then (weeks before the visit)
    sent_on: date | None = None
    notes: str = ""


class InfoRequestItem(SyncFields, table=True):
    __tablename__ = "info_request_item"
    request_id: str = Field(foreign_key="info_request.id", index=True)
    position: int = 0
    description: str
    received_on: date | None = None


class Attachment(SyncFields, table=True):
    """A photo or document. The bytes live in the attachments folder, named by SHA-256."""

    __tablename__ = "attachment"
    sha256: str = Field(index=True, max_length=64)
    filename: str
    mime_type: str = "application/octet-stream"
    size: int = 0
    caption: str = ""
    review_id: str | None = Field(default=None, foreign_key="review.id", index=True)
    item_key: str | None = None
    finding_id: str | None = Field(default=None, foreign_key="finding.id")
    interview_answer_id: str | None = Field(default=None, foreign_key="interview_answer.id")
    corrective_action_id: str | None = Field(default=None, foreign_key="corrective_action.id")
    request_item_id: str | None = Field(default=None, foreign_key="info_request_item.id")
    # A marked-up copy: the id of the attachment it was drawn on (which stays unchanged).
    derived_from: str | None = None


class ReportArtifact(SyncFields, table=True):
    __tablename__ = "report_artifact"
    kind: ReportKind = Field(sa_type=StrEnumType(ReportKind))
    review_id: str | None = Field(default=None, foreign_key="review.id", index=True)
    fiscal_year: int | None = None
    sha256: str = Field(max_length=64)
    filename: str = ""
    size: int = 0
    pages: int = 0
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Approval(SyncFields, table=True):
    """A supervisor's sign-off of a final review (docs/security.md, "Supervisor
    sign-off"): the content hash and revision approved, who signed the PDF (certificate
    subject) and the signed artifact's SHA-256."""

    __tablename__ = "approval"
    review_id: str = Field(foreign_key="review.id", index=True)
    approved_by: str
    approved_at: datetime
    content_hash: str
    revision: int
    signer: str = ""
    artifact_sha256: str = ""


class PlanEntry(SyncFields, table=True):
    """One LEA in a fiscal year's inspection plan (proposed, then accepted or changed)."""

    __tablename__ = "plan_entry"
    __table_args__ = (UniqueConstraint("fiscal_year", "agreement_id"),)
    fiscal_year: int
    agreement_id: str = Field(foreign_key="agreement.id")
    included: bool = True
    accepted: bool = False
    note: str = ""


class SyncConflict(SyncFields, table=True):
    """A change the central service kept aside (docs/sync.md): the row kept
    `server_value`, another device had written `client_value`. Synced like any row;
    resolving it is an ordinary change."""

    __tablename__ = "sync_conflict"
    table_name: str
    row_id: str = Field(index=True)
    field: str  # the column, or "*" / "deleted"
    server_value: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    client_value: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    reason: str = ""  # same field | deleted | final | edited
    review_id: str | None = None
    client_device: str = ""
    client_user: str = ""
    resolved: bool = False
    resolution: str = ""  # server | client
    resolved_by: str = ""
    resolved_at: datetime | None = None


SYNCABLE_TABLES: list[type[SyncFields]] = [
    FieldOffice, Agency, Agreement, Officer, TrainingRecord, WarrantCount, Review,
    ChecklistResponse, Interview, InterviewAnswer, Finding, CorrectiveAction, InfoRequest,
    InfoRequestItem, Attachment, ReportArtifact, Approval, PlanEntry, SyncConflict,
]  # fmt: skip


# --- local bookkeeping (not synced as rows) ------------------------------------------


class ChangeLog(SQLModel, table=True):
    """The outbox: one entry per written row version, in write order."""

    __tablename__ = "change_log"
    seq: int | None = Field(default=None, primary_key=True)
    change_id: str = Field(default_factory=new_id, unique=True)
    table_name: str
    row_id: str = Field(index=True)
    rev: int
    op: str  # insert | update | delete
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    device_id: str = ""
    pushed_seq: int | None = Field(default=None, index=True)  # server sequence once synced


class SyncBase(SQLModel, table=True):
    """Per synced row, the last version this laptop and the central service agreed on
    (its server revision and all its columns): what an outbox entry is diffed against."""

    __tablename__ = "sync_base"
    table_name: str = Field(primary_key=True)
    row_id: str = Field(primary_key=True)
    rev: int = 0
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class AuditLog(SQLModel, table=True):
    """Who did what, when: one entry per user action (a service call) or event (a
    sign-in, an export), hash-chained (docs/security.md, "The audit trail"): `hash` is
    the SHA-256 of the canonical JSON of the entry with `prev_hash`, the hash of the
    entry before it."""

    __tablename__ = "audit_log"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    user: str
    device_id: str = ""
    action: str
    entity: str
    entity_id: str = Field(index=True)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    component: str = "app"  # app | cli | sync
    event: str = "change"  # sign-in, create, change, finalize, export... (services.uow.EVENTS)
    outcome: str = "success"  # success | failure
    prev_hash: str = Field(default="", max_length=64)
    hash: str = Field(default="", max_length=64)  # not indexed: read in id order only


class Meta(SQLModel, table=True):
    """Per-file settings: the device id, the signed-in inspector, first-run state."""

    __tablename__ = "meta"
    key: str = Field(primary_key=True)
    value: str = ""
