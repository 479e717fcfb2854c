"""Known errors apart from bugs: one base, SQLite errors sorted by result code, a
missing form version shown as a message, and bugs still logged."""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from inspector_app.cli import main as cli_main
from inspector_app.cli.common import CliError
from inspector_app.domain.errors import FormVersionMissing, KnownError
from inspector_app.domain.forms import FormError
from inspector_app.services import findings, reviews
from inspector_app.services.errors import ServiceError
from inspector_app.services.history_import import HistoryImportError
from inspector_app.store import errors as store_errors
from inspector_app.store.errors import (
    CannotOpen,
    CorruptDatabase,
    DatabaseLocked,
    DatabaseProblem,
    DiskError,
    DiskFull,
    NotADatabase,
    classify,
)
from inspector_app.store.models import Review


def _error(run) -> sqlite3.Error:  # noqa: ANN001
    with pytest.raises(sqlite3.Error) as caught:
        run()
    return caught.value


def _made(code: int, message: str = "some text") -> sqlite3.OperationalError:
    """An error as SQLite would raise it, for codes a test cannot provoke safely."""
    exc = sqlite3.OperationalError(message)
    exc.sqlite_errorcode = code
    return exc


def _one_line(problem: KnownError | None, path: Path) -> str:
    assert problem is not None
    line = str(problem)
    assert "\n" not in line and str(path) in line
    return line


def test_every_user_error_shares_one_base():
    for cls in (DatabaseProblem, ServiceError, FormError, CliError, HistoryImportError,
                FormVersionMissing):  # fmt: skip
        assert issubclass(cls, KnownError), cls


# SQLite errors, produced for real where possible


def test_a_database_another_program_holds_is_locked(tmp_path):
    path = tmp_path / "a.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        exc = _error(lambda: other.execute("BEGIN IMMEDIATE"))
        assert exc.sqlite_errorcode == sqlite3.SQLITE_BUSY
        problem = classify(path, exc)
        assert isinstance(problem, DatabaseLocked)
        assert "busy in another program" in _one_line(problem, path)
    finally:
        other.close()
        holder.rollback()
        holder.close()


def test_sqlalchemy_wrapped_errors_are_sorted_by_the_code_inside(tmp_path):
    path = tmp_path / "a.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0})
    try:
        with pytest.raises(DBAPIError) as caught, engine.connect() as conn:
            conn.execute(text("CREATE TABLE t (x)"))
        assert isinstance(classify(path, caught.value), DatabaseLocked)
    finally:
        engine.dispose()
        holder.rollback()
        holder.close()


def test_a_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database\n" * 200)
    con = sqlite3.connect(path)
    try:
        exc = _error(lambda: con.execute("SELECT * FROM sqlite_master").fetchall())
    finally:
        con.close()
    assert exc.sqlite_errorcode == sqlite3.SQLITE_NOTADB
    assert "not an Inspector database" in _one_line(classify(path, exc), path)
    assert isinstance(classify(path, exc), NotADatabase)


def test_a_damaged_page_is_a_corrupt_database(tmp_path):
    path = tmp_path / "a.db"
    con = sqlite3.connect(path)
    con.execute("PRAGMA page_size=1024")
    con.execute("CREATE TABLE t (x)")
    con.executemany("INSERT INTO t VALUES (?)", [("x" * 100,) for _ in range(200)])
    con.commit()
    con.close()
    with path.open("r+b") as fh:  # page 2 (the table's root) becomes garbage
        fh.seek(1024)
        fh.write(b"\xff" * 1024)
    con = sqlite3.connect(path)
    try:
        exc = _error(lambda: con.execute("SELECT count(*), max(x) FROM t").fetchall())
    finally:
        con.close()
    assert exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_CORRUPT
    problem = classify(path, exc)
    assert isinstance(problem, CorruptDatabase)
    assert "restore the latest backup" in _one_line(problem, path)


def test_a_folder_that_does_not_exist_cannot_be_opened(tmp_path):
    path = tmp_path / "missing" / "a.db"
    exc = _error(lambda: sqlite3.connect(path))
    assert exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_CANTOPEN
    assert isinstance(classify(path, exc), CannotOpen)


def test_writing_a_read_only_database_is_refused_in_one_line(tmp_path):
    path = tmp_path / "a.db"
    sqlite3.connect(path).close()
    con = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        exc = _error(lambda: con.execute("CREATE TABLE t (x)"))
    finally:
        con.close()
    assert exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_READONLY
    assert "check the path and permissions" in _one_line(classify(path, exc), path)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_a_full_disk_while_writing(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(disk)]).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        path = disk / "a.db"
        con = sqlite3.connect(path, isolation_level=None)  # each insert is committed
        con.execute("CREATE TABLE t (x)")
        try:
            exc = _error(
                lambda: [
                    con.execute("INSERT INTO t VALUES (?)", (b"\0" * 8192,)) for _ in range(200)
                ]
            )
        finally:
            con.close()
        assert exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_FULL
        assert isinstance(classify(path, exc), DiskFull)
    finally:
        subprocess.run(["umount", str(disk)], check=True)


# Codes a test cannot provoke safely


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (sqlite3.SQLITE_LOCKED, DatabaseLocked),
        (sqlite3.SQLITE_BUSY_SNAPSHOT, DatabaseLocked),
        (sqlite3.SQLITE_FULL, DiskFull),
        (sqlite3.SQLITE_PERM, CannotOpen),
        (sqlite3.SQLITE_READONLY_DBMOVED, CannotOpen),
        (sqlite3.SQLITE_CANTOPEN_ISDIR, CannotOpen),
        (sqlite3.SQLITE_CORRUPT_INDEX, CorruptDatabase),
        (sqlite3.SQLITE_IOERR_READ, DiskError),
        (sqlite3.SQLITE_IOERR_CORRUPTFS, CorruptDatabase),
    ],
)
def test_each_known_code_has_its_message(tmp_path, code, kind):
    assert type(classify(tmp_path / "a.db", _made(code))) is kind


def test_a_disk_io_error_on_a_nearly_full_disk_is_a_full_disk(tmp_path, monkeypatch):
    """SQLite reports 'disk I/O error' (IOERR_SHMSIZE and kin) when it cannot grow its
    -shm or -wal: with no free space left, the user is told the disk is full."""
    monkeypatch.setattr(store_errors, "_nearly_full", lambda _path: True)
    exc = _made(sqlite3.SQLITE_IOERR_SHMSIZE, "disk I/O error")
    assert isinstance(classify(tmp_path / "a.db", exc), DiskFull)


def test_the_code_wins_over_the_wording(tmp_path):
    path = tmp_path / "a.db"
    assert isinstance(classify(path, _made(sqlite3.SQLITE_BUSY, "malformed")), DatabaseLocked)
    # A constraint violation is a bug, whatever its text happens to say.
    assert classify(path, _made(sqlite3.SQLITE_CONSTRAINT, "database is locked")) is None


def test_without_a_code_the_message_decides(tmp_path):
    path = tmp_path / "a.db"
    assert isinstance(
        classify(path, sqlite3.OperationalError("database is locked")), DatabaseLocked
    )
    assert classify(path, sqlite3.ProgrammingError("Cannot operate on a closed database.")) is None


# A review pinned to a form version this app lacks


def _pin_to_form_version(db, version: int) -> Review:  # noqa: ANN001
    with db.read() as s:
        review = next(r for r in s.exec(select(Review)) if r.form_id)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE review SET form_version = :v WHERE id = :id"),
                     {"v": version, "id": review.id})  # fmt: skip
    with db.read() as s:
        return s.get(Review, review.id)


def test_opening_a_review_on_a_missing_form_version_says_to_update_the_app(demo_db):
    review = _pin_to_form_version(demo_db, 99)
    with pytest.raises(FormVersionMissing) as caught:
        reviews.form_for(review)
    line = str(caught.value)
    assert f"form {review.form_id} v99" in line and "update the app" in line
    assert "\n" not in line and "v1" in line  # names the versions it does have


def test_a_finding_drafted_from_a_missing_form_version_is_a_known_error(demo_db):
    review = _pin_to_form_version(demo_db, 99)
    with pytest.raises(KnownError, match="update the app to open it"):
        findings.draft_from_item(demo_db, review_id=review.id, item_key="anything")


# The CLI: every known error in one line, bugs logged


def _failing_command(monkeypatch, exc: BaseException) -> None:  # noqa: ANN001
    def run(_args):  # noqa: ANN001, ANN202
        raise exc

    real = cli_main.build_parser

    def parser():  # noqa: ANN202
        p = real()
        p.set_defaults(func=run, command="boom")
        return p

    monkeypatch.setattr(cli_main, "build_parser", parser)


def test_the_cli_prints_any_known_error_in_one_line(monkeypatch, capsys):
    class Custom(KnownError):
        pass

    _failing_command(monkeypatch, Custom("something the user can fix"))
    assert cli_main.run([]) == cli_main.EXIT_USAGE
    assert capsys.readouterr().err == "inspector-app: something the user can fix\n"


def test_a_bug_keeps_its_traceback_and_is_logged(monkeypatch, caplog):
    _failing_command(monkeypatch, RuntimeError("a genuine bug"))
    with caplog.at_level(logging.ERROR), pytest.raises(RuntimeError):
        cli_main.run([])
    [record] = [r for r in caplog.records if r.exc_info]
    assert record.exc_info[1].args == ("a genuine bug",)


def test_without_a_log_handler_a_bug_is_not_printed_twice(monkeypatch, capsys):
    _failing_command(monkeypatch, RuntimeError("a genuine bug"))
    root = logging.getLogger()
    saved = root.handlers[:]
    root.handlers.clear()
    try:
        with pytest.raises(RuntimeError):
            cli_main.run([])
    finally:
        root.handlers[:] = saved
    assert "a genuine bug" not in capsys.readouterr().err
