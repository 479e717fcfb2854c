"""Users of the service and their one-time enrollment tokens (the admin's work)."""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine, select, update
from sqlalchemy.engine import Connection

from inspector_app.domain.sync import Role

from .auth import OFFICE_ROLES, hash_token, new_token, now
from .problems import ProblemError, conflict, invalid, not_found
from .storage import enrollments, read_tx, users, write_tx

_OFFICE_CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UserInfo(_Model):
    name: str
    role: Role
    field_office: str
    disabled: bool
    created_at: datetime


class NewUser(_Model):
    name: str = Field(min_length=1, max_length=200)
    role: Role
    field_office: str = Field(default="", max_length=64)


class UserAdded(_Model):
    user: UserInfo
    enrollment_token: str  # one-time: trade it at POST /v1/enroll


class EnrollmentToken(_Model):
    user: str
    enrollment_token: str


def _check(new: NewUser) -> NewUser:
    name = new.name.strip()
    if not name:
        raise invalid("name: a user needs a name", "name")
    office = new.field_office.strip()
    if new.role in OFFICE_ROLES and not office:
        raise invalid(
            f"field_office: the role {new.role} needs a field office code (--field-office)",
            "field_office",
        )
    if office and not _OFFICE_CODE.match(office):
        raise invalid(f"field_office: {office!r} is no field office code", "field_office")
    if new.role not in OFFICE_ROLES:
        office = ""  # national roles see every office
    return NewUser(name=name, role=new.role, field_office=office)


def _info(row: object) -> UserInfo:
    return UserInfo.model_validate(row, from_attributes=True)


def _issue(conn: Connection, user_id: int) -> str:
    token = new_token()
    conn.execute(
        enrollments.insert().values(token_hash=hash_token(token), user_id=user_id, created_at=now())
    )
    return token


def add_user(engine: Engine, new: NewUser) -> UserAdded:
    new = _check(new)
    with write_tx(engine) as conn:
        if conn.execute(select(users.c.id).where(users.c.name == new.name)).first():
            raise conflict(f"a user named {new.name!r} exists already", "exists")
        inserted = conn.execute(
            users.insert().values(
                name=new.name,
                role=new.role,
                field_office=new.field_office,
                created_at=now(),
                disabled=False,
            )
        ).inserted_primary_key
        assert inserted is not None
        user_id = int(inserted[0])
        token = _issue(conn, user_id)
        row = conn.execute(select(users).where(users.c.id == user_id)).one()
    return UserAdded(user=_info(row), enrollment_token=token)


def list_users(engine: Engine) -> list[UserInfo]:
    with read_tx(engine) as conn:
        return [_info(r) for r in conn.execute(select(users).order_by(users.c.name))]


def _user_id(conn: Connection, name: str) -> int:
    found = conn.execute(select(users.c.id).where(users.c.name == name)).first()
    if found is None:
        raise not_found(f"no user named {name!r}")
    return int(found.id)


def disable_user(engine: Engine, name: str) -> UserInfo:
    with write_tx(engine) as conn:
        user_id = _user_id(conn, name)
        conn.execute(update(users).where(users.c.id == user_id).values(disabled=True))
        return _info(conn.execute(select(users).where(users.c.id == user_id)).one())


def enrollment_token(engine: Engine, name: str) -> EnrollmentToken:
    """A new one-time enrollment token for an existing, enabled user."""
    with write_tx(engine) as conn:
        user_id = _user_id(conn, name)
        row = conn.execute(select(users).where(users.c.id == user_id)).one()
        if row.disabled:
            raise ProblemError(409, f"user {name!r} is disabled", "disabled")
        return EnrollmentToken(user=name, enrollment_token=_issue(conn, user_id))
