"""The push and pull of the sync service, on SQLite and PostgreSQL (in process)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.server.helpers import change, device, office_tree, ok, push, service


@pytest.fixture
def client(server_db_url: str) -> Iterator[TestClient]:
    with service(server_db_url) as c:
        yield c


@pytest.fixture
def atl(client: TestClient) -> dict[str, str]:
    return device(client, "ann", "inspector", "ATL")


@pytest.fixture
def tree(client: TestClient, atl: dict[str, str]) -> dict[str, str]:
    changes, ids = office_tree("ATL")
    ok(push(client, atl, *changes))
    return ids


def test_same_change_twice_is_applied_once(client, atl, tree):
    item = change("checklist_response", str(uuid.uuid4()),
                  {"review_id": tree["review"], "item_key": "1.1", "value": "yes"})  # fmt: skip
    first = ok(push(client, atl, item))["results"][0]
    again = ok(push(client, atl, item))["results"][0]
    assert first["status"] == "applied" and again["status"] == "duplicate"
    assert again["seq"] == first["seq"] and again["rev"] == first["rev"] == 1
    pulled = ok(client.get("/v1/pull", params={"after": 0}, headers=atl))["changes"]
    assert [c["row_id"] for c in pulled].count(item["row_id"]) == 1


def test_natural_key_names_the_server_row(client, atl, tree):
    bob = device(client, "bob", "inspector", "ATL")
    key = {"review_id": tree["review"], "item_key": "2.3"}
    first = ok(push(client, atl, change("checklist_response", "id-a", {**key, "value": "yes"})))
    second = ok(push(client, bob, change("checklist_response", "id-b", {**key, "note": "seen"})))
    result = second["results"][0]
    assert result["row_id"] == "id-a" == first["results"][0]["row_id"]
    assert result["row"]["value"] == "yes" and result["row"]["note"] == "seen"
    pulled = ok(client.get("/v1/pull", headers=atl))["changes"]
    assert {c["row_id"] for c in pulled if c["table"] == "checklist_response"} == {"id-a"}


def test_field_merge_and_same_field_conflict(client, atl, tree):
    bob = device(client, "bob", "inspector", "ATL")
    row = str(uuid.uuid4())
    ok(push(client, atl, change("checklist_response", row,
                                {"review_id": tree["review"], "item_key": "3.1", "value": "yes"})))  # fmt: skip
    # both edit from rev 1: different fields both survive
    ok(push(client, atl, change("checklist_response", row, {"note": "ann's note"}, op="update",
                                base_rev=1, base={"note": ""})))  # fmt: skip
    merged = ok(push(client, bob, change("checklist_response", row, {"value": "no"}, op="update",
                                         base_rev=1, base={"value": "yes"})))["results"][0]  # fmt: skip
    assert merged["status"] == "merged"
    assert merged["row"]["note"] == "ann's note" and merged["row"]["value"] == "no"
    # the same field from two devices: a conflict row, the server keeps its value
    clash = ok(push(client, atl, change("checklist_response", row, {"value": "n/a"}, op="update",
                                        base_rev=2, base={"value": "yes"})))["results"][0]  # fmt: skip
    assert clash["status"] == "conflict" and clash["row"]["value"] == "no"
    assert len(clash["conflicts"]) == 1
    pulled = ok(client.get("/v1/pull", headers=bob))["changes"]
    conflicts = [c["row"] for c in pulled if c["table"] == "sync_conflict"]
    assert len(conflicts) == 1
    assert conflicts[0]["id"] == clash["conflicts"][0]
    assert conflicts[0]["field"] == "value" and conflicts[0]["reason"] == "same field"
    assert conflicts[0]["server_value"] == "no" and conflicts[0]["client_value"] == "n/a"
    assert conflicts[0]["row_id"] == row and conflicts[0]["resolved"] is False


def test_edit_against_tombstone_is_a_conflict(client, atl, tree):
    bob = device(client, "bob", "inspector", "ATL")
    row = str(uuid.uuid4())
    ok(push(client, atl, change("checklist_response", row,
                                {"review_id": tree["review"], "item_key": "4.1"})))  # fmt: skip
    gone = ok(push(client, atl, change("checklist_response", row, {"deleted": True}, op="delete",
                                       base_rev=1)))["results"][0]  # fmt: skip
    assert gone["row"]["deleted"] is True
    edit = ok(push(client, bob, change("checklist_response", row, {"value": "yes"}, op="update",
                                       base_rev=1, base={"value": None})))["results"][0]  # fmt: skip
    assert edit["status"] == "conflict" and edit["row"]["deleted"] is True
    assert edit["row"]["value"] is None and edit["conflicts"]


def test_change_to_a_final_review_is_a_conflict(client, atl, tree):
    bob = device(client, "bob", "inspector", "ATL")
    row = str(uuid.uuid4())
    ok(push(client, atl, change("checklist_response", row,
                                {"review_id": tree["review"], "item_key": "5.1", "value": "yes"})))  # fmt: skip
    ok(push(client, atl, change("review", tree["review"], {"status": "final"}, op="update",
                                base_rev=1, base={"status": "in_progress"})))  # fmt: skip
    late = ok(push(client, bob, change("checklist_response", row, {"value": "no"}, op="update",
                                       base_rev=1, base={"value": "yes"})))["results"][0]  # fmt: skip
    assert late["status"] == "conflict" and late["row"]["value"] == "yes"
    pulled = ok(client.get("/v1/pull", headers=atl))["changes"]
    reasons = [c["row"]["reason"] for c in pulled if c["table"] == "sync_conflict"]
    assert reasons == ["final"]


def test_pull_pages_and_filters_by_office(client, atl, tree):
    mia = device(client, "max", "inspector", "MIA")
    pm = device(client, "pat", "program-manager")
    mia_changes, _ = office_tree("MIA")
    ok(push(client, mia, *mia_changes))
    items = [change("checklist_response", str(uuid.uuid4()),
                    {"review_id": tree["review"], "item_key": f"9.{i}"}) for i in range(7)]  # fmt: skip
    ok(push(client, atl, *items))
    seen, after, pages = [], 0, 0
    while True:
        page = ok(client.get("/v1/pull", params={"after": after, "limit": 3}, headers=atl))
        seen += page["changes"]
        after, pages = page["cursor"], pages + 1
        if not page["more"]:
            break
    assert pages == 4 and len(seen) == 10  # 3 tree rows + 7 answers, none of MIA's
    seqs = [c["seq"] for c in seen]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    everything = ok(client.get("/v1/pull", params={"limit": 2000}, headers=pm))["changes"]
    assert len(everything) == 13
    mine = ok(client.get("/v1/pull", headers=mia))["changes"]
    assert {c["row"].get("code") for c in mine if c["table"] == "field_office"} == {"MIA"}
    assert len(mine) == 3


def test_other_office_write_is_refused_and_nothing_applied(client, atl, tree):
    mia = device(client, "max", "inspector", "MIA")
    good = change("field_office", str(uuid.uuid4()), {"name": "Miami", "code": "MIA"})
    bad = change("checklist_response", str(uuid.uuid4()),
                 {"review_id": tree["review"], "item_key": "1.1"})  # fmt: skip
    answer = push(client, mia, good, bad)
    assert answer.status_code == 403, answer.text
    assert "ATL" in answer.json()["detail"]
    assert ok(client.get("/v1/pull", headers=mia))["changes"] == []


def test_parent_missing_is_409(client, atl, tree):
    orphan = change("checklist_response", "x", {"review_id": "nope", "item_key": "1"})
    answer = push(client, atl, orphan)
    assert answer.status_code == 409 and "parent" in answer.json()["detail"]


@pytest.mark.parametrize(
    ("mutate", "status", "words"),
    [
        (lambda c: c.update(table="no_such_table"), 422, ["no_such_table"]),
        (lambda c: c["fields"].update(kind="bogus"), 422, ["change 1", "review", "kind"]),
        (lambda c: c["fields"].update(colour="red"), 422, ["change 1", "review", "colour"]),
        (lambda c: c["fields"].update(revision="1"), 422, ["review", "revision"]),
        (lambda c: c.update(op="upsert"), 422, ["changes.1.op"]),
        (lambda c: c.pop("made_at"), 422, ["made_at"]),
    ],
)
def test_invalid_changes_name_the_field(client, atl, mutate, status, words):
    changes, _ = office_tree("ATL")
    mutate(changes[2])
    answer = push(client, atl, changes[0], changes[2])
    assert answer.status_code == status, answer.text
    problem = answer.json()
    assert set(problem) == {"detail", "code"}
    for word in words:
        assert word in problem["detail"]
    assert ok(client.get("/v1/pull", headers=atl))["changes"] == []  # all or nothing


def test_malformed_and_oversized_bodies(client, atl):
    bad = client.post(
        "/v1/push", content=b'{"changes": [', headers={**atl, "Content-Type": "application/json"}
    )
    assert bad.status_code == 400 and "JSON" in bad.json()["detail"]
    huge = b'{"changes": [], "pad": "' + b"x" * (33 * 1024 * 1024) + b'"}'
    big = client.post("/v1/push", content=huge, headers={**atl, "Content-Type": "application/json"})
    assert big.status_code == 413 and "larger" in big.json()["detail"]

    def chunks():  # no Content-Length: the streamed size counts
        for _ in range(40):
            yield b"x" * (1024 * 1024)

    streamed = client.post("/v1/push", content=chunks(), headers=atl)
    assert streamed.status_code == 413


def test_schema_header_older_or_newer_is_426(client, atl):
    from inspector_app.server.schema import SCHEMA_VERSION

    changes, _ = office_tree("ATL")
    for version, words in (
        (SCHEMA_VERSION - 1, "update Inspector"),
        (SCHEMA_VERSION + 1, "server"),
    ):
        answer = push(client, {**atl, "X-Inspector-Schema": str(version)}, changes[0])
        assert answer.status_code == 426 and words in answer.json()["detail"]
    hello = ok(client.get("/v1/hello", headers={"X-Inspector-Schema": str(SCHEMA_VERSION - 1)}))
    assert hello["upgrade_required"] is True and hello["schema_version"] == SCHEMA_VERSION


def test_an_unknown_query_parameter_is_refused_by_name(client, atl):
    """A typo (`afer`) would otherwise pull from the start, unnoticed."""
    answer = client.get("/v1/pull", params={"afer": 5}, headers=atl)
    assert answer.status_code == 422
    assert answer.json()["detail"] == "query.afer: unknown query parameter"
    assert client.get("/v1/pull?after=5&=false", headers=atl).status_code == 422  # fuzz found
    assert client.get("/v1/pull", params={"after": 0}, headers=atl).status_code == 200
