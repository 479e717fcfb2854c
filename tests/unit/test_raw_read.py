"""UnitOfWork.read_first (the autosave's compiled read straight on the driver) gives the
same row, value for value and type for type, as SQLAlchemy's own execution of the
statement: dates, enums, JSON and booleans included, and None when nothing matches."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from inspector_app.services import demo, reviews
from inspector_app.services.uow import unit_of_work
from inspector_app.store.database import open_database
from inspector_app.store.models import ChecklistResponse


def test_read_first_matches_sqlalchemy_on_every_demo_answer(tmp_path: Path) -> None:
    db = open_database(tmp_path / "demo.db", user="T", daily_backup=False)
    try:
        demo.seed_demo(db)
        with unit_of_work(db, "read") as uow:
            keys = list(uow.session.exec(select(ChecklistResponse.review_id,
                                                ChecklistResponse.item_key)))  # fmt: skip
            assert len(keys) > 100
            keys += [(keys[0][0], "no.such_item"), ("no-such-review", "x")]
            for review_id, item_key in keys:
                params = {"review_id": review_id, "item_key": item_key}
                expected = uow.session.connection().execute(reviews._ANSWER_STATE, params)
                row = expected.mappings().first()
                want = dict(row) if row is not None else None
                got = uow.read_first(reviews._ANSWER_STATE, params)
                assert got == want
                if want is not None and got is not None:
                    assert {k: type(v) for k, v in got.items()} == {
                        k: type(v) for k, v in want.items()}  # fmt: skip
    finally:
        db.close()
