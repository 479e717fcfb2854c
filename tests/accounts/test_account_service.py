"""Managing accounts as an admin: validated, audited, the last admin protected."""

from __future__ import annotations

import pytest

from inspector_app.services import accounts
from inspector_app.services.accounts import AccountRefused
from inspector_app.store.database import Database
from inspector_app.store.keyfile import AccountDisabled, AccountExists, BadRoles

from .conftest import ADMIN, LEAD, OTHER, PASS, T0, Encrypted, audit_rows


def test_add_list_roles_disable(signed_in: dict[str, Database], enc: Encrypted) -> None:
    db = signed_in[ADMIN]
    accounts.add_account(db, "Nia New", "twelve chars", ["inspector", "supervisor"])
    assert audit_rows(db)[-1][:4] == ("account", ADMIN, "success", "Nia New")
    views = {v.name: v for v in accounts.list_accounts(db)}
    assert views["Nia New"].roles == {"inspector", "supervisor"}
    assert not views["Nia New"].disabled and views["Nia New"].locked_until is None
    new = accounts.sign_in(enc.path, "Nia New", "twelve chars", daily_backup=False)
    new.close()

    accounts.set_roles(db, "Nia New", ["program-manager"])
    assert audit_rows(db)[-1][:4] == ("permission", ADMIN, "success", "Nia New")
    accounts.disable_account(db, "Nia New")
    assert audit_rows(db)[-1][:4] == ("account", ADMIN, "success", "Nia New")
    assert {v.name: v for v in accounts.list_accounts(db)}["Nia New"].disabled
    with pytest.raises(AccountDisabled):
        accounts.sign_in(enc.path, "Nia New", "twelve chars", now=T0)


def test_refusals(signed_in: dict[str, Database]) -> None:
    db = signed_in[ADMIN]
    with pytest.raises(AccountRefused, match="at least 12 characters"):
        accounts.add_account(db, "Short", "eleven char", ["inspector"])
    with pytest.raises(BadRoles, match="unknown roles boss"):
        accounts.add_account(db, "Boss", PASS, ["boss"])
    with pytest.raises(AccountRefused, match="at least one role"):
        accounts.add_account(db, "Nobody", PASS, [])
    with pytest.raises(AccountExists):
        accounts.add_account(db, LEAD, PASS, ["inspector"])
    with pytest.raises(AccountRefused, match="cannot disable their own account"):
        accounts.disable_account(db, ADMIN)
    with pytest.raises(AccountRefused, match="last admin"):
        accounts.set_roles(db, ADMIN, ["inspector"])
    assert {v.name for v in accounts.list_accounts(db)} == {ADMIN, LEAD, OTHER,
                                                            "Sam Reyes", "Pat Manager"}  # fmt: skip


def test_another_admin_lifts_the_last_admin_guard(
    signed_in: dict[str, Database], enc: Encrypted
) -> None:
    db = signed_in[ADMIN]
    accounts.set_roles(db, OTHER, ["inspector", "admin"])
    accounts.set_roles(db, ADMIN, ["inspector"])  # now OTHER is an admin: allowed
    assert db.roles == {"inspector"}  # this session's roles follow at once
    assert accounts.may(db, "manage_accounts") is not None
    other = signed_in[OTHER]
    with pytest.raises(AccountRefused, match="last admin"):
        accounts.set_roles(other, OTHER, ["inspector"])
    accounts.disable_account(other, ADMIN)  # no longer an admin: may be disabled
