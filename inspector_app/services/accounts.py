"""People and roles (docs/security.md, "People and roles"): signing in, the idle lock's
passphrase check, managing accounts, and what each role may do.

Accounts live in the key file beside an encrypted database (store.keyfile): sign-in
unlocks the person's key slot, opens the database with the data key and sets
`db.user` and `db.roles`. Failures and lockouts happen before the database is open;
the key file keeps them and the next successful sign-in writes them to the audit trail.

A plaintext database has no accounts (`db.roles is None`): anyone may do anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from inspector_app.domain.errors import KnownError
from inspector_app.store.database import Database, finish_conversion, open_database
from inspector_app.store.keyfile import (
    ROLES,
    AccountLocked,
    BadRoles,
    KeyFile,
    WrongPassphrase,
    keyfile_path,
)
from inspector_app.store.models import Review

from . import audit
from .encryption import MIN_PASSPHRASE as MIN_PASSPHRASE  # the rule is encryption's
from .errors import NotFound, ServiceError

INSPECTOR, SUPERVISOR, PROGRAM_MANAGER, ADMIN = (
    "inspector", "supervisor", "program-manager", "admin",
)  # fmt: skip
ACTIONS = ("finalize", "approve", "program_export", "manage_accounts")
_ONLY = {
    "approve": (SUPERVISOR, "only a supervisor may approve and sign a report"),
    "program_export": (
        PROGRAM_MANAGER,
        "only a program manager may export program reports (annual report, WSO summaries)",
    ),  # fmt: skip
    "manage_accounts": (ADMIN, "only an admin may manage accounts"),
}
_NOUN = {SUPERVISOR: "a supervisor", PROGRAM_MANAGER: "a program manager", ADMIN: "an admin"}


class NotPermitted(ServiceError):
    """The signed-in person's roles do not allow the action (one line: why)."""


class NoAccounts(ServiceError):
    def __init__(self, path: Path):
        super().__init__(f"{path}: not encrypted, so it has no accounts; encrypt it first "
                         "with 'inspector-app encrypt --user NAME'")  # fmt: skip


class AccountRefused(ServiceError):
    """An account change that is not allowed (short passphrase, last admin...)."""


@dataclass(frozen=True)
class AccountView:
    name: str
    roles: frozenset[str]
    locked_until: datetime | None
    disabled: bool
    created_at: datetime


# --- signing in -------------------------------------------------------------------------


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _keys(path: Path) -> KeyFile:
    if not keyfile_path(path).exists():
        raise NoAccounts(path)
    return KeyFile.load(keyfile_path(path))


def account_names(path: Path) -> list[str]:
    """The names a sign-in form may offer (accounts not disabled), read from the key file
    without unlocking anything; [] when there is no readable key file."""
    try:
        keys = _keys(Path(path))
    except KnownError:
        return []
    return sorted(a.name for a in keys.accounts() if not a.disabled)


def _flush_pending(db: Database, keys: KeyFile) -> None:
    """The key file's failed sign-ins and lockouts into the audit trail, oldest first,
    then cleared (a crash in between writes them twice rather than never)."""
    for event in keys.pending_events():
        audit.record_event(db, event["event"], event["outcome"], "account", event["user"],
                           user=event["user"], at=event["at"], **event.get("detail", {}))  # fmt: skip
    keys.clear_events()


def sign_in(
    path: Path,
    name: str,
    passphrase: str,
    *,
    now: datetime | None = None,
    daily_backup: bool = True,
) -> Database:
    """Unlock `name`'s key slot and open the encrypted database at `path` as that person.

    WrongPassphrase, AccountLocked, UnknownAccount, AccountDisabled (one line each):
    nothing is written to the database; the key file counts the failure.
    """
    path = Path(path)
    moment = _now(now)
    finish_conversion(path)  # an interrupted encryption decides which file set counts
    keys = _keys(path)
    data_key = keys.unlock(name, passphrase, moment)
    db = open_database(path, user=name, daily_backup=daily_backup, data_key=data_key)
    try:
        db.user = name
        db.roles = keys.account(name).roles
        _flush_pending(db, keys)
        audit.record_event(db, "sign-in", "success", "account", name, user=name, at=now)
    except BaseException:
        db.close()
        raise
    return db


def check_passphrase(db: Database, passphrase: str, *, now: datetime | None = None) -> None:
    """The idle lock: is this the signed-in person's passphrase? A failure counts toward
    the lockout as a failed sign-in does, and is audited at once. Plaintext: no-op."""
    if db.roles is None:
        return
    keys = _keys(db.path)
    try:
        keys.unlock(db.user, passphrase, _now(now))
    except (WrongPassphrase, AccountLocked):
        _flush_pending(db, keys)
        raise


# --- what each role may do --------------------------------------------------------------


def _lead_of(db: Database, review: Any) -> tuple[str, str]:
    """(review id, lead inspector) of a review object or a review id."""
    if isinstance(review, str):
        with db.read() as s:
            row = s.get(Review, review)
        if row is None:
            raise NotFound("review", review)
        review = row
    return str(getattr(review, "id", "") or ""), str(getattr(review, "lead_inspector", "") or "")


def _who(db: Database) -> str:
    return db.user or "you"


def may(db: Database, action: str, review: Any = None) -> str | None:
    """None when the signed-in person may do `action`, else one line saying why not.

    "finalize": the review's lead inspector or a supervisor (`review`: a Review or its
    id); "approve": a supervisor; "program_export": a program manager;
    "manage_accounts": an admin. A plaintext database (no accounts) allows everything.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; one of {', '.join(ACTIONS)}")
    if db.roles is None:
        return None
    roles = set(db.roles)
    if action == "finalize":
        if SUPERVISOR in roles:
            return None
        if review is None:
            return "only the review's lead inspector or a supervisor may finalize it"
        _, lead = _lead_of(db, review)
        if lead and lead == db.user:
            return None
        return (f"only the review's lead inspector ({lead or 'none named'}) or a supervisor "
                f"may finalize it; {_who(db)} is neither")  # fmt: skip
    role, line = _ONLY[action]
    if role in roles:
        return None
    return f"{line}; {_who(db)} is not {_NOUN[role]}"


def require(db: Database, action: str, review: Any = None) -> None:
    """Raise NotPermitted (one line) unless may(); the refusal is audited."""
    why = may(db, action, review)
    if why is None:
        return
    entity, entity_id = (
        ("action", action) if review is None else ("review", _lead_of(db, review)[0])
    )
    audit.record_event(db, "permission", "failure", entity, entity_id, refused=action, reason=why)
    raise NotPermitted(why)


# --- managing accounts (an admin) -------------------------------------------------------


def _view(acc: Any) -> AccountView:
    return AccountView(acc.name, frozenset(acc.roles), acc.locked_until, acc.disabled,
                       acc.created_at)  # fmt: skip


def list_accounts(db: Database) -> list[AccountView]:
    """Every account of the key file (none for a plaintext database), by name."""
    if db.roles is None and not keyfile_path(db.path).exists():
        return []
    return sorted((_view(a) for a in _keys(db.path).accounts()), key=lambda v: v.name)


def _roles(roles: Iterable[str]) -> frozenset[str]:
    given = frozenset(r.strip() for r in roles)
    if not given:
        raise AccountRefused(f"an account needs at least one role: {', '.join(sorted(ROLES))}")
    if not given <= ROLES:
        raise BadRoles(given)
    return given


def _admin_keys(db: Database) -> KeyFile:
    require(db, "manage_accounts")
    if db.roles is None or db.data_key is None:
        raise NoAccounts(db.path)
    return _keys(db.path)


def _other_admins(keys: KeyFile, name: str) -> int:
    return sum(1 for a in keys.accounts() if a.name != name and ADMIN in a.roles and not a.disabled)


def add_account(db: Database, name: str, passphrase: str, roles: Iterable[str]) -> None:
    """A new account with its own key slot (admin only; audited "account")."""
    keys = _admin_keys(db)
    name = name.strip()
    wanted = _roles(roles)
    if len(passphrase) < MIN_PASSPHRASE:
        raise AccountRefused(f"a passphrase has at least {MIN_PASSPHRASE} characters; "
                             "the account was not added")  # fmt: skip
    assert db.data_key is not None
    keys.add_account(name, passphrase, wanted, db.data_key)
    audit.record_event(db, "account", "success", "account", name, change="add",
                       roles=sorted(wanted))  # fmt: skip


def disable_account(db: Database, name: str) -> None:
    """The account can no longer sign in (admin only, not oneself; audited "account")."""
    keys = _admin_keys(db)
    acc = keys.account(name)
    if name == db.user:
        raise AccountRefused("an admin cannot disable their own account; ask another admin")
    if ADMIN in acc.roles and not acc.disabled and not _other_admins(keys, name):
        raise AccountRefused(f"{name} is the last admin; make another admin first")
    keys.disable(name)
    audit.record_event(db, "account", "success", "account", name, change="disable")


def set_roles(db: Database, name: str, roles: Iterable[str]) -> None:
    """Replace an account's roles (admin only; the last admin keeps "admin"; audited
    "permission"). Changing one's own roles applies to this session at once."""
    keys = _admin_keys(db)
    wanted = _roles(roles)
    acc = keys.account(name)
    if ADMIN in acc.roles and ADMIN not in wanted and not acc.disabled \
            and not _other_admins(keys, name):  # fmt: skip
        raise AccountRefused(f"{name} is the last admin and keeps the admin role; "
                             "make another admin first")  # fmt: skip
    keys.set_roles(name, wanted)
    if name == db.user:
        db.roles = wanted
    audit.record_event(db, "permission", "success", "account", name, change="roles",
                       before=sorted(acc.roles), roles=sorted(wanted))  # fmt: skip


__all__ = ["ACTIONS", "AccountRefused", "AccountView", "NoAccounts", "NotPermitted",
           "account_names", "add_account", "check_passphrase", "disable_account", "list_accounts", "may",
           "require", "set_roles", "sign_in"]  # fmt: skip
