"""The key file `<database>.keys`: accounts and their key slots (docs/security.md).

JSON, written temp + fsync + rename. Each account holds its slot (the data key wrapped
with Argon2id(passphrase)), its roles, its failed sign-in count and lockout. Sign-in
happens before the database can be opened, so failures and lockouts are kept here
(`pending_events`) until the next successful sign-in writes them to the audit trail.

Every change (`unlock` included: a failure must be counted even though it raises) is
saved at once.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

from inspector_app.domain.errors import KnownError

from . import crypto

KEYFILE_SUFFIX = ".keys"
FORMAT = "inspector-keys"
VERSION = 1
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=10)
ROLES = frozenset({"inspector", "supervisor", "program-manager", "admin"})


def keyfile_path(db_path: Path | str) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + KEYFILE_SUFFIX)


class KeyFileProblem(KnownError):
    def __init__(self, path: Path, detail: str):
        self.path = path
        super().__init__(f"{path}: {detail}")


class UnknownAccount(KnownError):
    def __init__(self, name: str):
        super().__init__(f"no account named {name!r} in this database's key file; "
                         "check the name, or ask an admin to add you")  # fmt: skip


class AccountExists(KnownError):
    def __init__(self, name: str):
        super().__init__(f"an account named {name!r} exists already; choose another name")


class WrongPassphrase(KnownError):
    def __init__(self, name: str, left: int):
        super().__init__(
            f"wrong passphrase for {name!r} (or not this database's key file); "
            f"{left} more tries before the account is locked for 10 minutes"
        )


class AccountLocked(KnownError):
    def __init__(self, name: str, until: datetime):
        self.until = until
        super().__init__(
            f"account {name!r} is locked after {MAX_FAILURES} failed sign-ins until "
            f"{until.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC; try again then"
        )


class AccountDisabled(KnownError):
    def __init__(self, name: str):
        super().__init__(f"account {name!r} is disabled; ask an admin to enable it")


class WrongDataKey(KnownError):
    def __init__(self, path: Path):
        super().__init__(f"{path}: the key given is not this database's data key")


class BadRoles(KnownError):
    def __init__(self, roles: frozenset[str]):
        super().__init__(
            f"unknown roles {', '.join(sorted(roles - ROLES))}; "
            f"roles are {', '.join(sorted(ROLES))}"
        )


@dataclass
class Account:
    name: str
    roles: frozenset[str]
    failed: int
    locked_until: datetime | None
    disabled: bool
    created_at: datetime
    changed_at: datetime


@dataclass
class _Slot:
    salt: bytes
    nonce: bytes
    wrapped: bytes


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _when(text: str | None) -> datetime | None:
    return None if text is None else _utc(datetime.fromisoformat(text))


def _label(name: str) -> bytes:
    return b"inspector slot:" + name.encode("utf-8")


def _check_roles(roles: frozenset[str]) -> frozenset[str]:
    roles = frozenset(roles)
    if not roles <= ROLES:
        raise BadRoles(roles)
    return roles


def _account_json(acc: Account, slot: _Slot) -> dict[str, Any]:
    return {
        "name": acc.name,
        "roles": sorted(acc.roles),
        "failed": acc.failed,
        "locked_until": acc.locked_until.isoformat() if acc.locked_until else None,
        "disabled": acc.disabled,
        "created_at": acc.created_at.isoformat(),
        "changed_at": acc.changed_at.isoformat(),
        "slot": {"salt": _b64(slot.salt), "nonce": _b64(slot.nonce), "key": _b64(slot.wrapped)},
    }


def _account_of(raw: dict[str, Any]) -> tuple[Account, _Slot]:
    acc = Account(
        name=str(raw["name"]),
        roles=frozenset(str(r) for r in raw["roles"]),
        failed=int(raw["failed"]),
        locked_until=_when(raw["locked_until"]),
        disabled=bool(raw["disabled"]),
        created_at=_utc(datetime.fromisoformat(raw["created_at"])),
        changed_at=_utc(datetime.fromisoformat(raw["changed_at"])),
    )
    s = raw["slot"]
    return acc, _Slot(_unb64(s["salt"]), _unb64(s["nonce"]), _unb64(s["key"]))


def write_atomically(path: Path, data: bytes) -> None:
    """temp + fsync + rename (+ fsync of the folder): the file is old or new, never half."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    with contextlib.suppress(OSError):
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class KeyFile:
    """The accounts of one encrypted database. Changes are saved as they are made."""

    def __init__(self, path: Path, check: str) -> None:
        self.path = path
        self._check = check
        self._accounts: dict[str, Account] = {}
        self._slots: dict[str, _Slot] = {}
        self._events: list[dict[str, Any]] = []

    # --- reading and writing the file -----------------------------------------------

    @classmethod
    def load(cls, path: Path | str) -> KeyFile:
        path = Path(path)
        try:
            raw = json.loads(path.read_bytes())
        except FileNotFoundError as exc:
            raise KeyFileProblem(path, "no key file here: the encrypted database "
                                 "cannot be opened without it; restore it from backups/") from exc  # fmt: skip
        except (OSError, ValueError) as exc:
            raise KeyFileProblem(path, "the key file is damaged or unreadable; "
                                 "restore it from the backups/ folder") from exc  # fmt: skip
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise KeyFileProblem(path, "not an Inspector key file; choose the .keys file "
                                 "beside the database")  # fmt: skip
        if raw.get("version") != VERSION:
            raise KeyFileProblem(path, f"key file version {raw.get('version')} is not "
                                 "known to this Inspector; update the app")  # fmt: skip
        try:
            return cls._parse(path, raw)
        except (KeyError, TypeError, ValueError) as exc:
            raise KeyFileProblem(path, "the key file is damaged; restore it from the "
                                 "backups/ folder") from exc  # fmt: skip

    @classmethod
    def _parse(cls, path: Path, raw: dict[str, Any]) -> KeyFile:
        kf = cls(path, str(raw["check"]))
        for item in raw["accounts"]:
            acc, slot = _account_of(item)
            kf._accounts[acc.name], kf._slots[acc.name] = acc, slot
        kf._events = [dict(e) for e in raw.get("events", [])]
        return kf

    @classmethod
    def create(
        cls,
        path: Path | str,
        name: str,
        passphrase: str,
        roles: frozenset[str],
        *,
        now: datetime | None = None,
    ) -> tuple[KeyFile, bytes]:
        """A new key file with a new random data key and its first account."""
        path = Path(path)
        if path.exists():
            raise KeyFileProblem(path, "a key file exists already; it is never replaced "
                                 "(move it away only if its database is gone)")  # fmt: skip
        data_key = crypto.new_data_key()
        kf = cls(path, crypto.key_check(data_key))
        kf._add(name, passphrase, roles, data_key, now or datetime.now(UTC))
        kf.save()
        return kf, data_key

    def to_json(self) -> bytes:
        doc = {
            "format": FORMAT,
            "version": VERSION,
            "check": self._check,
            "accounts": [_account_json(a, self._slots[n]) for n, a in self._accounts.items()],
            "events": self._events,
        }
        return json.dumps(doc, indent=1, sort_keys=True).encode("utf-8")

    def save(self, path: Path | None = None) -> None:
        write_atomically(path or self.path, self.to_json())

    # --- accounts ---------------------------------------------------------------------

    def accounts(self) -> list[Account]:
        return [self._copy(a) for a in self._accounts.values()]

    def account(self, name: str) -> Account:
        return self._copy(self._get(name))

    @staticmethod
    def _copy(acc: Account) -> Account:
        return Account(**vars(acc))

    def _get(self, name: str) -> Account:
        try:
            return self._accounts[name]
        except KeyError:
            raise UnknownAccount(name) from None

    def _verify(self, data_key: bytes) -> None:
        if len(data_key) != crypto.KEY_SIZE or crypto.key_check(data_key) != self._check:
            raise WrongDataKey(self.path)

    def _add(
        self, name: str, passphrase: str, roles: frozenset[str], data_key: bytes, now: datetime
    ) -> None:
        if not name.strip():
            raise KeyFileProblem(self.path, "an account needs a name")
        if name in self._accounts:
            raise AccountExists(name)
        roles = _check_roles(roles)
        salt, nonce, wrapped = crypto.wrap_key(passphrase, data_key, _label(name))
        now = _utc(now)
        self._accounts[name] = Account(name, roles, 0, None, False, now, now)
        self._slots[name] = _Slot(salt, nonce, wrapped)

    def add_account(
        self,
        name: str,
        passphrase: str,
        roles: frozenset[str],
        data_key: bytes,
        *,
        now: datetime | None = None,
    ) -> None:
        self._verify(data_key)
        self._add(name, passphrase, roles, data_key, now or datetime.now(UTC))
        self.save()

    def set_passphrase(
        self, name: str, new_passphrase: str, data_key: bytes, *, now: datetime | None = None
    ) -> None:
        """Rewrap this person's slot; the data is not re-encrypted."""
        acc = self._get(name)
        self._verify(data_key)
        salt, nonce, wrapped = crypto.wrap_key(new_passphrase, data_key, _label(name))
        self._slots[name] = _Slot(salt, nonce, wrapped)
        acc.failed, acc.locked_until = 0, None
        acc.changed_at = _utc(now or datetime.now(UTC))
        self.save()

    def set_roles(self, name: str, roles: frozenset[str], *, now: datetime | None = None) -> None:
        acc = self._get(name)
        acc.roles = _check_roles(roles)
        acc.changed_at = _utc(now or datetime.now(UTC))
        self.save()

    def disable(self, name: str, *, now: datetime | None = None) -> None:
        acc = self._get(name)
        acc.disabled = True
        acc.changed_at = _utc(now or datetime.now(UTC))
        self.save()

    def enable(self, name: str, *, now: datetime | None = None) -> None:
        acc = self._get(name)
        acc.disabled, acc.failed, acc.locked_until = False, 0, None
        acc.changed_at = _utc(now or datetime.now(UTC))
        self.save()

    # --- sign-in ----------------------------------------------------------------------

    def unlock(self, name: str, passphrase: str, now: datetime) -> bytes:
        """The data key, if `passphrase` opens this account's slot.

        Wrong: WrongPassphrase, counted; the 5th failure locks the account for 10
        minutes (AccountLocked). While locked the passphrase is not even tried.
        """
        now = _utc(now)
        acc = self._get(name)
        if acc.disabled:
            raise AccountDisabled(name)
        if acc.locked_until is not None and now < acc.locked_until:
            raise AccountLocked(name, acc.locked_until)
        if acc.locked_until is not None:
            acc.failed, acc.locked_until = 0, None  # the lock ran out: a fresh start
            self.save()
        slot = self._slots[name]
        try:
            data_key = crypto.unwrap_key(passphrase, slot.salt, slot.nonce, slot.wrapped,
                                         _label(name))  # fmt: skip
        except crypto.DecryptionFailed:
            self._failed(acc, now)
        if acc.failed:
            acc.failed = 0
            self.save()
        return data_key

    def _failed(self, acc: Account, now: datetime) -> NoReturn:
        acc.failed += 1
        self._event(now, acc.name, "sign-in-failed", acc.failed)
        if acc.failed >= MAX_FAILURES:
            acc.locked_until = now + LOCKOUT
            self._event(now, acc.name, "lockout", acc.failed)
            self.save()
            raise AccountLocked(acc.name, acc.locked_until)
        self.save()
        raise WrongPassphrase(acc.name, MAX_FAILURES - acc.failed)

    def _event(self, at: datetime, user: str, event: str, failed: int) -> None:
        self._events.append(
            {"at": at.isoformat(), "user": user, "event": event, "outcome": "failure",
             "detail": {"failed": failed}}
        )  # fmt: skip

    def pending_events(self) -> list[dict[str, Any]]:
        """Failed sign-ins and lockouts not yet in the audit trail, oldest first.

        Each: at (aware UTC datetime), user, event ("sign-in-failed" | "lockout"),
        outcome ("failure"), detail ({"failed": count}).
        """
        return [{**e, "at": _when(e["at"])} for e in self._events]

    def clear_events(self) -> None:
        if self._events:
            self._events = []
            self.save()
