"""A push's writes on PostgreSQL: one statement per kind of write, its values as arrays
(`unnest`), instead of an executemany.

psycopg parses every statement's text for its placeholders; SQLAlchemy's batched
INSERT ... RETURNING renders a thousand rows' placeholders into one statement, and
parsing those texts (never the same twice) was a third of a push. Here the statement is
short and the same each time; the values travel as a few arrays. The JSON columns get
the text made once per object (storage.json_once).

`changes` seqs are taken first from the table's sequence (nextval, in order, under the
push's advisory lock), so the versions need no RETURNING to be matched back.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from .storage import json_text

_NEXT_SEQS = (
    "SELECT nextval(pg_get_serial_sequence('changes', 'seq')) FROM generate_series(1, %(n)s)"
)

_INSERT_CHANGES = (
    "INSERT INTO changes (seq, change_id, table_name, row_id, rev, op, fields, office, "
    "device_id, user_name, received_at) "
    "SELECT v.seq, v.change_id, v.table_name, v.row_id, v.rev, v.op, v.fields::json, "
    "v.office, v.device_id, v.user_name, v.received_at "
    "FROM unnest(%(seq)s::bigint[], %(change_id)s::text[], %(table_name)s::text[], "
    "%(row_id)s::text[], %(rev)s::integer[], %(op)s::text[], %(fields)s::text[], "
    "%(office)s::text[], %(device_id)s::text[], %(user_name)s::text[], "
    "%(received_at)s::timestamptz[]) "
    "AS v(seq, change_id, table_name, row_id, rev, op, fields, office, device_id, "
    "user_name, received_at)"
)

_ROW_ARRAYS = (
    "FROM unnest(%(table_name)s::text[], %(row_id)s::text[], %(rev)s::integer[], "
    "%(fields)s::text[], %(deleted)s::boolean[], %(office)s::text[], %(writers)s::text[], "
    "%(natural_key)s::text[], %(last_seq)s::bigint[]) "
    "AS v(table_name, row_id, rev, fields, deleted, office, writers, natural_key, last_seq)"
)

_UPDATE_ROWS = (
    "UPDATE rows SET rev = v.rev, fields = v.fields::json, deleted = v.deleted, "
    "office = v.office, writers = v.writers::json, natural_key = v.natural_key, "
    "last_seq = v.last_seq " + _ROW_ARRAYS + " "
    "WHERE rows.table_name = v.table_name AND rows.row_id = v.row_id"
)

_INSERT_ROWS = (
    "INSERT INTO rows (table_name, row_id, rev, fields, deleted, office, writers, "
    "natural_key, last_seq) "
    "SELECT v.table_name, v.row_id, v.rev, v.fields::json, v.deleted, v.office, "
    "v.writers::json, v.natural_key, v.last_seq " + _ROW_ARRAYS
)

_INSERT_RECEIPTS = (
    "INSERT INTO receipts (change_id, result) SELECT v.change_id, v.result::json "
    "FROM unnest(%(change_id)s::text[], %(result)s::text[]) AS v(change_id, result)"
)

_JSON_COLUMNS = frozenset({"fields", "writers", "result"})


def is_postgresql(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def _arrays(items: list[dict[str, Any]], columns: tuple[str, ...]) -> dict[str, list[Any]]:
    return {
        c: [json_text(i[c]) for i in items] if c in _JSON_COLUMNS else [i[c] for i in items]
        for c in columns
    }


def append_versions(conn: Connection, versions: list[dict[str, Any]]) -> list[int]:
    """Insert the versions into `changes`, in order; their seqs."""
    found = conn.exec_driver_sql(_NEXT_SEQS, {"n": len(versions)})
    seqs = sorted(int(r[0]) for r in found)
    columns = ("change_id", "table_name", "row_id", "rev", "op", "fields", "office",
               "device_id", "user_name", "received_at")  # fmt: skip
    conn.exec_driver_sql(_INSERT_CHANGES, {"seq": seqs, **_arrays(versions, columns)})
    return seqs


_ROW_COLUMNS = ("table_name", "row_id", "rev", "fields", "deleted", "office", "writers",
                "natural_key", "last_seq")  # fmt: skip


def update_rows(conn: Connection, items: list[dict[str, Any]]) -> None:
    conn.exec_driver_sql(_UPDATE_ROWS, _arrays(items, _ROW_COLUMNS))


def insert_rows(conn: Connection, items: list[dict[str, Any]]) -> None:
    conn.exec_driver_sql(_INSERT_ROWS, _arrays(items, _ROW_COLUMNS))


def insert_receipts(conn: Connection, items: list[dict[str, Any]]) -> None:
    conn.exec_driver_sql(_INSERT_RECEIPTS, _arrays(items, ("change_id", "result")))
