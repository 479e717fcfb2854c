"""File bytes: resumable uploads into blob_chunks, checked by SHA-256 when complete,
and streamed downloads. Blobs live in the database so every server process sees them."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.engine import Connection

from inspector_app.domain.sync import BLOB_TABLES, MissingBlobs, UploadState

from .auth import Caller, now
from .problems import ProblemError, conflict, invalid, not_found
from .storage import blob_chunks, blobs, read_tx, rows, write_tx

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def check_hash(sha256: str) -> str:
    if not _SHA256.match(sha256):
        raise invalid(f"sha256: {sha256[:80]!r} is no SHA-256 (64 lowercase hex digits)", "sha256")
    return sha256


def missing(engine: Engine, hashes: list[str]) -> MissingBlobs:
    wanted = sorted({check_hash(h) for h in hashes})
    have: set[str] = set()
    with read_tx(engine) as conn:
        for start in range(0, len(wanted), 400):
            part = wanted[start : start + 400]
            query = select(blobs.c.sha256).where(blobs.c.sha256.in_(part), blobs.c.complete)
            have.update(r.sha256 for r in conn.execute(query))
    return MissingBlobs(missing=[h for h in wanted if h not in have])


def _held(conn: Connection, sha256: str) -> int:
    query = select(func.coalesce(func.sum(func.length(blob_chunks.c.data)), 0)).where(
        blob_chunks.c.sha256 == sha256
    )
    return int(conn.execute(query).scalar_one())


def upload_state(engine: Engine, sha256: str) -> UploadState:
    check_hash(sha256)
    with read_tx(engine) as conn:
        blob = conn.execute(select(blobs).where(blobs.c.sha256 == sha256)).first()
        if blob is not None and blob.complete:
            return UploadState(sha256=sha256, offset=int(blob.size), complete=True)
        return UploadState(sha256=sha256, offset=_held(conn, sha256), complete=False)


def _verify(conn: Connection, sha256: str) -> bool:
    digest = hashlib.sha256()
    query = (
        select(blob_chunks.c.data)
        .where(blob_chunks.c.sha256 == sha256)
        .order_by(blob_chunks.c.offset)
    )
    for chunk in conn.execute(query):
        digest.update(chunk.data)
    return digest.hexdigest() == sha256


def _drop(conn: Connection, sha256: str) -> None:
    conn.execute(delete(blob_chunks).where(blob_chunks.c.sha256 == sha256))
    conn.execute(delete(blobs).where(blobs.c.sha256 == sha256))


def _start(conn: Connection, sha256: str, size: int) -> tuple[bool, int]:
    """(complete, bytes held) of the blob, created when new."""
    blob = conn.execute(select(blobs).where(blobs.c.sha256 == sha256)).first()
    if blob is None:
        conn.execute(
            blobs.insert().values(sha256=sha256, size=size, complete=False, created_at=now())
        )
        return False, 0
    if blob.complete:
        return True, int(blob.size)
    if int(blob.size) != size:
        raise conflict(f"upload of {sha256} was started with size {blob.size}, not {size}", "size")
    return False, _held(conn, sha256)


def put_chunk(engine: Engine, sha256: str, offset: int, size: int, data: bytes) -> UploadState:
    check_hash(sha256)
    if size < 0 or offset < 0:
        raise invalid("offset and size must not be negative", "offset")
    if offset + len(data) > size:
        raise invalid(
            f"{len(data)} bytes at offset {offset} overrun the blob's size {size}", "size"
        )
    mismatch = False
    with write_tx(engine) as conn:
        complete, held = _start(conn, sha256, size)
        if complete:
            return UploadState(sha256=sha256, offset=held, complete=True)
        if offset != held:
            raise conflict(
                f"wrong offset {offset}: the server holds {held} bytes of {sha256}; "
                f"continue at offset {held}",
                "offset",
            )
        if data:
            conn.execute(blob_chunks.insert().values(sha256=sha256, offset=offset, data=data))
        whole = offset == 0 and len(data) == size  # the bytes in hand: no need to read back
        held += len(data)
        if held == size:
            if (hashlib.sha256(data).hexdigest() == sha256) if whole else _verify(conn, sha256):
                conn.execute(update(blobs).where(blobs.c.sha256 == sha256).values(complete=True))
            else:
                _drop(conn, sha256)  # committed: nothing of the wrong bytes stays
                mismatch = True
    if mismatch:
        raise ProblemError(
            422, f"the uploaded bytes do not have SHA-256 {sha256}; upload them again", "sha256"
        )
    return UploadState(sha256=sha256, offset=held, complete=held == size)


def _visible(conn: Connection, caller: Caller, sha256: str) -> bool:
    if caller.national:
        return True
    query = (
        select(rows.c.row_id)
        .where(
            rows.c.table_name.in_(sorted(BLOB_TABLES)),
            rows.c.office == caller.field_office,
            rows.c.fields["sha256"].as_string() == sha256,
        )
        .limit(1)
    )
    return conn.execute(query).first() is not None


def open_download(engine: Engine, caller: Caller, sha256: str) -> tuple[int, list[int]]:
    """(size, chunk offsets) of a complete blob the caller may read; else 404."""
    check_hash(sha256)
    with read_tx(engine) as conn:
        blob = conn.execute(select(blobs).where(blobs.c.sha256 == sha256)).first()
        if blob is None or not blob.complete or not _visible(conn, caller, sha256):
            raise not_found(f"no file {sha256} on the server for you")
        offsets = conn.execute(
            select(blob_chunks.c.offset)
            .where(blob_chunks.c.sha256 == sha256)
            .order_by(blob_chunks.c.offset)
        ).scalars()
        return int(blob.size), [int(o) for o in offsets]


def stream(engine: Engine, sha256: str, offsets: list[int]) -> Iterator[bytes]:
    for offset in offsets:
        with read_tx(engine) as conn:
            data = conn.execute(
                select(blob_chunks.c.data).where(
                    blob_chunks.c.sha256 == sha256, blob_chunks.c.offset == offset
                )
            ).scalar_one()
        yield bytes(data)
