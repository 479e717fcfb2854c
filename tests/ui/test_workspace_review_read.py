"""The workspace reads a review with load_review_detached: the same rows as load_review."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect

from inspector_app.store import queries
from inspector_app.store.database import Database


def _plain(value: Any) -> Any:  # noqa: ANN401
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if hasattr(value, "__dataclass_fields__"):
        return {k: _plain(getattr(value, k)) for k in value.__dataclass_fields__}
    if hasattr(value, "model_dump"):
        return type(value).__name__, value.model_dump(), value.__pydantic_fields_set__
    return value


def test_detached_read_equals_the_orm_read(demo_db: Database) -> None:
    with demo_db.read() as s:
        ids = [r.review.id for r in queries.list_reviews(s)]
    assert ids
    for review_id in ids + ["no-such-review"]:
        with demo_db.read() as s:
            orm = _plain(queries.load_review(s, review_id))
        with demo_db.read() as s:
            data = queries.load_review_detached(s, review_id)
            assert data is None or inspect(data.review).detached
            assert _plain(data) == orm, review_id
