"""sign_in and check_passphrase: user and roles set, pending failures audited before the
success, 5 failures lock the account for 10 minutes (injected clock)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from inspector_app.services import accounts
from inspector_app.services.accounts import check_passphrase, sign_in
from inspector_app.store.database import open_database
from inspector_app.store.keyfile import (
    AccountDisabled,
    AccountLocked,
    KeyFile,
    UnknownAccount,
    WrongPassphrase,
    keyfile_path,
)

from .conftest import LEAD, PASS, ROLES, SUPERVISOR, T0, Encrypted, audit_rows

SIGN_IN_EVENTS = ("sign-in", "sign-in-failed", "lockout")


def test_sign_in_sets_user_and_roles_and_audits_success(enc: Encrypted) -> None:
    db = sign_in(enc.path, SUPERVISOR, PASS, now=T0, daily_backup=False)
    try:
        assert db.user == SUPERVISOR
        assert db.roles == ROLES[SUPERVISOR]
        assert db.encrypted
        assert audit_rows(db)[-1][:4] == ("sign-in", SUPERVISOR, "success", SUPERVISOR)
    finally:
        db.close()


def test_failures_lock_then_release_and_are_audited_at_next_sign_in(enc: Encrypted) -> None:
    for i in range(4):
        with pytest.raises(WrongPassphrase, match=f"{4 - i} more tries"):
            sign_in(enc.path, LEAD, "wrong", now=T0 + timedelta(seconds=i))
    with pytest.raises(AccountLocked, match="locked after 5 failed sign-ins"):
        sign_in(enc.path, LEAD, "wrong", now=T0 + timedelta(seconds=4))
    # Locked: even the right passphrase is refused for 10 minutes.
    with pytest.raises(AccountLocked):
        sign_in(enc.path, LEAD, PASS, now=T0 + timedelta(minutes=9, seconds=59))
    assert len(KeyFile.load(keyfile_path(enc.path)).pending_events()) == 6
    db = sign_in(enc.path, LEAD, PASS, now=T0 + timedelta(minutes=10, seconds=5),
                 daily_backup=False)  # fmt: skip
    try:
        rows = [r for r in audit_rows(db) if r[1] == LEAD and r[0] in SIGN_IN_EVENTS]
        assert [r[0] for r in rows] == ["sign-in-failed"] * 5 + ["lockout", "sign-in"]
        assert {r[2] for r in rows[:6]} == {"failure"} and rows[6][2] == "success"
    finally:
        db.close()
    assert KeyFile.load(keyfile_path(enc.path)).pending_events() == []


def test_failed_sign_in_writes_nothing_to_the_database(enc: Encrypted) -> None:
    before = enc.path.read_bytes()
    with pytest.raises(WrongPassphrase):
        sign_in(enc.path, LEAD, "wrong", now=T0)
    with pytest.raises(UnknownAccount, match="no account named 'Nobody'"):
        sign_in(enc.path, "Nobody", PASS, now=T0)
    assert enc.path.read_bytes() == before


def test_disabled_account(enc: Encrypted) -> None:
    KeyFile.load(keyfile_path(enc.path)).disable(LEAD)
    with pytest.raises(AccountDisabled):
        sign_in(enc.path, LEAD, PASS, now=T0)


def test_check_passphrase(enc: Encrypted) -> None:
    db = sign_in(enc.path, LEAD, PASS, now=T0, daily_backup=False)
    try:
        check_passphrase(db, PASS, now=T0)
        with pytest.raises(WrongPassphrase, match="4 more tries"):
            check_passphrase(db, "wrong", now=T0)
        assert audit_rows(db)[-1][:3] == ("sign-in-failed", LEAD, "failure")
        for _ in range(3):
            with pytest.raises(WrongPassphrase):
                check_passphrase(db, "wrong", now=T0)
        with pytest.raises(AccountLocked):
            check_passphrase(db, "wrong", now=T0)
        assert audit_rows(db)[-1][:3] == ("lockout", LEAD, "failure")
        with pytest.raises(AccountLocked):
            check_passphrase(db, PASS, now=T0 + timedelta(minutes=5))
        check_passphrase(db, PASS, now=T0 + timedelta(minutes=11))
    finally:
        db.close()
    assert KeyFile.load(keyfile_path(enc.path)).pending_events() == []


def test_check_passphrase_plaintext_is_a_no_op(demo_db_path) -> None:
    db = open_database(demo_db_path, user="anyone", daily_backup=False)
    try:
        assert db.roles is None
        check_passphrase(db, "anything")
        assert accounts.list_accounts(db) == []
    finally:
        db.close()
