"""Opening the SQLite file: checks first, then WAL engine, migrations and backups.

Order matters. Everything that could refuse the file (not SQLite, damaged, written by
a newer app) runs on a read-only connection before the engine is created, because
switching to WAL or migrating writes to the file and a refused file must stay as it was.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event
from sqlmodel import Session

from . import models
from .errors import CorruptDatabase, DatabaseTooNew, NotADatabase, classify

if TYPE_CHECKING:
    from alembic.config import Config

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000
MIGRATIONS_DIR = Path(__file__).with_name("migrations")
ROLLING_BACKUPS = 7  # daily copies kept in backups/


@dataclass(frozen=True)
class Change:
    """What a service call changed, for views that refresh on change."""

    action: str
    entity: str
    entity_id: str
    review_id: str | None = None


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
    graph: dict[str, str | None] = {}
    for script in (MIGRATIONS_DIR / "versions").glob("*.py"):
        text = script.read_text(encoding="utf-8")
        rev, down = _REVISION.search(text), _DOWN_REVISION.search(text)
        if rev:
            graph[rev.group(1)] = down.group(1) if down else None
    return graph


def head_revision() -> str:
    graph = _revision_graph()
    heads = set(graph) - set(graph.values())
    if len(heads) != 1:
        raise RuntimeError(f"migrations must have exactly one head, found {sorted(heads)}")
    return heads.pop()


def _known_revisions() -> set[str]:
    return set(_revision_graph())


def _preflight(path: Path) -> str | None:
    """Refuse a file we must not touch; return its schema revision (None if none yet).

    Uses a read-only connection so that nothing is written to a refused file.
    """
    with path.open("rb") as fh:
        header = fh.read(len(SQLITE_HEADER))
    if len(header) == 0:
        return None  # an empty file is an empty database
    if header != SQLITE_HEADER:
        raise NotADatabase(path)
    # Without a -wal file the main file holds everything: read it as immutable, which
    # creates no -wal/-shm beside a file we may refuse. With one, read through it.
    has_wal = path.with_name(path.name + "-wal").exists()
    mode = "mode=ro" if has_wal else "immutable=1"
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True)
    except sqlite3.Error as exc:
        raise classify(path, exc) or CorruptDatabase(path, str(exc)) from exc
    try:
        rows = con.execute("PRAGMA quick_check").fetchall()
        if [r[0] for r in rows] != ["ok"]:
            raise CorruptDatabase(path, rows[0][0])
        has_version = con.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
        ).fetchone()
        if not has_version:
            tables = con.execute(
                "SELECT count(*) FROM sqlite_master WHERE type='table'"
            ).fetchone()[0]
            if tables:
                raise NotADatabase(path)  # some other application's SQLite file
            return None
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None
    except sqlite3.DatabaseError as exc:
        raise classify(path, exc) or CorruptDatabase(path, str(exc)) from exc
    finally:
        con.close()


def make_engine(path: Path) -> Engine:
    """A SQLAlchemy engine with the pragmas every connection needs.

    The driver's own transaction handling is switched off (isolation_level=None) and
    SQLAlchemy emits BEGIN itself, so DDL is transactional and writers can ask for
    BEGIN IMMEDIATE (taking the write lock up front instead of failing halfway).
    """
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
        # Sessions always end their own transaction (commit, or rollback on close), so the
        # pool's extra ROLLBACK on every check-in is a wasted statement per service call.
        pool_reset_on_return=None,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # noqa: ANN001
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        # FULL: a commit is on disk when it returns, so a saved answer survives power loss.
        cur.execute("PRAGMA synchronous=FULL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # noqa: ANN001
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def backup_to(engine: Engine, target: Path) -> Path:
    """A consistent copy of the live database made with SQLite's backup API."""
    target.parent.mkdir(parents=True, exist_ok=True)
    raw = engine.raw_connection()
    try:
        dest = sqlite3.connect(target)
        try:
            raw.driver_connection.backup(dest)
        finally:
            dest.close()
    finally:
        raw.close()
    return target


@dataclass
class Database:
    """An open Inspector database file and the folders beside it."""

    path: Path
    engine: Engine
    device_id: str
    user: str = ""
    listeners: list[Callable[[Change], None]] = field(default_factory=list)

    @property
    def attachments_dir(self) -> Path:
        return self.path.parent / f"{self.path.stem}-files"

    @property
    def backups_dir(self) -> Path:
        return self.path.parent / "backups"

    def read(self) -> Session:
        """A session for reading. Objects stay usable after it closes."""
        return Session(self.engine, expire_on_commit=False)

    def write(self) -> Session:
        """A session whose transaction takes SQLite's write lock at BEGIN."""
        return Session(self.engine.execution_options(sqlite_immediate=True), expire_on_commit=False)

    def notify(self, change: Change) -> None:
        for listener in list(self.listeners):
            listener(change)

    def get_meta(self, key: str, default: str = "") -> str:
        with self.read() as s:
            row = s.get(models.Meta, key)
            return row.value if row else default

    def set_meta(self, key: str, value: str) -> None:
        with self.write() as s:
            s.merge(models.Meta(key=key, value=value))
            s.commit()

    def backup(self, label: str = "manual") -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        return backup_to(self.engine, self.backups_dir / f"{self.path.stem}-{stamp}-{label}.db")

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
    db.backup("daily")
    for old in _daily_copies(db)[:-ROLLING_BACKUPS]:
        old.unlink(missing_ok=True)


def open_database(path: Path | str, *, user: str = "", daily_backup: bool = True) -> Database:
    """Open (creating or upgrading as needed) the database at `path`.

    Raises a DatabaseProblem subclass, with a one-line message, for a file that is
    not SQLite, is damaged or was written by a newer app; nothing is written to it.
    """
    path = Path(path).expanduser()
    existing_rev: str | None = None
    is_new = not path.exists()
    if not is_new:
        if path.is_dir():
            raise NotADatabase(path)
        existing_rev = _preflight(path)
        if existing_rev is not None and existing_rev not in _known_revisions():
            raise DatabaseTooNew(path, existing_rev)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)

    engine = make_engine(path)
    head = head_revision()
    try:
        if existing_rev != head:
            if existing_rev is not None:
                stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
                backup_to(engine, path.parent / "backups" / f"{path.stem}-{stamp}-before-{head}.db")
            _upgrade(engine)
        db = Database(path=path, engine=engine, device_id="")
        device = db.get_meta("device_id")
        if not device:
            device = models.new_id()
            db.set_meta("device_id", device)
        db.device_id = device
        db.user = user or db.get_meta("inspector_name")
        if daily_backup and not is_new:
            _daily_backup(db)
        db.attachments_dir.mkdir(parents=True, exist_ok=True)
        return db
    except Exception as exc:
        engine.dispose()
        problem = classify(path, exc)
        if problem is not None:
            raise problem from exc
        raise


def _upgrade(engine: Engine) -> None:
    """Bring the schema to head in one transaction (all or nothing)."""
    from alembic import command

    cfg = _alembic_config()
    with engine.execution_options(sqlite_immediate=True).begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@contextlib.contextmanager
def opened(path: Path | str, **kw) -> Iterator[Database]:
    db = open_database(path, **kw)
    try:
        yield db
    finally:
        db.close()
