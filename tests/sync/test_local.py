"""The laptop side of sync without a server: ids, diffs, rebase, re-key, conflicts."""

from __future__ import annotations

import httpx
import pytest

from inspector_app.domain.errors import KnownError
from inspector_app.domain.sync import ChangeResult
from inspector_app.services import findings, reviews
from inspector_app.services.sync import SyncError, open_conflicts, resolve_conflict, sync_status
from inspector_app.services.sync.apply import apply_row
from inspector_app.services.sync.client import SyncClient
from inspector_app.services.sync.outbox import build_changes, pending_entries
from inspector_app.services.sync.push import keep_results
from inspector_app.services.sync.rows import base_of, last_seq, set_base
from inspector_app.services.uow import natural_id

from .helpers import ITEM, interview_answer, payload, pending, row, started_review


def _changes(db):
    with db.read() as s:
        conn = s.connection()
        return build_changes(conn, pending_entries(conn, 0, last_seq(conn)))


def test_natural_key_rows_get_the_same_id_on_every_laptop(db):
    review_id = started_review(db)
    answer = reviews.record_answer(db, review_id=review_id, item_key=ITEM, value="no")
    assert answer.id == natural_id("checklist_response",
                                   {"review_id": review_id, "item_key": ITEM})  # fmt: skip
    interview_id, answer_id = interview_answer(db, review_id)
    got = row(db, "interview_answer", answer_id)
    assert answer_id == natural_id("interview_answer", got)
    assert natural_id("review", {"id": "x"}) is None


def test_an_insert_then_an_update_in_one_batch_sends_all_columns_then_the_difference(db):
    review_id = started_review(db)
    reviews.record_answer(db, review_id=review_id, item_key=ITEM, value="no")
    reviews.record_answer(db, review_id=review_id, item_key=ITEM, value="yes", note="seen")
    answers = [c for c in _changes(db) if c.table == "checklist_response"]
    assert [c.op for c in answers] == ["insert", "update"]
    assert answers[0].base_rev == 0 and answers[0].base == {}
    assert answers[0].fields["value"] == "no" and "item_key" in answers[0].fields
    assert answers[1].fields == {"value": "yes", "note": "seen"} | {
        k: v for k, v in answers[1].fields.items() if k == "answered_at"
    }
    assert answers[1].base["value"] == "no" and answers[1].base["note"] == ""


def test_an_update_is_diffed_against_the_version_the_server_acknowledged(db):
    review_id = started_review(db)
    answer = reviews.record_answer(db, review_id=review_id, item_key=ITEM, value="no")
    agreed = payload(db, "checklist_response", answer.id)
    with db.write() as s:
        conn = s.connection()
        conn.exec_driver_sql("UPDATE change_log SET pushed_seq = 1")
        set_base(conn, "checklist_response", answer.id, 7, agreed)
        s.commit()
    reviews.record_answer(db, review_id=review_id, item_key=ITEM, value="no", note="only a note")
    (change,) = _changes(db)
    assert (change.op, change.base_rev) == ("update", 7)
    assert change.fields.keys() - {"answered_at"} == {"note"}
    assert change.fields["note"] == "only a note" and change.base["note"] == ""


def test_pull_rebases_pending_edits_column_by_column(db):
    review_id = started_review(db)
    answer = reviews.record_answer(db, review_id=review_id, item_key=ITEM, value="no")
    agreed = payload(db, "checklist_response", answer.id)
    with db.write() as s:
        s.connection().exec_driver_sql("UPDATE change_log SET pushed_seq = 1")
        set_base(s.connection(), "checklist_response", answer.id, 3, agreed)
        s.commit()
    reviews.record_answer(db, review_id=review_id, item_key=ITEM, value="no", note="mine")
    before = row(db, "checklist_response", answer.id)
    theirs = {**agreed, "value": "yes", "note": "theirs", "updated_by": "Other", "rev": 4}
    with db.write() as s:
        assert apply_row(s.connection(), "checklist_response", answer.id, 4, theirs)
        s.commit()
    after = row(db, "checklist_response", answer.id)
    assert (after["value"], after["note"]) == ("yes", "mine")  # their column, my column
    assert after["rev"] == before["rev"] + 1  # an open editor sees the change
    (entry,) = pending(db)
    assert (entry["payload"]["value"], entry["payload"]["note"]) == ("yes", "mine")
    (change,) = _changes(db)
    assert change.base_rev == 4 and change.fields.keys() - {"answered_at"} == {"note"}


def test_a_version_already_here_changes_nothing(db):
    review_id = started_review(db)
    answer = reviews.record_answer(db, review_id=review_id, item_key=ITEM, value="no")
    same = payload(db, "checklist_response", answer.id)
    rev = row(db, "checklist_response", answer.id)["rev"]
    with db.write() as s:
        assert not apply_row(s.connection(), "checklist_response", answer.id, 2, same)
        s.commit()
    assert row(db, "checklist_response", answer.id)["rev"] == rev


def test_a_natural_key_row_known_under_another_id_is_re_keyed_with_its_references(db):
    review_id = started_review(db)
    interview_id, answer_id = interview_answer(db, review_id)
    finding = findings.add_finding(db, review_id=review_id, kind="area_of_concern",
                                   topic="complaints", interview_answer_id=answer_id)  # fmt: skip
    server_id = "0f0f0f0f-0000-4000-8000-000000000001"
    theirs = {**payload(db, "interview_answer", answer_id), "id": server_id, "note": "theirs"}
    with db.write() as s:
        apply_row(s.connection(), "interview_answer", server_id, 5, theirs)
        s.commit()
    assert row(db, "interview_answer", answer_id) is None
    assert row(db, "interview_answer", server_id)["question_key"] == theirs["question_key"]
    assert row(db, "finding", finding.id)["interview_answer_id"] == server_id
    entries = pending(db)
    assert {e["row_id"] for e in entries if e["table_name"] == "interview_answer"} == {server_id}
    assert all(e["payload"]["id"] == server_id for e in entries
               if e["table_name"] == "interview_answer")  # fmt: skip
    assert all(e["payload"]["interview_answer_id"] == server_id for e in entries
               if e["table_name"] == "finding")  # fmt: skip


def test_push_results_acknowledge_entries_and_re_key(db):
    review_id = started_review(db)
    answer = reviews.record_answer(db, review_id=review_id, item_key=ITEM, value="no")
    with db.read() as s:
        conn = s.connection()
        entries = pending_entries(conn, 0, last_seq(conn))
    server_id = "0f0f0f0f-0000-4000-8000-000000000002"
    results = []
    for n, e in enumerate(entries, 1):
        rid = server_id if e.row_id == answer.id else e.row_id
        results.append(ChangeResult(change_id=e.change_id, status="applied", seq=n,
                                    table=e.table, row_id=rid, rev=1,
                                    row={**e.payload, "id": rid}))  # fmt: skip
    keep_results(db, entries, results)
    assert pending(db) == []
    assert row(db, "checklist_response", answer.id) is None
    assert row(db, "checklist_response", server_id)["value"] == "no"
    with db.read() as s:
        assert base_of(s.connection(), "checklist_response", server_id)[0] == 1
    assert sync_status(db).waiting == 0


def _conflict(db, answer_id, review_id, reason="same field"):
    conflict_id = "c0c0c0c0-0000-4000-8000-000000000001"
    fields = {
        "id": conflict_id, "rev": 1, "updated_at": "2026-11-02T10:00:00Z", "updated_by": "srv",
        "device_id": "srv", "deleted": False, "table_name": "checklist_response",
        "row_id": answer_id, "field": "value", "server_value": "no", "client_value": "yes",
        "reason": reason, "review_id": review_id, "client_device": "B", "client_user": "Bo",
        "resolved": False, "resolution": "", "resolved_by": "", "resolved_at": None,
    }  # fmt: skip
    with db.write() as s:
        apply_row(s.connection(), "sync_conflict", conflict_id, 1, fields)
        s.commit()
    return conflict_id


def test_a_conflict_is_listed_and_resolved_as_an_ordinary_change(db):
    review_id = started_review(db)
    answer = reviews.record_answer(db, review_id=review_id, item_key=ITEM, value="no")
    conflict_id = _conflict(db, answer.id, review_id)
    (c,) = open_conflicts(db)
    assert (c.id, c.field, c.server_value, c.client_value) == (conflict_id, "value", "no", "yes")
    # a person's name for it: agency, review kind, the item's key and question
    assert c.what.startswith("Alder County SO, JEM inspection: item ")
    assert ITEM in c.what and "complaint poster" in c.what
    assert sync_status(db).open_conflicts == 1
    waiting = sync_status(db).waiting
    resolve_conflict(db, conflict_id, "client", c.rev)
    assert row(db, "checklist_response", answer.id)["value"] == "yes"
    resolved = row(db, "sync_conflict", conflict_id)
    assert resolved["resolved"] and resolved["resolution"] == "client"
    assert resolved["resolved_by"] == "Test Inspector" and resolved["resolved_at"] is not None
    assert open_conflicts(db) == [] and sync_status(db).waiting == waiting + 2


def test_a_final_conflict_cannot_keep_the_other_version(db):
    review_id = started_review(db)
    answer = reviews.record_answer(db, review_id=review_id, item_key=ITEM, value="no")
    conflict_id = _conflict(db, answer.id, review_id, reason="final")
    with pytest.raises(KnownError, match="amend the review first"):
        resolve_conflict(db, conflict_id, "client", 1)
    resolve_conflict(db, conflict_id, "server", 1)
    assert open_conflicts(db) == []


def _client(handler, sleeps, note=""):
    return SyncClient("https://sync.example.test", "tok", sleep=sleeps.append,
                      transport=httpx.MockTransport(handler), unreachable_note=lambda: note)  # fmt: skip


def test_a_refusal_is_one_line_from_the_servers_problem():
    seen = []

    def handler(request):
        seen.append(request)
        return httpx.Response(401, json={"detail": "unknown device token", "code": "auth"})

    client = _client(handler, [])
    with pytest.raises(SyncError) as err:
        client.request("GET", "/v1/me")
    assert str(err.value) == "https://sync.example.test refused this laptop: unknown device token"
    assert seen[0].headers["authorization"] == "Bearer tok"
    assert int(seen[0].headers["x-inspector-schema"]) >= 2


def test_connection_failures_and_5xx_are_retried_with_backoff_then_one_line():
    sleeps: list[float] = []

    def handler(request):
        if len(sleeps) < 2:
            raise httpx.ConnectError("connection refused")
        return httpx.Response(503, json={"detail": "busy"})

    client = _client(handler, sleeps, "12 changes still waiting")
    with pytest.raises(SyncError) as err:
        client.request("POST", "/v1/push")
    assert sleeps == [1.0, 2.0, 4.0]
    assert str(err.value).startswith("server unreachable: https://sync.example.test")
    assert str(err.value).endswith("12 changes still waiting") and "\n" not in str(err.value)


def test_a_request_after_a_failure_succeeds():
    sleeps: list[float] = []
    answers = iter([httpx.Response(502), httpx.Response(200, json={"ok": 1})])
    client = _client(lambda r: next(answers), sleeps)
    assert client.request("GET", "/v1/hello").json() == {"ok": 1} and sleeps == [1.0]
