"""The unit of work every service call runs in.

One SQLite transaction (BEGIN IMMEDIATE) per user action: the rows it writes get
their sync fields stamped, each written row version is appended to the change log,
one audit entry says who did what, and the commit is durable (synchronous=FULL)
before the call returns. Views are told afterwards, outside the transaction, once per
action: one Changes (store/changes.py) listing every row written.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from datetime import datetime
from typing import Any, TypeVar

from pydantic_core import to_jsonable_python
from sqlalchemy import Dialect, Select, Table, bindparam, select
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from inspector_app.domain.sync import NATURAL_KEYS
from inspector_app.store.changes import Changes, RowChange
from inspector_app.store.database import DRIVER_ERRORS, Database
from inspector_app.store.errors import classify
from inspector_app.store.models import AuditLog, ChangeLog, SyncFields, new_id, table_name, utcnow

from .errors import NotFound, StaleEdit

T = TypeVar("T", bound=SyncFields)
BULK_CHANGES = 50
_CHANGE_TABLE: Table = ChangeLog.__table__  # type: ignore[attr-defined]
_AUDIT_TABLE: Table = AuditLog.__table__  # type: ignore[attr-defined]
_CHANGE_COLUMNS = ("change_id", "table_name", "row_id", "rev", "op", "payload", "created_at",
                   "device_id", "pushed_seq")  # fmt: skip
_AUDIT_COLUMNS = ("at", "component", "event", "user", "outcome", "entity", "entity_id", "detail",
                  "device_id", "action")  # fmt: skip
_UNREAD: Any = object()  # save_keyed: the caller did not read the previous row
# Rows with a natural key (domain.sync.NATURAL_KEYS) get the id uuid5(this, "table:k1:k2"),
# so two laptops answering the same item write the same row id (docs/sync.md).
NATURAL_ID_NAMESPACE = uuid.UUID("5b3f6c2e-287a-4c1d-9e6b-0d1a2f3b4c5d")


def natural_id(table: str, values: dict[str, Any]) -> str | None:
    """The deterministic id of a new `table` row with these column values, or None for
    a table without a natural key."""
    key = NATURAL_KEYS.get(table)
    if key is None:
        return None
    joined = ":".join(str(values[k]) for k in key)
    return str(uuid.uuid5(NATURAL_ID_NAMESPACE, f"{table}:{joined}"))


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
    table = table_name(type(row))
    label = _LABELS.get(table, lambda _r: what or table.replace("_", " "))(row)
    raise StaleEdit(
        label, by=row.updated_by, at=row.updated_at, base_rev=base_rev,
        current_rev=current_rev, attempted=dict(attempted),
        current={k: getattr(row, k) for k in attempted if hasattr(row, k)},
    )  # fmt: skip


@functools.cache
def _find_keyed(table: Table, key: tuple[str, ...]) -> Select[Any]:
    """save_keyed's select, built once per table and key (bound parameters)."""
    return select(table).where(*(table.c[k] == bindparam(k) for k in key))


# --- the audit chain (docs/security.md, "The audit trail") ----------------------------

ZERO_HASH = "0" * 64  # the first entry's prev_hash
# The event of an action (unit_of_work's name); actions not named here and matching no
# prefix below are changes.
EVENTS: dict[str, str] = {
    "finalize_review": "finalize", "begin_amendment": "amend", "approve_review": "approve",
    "sign_in": "sign-in", "sign_in_failed": "sign-in-failed", "lockout": "lockout",
    "encrypt_database": "encrypt", "decrypt_database": "encrypt",
    "set_passphrase": "passphrase", "change_passphrase": "passphrase",
    "set_roles": "permission", "disable_account": "account", "enable_account": "account",
    "add_account": "account",
}  # fmt: skip
_EVENT_PREFIXES = (
    ("create_", "create"), ("add_", "create"), ("schedule_", "create"), ("start_", "create"),
    ("import_", "create"), ("remove_", "delete"), ("delete_", "delete"),
    ("render_", "report"), ("export_", "export"), ("print_", "print"),
)  # fmt: skip
_COMPONENT: ContextVar[str] = ContextVar("audit_component", default="app")
_HASH_FUNCTION = "inspector_audit_hash"


def event_for(action: str) -> str:
    """The audit event of an action: create, change, delete, finalize, amend, report..."""
    if action in EVENTS:
        return EVENTS[action]
    return next((event for prefix, event in _EVENT_PREFIXES if action.startswith(prefix)),
                "change")  # fmt: skip


@contextlib.contextmanager
def audit_component(component: str) -> Iterator[None]:
    """Audit entries written inside this block (this thread or task) name `component`
    ("cli", "sync") unless unit_of_work is given one; "app" otherwise."""
    token = _COMPONENT.set(component)
    try:
        yield
    finally:
        _COMPONENT.reset(token)


def canonical_entry(entry: dict[str, Any]) -> str:
    """An entry's canonical JSON: sorted keys, no spaces, the instant in ISO 8601."""
    at = entry["at"]
    fields = {**entry, "at": at.isoformat() if isinstance(at, datetime) else at}
    return json.dumps(fields, sort_keys=True, separators=(",", ":"))


def entry_hash(entry: dict[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of at, component, event, user, outcome,
    entity, entity_id, detail, device_id, action and prev_hash."""
    return hashlib.sha256(canonical_entry(entry).encode("utf-8")).hexdigest()


def _halves(entry: dict[str, Any]) -> tuple[str, str]:
    """canonical_entry of `entry` (without prev_hash) split where prev_hash's value goes,
    so that the hash is sha256(before + prev_hash + after): the same text, since
    prev_hash is hex and the keys are sorted."""
    at = entry["at"]
    fields = {**entry, "at": at.isoformat() if isinstance(at, datetime) else at}
    head = {k: v for k, v in fields.items() if k < "prev_hash"}
    tail = {k: v for k, v in fields.items() if k > "prev_hash"}
    before = json.dumps(head, sort_keys=True, separators=(",", ":"))
    after = json.dumps(tail, sort_keys=True, separators=(",", ":"))
    return before[:-1] + ',"prev_hash":"', '",' + after[1:]


def _joined_hash(before: str, after: str, prev: str) -> str:
    return hashlib.sha256(f"{before}{prev}{after}".encode()).hexdigest()


class _RawStatement:
    """A write compiled once to SQL text and the columns' own bind processors.

    The hot writes (autosave, the change log, the audit log) go straight to the driver
    on the session's connection, inside its transaction: SQLAlchemy's per-statement
    machinery cost more than SQLite's own work (bench/autosave.py). Values are stored
    exactly as SQLAlchemy would (same type processors: dates, JSON, booleans).
    """

    def __init__(self, sql: str, table: Table, columns: Sequence[str], dialect: Dialect):
        self.sql, self.columns = sql, tuple(columns)
        self.processors = tuple(
            table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns
        )

    def params(self, values: dict[str, Any], extra: tuple[Any, ...] = ()) -> tuple[Any, ...]:
        out = [v if p is None else p(v)
               for p, v in zip(self.processors, map(values.__getitem__, self.columns), strict=True)]  # fmt: skip
        return (*out, *extra)


@functools.cache
def _column_names(table: Table) -> tuple[str, ...]:
    return tuple(c.name for c in table.columns)


def _quoted(names: Sequence[str]) -> list[str]:
    return [f'"{n}"' for n in names]


class _RawQuery:
    """A read compiled once to SQL text, with its bind order and the columns' own result
    processors: the row comes back as SQLAlchemy would give it (dates, enums, JSON),
    without its per-execution machinery (about 0.3 ms per autosave: bench/autosave.py)."""

    def __init__(self, stmt: Select[Any], dialect: Dialect):
        compiled = stmt.compile(dialect=dialect)
        self.sql = compiled.string
        self.binds = tuple(compiled.positiontup or ())
        result = compiled._result_columns  # noqa: SLF001 (SQLAlchemy's own compiled metadata)
        self.keys = tuple(c.keyname for c in result)
        self.processors = tuple(c.type._cached_result_processor(dialect, None) for c in result)  # noqa: SLF001

    def bind(self, params: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(params[b] for b in self.binds)

    def row(self, raw: Sequence[Any]) -> dict[str, Any]:
        return {k: v if p is None else p(v)
                for k, p, v in zip(self.keys, self.processors, raw, strict=True)}  # fmt: skip


@functools.lru_cache(maxsize=16)
def _raw_query(stmt: Select[Any], dialect: Dialect) -> _RawQuery:
    return _RawQuery(stmt, dialect)


@functools.lru_cache(maxsize=64)
def _raw_insert(table: Table, columns: tuple[str, ...], dialect: Dialect) -> _RawStatement:
    sql = (f'INSERT INTO "{table.name}" ({", ".join(_quoted(columns))}) '
           f"VALUES ({', '.join('?' * len(columns))})")  # fmt: skip
    return _RawStatement(sql, table, columns, dialect)


@functools.lru_cache(maxsize=64)
def _raw_update(table: Table, columns: tuple[str, ...], dialect: Dialect) -> _RawStatement:
    sets = ", ".join(f"{c} = ?" for c in _quoted(columns))
    return _RawStatement(f'UPDATE "{table.name}" SET {sets} WHERE id = ?', table, columns, dialect)


def _detached_row(model: type[T], values: dict[str, Any]) -> T:
    """The row as `model(**values)` builds it (transient, every column set, nothing
    validated), without the per-field attribute events: a tenth of the cost on the
    autosave path (bench/autosave.py). Table models here have no relationships."""
    row: T = model._sa_class_manager.new_instance()  # type: ignore[attr-defined]
    row.__dict__.update(values)
    object.__setattr__(row, "__pydantic_fields_set__", set(values))
    object.__setattr__(row, "__pydantic_extra__", None)
    object.__setattr__(row, "__pydantic_private__", None)
    return row


class UnitOfWork:
    def __init__(self, db: Database, session: Session, action: str, component: str | None = None):
        self.db, self.session, self.action = db, session, action
        self.changes: list[RowChange] = []  # every row version written, in order
        self.user = db.user or "unknown"
        self.component = component or _COMPONENT.get()
        # The audit chain's head once this transaction wrote an entry: (id, hash).
        self.audit_head: tuple[int, str] | None = None

    def get(self, model: type[T], ident: str | None, what: str | None = None) -> T:
        row = self.session.get(model, ident) if ident else None
        if row is None or row.deleted:
            raise NotFound(what or table_name(model).replace("_", " "), str(ident))
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
        previous: dict[str, Any] | None = _UNREAD,
    ) -> tuple[T, dict[str, Any] | None]:  # fmt: skip
        """Insert or update the one row of `model` with the natural `key` (e.g. review and
        item) and return it with its previous column values (None if it is new).

        The autosave path: at most a select and one write, straight to the driver, no ORM
        flush, so an answer costs little more than SQLite's own commit (bench/autosave.py).
        A caller that already read the row in this transaction passes it as `previous`
        (None: there is none). The row returned is not attached to the session; use
        save() for rows you go on editing. `base_rev` as in get_for_update (a row not
        written yet is at revision 0).
        """
        table: Table = model.__table__  # type: ignore[attr-defined]
        if previous is _UNREAD:
            found = self.session.connection().execute(_find_keyed(table, tuple(key)), key)
            row_found = found.mappings().first()
            previous = dict(row_found) if row_found is not None else None
        if base_rev is not None:
            check_base_rev(model(**previous) if previous else None, base_rev, changes)
        if previous is None:  # the model's defaults fill the columns not given
            start = model(**{**key, **changes})
            values = {c: getattr(start, c) for c in _column_names(table)}
            if "id" not in changes:
                values["id"] = natural_id(table.name, values) or values["id"]
        else:
            values = {c: previous[c] for c in _column_names(table)}
            values.update(changes)
        op = self._stamp_values(values)
        if previous is None:
            self._raw(_raw_insert(table, tuple(values), self._dialect), values)
        else:  # only the columns that change: SQLite rewrites the index entries of every
            # indexed column an UPDATE sets, changed or not (4 of an autosave's 15 pages)
            columns = tuple(c for c, v in values.items() if v != previous[c])
            self._raw(_raw_update(table, columns, self._dialect), values, (values["id"],))
        self._log_values(table.name, values, op, review_id)
        return _detached_row(model, values), previous

    @functools.cached_property
    def _dialect(self) -> Dialect:
        return self.session.get_bind().dialect

    def _raw(self, stmt: _RawStatement, values: dict[str, Any], extra: tuple[Any, ...] = ()
             ) -> Any:  # fmt: skip
        """Run a compiled write on the session's own connection (its transaction); the
        driver's cursor."""
        return self._execute(stmt.sql, stmt.params(values, extra))

    def read_first(self, stmt: Select[Any], params: dict[str, Any]) -> dict[str, Any] | None:
        """The first row of a fixed read (a module-level Select with bindparams) as a
        dict by column label, on the session's connection (its transaction)."""
        query = _raw_query(stmt, self._dialect)
        raw = self._execute(query.sql, query.bind(params)).fetchone()
        return None if raw is None else query.row(raw)

    def _driver(self) -> Any:  # noqa: ANN401 - sqlite3's or sqlcipher3's connection
        driver = self.session.connection().connection.driver_connection
        assert driver is not None  # an open connection has its sqlite3 one
        return driver

    def _execute(self, sql: str, params: tuple[Any, ...]) -> Any:  # noqa: ANN401
        """SQL on the driver's connection in the session's transaction; its cursor."""
        try:
            return self._driver().execute(sql, params)
        except DRIVER_ERRORS as exc:  # as SQLAlchemy would raise it, for classify()
            base = next(b for b in DRIVER_ERRORS if isinstance(exc, b))  # sqlite3/sqlcipher3
            raise DBAPIError.instance(sql, params, exc, base) from exc

    def _stamp(self, row: SyncFields) -> str:
        op = "insert" if row.rev == 0 else ("delete" if row.deleted else "update")
        if row.rev == 0 and (ident := natural_id(table_name(type(row)), row.__dict__)):
            row.id = ident
        row.rev += 1
        row.updated_at = utcnow()
        row.updated_by = self.user
        row.device_id = self.db.device_id
        return op

    def _stamp_values(self, values: dict[str, Any]) -> str:
        """_stamp on a row's column values."""
        op = "insert" if values["rev"] == 0 else ("delete" if values["deleted"] else "update")
        values.update(rev=values["rev"] + 1, updated_at=utcnow(), updated_by=self.user,
                      device_id=self.db.device_id)  # fmt: skip
        return op

    def _log(self, row: SyncFields, op: str, review_id: str | None) -> None:
        self._append(table_name(type(row)), row.id, row.rev, op, row.model_dump(mode="json"),
                     row.updated_at, review_id)  # fmt: skip

    def _log_values(self, table: str, values: dict[str, Any], op: str, review_id: str | None
                    ) -> None:  # fmt: skip
        # The same JSON as model_dump(mode="json"): pydantic's serializer, column order.
        self._append(table, values["id"], values["rev"], op, to_jsonable_python(values),
                     values["updated_at"], review_id)  # fmt: skip

    def _append(self, table: str, row_id: str, rev: int, op: str, payload: dict[str, Any],
                at: Any, review_id: str | None) -> None:  # fmt: skip
        """Append one row version to the change log (the outbox) and note the change."""
        self._raw(
            _raw_insert(_CHANGE_TABLE, _CHANGE_COLUMNS, self._dialect),
            {
                "change_id": new_id(), "table_name": table, "row_id": row_id, "rev": rev,
                "op": op, "payload": payload, "created_at": at,
                "device_id": self.db.device_id, "pushed_seq": None,
            },
        )  # fmt: skip
        self.changes.append(RowChange(table, row_id, review_id, op, rev))

    def collected(self) -> Changes | None:
        """What this action changed, one RowChange per row (None: nothing was written).
        Past BULK_CHANGES rows views are asked to reload everything once instead."""
        if not self.changes:
            return None
        rows: dict[tuple[str, str], RowChange] = {}
        for row in self.changes:  # a row written twice: its place first, its last op
            first = rows.get((row.table, row.row_id))
            rows[(row.table, row.row_id)] = row if first is None else RowChange(
                row.table, row.row_id, first.review_id or row.review_id,
                "insert" if first.op == "insert" and row.op != "delete" else row.op,
                row.rev)  # fmt: skip
        return Changes(self.action, tuple(rows.values()), everything=len(rows) > BULK_CHANGES)

    def delete(self, row: T, *, review_id: str | None = None) -> T:
        """Deletion is a tombstone, so that it can be synced."""
        row.deleted = True
        return self.save(row, review_id=review_id)

    def audit(self, entity: str, entity_id: str, **detail: Any) -> None:
        """The audit entry of this action (its event from the action's name)."""
        self.audit_event(event_for(self.action), "success", entity, entity_id, detail)

    def audit_event(
        self, event: str, outcome: str, entity: str, entity_id: str, detail: dict[str, Any],
        *, user: str | None = None, at: datetime | None = None,
    ) -> None:  # fmt: skip
        """Append one entry to the hash chain, in this transaction.

        The first entry of a transaction reads the chain's head inside its own INSERT
        (one statement: the hash is computed by a SQL function on the connection); the
        next ones chain on the head kept here. BEGIN IMMEDIATE serializes writers, so
        the head cannot move under us.
        """
        values = {
            "at": at or utcnow(), "component": self.component, "event": event,
            "user": self.user if user is None else user, "outcome": outcome,
            "entity": entity, "entity_id": entity_id, "detail": _jsonable(detail),
            "device_id": self.db.device_id, "action": self.action,
        }  # fmt: skip
        before, after = _halves(values)
        if self.audit_head is None:
            self.audit_head = self._first_audit(values, before, after)
            return
        ident, prev = self.audit_head
        digest = _joined_hash(before, after, prev)
        stmt = _raw_insert(_AUDIT_TABLE, (*_AUDIT_COLUMNS, "prev_hash", "hash"), self._dialect)
        cursor = self._raw(stmt, {**values, "prev_hash": prev, "hash": digest})
        self.audit_head = (int(cursor.lastrowid or ident + 1), digest)

    def _first_audit(self, values: dict[str, Any], before: str, after: str) -> tuple[int, str]:
        stmt = _first_audit_insert(self._dialect)
        try:
            cursor = self._raw(stmt, values, (before, after))
        except Exception as exc:  # a new connection: the hash function is registered once
            # (registering it again would expire every prepared statement of the connection)
            if "no such function" not in str(exc):
                raise
            self._driver().create_function(_HASH_FUNCTION, 3, _joined_hash, deterministic=True)
            cursor = self._raw(stmt, values, (before, after))
        (row,) = cursor.fetchall()
        return int(row[0]), str(row[1])


@functools.cache
def _first_audit_insert(dialect: Dialect) -> _RawStatement:
    """INSERT of a transaction's first audit entry, chained on the last one in the file."""
    columns = ", ".join(_quoted(_AUDIT_COLUMNS))
    marks = ", ".join("?" * len(_AUDIT_COLUMNS))
    sql = (
        f"INSERT INTO audit_log ({columns}, prev_hash, hash) "
        f"SELECT {marks}, p, {_HASH_FUNCTION}(?, ?, p) FROM (SELECT coalesce("
        f"(SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1), '{ZERO_HASH}') AS p) "
        "RETURNING id, hash"
    )
    return _RawStatement(sql, _AUDIT_TABLE, _AUDIT_COLUMNS, dialect)


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
def unit_of_work(db: Database, action: str, component: str | None = None
                 ) -> Iterator[UnitOfWork]:  # fmt: skip
    """Run one user action as one transaction; known SQLite failures become one-line errors.
    `component` names who acts in the audit trail (app, cli, sync); by default the one
    set by audit_component, else "app"."""
    uow: UnitOfWork | None = None
    try:
        with db.write() as session:
            uow = UnitOfWork(db, session, action, component)
            yield uow
            session.commit()
    except DBAPIError as exc:
        problem = classify(db.path, exc)
        if problem is not None:
            raise problem from exc
        raise
    assert uow is not None
    changes = uow.collected()
    if changes is not None:
        db.notify(changes)
