"""The outbox as the wire carries it: pending change-log entries -> domain.sync.Change.

Each entry's `fields`/`base` are its payload's columns that differ from the previous
version of the row: the previous pending entry of the row in this batch, else the
version the server last acknowledged (sync_base), else none (an insert: every column,
base_rev 0). base_rev is the server revision of sync_base (0 without one).

An inspector or supervisor may write only their own field office's rows (the server
refuses a whole push otherwise), so entries of other offices' rows stay waiting (a row
linked to no office is the writer's, as on the server)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from inspector_app.domain.row_parents import PARENTS
from inspector_app.domain.sync import SYNC_FIELDS, Change

from .rows import CHANGE_LOG, MODELS, bases_of, differing, table_of

BATCH = 500


@dataclass(frozen=True)
class Entry:
    seq: int
    change_id: str
    table: str
    row_id: str
    op: str
    payload: dict[str, Any]
    created_at: datetime


class Offices:
    """Which field office (code) a local row belongs to, cached for one sync."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._cache: dict[tuple[str, str], str | None] = {}

    def of_values(self, table: str, values: dict[str, Any], depth: int = 0) -> str | None:
        if table == "field_office":
            return str(values.get("code") or "").upper() or None
        if table == "sync_conflict":
            about = values.get("table_name")
            return self.of_row(str(about), str(values.get("row_id")), depth + 1)
        for column, parent in PARENTS.get(table, ()):
            if values.get(column):
                return self.of_row(parent, str(values[column]), depth + 1)
        return None

    def of_row(self, table: str, row_id: str, depth: int = 0) -> str | None:
        key = (table, row_id)
        if key in self._cache:
            return self._cache[key]
        office: str | None = None
        if table in MODELS and depth < 8:
            t = table_of(table)
            row = self.conn.execute(select(t).where(t.c.id == row_id)).mappings().first()
            if row is not None:
                office = self.of_values(table, dict(row), depth)
        self._cache[key] = office
        return office


def pending_entries(conn: Connection, after: int, up_to: int, limit: int = BATCH) -> list[Entry]:
    """Entries not yet acknowledged with after < seq <= up_to, in seq order."""
    c = CHANGE_LOG.c
    rows = conn.execute(
        select(c.seq, c.change_id, c.table_name, c.row_id, c.op, c.payload, c.created_at)
        .where(c.pushed_seq.is_(None), c.seq > after, c.seq <= up_to)
        .order_by(c.seq).limit(limit)
    ).all()  # fmt: skip
    return [Entry(int(r[0]), r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows]  # a fresh dict each


def sendable(conn: Connection, up_to: int, office: str | None) -> Iterator[list[Entry]]:
    """Pages of the entries this user may push (office None: every row), read lazily:
    each page is read after the previous one was acknowledged."""
    offices = Offices(conn) if office else None
    after = 0
    while True:
        page = pending_entries(conn, after, up_to)
        if not page:
            return
        after = page[-1].seq
        if offices is not None:
            # a row linked to no office belongs to the office of whoever writes it
            page = [e for e in page if offices.of_values(e.table, e.payload) in (office, None)]
        if page:
            yield page


def to_change(entry: Entry, previous: dict[str, Any] | None, base_rev: int) -> Change:
    """One entry as a Change, diffed against `previous` (None: an insert, all columns)."""
    payload = entry.payload
    if previous is None:
        op = "delete" if entry.op == "delete" else "insert"
        fields, base = dict(payload), {}
    else:
        op = "update" if entry.op == "insert" else entry.op
        changed = differing(table_of(entry.table), payload, previous)
        fields = {k: payload[k] for k in changed}
        base = {k: previous[k] for k in changed if k in previous}
    return Change(
        change_id=entry.change_id, table=entry.table, row_id=entry.row_id, op=op,
        base_rev=base_rev, fields=fields, base=base, made_at=entry.created_at,
        made_by=str(payload.get("updated_by") or "")[:200],
    )  # fmt: skip


def build_changes(conn: Connection, entries: list[Entry]) -> list[Change]:
    """The batch's Changes: each entry diffed against the row's previous version."""
    previous: dict[tuple[str, str], dict[str, Any]] = {}
    bases = bases_of(conn, {(e.table, e.row_id) for e in entries})
    out: list[Change] = []
    for entry in entries:
        key = (entry.table, entry.row_id)
        base = bases.get(key)
        prev = previous.get(key) or (base[1] if base else None)
        out.append(to_change(entry, prev, base[0] if base else 0))
        previous[key] = entry.payload
    return out


def changed_columns(
    table: str, pending: list[dict[str, Any]], base: dict[str, Any] | None
) -> set[str]:
    """The content columns the pending entries (oldest first) changed since `base`."""
    t = table_of(table)
    out: set[str] = set()
    prev = base
    for entry in pending:
        payload = entry["payload"]
        if prev is None:
            out |= {k for k in payload if k not in SYNC_FIELDS}
        else:
            out |= set(differing(t, payload, prev))
        prev = payload
    return out
