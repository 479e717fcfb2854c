"""Edits, deletes, inserts and reorders of audit rows made straight in the file are
all detected by `audit verify`, naming the right first bad entry."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspector_app.services import agencies as ag
from inspector_app.services import audit
from inspector_app.store.database import open_database
from tests.audit.helpers import cli, entries, sql

N = 8  # entries in the template file
EDITABLE = ("at", "component", "event", "user", "outcome", "entity", "entity_id", "detail",
            "device_id", "action", "prev_hash", "hash")  # fmt: skip
NEW_VALUES = {"at": "2031-01-01 00:00:00.000000", "detail": '{"forged":true}',
              "prev_hash": "f" * 64, "hash": "e" * 64}  # fmt: skip


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("audit") / "t.db"
    db = open_database(path, user="Test", daily_backup=False)
    office = ag.create_field_office(db, name="Atlanta", code="atl", state="ga")
    for i in range(N - 2):
        ag.create_agency(db, name=f"Agency {i}", state="GA", field_office_id=office.id)
    audit.record_event(db, "sign-in", "success", "account", "Test")
    assert audit.verify_chain(db).ok and audit.chain_head(db)[0] == N
    db.close()
    return path


def _copy(template: Path, folder: Path) -> Path:
    for p in folder.glob("c.db*"):
        p.unlink()
    return Path(shutil.copy(template, folder / "c.db"))


def _verify(path: Path) -> audit.ChainReport:
    db = open_database(path, daily_backup=False)
    try:
        return audit.verify_chain(db)
    finally:
        db.close()


def _shift(path: Path, from_id: int, by: int) -> None:
    """Renumber entries from `from_id` on by `by` (through negatives: no clash)."""
    sql(path, ("UPDATE audit_log SET id = -(id + ?) WHERE id >= ?", (by, from_id)),
        ("UPDATE audit_log SET id = -id WHERE id < 0", ()))  # fmt: skip


def _edit(path: Path, k: int, column: str) -> None:
    value = NEW_VALUES.get(column, "forged")
    sql(path, (f'UPDATE audit_log SET "{column}" = ? WHERE id = ?', (value, k)))


def _delete(path: Path, k: int, renumber: bool) -> None:
    sql(path, ("DELETE FROM audit_log WHERE id = ?", (k,)))
    if renumber:
        _shift(path, k + 1, -1)


def _insert(path: Path, k: int, renumber: bool) -> None:
    """A made-up entry at position k: chained on k-1 (its prev_hash right) or not."""
    rows = {e["id"]: e for e in entries(path)}
    if renumber:
        _shift(path, k, 1)
    prev = rows[k - 1]["hash"] if k > 1 else "0" * 64
    ident = k if renumber else N + 1
    if not renumber:
        prev = rows[N]["hash"]
    sql(path, (
        'INSERT INTO audit_log (id, at, component, event, "user", outcome, entity, entity_id, '
        "detail, device_id, action, prev_hash, hash) VALUES "
        "(?, '2026-01-01 00:00:00.000000', 'app', 'delete', 'Mallory', 'success', 'agency', "
        "'x', '{}', 'dev', 'remove_agency', ?, ?)", (ident, prev, "d" * 64)))  # fmt: skip


def _swap(path: Path, i: int, j: int) -> None:
    sql(path, ("UPDATE audit_log SET id = -1 WHERE id = ?", (i,)),
        ("UPDATE audit_log SET id = ? WHERE id = ?", (i, j)),
        ("UPDATE audit_log SET id = ? WHERE id = -1", (j,)))  # fmt: skip


tampering = st.one_of(
    st.tuples(st.just("edit"), st.integers(1, N), st.sampled_from(EDITABLE)),
    st.tuples(st.just("delete"), st.integers(1, N), st.booleans()),
    st.tuples(st.just("insert"), st.integers(1, N), st.booleans()),
    st.tuples(st.just("reorder"), st.integers(1, N - 1), st.integers(1, N - 1)),
)


def _apply(path: Path, change: tuple) -> int | None:
    """Tamper; the first bad entry verify must name (None: the change is not visible
    without a witness, i.e. the last entry deleted before any sync)."""
    kind, k, extra = change
    if kind == "edit":
        _edit(path, k, extra)
        return k
    if kind == "delete":
        _delete(path, k, extra)
        return None if k == N else k
    if kind == "insert":
        _insert(path, k, extra)
        return k if extra else N + 1
    j = k + extra if k + extra <= N else N
    _swap(path, k, j if j != k else k + 1)
    return k


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(change=tampering)
def test_every_tampering_is_found_at_the_right_entry(template, tmp_path, change):
    path = _copy(template, tmp_path)
    expected = _apply(path, change)
    report = _verify(path)
    if expected is None:  # the newest entry deleted: only a witness can tell (next test)
        assert report.ok and report.entries == N - 1
        return
    assert not report.ok, change
    assert report.first_bad == expected, (change, report)
    assert report.problem


def test_the_newest_entries_deleted_after_a_sync_are_found(template, tmp_path):
    path = _copy(template, tmp_path)
    db = open_database(path, daily_backup=False)
    audit.remember_synced_head(db, audit.chain_head(db))  # what a sync does
    db.close()
    sql(path, ("DELETE FROM audit_log WHERE id >= ?", (N - 1,)))
    report = _verify(path)
    assert not report.ok and report.first_bad == N - 1 and "missing" in report.problem
    code, out, _err = cli("audit", "verify", "--db", str(path))
    assert code == 1 and f"BROKEN at entry {N - 1}" in out


def test_an_untouched_copy_verifies(template, tmp_path):
    path = _copy(template, tmp_path)
    report = _verify(path)
    assert report.ok and report.entries == N and report.first_bad is None
