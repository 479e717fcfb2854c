"""The key file: slots, sign-in, lockout with an injected clock, atomic saves."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from inspector_app.domain.errors import KnownError
from inspector_app.store import crypto
from inspector_app.store.keyfile import (
    AccountDisabled,
    AccountLocked,
    KeyFile,
    KeyFileProblem,
    UnknownAccount,
    WrongDataKey,
    WrongPassphrase,
    keyfile_path,
)

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
ROLES = frozenset({"inspector", "admin"})


@pytest.fixture
def kf(tmp_path: Path) -> tuple[KeyFile, bytes]:
    return KeyFile.create(keyfile_path(tmp_path / "a.db"), "Zoë", "correct horse", ROLES)


def test_path_and_roundtrip(tmp_path: Path, kf: tuple[KeyFile, bytes]) -> None:
    keys, dk = kf
    assert keys.path == tmp_path / "a.db.keys"
    again = KeyFile.load(keys.path)
    assert again.unlock("Zoë", "correct horse", T0) == dk
    assert again.account("Zoë").roles == ROLES
    assert [a.name for a in again.accounts()] == ["Zoë"]
    assert dk.hex() not in keys.path.read_text()
    with pytest.raises(KeyFileProblem):
        KeyFile.create(keys.path, "x", "y", ROLES)


def test_lockout_and_release(kf: tuple[KeyFile, bytes]) -> None:
    keys, dk = kf
    for i in range(4):
        with pytest.raises(WrongPassphrase) as exc:
            keys.unlock("Zoë", "nope", T0 + timedelta(seconds=i))
        assert "\n" not in str(exc.value)
    with pytest.raises(AccountLocked) as locked:
        keys.unlock("Zoë", "nope", T0 + timedelta(seconds=5))
    assert locked.value.until == T0 + timedelta(seconds=5, minutes=10)
    reloaded = KeyFile.load(keys.path)  # the failures were saved
    assert reloaded.account("Zoë").failed == 5
    # Locked: even the right passphrase is not tried.
    with pytest.raises(AccountLocked, match="until 2025-03-01 09:10:05"):
        reloaded.unlock("Zoë", "correct horse", T0 + timedelta(minutes=9))
    assert reloaded.unlock("Zoë", "correct horse", T0 + timedelta(minutes=11)) == dk
    assert KeyFile.load(keys.path).account("Zoë").failed == 0
    events = reloaded.pending_events()
    assert [e["event"] for e in events] == ["sign-in-failed"] * 5 + ["lockout"]
    assert all(e["user"] == "Zoë" and e["outcome"] == "failure" for e in events)
    assert events[0]["at"] == T0
    reloaded.clear_events()
    assert KeyFile.load(keys.path).pending_events() == []


def test_success_resets_count(kf: tuple[KeyFile, bytes]) -> None:
    keys, _ = kf
    for _i in range(3):
        with pytest.raises(WrongPassphrase):
            keys.unlock("Zoë", "nope", T0)
    keys.unlock("Zoë", "correct horse", T0)
    for _i in range(4):
        with pytest.raises(WrongPassphrase):
            keys.unlock("Zoë", "nope", T0)


def test_accounts(kf: tuple[KeyFile, bytes]) -> None:
    keys, dk = kf
    keys.add_account("Ann", "pw-ann", frozenset({"supervisor"}), dk)
    with pytest.raises(WrongDataKey):
        keys.add_account("Bob", "pw", frozenset({"inspector"}), crypto.new_data_key())
    assert KeyFile.load(keys.path).unlock("Ann", "pw-ann", T0) == dk
    keys.set_passphrase("Ann", "new", dk)
    with pytest.raises(WrongPassphrase):
        keys.unlock("Ann", "pw-ann", T0)
    assert keys.unlock("Ann", "new", T0) == dk
    keys.set_roles("Ann", frozenset({"supervisor", "program-manager"}))
    assert KeyFile.load(keys.path).account("Ann").roles == {"supervisor", "program-manager"}
    with pytest.raises(KnownError):
        keys.set_roles("Ann", frozenset({"emperor"}))
    keys.disable("Ann")
    with pytest.raises(AccountDisabled):
        KeyFile.load(keys.path).unlock("Ann", "new", T0)
    with pytest.raises(UnknownAccount):
        keys.unlock("Nobody", "x", T0)


def test_damaged_or_foreign(tmp_path: Path) -> None:
    p = tmp_path / "x.keys"
    with pytest.raises(KeyFileProblem, match="no key file"):
        KeyFile.load(p)
    p.write_text("{not json")
    with pytest.raises(KeyFileProblem, match="damaged"):
        KeyFile.load(p)
    p.write_text(json.dumps({"format": "other"}))
    with pytest.raises(KeyFileProblem, match="not an Inspector key file"):
        KeyFile.load(p)


def test_file_format() -> None:
    key = crypto.new_data_key()
    blob = crypto.encrypt_bytes(key, b"photo")
    assert blob.startswith(b"INSPENC1") and len(blob) == 8 + 12 + 5 + 16
    assert crypto.decrypt_bytes(key, blob) == b"photo"
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt_bytes(crypto.new_data_key(), blob)
    assert crypto.sqlcipher_key(key) != crypto.file_key(key)
