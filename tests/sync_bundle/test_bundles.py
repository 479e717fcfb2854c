"""Air-gapped transfer end to end: a laptop exports its waiting changes to a signed
bundle; the server (POST /v1/bundles) or another laptop imports it with the merge of
a push; importing it again changes nothing; an edited bundle is refused in one line."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from sqlmodel import select

from inspector_app.services.reviews import record_answer
from inspector_app.services.sync import open_conflicts, sync
from inspector_app.store.database import Database, open_database
from inspector_app.store.models import Agency, ChecklistResponse, FieldOffice, Review
from tests.conftest import copy_database
from tests.serverfixtures import running_server

pytestmark = pytest.mark.slow


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "inspector_app", *args],
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def _atl_review(db: Database) -> tuple[str, str]:
    """An in-progress ATL review and an item key of its form."""
    with db.read() as s:
        rows = s.exec(
            select(Review.id, Review.form_id).join(Agency, Agency.id == Review.agency_id)
            .join(FieldOffice, FieldOffice.id == Agency.field_office_id)
            .where(FieldOffice.code == "ATL", Review.status == "in_progress")
        ).all()  # fmt: skip
        answered = s.exec(select(ChecklistResponse.item_key)
                          .where(ChecklistResponse.review_id == rows[0][0])).all()  # fmt: skip
    return rows[0][0], answered[0]


def _value(db: Database, review_id: str, item_key: str) -> str | None:
    with db.read() as s:
        row = s.exec(select(ChecklistResponse).where(
            ChecklistResponse.review_id == review_id, ChecklistResponse.item_key == item_key,
        )).one()  # fmt: skip
        return row.value


@pytest.fixture
def laptops(tmp_path: Path, server_db_url: str, _demo_template: Path):
    """A server, laptop A (the demo, synced) and laptop B (empty, synced from the server)."""
    with running_server(server_db_url, tmp_path) as server:
        a = open_database(copy_database(_demo_template, tmp_path / "a.db"), user="Dana",
                          daily_backup=False)  # fmt: skip
        b = open_database(tmp_path / "b.db", user="Lee", daily_backup=False)
        sync(a, server=server.url, token=server.add_user("dana", "inspector", "ATL"))
        sync(b, server=server.url, token=server.add_user("lee", "inspector", "ATL"))
        yield server, a, b
        a.close()
        b.close()


def test_a_bundle_reaches_the_server_once_and_then_the_other_laptop(laptops, tmp_path):
    server, a, b = laptops
    review_id, item = _atl_review(a)
    new = "no" if _value(a, review_id, item) == "yes" else "yes"
    record_answer(a, review_id=review_id, item_key=item, value=new)
    out = tmp_path / "a.bundle"
    done = _cli("bundle", "export", "--out", str(out), "--db", str(a.path))
    assert done.returncode == 0, done.stderr
    assert "1 changes" in done.stdout
    # B carries it to the server (B is enrolled; the bundle is A's, signed with A's key)
    first = _cli("bundle", "upload", str(out), "--db", str(b.path))
    assert first.returncode == 0, first.stderr
    assert "1 applied" in first.stdout
    again = _cli("bundle", "upload", str(out), "--db", str(b.path))
    assert "0 applied, 1 already there" in again.stdout
    sync(b)
    assert _value(b, review_id, item) == new
    report = sync(a)  # A's own entry: the server already has it
    assert report.pushed == 1 and not report.new_conflicts


def test_a_laptop_imports_another_laptops_bundle_once(laptops, tmp_path):
    _server, a, b = laptops
    review_id, item = _atl_review(a)
    new = "no" if _value(a, review_id, item) == "yes" else "yes"
    record_answer(a, review_id=review_id, item_key=item, value=new)
    out = tmp_path / "a.bundle"
    assert _cli("bundle", "export", "--out", str(out), "--db", str(a.path)).returncode == 0
    done = _cli("bundle", "import", str(out), "--db", str(b.path))
    assert done.returncode == 0, done.stderr
    assert "1 applied" in done.stdout
    assert _value(b, review_id, item) == new
    again = _cli("bundle", "import", str(out), "--db", str(b.path))
    assert "0 applied, 1 already here, 0 new conflicts" in again.stdout


def test_the_same_item_changed_on_both_laptops_is_a_conflict_on_import(laptops, tmp_path):
    _server, a, b = laptops
    review_id, item = _atl_review(a)
    mine, theirs = [v for v in ("yes", "no", "na") if v != _value(a, review_id, item)]
    record_answer(a, review_id=review_id, item_key=item, value=theirs)
    record_answer(b, review_id=review_id, item_key=item, value=mine)
    out = tmp_path / "a.bundle"
    assert _cli("bundle", "export", "--out", str(out), "--db", str(a.path)).returncode == 0
    assert "1 new conflicts" in _cli("bundle", "import", str(out), "--db", str(b.path)).stdout
    assert _value(b, review_id, item) == mine  # the receiver keeps its value
    [conflict] = open_conflicts(b)
    assert (conflict.field, conflict.server_value, conflict.client_value) == ("value", mine, theirs)
    again = _cli("bundle", "import", str(out), "--db", str(b.path))
    assert "0 new conflicts" in again.stdout


def test_an_edited_bundle_is_refused_in_one_line_and_nothing_is_applied(laptops, tmp_path):
    server, a, b = laptops
    review_id, item = _atl_review(a)
    before = _value(b, review_id, item)
    record_answer(a, review_id=review_id, item_key=item, value="na")
    out = tmp_path / "a.bundle"
    assert _cli("bundle", "export", "--out", str(out), "--db", str(a.path)).returncode == 0
    with zipfile.ZipFile(out) as z:
        members = {n: z.read(n) for n in z.namelist()}
    manifest = json.loads(members["manifest.json"])
    manifest["changes"][0]["fields"]["value"] = "yes"
    members["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(out, "w") as z:
        for n, d in members.items():
            z.writestr(n, d)
    for command in ("import", "upload"):
        done = _cli("bundle", command, str(out), "--db", str(b.path))
        assert done.returncode == 2
        assert done.stderr.count("\n") == 1 and "changed after it was signed" in done.stderr
    assert _value(b, review_id, item) == before


def test_the_server_refuses_a_bundle_from_a_device_it_never_enrolled(laptops, tmp_path,
                                                                     _demo_template):  # fmt: skip
    server, _a, b = laptops
    stranger = open_database(copy_database(_demo_template, tmp_path / "c.db"), user="X",
                             daily_backup=False)  # fmt: skip
    review_id, item = _atl_review(stranger)
    record_answer(stranger, review_id=review_id, item_key=item, value="na")
    stranger.close()
    out = tmp_path / "c.bundle"
    assert (
        _cli("bundle", "export", "--out", str(out), "--db", str(tmp_path / "c.db")).returncode == 0
    )
    done = _cli("bundle", "upload", str(out), "--db", str(b.path))
    assert done.returncode == 2
    assert "did not enroll" in done.stderr and done.stderr.count("\n") == 1
