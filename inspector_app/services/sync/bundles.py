"""Air-gapped transfer on the laptop: export the outbox to a signed bundle, import one.

Export writes every change waiting to be synced, with the files they need, into one
file (services/sync/bundle_file.py). Nothing leaves the outbox: entries stay waiting
until a server acknowledges them, so a bundle can be exported again, and a later sync
of this laptop sends them once more (the server knows their change ids: "duplicate").

Import applies another laptop's bundle here with the merge rule of a push
(domain.sync.merge_change, comparing values with each change's base since a laptop
does not know who last wrote a column). What it applies becomes this laptop's own
change (in its outbox, so it travels on with the next sync or bundle); each conflict
is a sync_conflict row, listed and resolved like one from the server. Importing the
same bundle twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from inspector_app.domain.errors import KnownError
from inspector_app.domain.sync import BLOB_TABLES, Change, FieldConflict, PushResponse, merge_change
from inspector_app.store.database import Database
from inspector_app.store.files import blob_path, put_blob, read_blob
from inspector_app.store.models import SyncConflict

from ..uow import UnitOfWork, unit_of_work
from .bundle_file import (
    Bundle,
    fingerprint,
    new_signing_key,
    public_key_of,
    read_bundle,
    write_bundle,
)
from .client import SyncClient, laptop_schema
from .outbox import build_changes, sendable
from .rows import MODELS, as_json, base_of, column_value, last_seq, pending_of, table_of
from .types import META_OFFICE, META_SERVER, META_TOKEN, META_USER, SyncError

META_SIGNING_KEY = "sync.signing_key"  # this laptop's Ed25519 key (hex), made on first use


class BundleRefused(KnownError):
    """A bundle this laptop will not apply (its own, another schema)."""


@dataclass(frozen=True)
class ExportReport:
    path: Path
    changes: int
    files: int
    size: int


@dataclass(frozen=True)
class ImportReport:
    path: Path
    signed_by: str  # user and key fingerprint
    applied: int  # changes that set at least one column
    unchanged: int  # changes already here (a bundle imported again: all of them)
    conflicts: int  # new sync_conflict rows
    files: int  # files copied in


def signing_key(db: Database) -> str:
    """This laptop's bundle signing key (made and kept on first use)."""
    key = db.get_meta(META_SIGNING_KEY)
    if not key:
        key = new_signing_key()
        db.set_meta(META_SIGNING_KEY, key)
    return key


def public_key(db: Database) -> str:
    return public_key_of(signing_key(db))


# --- export ------------------------------------------------------------------------


def export_bundle(db: Database, out: Path) -> ExportReport:
    key = signing_key(db)
    with db.read() as session:
        conn = session.connection()
        # An enrolled laptop exports what its user may write (as a sync pushes it)
        office = (db.get_meta(META_OFFICE) or "").upper() or None
        entries = [e for page in sendable(conn, last_seq(conn), office) for e in page]
        changes = build_changes(conn, entries)
    hashes = sorted({str(e.payload["sha256"]) for e in entries
                     if e.table in BLOB_TABLES and e.payload.get("sha256")
                     and not e.payload.get("deleted")})  # fmt: skip
    if not changes:
        raise KnownError("nothing is waiting to be synced: there is nothing to export")
    size = write_bundle(
        out, signing_key=key, device_id=db.device_id,
        user=db.get_meta(META_USER) or db.user, schema_version=laptop_schema(),
        changes=changes, blobs=hashes, read_blob=lambda sha: _file_bytes(db, sha),
    )  # fmt: skip
    return ExportReport(out, len(changes), len(hashes), size)


def _file_bytes(db: Database, sha256: str) -> bytes:
    """An attached file's bytes, decrypted and checked against its name."""
    found = read_blob(db.attachments_dir, sha256)
    if found is None:
        raise KnownError(f"the attached file {sha256[:12]} is missing or damaged on this "
                         "laptop; restore it (or remove the attachment) and export again")  # fmt: skip
    return found


# --- import ------------------------------------------------------------------------


def import_bundle(db: Database, path: Path) -> ImportReport:
    bundle = read_bundle(path)
    if bundle.device_id == db.device_id:
        raise BundleRefused(f"{path}: this bundle was exported by this laptop; import it on "
                            "another laptop or on the server")  # fmt: skip
    if bundle.schema_version != laptop_schema():
        raise BundleRefused(
            f"{path}: written by an Inspector with database schema {bundle.schema_version}, "
            f"this one has {laptop_schema()}; update the older of the two")  # fmt: skip
    unknown = sorted({c.table for c in bundle.changes} - set(MODELS))
    if unknown:
        raise BundleRefused(f"{path}: changes to unknown table {unknown[0]!r}")
    files = _copy_files(db, bundle)
    counts = {"applied": 0, "unchanged": 0, "conflicts": 0}
    with unit_of_work(db, "import_bundle") as uow:
        for change in bundle.changes:
            _import_change(uow, bundle, change, counts)
        uow.audit("bundle", bundle.device_id, file=str(path), changes=len(bundle.changes),
                  **counts)  # fmt: skip
    return ImportReport(
        path, f"{bundle.user} (key {fingerprint(bundle.public_key)})", counts["applied"],
        counts["unchanged"], counts["conflicts"], files,
    )  # fmt: skip


def _copy_files(db: Database, bundle: Bundle) -> int:
    copied = 0
    for blob in bundle.blobs:
        if blob_path(db.attachments_dir, blob.sha256).is_file():
            continue
        with bundle.open_blob(blob.sha256) as f:
            put_blob(db.attachments_dir, f.read())  # verified by read_bundle
        copied += 1
    return copied


def _local_row(conn: Connection, table: str, row_id: str) -> dict[str, Any] | None:
    t = table_of(table)
    found = conn.execute(select(t).where(t.c.id == row_id)).mappings().first()
    return None if found is None else as_json(dict(found))


def _review_is_final(conn: Connection, table: str, row: dict[str, Any] | None) -> bool:
    if row is None:
        return False
    if table == "review":
        return row.get("status") == "final"
    review_id = row.get("review_id")
    if table == "interview_answer":
        interview = _local_row(conn, "interview", str(row.get("interview_id")))
        review_id = interview.get("review_id") if interview else None
    if not review_id:
        return False
    review = _local_row(conn, "review", str(review_id))
    return bool(review and review.get("status") == "final")


def _import_change(uow: UnitOfWork, bundle: Bundle, change: Change, counts: dict[str, int]) -> None:
    conn = uow.session.connection()
    current = _local_row(conn, change.table, change.row_id)
    base = base_of(conn, change.table, change.row_id)
    untouched = base is not None and not pending_of(conn, change.table, change.row_id)
    outcome = merge_change(
        current, base[0] if (base and untouched) else -1, {}, change, bundle.device_id,
        review_is_final=_review_is_final(conn, change.table, current),
    )  # fmt: skip
    fresh = [c for c in outcome.conflicts if not _known_conflict(uow, change, c)]
    for conflict in fresh:
        uow.save(_conflict_row(bundle, change, current, conflict))
    counts["conflicts"] += len(fresh)
    table = table_of(change.table)
    values = {k: column_value(table, k, v) for k, v in outcome.set_fields.items() if k in table.c}
    if current is not None:
        values = {k: v for k, v in values.items() if current.get(k) != change.fields.get(k)}
    if not values:
        counts["unchanged"] += 0 if fresh else 1
        return
    uow.save_keyed(MODELS[change.table], {"id": change.row_id}, values)
    counts["applied"] += 1


def _known_conflict(uow: UnitOfWork, change: Change, conflict: FieldConflict) -> bool:
    """The same conflict from the same device is already listed (a bundle imported again)."""
    c = SyncConflict.__table__.c  # type: ignore[attr-defined]
    found = uow.session.connection().execute(
        select(c.client_value).where(
            c.table_name == change.table, c.row_id == change.row_id, c.field == conflict.field,
            c.resolved.is_(False), c.deleted.is_(False),
        )
    ).scalars()  # fmt: skip
    incoming = as_json({"v": conflict.incoming})["v"]
    return any(v == incoming for v in found)


def _conflict_row(
    bundle: Bundle, change: Change, current: dict[str, Any] | None, conflict: FieldConflict
) -> SyncConflict:
    review_id = None
    if current is not None:
        review_id = current.get("id") if change.table == "review" else current.get("review_id")
    return SyncConflict(
        table_name=change.table, row_id=change.row_id, field=conflict.field,
        server_value=as_json({"v": conflict.current})["v"],
        client_value=as_json({"v": conflict.incoming})["v"], reason=conflict.reason,
        review_id=review_id if isinstance(review_id, str) else None,
        client_device=bundle.device_id, client_user=bundle.user or change.made_by,
    )  # fmt: skip


# --- upload to the server ------------------------------------------------------------


@dataclass(frozen=True)
class UploadReport:
    server: str
    changes: int
    applied: int
    duplicates: int
    conflicts: int


def upload_bundle(db: Database, path: Path) -> UploadReport:
    """Send a bundle (this laptop's or one it carries) to the server this laptop is
    enrolled with: POST /v1/bundles, the same merge as a push."""
    bundle = read_bundle(path)  # refuse an edited file here, before sending it
    server = db.get_meta(META_SERVER)
    if not server:
        raise SyncError("this laptop is not enrolled with a server: sync once with --server "
                        "and --token, or import the bundle on a laptop instead")  # fmt: skip
    client = SyncClient(server, db.get_meta(META_TOKEN))
    try:
        response = client.request("POST", "/v1/bundles", content=path.read_bytes(),
                                  headers={"Content-Type": "application/octet-stream"})  # fmt: skip
    finally:
        client.close()
    results = PushResponse.model_validate_json(response.content).results
    return UploadReport(
        server, len(bundle.changes),
        sum(r.status in ("applied", "merged") for r in results),
        sum(r.status == "duplicate" for r in results),
        sum(r.status == "conflict" for r in results),
    )  # fmt: skip
