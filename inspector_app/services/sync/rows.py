"""Rows as the wire carries them (JSON, every column) and as the laptop stores them,
plus the local bookkeeping the sync reads and writes: sync_base, the outbox, re-keys.

Everything here runs on a Connection inside the caller's transaction (SQLAlchemy Core:
no ORM, no change-log entries: rows from the server are not local edits)."""

from __future__ import annotations

import functools
import json
from collections.abc import Collection, Iterable
from datetime import date, datetime
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy import (
    ColumnElement,
    Connection,
    Date,
    DateTime,
    Table,
    bindparam,
    func,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from inspector_app.domain.sync import NATURAL_KEYS, SYNC_FIELDS
from inspector_app.store.models import (
    SYNCABLE_TABLES,
    Attachment,
    ChangeLog,
    Finding,
    Meta,
    SyncBase,
    SyncFields,
    table_name,
)

CHANGE_LOG: Table = ChangeLog.__table__  # type: ignore[attr-defined]
SYNC_BASE: Table = SyncBase.__table__  # type: ignore[attr-defined]
META: Table = Meta.__table__  # type: ignore[attr-defined]
MODELS: dict[str, type[SyncFields]] = {table_name(m): m for m in SYNCABLE_TABLES}
Key = tuple[str, str]  # (table, row id)
IN_CHUNK = 400  # ids per IN query (far below SQLite's variable limit)
# Columns holding an interview_answer id: a re-keyed answer's references follow it.
ANSWER_REFERENCES: tuple[tuple[str, str], ...] = (
    (table_name(Finding), "interview_answer_id"),
    (table_name(Attachment), "interview_answer_id"),
)


def ids_in(column: ColumnElement[Any], ids: Collection[str]) -> ColumnElement[bool]:
    """`column IN (ids)` with the ids as one JSON parameter (json_each): SQLAlchemy's
    expanding IN processes a bound parameter per id, a third of each batch query."""
    each = func.json_each(json.dumps(list(ids))).table_valued("value")
    return column.in_(select(each.c.value))


def table_of(name: str) -> Table:
    table: Table = MODELS[name].__table__  # type: ignore[attr-defined]
    return table


@functools.cache
def _kinds(table: Table) -> dict[str, type]:
    """Column name -> the Python type its JSON text must be read as (date, datetime)."""
    out: dict[str, type] = {}
    for column in table.columns:
        kind = getattr(column.type, "impl_instance", column.type)  # a TypeDecorator's own
        if isinstance(kind, DateTime):
            out[column.name] = datetime
        elif isinstance(kind, Date):
            out[column.name] = date
    return out


def column_value(table: Table, name: str, value: Any) -> Any:
    """A JSON value of column `name` as the column stores it."""
    kind = _kinds(table).get(name)
    if kind is None or not isinstance(value, str):
        return value
    if kind is datetime:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return date.fromisoformat(value)


def stored_values(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """A wire row's columns this table has, as the columns store them."""
    return {k: column_value(table, k, v) for k, v in row.items() if k in table.c}


def as_json(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = to_jsonable_python(values)
    return out


def same(table: Table, name: str, a: Any, b: Any) -> bool:
    """Equal as column values (an instant written with 'Z' or '+00:00' is one instant)."""
    return bool(a == b or column_value(table, name, a) == column_value(table, name, b))


def differing(table: Table, new: dict[str, Any], old: dict[str, Any]) -> list[str]:
    """The content columns of `new` whose value is not the one in `old`."""
    return [
        k for k, v in new.items()
        if k not in SYNC_FIELDS and (k not in old or not same(table, k, v, old[k]))
    ]  # fmt: skip


# --- sync_base ---------------------------------------------------------------------


def base_of(conn: Connection, table: str, row_id: str) -> tuple[int, dict[str, Any]] | None:
    found = conn.execute(
        select(SYNC_BASE.c.rev, SYNC_BASE.c.payload).where(
            SYNC_BASE.c.table_name == table, SYNC_BASE.c.row_id == row_id
        )
    ).first()
    return None if found is None else (int(found[0]), dict(found[1]))


def set_base(conn: Connection, table: str, row_id: str, rev: int, row: dict[str, Any]) -> None:
    stmt = sqlite_insert(SYNC_BASE).values(table_name=table, row_id=row_id, rev=rev, payload=row)
    conn.execute(stmt.on_conflict_do_update(
        index_elements=["table_name", "row_id"], set_={"rev": rev, "payload": row}
    ))  # fmt: skip


def bases_of(conn: Connection, keys: Iterable[Key]) -> dict[Key, tuple[int, dict[str, Any]]]:
    """base_of for many rows: one IN query per table (and IN_CHUNK ids); absent: no base."""
    out: dict[Key, tuple[int, dict[str, Any]]] = {}
    c = SYNC_BASE.c
    for table, ids in by_table(keys).items():
        for part in chunks(ids, IN_CHUNK):
            query = select(c.row_id, c.rev, c.payload).where(
                c.table_name == table, ids_in(c.row_id, part)
            )
            out.update({(table, r[0]): (int(r[1]), dict(r[2])) for r in conn.execute(query)})
    return out


def set_bases(conn: Connection, bases: Collection[tuple[str, str, int, dict[str, Any]]]) -> None:
    """set_base for many rows (table, row id, rev, row), in one executemany."""
    if not bases:
        return
    stmt = sqlite_insert(SYNC_BASE)
    stmt = stmt.on_conflict_do_update(
        index_elements=["table_name", "row_id"],
        set_={"rev": stmt.excluded.rev, "payload": stmt.excluded.payload},
    )
    conn.execute(stmt, [{"table_name": t, "row_id": r, "rev": rev, "payload": row}
                        for t, r, rev, row in bases])  # fmt: skip


def set_meta(conn: Connection, key: str, value: str) -> None:
    stmt = sqlite_insert(META).values(key=key, value=value)
    conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value}))


# --- the outbox ----------------------------------------------------------------------


def pending_count(conn: Connection, up_to: int | None = None) -> int:
    query = select(func.count()).select_from(CHANGE_LOG).where(CHANGE_LOG.c.pushed_seq.is_(None))
    if up_to is not None:
        query = query.where(CHANGE_LOG.c.seq <= up_to)
    return int(conn.execute(query).scalar_one())


def last_seq(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.max(CHANGE_LOG.c.seq), 0))).scalar_one())


def pending_of(conn: Connection, table: str, row_id: str) -> list[dict[str, Any]]:
    """The row's entries not yet acknowledged, oldest first (seq, op, payload)."""
    rows = conn.execute(
        select(CHANGE_LOG.c.seq, CHANGE_LOG.c.op, CHANGE_LOG.c.payload)
        .where(CHANGE_LOG.c.table_name == table, CHANGE_LOG.c.row_id == row_id,
               CHANGE_LOG.c.pushed_seq.is_(None))
        .order_by(CHANGE_LOG.c.seq)
    ).mappings()  # fmt: skip
    return [dict(r) for r in rows]


def pending_of_many(conn: Connection, keys: Iterable[Key]) -> dict[Key, list[dict[str, Any]]]:
    """pending_of for many rows: one IN query per table; rows without entries are absent."""
    out: dict[Key, list[dict[str, Any]]] = {}
    c = CHANGE_LOG.c
    for table, ids in by_table(keys).items():
        for part in chunks(ids, IN_CHUNK):
            query = (
                select(c.row_id, c.seq, c.op, c.payload)
                .where(c.table_name == table, ids_in(c.row_id, part), c.pushed_seq.is_(None))
                .order_by(c.seq)
            )
            for r in conn.execute(query):
                out.setdefault((table, r[0]), []).append({"seq": r[1], "op": r[2], "payload": r[3]})
    return out


def pending_keys(conn: Connection, keys: Iterable[Key]) -> set[Key]:
    """The rows among `keys` with entries not yet acknowledged (one IN query per table)."""
    out: set[Key] = set()
    c = CHANGE_LOG.c
    for table, ids in by_table(keys).items():
        for part in chunks(ids, IN_CHUNK):
            query = (
                select(c.row_id)
                .distinct()
                .where(c.table_name == table, ids_in(c.row_id, part), c.pushed_seq.is_(None))
            )
            out.update((table, r[0]) for r in conn.execute(query))
    return out


def present_keys(conn: Connection, keys: Iterable[Key]) -> set[Key]:
    """The rows among `keys` this laptop holds (ids only: one IN query per table)."""
    out: set[Key] = set()
    for table, ids in by_table(keys).items():
        t = table_of(table)
        for part in chunks(ids, IN_CHUNK):
            out.update(
                (table, str(r[0])) for r in conn.execute(select(t.c.id).where(ids_in(t.c.id, part)))
            )
    return out


def mark_pushed(conn: Connection, change_id: str, seq: int | None) -> None:
    conn.execute(
        update(CHANGE_LOG).where(CHANGE_LOG.c.change_id == change_id).values(pushed_seq=seq or 0)
    )


def mark_pushed_many(conn: Connection, acknowledged: Collection[tuple[str, int | None]]) -> None:
    """mark_pushed for many (change id, seq) pairs, in one executemany."""
    if not acknowledged:
        return
    stmt = (
        update(CHANGE_LOG)
        .where(CHANGE_LOG.c.change_id == bindparam("b_change_id"))
        .values(pushed_seq=bindparam("b_seq"))
    )
    conn.execute(stmt, [{"b_change_id": cid, "b_seq": seq or 0} for cid, seq in acknowledged])


# --- local rows, many at a time ---------------------------------------------------------


def locals_of(conn: Connection, table: str, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The local rows of `table` with these ids, by id (one IN query per IN_CHUNK ids)."""
    t = table_of(table)
    out: dict[str, dict[str, Any]] = {}
    for part in chunks(sorted(set(ids)), IN_CHUNK):
        for found in conn.execute(select(t).where(ids_in(t.c.id, part))).mappings():
            out[str(found["id"])] = dict(found)
    return out


def key_values(table: str, row: dict[str, Any]) -> tuple[Any, ...] | None:
    """The natural key's values in `row` (None: no key, a column absent or NULL)."""
    key = NATURAL_KEYS.get(table)
    if key is None or any(row.get(k) is None for k in key):
        return None
    return tuple(row[k] for k in key)


def owners_of(
    conn: Connection, table: str, values: Iterable[tuple[Any, ...]]
) -> dict[tuple[Any, ...], str]:
    """find_by_key for many keys of `table`: key values -> the local row's id."""
    t = table_of(table)
    columns = [t.c[k] for k in NATURAL_KEYS[table]]
    out: dict[tuple[Any, ...], str] = {}
    for part in chunks(sorted(set(values)), IN_CHUNK):
        for found in conn.execute(select(t.c.id, *columns).where(tuple_(*columns).in_(part))):
            out[tuple(found[1:])] = str(found[0])
    return out


def by_table(keys: Iterable[Key]) -> dict[str, list[str]]:
    out: dict[str, set[str]] = {}
    for table, row_id in keys:
        out.setdefault(table, set()).add(row_id)
    return {table: sorted(ids) for table, ids in out.items()}


# --- re-keying a natural-key row ------------------------------------------------------


def find_by_key(conn: Connection, table: str, row: dict[str, Any]) -> str | None:
    """The local id of the `table` row with `row`'s natural key (None: none, or no key)."""
    key = NATURAL_KEYS.get(table)
    if key is None or any(k not in row for k in key):
        return None
    t = table_of(table)
    found = conn.execute(select(t.c.id).where(*(t.c[k] == row[k] for k in key))).first()
    return None if found is None else str(found[0])


def rekey(conn: Connection, table: str, old: str, new: str) -> None:
    """Give the local row `old` the id `new` (the one the server knows it by): the row,
    its pending outbox entries (and their payloads) and the columns that point at it.

    Foreign keys are checked at commit (defer_foreign_keys) so the row and its
    references can move one after the other."""
    conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    t = table_of(table)
    conn.execute(update(t).where(t.c.id == old).values(id=new))
    pending = CHANGE_LOG.c.pushed_seq.is_(None)
    conn.execute(
        update(CHANGE_LOG)
        .where(CHANGE_LOG.c.table_name == table, CHANGE_LOG.c.row_id == old, pending)
        .values(row_id=new, payload=func.json_set(CHANGE_LOG.c.payload, "$.id", new))
    )  # fmt: skip
    conn.execute(SYNC_BASE.delete().where(SYNC_BASE.c.table_name == table,
                                          SYNC_BASE.c.row_id == old))  # fmt: skip
    if table != "interview_answer":
        return
    for ref_table, column in ANSWER_REFERENCES:
        rt = table_of(ref_table)
        conn.execute(update(rt).where(rt.c[column] == old).values({column: new}))
        path = f"$.{column}"
        conn.execute(
            update(CHANGE_LOG)
            .where(CHANGE_LOG.c.table_name == ref_table, pending,
                   func.json_extract(CHANGE_LOG.c.payload, path) == old)
            .values(payload=func.json_set(CHANGE_LOG.c.payload, path, new))
        )  # fmt: skip


def chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
