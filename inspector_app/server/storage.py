"""The service's tables (SQLAlchemy Core, its own MetaData) and its database engine.

Rows are kept as JSON documents, so one code path serves every syncable table and both
back ends: a SQLite file (WAL, busy timeout) or PostgreSQL through psycopg 3.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.pool import NullPool

ADVISORY_LOCK = 287  # every write on PostgreSQL takes pg_advisory_xact_lock(287) first
SQLITE_BUSY_MS = 30_000


class UTCDateTime(TypeDecorator[datetime]):
    """DateTime(timezone=True) that always reads back timezone-aware UTC: SQLite keeps no
    offset, and an answer's date-time without one is not RFC 3339 (the OpenAPI schema)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


metadata = MetaData()

# A sequence that is an INTEGER PRIMARY KEY on SQLite (its rowid) and BIGSERIAL elsewhere.
_SEQ = BigInteger().with_variant(Integer(), "sqlite")

users = Table(
    "users",
    metadata,
    Column("id", _SEQ, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("role", String(32), nullable=False),
    Column("field_office", String(64), nullable=False, default=""),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
)

enrollments = Table(
    "enrollments",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", _SEQ, ForeignKey("users.id"), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("used_at", UTCDateTime(), nullable=True),
)

devices = Table(
    "devices",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", _SEQ, ForeignKey("users.id"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False, default=""),
    Column("public_key", String(200), nullable=False, default=""),
    Column("enrolled_at", UTCDateTime(), nullable=False),
    Column("last_seen", UTCDateTime(), nullable=True),
)

rows = Table(
    "rows",
    metadata,
    Column("table_name", String(64), primary_key=True),
    Column("row_id", String(64), primary_key=True),
    Column("rev", Integer, nullable=False),
    Column("fields", JSON, nullable=False),
    Column("deleted", Boolean, nullable=False, default=False),
    Column("office", String(64), nullable=False, default=""),
    Column("writers", JSON, nullable=False),
    Column("natural_key", Text, nullable=True),
    Column("last_seq", BigInteger, nullable=True),
    UniqueConstraint("table_name", "natural_key", name="uq_rows_natural_key"),
)

changes = Table(
    "changes",
    metadata,
    Column("seq", _SEQ, primary_key=True, autoincrement=True),
    Column("change_id", String(64), nullable=False),
    Column("table_name", String(64), nullable=False),
    Column("row_id", String(64), nullable=False),
    Column("rev", Integer, nullable=False),
    Column("op", String(16), nullable=False),
    Column("fields", JSON, nullable=False),
    Column("office", String(64), nullable=False),
    Column("device_id", String(64), nullable=False),
    Column("user_name", String(200), nullable=False),
    Column("received_at", UTCDateTime(), nullable=False),
    Index("ix_changes_office_seq", "office", "seq"),
)

receipts = Table(
    "receipts",
    metadata,
    Column("change_id", String(64), primary_key=True),
    Column("result", JSON, nullable=False),
)

blobs = Table(
    "blobs",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("complete", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

blob_chunks = Table(
    "blob_chunks",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("offset", BigInteger, primary_key=True),
    Column("data", LargeBinary, nullable=False),
)


_memo = threading.local()


def _dumps(value: Any) -> str:
    """json.dumps for the JSON columns; inside json_once(), an object written twice (a
    row's fields go to `rows` and to `changes`) is serialized once."""
    memo: dict[int, tuple[Any, str]] | None = getattr(_memo, "memo", None)
    if memo is None:
        return json.dumps(value)
    found = memo.get(id(value))
    if found is not None and found[0] is value:
        return found[1]
    text = json.dumps(value)
    memo[id(value)] = (value, text)  # the object is held: its id is not reused meanwhile
    return text


def json_text(value: Any) -> str:
    """A JSON column's text for `value` (once per object inside json_once())."""
    return _dumps(value)


@contextmanager
def json_once() -> Iterator[None]:
    """Within this block (this thread), the JSON text of an object is made once: the
    objects must not change inside it."""
    _memo.memo = {}
    try:
        yield
    finally:
        _memo.memo = None


def normalize_url(db: str) -> str:
    """A database URL, or a path (a SQLite file)."""
    if "://" in db:
        return db
    return f"sqlite:///{Path(db).expanduser().resolve()}"


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(db: str) -> Engine:
    """An engine for `db` (a URL or a path). SQLite: WAL, a busy timeout, and explicit
    transactions (BEGIN IMMEDIATE for writes, so two writers queue instead of failing);
    a small pool, so the PRAGMAs run once per connection, not per request (and closing
    the last connection does not checkpoint the WAL after every request). An in-memory
    database keeps no pool (each connection would be another database)."""
    url = normalize_url(db)
    if url.startswith("sqlite"):
        memory = url in ("sqlite://", "sqlite:///:memory:") or "mode=memory" in url
        pooling: dict[str, Any] = (
            {"poolclass": NullPool} if memory else {"pool_size": 4, "max_overflow": 8}
        )
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_MS / 1000, "check_same_thread": False},
            json_serializer=_dumps,
            **pooling,
        )
        _sqlite_events(engine)
        return engine
    return create_engine(
        url, pool_pre_ping=True, pool_size=5, max_overflow=10, json_serializer=_dumps
    )


def _sqlite_events(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # transactions are begun by the events below
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql(conn.info.pop("begin_sql", "BEGIN"))


@contextmanager
def write_tx(engine: Engine) -> Iterator[Connection]:
    """One write transaction: BEGIN IMMEDIATE on SQLite, the advisory lock on PostgreSQL."""
    with engine.connect() as conn:
        if is_sqlite(engine):
            conn.info["begin_sql"] = "BEGIN IMMEDIATE"
        with conn.begin():
            if engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": ADVISORY_LOCK})
            yield conn


@contextmanager
def read_tx(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn, conn.begin():
        yield conn
