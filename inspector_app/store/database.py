"""Opening the SQLite file: checks first, then WAL engine, migrations and backups.

Order matters. Everything that could refuse the file (not a regular file, not an
Inspector database, damaged, written by a newer app) runs before the engine is created,
on the header bytes and an immutable read-only connection, because switching to WAL or
migrating writes to the file and a refused file must stay as it was (no -wal/-shm either).

Inspector databases carry PRAGMA application_id = APPLICATION_ID (b"287g") and
PRAGMA user_version = the alembic head's place in the revision chain. At every open the
file size must match the header and quick_check must pass (milliseconds); the full
integrity_check runs before every backup and on the app's schedule
(Database.check_integrity), and damage found there stops all writes.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import os
import re
import sqlite3
import stat
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import sqlcipher3.dbapi2 as sqlcipher  # type: ignore[import-untyped]
from sqlalchemy import URL, Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import QueuePool

from .changes import Changes
from .errors import (
    FOREIGN,
    BackupFailed,
    CannotOpen,
    CorruptDatabase,
    DamageFound,
    DatabaseProblem,
    DatabaseTooNew,
    DiskFull,
    FileGone,
    NotADatabase,
    NotAFolder,
    SchemaVersionMissing,
    classify,
    is_damage,
)
from .files import FileStore
from .keyfile import keyfile_path, write_atomically

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlmodel import Session

# SQLModel (pydantic, the ORM) and the table models are imported by the first session,
# cryptography by the first encrypted file: opening a plaintext file and reading the
# first view (services.agency_list, SQL text on the engine) need neither (issue 14).

SQLITE_HEADER = b"SQLite format 3\x00"
HEADER_SIZE = 100
JOURNAL_MAGIC = bytes.fromhex("d9d505f920a163d7")  # a rollback journal's header
# PRAGMA application_id of every Inspector database: the bytes b"287g" (0x32383767) at
# offset 68 of the SQLite header, so a file can be told Inspector's without reading it.
APPLICATION_ID = int.from_bytes(b"287g", "big")
INSPECTOR_TABLES = {"meta", "review"}  # an unmarked file with these is an older Inspector's
STALE_TMP_SECONDS = 24 * 3600  # a temporary file older than this was left by a crash
_BACKUP_STAMP = re.compile(r"-(\d{8}T\d{6})-")
BUSY_TIMEOUT_MS = 5000
MIGRATIONS_DIR = Path(__file__).with_name("migrations")
ROLLING_BACKUPS = 7  # daily copies kept in backups/
# Errors of either driver: the stdlib's sqlite3 (plaintext) or sqlcipher3 (encrypted).
DRIVER_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, sqlcipher.Error)
DAMAGE_ERRORS: tuple[type[Exception], ...] = (sqlite3.DatabaseError, sqlcipher.DatabaseError)


def _quiet_sqlcipher() -> None:
    """SQLCipher logs a refused key to stderr; the one-line WrongKey says it instead."""
    con = sqlcipher.connect(":memory:")
    try:
        con.execute("PRAGMA cipher_log_level = NONE")
    finally:
        con.close()


_quiet_sqlcipher()


class WrongKey(DatabaseProblem):
    """The key does not open the encrypted file (its first page does not authenticate)."""

    def __init__(self, path: Path | str):
        super().__init__(
            path,
            "wrong passphrase or not this database's key file; nothing was changed "
            "(a key file restored from backups/ must be the one copied with this database)",
        )


class SignInNeeded(DatabaseProblem):
    """An encrypted database (its key file is beside it) opened without a key."""

    def __init__(self, path: Path | str):
        super().__init__(path, "encrypted: sign in (give --user NAME and the passphrase)")


class NotEncrypted(DatabaseProblem):
    def __init__(self, path: Path | str):
        super().__init__(
            path,
            "a key was given but this database is not encrypted; "
            "encrypt it with 'inspector-app encrypt'",
        )


def _alembic_config() -> Config:
    # Alembic (and the template engine it pulls in) is imported only when a schema
    # actually has to change: opening an up-to-date file never needs it.
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


_REVISION = re.compile(r"^revision\s*=\s*['\"](\w+)['\"]", re.M)
_DOWN_REVISION = re.compile(r"^down_revision\s*=\s*(?:None|['\"](\w+)['\"])", re.M)


def _revision_graph() -> dict[str, str | None]:
    """revision -> down_revision, read from the migration files' own header lines."""
    return dict(_graph_of(MIGRATIONS_DIR))


@functools.lru_cache(maxsize=8)
def _graph_of(migrations: Path) -> tuple[tuple[str, str | None], ...]:
    # Read once per folder: an open asks several times (known revisions, head, position).
    graph: dict[str, str | None] = {}
    for script in (migrations / "versions").glob("*.py"):
        text = script.read_text(encoding="utf-8")
        rev, down = _REVISION.search(text), _DOWN_REVISION.search(text)
        if rev:
            graph[rev.group(1)] = down.group(1) if down else None
    return tuple(graph.items())


def head_revision() -> str:
    graph = _revision_graph()
    heads = set(graph) - set(graph.values())
    if len(heads) != 1:
        raise RuntimeError(f"migrations must have exactly one head, found {sorted(heads)}")
    return heads.pop()


def _known_revisions() -> set[str]:
    return set(_revision_graph())


def schema_position(revision: str) -> int:
    """The revision's place in the chain (the first migration is 1): PRAGMA user_version."""
    graph, n = _revision_graph(), 0
    rev: str | None = revision
    while rev is not None:
        n, rev = n + 1, graph[rev]
    return n


# --- what is at the path, before any connection -----------------------------------


_FILE_KINDS = {
    stat.S_IFDIR: "a folder", stat.S_IFCHR: "a device", stat.S_IFBLK: "a device",
    stat.S_IFIFO: "a named pipe", stat.S_IFSOCK: "a socket",
}  # fmt: skip


def _check_places(path: Path) -> bool:
    """Refuse a path that is no regular file, or folders beside it that are files.

    Runs before any connection: SQLite would otherwise create `/dev/null-journal`, or
    block on a named pipe. Returns whether the database file exists.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise CannotOpen(path, exc.strerror or str(exc)) from exc
    if st is not None and not stat.S_ISREG(st.st_mode):
        kind = _FILE_KINDS.get(stat.S_IFMT(st.st_mode), "not a regular file")
        raise NotADatabase(path, f"{kind}, not a database file")
    for folder, holds in (
        (path.parent / "backups", "the database's backups"),
        (path.parent / f"{path.stem}-files", "the database's attachments"),
    ):
        if folder.exists() and not folder.is_dir():
            raise NotAFolder(folder, holds)
    return st is not None


def _file_id(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the file now at `path`, None if there is none."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


@dataclass(frozen=True)
class Header:
    page_size: int
    page_count: int | None  # None when the in-header size is not valid (pre-3.7 writers)
    application_id: int


def _read_header(path: Path, raw: bytes) -> Header:
    """The fields of the 100-byte SQLite header we check (sqlite.org/fileformat.html)."""
    if len(raw) < HEADER_SIZE:
        raise CorruptDatabase(path, "the file is cut short inside its header")
    page_size = int.from_bytes(raw[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if not 512 <= page_size <= 65536 or page_size & (page_size - 1):
        raise CorruptDatabase(path, f"the header gives an impossible page size, {page_size}")
    count = int.from_bytes(raw[28:32], "big")
    # The in-header size counts only if the change counter matches version-valid-for.
    valid = count > 0 and raw[24:28] == raw[92:96]
    app_id = int.from_bytes(raw[68:72], "big", signed=True)
    return Header(page_size, count if valid else None, app_id)


def _check_size(path: Path, header: Header, size: int) -> None:
    """A file cut short (or padded) no longer matches its header: damaged."""
    if size % header.page_size:
        raise CorruptDatabase(
            path, f"{size} bytes is not a whole number of {header.page_size}-byte pages"
        )
    if header.page_count is not None and size != header.page_count * header.page_size:
        raise CorruptDatabase(
            path,
            f"the file is {size} bytes but its header says {header.page_count} pages "
            f"of {header.page_size} bytes",
        )


def _wal_pending(path: Path) -> bool:
    wal = path.with_name(path.name + "-wal")
    with contextlib.suppress(OSError):
        return wal.stat().st_size > 0
    return False


def _hot_journal(path: Path) -> bool:
    """A rollback journal left by an interrupted transaction (its header is intact)."""
    journal = path.with_name(path.name + "-journal")
    with contextlib.suppress(OSError), journal.open("rb") as fh:
        return fh.read(len(JOURNAL_MAGIC)) == JOURNAL_MAGIC
    return False


# --- reading the file without writing to it --------------------------------------------


@dataclass(frozen=True)
class Found:
    """What preflight read: the schema revision (None: nothing yet) and the marks."""

    revision: str | None
    application_id: int = 0
    user_version: int = 0


def _problem(path: Path, exc: BaseException) -> DatabaseProblem:
    """A SQLite error on a file whose header said SQLite: damaged, unless it is known."""
    if isinstance(exc, UnicodeDecodeError):  # SQLite quoting a garbled name
        return CorruptDatabase(path, "unreadable text in the file")
    problem = classify(path, exc)
    if problem is None or isinstance(problem, NotADatabase):
        return CorruptDatabase(path, str(exc))
    return problem


def _reader(path: Path, mode: str, data_key: bytes | None = None) -> sqlite3.Connection:
    """A connection for checks; keyed first (sqlcipher3) when there is a data key."""
    uri = f"{path.resolve().as_uri()}?{mode}" if mode else str(path)
    if data_key is None:
        con = sqlite3.connect(uri, uri=bool(mode))
    else:
        con = sqlcipher.connect(uri, uri=bool(mode))
        from . import crypto

        con.execute(crypto.sqlcipher_pragma(data_key))
        con.execute("PRAGMA temp_store=MEMORY")
    con.text_factory = lambda b: b.decode("utf-8", "replace")
    return con


def _check_key(path: Path, con: sqlite3.Connection) -> None:
    """The first read of a keyed file: SQLITE_NOTADB means the key does not open it."""
    try:
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher.DatabaseError as exc:
        if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_NOTADB:
            raise WrongKey(path) from exc
        raise


def _quick_check(path: Path, con: sqlite3.Connection) -> None:
    rows = con.execute("PRAGMA quick_check").fetchall()
    if [r[0] for r in rows] != ["ok"]:
        raise CorruptDatabase(path, rows[0][0] if rows else "")


def _identify(path: Path, con: sqlite3.Connection) -> Found:
    """Is this an Inspector database, and at which revision? Refuse anything else.

    Ours: application_id is APPLICATION_ID. Before the id was written, an Inspector file
    had id 0, a known alembic revision and Inspector's own tables: it is adopted (the id
    is written during the open). Any other file with tables is refused.
    """
    app_id = con.execute("PRAGMA application_id").fetchone()[0]
    user_version = con.execute("PRAGMA user_version").fetchone()[0]
    if app_id not in (0, APPLICATION_ID):
        raise NotADatabase(path, FOREIGN)
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    revision = None
    if "alembic_version" in tables:
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = row[0] if row and row[0] else None
    if app_id == APPLICATION_ID:
        # Only an empty alembic_version (a schema taken down to base) may lack a row.
        if revision is None and tables - {"alembic_version"}:
            raise SchemaVersionMissing(path, path.parent / "backups")
        if revision is not None and revision not in _known_revisions():
            raise DatabaseTooNew(path, revision)
        return Found(revision, app_id, user_version)
    if not tables:
        return Found(None, app_id, user_version)
    if revision in _known_revisions() and tables >= INSPECTOR_TABLES:
        return Found(revision, app_id, user_version)
    raise NotADatabase(path, FOREIGN)


def _through_wal(path: Path, data_key: bytes | None = None) -> Found:
    """Read a file together with its -wal; remove the -shm this creates if we refuse."""
    shm = path.with_name(path.name + "-shm")
    had_shm = shm.exists()
    try:
        con = _reader(path, "mode=ro", data_key)
        try:
            found = _identify(path, con)
            _quick_check(path, con)
            return found
        finally:
            con.close()
    except BaseException:
        if not had_shm:
            shm.unlink(missing_ok=True)
        raise


def _recover(path: Path, data_key: bytes | None = None) -> Found:
    """Let SQLite roll back a hot journal (an ordinary write), then check the result."""
    con = _reader(path, "", data_key)
    try:
        found = _identify(path, con)  # the first read rolls the journal back
        _quick_check(path, con)
    finally:
        con.close()
    if data_key is not None:
        return found  # an encrypted header holds no page count to compare
    with path.open("rb") as fh:
        _check_size(path, _read_header(path, fh.read(HEADER_SIZE)), path.stat().st_size)
    return found


def _preflight_keyed(path: Path, data_key: bytes) -> Found:
    """_preflight for an encrypted file: the header is ciphertext, so the key is tried
    on an immutable connection first (a wrong key writes nothing), then the same checks."""
    if path.stat().st_size == 0:
        return Found(None)
    with path.open("rb") as fh:
        if fh.read(len(SQLITE_HEADER)) == SQLITE_HEADER:
            raise NotEncrypted(path)
    wal, hot = _wal_pending(path), _hot_journal(path)
    try:
        con = _reader(path, "immutable=1", data_key)
        try:
            _check_key(path, con)
            found = _identify(path, con)
            if not (wal or hot):
                _quick_check(path, con)
                return found
        finally:
            con.close()
        return _through_wal(path, data_key) if wal else _recover(path, data_key)
    except (sqlcipher.Error, UnicodeDecodeError) as exc:
        raise _problem(path, exc) from exc


def _preflight(path: Path) -> Found:
    """Refuse a file we must not touch; say what it holds.

    The main file is read as immutable, which creates no -wal/-shm/-journal beside a
    file we may refuse. A pending -wal or a hot rollback journal is SQLite's ordinary
    crash recovery: once the main file is known to be ours, read through it.
    """
    size = path.stat().st_size
    if size == 0:
        return Found(None)  # an empty file is an empty database
    with path.open("rb") as fh:
        raw = fh.read(HEADER_SIZE)
    if not raw.startswith(SQLITE_HEADER):
        raise NotADatabase(path)
    header = _read_header(path, raw)
    if header.application_id not in (0, APPLICATION_ID):
        raise NotADatabase(path, FOREIGN)
    wal, hot = _wal_pending(path), _hot_journal(path)
    if not (wal or hot):
        _check_size(path, header, size)
    try:
        if hot and header.application_id == APPLICATION_ID:
            return _recover(path)  # a half-written main file could look damaged: recover first
        con = _reader(path, "immutable=1")
        try:
            found = _identify(path, con)
            if not (wal or hot):
                _quick_check(path, con)
                return found
        finally:
            con.close()
        return _through_wal(path) if wal else _recover(path)
    except (sqlite3.Error, UnicodeDecodeError) as exc:
        raise _problem(path, exc) from exc


def _url(path: Path, data_key: bytes | None) -> str | URL:
    if data_key is None:
        return f"sqlite:///{path}"
    # The pysqlcipher dialect issues `pragma key="<password>"` as the first statement of
    # every connection: x'<hex>' is SQLCipher's raw key (no second KDF at open).
    from . import crypto

    raw = f"x'{crypto.sqlcipher_key(data_key).hex()}'"
    return URL.create("sqlite+pysqlcipher", password=raw, database=str(path))


def make_engine(path: Path, data_key: bytes | None = None) -> Engine:
    """A SQLAlchemy engine with the pragmas every connection needs.

    The driver's own transaction handling is switched off (isolation_level=None) and
    SQLAlchemy emits BEGIN itself, so DDL is transactional and writers can ask for
    BEGIN IMMEDIATE (taking the write lock up front instead of failing halfway).
    With a data key the driver is sqlcipher3, keyed first on every connection, and
    temporary tables and indices stay in memory (no temporary file holds plaintext).
    """
    encrypted = data_key is not None
    driver_error = sqlcipher.Error if encrypted else sqlite3.Error
    engine = create_engine(
        _url(path, data_key),
        # The pool plaintext files get (pysqlcipher's own default is one connection per
        # thread, which nested sessions would share): the key is set on every connection.
        poolclass=QueuePool,
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
        # Sessions always end their own transaction (commit, or rollback on close), so the
        # pool's extra ROLLBACK on every check-in is a wasted statement per service call.
        pool_reset_on_return=None,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        dbapi_conn.isolation_level = None
        try:
            cur = dbapi_conn.cursor()
            if encrypted:
                cur.execute("PRAGMA temp_store=MEMORY")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            # FULL: a commit is on disk when it returns, so a saved answer survives power loss.
            cur.execute("PRAGMA synchronous=FULL")
            cur.close()
        except BaseException:
            # The pool never gets this connection: close it here, or the -wal/-shm it
            # made (a full disk) stay beside the file for as long as the error lives.
            dbapi_conn.close()
            raise

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        sql = "BEGIN IMMEDIATE" if immediate else "BEGIN"
        # Straight to the driver: every write starts here, and exec_driver_sql's machinery
        # cost more than the BEGIN (bench/autosave.py). Errors are wrapped as it would.
        try:
            driver = conn.connection.driver_connection
            assert driver is not None  # an open connection has its sqlite3 one
            driver.execute(sql)
        except driver_error as exc:
            raise DBAPIError.instance(sql, (), exc, driver_error) from exc

    return engine


def _integrity_problem(engine: Engine) -> str | None:
    """PRAGMA integrity_check on the live database: None when it is whole."""
    try:
        raw = engine.raw_connection()
        try:
            driver = raw.driver_connection
            assert driver is not None  # an open connection has its sqlite3 one
            rows = _cipher_problems(engine, driver)
            rows = rows or driver.execute("PRAGMA integrity_check").fetchall()
        finally:
            raw.close()
    except UnicodeDecodeError:  # SQLite quoting a garbled name
        return "unreadable text in the file"
    except (*DAMAGE_ERRORS, DBAPIError) as exc:  # type: ignore[misc]
        if is_damage(exc):
            return str(getattr(exc, "orig", exc))
        raise
    lines = [r[0] for r in rows]
    return None if lines == ["ok"] else "\n".join(lines)


def _cipher_problems(engine: Engine, driver: sqlite3.Connection) -> list[tuple[str]]:
    """An encrypted file's pages whose HMAC fails (PRAGMA cipher_integrity_check)."""
    if not is_encrypted(engine):
        return []
    return list(driver.execute("PRAGMA cipher_integrity_check").fetchall())


def is_encrypted(engine: Engine) -> bool:
    return engine.dialect.driver == "pysqlcipher"


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def backup_to(engine: Engine, target: Path) -> Path:
    """A consistent copy of the live database made with SQLite's backup API.

    Written to `.name.tmp` beside the target, fsynced, then renamed: a backup is whole
    or absent, and a failure (a full disk) leaves no file that could pass for one.
    The caller checks integrity first (see `checked_backup`).
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:
        raise NotAFolder(target.parent, "the database's backups") from exc
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        _copy_keyfile(engine, target)  # first: an encrypted copy is never without its keys
        _copy_pages(engine, tmp)
        _fsync(tmp)
        os.replace(tmp, target)
        with contextlib.suppress(OSError):  # the rename itself survives a power cut
            _fsync(target.parent)
    except BaseException as exc:
        for leftover in (tmp, tmp.with_name(tmp.name + "-journal")):
            leftover.unlink(missing_ok=True)
        if isinstance(exc, OSError | sqlite3.Error | sqlcipher.Error):
            raise _backup_problem(target, exc) from exc
        raise
    return target


def _copy_keyfile(engine: Engine, target: Path) -> None:
    """Beside an encrypted backup, a copy of the key file (`<backup>.keys`)."""
    if not is_encrypted(engine) or engine.url.database is None:
        return
    source = keyfile_path(Path(engine.url.database))
    write_atomically(keyfile_path(target), source.read_bytes())


def _copy_pages(engine: Engine, dest_path: Path) -> None:
    """The backup API; an encrypted database goes to a copy keyed with the same key."""
    raw = engine.raw_connection()
    try:
        if is_encrypted(engine):
            dest = sqlcipher.connect(dest_path)
            dest.execute(f'PRAGMA key="{engine.url.password}"')
        else:
            dest = sqlite3.connect(dest_path)
        try:
            driver = raw.driver_connection
            assert driver is not None  # an open connection has its sqlite3 one
            driver.backup(dest)
        finally:
            dest.close()
    finally:
        raw.close()


def _backup_problem(target: Path, exc: BaseException) -> DatabaseProblem:
    if getattr(exc, "errno", None) == errno.ENOSPC or "full" in str(exc).lower():
        return DiskFull(target, "this backup (nothing was kept of it)")
    return BackupFailed(target, getattr(exc, "strerror", None) or str(exc))


def checked_backup(engine: Engine, path: Path, target: Path) -> Path:
    """Copy only a whole database: the full integrity check runs first."""
    problem = _integrity_problem(engine)
    if problem is not None:
        raise CorruptDatabase(path, problem)
    return backup_to(engine, target)


def _sweep_temporaries(folder: Path, pattern: str) -> None:
    """Remove temporary files a crash left behind; a fresh one may be another writer's."""
    cutoff = time.time() - STALE_TMP_SECONDS
    for tmp in folder.glob(pattern):
        with contextlib.suppress(OSError):
            if tmp.stat().st_mtime < cutoff:
                tmp.unlink()


def _backup_time(p: Path) -> str:
    match = _BACKUP_STAMP.search(p.name)
    return match.group(1) if match else ""


def good_backups(path: Path) -> list[Path]:
    """This database's backups, newest first (their names carry the time)."""
    folder = path.parent / "backups"
    pattern = re.compile(re.escape(path.stem) + r"-\d{8}T\d{6}-[\w.-]+\.db")
    with contextlib.suppress(OSError):
        found = [p for p in folder.glob("*.db") if pattern.fullmatch(p.name)]
        return sorted(found, key=lambda p: (_backup_time(p), p.stat().st_mtime), reverse=True)
    return []


def _whole(path: Path, data_key: bytes | None = None) -> bool:
    try:
        con = _reader(path, "immutable=1", data_key)
        try:
            return [r[0] for r in con.execute("PRAGMA quick_check")] == ["ok"]
        finally:
            con.close()
    except (*DRIVER_ERRORS, UnicodeDecodeError, OSError):  # type: ignore[misc]
        return False


@dataclass
class Database:
    """An open Inspector database file and the folders beside it."""

    path: Path
    engine: Engine
    device_id: str
    user: str = ""
    # Told once per committed action, after the commit, with everything it changed.
    listeners: list[Callable[[Changes], None]] = field(default_factory=list)
    # The file that was opened: a write into a deleted or replaced file would be lost.
    file_id: tuple[int, int] | None = None
    # Set once an integrity check found damage: writes stop from then on.
    damage: str | None = None
    # Encrypted (SQLCipher, a key file beside it): the key of its files (store.files);
    # None for a plaintext database.
    file_key: bytes | None = field(default=None, repr=False)
    encrypted: bool = False
    data_key: bytes | None = field(default=None, repr=False)
    # The signed-in person's roles (services.accounts); None: plaintext, no accounts.
    roles: frozenset[str] | None = None

    @property
    def attachments_dir(self) -> FileStore:
        """The files folder, carrying the file key of an encrypted database (store.files)."""
        return FileStore.at(self.path.parent / f"{self.path.stem}-files", self.file_key)

    @property
    def backups_dir(self) -> Path:
        return self.path.parent / "backups"

    def read(self) -> Session:
        """A session for reading. Objects stay usable after it closes."""
        from sqlmodel import Session

        return Session(self.engine, expire_on_commit=False)

    def write(self) -> Session:
        """A session whose transaction takes SQLite's write lock at BEGIN.

        Refused (DatabaseProblem) once damage was found, or when the file at `path` is
        no longer the one opened: SQLite would keep writing into the deleted file.
        """
        self._check_writable()
        from sqlmodel import Session

        return Session(self._immediate, expire_on_commit=False)

    def _check_writable(self) -> None:
        if self.damage is not None:
            raise self._damage_found(self.damage)
        if self.file_id is not None and _file_id(self.path) != self.file_id:
            raise FileGone(self.path)  # one os.stat (a few µs) per write

    @functools.cached_property
    def _immediate(self) -> Engine:
        """The engine whose transactions begin IMMEDIATE (made once, not per write)."""
        return self.engine.execution_options(sqlite_immediate=True)

    def notify(self, changes: Changes) -> None:
        for listener in list(self.listeners):
            listener(changes)

    def get_meta(self, key: str, default: str = "") -> str:
        # SQL on the engine, not the Meta model: the open and the first run need no ORM.
        with self.engine.connect() as conn:
            value = conn.exec_driver_sql("SELECT value FROM meta WHERE key = ?", (key,)).scalar()
        return default if value is None else str(value)

    def set_meta(self, key: str, value: str) -> None:
        self._check_writable()  # the refusals of every write (damage found, file gone)
        with self._immediate.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def last_good_backup(self) -> Path | None:
        """The newest backup that passes SQLite's quick check, if any."""
        return next((p for p in good_backups(self.path) if _whole(p, self.data_key)), None)

    def _damage_found(self, detail: str) -> DamageFound:
        return DamageFound(self.path, detail, self.last_good_backup())

    def check_integrity(self) -> None:
        """The full integrity check (seconds on a large file: run it off the GUI thread).

        Raises DamageFound, naming the last good backup, and stops all further writes.
        """
        problem = _integrity_problem(self.engine)
        if problem is not None:
            self.damage = problem
            raise self._damage_found(problem)

    def backup(self, label: str = "manual") -> Path:
        """A checked copy in backups/; a damaged database is never copied."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        target = self.backups_dir / f"{self.path.stem}-{stamp}-{label}.db"
        self.check_integrity()
        return backup_to(self.engine, target)

    def close(self) -> None:
        self.engine.dispose()


def _daily_copies(db: Database) -> list[Path]:
    """This database's daily copies, oldest first (not those of 'a-b.db' beside 'a.db')."""
    pattern = re.compile(re.escape(db.path.stem) + r"-\d{8}T\d{6}-daily\.db")
    return sorted(p for p in db.backups_dir.glob("*-daily.db") if pattern.fullmatch(p.name))


def _daily_backup(db: Database) -> None:
    """Keep one copy a day of a database that has data, the last ROLLING_BACKUPS of them."""
    today = datetime.now(UTC).strftime("%Y%m%d")
    if any(p.name.startswith(f"{db.path.stem}-{today}") for p in _daily_copies(db)):
        return
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    checked_backup(db.engine, db.path, db.backups_dir / f"{db.path.stem}-{stamp}-daily.db")
    for old in _daily_copies(db)[:-ROLLING_BACKUPS]:
        old.unlink(missing_ok=True)
        keyfile_path(old).unlink(missing_ok=True)


def _stamp(conn: Connection, head: str) -> None:
    """Mark the file as Inspector's, at this schema revision, in SQLite's own header."""
    conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
    conn.exec_driver_sql(f"PRAGMA user_version={schema_position(head)}")


def open_database(
    path: Path | str,
    *,
    user: str = "",
    daily_backup: bool = True,
    data_key: bytes | None = None,
) -> Database:
    """Open (creating or upgrading as needed) the database at `path`.

    Raises a DatabaseProblem subclass, with a one-line message, for a file that is
    not an Inspector database, is damaged or was written by a newer app; nothing is
    written to it. With `data_key` the file is SQLCipher (see docs/security.md); a file
    with a key file beside it cannot be opened without one (SignInNeeded), and a wrong
    key is refused before anything is written (WrongKey).
    """
    path = Path(path).expanduser()
    found = Found(None)
    finish_conversion(path)  # an encryption a crash interrupted: finished or undone first
    is_new = not _check_places(path)
    if data_key is None and keyfile_path(path).exists():
        raise SignInNeeded(path)
    if not is_new:
        found = _preflight(path) if data_key is None else _preflight_keyed(path, data_key)
    else:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CannotOpen(path, exc.strerror or str(exc)) from exc

    had = {s for s in ("-wal", "-shm") if path.with_name(path.name + s).exists()}
    engine = make_engine(path, data_key)
    try:
        return _open(path, engine, found, user, daily_backup and not is_new, data_key)
    except Exception as exc:
        engine.dispose()
        _remove_new_sidecars(path, had)
        if isinstance(exc, DatabaseProblem):
            raise
        problem = classify(path, exc)
        if problem is not None:
            raise problem from exc
        raise


def _open(
    path: Path,
    engine: Engine,
    found: Found,
    user: str,
    daily_backup: bool,
    data_key: bytes | None,
) -> Database:
    _bring_to_head(engine, path, found, head_revision())
    db = Database(path=path, engine=engine, device_id="", file_id=_file_id(path))
    if data_key is not None:
        from . import crypto

        db.data_key, db.file_key, db.encrypted = data_key, crypto.file_key(data_key), True
    if daily_backup:
        _daily_backup(db)  # before any other write: it checks the whole file first
    device = db.get_meta("device_id")
    if not device:
        device = str(uuid.uuid4())  # models.new_id, without building the models
        db.set_meta("device_id", device)
    db.device_id = device
    db.user = user or db.get_meta("inspector_name")
    db.attachments_dir.mkdir(parents=True, exist_ok=True)
    _sweep_temporaries(db.backups_dir, ".*.tmp*")
    _sweep_temporaries(db.attachments_dir, "*/.*.tmp")
    return db


# --- switching a plaintext database to an encrypted one (services.encryption) -------


def conversion_files(path: Path) -> tuple[Path, Path, Path]:
    """(state file, encrypted database being written, key file being written)."""
    return (
        path.with_name(path.name + ".encrypting"),
        path.with_name(f".{path.name}.enc"),
        path.with_name(f".{path.name}.keys.new"),
    )


ENCRYPTED_FILE_GLOB = "*/.*.enc"  # a file's encrypted copy, beside its plaintext


def finish_conversion(path: Path) -> str | None:
    """Complete or undo an encryption of the database at `path` that was interrupted.

    services.encryption writes everything encrypted under temporary names, then records
    the phase "switch" in the state file (temp + fsync + rename): that record is the
    commit point. Before it, the temporary files are removed (the plaintext set stays as
    it was); after it, the renames are redone (each is idempotent) and the plaintext
    leftovers removed. Returns the phase found, None when there was nothing to do.
    """
    state, _, _ = conversion_files(path)
    try:
        raw = state.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CannotOpen(state, exc.strerror or str(exc)) from exc
    try:
        phase = str(json.loads(raw).get("phase"))
    except (ValueError, AttributeError):
        phase = "prepare"  # written atomically: a damaged record was never a commit
    if phase == "switch":
        _roll_forward(path)
    else:
        _roll_back(path)
    state.unlink(missing_ok=True)
    fsync_dir(path.parent)
    return phase


def fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        _fsync(folder)


def _files_dir(path: Path) -> Path:
    return path.parent / f"{path.stem}-files"


def _roll_back(path: Path) -> None:
    _, enc, keys_new = conversion_files(path)
    for leftover in (enc, enc.with_name(enc.name + "-journal"), keys_new):
        leftover.unlink(missing_ok=True)
    leftovers = [*path.parent.glob(f".{keys_new.name}.*.tmp"),
                 *_files_dir(path).glob(ENCRYPTED_FILE_GLOB),
                 *_files_dir(path).glob("*/.*.enc.*.tmp")]  # fmt: skip
    for leftover in leftovers:
        leftover.unlink(missing_ok=True)


def _roll_forward(path: Path) -> None:
    _, enc, keys_new = conversion_files(path)
    if keys_new.exists():
        os.replace(keys_new, keyfile_path(path))
    if enc.exists():
        for sidecar in ("-wal", "-shm", "-journal"):  # the plaintext file's (checkpointed)
            path.with_name(path.name + sidecar).unlink(missing_ok=True)
        os.replace(enc, path)
    for copy in _files_dir(path).glob(ENCRYPTED_FILE_GLOB):
        os.replace(copy, copy.with_name(copy.name[1 : -len(".enc")]))
    for backup in good_backups(path):
        if _is_plaintext(backup):
            backup.unlink(missing_ok=True)
    fsync_dir(path.parent)


def _is_plaintext(path: Path) -> bool:
    with contextlib.suppress(OSError), path.open("rb") as fh:
        return fh.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    return False


def _bring_to_head(engine: Engine, path: Path, found: Found, head: str) -> None:
    """Upgrade an older schema (after a checked backup), or mark an unmarked Inspector file."""
    if found.revision != head:
        if found.revision is not None:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
            target = path.parent / "backups" / f"{path.stem}-{stamp}-before-{head}.db"
            checked_backup(engine, path, target)
        _upgrade(engine)
    elif found.application_id != APPLICATION_ID or found.user_version != schema_position(head):
        # An Inspector file from before the marks (checked by _preflight): adopt it.
        with engine.execution_options(sqlite_immediate=True).begin() as conn:
            _stamp(conn, head)


def _remove_new_sidecars(path: Path, had: set[str]) -> None:
    """After a failed open, remove the empty -wal and its -shm this open created.

    SQLite leaves them when it could not set up WAL (a full disk). An empty -wal holds
    nothing; one that existed before, or has content, is never touched.
    """
    wal, shm = (path.with_name(path.name + s) for s in ("-wal", "-shm"))
    with contextlib.suppress(OSError):
        if "-wal" not in had and wal.exists() and wal.stat().st_size == 0:
            wal.unlink()
        if "-shm" not in had and not wal.exists():
            shm.unlink(missing_ok=True)


def _upgrade(engine: Engine) -> None:
    """Bring the schema to head in one transaction (all or nothing), marks included."""
    from alembic import command

    cfg = _alembic_config()
    with engine.execution_options(sqlite_immediate=True).begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        _stamp(conn, head_revision())


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@contextlib.contextmanager
def opened(
    path: Path | str,
    *,
    user: str = "",
    daily_backup: bool = True,
    data_key: bytes | None = None,
) -> Iterator[Database]:
    db = open_database(path, user=user, daily_backup=daily_backup, data_key=data_key)
    try:
        yield db
    finally:
        db.close()
