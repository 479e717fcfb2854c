"""Encrypting a plaintext database in place, and changing a passphrase.

`encrypt_database` never leaves a mix of plaintext and encrypted files that could be
opened: everything encrypted is first written under temporary names and fsynced (the
SQLCipher copy, each attachment's encrypted copy, the new key file); then the phase
"switch" is recorded (temp + fsync + rename) and the renames follow. A crash before
that record leaves the plaintext set (open_database removes the temporary files); a
crash after it is finished by the next open (store.database.finish_conversion).
Afterwards no plaintext copy remains: database, -wal, -shm, files and plaintext backups.
"""

from __future__ import annotations

import contextlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher  # type: ignore[import-untyped]

from inspector_app.domain.errors import KnownError
from inspector_app.store import crypto
from inspector_app.store.database import (
    APPLICATION_ID,
    conversion_files,
    finish_conversion,
    fsync_dir,
    open_database,
)
from inspector_app.store.files import write_blob_file
from inspector_app.store.keyfile import KeyFile, keyfile_path, write_atomically

DEFAULT_ROLES = frozenset({"inspector", "admin"})


MIN_PASSPHRASE = 12  # characters; the same for encrypt, change-passphrase and new accounts


class WeakPassphrase(KnownError):
    def __init__(self, length: int):
        super().__init__(f"a passphrase has at least {MIN_PASSPHRASE} characters (this one "
                         f"has {length}); nothing was changed")  # fmt: skip


def check_new_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise WeakPassphrase(len(passphrase))


class AlreadyEncrypted(KnownError):
    def __init__(self, path: Path):
        super().__init__(f"{path}: already encrypted (its key file is beside it); "
                         "to change a passphrase use 'inspector-app change-passphrase'")  # fmt: skip


def _checkpoint(step: str) -> None:
    """A named moment of the conversion (tests kill the process at each)."""


def encrypt_database(
    path: Path | str,
    *,
    name: str,
    passphrase: str,
    roles: frozenset[str] = DEFAULT_ROLES,
) -> bytes:
    """Convert the plaintext database at `path` and its files; returns the data key."""
    path = Path(path)
    finish_conversion(path)
    if keyfile_path(path).exists():
        raise AlreadyEncrypted(path)
    check_new_passphrase(passphrase)
    user_version = _quiesce(path)
    state, enc, keys_new = conversion_files(path)
    write_atomically(state, json.dumps({"phase": "prepare"}).encode())
    _checkpoint("prepared")
    try:
        _, data_key = KeyFile.create(keys_new, name, passphrase, roles)
        _checkpoint("keys-written")
        _export(path, enc, data_key, user_version)
        _checkpoint("database-written")
        _encrypt_files(path, crypto.file_key(data_key))
        _checkpoint("files-written")
    except BaseException:
        finish_conversion(path)  # still "prepare": undo
        raise
    write_atomically(state, json.dumps({"phase": "switch"}).encode())
    _checkpoint("committed")
    finish_conversion(path)
    _checkpoint("switched")
    return data_key


def _quiesce(path: Path) -> int:
    """Check the file is a whole Inspector database at head, and fold its -wal in."""
    db = open_database(path, daily_backup=False)
    try:
        raw = db.engine.raw_connection()
        try:
            driver = raw.driver_connection
            assert driver is not None
            driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            version = int(driver.execute("PRAGMA user_version").fetchone()[0])
        finally:
            raw.close()
    finally:
        db.close()
    return version


def _export(path: Path, enc: Path, data_key: bytes, user_version: int) -> None:
    """The SQLCipher copy: sqlcipher_export from the plaintext file into a keyed one."""
    enc.unlink(missing_ok=True)
    con = sqlcipher.connect(str(path))
    try:
        con.execute("PRAGMA temp_store=MEMORY")
        raw_key = crypto.sqlcipher_key(data_key).hex()
        con.execute(f"ATTACH DATABASE ? AS enc KEY \"x'{raw_key}'\"", (str(enc),))
        con.execute("SELECT sqlcipher_export('enc')")
        con.execute(f"PRAGMA enc.application_id = {APPLICATION_ID}")
        con.execute(f"PRAGMA enc.user_version = {user_version}")
        con.execute("DETACH DATABASE enc")
    finally:
        con.close()
    fd = os.open(enc, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _encrypt_files(path: Path, key: bytes) -> None:
    """Each stored file's encrypted copy `.<sha256>.enc` beside it (renamed at switch)."""
    root = path.parent / f"{path.stem}-files"
    if not root.is_dir():
        return
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        for blob in sorted(folder.iterdir()):
            if blob.name.startswith(".") or not blob.is_file():
                continue
            data = blob.read_bytes()
            if crypto.is_encrypted(data):
                continue
            write_blob_file(blob.with_name(f".{blob.name}.enc"),
                            crypto.encrypt_bytes(key, data), root)  # fmt: skip
        fsync_dir(folder)


def change_passphrase(
    path: Path | str, name: str, old: str, new: str, *, now: datetime | None = None
) -> None:
    """Rewrap `name`'s key slot under the new passphrase (the data is not re-encrypted)."""
    check_new_passphrase(new)
    keys = KeyFile.load(keyfile_path(Path(path)))
    data_key = keys.unlock(name, old, now or datetime.now(UTC))
    keys.set_passphrase(name, new, data_key)


def unlock(path: Path | str, name: str, passphrase: str, now: datetime | None = None) -> bytes:
    """Sign in: the data key of the encrypted database at `path`."""
    finish_conversion(Path(path))  # an interrupted encryption decides which file set counts
    keys = KeyFile.load(keyfile_path(Path(path)))
    return keys.unlock(name, passphrase, now or datetime.now(UTC))


def is_encrypted(path: Path | str) -> bool:
    """Has the database a key file (an interrupted encryption is finished or undone first)?"""
    with contextlib.suppress(OSError):
        finish_conversion(Path(path))
        return keyfile_path(Path(path)).is_file()
    return False
