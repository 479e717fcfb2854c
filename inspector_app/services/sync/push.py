"""The laptop's outbox to the server: files first (resumable), then the changes in
batches; each batch's results are kept in one local transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

from inspector_app.domain.sync import (
    BLOB_CHUNK,
    BLOB_TABLES,
    SYNC_FIELDS,
    BlobHashes,
    ChangeResult,
    MissingBlobs,
    PushRequest,
    PushResponse,
    UploadState,
)
from inspector_app.store.database import Database
from inspector_app.store.files import read_blob

from .apply import Applier
from .client import SyncClient
from .outbox import Entry, build_changes, sendable
from .rows import (
    MODELS,
    Key,
    chunks,
    mark_pushed_many,
    pending_keys,
    present_keys,
    rekey,
    same,
    set_bases,
    table_of,
)
from .types import SyncError

HASHES_PER_ASK = 1000


def blobs_to_offer(db: Database, up_to: int, office: str | None) -> list[str]:
    """SHA-256 of the files named by the live attachment/report rows about to be pushed."""
    return outbox_summary(db, up_to, office)[1]


def outbox_summary(db: Database, up_to: int, office: str | None) -> tuple[int, list[str]]:
    """(entries to push, the files they name): one read of the outbox for both (each
    read decodes every payload: reading it twice was a tenth of the push)."""
    out: dict[str, None] = {}
    count = 0
    with db.read() as session:
        conn = session.connection()
        for page in sendable(conn, up_to, office):
            count += len(page)
            for e in page:
                sha = e.payload.get("sha256")
                if e.table in BLOB_TABLES and sha and not e.payload.get("deleted"):
                    out[str(sha)] = None
    return count, list(out)


def missing_on_server(client: SyncClient, hashes: list[str]) -> list[str]:
    out: list[str] = []
    for part in chunks(hashes, HASHES_PER_ASK):
        out += client.post("/v1/blobs/missing", BlobHashes(hashes=part), MissingBlobs).missing
    return out


def upload_blob(db: Database, client: SyncClient, sha256: str) -> None:
    """Send one file in BLOB_CHUNK pieces, from where the server says it is.

    The server just said the file is missing, so the first piece goes from offset 0
    without asking first; a partial upload there answers 409, and the upload goes on
    from the offset the server then reports (GET .../upload)."""
    data = read_blob(db.attachments_dir, sha256)
    if data is None:
        raise SyncError(f"the attached file {sha256[:12]} is missing or damaged on this "
                        "laptop; restore it (or remove the attachment) and sync again")  # fmt: skip
    state = UploadState(sha256=sha256, offset=0, complete=False)
    while not state.complete:
        if state.offset >= len(data) and len(data) > 0:
            raise SyncError(f"{client.server}: the upload of {sha256[:12]} went past its end")
        piece = data[state.offset : state.offset + BLOB_CHUNK]
        try:
            response = client.request(
                "PUT", f"/v1/blobs/{sha256}", params={"offset": state.offset, "size": len(data)},
                content=piece, headers={"Content-Type": "application/octet-stream"},
            )  # fmt: skip
        except SyncError:
            # a 409 (another offset): ask where the server is and go on from there once
            fresh = client.get(f"/v1/blobs/{sha256}/upload", UploadState)
            if fresh.offset == state.offset and not fresh.complete:
                raise
            state = fresh
            continue
        state = UploadState.model_validate_json(response.content)


def keep_results(db: Database, entries: list[Entry], results: list[ChangeResult]) -> None:
    """One transaction: entries acknowledged, rows re-keyed and rebased on the server's
    version, sync_base set (a few statements per batch, not several per entry).

    A row the server holds exactly as this laptop sent it (its content the last entry's
    payload, no entry of it still waiting) only needs its sync_base: the laptop's row is
    that payload already. Only the others go through the Applier (which reads the local
    rows, bases and pending entries back: most of keeping a batch's results)."""
    by_id = {r.change_id: r for r in results}
    acknowledged = [(e, by_id[e.change_id]) for e in entries if e.change_id in by_id]
    with db.write() as session:
        conn = session.connection()
        conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        mark_pushed_many(conn, [(e.change_id, r.seq) for e, r in acknowledged])
        latest: dict[Key, tuple[Entry, ChangeResult]] = {}
        for entry, result in acknowledged:
            if result.row_id != entry.row_id:
                rekey(conn, entry.table, entry.row_id, result.row_id)
            latest[(result.table, result.row_id)] = (entry, result)
        settled = _settled(conn, latest)
        set_bases(conn, [(t, i, latest[(t, i)][1].rev, latest[(t, i)][1].row) for t, i in settled])
        rest = [(t, i, r.rev, r.row) for (t, i), (_, r) in latest.items()
                if r.row and (t, i) not in settled]  # fmt: skip
        Applier(conn).run(rest)
        session.commit()


def _settled(conn: Connection, latest: dict[Key, tuple[Entry, ChangeResult]]) -> set[Key]:
    """The rows whose server version is the laptop's own (see keep_results)."""
    same_rows = {
        key for key, (entry, result) in latest.items()
        if result.row and entry.row_id == result.row_id and entry.table == result.table
        and entry.table in MODELS and _same_content(entry.table, entry.payload, result.row)
    }  # fmt: skip
    waiting = pending_keys(conn, same_rows)
    present = present_keys(conn, same_rows)
    return {key for key in same_rows if key not in waiting and key in present}


def _same_content(table: str, payload: dict[str, Any], row: dict[str, Any]) -> bool:
    t = table_of(table)
    return all(
        k in payload and same(t, k, v, payload[k])
        for k, v in row.items()
        if k not in SYNC_FIELDS and k in t.c
    )


def push_outbox(
    db: Database, client: SyncClient, up_to: int, office: str | None,
    on_batch: Callable[[int], None],
) -> int:  # fmt: skip
    """Push entries with seq <= up_to in batches; the entries acknowledged."""
    pushed = 0
    while True:
        with db.read() as session:
            conn = session.connection()
            page = next(iter(sendable(conn, up_to, office)), None)
            changes = build_changes(conn, page) if page else []
        if page is None:
            return pushed
        answer = client.post("/v1/push", PushRequest(changes=changes), PushResponse)
        if {r.change_id for r in answer.results} != {c.change_id for c in changes}:
            raise SyncError(f"{client.server}: answered {len(answer.results)} results "
                            f"that do not match the {len(changes)} changes sent")  # fmt: skip
        keep_results(db, page, answer.results)
        pushed += len(page)
        on_batch(pushed)
