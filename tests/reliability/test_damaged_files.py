"""Random single-byte damage to a real database is never written to nor backed up.

Each flip changes one byte of a copy of the demo database. A flip SQLite's full
integrity_check notices must be refused at open, or at the latest by the check before
a backup (and every write after it); never a traceback, never a backup of it. A flip in
unused bytes may be truly harmless and is not asserted on. bench/damaged_files.py
prints the figures for 300 flips.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
from pathlib import Path

import pytest

from inspector_app.services import agencies as ag
from inspector_app.store.database import open_database
from inspector_app.store.errors import CorruptDatabase, DatabaseProblem

pytestmark = pytest.mark.slow

FLIPS = 300


def integrity_ok(path: Path) -> bool:
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?immutable=1", uri=True)
        con.text_factory = lambda b: b.decode("utf-8", "replace")
        try:
            return [r[0] for r in con.execute("PRAGMA integrity_check")] == ["ok"]
        finally:
            con.close()
    except (sqlite3.Error, UnicodeDecodeError):
        return False


def backups_of(path: Path) -> list[Path]:
    folder = path.parent / "backups"
    return sorted(folder.iterdir()) if folder.exists() else []


def assert_one_line(problem: DatabaseProblem) -> None:
    assert "\n" not in str(problem) and len(str(problem)) < 400


def opened_then_refused_before_backup_and_writes(path: Path) -> None:
    """A plain open (as on the second open of a day): damage must stop at the check."""
    try:
        db = open_database(path, daily_backup=False)
    except DatabaseProblem as exc:
        assert_one_line(exc)
        return
    try:
        with pytest.raises(CorruptDatabase) as caught:
            db.backup()
        assert_one_line(caught.value)
        with pytest.raises(CorruptDatabase):
            ag.create_field_office(db, name="Miami", code="mia", state="fl")
    finally:
        db.close()
    assert backups_of(path) == []


def refused_at_first_open_of_the_day(path: Path) -> None:
    with pytest.raises(DatabaseProblem) as caught:
        open_database(path).close()
    assert_one_line(caught.value)
    assert backups_of(path) == []


def test_every_damaging_flip_is_refused_before_a_write_or_backup(tmp_path, _demo_template):
    original = _demo_template.read_bytes()
    rng = random.Random(287)
    damaged = 0
    for n in range(FLIPS):
        data = bytearray(original)
        offset = rng.randrange(len(data))
        data[offset] ^= rng.randrange(1, 256)
        folder = tmp_path / f"flip{n}"
        folder.mkdir()
        path = folder / "demo.db"
        path.write_bytes(bytes(data))
        if integrity_ok(path):
            shutil.rmtree(folder)
            continue  # free space or an unused byte: harmless
        damaged += 1
        again = tmp_path / f"again{n}" / "demo.db"
        again.parent.mkdir()
        shutil.copy2(path, again)
        opened_then_refused_before_backup_and_writes(path)
        refused_at_first_open_of_the_day(again)
        shutil.rmtree(folder)
        shutil.rmtree(again.parent)
    assert damaged >= 10, "too few damaging flips for the test to mean anything"


@pytest.mark.parametrize("cut", [1, 100, 4096], ids=["one-byte", "100-bytes", "one-page"])
def test_a_copy_cut_short_is_refused_untouched(tmp_path, _demo_template, cut):
    path = tmp_path / "cut.db"
    path.write_bytes(_demo_template.read_bytes()[:-cut])
    before = path.read_bytes()
    with pytest.raises(CorruptDatabase) as caught:
        open_database(path)
    assert_one_line(caught.value)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cut.db"]
