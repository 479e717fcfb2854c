"""The hash-chained audit trail (docs/security.md, "The audit trail (CJIS 5.4.1)").

Data writes are audited by services.uow (one entry per action, in its transaction).
Here: events that write no data (sign-in, lockout, export, print, a report rendered)
through `record_event`, and for an auditor `verify_chain` (recompute the chain, name the
first bad entry), `export_csv` and `chain_head` (printed on final reports, sent to the
server at every sync).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from inspector_app.store.database import Database

from .out_files import write_atomically
from .uow import ZERO_HASH, entry_hash, unit_of_work

# Every column, in the order of the export.
COLUMNS = ("id", "at", "component", "event", "user", "outcome", "entity", "entity_id",
           "detail", "device_id", "action", "prev_hash", "hash")  # fmt: skip
_SELECT = "SELECT " + ", ".join(f'"{c}"' for c in COLUMNS) + " FROM audit_log"
WITNESS_KEY = "audit_head_synced"  # meta: "id:hash" of the head the server accepted last


def record_event(db: Database, event: str, outcome: str, entity: str, entity_id: str,
                 *, user: str | None = None, at: datetime | None = None,
                 component: str | None = None, **detail: Any) -> None:  # fmt: skip
    """One audit entry for something that writes no data (sign-in, sign-in-failed,
    lockout, export, print, report), in its own small transaction. `user` and `at`
    default to the database's user and now (a pending failed sign-in brings its own)."""
    with unit_of_work(db, event.replace("-", "_"), component) as uow:
        uow.audit_event(event, outcome, entity, entity_id, detail, user=user, at=at)


def record_print(db: Database, entity: str, entity_id: str, **detail: Any) -> None:
    """The "print" event: for the UI's print action (a report sent to a printer)."""
    record_event(db, "print", "success", entity, entity_id, **detail)


# --- reading the chain ------------------------------------------------------------------


def _rows(db: Database, since: datetime | None = None) -> Iterator[tuple[Any, ...]]:
    """The entries as stored (text as SQLite holds it), in id order."""
    with db.read() as s:
        driver = s.connection().connection.driver_connection
        assert driver is not None
        if since is None:
            cursor = driver.execute(_SELECT + " ORDER BY id")
        else:  # the stored form of an instant sorts as the instant does
            cursor = driver.execute(_SELECT + " WHERE at >= ? ORDER BY id",
                                    (since.strftime("%Y-%m-%d %H:%M:%S.%f"),))  # fmt: skip
        yield from cursor


def _iso(stored: Any) -> str:
    """A stored instant as services.uow hashed it (ISO 8601, +00:00)."""
    value = datetime.fromisoformat(str(stored))
    value = value.replace(tzinfo=UTC) if value.utcoffset() is None else value.astimezone(UTC)
    return value.isoformat()


def _entry(row: tuple[Any, ...]) -> dict[str, Any]:
    """The hashed fields of a stored entry (raises ValueError on unreadable text)."""
    fields = dict(zip(COLUMNS, row, strict=True))
    fields.pop("id"), fields.pop("hash")
    fields["at"] = _iso(fields["at"])
    fields["detail"] = json.loads(fields["detail"])
    return fields


def _recomputed(row: tuple[Any, ...]) -> str | None:
    try:
        return entry_hash(_entry(row))
    except (TypeError, ValueError):  # an unreadable instant or detail: edited by hand
        return None


@dataclass
class ChainReport:
    ok: bool
    entries: int
    first_bad: int | None = None  # the first entry that is wrong or missing
    problem: str = ""
    head: tuple[int, str] | None = None  # the last entry (id, hash) read


def _check(row: tuple[Any, ...], last_id: int, prev: str) -> tuple[int, str] | None:
    """(first bad id, why) if this entry breaks the chain after (last_id, prev)."""
    ident, prev_hash, digest = row[0], row[-2], row[-1]
    if ident != last_id + 1:
        return last_id + 1, (
            f"entry {last_id + 1} is missing: entry {ident} follows entry {last_id} "
            "(deleted, or ids changed)"
        )
    if prev_hash != prev:
        before = f"entry {last_id}'s hash" if last_id else "the start of the chain"
        return ident, (
            f"entry {ident}'s prev_hash does not match {before} "
            "(an entry was deleted, inserted or reordered, or prev_hash was edited)"
        )
    if _recomputed(row) != digest:
        return ident, f"entry {ident} was edited: its hash does not match its content"
    return None


def _witness(db: Database) -> tuple[int, str] | None:
    """The head the central service accepted at the last sync, if any."""
    raw = db.get_meta(WITNESS_KEY)
    ident, _, digest = raw.partition(":")
    return (int(ident), digest) if ident.isdigit() and digest else None


def _against_witness(db: Database, seen: dict[int, str], last_id: int) -> tuple[int, str] | None:
    """Entries after the last one can only be missed against a head known elsewhere:
    the one the central service accepted at the last sync."""
    witness = _witness(db)
    if witness is None:
        return None
    ident, digest = witness
    if ident > last_id:
        return last_id + 1, (
            f"entries {last_id + 1} to {ident} are missing: the server was sent entry "
            f"{ident} as the chain head at the last sync (deleted)"
        )
    if seen.get(ident, digest) != digest:
        return (
            ident,
            f"entry {ident} differs from the chain head the server was sent at the last sync",
        )
    return None


def verify_chain(db: Database) -> ChainReport:
    """Recompute the chain in id order; name the first entry edited, deleted, inserted or
    reordered, and why."""
    last_id, prev, count = 0, ZERO_HASH, 0
    witness = _witness(db)
    seen: dict[int, str] = {}
    for row in _rows(db):
        bad = _check(row, last_id, prev)
        if bad is not None:
            return ChainReport(False, count, bad[0], bad[1], (last_id, prev) if last_id else None)
        last_id, prev, count = row[0], row[-1], count + 1
        if witness is not None and row[0] == witness[0]:
            seen[row[0]] = row[-1]
    bad = _against_witness(db, seen, last_id)
    head = (last_id, prev) if last_id else None
    if bad is not None:
        return ChainReport(False, count, bad[0], bad[1], head)
    return ChainReport(True, count, None, "", head)


def chain_head(db: Database) -> tuple[int, str]:
    """The last entry's (id, hash); (0, 64 zeros) for an empty trail."""
    with db.read() as s:
        driver = s.connection().connection.driver_connection
        assert driver is not None
        row = driver.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    return (int(row[0]), str(row[1])) if row else (0, ZERO_HASH)


def report_head(db: Database, review_id: str) -> tuple[int, str]:
    """The head a final review's report prints: the entry of its last finalization on
    this laptop (so the same data keeps giving the same bytes), else the current head
    (a review finalized on another laptop)."""
    with db.read() as s:
        driver = s.connection().connection.driver_connection
        assert driver is not None
        row = driver.execute(
            "SELECT id, hash FROM audit_log WHERE entity_id = ? AND event = 'finalize' "
            "ORDER BY id DESC LIMIT 1", (review_id,)
        ).fetchone()  # fmt: skip
    return (int(row[0]), str(row[1])) if row else chain_head(db)


def remember_synced_head(db: Database, head: tuple[int, str]) -> None:
    """Keep the head the central service accepted: verify_chain then also notices the
    newest entries deleted."""
    db.set_meta(WITNESS_KEY, f"{head[0]}:{head[1]}")


class HeadReport(BaseModel):
    """What POST /v1/audit-heads takes: this laptop's chain head after a sync's push."""

    device_id: str
    entry_id: int
    hash: str
    at: datetime


class HeadAnswer(BaseModel):
    device_id: str
    entry_id: int
    known: bool = False


def head_report(db: Database) -> HeadReport:
    ident, digest = chain_head(db)
    return HeadReport(device_id=db.device_id, entry_id=ident, hash=digest, at=datetime.now(UTC))


# --- export -------------------------------------------------------------------------------


def _csv_row(row: tuple[Any, ...]) -> list[Any]:
    from inspector_app.analytics.excel import csv_text  # pandas and openpyxl: on first use

    return [csv_text(v) if isinstance(v, str) else v for v in row]


def export_csv(db: Database, since: date, out: Path | str) -> int:
    """Every column of the entries since `since` (UTC day) to a CSV file for an auditor,
    text cells formula-escaped as every export; written atomically. The count written."""
    start = datetime(since.year, since.month, since.day)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    count = 0
    for row in _rows(db, start):
        writer.writerow(_csv_row(row))
        count += 1
    write_atomically(Path(out), buffer.getvalue().encode("utf-8-sig"))
    return count
