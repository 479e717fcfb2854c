"""The unit of work every service call runs in.

One SQLite transaction (BEGIN IMMEDIATE) per user action: the rows it writes get
their sync fields stamped, each written row version is appended to the change log,
one audit entry says who did what, and the commit is durable (synchronous=FULL)
before the call returns. Views are told afterwards, outside the transaction.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from sqlalchemy import Select, Table, Update, bindparam, select
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from inspector_app.store.database import Change, Database
from inspector_app.store.errors import classify
from inspector_app.store.models import AuditLog, ChangeLog, SyncFields, new_id, utcnow

from .errors import NotFound, StaleEdit

T = TypeVar("T", bound=SyncFields)
BULK_CHANGES = 50
_CHANGE_INSERT = ChangeLog.__table__.insert()
_AUDIT_INSERT = AuditLog.__table__.insert()

# How a stale edit names the row it refused to overwrite (default: the table's name).
_LABELS: dict[str, Callable[[Any], str]] = {
    "finding": lambda r: f"finding F-{r.number}",
    "corrective_action": lambda r: f"corrective action {_short(r.action)!r}",
    "agency": lambda r: f"agency {r.name}",
    "agreement": lambda r: f"agreement {r.moa_number or r.model}",
    "officer": lambda r: f"officer {r.name}",
    "review": lambda r: f"review {r.id[:8]}",
    "checklist_response": lambda r: f"item {r.item_key}",
    "interview_answer": lambda r: f"question {r.question_key}",
    "info_request": lambda r: "the request form",
}


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def check_base_rev(
    row: SyncFields | None, base_rev: int | None, attempted: dict[str, Any],
    what: str | None = None,
) -> None:  # fmt: skip
    """Refuse (StaleEdit) an edit made from revision `base_rev` of a row now at another
    revision: someone saved it after the user opened it. No row counts as revision 0.
    base_rev None (a caller not editing from a form) skips the check."""
    current_rev = row.rev if row is not None else 0
    if base_rev is None or base_rev == current_rev or row is None:
        return
    table = row.__tablename__
    label = _LABELS.get(table, lambda _r: what or table.replace("_", " "))(row)
    raise StaleEdit(
        label, by=row.updated_by, at=row.updated_at, base_rev=base_rev,
        current_rev=current_rev, attempted=dict(attempted),
        current={k: getattr(row, k) for k in attempted if hasattr(row, k)},
    )  # fmt: skip


@functools.cache
def _keyed_statements(table: Table, key: tuple[str, ...]) -> tuple[Select, Update]:
    """Statements for save_keyed, built once per table and key (bound parameters)."""
    find = select(table).where(*(table.c[k] == bindparam(k) for k in key))
    update = table.update().where(table.c.id == bindparam("_id"))
    return find, update


class UnitOfWork:
    def __init__(self, db: Database, session: Session, action: str):
        self.db, self.session, self.action = db, session, action
        self.changes: list[Change] = []
        self.user = db.user or "unknown"

    def get(self, model: type[T], ident: str | None, what: str | None = None) -> T:
        row = self.session.get(model, ident) if ident else None
        if row is None or row.deleted:
            raise NotFound(what or model.__tablename__.replace("_", " "), str(ident))
        return row

    def get_for_update(
        self, model: type[T], ident: str | None, what: str | None, base_rev: int | None,
        attempted: dict[str, Any] | None = None,
    ) -> T:  # fmt: skip
        """The row a form edits, refused with StaleEdit (nothing written) if it is no
        longer at `base_rev`, the revision the user started from. `attempted` is what the
        user tried to set: the error carries it with the row's current values."""
        row = self.get(model, ident, what)
        check_base_rev(row, base_rev, attempted or {}, what)
        return row

    def save(self, row: T, *, review_id: str | None = None) -> T:
        """Stamp the sync fields, write the row and append its new version to the outbox."""
        op = self._stamp(row)
        self.session.add(row)
        self.session.flush()
        self._log(row, op, review_id)
        return row

    def save_keyed(
        self, model: type[T], key: dict[str, Any], changes: dict[str, Any], *,
        review_id: str | None = None, base_rev: int | None = None,
    ) -> tuple[T, dict[str, Any] | None]:  # fmt: skip
        """Insert or update the one row of `model` with the natural `key` (e.g. review and
        item) and return it with its previous column values (None if it is new).

        The autosave path: a select and one write in Core statements, no ORM flush, so an
        answer costs little more than SQLite's own commit (bench/autosave.py). The row
        returned is not attached to the session; use save() for rows you go on editing.
        `base_rev` as in get_for_update (a row not written yet is at revision 0).
        """
        table = model.__table__
        find, update = _keyed_statements(table, tuple(key))
        conn = self.session.connection()
        found = conn.execute(find, key).mappings().first()
        previous = dict(found) if found is not None else None
        if base_rev is not None:
            check_base_rev(model(**previous) if previous else None, base_rev, changes)
        row = model(**{**(previous or key), **changes})
        op = self._stamp(row)
        values = {c.name: getattr(row, c.name) for c in table.columns}
        if previous is None:
            conn.execute(table.insert(), values)
        else:
            conn.execute(update, {**values, "_id": row.id})
        self._log(row, op, review_id)
        return row, previous

    def _stamp(self, row: SyncFields) -> str:
        op = "insert" if row.rev == 0 else ("delete" if row.deleted else "update")
        row.rev += 1
        row.updated_at = utcnow()
        row.updated_by = self.user
        row.device_id = self.db.device_id
        return op

    def _log(self, row: SyncFields, op: str, review_id: str | None) -> None:
        # Log rows go in with a Core INSERT on the same connection: building ORM objects
        # for them was a large part of an autosave's Python time (bench/autosave.py).
        self.session.connection().execute(
            _CHANGE_INSERT,
            {
                "change_id": new_id(), "table_name": row.__tablename__, "row_id": row.id,
                "rev": row.rev, "op": op, "payload": row.model_dump(mode="json"),
                "created_at": row.updated_at, "device_id": self.db.device_id,
                "pushed_seq": None,
            },
        )  # fmt: skip
        self.changes.append(Change(self.action, row.__tablename__, row.id, review_id))

    def delete(self, row: T, *, review_id: str | None = None) -> T:
        """Deletion is a tombstone, so that it can be synced."""
        row.deleted = True
        return self.save(row, review_id=review_id)

    def audit(self, entity: str, entity_id: str, **detail: Any) -> None:
        self.session.connection().execute(
            _AUDIT_INSERT,
            {
                "at": utcnow(), "user": self.user, "device_id": self.db.device_id,
                "action": self.action, "entity": entity, "entity_id": entity_id,
                "detail": _jsonable(detail),
            },
        )  # fmt: skip


def _jsonable(value: Any) -> Any:
    """Audit details as JSON: dates and enums become strings, at any depth."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool | type(None)):
        return value
    return str(value)


@contextlib.contextmanager
def unit_of_work(db: Database, action: str) -> Iterator[UnitOfWork]:
    """Run one user action as one transaction; known SQLite failures become one-line errors."""
    uow: UnitOfWork | None = None
    try:
        with db.write() as session:
            uow = UnitOfWork(db, session, action)
            yield uow
            session.commit()
    except DBAPIError as exc:
        problem = classify(db.path, exc)
        if problem is not None:
            raise problem from exc
        raise
    assert uow is not None
    if len(uow.changes) > BULK_CHANGES:
        db.notify(Change(action, "*", ""))  # a bulk write: views reload everything once
    else:
        for change in dict.fromkeys(uow.changes):
            db.notify(change)
