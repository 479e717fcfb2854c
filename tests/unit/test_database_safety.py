"""Opening, checking and backing up the database file safely (hostile-tester findings).

Inspector's mark in the file, foreign and damaged files refused untouched, damage found
while open stopping writes, backups and attachments whole or absent on a full disk, a
file deleted while open, and paths that are not what they should be.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from inspector_app.services import agencies as ag
from inspector_app.store import database, files
from inspector_app.store.database import (
    APPLICATION_ID,
    head_revision,
    open_database,
    schema_position,
)
from inspector_app.store.errors import (
    CorruptDatabase,
    DatabaseProblem,
    DatabaseTooNew,
    DiskFull,
    NotADatabase,
)

SIDECARS = ("-wal", "-shm", "-journal")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sidecars(path: Path) -> list[str]:
    return [s for s in SIDECARS if path.with_name(path.name + s).exists()]


def marks(path: Path) -> tuple[int, int]:
    con = sqlite3.connect(path)
    try:
        return (
            con.execute("PRAGMA application_id").fetchone()[0],
            con.execute("PRAGMA user_version").fetchone()[0],
        )
    finally:
        con.close()


def execute(path: Path, *sql: str) -> None:
    con = sqlite3.connect(path)
    try:
        for statement in sql:
            con.execute(statement)
        con.commit()
    finally:
        con.close()


def one_line(problem: BaseException, path: Path) -> str:
    message = str(problem)
    assert isinstance(problem, DatabaseProblem)
    assert "\n" not in message and len(message) < 400
    assert message.startswith(f"{path}: ")
    return message


def filled(path: Path) -> Path:
    """A closed Inspector database with one field office, written through the services."""
    db = open_database(path, user="Test Inspector", daily_backup=False)
    ag.create_field_office(db, name="Atlanta", code="atl", state="ga")
    db.close()
    return path


def add_office(db: database.Database, code: str = "mia") -> None:
    ag.create_field_office(db, name=f"Office {code}", code=code, state="fl")


@pytest.fixture(scope="module")
def inspector_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return filled(tmp_path_factory.mktemp("safety") / "base.db")


@pytest.fixture
def copy_of(inspector_file: Path, tmp_path: Path):  # noqa: ANN201
    def _copy(name: str = "work.db") -> Path:
        return Path(shutil.copy2(inspector_file, tmp_path / name))

    return _copy


# --- Inspector's mark: application_id and user_version ---------------------------------


def test_application_id_spells_287g():
    assert APPLICATION_ID.to_bytes(4, "big") == b"287g"


def test_new_database_carries_inspectors_id_and_schema_position(db):
    assert marks(db.path) == (APPLICATION_ID, schema_position(head_revision()))
    assert schema_position(head_revision()) >= 1


def test_inspector_file_from_before_the_mark_is_adopted(copy_of):
    path = copy_of()
    execute(path, "PRAGMA application_id=0", "PRAGMA user_version=0")
    with database.opened(path, daily_backup=False) as db:
        add_office(db)
        assert db.get_meta("device_id")
    assert marks(path) == (APPLICATION_ID, schema_position(head_revision()))


# --- refused, and left exactly as it was ------------------------------------------------


def other_app_with_empty_alembic_table(path: Path, _inspector: Path) -> Path:
    execute(
        path,
        "CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)",
        "INSERT INTO recipes (name) VALUES ('soup')",
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)",
    )
    return path


def other_app_with_a_known_revision(path: Path, _inspector: Path) -> Path:
    execute(
        path,
        "CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)",
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)",
        f"INSERT INTO alembic_version VALUES ('{head_revision()}')",
    )
    return path


def other_application_id(path: Path, inspector: Path) -> Path:
    shutil.copy2(inspector, path)
    execute(path, "PRAGMA application_id=1297109589")  # another app's mark
    return path


def old_inspector_without_version_row(path: Path, inspector: Path) -> Path:
    shutil.copy2(inspector, path)
    execute(path, "PRAGMA application_id=0", "DELETE FROM alembic_version")
    return path


def inspector_without_version_row(path: Path, inspector: Path) -> Path:
    shutil.copy2(inspector, path)
    execute(path, "DELETE FROM alembic_version")
    return path


def inspector_without_version_table(path: Path, inspector: Path) -> Path:
    shutil.copy2(inspector, path)
    execute(path, "DROP TABLE alembic_version")
    return path


def cut_by_one_byte(path: Path, inspector: Path) -> Path:
    path.write_bytes(inspector.read_bytes()[:-1])
    return path


def cut_by_one_page(path: Path, inspector: Path) -> Path:
    path.write_bytes(inspector.read_bytes()[:-4096])
    return path


def padded_by_one_page(path: Path, inspector: Path) -> Path:
    path.write_bytes(inspector.read_bytes() + b"\0" * 4096)
    return path


@pytest.mark.parametrize(
    ("make", "problem", "says"),
    [
        (other_app_with_empty_alembic_table, NotADatabase, "not an Inspector database"),
        (other_app_with_a_known_revision, NotADatabase, "not an Inspector database"),
        (other_application_id, NotADatabase, "another application"),
        (old_inspector_without_version_row, NotADatabase, "not an Inspector database"),
        (inspector_without_version_row, DatabaseProblem, "schema version"),
        (inspector_without_version_table, DatabaseProblem, "schema version"),
        (cut_by_one_byte, CorruptDatabase, "damaged"),
        (cut_by_one_page, CorruptDatabase, "header says"),
        (padded_by_one_page, CorruptDatabase, "header says"),
    ],
    ids=lambda v: getattr(v, "__name__", None),
)
def test_refused_file_is_left_untouched(tmp_path, inspector_file, make, problem, says):
    path = make(tmp_path / "refused.db", inspector_file)
    before = sha(path)
    with pytest.raises(problem) as caught:
        open_database(path, user="Test Inspector")
    assert says in one_line(caught.value, path)
    assert sha(path) == before
    assert sidecars(path) == []
    assert not (tmp_path / "backups").exists()
    assert not (tmp_path / "refused-files").exists()


def test_missing_version_row_names_the_backups_folder(copy_of, tmp_path):
    path = inspector_without_version_row(tmp_path / "x.db", copy_of())
    with pytest.raises(DatabaseProblem) as caught:
        open_database(path)
    assert "missing or damaged" in str(caught.value)
    assert str(tmp_path / "backups") in str(caught.value)


# --- SQLite's own recovery is not damage -----------------------------------------------


def crashed_with_wal(path: Path, *sql: str) -> Path:
    """The file and its -wal as a crash leaves them: committed changes not checkpointed."""
    con = sqlite3.connect(path)
    for statement in sql:
        con.execute(statement)
    con.commit()
    crash = path.with_name("crashed.db")
    shutil.copy2(path, crash)
    shutil.copy2(path.with_name(path.name + "-wal"), crash.with_name(crash.name + "-wal"))
    con.close()
    return crash


def test_pending_wal_is_recovered_not_refused(copy_of):
    path = crashed_with_wal(copy_of(), "INSERT INTO meta VALUES ('wal_test', 'kept')")
    assert path.with_name(path.name + "-wal").stat().st_size > 0
    with database.opened(path, daily_backup=False) as db:
        assert db.get_meta("wal_test") == "kept"


def test_reading_through_a_wal_of_a_refused_file_creates_nothing(copy_of):
    path = crashed_with_wal(copy_of(), "UPDATE alembic_version SET version_num='ffffffffffff'")
    with pytest.raises(DatabaseTooNew):
        open_database(path)
    assert sidecars(path) == ["-wal"]  # as it was: no -shm beside it


HOT_JOURNAL = """
import os, sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("PRAGMA journal_mode=DELETE")
con.execute("PRAGMA cache_size=1")  # spill pages into the file mid-transaction
con.execute("BEGIN")
con.execute("INSERT INTO meta VALUES ('big', hex(randomblob(200000)))")
con.execute("UPDATE meta SET value='changed' WHERE key='device_id'")
con.execute("INSERT INTO meta VALUES ('big2', hex(randomblob(200000)))")
os._exit(0)  # a crash: the transaction never ends, its journal stays hot
"""


def test_hot_rollback_journal_is_rolled_back_not_refused(copy_of):
    path = copy_of()
    execute(path, "PRAGMA journal_mode=DELETE")
    with database.opened(path, daily_backup=False) as db:
        device = db.device_id
    execute(path, "PRAGMA journal_mode=DELETE")
    subprocess.run([sys.executable, "-c", HOT_JOURNAL, str(path)], check=True)
    assert path.with_name(path.name + "-journal").stat().st_size > 0
    with database.opened(path, daily_backup=False) as db:
        assert db.device_id == device
        assert db.get_meta("big") == ""


# --- damage found while open --------------------------------------------------------------


def damage_in_place(path: Path) -> None:
    """Overwrite a run of pages in the middle of a (checkpointed) file."""
    data = bytearray(path.read_bytes())
    pages = len(data) // 4096
    start, end = pages // 3 * 4096, (pages // 3 + 2) * 4096
    data[start:end] = b"\xff" * (end - start)
    with path.open("r+b") as fh:
        fh.write(bytes(data))


def test_damage_found_while_open_stops_writes_and_names_the_last_good_backup(demo_db_path):
    db = open_database(demo_db_path)  # the first open of the day makes a checked backup
    try:
        (daily,) = db.backups_dir.glob("demo-*-daily.db")
        add_office(db)
        db.engine.dispose()  # checkpoint, and no page cache hides what the disk now holds
        damage_in_place(demo_db_path)
        with pytest.raises(CorruptDatabase) as caught:
            db.check_integrity()
        message = one_line(caught.value, demo_db_path)
        assert f"restore the last good backup, {daily}" in message
        with pytest.raises(CorruptDatabase, match="nothing more is saved"):
            add_office(db, "bos")
        with pytest.raises(CorruptDatabase):
            db.backup()
        assert list(db.backups_dir.iterdir()) == [daily]
    finally:
        db.close()


def test_damage_without_any_backup_says_so(demo_db_path):
    db = open_database(demo_db_path, daily_backup=False)
    try:
        db.engine.dispose()
        damage_in_place(demo_db_path)
        with pytest.raises(CorruptDatabase, match="there is no backup"):
            db.backup()  # the check before every backup finds it too
        assert not db.backups_dir.exists() or not list(db.backups_dir.iterdir())
        with pytest.raises(CorruptDatabase, match="there is no backup"):
            add_office(db)
    finally:
        db.close()


def test_a_damaged_file_is_refused_at_the_first_open_of_the_day(demo_db_path):
    damage_in_place(demo_db_path)
    with pytest.raises(CorruptDatabase):
        open_database(demo_db_path)
    backups = demo_db_path.parent / "backups"
    assert not backups.exists() or not list(backups.iterdir())


# --- backups and attachments on a full disk --------------------------------------------


def failing_copy(_engine, dest: Path) -> None:  # noqa: ANN001
    dest.write_bytes(b"SQLite format 3\0 half")
    raise sqlite3.OperationalError("database or disk is full")


def test_failed_daily_backup_leaves_nothing_that_counts(copy_of, monkeypatch):
    path = copy_of()
    monkeypatch.setattr(database, "_copy_pages", failing_copy)
    with pytest.raises(DiskFull) as caught:
        open_database(path)
    assert "disk is full" in str(caught.value) and "\n" not in str(caught.value)
    assert list((path.parent / "backups").iterdir()) == []
    monkeypatch.undo()
    with database.opened(path):
        pass
    (daily,) = (path.parent / "backups").glob("work-*-daily.db")
    assert marks(daily)[0] == APPLICATION_ID


def test_a_leftover_temporary_file_is_no_backup(copy_of):
    path = copy_of()
    backups = path.parent / "backups"
    backups.mkdir()
    today = time.strftime("%Y%m%d", time.gmtime())
    (backups / f".work-{today}T000000-daily.db.tmp").write_bytes(b"")
    with database.opened(path):
        pass
    assert len(list(backups.glob("work-*-daily.db"))) == 1


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_backup_on_a_really_full_disk(demo_db_path):
    backups = demo_db_path.parent / "backups"
    backups.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(backups)])
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        with pytest.raises(DiskFull):
            open_database(demo_db_path)  # its daily backup does not fit
        assert list(backups.iterdir()) == []
        with database.opened(demo_db_path, daily_backup=False) as db:
            with pytest.raises(DiskFull):
                db.backup()
            assert list(backups.iterdir()) == []
            add_office(db)  # the database itself still works
    finally:
        subprocess.run(["umount", str(backups)], check=True)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_open_on_a_disk_with_no_free_byte_is_one_line_and_leaves_no_sidecars(copy_of, tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2000k", "tmpfs", str(disk)])
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        path = Path(shutil.copy2(copy_of(), disk / "work.db"))
        with (disk / "filler").open("wb", buffering=0) as fh, contextlib.suppress(OSError):
            while True:  # every free byte, so SQLite cannot even set up its -shm
                fh.write(b"\0" * 4096)
        before = sha(path)
        with pytest.raises(DiskFull) as caught:
            open_database(path)
        one_line(caught.value, path)
        assert sha(path) == before and sidecars(path) == []
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_interrupted_attachment_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", full)
    with pytest.raises(DiskFull) as caught:
        files.put_blob(tmp_path / "x-files", b"photo bytes")
    assert "\n" not in str(caught.value)
    assert [p for p in (tmp_path / "x-files").rglob("*") if p.is_file()] == []


def test_stale_temporary_files_are_swept_at_open(copy_of):
    path = copy_of()
    folder = path.parent / "work-files" / "ab"
    folder.mkdir(parents=True)
    stale, fresh = folder / ".ab12.99.tmp", folder / ".ab34.99.tmp"
    for p in (stale, fresh):
        p.write_bytes(b"partial")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(stale, (two_days_ago, two_days_ago))
    with database.opened(path, daily_backup=False):
        pass
    assert not stale.exists() and fresh.exists()


# --- the file behind the path ---------------------------------------------------------------


def test_database_deleted_while_open_refuses_writes(db):
    add_office(db)
    db.path.unlink()
    with pytest.raises(DatabaseProblem) as caught:
        add_office(db, "bos")
    assert "moved or deleted while open" in one_line(caught.value, db.path)


def test_database_replaced_while_open_refuses_writes(db, copy_of):
    other = copy_of("other.db")
    os.replace(other, db.path)
    with pytest.raises(DatabaseProblem, match="moved or deleted while open"):
        add_office(db)


def test_dev_null_is_refused_before_any_connection():
    journal = Path("/dev/null-journal")
    existed = journal.exists()
    with pytest.raises(NotADatabase) as caught:
        open_database("/dev/null")
    assert "a device" in one_line(caught.value, Path("/dev/null"))
    assert journal.exists() == existed


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_named_pipe_is_refused(tmp_path):
    pipe = tmp_path / "pipe.db"
    os.mkfifo(pipe)
    with pytest.raises(NotADatabase, match="named pipe"):
        open_database(pipe)  # never opened: reading it would wait forever


@pytest.mark.parametrize("name", ["backups", "work-files"])
def test_a_file_where_a_folder_belongs_is_named(copy_of, name):
    path = copy_of()
    (path.parent / name).write_text("not a folder")
    before = sha(path)
    with pytest.raises(DatabaseProblem) as caught:
        open_database(path)
    message = one_line(caught.value, path.parent / name)
    assert "is a file" in message and "rename or move it" in message
    assert sha(path) == before and sidecars(path) == []


def test_demo_check_finds_no_damage(demo_db):
    demo_db.check_integrity()  # a whole file passes, writes go on
    add_office(demo_db)
    assert demo_db.damage is None
    assert demo_db.last_good_backup() is None


# --- the app's schedule ------------------------------------------------------------------


def test_main_window_checks_on_a_schedule_and_shows_damage(qtbot, demo_db_path, tmp_path):  # noqa: ANN001
    from inspector_app.ui.context import AppContext
    from inspector_app.ui.main_window import (
        FIRST_INTEGRITY_CHECK_MS,
        INTEGRITY_CHECK_MS,
        MainWindow,
    )
    from inspector_app.ui.qt import QSettings

    db = open_database(demo_db_path, daily_backup=False)
    ctx = AppContext(db, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    window = MainWindow(ctx, ctx.settings)
    qtbot.addWidget(window)
    try:
        assert window._integrity_timer.isActive()
        assert window._integrity_timer.interval() == FIRST_INTEGRITY_CHECK_MS  # soon after start
        lists = (window.agencies, window.reviews, window.findings)
        qtbot.waitUntil(lambda: all(p.loaded_once and p._task.done.is_set() for p in lists))
        db.engine.dispose()
        damage_in_place(demo_db_path)
        window._integrity_timer.timeout.emit()
        qtbot.waitUntil(lambda: "damaged" in window.statusBar().currentMessage(), timeout=5000)
        assert window._integrity_timer.interval() == INTEGRITY_CHECK_MS  # then every 30 min
        assert "there is no backup" in window.problem_box.text()
        with pytest.raises(CorruptDatabase):
            add_office(db)
    finally:
        window.close()
        ctx.close()
        db.close()
