"""Content-addressed file storage for attachments and report PDFs.

Files are named by their SHA-256, so the same photo attached twice is stored once,
a file can be verified against its name, and sync can upload by hash. A file is
written to a temporary name, fsynced, then renamed: it is either whole or absent; an
interrupted write removes its temporary file (one left by a crash is swept at open).

The folder is a `FileStore`: a Path that also carries the key of an encrypted
database's files (None: plaintext). With a key, a file is stored as b"INSPENC1" +
nonce + AES-256-GCM ciphertext (store.crypto), still named by the SHA-256 of the
*plaintext*; reading decrypts, then checks the SHA-256. Nothing else reads or writes
the bytes under the folder: always `put_blob` / `read_blob` with `db.attachments_dir`.
"""

from __future__ import annotations

import errno
import hashlib
import os
import sys
from pathlib import Path

from . import crypto
from .errors import DiskFull

if sys.platform == "win32":
    from pathlib import WindowsPath as _SystemPath
else:
    from pathlib import PosixPath as _SystemPath


class FileStore(_SystemPath):
    """A database's files folder and the key its files are encrypted with (or None)."""

    key: bytes | None = None  # paths derived from a store (store / "ab") carry no key

    @classmethod
    def at(cls, folder: Path, key: bytes | None) -> FileStore:
        store = cls(folder)
        store.key = key
        return store


def key_of(root: Path) -> bytes | None:
    return root.key if isinstance(root, FileStore) else None


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def blob_path(root: Path, sha256: str) -> Path:
    return root / sha256[:2] / sha256


def put_blob(root: Path, data: bytes) -> str:
    """Store `data` (encrypted when `root` carries a key); returns its SHA-256."""
    digest = sha256_of(data)
    target = blob_path(root, digest)
    if target.exists():
        return digest
    key = key_of(root)
    write_blob_file(target, data if key is None else crypto.encrypt_bytes(key, data), root)
    return digest


def write_blob_file(target: Path, payload: bytes, root: Path) -> None:
    """Write stored bytes as they are (temporary name, fsync, rename)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            raise DiskFull(root, "an attached file (nothing was kept of it)") from exc
        raise


def read_blob(root: Path, sha256: str) -> bytes | None:
    """The stored bytes (decrypted), or None when the file is missing, does not decrypt
    or no longer matches its hash."""
    path = blob_path(root, sha256)
    try:
        data = path.read_bytes()
    except OSError:
        return None
    key = key_of(root)
    if key is not None:
        try:
            data = crypto.decrypt_bytes(key, data)
        except crypto.DecryptionFailed:
            return None
    return data if sha256_of(data) == sha256 else None
