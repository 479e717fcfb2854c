"""Rows from the server into the laptop: pull pages and apply them.

A page is applied in one transaction with no change-log entries (rows from the server
are not local edits), blobs it needs downloaded first. A row's local revision is raised
when its content changes, so an open editor notices. Pending local edits are rebased:
a column a pending entry changed keeps the local value, the rest take the server's,
in the row and in the pending entries' payloads. sync.cursor moves in the same
transaction as the rows it covers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select, update

from inspector_app.domain.sync import BLOB_TABLES, NATURAL_KEYS, SYNC_FIELDS, PullResponse
from inspector_app.store.database import Database
from inspector_app.store.files import blob_path, put_blob, sha256_of

from .client import SyncClient
from .outbox import changed_columns
from .rows import (
    CHANGE_LOG,
    MODELS,
    base_of,
    find_by_key,
    pending_of,
    rekey,
    set_base,
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
        conn.execute(update(CHANGE_LOG).where(CHANGE_LOG.c.seq == entry["seq"])
                     .values(payload=payload))  # fmt: skip


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
    if new:
        stamps = {k: theirs[k] for k in _STAMPS if k in theirs}
        conn.execute(update(t).where(t.c.id == row_id)
                     .values({**new, **stamps, "rev": int(local["rev"]) + 1}))  # fmt: skip
    if pending:
        _rebase_pending(conn, pending, row, kept)
    set_base(conn, table, row_id, rev, row)
    return bool(new)


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
    applied = 0
    with db.write() as session:
        conn = session.connection()
        conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        for change in page.changes:
            if change.table not in MODELS:
                continue  # a table this laptop does not keep
            base = base_of(conn, change.table, change.row_id)
            if base is not None and base[0] >= change.rev:
                continue  # this version (or a later one) is here already
            apply_row(conn, change.table, change.row_id, change.rev, change.row)
            applied += 1
        set_meta(conn, META_CURSOR, str(page.cursor))
        session.commit()
    return applied
