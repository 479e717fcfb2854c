"""Reading and tampering with the audit trail straight in the SQLite file."""

from __future__ import annotations

import contextlib
import io
import sqlite3
from pathlib import Path
from typing import Any

from inspector_app.cli.main import run

COLUMNS = ("id", "at", "component", "event", "user", "outcome", "entity", "entity_id",
           "detail", "device_id", "action", "prev_hash", "hash")  # fmt: skip


def entries(path: Path) -> list[dict[str, Any]]:
    con = sqlite3.connect(path)
    try:
        cols = ", ".join(f'"{c}"' for c in COLUMNS)
        return [dict(zip(COLUMNS, r, strict=True))
                for r in con.execute(f"SELECT {cols} FROM audit_log ORDER BY id")]  # fmt: skip
    finally:
        con.close()


def sql(path: Path, *statements: tuple[str, tuple[Any, ...]]) -> None:
    con = sqlite3.connect(path)
    try:
        for text, params in statements:
            con.execute(text, params)
        con.commit()
    finally:
        con.close()


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run(list(args))
    return code, out.getvalue(), err.getvalue()
