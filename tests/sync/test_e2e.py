"""Two laptops and the real service (a subprocess, SQLite and PostgreSQL back ends),
through the CLI in-process: enrollment, office filtering, merges, conflicts, resumes."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from inspector_app.cli.main import run
from inspector_app.services import reviews
from inspector_app.services.sync import SyncError, sync, sync_status
from inspector_app.services.sync.rows import table_of
from inspector_app.store.database import open_database
from tests.serverfixtures import ServerProc, running_server

pytestmark = pytest.mark.slow


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run(list(args))
    return code, out.getvalue(), err.getvalue()


def ok(*args: str) -> str:
    code, out, err = cli(*args)
    assert code == 0, err
    return out


def rows(path: Path, table: str, **where: Any) -> list[dict[str, Any]]:
    db = open_database(path, daily_backup=False)
    try:
        t = table_of(table)
        query = select(t).where(*(t.c[k] == v for k, v in where.items()))
        with db.read() as s:
            return [dict(r) for r in s.connection().execute(query).mappings()]
    finally:
        db.close()


def report(path: Path, *extra: str) -> dict[str, Any]:
    return json.loads(ok("sync", "--db", str(path), "--json", *extra))


@pytest.fixture
def server(server_db_url: str, tmp_path: Path) -> Iterator[ServerProc]:
    logs = tmp_path / "server-logs"
    logs.mkdir()
    with running_server(server_db_url, logs) as proc:
        yield proc


@pytest.fixture
def pair(server: ServerProc, demo_db_path: Path, tmp_path: Path) -> tuple[Path, Path]:
    """Laptop A (the demo) and laptop B (new, empty), both synced as ATL inspectors."""
    a, b = demo_db_path, tmp_path / "b" / "laptop.db"
    first = report(a, "--server", server.url, "--token", server.add_user("ann", "inspector", "ATL"))
    assert first["pushed"] > 100 and first["blobs_up"] > 0
    got = report(b, "--server", server.url, "--token", server.add_user("bob", "inspector", "ATL"))
    assert got["pulled"] > 100 and got["blobs_down"] == first["blobs_up"]
    return a, b


def _editable_answer(path: Path) -> dict[str, Any]:
    """A yes/no answer of a review in progress, present on both laptops."""
    review = next(r for r in rows(path, "review") if r["status"] == "in_progress")
    return next(r for r in rows(path, "checklist_response", review_id=review["id"])
                if r["value"] in ("yes", "no"))  # fmt: skip


def _answer(path: Path, answer: dict[str, Any], **changes: Any) -> None:
    db = open_database(path, daily_backup=False)
    try:
        reviews.record_answer(db, review_id=answer["review_id"], item_key=answer["item_key"],
                              **{"value": answer["value"], **changes})  # fmt: skip
    finally:
        db.close()


def test_b_gets_only_atl_and_final_reviews_verify_and_a_second_sync_is_empty(pair):
    a, b = pair
    offices = {o["id"]: o["code"] for o in rows(b, "field_office")}
    assert set(offices.values()) == {"ATL"}
    assert {offices[x["field_office_id"]] for x in rows(b, "agency")} == {"ATL"}
    atl_a = {o["id"] for o in rows(a, "field_office") if o["code"] == "ATL"}
    assert {x["id"] for x in rows(b, "agency")} == {
        x["id"] for x in rows(a, "agency") if x["field_office_id"] in atl_a
    }
    finals = [r["id"] for r in rows(b, "review") if r["status"] == "final"]
    assert finals
    for review_id in finals:
        assert "matches" in ok("verify", review_id, "--db", str(b))
    for laptop in (a, b):
        again = report(laptop)
        assert (again["pushed"], again["pulled"], again["new_conflicts"]) == (0, 0, [])
    info = json.loads(ok("status", "--db", str(b), "--json"))
    assert info["changes_waiting"] == 0 and info["open_conflicts"] == 0 and info["last_sync"]


def test_different_fields_merge_and_one_item_answered_twice_is_one_conflict(pair):
    a, b = pair
    answer = _editable_answer(a)
    _answer(a, answer, value="no" if answer["value"] == "yes" else "yes")
    _answer(b, answer, note="seen on the wall")
    for laptop in (a, b, a):
        report(laptop)
    for laptop in (a, b):
        (now,) = rows(laptop, "checklist_response", id=answer["id"])
        assert (now["value"], now["note"]) != (answer["value"], answer["note"])
        assert now["value"] != answer["value"] and now["note"] == "seen on the wall"
    # Both edits stamped answered_at (a content column for domain.sync's merge rule), so
    # that column conflicts beside the merged ones: settle it to start the next round.
    bookkeeping = json.loads(ok("conflicts", "--db", str(a), "--json"))
    assert {c["field"] for c in bookkeeping} <= {"answered_at", "answered_by"}
    for each in bookkeeping:
        ok("conflicts", "resolve", each["id"], "--keep", "server", "--db", str(a))
    for laptop in (a, b, a):
        report(laptop)
    assert json.loads(ok("conflicts", "--db", str(b), "--json")) == []

    (before,) = rows(a, "checklist_response", id=answer["id"])
    _answer(a, before, value=None)
    _answer(b, before, value=answer["value"])
    report(a)
    new = report(b)["new_conflicts"]
    report(a)
    # One conflict about the answer's value; answered_at/answered_by (content columns in
    # domain.sync, not sync fields) conflict beside it when the two answers differ.
    assert [c["field"] for c in new if c["field"] == "value"] == ["value"]
    assert {c["field"] for c in new} <= {"value", "answered_at", "answered_by"}
    listed = [json.loads(ok("conflicts", "--db", str(p), "--json")) for p in (a, b)]
    assert [{c["id"] for c in x} for x in listed] == [{c["id"] for c in new}] * 2
    (c,) = [c for c in listed[0] if c["field"] == "value"]
    assert c["row_id"] == answer["id"] and c["reason"] == "same field"
    assert c["server_value"] is None and c["client_value"] == answer["value"]
    assert c["id"][:8] in ok("conflicts", "--db", str(a))
    for each in listed[0]:
        ok("conflicts", "resolve", each["id"][:8], "--keep", "client", "--db", str(a))
    for laptop in (a, b, a):
        report(laptop)
    for laptop in (a, b):
        assert json.loads(ok("conflicts", "--db", str(laptop), "--json")) == []
        (now,) = rows(laptop, "checklist_response", id=answer["id"])
        assert now["value"] == answer["value"]


def test_a_sync_killed_between_push_batches_resumes_without_loss_or_duplicates(
    server: ServerProc, demo_db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr("inspector_app.services.sync.client.BACKOFF", (0.05, 0.05, 0.05))
    a = demo_db_path
    db = open_database(a, daily_backup=False)
    try:
        answer = _editable_answer(a)
        for n in range(600):  # more than one batch of the review's office
            reviews.record_answer(db, review_id=answer["review_id"], item_key=answer["item_key"],
                                  value=answer["value"], note=f"note {n}")  # fmt: skip
        token = server.add_user("ann", "inspector", "ATL")

        def kill_after_first_batch(p):
            if p.phase == "push" and p.done > 0:
                server.kill()

        with pytest.raises(SyncError, match="server unreachable") as err:
            sync(db, server=server.url, token=token, progress=kill_after_first_batch)
        assert "\n" not in str(err.value) and "changes still waiting" in str(err.value)
        waiting = sync_status(db).waiting
        server.start()
        done = sync(db)
        assert done.pushed > 0 and sync_status(db).waiting == waiting - done.pushed
    finally:
        db.close()
    b = tmp_path / "b.db"
    report(b, "--server", server.url, "--token", server.add_user("bob", "inspector", "ATL"))
    (on_b,) = rows(b, "checklist_response", id=answer["id"])
    assert on_b["note"] == "note 599"
    assert len(rows(b, "checklist_response")) == len(
        [r for r in rows(a, "checklist_response")
         if r["review_id"] in {x["id"] for x in rows(b, "review")}]
    )  # fmt: skip


def test_wrong_token_and_server_down_are_one_line_exit_2(
    server: ServerProc, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr("inspector_app.services.sync.client.BACKOFF", (0.05, 0.05, 0.05))
    laptop = str(tmp_path / "c.db")
    code, _, err = cli("sync", "--db", laptop, "--server", server.url, "--token", "x" * 40)
    assert code == 2 and err.count("\n") == 1 and "refused" in err
    code, _, err = cli("sync", "--db", laptop)
    assert code == 2 and err.count("\n") == 1 and "--server" in err
    ok("sync", "--db", laptop, "--server", server.url,
       "--token", server.add_user("cy", "inspector", "ATL"))  # fmt: skip
    server.kill()
    code, _, err = cli("sync", "--db", laptop)
    errors = [line for line in err.splitlines() if line.startswith("inspector-app:")]
    assert code == 2 and len(errors) == 1 and "server unreachable" in errors[0]
    assert err.splitlines()[-1] == errors[0]
