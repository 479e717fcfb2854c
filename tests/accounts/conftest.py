"""An encrypted demo database with one account per role (cheap Argon2 for speed)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from inspector_app.services.encryption import encrypt_database
from inspector_app.store import crypto
from inspector_app.store.database import Database, open_database
from inspector_app.store.keyfile import KeyFile, keyfile_path
from inspector_app.store.queries import list_reviews

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ADMIN, LEAD, OTHER, SUPERVISOR, MANAGER = (
    "Ada Admin", "Dana Whitfield", "Ian Other", "Sam Reyes", "Pat Manager",
)  # fmt: skip
PASS = "correct horse battery"
ROLES = {
    ADMIN: frozenset({"inspector", "admin"}),
    LEAD: frozenset({"inspector"}),  # the demo reviews' lead inspector
    OTHER: frozenset({"inspector"}),
    SUPERVISOR: frozenset({"supervisor"}),
    MANAGER: frozenset({"program-manager"}),
}


@dataclass
class Encrypted:
    path: Path
    data_key: bytes
    draft_id: str  # a review not yet final, led by LEAD


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """The key slots' KDF at its smallest: these tests unlock slots dozens of times."""
    monkeypatch.setattr(crypto, "ARGON2_TIME_COST", 1)
    monkeypatch.setattr(crypto, "ARGON2_MEMORY_KIB", 1024)
    monkeypatch.setattr(crypto, "ARGON2_PARALLELISM", 1)


def _draft(path: Path) -> str:
    db = open_database(path, daily_backup=False)
    try:
        with db.read() as s:
            rows = [r.review for r in list_reviews(s)]
    finally:
        db.close()
    return next(r.id for r in rows if r.status != "final" and r.lead_inspector == LEAD)


@pytest.fixture
def enc(demo_db_path: Path) -> Encrypted:
    draft = _draft(demo_db_path)
    data_key = encrypt_database(demo_db_path, name=ADMIN, passphrase=PASS)
    keys = KeyFile.load(keyfile_path(demo_db_path))
    for name, roles in ROLES.items():
        if name != ADMIN:
            keys.add_account(name, PASS, roles, data_key, now=T0)
    return Encrypted(demo_db_path, data_key, draft)


@pytest.fixture
def passfile(tmp_path: Path) -> Path:
    f = tmp_path / "pass.txt"
    f.write_text(PASS + "\n", encoding="utf-8")
    return f


def audit_rows(db: Database) -> list[tuple[str, str, str, str, str]]:
    """(event, user, outcome, entity_id, component) of every audit entry, in order."""
    with db.read() as s:
        driver = s.connection().connection.driver_connection
        assert driver is not None
        return [tuple(r) for r in driver.execute(
            'SELECT event, "user", outcome, entity_id, component FROM audit_log ORDER BY id')]  # fmt: skip


@pytest.fixture
def signed_in(enc: Encrypted) -> Iterator[dict[str, Database]]:
    """Every account signed in (opened lazily by name)."""
    from inspector_app.services.accounts import sign_in

    opened: dict[str, Database] = {}

    class _Lazy(dict):  # type: ignore[type-arg]
        def __missing__(self, name: str) -> Database:
            db = sign_in(enc.path, name, PASS, now=T0, daily_backup=False)
            opened[name] = db
            self[name] = db
            return db

    yield _Lazy()
    for db in opened.values():
        db.close()
