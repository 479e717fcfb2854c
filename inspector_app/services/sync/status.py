"""Where this laptop stands with the server, and the conflicts it kept aside."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

from sqlmodel import Session, col, func, select

from inspector_app.domain.errors import KnownError
from inspector_app.store.database import Database
from inspector_app.store.models import (
    Agency,
    ChecklistResponse,
    Finding,
    Interview,
    InterviewAnswer,
    Officer,
    Review,
    SyncConflict,
    SyncFields,
    utcnow,
)
from inspector_app.store.queries import pending_changes

from ..errors import Conflict, Invalid, NotFound
from ..forms import form_of
from ..uow import UnitOfWork, unit_of_work
from .rows import MODELS, column_value, table_of
from .types import (
    META_LAST_SUCCESS,
    META_ROLE,
    META_SERVER,
    META_USER,
    ConflictRow,
    SyncStatus,
)


def _open(session: Session) -> Any:
    return select(SyncConflict).where(
        SyncConflict.resolved == False,  # noqa: E712
        SyncConflict.deleted == False,  # noqa: E712
    )


def _parse_time(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def count_open_conflicts(session: Session) -> int:
    query = (
        select(func.count())
        .select_from(SyncConflict)
        .where(
            col(SyncConflict.resolved) == False,  # noqa: E712
            col(SyncConflict.deleted) == False,  # noqa: E712
        )
    )
    return int(session.exec(query).one())


def sync_status(db: Database) -> SyncStatus:
    with db.read() as s:
        waiting, conflicts = pending_changes(s), count_open_conflicts(s)
    return SyncStatus(
        server=db.get_meta(META_SERVER), user=db.get_meta(META_USER),
        role=db.get_meta(META_ROLE), last_success=_parse_time(db.get_meta(META_LAST_SUCCESS)),
        waiting=waiting, open_conflicts=conflicts,
    )  # fmt: skip


# --- a person's name for the row a conflict is about -----------------------------------


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _review_name(s: Session, review_id: str) -> str:
    """ "Elk Ridge County Sheriff's Department, WSO review" (agency and kind)."""
    review = s.get(Review, review_id)
    if review is None:
        return f"review {review_id[:8]}"
    agency = s.get(Agency, review.agency_id)
    return f"{agency.name if agency else 'review ' + review_id[:8]}, {review.kind.label}"


def _prompt(s: Session, form_id: str | None, version: int | None, key: str) -> str:
    """The item's key and its question, as the inspector read it on the form."""
    if not form_id or version is None:
        return key
    try:
        prompt = form_of(form_id, version).item(key).prompt
    except (KnownError, KeyError):
        return key
    return f"{key} “{_short(prompt)}”"


def _review_item(s: Session, row_id: str) -> str | None:
    r = s.get(ChecklistResponse, row_id)
    if r is None:
        return None
    review = s.get(Review, r.review_id)
    item = _prompt(s, review.form_id, review.form_version, r.item_key) if review else r.item_key
    return f"{_review_name(s, r.review_id)}: item {item}"


def _interview_answer(s: Session, row_id: str) -> str | None:
    a = s.get(InterviewAnswer, row_id)
    if a is None:
        return None
    interview = s.get(Interview, a.interview_id)
    if interview is None:
        return f"interview question {a.question_key}"
    question = _prompt(s, interview.form_id, interview.form_version, a.question_key)
    who = f" with {interview.interviewee_name}" if interview.interviewee_name else ""
    return f"{_review_name(s, interview.review_id)}: interview{who}, question {question}"


def _finding(s: Session, row_id: str) -> str | None:
    f = s.get(Finding, row_id)
    return f"{_review_name(s, f.review_id)}: finding F-{f.number}" if f else None


_WHAT: dict[str, Callable[[Session, str], str | None]] = {
    "checklist_response": _review_item,
    "interview_answer": _interview_answer,
    "finding": _finding,
    "review": _review_name,
    "agency": lambda s, i: f"agency {a.name}" if (a := s.get(Agency, i)) else None,
    "officer": lambda s, i: f"officer {o.name}" if (o := s.get(Officer, i)) else None,
}


def what_of(s: Session, table: str, row_id: str) -> str:
    named = _WHAT.get(table)
    found = named(s, row_id) if named else None
    return found or f"{table.replace('_', ' ')} {row_id[:8]}"


def _row(s: Session, c: SyncConflict) -> ConflictRow:
    return ConflictRow(
        id=c.id, rev=c.rev, table=c.table_name, row_id=c.row_id,
        what=what_of(s, c.table_name, c.row_id), field=c.field, server_value=c.server_value,
        client_value=c.client_value, reason=c.reason, client_user=c.client_user,
        created_at=c.updated_at,
    )  # fmt: skip


def conflict_rows(db: Database) -> list[ConflictRow]:
    with db.read() as s:
        found = s.exec(_open(s).order_by(col(SyncConflict.updated_at)))
        return [_row(s, c) for c in found]


def open_conflicts(db: Database) -> list[ConflictRow]:
    """Conflicts nobody has resolved yet, oldest first."""
    return conflict_rows(db)


def open_conflict_ids(db: Database) -> set[str]:
    with db.read() as s:
        return {c.id for c in s.exec(_open(s))}


# --- resolving --------------------------------------------------------------------------


def _client_changes(table: str, c: SyncConflict) -> dict[str, Any]:
    """What keeping the other device's version writes into the row."""
    t = table_of(table)
    if c.field == "deleted" and c.reason == "edited":
        return {"deleted": True}
    if c.field in ("*", "deleted"):
        values = c.client_value if isinstance(c.client_value, dict) else {}
        out = {k: column_value(t, k, v) for k, v in values.items() if k in t.c and k != "id"}
        return {**out, "deleted": False} if c.field == "deleted" else out
    if c.field not in t.c:
        raise Invalid("field", f"{c.field!r} is not a column of {table}")
    return {c.field: column_value(t, c.field, c.client_value)}


def _server_changes(table: str, c: SyncConflict, row: SyncFields) -> dict[str, Any]:
    """Keeping the server's version: the row shows it already, unless edited since."""
    t = table_of(table)
    if c.field in t.c and c.field not in ("id", "deleted"):
        value = column_value(t, c.field, c.server_value)
        return {} if getattr(row, c.field) == value else {c.field: value}
    return {}


def _apply(uow: UnitOfWork, c: SyncConflict, keep: str) -> None:
    model = MODELS.get(c.table_name)
    if model is None:
        raise Invalid("table", f"{c.table_name!r} is not a table this laptop keeps")
    row = uow.session.get(model, c.row_id)
    if row is None:
        raise NotFound(c.table_name.replace("_", " "), c.row_id)
    changes = _client_changes(c.table_name, c) if keep == "client" else _server_changes(
        c.table_name, c, row)  # fmt: skip
    if not changes:
        return
    for key, value in changes.items():
        setattr(row, key, value)
    uow.save(row, review_id=c.review_id)


def resolve_conflict(
    db: Database, conflict_id: str, keep: Literal["server", "client"], base_rev: int
) -> None:
    """Settle a conflict: the row takes the kept value and the conflict is marked resolved;
    both are ordinary changes (the outbox syncs them)."""
    if keep not in ("server", "client"):
        raise Invalid("keep", f"{keep!r}: keep 'server' or 'client'")
    with unit_of_work(db, "resolve_conflict") as uow:
        c = uow.get_for_update(SyncConflict, conflict_id, "conflict", base_rev)
        if c.resolved:
            raise Conflict(f"conflict {c.id[:8]} was already resolved by {c.resolved_by or 'someone'}"
                           f" (kept {c.resolution or 'a version'})")  # fmt: skip
        if keep == "client" and c.reason == "final":
            raise KnownError(f"conflict {c.id[:8]}: the review is final; amend the review first, "
                             "then enter the change again (or keep the server's version)")  # fmt: skip
        _apply(uow, c, keep)
        c.resolved, c.resolution = True, keep
        c.resolved_by, c.resolved_at = uow.user, utcnow()
        uow.save(c, review_id=c.review_id)
        uow.audit("sync_conflict", c.id, keep=keep, table=c.table_name, row_id=c.row_id,
                  field=c.field)  # fmt: skip
