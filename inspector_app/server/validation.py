"""Incoming row fields checked against the laptop's tables: a pydantic model per
syncable table, derived from the SQLModel classes of store/models.py (types, enums,
lengths), extra columns forbidden."""

from __future__ import annotations

import types
from datetime import datetime
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Strict, ValidationError, create_model
from pydantic.fields import FieldInfo
from pydantic_core import to_jsonable_python
from sqlmodel import SQLModel

from inspector_app.domain.sync import SYNC_FIELDS, SYNC_TABLES, ConflictReason
from inspector_app.store import models

from .problems import invalid


class SyncConflictColumns(models.SyncFields):
    """The server's `sync_conflict` row (docs/sync.md), used when the laptop's models do
    not define the table."""

    table_name: str = ""
    row_id: str = ""
    field: str = ""
    server_value: Any = None
    client_value: Any = None
    reason: ConflictReason = "same field"
    review_id: str | None = None
    client_device: str = ""
    client_user: str = ""
    resolved: bool = False
    resolved_by: str = ""
    resolved_at: datetime | None = None
    resolution: Literal["server", "client", ""] = ""
    created_at: datetime | None = None


def _strict(annotation: Any) -> Any:
    """Numbers and booleans as JSON types only: "1" is no integer, 1 is no boolean."""
    if annotation in (int, bool, float):
        return Annotated[annotation, Strict()]
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = tuple(_strict(a) for a in get_args(annotation))
        return Union[args]  # noqa: UP007  (built from a tuple)
    return annotation


def _column_model(name: str, source: type[SQLModel]) -> type[BaseModel]:
    columns: dict[str, Any] = {}
    for column, info in source.model_fields.items():
        annotation = (
            Annotated[_strict(info.annotation), *info.metadata]
            if info.metadata
            else (_strict(info.annotation))
        )
        columns[column] = (annotation, None)  # every column optional: updates send some
    model: type[BaseModel] = create_model(  # type: ignore[call-overload]
        f"{name}_columns", __config__=ConfigDict(extra="forbid"), **columns
    )
    return model


def _defaults(source: type[SQLModel]) -> tuple[dict[str, Any], frozenset[str]]:
    defaults: dict[str, Any] = {}
    required: set[str] = set()
    for column, info in source.model_fields.items():
        if column in SYNC_FIELDS:
            continue
        if info.is_required():
            required.add(column)
        else:
            defaults[column] = to_jsonable_python(_default(info))
    return defaults, frozenset(required)


def _default(info: FieldInfo) -> Any:
    return info.get_default(call_default_factory=True)


def _sources() -> dict[str, type[SQLModel]]:
    found: dict[str, type[SQLModel]] = {models.table_name(m): m for m in models.SYNCABLE_TABLES}
    laptop_conflict = getattr(models, "SyncConflict", None)
    found["sync_conflict"] = laptop_conflict or SyncConflictColumns
    return {t: found[t] for t in SYNC_TABLES if t in found}


_SOURCES = _sources()
MODELS: dict[str, type[BaseModel]] = {t: _column_model(t, s) for t, s in _SOURCES.items()}
DEFAULTS: dict[str, tuple[dict[str, Any], frozenset[str]]] = {
    t: _defaults(s) for t, s in _SOURCES.items()
}


def check_table(index: int, table: str) -> None:
    if table not in MODELS:
        raise invalid(f"change {index}: table {table!r} does not sync", "table")


def check_fields(index: int, table: str, fields: dict[str, Any]) -> None:
    """422 naming the change's position, table and column when a value is wrong."""
    check_table(index, table)
    try:
        MODELS[table].model_validate(fields)
    except ValidationError as exc:
        err = exc.errors()[0]
        column = ".".join(str(p) for p in err["loc"]) or "?"
        what = "unknown column" if err["type"] == "extra_forbidden" else err["msg"]
        raise invalid(f"change {index} ({table}): column {column!r}: {what}", "column") from None


def new_row(index: int, table: str, row_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    """A whole row from an insert's columns: defaults filled in, required ones present."""
    defaults, required = DEFAULTS[table]
    missing = sorted(required - fields.keys())
    if missing:
        raise invalid(
            f"change {index} ({table}): column {missing[0]!r} is required for a new row",
            "column",
        )
    return {**defaults, **fields, "id": row_id}
