"""An autosave stays a handful of SQLite statements in one durable transaction.

Counted on the driver connection itself (sqlite3's trace callback), so statements sent
around SQLAlchemy count too: the autosave's latency target (bench/autosave.py) rests on
this number staying low.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from inspector_app.services import agencies as ag
from inspector_app.services import reviews
from inspector_app.services.errors import StaleEdit
from inspector_app.store.database import Database
from inspector_app.store.models import Review

# BEGIN IMMEDIATE, the review and the stored answer in one select, the write, the
# change-log entry, the audit entry, COMMIT.
MAX_STATEMENTS = 6


@pytest.fixture
def review(db: Database) -> Review:
    agency = ag.create_agency(db, name="Alder County Sheriff's Office", state="GA")
    ag.create_agreement(db, agency_id=agency.id, model="JEM", signed_on="2024-01-01")
    planned = reviews.schedule_review(db, agency_id=agency.id, kind="jem_inspection")
    return reviews.start_review(db, planned.id)


@pytest.fixture
def traced(db: Database) -> Iterator[list[str]]:
    """Every statement the (single, pooled) connection runs from now on."""
    statements: list[str] = []
    raw = db.engine.raw_connection()
    driver = raw.driver_connection
    raw.close()
    driver.set_trace_callback(statements.append)
    yield statements
    driver.set_trace_callback(None)


def _item(review: Review) -> tuple[str, list[str]]:
    form = reviews.form_for(review)
    return next((i.key, i.valid_values()) for i in form.items() if i.valid_values())


def _transaction(statements: list[str]) -> list[str]:
    verbs = [s.split()[0].upper() for s in statements]
    assert verbs[0] == "BEGIN" and statements[0].upper().startswith("BEGIN IMMEDIATE")
    assert verbs[-1] == "COMMIT" and verbs.count("BEGIN") == 1 and verbs.count("COMMIT") == 1
    return statements


def test_a_new_answer_and_a_changed_one_each_take_few_statements(db, review, traced):
    key, values = _item(review)
    for value in (values[0], values[-1]):  # the insert, then the update
        traced.clear()
        reviews.record_answer(db, review_id=review.id, item_key=key, value=value)
        done = _transaction(traced)
        assert len(done) <= MAX_STATEMENTS, done
        # The outbox and audit entries are written inside that same transaction.
        assert any("change_log" in s for s in done) and any("audit_log" in s for s in done)


def test_the_change_log_holds_the_answer_as_saved(db, review):
    key, values = _item(review)
    reviews.record_answer(db, review_id=review.id, item_key=key, value=values[0])
    saved = reviews.record_answer(db, review_id=review.id, item_key=key, value=values[-1])
    assert saved.rev == 2 and saved.value == values[-1]
    with db.read() as s:
        conn = s.connection().connection.driver_connection
        op, payload = conn.execute(
            "SELECT op, payload FROM change_log WHERE row_id = ? ORDER BY seq DESC", (saved.id,)
        ).fetchone()
        detail = conn.execute(
            "SELECT detail FROM audit_log WHERE entity_id = ? ORDER BY id DESC", (saved.id,)
        ).fetchone()[0]
    assert op == "update"
    assert json.loads(payload) == saved.model_dump(mode="json")
    assert json.loads(detail)["old"] == values[0] and json.loads(detail)["new"] == values[-1]


def test_a_note_from_an_old_revision_is_still_refused(db, review, traced):
    key, values = _item(review)
    reviews.record_answer(db, review_id=review.id, item_key=key, value=values[0])
    traced.clear()
    with pytest.raises(StaleEdit):
        reviews.set_note(db, review_id=review.id, item_key=key, note="typed earlier", base_rev=0)
    assert not any(s.split()[0].upper() in ("INSERT", "UPDATE") for s in traced)
    note = reviews.set_note(db, review_id=review.id, item_key=key, note="mine", base_rev=1)
    assert note.rev == 2 and note.note == "mine" and note.value == values[0]


def test_the_returned_answer_is_the_row_as_stored(db, review):
    """record_answer builds its returned row without the ORM's per-field events: it must
    still equal the row read back, and behave as an ordinary (transient) model."""
    from sqlalchemy import inspect

    from inspector_app.store.models import ChecklistResponse

    key, values = _item(review)
    returned = reviews.record_answer(db, review_id=review.id, item_key=key, value=values[0],
                                     note="seen on site")  # fmt: skip
    with db.read() as s:
        stored = s.get(ChecklistResponse, returned.id)
    assert returned.model_dump() == stored.model_dump()
    assert inspect(returned).transient
    returned.note = "edited in memory"  # attribute events work on it afterwards
    assert returned.note == "edited in memory" and "note" in returned.model_fields_set
