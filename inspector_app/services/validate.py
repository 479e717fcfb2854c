"""Turning user input into domain values, with errors that name the field."""

from __future__ import annotations

import contextlib
from datetime import date
from enum import StrEnum
from typing import Literal, TypeVar, overload

from .errors import Invalid

E = TypeVar("E", bound=StrEnum)


def enum_value(enum: type[E], value: str | E | None, field: str) -> E:
    if value is not None:
        with contextlib.suppress(ValueError):
            return enum(value)
    allowed = ", ".join(m.value for m in enum)
    raise Invalid(field, f"{value!r} is not one of {allowed}") from None


def required_text(value: str | None, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise Invalid(field, "is required")
    return text


@overload
def parse_date(value: str | date | None, field: str, *, required: Literal[True]) -> date: ...
@overload
def parse_date(value: str | date | None, field: str, *, required: bool = False) -> date | None: ...
def parse_date(value: str | date | None, field: str, *, required: bool = False) -> date | None:
    if value is None or value == "":
        if required:
            raise Invalid(field, "is required (YYYY-MM-DD)")
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(field, f"{value!r} is not a date (YYYY-MM-DD)") from None


def state_code(value: str | None, field: str = "state") -> str:
    code = (value or "").strip().upper()
    if len(code) != 2 or not code.isalpha():
        raise Invalid(field, f"{value!r} is not a two-letter state code")
    return code
