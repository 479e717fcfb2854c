"""Rows from the server into the laptop: pull pages and apply them.

A page is applied in one transaction with no change-log entries (rows from the server
are not local edits), blobs it needs downloaded first. A row's local revision is raised
when its content changes, so an open editor notices. Pending local edits are rebased:
a column a pending entry changed keeps the local value, the rest take the server's,
in the row and in the pending entries' payloads; except a repeated section's order
answer (the case files of a review), which a pending edit and the server's version both
changed: it takes `forms.layout.merge_order` of the two (added instances on either side
kept), so the next push sends the merged list. sync.cursor moves in the same
transaction as the rows it covers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select, update

from inspector_app.domain.forms.layout import merge_order
from inspector_app.domain.sync import (
    BLOB_TABLES,
    NATURAL_KEYS,
    SYNC_FIELDS,
    PullResponse,
    is_order_answer,
)
from inspector_app.store.database import Database
from inspector_app.store.files import blob_path, put_blob, sha256_of

from .client import SyncClient
from .outbox import changed_columns
from .rows import (
    CHANGE_LOG,
    MODELS,
    Key,
    base_of,
    bases_of,
    by_table,
    find_by_key,
    key_values,
    locals_of,
    owners_of,
    pending_of,
    pending_of_many,
    rekey,
    set_base,
    set_bases,
    set_meta,
    stored_values,
    table_of,
)
from .types import META_CURSOR, SyncError

PULL_LIMIT = 500
_STAMPS = ("updated_at", "updated_by", "device_id")


def _local(conn: Connection, table: str, row_id: str) -> dict[str, Any] | None:
    t = table_of(table)
    found = conn.execute(select(t).where(t.c.id == row_id)).mappings().first()
    return None if found is None else dict(found)


def _match_by_key(conn: Connection, table: str, row_id: str, row: dict[str, Any]) -> None:
    """A natural-key row the laptop holds under another id takes the server's id."""
    if table not in NATURAL_KEYS:
        return
    other = find_by_key(conn, table, stored_values(table_of(table), row))
    if other is not None and other != row_id:
        rekey(conn, table, other, row_id)


def _rebase_pending(
    conn: Connection, pending: list[dict[str, Any]], row: dict[str, Any], kept: set[str]
) -> None:
    """Pending entries' payloads take the server's value of every column not kept."""
    for entry in pending:
        payload = dict(entry["payload"])
        theirs = {k: v for k, v in row.items() if k not in kept and k not in SYNC_FIELDS}
        if all(payload.get(k) == v for k, v in theirs.items()):
            continue
        payload.update(theirs)
        entry["payload"] = payload
        conn.execute(update(CHANGE_LOG).where(CHANGE_LOG.c.seq == entry["seq"])
                     .values(payload=payload))  # fmt: skip


def _merge_pending_order(
    conn: Connection, table: str, local: dict[str, Any], row: dict[str, Any],
    base: tuple[int, dict[str, Any]] | None, pending: list[dict[str, Any]], kept: set[str],
) -> dict[str, Any]:  # fmt: skip
    """A pending edit of an order answer meets a server version that changed it too:
    the local row and each pending entry take `merge_order` of the last agreed value,
    their own and the server's. The columns the local row must take ({} for none)."""
    if "value" not in kept or not is_order_answer(table, local):
        return {}
    agreed, theirs = (base[1].get("value") if base else None), row.get("value")
    if theirs == agreed or not isinstance(theirs, str | None) or not isinstance(agreed, str | None):
        return {}  # the server did not change it: the pending edit stands
    try:
        merged = merge_order(agreed, local.get("value"), theirs)
        for entry in pending:
            payload = {**entry["payload"]}
            payload["value"] = merge_order(agreed, payload.get("value"), theirs)
            if payload != entry["payload"]:
                entry["payload"] = payload
                conn.execute(update(CHANGE_LOG).where(CHANGE_LOG.c.seq == entry["seq"])
                             .values(payload=payload))  # fmt: skip
    except ValueError:
        return {}  # not an order answer on one side: the pending edit stands
    return {"value": merged} if merged != local.get("value") else {}


def apply_row(conn: Connection, table: str, row_id: str, rev: int, row: dict[str, Any]) -> bool:
    """Bring the server's version of a row into the laptop; True if the local row changed."""
    t = table_of(table)
    local = _local(conn, table, row_id)
    if local is None:
        _match_by_key(conn, table, row_id, row)
        local = _local(conn, table, row_id)
    theirs = stored_values(t, {**row, "id": row_id})
    if local is None:
        conn.execute(t.insert().values({**theirs, "rev": max(rev, 1)}))
        set_base(conn, table, row_id, rev, row)
        return True
    pending = pending_of(conn, table, row_id)
    base = base_of(conn, table, row_id)
    kept = changed_columns(table, pending, base[1] if base else None) if pending else set()
    new = {k: v for k, v in theirs.items()
           if k not in kept and k not in SYNC_FIELDS and local.get(k) != v}  # fmt: skip
    new |= _merge_pending_order(conn, table, local, row, base, pending, kept)
    if new:
        stamps = {k: theirs[k] for k in _STAMPS if k in theirs}
        conn.execute(update(t).where(t.c.id == row_id)
                     .values({**new, **stamps, "rev": int(local["rev"]) + 1}))  # fmt: skip
    if pending:
        _rebase_pending(conn, pending, row, kept)
    set_base(conn, table, row_id, rev, row)
    return bool(new)


Item = tuple[str, str, int, dict[str, Any]]  # table, row id, server rev, the server's row


class Applier:
    """apply_row for the rows of one pull page or push batch, in the caller's transaction,
    with a few IN queries per table instead of several SELECTs per row: local rows,
    sync_base, pending entries and natural-key owners are read up front; new rows are
    inserted with one executemany per table and sync_base with one executemany, at
    flush() or before anything reads them back. A row needing a re-key (a natural key the
    laptop holds under another id, or a key column that changes) goes through apply_row
    itself, after a flush, and the caches are read again."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._reset()

    def _reset(self) -> None:
        self._loaded: set[Key] = set()
        self._local: dict[Key, dict[str, Any] | None] = {}  # absent: re-read (written here)
        self._base: dict[Key, tuple[int, dict[str, Any]] | None] = {}
        self._pending: dict[Key, list[dict[str, Any]]] = {}
        self._owners: dict[tuple[str, tuple[Any, ...]], str] = {}
        self._checked: set[tuple[str, tuple[Any, ...]]] = set()
        self._inserts: dict[Key, dict[str, Any]] = {}
        self._new_bases: dict[Key, tuple[str, str, int, dict[str, Any]]] = {}

    def run(self, items: Sequence[Item], *, skip_known: bool = False) -> list[bool | None]:
        """apply_row for each item in order: True/False as apply_row; None: skipped
        (skip_known: the laptop holds this version or a later one)."""
        out: list[bool | None] = []
        self.prefetch(items)
        for i, (table, row_id, rev, row) in enumerate(items):
            if not self._loaded:  # a re-key emptied the caches
                self.prefetch(items[i:])
            self._ensure((table, row_id), row)
            base = self._base[(table, row_id)]
            if skip_known and base is not None and base[0] >= rev:
                out.append(None)
                continue
            out.append(self.apply(table, row_id, rev, row))
        self.flush()
        return out

    def prefetch(self, items: Sequence[Item]) -> None:
        fresh = {(t, r): row for t, r, _, row in items if (t, r) not in self._loaded}
        for table, ids in by_table(fresh).items():
            found = locals_of(self.conn, table, ids)
            self._local.update({(table, i): found.get(i) for i in ids})
        bases = bases_of(self.conn, fresh)
        pending = pending_of_many(self.conn, fresh)
        for key in fresh:
            self._base[key] = bases.get(key)
            self._pending[key] = pending.get(key, [])
        self._loaded |= fresh.keys()
        wanted: dict[str, set[tuple[Any, ...]]] = {}
        for (table, row_id), row in fresh.items():
            values = key_values(table, row)  # key columns are text: as the wire has them
            if values is None or self._local[(table, row_id)] is not None:
                continue
            if (table, values) not in self._checked:
                wanted.setdefault(table, set()).add(values)
        for table, asked in wanted.items():
            owners = owners_of(self.conn, table, asked)
            self._owners.update({(table, v): owner for v, owner in owners.items()})
            self._checked.update((table, v) for v in asked)

    def _ensure(self, key: Key, row: dict[str, Any]) -> None:
        if key not in self._loaded:
            self.prefetch([(key[0], key[1], 0, row)])
        elif key not in self._local:  # written here: read back what the database holds
            self._flush_inserts()
            self._local[key] = locals_of(self.conn, key[0], [key[1]]).get(key[1])

    def _owner(self, table: str, theirs: dict[str, Any]) -> str | None:
        """find_by_key, from what was read up front when it can."""
        values = key_values(table, theirs)
        if values is None or (table, values) not in self._checked:
            self.flush()
            return find_by_key(self.conn, table, theirs)
        return self._owners.get((table, values))

    def apply(self, table: str, row_id: str, rev: int, row: dict[str, Any]) -> bool:
        key = (table, row_id)
        self._ensure(key, row)
        local = self._local[key]
        t = table_of(table)
        theirs = stored_values(t, {**row, "id": row_id})
        if local is None:
            if table in NATURAL_KEYS and self._owner(table, theirs) not in (None, row_id):
                return self._through_apply_row(table, row_id, rev, row)
            self._insert(key, {**theirs, "rev": max(rev, 1)})
            self._set_base(key, rev, row)
            return True
        pending, base = self._pending[key], self._base[key]
        kept = changed_columns(table, pending, base[1] if base else None) if pending else set()
        new = {k: v for k, v in theirs.items()
               if k not in kept and k not in SYNC_FIELDS and local.get(k) != v}  # fmt: skip
        if new.keys() & set(NATURAL_KEYS.get(table, ())):
            return self._through_apply_row(table, row_id, rev, row)
        new |= _merge_pending_order(self.conn, table, local, row, base, pending, kept)
        if new:
            stamps = {k: theirs[k] for k in _STAMPS if k in theirs}
            self.conn.execute(update(t).where(t.c.id == row_id)
                              .values({**new, **stamps, "rev": int(local["rev"]) + 1}))  # fmt: skip
            del self._local[key]
        if pending:
            _rebase_pending(self.conn, pending, row, kept)
        self._set_base(key, rev, row)
        return bool(new)

    def _through_apply_row(self, table: str, row_id: str, rev: int, row: dict[str, Any]) -> bool:
        self.flush()
        changed = apply_row(self.conn, table, row_id, rev, row)
        self._reset()  # rows may have moved: read everything again
        return changed

    def _insert(self, key: Key, values: dict[str, Any]) -> None:
        self._inserts[key] = values
        del self._local[key]
        found = key_values(key[0], values)
        if found is not None:
            self._owners[(key[0], found)] = key[1]
            self._checked.add((key[0], found))

    def _set_base(self, key: Key, rev: int, row: dict[str, Any]) -> None:
        self._base[key] = (rev, row)
        self._new_bases[key] = (key[0], key[1], rev, row)

    def _flush_inserts(self) -> None:
        groups: dict[tuple[str, tuple[str, ...]], list[dict[str, Any]]] = {}
        for (table, _), values in self._inserts.items():
            groups.setdefault((table, tuple(values)), []).append(values)
        for (table, _), rows in groups.items():
            self.conn.execute(table_of(table).insert(), rows)
        self._inserts.clear()

    def flush(self) -> None:
        """Write the rows and sync_base versions still held back."""
        self._flush_inserts()
        set_bases(self.conn, list(self._new_bases.values()))
        self._new_bases.clear()


def needed_blobs(db: Database, page: PullResponse) -> list[str]:
    """Hashes of the files the page's live attachment/report rows name and the laptop lacks."""
    out: list[str] = []
    for change in page.changes:
        sha = change.row.get("sha256")
        if change.table not in BLOB_TABLES or change.row.get("deleted") or not sha:
            continue
        if sha not in out and not blob_path(db.attachments_dir, str(sha)).is_file():
            out.append(str(sha))
    return out


def download_blob(db: Database, client: SyncClient, sha256: str) -> None:
    """Fetch one file, check its SHA-256 and store it (temporary file, fsync, rename)."""
    data = client.request("GET", f"/v1/blobs/{sha256}").content
    if sha256_of(data) != sha256:
        raise SyncError(f"{client.server}: the file {sha256[:12]} arrived damaged "
                        "(its SHA-256 does not match); sync again")  # fmt: skip
    put_blob(db.attachments_dir, data)


def apply_page(db: Database, page: PullResponse) -> int:
    """Apply one page in one transaction and move the cursor; the row versions applied."""
    with db.write() as session:
        conn = session.connection()
        conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        items = [(c.table, c.row_id, c.rev, c.row) for c in page.changes
                 if c.table in MODELS]  # others: a table this laptop does not keep  # fmt: skip
        # skipped (None): this version (or a later one) is here already
        done = Applier(conn).run(items, skip_known=True)
        set_meta(conn, META_CURSOR, str(page.cursor))
        session.commit()
    return sum(1 for d in done if d is not None)
