"""Import earlier reviews and findings from a history CSV: one all-or-nothing write.

Every row is checked first (services.history_csv); any problem stops the import with
every error listed and nothing written. Then the new rows go in as bulk inserts inside
ONE unit of work: each still gets its sync fields and a change-log entry, and one audit
entry summarises the import. Calling `uow.save` 100,000 times would take minutes; the
bulk path builds the driver's parameters and the change-log JSON column by column,
converting each distinct date or stamp once, which keeps 100,000 rows under 10 s.

Idempotent: imported rows carry `source_ref` "history:<ref>", and refs already in the
database are skipped, so importing the same file twice changes nothing the second time.
A ref imported before whose end_date, mode, follow_up_of or description differs in the
file is not overwritten (an imported review is final: it is corrected by an amendment in
the app, with a reason); each such difference is listed in the result instead.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import repeat
from json.encoder import encode_basestring_ascii as _json_string
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic_core import to_jsonable_python
from sqlalchemy import Column, Dialect, Select, Table, func
from sqlalchemy import select as select_columns
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from inspector_app.domain.calendar import focus_review_due
from inspector_app.domain.enums import FindingStatus, ReviewKind, ReviewStatus
from inspector_app.store.changes import Changes
from inspector_app.store.database import Database
from inspector_app.store.models import (
    Agency,
    Agreement,
    ChangeLog,
    Finding,
    Review,
    SyncFields,
    table_name,
    utcnow,
)

from . import forms
from .errors import Invalid, ServiceError
from .history_csv import KnownHistory, ParsedHistory, parse_history
from .uow import UnitOfWork, unit_of_work

PREFIX = "history:"
BULK_CACHE_KIB = 256 * 1024  # 256 MiB while importing
Progress = Callable[[int, str], None]


class HistoryImportError(ServiceError):
    """The file has problems; `errors` holds one `FILE:LINE: column: message` line each."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass(frozen=True)
class ImportResult:
    rows: int
    agencies: int = 0
    reviews: int = 0
    findings: int = 0
    judged: int = 0  # findings whose resolution a focus review set
    # FILE:LINE: column: lines, one per value that differs from an earlier import (kept).
    differences: tuple[str, ...] = ()

    @property
    def new(self) -> int:
        return self.agencies + self.reviews + self.findings + self.judged

    def describe(self) -> str:
        if not self.new and not self.differences:
            return f"{self.rows} rows read, 0 new: everything in the file was imported before"
        if not self.new:
            text = f"{self.rows} rows read, 0 new"
        else:
            text = (f"{self.rows} rows read: {self.reviews} new reviews, {self.findings} new "
                    f"findings, {self.agencies} new agencies, {self.judged} findings judged by "
                    "focus reviews")  # fmt: skip
        if not self.differences:
            return text
        n = len(self.differences)
        return "\n".join([
            f"{text}; {n} value{'s' if n > 1 else ''} in the file "
            f"{'differ' if n > 1 else 'differs'} from what was imported before and "
            f"{'were' if n > 1 else 'was'} NOT applied (the database keeps its values; to "
            "correct an imported review, amend it in the app):",
            *self.differences,
        ])  # fmt: skip


def known_history(session: Session) -> KnownHistory:
    """What earlier history imports left, keyed by the file's refs."""
    parent_review = aliased(Review)
    reviews = _driver_rows(session,
        select_columns(col(Review.source_ref), col(Review.kind), col(Agency.name),
                       col(Agency.state), col(Review.start_date), col(Review.id),
                       col(Review.end_date), col(Review.mode), col(parent_review.source_ref))
        .join(Agency, col(Agency.id) == Review.agency_id)
        .outerjoin(parent_review, col(parent_review.id) == Review.parent_review_id)
        .where(col(Review.source_ref).startswith(PREFIX), col(Review.deleted) == False)  # noqa: E712
    )  # fmt: skip
    rdf = _frame(reviews, ["ref", "kind", "name", "state", "start_date", "id", "end", "mode",
                           "parent"])  # fmt: skip
    days = {d: date.fromisoformat(d) for d in {*rdf["start_date"], *rdf["end"]} if d}
    for column in ("start_date", "end"):  # the driver's ISO text, as dates
        rdf[column] = pd.Series([days.get(d) for d in rdf[column]], index=rdf.index,
                                dtype=object)  # fmt: skip
    rdf["review_ref"] = _unprefixed(rdf["ref"])
    rdf["agency_key"] = _agency_keys(rdf["name"], rdf["state"])
    rdf["follow_up_of"] = _unprefixed(rdf["parent"])
    parent = _driver_rows(session,
        select_columns(col(Finding.source_ref), col(Review.source_ref), col(Finding.kind),
                       col(Finding.topic), col(Finding.responsible), col(Finding.id),
                       col(Finding.status), col(Finding.resolved_by_review_id),
                       col(Finding.description))
        .join(Review, col(Review.id) == Finding.review_id)
        .where(col(Finding.source_ref).startswith(PREFIX), col(Finding.deleted) == False)  # noqa: E712
    )  # fmt: skip
    fdf = _frame(parent, ["ref", "rref", "kind", "topic", "responsible", "id", "status",
                          "resolved_by", "description"])  # fmt: skip
    fdf["finding_ref"] = _unprefixed(fdf["ref"])
    fdf["review_ref"] = _unprefixed(fdf["rref"])
    return KnownHistory(
        reviews=rdf[["review_ref", "kind", "agency_key", "start_date", "end", "mode",
                     "follow_up_of", "id"]],
        findings=fdf[["finding_ref", "review_ref", "kind", "topic", "responsible", "description",
                      "id", "status", "resolved_by"]],
    )  # fmt: skip


def _unprefixed(refs: pd.Series) -> pd.Series:
    """The file's refs from stored source_refs ("" for none): sliced in a comprehension,
    several times faster than the .str accessor on 100,000 values."""
    n = len(PREFIX)
    return pd.Series([r[n:] if r else "" for r in refs], index=refs.index, dtype=object)


def _agency_keys(names: pd.Series, states: pd.Series) -> pd.Series:
    """Stored agencies' match keys (as the parser's agency_key), one per distinct pair."""
    pairs = list(zip(names, states, strict=True))
    keys = {(n, st): f"{n.strip().casefold()}|{st.upper()}" for n, st in set(pairs)}
    return pd.Series([keys[p] for p in pairs], index=names.index, dtype=object)


def _driver_rows(session: Session, stmt: Select[*tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The rows of `stmt` as plain tuples straight from the driver (dates stay ISO text):
    building SQLAlchemy rows for 100,000 results costs more than the query itself."""
    conn = session.connection()
    compiled = stmt.compile(dialect=conn.dialect)
    assert compiled.positiontup is not None  # sqlite's paramstyle is positional ("qmark")
    params = [compiled.params[name] for name in compiled.positiontup]
    cursor = _driver_cursor(session)
    try:
        rows: list[tuple[Any, ...]] = cursor.execute(str(compiled), params).fetchall()
        return rows
    finally:
        cursor.close()


def _driver_cursor(session: Session) -> sqlite3.Cursor:
    """A cursor of the sqlite3 connection under the session's (its transaction)."""
    driver = session.connection().connection.driver_connection
    assert driver is not None  # an open connection has its sqlite3 one
    cursor: sqlite3.Cursor = driver.cursor()
    return cursor


def _frame(rows: list[Any], columns: list[str]) -> pd.DataFrame:
    """Rows as plain object columns: pandas' str dtype is slow to build and to iterate."""
    data = list(zip(*rows, strict=True)) or [()] * len(columns)
    return pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in zip(columns, data, strict=True)})


def check_history(db: Database, path: Path | str) -> ParsedHistory:
    """Check a file without writing anything (the 'dry run' the GUI shows first)."""
    with _no_cycle_collection(), db.read() as s:
        return parse_history(_existing_file(path), list(forms.topics()), known_history(s))


def _existing_file(path: Path | str) -> Path:
    p = Path(path)
    if not p.is_file():
        raise Invalid("file", f"{p}: no such file; give the path of a history CSV")
    return p


def import_history(db: Database, path: Path | str, *, progress: Progress | None = None
                   ) -> ImportResult:  # fmt: skip
    """Import a history CSV all or nothing. Raises HistoryImportError listing every bad row."""
    step = progress or (lambda _p, _m: None)
    path = _existing_file(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    step(5, "Checking the file")
    # The check runs inside the write transaction, so nothing can slip in between.
    with _no_cycle_collection(), unit_of_work(db, "import_history") as uow:
        known = known_history(uow.session)
        parsed = parse_history(path, list(forms.topics()), known)
        if not parsed.ok:
            raise HistoryImportError(parsed.errors)
        step(40, "Writing reviews and findings")
        writer = _BulkWriter(uow)
        with _large_cache(uow.session):
            result = writer.write(parsed, known)
        result = dataclasses.replace(result, differences=tuple(parsed.differences))
        if result.new:
            uow.audit("history_import", digest[:16], file=path.name, sha256=digest,
                      rows=result.rows, agencies=result.agencies, reviews=result.reviews,
                      findings=result.findings, judged=result.judged,
                      not_applied=len(result.differences))  # fmt: skip
        step(95, "Saving")
    if result.new:
        db.notify(Changes.bulk("import_history"))  # a bulk write: views reload once
    step(100, "Done")
    return result


class _BulkWriter:
    """Bulk inserts of new rows with their sync fields and change-log entries.

    Rows are handled column by column: each column is converted to what the driver
    stores, and to its JSON text for the change log, with one pass over plain strings
    and one conversion per distinct value otherwise (dates, stamps and flags repeat).
    """

    def __init__(self, uow: UnitOfWork):
        self.uow, self.session = uow, uow.session
        self.now = utcnow()
        self.dialect = self.session.connection().dialect
        self.log_rows: list[str] = []  # row ids, tables and payload texts of the change log
        self.log_tables: list[str] = []
        self.log_payloads: list[str] = []
        # Inserts waiting for write_pending: model, columns, defaults.
        self.pending: list[tuple[type[SyncFields], dict[str, list[Any]], dict[str, Any]]] = []

    def insert(self, model: type[SyncFields], columns: dict[str, list[Any]], **defaults: Any
               ) -> None:  # fmt: skip
        """Queue rows given as `columns` (values as the model holds them) for insertion by
        write_pending; every other column takes the model's value for `defaults`, stamped
        once for the whole import."""
        self.pending.append((model, columns, defaults))

    def write_pending(self) -> None:
        """Insert the queued rows and their change-log entries. A table that gets at least
        as many new rows as it holds has its secondary indexes dropped and created again
        after the inserts (same transaction): building an index from the finished table
        is several times faster than keeping it up to date row by row."""
        adding = {table_name(model): len(columns["id"]) for model, columns, _d in self.pending}
        adding[table_name(ChangeLog)] = sum(adding.values())
        with _indexes_rebuilt(self.session, adding):
            for model, columns, defaults in self.pending:
                self._insert_rows(model, columns, defaults)
            self.flush_log()
        self.pending = []

    def _insert_rows(self, model: type[SyncFields], columns: dict[str, list[Any]],
                     defaults: dict[str, Any]) -> None:  # fmt: skip
        n = len(columns["id"])
        if not n:
            return
        template = model(rev=1, updated_at=self.now, updated_by=self.uow.user,
                         device_id=self.uow.db.device_id, **defaults)  # fmt: skip
        py, js = template.model_dump(), template.model_dump(mode="json")
        table: Table = model.__table__  # type: ignore[attr-defined]  # set by SQLModel, not declared
        names = [c.name for c in table.columns]
        varying: dict[str, list[Any]] = {}
        constant: dict[str, Any] = {}
        texts: list[list[str]] = []
        for name in names:
            if name in columns:
                kinds = set(map(type, columns[name]))  # one pass serves both conversions
                varying[name] = _driver_values(table.c[name], self.dialect, columns[name], kinds)
                texts.append(_json_texts(columns[name], kinds))
            else:
                constant[name] = _driver_value(table.c[name], self.dialect, py[name])
        # The payload is model_dump(mode="json") as json.dumps writes it: the constant
        # columns' text laid out once, between the varying columns' texts.
        between = [""]
        for i, name in enumerate(names):
            between[-1] += f"{', ' if i else '{'}{json.dumps(name)}: "
            if name in columns:
                between.append("")
            else:
                between[-1] += json.dumps(js[name])
        between[-1] += "}"
        self.log_payloads.extend(_payload_texts(between, texts, n))
        self.log_rows.extend(columns["id"])
        self.log_tables.extend(repeat(table_name(model), n))
        self._insert(table, varying, constant)

    def flush_log(self) -> None:
        if not self.log_rows:
            return
        table: Table = ChangeLog.__table__  # type: ignore[attr-defined]  # set by SQLModel, not declared
        self._insert(
            table,
            {"change_id": sorted_ids(len(self.log_rows)), "table_name": self.log_tables,
             "row_id": self.log_rows, "payload": self.log_payloads},  # payloads: JSON text
            {"rev": 1, "op": "insert", "device_id": self.uow.db.device_id, "pushed_seq": None,
             "created_at": _driver_value(table.c.created_at, self.dialect, self.now)},
        )  # fmt: skip
        self.log_rows, self.log_tables, self.log_payloads = [], [], []

    def _insert(self, table: Table, varying: dict[str, list[Any]], constant: dict[str, Any]
                ) -> None:  # fmt: skip
        """INSERT through the driver on the session's own connection (same transaction);
        values already in the driver's form, `constant` the same on every row.

        Constants go into the statement as SQL literals where they can (stored exactly
        as the bound value would be): binding them again on each of 100,000 rows was
        a fifth of the insert time."""
        literals = {c: _sql_literal(v) for c, v in constant.items()}
        bound = {c: v for c, v in constant.items() if literals[c] is None}
        inline = {c: text for c, text in literals.items() if text is not None}
        cols = [*varying, *bound, *inline]
        marks = ", ".join(["?"] * (len(varying) + len(bound)) + list(inline.values()))
        names = ", ".join(f'"{c}"' for c in cols)
        sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'
        # Row tuples built by zip in C; the constants repeat endlessly, hence not strict.
        rows = zip(*varying.values(), *map(repeat, bound.values()), strict=False)
        cursor = _driver_cursor(self.session)
        try:
            cursor.executemany(sql, rows)
        finally:
            cursor.close()

    def write(self, parsed: ParsedHistory, known: KnownHistory) -> ImportResult:
        s = self.session
        agencies = {
            f"{name.strip().casefold()}|{state.upper()}": aid
            for aid, name, state in s.exec(
                select(Agency.id, Agency.name, Agency.state).where(Agency.deleted == False)  # noqa: E712
            )
        }
        agreements: dict[tuple[str, str], str] = {}
        for aid, agency_id, model, status in s.exec(
            select(Agreement.id, Agreement.agency_id, Agreement.model, Agreement.status)
            .where(Agreement.deleted == False)  # noqa: E712
        ):  # fmt: skip
            if (agency_id, model) not in agreements or status == "active":
                agreements[(agency_id, model)] = aid

        reviews = parsed.reviews
        firsts = reviews.drop_duplicates("agency_key")
        firsts = firsts[~firsts["agency_key"].isin(agencies.keys())]
        names, states, keys = _lists(firsts, "agency", "state", "agency_key")
        new_agencies: dict[str, list[Any]] = {
            "id": sorted_ids(len(firsts)), "name": names, "state": states,
            "source_ref": [f"{PREFIX}{n}|{st}" for n, st in zip(names, states, strict=True)],
        }  # fmt: skip
        agencies.update(zip(keys, new_agencies["id"], strict=True))
        self.insert(Agency, new_agencies, name="", state="")

        known_refs, known_ids, known_ends = _lists(known.reviews, "review_ref", "id", "end")
        review_ids = dict(zip(known_refs, known_ids, strict=True))
        ends: dict[str, date] = dict(zip(known_refs, known_ends, strict=True))
        fresh = reviews[~reviews["review_ref"].isin(review_ids.keys())]
        # Inspections first (their focus reviews point at them), each group in file order.
        ordered = pd.concat([fresh[fresh["review_type"] == "inspection"],
                             fresh[fresh["review_type"] != "inspection"]])  # fmt: skip
        ids = sorted_ids(len(ordered))
        refs, keys, follow_up_of, types, starts, end_dates, models, kinds, modes = _lists(
            ordered, "review_ref", "agency_key", "follow_up_of", "review_type", "start", "end",
            "model", "kind", "mode")  # fmt: skip
        review_ids.update(zip(refs, ids, strict=True))
        ends.update(zip(*_lists(reviews, "review_ref", "end"), strict=True))
        agency_ids = [agencies[k] for k in keys]
        follows = [f if t == "focus_review" else None
                   for f, t in zip(follow_up_of, types, strict=True)]  # fmt: skip
        new_reviews: dict[str, list[Any]] = {
            "id": ids, "agency_id": agency_ids,
            "agreement_id": [agreements.get(k) for k in zip(agency_ids, models, strict=True)],
            "kind": kinds,
            "mode": [m or "site_visit" for m in modes],
            "start_date": starts, "end_date": end_dates,
            "planned_start": starts, "planned_end": end_dates,
            "parent_review_id": [review_ids[f] if f else None for f in follows],
            "due_date": [focus_review_due(ends[f]) if f else None for f in follows],
            "source_ref": [f"{PREFIX}{ref}" for ref in refs],
        }  # fmt: skip
        # kind varies per row; the template's (an enum, as the column holds) is not used.
        self.insert(Review, new_reviews, agency_id="", kind=ReviewKind.JEM_INSPECTION,
                    status=ReviewStatus.FINAL, form_id=None, finalized_at=self.now,
                    finalized_by=self.uow.user)  # fmt: skip

        # Resolutions, the latest focus review last, so its judgement is the one kept.
        res = parsed.resolutions.merge(
            reviews[["review_ref", "start", "end"]], on="review_ref", how="left"
        ).sort_values(["start", "line"])
        judged: dict[str, tuple[str, str, date]] = {}
        for ref, resolution, by, end in zip(*_lists(res, "finding_ref", "resolution",
                                                    "review_ref", "end"), strict=True):  # fmt: skip
            judged[ref] = (resolution, review_ids[by], end)

        finding_ids = dict(zip(*_lists(known.findings, "finding_ref", "id"), strict=True))
        fresh_f = parsed.findings[~parsed.findings["finding_ref"].isin(finding_ids.keys())]
        numbers = self._next_numbers(set(fresh_f["review_ref"].tolist()) & set(known_refs))
        new_findings = _finding_columns(fresh_f, review_ids, numbers, judged)
        self.insert(Finding, new_findings, review_id="")
        self.write_pending()

        # Findings imported before and judged by a newly imported focus review: few, so
        # they go through the ordinary save (rev raised, an "update" in the change log).
        updated = 0
        known_f, status_f, by_f = _lists(known.findings, "finding_ref", "status", "resolved_by")
        current = dict(zip(known_f, zip(status_f, by_f, strict=True), strict=True))
        for ref, (status, by, on) in judged.items():
            if current.get(ref) == (status, by):
                continue  # judged so already: nothing to load or write
            finding = s.get(Finding, finding_ids[ref])
            assert finding is not None  # known_history read it in this transaction
            if finding.status == status and finding.resolved_by_review_id == by:
                continue
            finding.status = FindingStatus(status)
            finding.resolved_by_review_id = by
            finding.resolved_on = on if status == FindingStatus.RESOLVED else None
            self.uow.save(finding, review_id=finding.review_id)
            updated += 1
        self.uow.changes.clear()  # reported once after commit as a bulk change
        return ImportResult(
            rows=parsed.rows, agencies=len(firsts), reviews=len(ids),
            findings=len(new_findings["id"]),
            judged=updated + sum(1 for by in new_findings["resolved_by_review_id"] if by),
        )  # fmt: skip

    def _next_numbers(self, known_refs: set[str]) -> dict[str, int]:
        """Numbers already used by reviews imported before that now get more findings."""
        if not known_refs:
            return {}
        rows = self.session.exec(
            select(Finding.review_id, func.max(Finding.number)).group_by(Finding.review_id)
        )  # whole-table group-by: no limit on how many reviews are involved
        return {rid: n or 0 for rid, n in rows}


def _lists(frame: pd.DataFrame, *names: str) -> list[list[Any]]:
    """Columns as plain lists. pandas 3 keeps text in its own string arrays, and a Python
    loop over one fetches each value through __getitem__ (about 0.9 s of an import of
    100,000 rows when the columns were zipped and iterated directly)."""
    return [frame[name].tolist() for name in names]


def _finding_columns(fresh: pd.DataFrame, review_ids: dict[str, str], numbers: dict[str, int],
                     judged: dict[str, tuple[str, str, date]]) -> dict[str, list[Any]]:  # fmt: skip
    """The new findings' columns, column by column. Each review's findings are numbered
    on from `numbers` in file order; `judged` loses the findings it judges here."""
    rids = [review_ids[r] for r in fresh["review_ref"].tolist()]
    by_review = pd.Series(rids, dtype=object)
    number = by_review.groupby(by_review, sort=False).cumcount() + 1
    if numbers:
        number += by_review.map(numbers).fillna(0).astype(int)
    unjudged = (FindingStatus.OPEN.value, None, None)
    picks = [judged.pop(ref, unjudged) for ref in fresh["finding_ref"].tolist()]
    status, by, on = (list(c) for c in zip(*picks, strict=True)) if picks else ([], [], [])
    resolved = FindingStatus.RESOLVED.value
    return {
        "id": sorted_ids(len(fresh)), "review_id": rids, "number": number.tolist(),
        "status": status, "resolved_by_review_id": by,
        "resolved_on": [d if st == resolved else None for st, d in zip(status, on, strict=True)],
        **{c: fresh[c].tolist() for c in ("kind", "topic", "responsible", "description")},
        "source_ref": [f"{PREFIX}{ref}" for ref in fresh["finding_ref"].tolist()],
    }  # fmt: skip


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cyclic garbage collector: reading and writing 100,000 rows makes
    millions of lists and tuples, and each collection walks all of them again (about
    0.4 s of an import). They hold no cycles; reference counting frees them as usual."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextlib.contextmanager
def _large_cache(session: Session) -> Iterator[None]:
    """Random UUID keys scatter inserts over the indexes; a larger page cache for this
    connection keeps them in memory instead of re-reading pages (reset afterwards)."""
    conn = session.connection()
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    assert before is not None  # the pragma always answers
    conn.exec_driver_sql(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(before)}")


REBUILD_MIN_ROWS = 1000  # fewer new rows: indexes kept up to date as rows go in


@contextlib.contextmanager
def _indexes_rebuilt(session: Session, adding: dict[str, int]) -> Iterator[None]:
    """Drop the secondary indexes of each table in `adding` (table name: rows about to be
    inserted) that gets at least REBUILD_MIN_ROWS and at least as many rows as it holds,
    and create them again, from their own CREATE INDEX text, when the body is done.

    DDL is transactional in SQLite: if the body raises, the rollback of the import
    restores the indexes as they were. Unique indexes stay (they check as rows go in);
    so do a table's constraint indexes (primary key, UNIQUE), which have no SQL text."""
    cursor = _driver_cursor(session)
    try:
        rebuilt: list[tuple[str, str]] = []
        for table, rows in adding.items():
            (held,) = cursor.execute(f'SELECT max(rowid) FROM "{table}"').fetchone()
            if rows >= max(REBUILD_MIN_ROWS, held or 0):
                rebuilt += cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
                    " AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY name",
                    (table,),
                ).fetchall()
        for name, _sql in rebuilt:
            cursor.execute(f'DROP INDEX "{name}"')
        yield
        for _name, sql in rebuilt:
            cursor.execute(sql)
    finally:
        cursor.close()


_NONE = type(None)


def _sql_literal(value: Any) -> str | None:
    """`value` (as the driver would bind it) as an SQL literal that stores the same
    value, or None where binding is safer (floats, bytes, text with NUL)."""
    if value is None:
        return "NULL"
    if type(value) is int:
        return str(value)
    if type(value) is str and "\x00" not in value:
        return "'" + value.replace("'", "''") + "'"
    return None


def _driver_value(column: Column[Any], dialect: Dialect, value: Any) -> Any:
    """What the driver stores for `value`: the column type's bind processing, then the
    sqlite3 adapter the driver itself would apply (dates and datetimes become text)."""
    return _storing(column.type.bind_processor(dialect))(value)


def _storing(proc: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
    def store(value: Any) -> Any:
        value = proc(value) if proc is not None and value is not None else value
        return sqlite3.adapt(value, sqlite3.PrepareProtocol, value)

    return store


def _driver_values(column: Column[Any], dialect: Dialect, values: list[Any], kinds: set[type]
                   ) -> list[Any]:  # fmt: skip
    """_driver_value of each value (`kinds`: their types); the bind processor looked up once."""
    proc = column.type.bind_processor(dialect)
    if kinds <= {str, int, _NONE} and proc is None:
        return values  # stored as they are
    return _per_distinct(_storing(proc), values)


def _json_texts(values: list[Any], kinds: set[type]) -> list[str]:
    """Each value as json.dumps writes it in a model_dump(mode="json") payload."""
    if kinds <= {str}:
        return list(map(_json_string, values))
    if kinds <= {str, _NONE}:
        return ["null" if v is None else _json_string(v) for v in values]
    if kinds <= {date, _NONE}:  # pydantic writes a date as its ISO text
        return _per_distinct(lambda v: "null" if v is None else f'"{v.isoformat()}"', values)
    return _per_distinct(lambda v: json.dumps(to_jsonable_python(v)), values)


def _payload_texts(between: list[str], texts: list[list[str]], n: int) -> list[str]:
    """n payload texts, row i being between[0] + texts[0][i] + between[1] + ... +
    between[-1]. All the pieces are laid out in one list by slice assignment, joined
    once and split at the row ends: three C calls instead of n string formattings
    (3 times faster). The row separator, a line break, appears in no piece: every
    piece is json.dumps text (ensure_ascii), which escapes control characters."""
    if not n:
        return []
    width = len(between) + len(texts)
    pieces: list[str] = [""] * (n * width)
    for j, text in enumerate(between):
        pieces[2 * j :: width] = repeat(text + "\n" if j == len(texts) else text, n)
    for j, column in enumerate(texts):
        pieces[2 * j + 1 :: width] = column
    rows = "".join(pieces)[:-1].split("\n")
    assert len(rows) == n  # the separator appears nowhere else (see above)
    return rows


def _per_distinct(fn: Callable[[Any], Any], values: list[Any]) -> list[Any]:
    """fn of each value, computed once per distinct value: dates, stamps and flags repeat
    (scalars only; a column holds one type besides None, so equal values are the same)."""
    done = {v: fn(v) for v in set(values)}
    return list(map(done.__getitem__, values))


_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def sorted_ids(n: int) -> list[str]:
    """n new random UUIDs in sorted order: inserted in key order, they append to the
    primary-key and change-log indexes instead of splitting pages all over them (several
    times faster for 100,000 rows).

    Each id is a random version-4 UUID as `new_id` makes, from one os.urandom call, its
    version and variant bits set, sorted and written as hex in numpy: uuid.uuid4() per
    id costs more than inserting its row.
    """
    raw = np.frombuffer(os.urandom(16 * n), dtype=np.uint8).reshape(n, 16).copy()
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40  # version 4
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80  # the RFC 4122 variant
    raw = np.sort(raw.view("V16").ravel()).view(np.uint8).reshape(n, 16)  # bytewise order
    digits = np.empty((n, 32), dtype=np.uint8)
    digits[:, 0::2], digits[:, 1::2] = _HEX[raw >> 4], _HEX[raw & 0x0F]
    text = np.insert(digits, [8, 12, 16, 20], ord("-"), axis=1).tobytes().decode("ascii")
    return [text[i : i + 36] for i in range(0, 36 * n, 36)]
