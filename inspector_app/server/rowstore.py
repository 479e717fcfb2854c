"""The `rows` table as the push sees it: a cache of row states for one batch, filled
with a few IN queries, written back with executemany."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from inspector_app.domain.sync import NATURAL_KEYS

from . import bulk
from .storage import rows

Key = tuple[str, str]  # (table, row id)
# A natural key in memory: its values (strings, as every key column is), or (_TEXT, the
# JSON text) for anything else. Only the `rows` column holds the JSON text.
NaturalKey = tuple[Any, ...]
_TEXT = object()
_CHUNK = 400  # keys per IN query (SQLite's variable limit stays far away)


@dataclass
class RowState:
    table: str
    row_id: str
    rev: int
    fields: dict[str, Any]
    office: str
    writers: dict[str, list[Any]] = field(default_factory=dict)
    last_seq: int | None = None
    stored: bool = False  # the row is in the database already
    dirty: bool = False

    @property
    def deleted(self) -> bool:
        return bool(self.fields.get("deleted"))

    @property
    def natural_key(self) -> NaturalKey | None:
        return None if self.deleted else natural_key(self.table, self.fields)


def natural_key(table: str, fields: dict[str, Any]) -> NaturalKey | None:
    """The row's natural key (None: the table has none, or a key column is NULL). A
    tuple, not the JSON text: building the text for every lookup was a tenth of a push."""
    columns = NATURAL_KEYS.get(table)
    if not columns:
        return None
    values = tuple(fields.get(c) for c in columns)
    if all(type(v) is str for v in values):
        return values
    if any(v is None for v in values):
        return None
    return (_TEXT, json.dumps(list(values)))  # not all strings: compared as the text


def key_text(key: NaturalKey | None) -> str | None:
    """The natural key as the `rows` table stores it (JSON text of the values)."""
    if key is None:
        return None
    if key[0] is _TEXT:
        return str(key[1])
    return json.dumps(list(key))


def _chunks(items: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _by_table(keys: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for table, value in keys:
        out.setdefault(table, []).append(value)
    return out


class RowCache:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.known: dict[Key, RowState | None] = {}
        self.by_natural: dict[tuple[str, NaturalKey], str] = {}  # live rows only
        # Natural keys already looked up, found or not: a new answer's key is not in the
        # database, and asking again for each one was most of a push (bench/sync.py).
        self.natural_checked: set[tuple[str, NaturalKey]] = set()

    def _remember(self, found: Any) -> RowState:
        state = RowState(
            found.table_name, found.row_id, found.rev, dict(found.fields), found.office,
            dict(found.writers or {}), found.last_seq, stored=True,
        )  # fmt: skip
        self.known[(state.table, state.row_id)] = state
        if found.natural_key is not None and (nk := state.natural_key) is not None:
            self.by_natural[(state.table, nk)] = state.row_id
        return state

    def load(self, keys: Iterable[Key]) -> None:
        wanted = sorted({k for k in keys if k not in self.known})
        for table, ids in _by_table(wanted).items():
            for part in _chunks(ids):  # table = ? AND row_id IN (...): the primary key's index
                query = select(rows).where(rows.c.table_name == table, rows.c.row_id.in_(part))
                for found in self.conn.execute(query):
                    self._remember(found)
        for key in wanted:
            self.known.setdefault(key, None)

    def load_natural(self, keys: Iterable[tuple[str, NaturalKey]]) -> None:
        wanted = {k for k in keys if k not in self.by_natural} - self.natural_checked
        self.natural_checked.update(wanted)
        texts = sorted((table, key_text(nk) or "") for table, nk in wanted)
        for table, natural in _by_table(texts).items():
            for part in _chunks(natural):
                query = select(rows).where(rows.c.table_name == table, rows.c.natural_key.in_(part))
                for found in self.conn.execute(query):
                    if (found.table_name, found.row_id) not in self.known:
                        self._remember(found)

    def get(self, key: Key) -> RowState | None:
        if key not in self.known:
            self.load([key])
        return self.known[key]

    def by_key(self, table: str, fields: dict[str, Any]) -> RowState | None:
        nk = natural_key(table, fields)
        if nk is None:
            return None
        if (table, nk) not in self.by_natural and (table, nk) not in self.natural_checked:
            self.load_natural([(table, nk)])
        row_id = self.by_natural.get((table, nk))
        state = self.known.get((table, row_id)) if row_id else None
        return state if state is not None and state.natural_key == nk else None

    def put(self, state: RowState, old_key: NaturalKey | None) -> None:
        """Record a written state (and its natural key) for the rest of the batch."""
        self.known[(state.table, state.row_id)] = state
        state.dirty = True
        if old_key is not None and self.by_natural.get((state.table, old_key)) == state.row_id:
            del self.by_natural[(state.table, old_key)]
        new_key = state.natural_key
        if new_key is not None:
            self.by_natural[(state.table, new_key)] = state.row_id

    def flush(self) -> None:
        dirty = [s for s in self.known.values() if s is not None and s.dirty]
        updates = [_params(s) for s in dirty if s.stored]
        inserts = [_params(s) for s in dirty if not s.stored]
        if updates:
            bulk.update_rows(self.conn, updates)
        if inserts:
            bulk.insert_rows(self.conn, inserts)
        for state in dirty:
            state.stored, state.dirty = True, False


def _params(state: RowState) -> dict[str, Any]:
    return {
        "table_name": state.table,
        "row_id": state.row_id,
        "rev": state.rev,
        "fields": state.fields,
        "deleted": state.deleted,
        "office": state.office,
        "writers": state.writers,
        "natural_key": key_text(state.natural_key),
        "last_seq": state.last_seq,
    }
