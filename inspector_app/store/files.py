"""Content-addressed file storage for attachments and report PDFs.

Files are named by their SHA-256, so the same photo attached twice is stored once,
a file can be verified against its name, and sync can upload by hash. A file is
written to a temporary name, fsynced, then renamed: it is either whole or absent; an
interrupted write removes its temporary file (one left by a crash is swept at open).
"""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

from .errors import DiskFull


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def blob_path(root: Path, sha256: str) -> Path:
    return root / sha256[:2] / sha256


def put_blob(root: Path, data: bytes) -> str:
    digest = sha256_of(data)
    target = blob_path(root, digest)
    if target.exists():
        return digest
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{digest}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            raise DiskFull(root, "an attached file (nothing was kept of it)") from exc
        raise
    return digest


def read_blob(root: Path, sha256: str) -> bytes | None:
    """The stored bytes, or None when the file is missing or no longer matches its hash."""
    path = blob_path(root, sha256)
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data if sha256_of(data) == sha256 else None
