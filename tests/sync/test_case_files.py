"""Issue 13: case files added on two laptops offline stay two case files after sync, and
the review's case-file list (the order answer ``case_documents[]``) merges without a
conflict (domain.forms.layout.merge_order; docs/sync.md)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from inspector_app.domain.forms import layout
from inspector_app.services import reviews
from inspector_app.services.sync import open_conflicts, sync
from inspector_app.services.sync.apply import Applier, apply_row
from inspector_app.services.sync.outbox import build_changes, pending_entries
from inspector_app.services.sync.rows import last_seq, set_base
from inspector_app.store import queries
from inspector_app.store.database import Database, open_database
from tests.serverfixtures import ServerProc, running_server

from .helpers import payload, pending, row, started_review

SECTION = "case_documents"
ORDER = layout.order_key(SECTION)


def _stored(db: Database, review_id: str) -> dict[str, str | None]:
    with db.read() as s:
        data = queries.load_review(s, review_id)
        assert data is not None
        return {k: r.value for k, r in data.responses.items()}


def _add_case_file(db: Database, review_id: str, reference: str, i213: str) -> int:
    """What *Add case file* does (ui.workspace.repeats), then two answers in the new file."""
    stored = _stored(db, review_id)
    order = layout.parse_order(stored.get(ORDER))
    n = layout.next_instance(SECTION, set(stored), order)
    reviews.record_answer(db, review_id=review_id, item_key=ORDER,
                          value=layout.format_order([*order, n]))  # fmt: skip
    for item, value in (("reference", reference), ("i213_complete", i213)):
        key = layout.instance_key(f"{SECTION}.{item}", SECTION, n)
        reviews.record_answer(db, review_id=review_id, item_key=key, value=value)
    return n


def _case_files(db: Database, review_id: str) -> list[tuple[str | None, str | None]]:
    """(reference, I-213 answer) of each case file, in the list's order."""
    stored = _stored(db, review_id)
    return [(stored.get(f"{SECTION}[{n}].reference"), stored.get(f"{SECTION}[{n}].i213_complete"))
            for n in layout.parse_order(stored.get(ORDER))]  # fmt: skip


# --- the laptop's rebase of a pending edit (no server) -------------------------------------


@pytest.mark.parametrize("batch", [False, True], ids=["apply_row", "Applier"])
def test_a_pending_case_file_list_meets_the_servers_and_both_additions_stay(db, batch):
    review_id = started_review(db)
    reviews.record_answer(db, review_id=review_id, item_key=ORDER, value="1")
    answer_id = next(e["row_id"] for e in pending(db) if e["payload"].get("item_key") == ORDER)
    agreed = payload(db, "checklist_response", answer_id)
    with db.write() as s:  # "1" is what this laptop and the server agreed on (rev 3)
        s.connection().exec_driver_sql("UPDATE change_log SET pushed_seq = 1")
        set_base(s.connection(), "checklist_response", answer_id, 3, agreed)
        s.commit()
    reviews.record_answer(db, review_id=review_id, item_key=ORDER, value="1,5000000")  # mine
    before = row(db, "checklist_response", answer_id)
    theirs = {**agreed, "value": "1,7000000", "updated_by": "Other", "rev": 4}
    with db.write() as s:
        if batch:  # a pull page, or a push batch's results
            applied = Applier(s.connection()).run([("checklist_response", answer_id, 4, theirs)])
            assert applied == [True]
        else:
            assert apply_row(s.connection(), "checklist_response", answer_id, 4, theirs)
        s.commit()
    after = row(db, "checklist_response", answer_id)
    assert after["value"] == "1,5000000,7000000" and after["rev"] == before["rev"] + 1
    (entry,) = pending(db)
    assert entry["payload"]["value"] == "1,5000000,7000000"
    with db.read() as s:
        conn = s.connection()
        (change,) = build_changes(conn, pending_entries(conn, 0, last_seq(conn)))
    assert change.base_rev == 4 and change.base["value"] == "1,7000000"
    assert change.fields["value"] == "1,5000000,7000000"  # the next push sends the union


# --- two laptops, a real server ------------------------------------------------------------


@pytest.fixture
def server(server_db_url: str, tmp_path: Path) -> Iterator[ServerProc]:
    logs = tmp_path / "server-logs"
    logs.mkdir()
    with running_server(server_db_url, logs) as proc:
        yield proc


@pytest.fixture
def laptops(tmp_path: Path) -> Iterator[tuple[Database, Database]]:
    a = open_database(tmp_path / "a" / "laptop.db", user="Ann Ames", daily_backup=False)
    b = open_database(tmp_path / "b" / "laptop.db", user="Bob Brandt", daily_backup=False)
    yield a, b
    a.close()
    b.close()


@pytest.mark.slow
@pytest.mark.parametrize("files_before", [0, 1], ids=["new-list", "one-file-synced"])
def test_case_files_added_offline_on_two_laptops_stay_two_case_files(
    server: ServerProc, laptops: tuple[Database, Database], files_before: int
):
    a, b = laptops
    review_id = started_review(a)
    with a.read() as s:
        data = queries.load_review(s, review_id)
        assert data is not None and data.review.form_version == 2  # the form that repeats
    shared = [("C-001", "yes")] * files_before
    for reference, i213 in shared:
        _add_case_file(a, review_id, reference, i213)
    sync(a, server=server.url, token=server.add_user("ann", "inspector", "ATL"))
    sync(b, server=server.url, token=server.add_user("bob", "inspector", "ATL"))
    assert _case_files(b, review_id) == shared

    # offline, each adds a case file of their own
    n_a = _add_case_file(a, review_id, "A-100", "yes")
    n_b = _add_case_file(b, review_id, "B-200", "no")
    assert n_a != n_b

    reports = [sync(laptop) for laptop in (a, b, a)]
    assert [r.new_conflicts for r in reports] == [[], [], []]
    for laptop in (a, b):
        assert _case_files(laptop, review_id) == [*shared, ("A-100", "yes"), ("B-200", "no")]
        assert open_conflicts(laptop) == []
        stored = _stored(laptop, review_id)
        assert layout.parse_order(stored[ORDER])[-2:] == [n_a, n_b]
    again = [sync(laptop) for laptop in (a, b)]
    assert [(r.pushed, r.pulled, r.new_conflicts) for r in again] == [(0, 0, [])] * 2


@pytest.mark.slow
def test_a_bundle_from_the_other_laptop_merges_the_case_file_list_too(
    server: ServerProc, laptops: tuple[Database, Database], tmp_path: Path
):
    a, b = laptops
    review_id = started_review(a)
    _add_case_file(a, review_id, "C-001", "yes")
    sync(a, server=server.url, token=server.add_user("ann", "inspector", "ATL"))
    sync(b, server=server.url, token=server.add_user("bob", "inspector", "ATL"))
    _add_case_file(a, review_id, "A-100", "yes")
    _add_case_file(b, review_id, "B-200", "no")
    out = tmp_path / "a.bundle"
    for args in (("export", "--out", str(out), "--db", str(a.path)),
                 ("import", str(out), "--db", str(b.path))):  # fmt: skip
        done = subprocess.run([sys.executable, "-m", "inspector_app", "bundle", *args],
                              capture_output=True, text=True, timeout=120)  # fmt: skip
        assert done.returncode == 0, done.stderr
    assert "0 new conflicts" in done.stdout
    assert _case_files(b, review_id) == [("C-001", "yes"), ("B-200", "no"), ("A-100", "yes")]
    assert open_conflicts(b) == []
