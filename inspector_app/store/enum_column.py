"""Columns that hold a domain enum, stored as its plain string value.

The database keeps the strings it always had (VARCHAR, no CHECK constraint), so files
written before the columns were typed read and write unchanged and no migration is
needed; the Python side sees enum members, never bare strings.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel.sql.sqltypes import AutoString


class StrEnumType(TypeDecorator[StrEnum]):
    """A StrEnum column: writes `.value` (a member or its string), loads the member.

    An unknown value raises on write and on load: a typo or a foreign value is a bug
    to see, not a string to carry on with.
    """

    impl = AutoString  # what the str columns were: the DDL is unchanged
    cache_ok = True

    def __init__(self, enum: type[StrEnum], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.enum = enum

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> StrEnum | None:
        return None if value is None else self.enum(value)

    @property
    def python_type(self) -> type[StrEnum]:
        return self.enum
