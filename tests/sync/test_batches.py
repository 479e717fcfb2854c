"""The laptop's batch paths (keep_results, apply_page, build_changes): a few statements
per batch whatever its size, and the same rows as apply_row one at a time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, select

from inspector_app.domain.sync import ChangeResult, PullResponse, ServerChange
from inspector_app.services.sync.apply import apply_page, apply_row
from inspector_app.services.sync.outbox import build_changes, pending_entries
from inspector_app.services.sync.push import keep_results
from inspector_app.services.sync.rows import SYNC_BASE, base_of, last_seq
from inspector_app.services.uow import unit_of_work
from inspector_app.store.database import Database, open_database
from inspector_app.store.models import ChecklistResponse, utcnow
from tests.conftest import copy_database

from .helpers import payload, pending, row, started_review


@contextmanager
def counted(db: Database) -> Iterator[list[str]]:
    """The SQL statements run on `db` meanwhile (an executemany counts once)."""
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def _answer(db: Database, review_id: str, i: int, value: str) -> None:
    """An answer written as record_answer writes it (any item key, as bench/sync.py)."""
    with unit_of_work(db, "test_answer") as uow:
        uow.save_keyed(ChecklistResponse, {"review_id": review_id, "item_key": f"s0.item_{i:03d}"},
                       {"value": value, "answered_by": uow.user, "answered_at": utcnow(),
                        "deleted": False}, review_id=review_id)  # fmt: skip


def _answers(db: Database, n: int) -> str:
    review_id = started_review(db)
    for i in range(n):
        _answer(db, review_id, i, "no")
    return review_id


def _acknowledge(db: Database) -> list[str]:
    """keep_results for every pending entry, as a server that applied them answers; the
    statements it ran."""
    with db.read() as s:
        conn = s.connection()
        entries = pending_entries(conn, 0, last_seq(conn), limit=10_000)
    results = [
        ChangeResult(change_id=e.change_id, status="applied", seq=n, table=e.table,
                     row_id=e.row_id, rev=1, row={**e.payload, "rev": 1})
        for n, e in enumerate(entries, 1)
    ]  # fmt: skip
    with counted(db) as seen:
        keep_results(db, entries, results)
    return seen


def test_keep_results_runs_the_same_few_statements_for_5_or_60_results(tmp_path):
    counts = []
    for n in (5, 60):
        db = open_database(tmp_path / f"{n}.db", user="Test Inspector", daily_backup=False)
        try:
            _answers(db, n)
            counts.append(len(_acknowledge(db)))
            assert pending(db) == []
            with db.read() as s:
                bases = s.connection().execute(select(SYNC_BASE.c.table_name)).all()
            assert sum(1 for b in bases if b[0] == "checklist_response") == n
        finally:
            db.close()
    assert counts[0] == counts[1] < 40


def test_build_changes_reads_sync_base_once_per_table(db):
    _answers(db, 30)
    _acknowledge(db)
    review_id = None
    with db.read() as s:
        review_id = s.connection().exec_driver_sql("SELECT id FROM review").scalar_one()
    for i in range(30):
        _answer(db, review_id, i, "yes")
    with db.read() as s, counted(db) as seen:
        conn = s.connection()
        changes = build_changes(conn, pending_entries(conn, 0, last_seq(conn)))
    assert sum("sync_base" in q for q in seen) <= 3
    answers = [c for c in changes if c.table == "checklist_response"]
    assert len(answers) == 30 and all(c.op == "update" and c.base_rev == 1 for c in answers)
    assert all(c.fields["value"] == "yes" and c.base["value"] == "no" for c in answers)


def _page(source: Database) -> PullResponse:
    """Every row of `source` as a server's pull page (the live rows, rev 1)."""
    changes = []
    seq = 0
    for e in pending(source):
        seq += 1
        changes.append(ServerChange(seq=seq, table=e["table_name"], row_id=e["row_id"],
                                    rev=seq, op="update", row=payload(source, e["table_name"], e["row_id"])))  # fmt: skip
    return PullResponse(changes=changes, cursor=seq, more=False)


def test_a_page_into_an_empty_laptop_is_applied_with_few_statements(tmp_path, db):
    _answers(db, 40)
    page = _page(db)
    fresh = open_database(tmp_path / "fresh.db", user="Reader", daily_backup=False)
    try:
        with counted(fresh) as seen:
            applied = apply_page(fresh, page)
        assert applied == len(page.changes)
        assert len(seen) < 60  # not several per row
        for change in page.changes:
            assert row(fresh, change.table, change.row_id) is not None
        with fresh.read() as s:
            conn = s.connection()
            last = page.changes[-1]
            assert base_of(conn, last.table, last.row_id)[0] == last.rev
        assert pending(fresh) == []
        again = apply_page(fresh, page)  # versions already here are skipped
        assert again == 0
    finally:
        fresh.close()


def test_a_page_matches_apply_row_one_at_a_time(tmp_path, db):
    """Two versions of one row and a natural-key row the page already inserted under
    another id (a re-key): the batch gives what apply_row gave row by row."""
    review_id = _answers(db, 3)
    source = pending(db)
    answer = next(e for e in source if e["table_name"] == "checklist_response")
    first = payload(db, "checklist_response", answer["row_id"])
    other_id = "0f0f0f0f-0000-4000-8000-0000000000aa"
    renamed = {**first, "id": other_id, "note": "server's id"}
    edited = {**first, "value": "yes", "note": "theirs"}
    page_rows = [(e["table_name"], e["row_id"], payload(db, e["table_name"], e["row_id"]))
                 for e in source]  # fmt: skip
    page_rows += [("checklist_response", answer["row_id"], edited),
                  ("checklist_response", other_id, renamed)]  # fmt: skip
    template = open_database(tmp_path / "other.db", user="Other", daily_backup=False)
    try:  # the other laptop's own rows: other ids, the same natural keys
        _answer(template, started_review(template), 1, "na")
    finally:
        template.close()
    outcomes = []
    for mode in ("batch", "one"):
        path = copy_database(tmp_path / "other.db", tmp_path / f"{mode}.db")
        laptop = open_database(path, user="Other", daily_backup=False)
        try:
            changes = [ServerChange(seq=n, table=t, row_id=i, rev=n, op="update", row=r)
                       for n, (t, i, r) in enumerate(page_rows, 1)]  # fmt: skip
            page = PullResponse(changes=changes, cursor=len(changes), more=False)
            if mode == "batch":
                apply_page(laptop, page)
            else:
                with laptop.write() as s:
                    conn = s.connection()
                    conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
                    for c in changes:
                        base = base_of(conn, c.table, c.row_id)
                        if base is None or base[0] < c.rev:
                            apply_row(conn, c.table, c.row_id, c.rev, c.row)
                    s.commit()
            outcomes.append(_snapshot(laptop))
        finally:
            laptop.close()
    assert outcomes[0] == outcomes[1]
    assert review_id


def _snapshot(db: Database) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with db.read() as s:
        conn = s.connection()
        for table in ("review", "checklist_response", "sync_base", "change_log"):
            rows = conn.exec_driver_sql(f"SELECT * FROM {table}").mappings().all()  # noqa: S608
            drop = {"created_at", "updated_at", "seq", "change_id"}
            out[table] = sorted(
                repr(sorted((k, v) for k, v in r.items() if k not in drop)) for r in rows
            )
    return out
