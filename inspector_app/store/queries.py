"""Read queries shared by the services, reports, analytics, CLI and GUI.

Functions take an open Session and return plain rows or small dataclasses; none of
them write. Tombstoned rows are never returned.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, bindparam, func
from sqlmodel import Session, SQLModel, col, select

from .models import (
    Agency,
    Agreement,
    Attachment,
    AuditLog,
    ChangeLog,
    ChecklistResponse,
    CorrectiveAction,
    FieldOffice,
    Finding,
    InfoRequest,
    InfoRequestItem,
    Interview,
    InterviewAnswer,
    Officer,
    ReportArtifact,
    Review,
    SyncFields,
    TrainingRecord,
)

T = TypeVar("T", bound=SyncFields)


def live(session: Session, model: type[T], *where: ColumnElement[bool] | bool) -> list[T]:
    return list(session.exec(select(model).where(model.deleted == False, *where)))  # noqa: E712


def get_live(session: Session, model: type[T], ident: str | None) -> T | None:
    row = session.get(model, ident) if ident else None
    return row if row is not None and not row.deleted else None


def resolve_id(session: Session, model: type[SyncFields], text: str) -> list[str]:
    """Ids of `model` that equal or start with `text` (like git, a short prefix will do)."""
    text = text.strip().lower()
    if not text:
        return []
    exact = session.get(model, text)
    if exact is not None and not exact.deleted:
        return [exact.id]
    # autoescape: '%' and '_' in the text are characters, not LIKE wildcards.
    rows = session.exec(
        select(model.id)
        .where(col(model.id).startswith(text, autoescape=True), model.deleted == False)  # noqa: E712
        .limit(5)
    )
    return list(rows)


@dataclass
class InterviewData:
    interview: Interview
    answers: dict[str, InterviewAnswer]
    officer: Officer | None


@dataclass
class ReviewData:
    """Everything about one review, loaded in a handful of queries."""

    review: Review
    agency: Agency
    field_office: FieldOffice | None
    agreement: Agreement | None
    responses: dict[str, ChecklistResponse]
    findings: list[Finding]
    interviews: list[InterviewData]
    attachments: list[Attachment]
    parent: Review | None = None
    parent_findings: list[Finding] = field(default_factory=list)
    actions: dict[str, list[CorrectiveAction]] = field(default_factory=dict)
    info_request: InfoRequest | None = None
    info_request_items: list[InfoRequestItem] = field(default_factory=list)
    officers: list[Officer] = field(default_factory=list)  # the agency's live officers

    def attachments_for(self, *, item_key: str | None = None, finding_id: str | None = None,
                        interview_answer_id: str | None = None) -> list[Attachment]:  # fmt: skip
        return [
            a for a in self.attachments
            if (item_key is None or a.item_key == item_key)
            and (finding_id is None or a.finding_id == finding_id)
            and (interview_answer_id is None or a.interview_answer_id == interview_answer_id)
        ]  # fmt: skip


def load_review(session: Session, review_id: str) -> ReviewData | None:
    """The whole review as ORM rows (in the session's identity map)."""
    return _load_review(session, review_id, _OrmReader(session))


def load_review_detached(session: Session, review_id: str) -> ReviewData | None:
    """The same ReviewData as load_review, read with Core statements (built once, cached)
    into detached rows without the ORM's per-row identity map and attribute events: a
    third of the time for a 300-item review (bench/open_review.py). For reading only: the
    rows are not in `session`, as after load_review when the session is closed."""
    return _load_review(session, review_id, _DetachedReader(session))


def load_review_shown(session: Session, review_id: str) -> ReviewData | None:
    """load_review_detached without what the review workspace does not show or reads its
    own way: no checklist answers (services.review_read reads them as small rows), no
    agreement, corrective actions or information request."""
    return _load_review(session, review_id, _DetachedReader(session), whole=False)


class _OrmReader:
    def __init__(self, session: Session) -> None:
        self.session = session

    def by(self, model: type[T], column: str, value: object) -> list[T]:
        return live(self.session, model, getattr(model, column) == value)

    def by_any(self, model: type[T], column: str, values: list[str]) -> list[T]:
        if not values:
            return []
        return live(self.session, model, col(getattr(model, column)).in_(values))

    def get(self, model: type[T], ident: str | None) -> T | None:
        return get_live(self.session, model, ident)


@functools.cache
def _live_statement(model: type[SyncFields], column: str, many: bool) -> Select[Any]:
    table = model.__table__  # type: ignore[attr-defined]
    c = table.c[column]
    where = c.in_(bindparam("v", expanding=True)) if many else c == bindparam("v")
    return select(table).where(table.c.deleted == False, where)  # noqa: E712


class _DetachedReader(_OrmReader):
    def _rows(self, model: type[T], column: str, value: object, many: bool = False) -> list[T]:
        result = self.session.connection().execute(
            _live_statement(model, column, many), {"v": value}
        )
        return _detached_rows(model, list(result.keys()), result)

    def by(self, model: type[T], column: str, value: object) -> list[T]:
        return self._rows(model, column, value)

    def by_any(self, model: type[T], column: str, values: list[str]) -> list[T]:
        return self._rows(model, column, values, many=True) if values else []

    def get(self, model: type[T], ident: str | None) -> T | None:
        rows = self._rows(model, "id", ident) if ident else []
        return rows[0] if rows else None


def _detached_rows(model: type[T], keys: list[str], rows: Iterable[Sequence[Any]]) -> list[T]:
    """Rows as a query through the session builds them, once the session is closed:
    every column loaded, detached (an identity key, no session), nothing validated."""
    manager = model._sa_class_manager  # type: ignore[attr-defined]
    new_state = manager._state_constructor
    out: list[T] = []
    for row in rows:
        obj = model.__new__(model)  # SQLModel's __new__ sets pydantic's private attributes
        values = dict(zip(keys, row, strict=True))
        state = new_state(obj, manager)
        state.key = (model, (values["id"],), None)
        values["_sa_instance_state"] = state
        obj.__dict__.update(values)
        out.append(obj)
    return out


def _load_review(session: Session, review_id: str, read: _OrmReader, whole: bool = True
                 ) -> ReviewData | None:  # fmt: skip
    review = read.get(Review, review_id)
    if review is None:
        return None
    agency = read.get(Agency, review.agency_id)
    findings = sorted(read.by(Finding, "review_id", review.id), key=lambda f: f.number)
    interviews = sorted(read.by(Interview, "review_id", review.id),
                        key=lambda i: (i.conducted_on or review.start_date, i.interviewee_name))  # fmt: skip
    answers: dict[str, dict[str, InterviewAnswer]] = defaultdict(dict)
    for a in read.by_any(InterviewAnswer, "interview_id", [i.id for i in interviews]):
        answers[a.interview_id][a.question_key] = a
    officers = read.by(Officer, "agency_id", review.agency_id)
    by_id = {o.id: o for o in officers}
    parent = read.get(Review, review.parent_review_id)
    parent_findings = (
        sorted(read.by(Finding, "review_id", parent.id), key=lambda f: f.number) if parent else []
    )
    assert agency is not None, "a review's agency_id is a foreign key"
    data = ReviewData(
        review=review, agency=agency, field_office=read.get(FieldOffice, agency.field_office_id),
        agreement=None, responses={}, findings=findings,
        interviews=[InterviewData(i, answers.get(i.id, {}), by_id.get(i.officer_id or ""))
                    for i in interviews],
        attachments=read.by(Attachment, "review_id", review.id),
        parent=parent, parent_findings=parent_findings, officers=officers,
    )  # fmt: skip
    if whole:
        _read_the_rest(data, read)
    return data


def _read_the_rest(data: ReviewData, read: _OrmReader) -> None:
    """What only the whole review holds: answers, agreement, actions, information request."""
    review, findings, parent_findings = data.review, data.findings, data.parent_findings
    data.responses = {r.item_key: r for r in read.by(ChecklistResponse, "review_id", review.id)}
    data.agreement = read.get(Agreement, review.agreement_id)
    actions: dict[str, list[CorrectiveAction]] = defaultdict(list)
    for action in read.by_any(CorrectiveAction, "finding_id",
                              [f.id for f in findings + parent_findings]):  # fmt: skip
        actions[action.finding_id].append(action)
    info = next(iter(read.by(InfoRequest, "review_id", review.id)), None)
    data.actions = dict(actions)
    data.info_request = info
    data.info_request_items = (
        sorted(read.by(InfoRequestItem, "request_id", info.id), key=lambda i: i.position)
        if info else []
    )  # fmt: skip


@dataclass
class ReviewRow:
    """A review in a list, with its agency and finding counts."""

    review: Review
    agency_name: str
    agency_state: str
    deficiencies: int = 0
    areas_of_concern: int = 0
    best_practices: int = 0


def list_reviews(session: Session, *, agency_id: str | None = None) -> list[ReviewRow]:
    where = [Review.deleted == False]  # noqa: E712
    if agency_id:
        where.append(Review.agency_id == agency_id)
    rows = session.exec(
        select(Review, Agency.name, Agency.state).join(Agency, col(Agency.id) == Review.agency_id)
        .where(*where)
    ).all()  # fmt: skip
    counts: dict[tuple[str, str | None], int] = {}
    q = select(Finding.review_id, Finding.kind, func.count()).where(Finding.deleted == False)  # noqa: E712
    if agency_id:
        q = q.join(Review, col(Review.id) == Finding.review_id).where(Review.agency_id == agency_id)
    for review_id, kind, n in session.exec(q.group_by(col(Finding.review_id), col(Finding.kind))):
        counts[(review_id, kind)] = n
    out = [
        ReviewRow(r, name, state, counts.get((r.id, "deficiency"), 0),
                  counts.get((r.id, "area_of_concern"), 0), counts.get((r.id, "best_practice"), 0))
        for r, name, state in rows
    ]  # fmt: skip
    out.sort(key=lambda x: (x.review.start_date or x.review.planned_start or x.review.due_date
                            or x.review.updated_at.date()), reverse=True)  # fmt: skip
    return out


def officers_of(session: Session, agency_id: str) -> list[tuple[Officer, list[TrainingRecord]]]:
    officers = sorted(live(session, Officer, Officer.agency_id == agency_id), key=lambda o: o.name)
    records: dict[str, list[TrainingRecord]] = defaultdict(list)
    if officers:
        for t in live(session, TrainingRecord,
                      col(TrainingRecord.officer_id).in_([o.id for o in officers])):  # fmt: skip
            records[t.officer_id].append(t)
    return [(o, sorted(records[o.id], key=lambda t: t.completed_on)) for o in officers]


def pending_changes(session: Session) -> int:
    """Outbox entries not yet accepted by the central service."""
    return session.exec(
        select(func.count()).select_from(ChangeLog).where(ChangeLog.pushed_seq == None)  # noqa: E711
    ).one()


def audit_trail(session: Session, entity_id: str) -> list[AuditLog]:
    return list(session.exec(select(AuditLog).where(AuditLog.entity_id == entity_id)
                             .order_by(col(AuditLog.id))))  # fmt: skip


def artifacts_of(session: Session, review_id: str) -> list[ReportArtifact]:
    return sorted(live(session, ReportArtifact, ReportArtifact.review_id == review_id),
                  key=lambda a: a.updated_at)  # fmt: skip


def count_rows(session: Session, model: type[SQLModel]) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def count_live(session: Session, model: type[SyncFields]) -> int:
    """Rows not deleted, counted by SQLite (not loaded)."""
    stmt = select(func.count()).select_from(model).where(col(model.deleted) == False)  # noqa: E712
    return session.exec(stmt).one()
