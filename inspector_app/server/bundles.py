"""POST /v1/bundles: an air-gapped laptop's changes, carried in a signed file.

The bundle is verified (signature, every blob's hash: services/sync/bundle_file.py),
its signing key must be the one its device registered at enrollment, its blobs are
stored, and its changes go through the same push as a network sync: merged as the
device that made them (so the "same device" rule of the merge holds) and authorized
as the person importing it. A bundle imported twice changes nothing (change ids).
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

from sqlalchemy import Engine, select

from inspector_app.domain.sync import BLOB_CHUNK, PushResponse
from inspector_app.services.sync.bundle_file import Bundle, BundleProblem, read_bundle

from . import blobs as blob_store
from .auth import Caller
from .problems import forbidden, invalid
from .push import push
from .schema import check_schema
from .storage import devices

MAX_BUNDLE_BYTES = 1024 * 1024 * 1024  # photos from a week on site


def import_bundle(engine: Engine, caller: Caller, data: bytes) -> PushResponse:
    with tempfile.TemporaryDirectory(prefix="inspector-bundle-") as tmp:
        path = Path(tmp) / "upload.bundle"
        path.write_bytes(data)
        try:
            bundle = read_bundle(path)
        except BundleProblem as exc:
            raise invalid(f"bundle: {exc.problem}", "bundle") from None
        check_schema(bundle.schema_version)
        _check_signer(engine, bundle)
        _store_blobs(engine, bundle)
        as_device = dataclasses.replace(caller, device_id=bundle.device_id)
        return push(engine, as_device, bundle.changes)


def _check_signer(engine: Engine, bundle: Bundle) -> None:
    with engine.connect() as conn:
        key = conn.execute(
            select(devices.c.public_key).where(devices.c.id == bundle.device_id)
        ).scalar_one_or_none()
    if not key or key != bundle.public_key:
        raise forbidden(
            f"bundle: signed by device {bundle.device_id[:8]}, whose key this server did "
            "not enroll; the laptop must enroll (sync once) before its bundles are accepted"
        )


def _store_blobs(engine: Engine, bundle: Bundle) -> None:
    missing = set(blob_store.missing(engine, [b.sha256 for b in bundle.blobs]).missing)
    for blob in bundle.blobs:
        if blob.sha256 not in missing:
            continue
        offset = blob_store.upload_state(engine, blob.sha256).offset
        with bundle.open_blob(blob.sha256) as f:
            f.seek(offset)
            while chunk := f.read(BLOB_CHUNK):
                blob_store.put_chunk(engine, blob.sha256, offset, blob.size, chunk)
                offset += len(chunk)
        if blob.size == 0:
            blob_store.put_chunk(engine, blob.sha256, 0, 0, b"")
