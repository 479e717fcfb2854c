"""Tokens, devices and roles.

Tokens (enrollment and device) are 32 random bytes, urlsafe base64; only their SHA-256
is stored. A device sends `Authorization: Bearer <token>`.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, select, update
from sqlalchemy.engine import Connection

from inspector_app.domain.sync import Enrolled, EnrollRequest, Role

from .problems import forbidden, unauthorized
from .storage import devices, enrollments, read_tx, users, write_tx

WRITERS: frozenset[str] = frozenset({"inspector", "supervisor"})
READERS: frozenset[str] = frozenset({"inspector", "supervisor", "program-manager"})
ADMINS: frozenset[str] = frozenset({"admin"})
OFFICE_ROLES: frozenset[str] = WRITERS  # bound to one field office


def new_token() -> str:
    """A random token that never starts with '-' (a command line would read
    `--token -Xy...` as an option: it happened to a test, one token in 64)."""
    return "t" + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Caller:
    """The device behind a request and its user."""

    user: str
    role: Role
    field_office: str
    device_id: str

    @property
    def national(self) -> bool:
        return self.role not in OFFICE_ROLES

    def may_see(self, office: str) -> bool:
        return self.national or office == self.field_office


def bearer_token(header: str | None) -> str:
    if not header:
        raise unauthorized("missing Authorization: Bearer <device token>")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized("the Authorization header must be 'Bearer <device token>'")
    return token.strip()


def authenticate(engine: Engine, header: str | None) -> Caller:
    token = bearer_token(header)
    query = (
        select(users.c.name, users.c.role, users.c.field_office, devices.c.id)
        .select_from(devices.join(users, users.c.id == devices.c.user_id))
        .where(devices.c.token_hash == hash_token(token), users.c.disabled.is_(False))
    )
    with read_tx(engine) as conn:
        found = conn.execute(query).first()
    if found is None:
        raise unauthorized("unknown or revoked device token (enroll this laptop again)")
    return Caller(found.name, found.role, found.field_office, found.id)


def require(caller: Caller, roles: frozenset[str], what: str) -> Caller:
    if caller.role not in roles:
        raise forbidden(f"a {caller.role} may not {what}")
    return caller


def enroll(engine: Engine, request: EnrollRequest) -> Enrolled:
    """Trade a one-time enrollment token for a device token."""
    token = new_token()
    with write_tx(engine) as conn:
        found = conn.execute(
            select(users.c.id, users.c.name, users.c.role, users.c.field_office)
            .select_from(enrollments.join(users, users.c.id == enrollments.c.user_id))
            .where(
                enrollments.c.token_hash == hash_token(request.token),
                enrollments.c.used_at.is_(None),
                users.c.disabled.is_(False),
            )
        ).first()
        if found is None:
            raise unauthorized("unknown or already used enrollment token")
        conn.execute(
            update(enrollments)
            .where(enrollments.c.token_hash == hash_token(request.token))
            .values(used_at=now())
        )
        _register_device(conn, found.id, request, hash_token(token))
    return Enrolled(
        device_token=token, user=found.name, role=found.role, field_office=found.field_office
    )


def _register_device(conn: Connection, user_id: int, request: EnrollRequest, digest: str) -> None:
    values = {
        "user_id": user_id,
        "token_hash": digest,
        "name": request.device_name,
        "public_key": request.public_key,
        "enrolled_at": now(),
        "last_seen": now(),
    }
    known = conn.execute(select(devices.c.id).where(devices.c.id == request.device_id)).first()
    if known is None:
        conn.execute(devices.insert().values(id=request.device_id, **values))
    else:  # a laptop enrolled again: its old token stops working
        conn.execute(update(devices).where(devices.c.id == request.device_id).values(**values))
