"""A push's cost does not grow with statements per change, and receipts (which keep no
copy of a written row) still answer a duplicate with the row as it was then."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select

from inspector_app.server.storage import read_tx, receipts
from tests.server.helpers import change, device, office_tree, ok, push, service


@pytest.fixture
def client(server_db_url: str) -> Iterator[TestClient]:
    with service(server_db_url) as c:
        yield c


@contextmanager
def counted(client: TestClient) -> Iterator[list[str]]:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def _answers(review: str, n: int) -> list[dict[str, Any]]:
    return [
        change("checklist_response", str(uuid.uuid4()),
               {"review_id": review, "item_key": f"s{i}.x", "value": "yes", "note": f"n{i}"})
        for i in range(n)
    ]  # fmt: skip


def test_a_push_of_5_or_80_answers_runs_the_same_statements(client):
    atl = device(client, "ann", "inspector", "ATL")
    tree, ids = office_tree("ATL")
    ok(push(client, atl, *tree))
    counts = []
    for n in (5, 80):
        with counted(client) as seen:
            ok(push(client, atl, *_answers(ids["review"], n)))
        counts.append(len(seen))
    assert counts[0] == counts[1]


def test_a_duplicate_gets_the_first_result_with_its_row(client):
    atl = device(client, "ann", "inspector", "ATL")
    tree, ids = office_tree("ATL")
    ok(push(client, atl, *tree))
    answers = _answers(ids["review"], 3)
    first = ok(push(client, atl, *answers))["results"]
    # the row changes afterwards: a duplicate still answers the row as its change left it
    later = change("checklist_response", answers[0]["row_id"], {"value": "no"}, op="update",
                   base_rev=1, base={"value": "yes"})  # fmt: skip
    ok(push(client, atl, later))
    again = ok(push(client, atl, *answers))["results"]
    assert [r["status"] for r in again] == ["duplicate"] * 3
    for a, b in zip(first, again, strict=True):
        assert {**a, "status": "duplicate"} == b
    assert again[0]["row"]["value"] == "yes" and again[0]["row"]["note"] == "n0"
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with read_tx(engine) as conn:
        kept = conn.execute(select(receipts.c.result)).scalars().all()
    assert all("row" not in r for r in kept if r["seq"] is not None)


def test_a_change_that_writes_nothing_keeps_its_row_in_the_receipt(client):
    atl = device(client, "ann", "inspector", "ATL")
    tree, ids = office_tree("ATL")
    ok(push(client, atl, *tree))
    (answer,) = _answers(ids["review"], 1)
    ok(push(client, atl, answer))
    same = change("checklist_response", answer["row_id"], {"value": "yes"}, op="update",
                  base_rev=1, base={"value": "yes"})  # fmt: skip
    first = ok(push(client, atl, same))["results"][0]
    again = ok(push(client, atl, same))["results"][0]
    assert again == {**first, "status": "duplicate"} and again["row"]["value"] == "yes"
