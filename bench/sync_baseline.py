"""The bare endpoint bench/sync.py compares the sync service's push with.

    python bench/sync_baseline.py --db URL --port P

A tiny FastAPI app on 127.0.0.1 over the same back end as the service (a SQLite file
or a PostgreSQL database, URL as `serve --db` takes it):
  POST /push        a push body as the client sends it ({"changes": [...]}): parsed
                    with json.loads, one row per change inserted with ONE executemany
                    into a plain table, one transaction
  PUT  /blob/{sha}  the raw bytes, one insert, one transaction
  GET  /hello       ready check
No validation, no merge, no receipts, no answer beyond a count: the floor a push of the
same bytes over HTTP into the same database costs.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

SQLITE_DDL = (
    "CREATE TABLE IF NOT EXISTS bare_change (change_id TEXT PRIMARY KEY, table_name TEXT "
    "NOT NULL, row_id TEXT NOT NULL, op TEXT NOT NULL, fields TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS bare_blob (sha256 TEXT PRIMARY KEY, data BLOB NOT NULL)",
)
PG_DDL = (
    "CREATE TABLE IF NOT EXISTS bare_change (change_id TEXT PRIMARY KEY, table_name TEXT "
    "NOT NULL, row_id TEXT NOT NULL, op TEXT NOT NULL, fields JSON NOT NULL)",
    "CREATE TABLE IF NOT EXISTS bare_blob (sha256 TEXT PRIMARY KEY, data BYTEA NOT NULL)",
)


class SqliteStore:
    """A connection per request, WAL and synchronous=NORMAL: as the service's engine."""

    mark = "?"

    def __init__(self, path: str) -> None:
        self.path = path
        with self._connect() as con:
            for ddl in SQLITE_DDL:
                con.execute(ddl)

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")
        return con

    def write(self, sql: str, params: list[tuple[Any, ...]]) -> None:
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            con.executemany(sql, params)
            con.execute("COMMIT")
        finally:
            con.close()


class PgStore:
    """One psycopg 3 connection kept open (the service keeps a pool)."""

    mark = "%s"

    def __init__(self, url: str) -> None:
        import psycopg

        self.con = psycopg.connect(url)
        with self.con.transaction():
            for ddl in PG_DDL:
                self.con.execute(ddl)

    def write(self, sql: str, params: list[tuple[Any, ...]]) -> None:
        with self.con.transaction(), self.con.cursor() as cur:
            cur.executemany(sql, params)


def open_store(url: str) -> SqliteStore | PgStore:
    if url.startswith("sqlite:///"):
        return SqliteStore(url.removeprefix("sqlite:///"))
    return PgStore(url.replace("postgresql+psycopg://", "postgresql://", 1))


def create_app(url: str) -> FastAPI:
    store = open_store(url)
    m = store.mark
    insert_change = f"INSERT INTO bare_change VALUES ({m}, {m}, {m}, {m}, {m})"
    insert_blob = f"INSERT INTO bare_blob VALUES ({m}, {m})"
    app = FastAPI()

    @app.get("/hello")
    def hello() -> dict[str, str]:
        return {"ok": "yes"}

    @app.post("/push")
    async def push(request: Request) -> JSONResponse:
        body = json.loads(await request.body())
        params = [
            (c["change_id"], c["table"], c["row_id"], c["op"], json.dumps(c["fields"]))
            for c in body["changes"]
        ]
        store.write(insert_change, params)
        return JSONResponse({"stored": len(params)})

    @app.put("/blob/{sha256}")
    async def put_blob(sha256: str, request: Request) -> JSONResponse:
        data = await request.body()
        store.write(insert_blob, [(sha256, data)])
        return JSONResponse({"stored": len(data)})

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="sqlite:///PATH or postgresql+psycopg://...")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(create_app(args.db), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
