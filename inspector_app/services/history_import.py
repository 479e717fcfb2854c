"""Import earlier reviews and findings from a history CSV: one all-or-nothing write.

Every row is checked first (analytics.history_csv); any problem stops the import with
every error listed and nothing written. Then the new rows go in as bulk inserts inside
ONE unit of work: each still gets its sync fields and a change-log entry, and one audit
entry summarises the import. Calling `uow.save` 100,000 times would take minutes; bulk
inserts of plain dicts keep 100,000 rows well under 10 s.

Idempotent: imported rows carry `source_ref` "history:<ref>", and refs already in the
database are skipped, so importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import contextlib
import hashlib
import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Table, func
from sqlmodel import Session, select

from inspector_app.analytics.history_csv import KnownHistory, ParsedHistory, parse_history
from inspector_app.domain.calendar import focus_review_due
from inspector_app.domain.enums import FindingStatus, ReviewStatus
from inspector_app.store.database import Change, Database
from inspector_app.store.models import (
    Agency,
    Agreement,
    ChangeLog,
    Finding,
    Review,
    SyncFields,
    new_id,
    utcnow,
)

from . import forms
from .errors import Invalid, ServiceError
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

    @property
    def new(self) -> int:
        return self.agencies + self.reviews + self.findings + self.judged

    def describe(self) -> str:
        if not self.new:
            return f"{self.rows} rows read, 0 new: everything in the file was imported before"
        return (f"{self.rows} rows read: {self.reviews} new reviews, {self.findings} new findings, "
                f"{self.agencies} new agencies, {self.judged} findings judged by focus reviews")  # fmt: skip


def known_history(session: Session) -> KnownHistory:
    """What earlier history imports left, keyed by the file's refs."""
    reviews = session.exec(
        select(Review.source_ref, Review.kind, Agency.name, Agency.state, Review.start_date,
               Review.id, Review.end_date)
        .join(Agency, Agency.id == Review.agency_id)
        .where(Review.source_ref.startswith(PREFIX), Review.deleted == False)  # noqa: E712
    ).all()  # fmt: skip
    rdf = pd.DataFrame(reviews, columns=["ref", "kind", "name", "state", "start_date", "id", "end"])
    rdf["review_ref"] = rdf["ref"].str.slice(len(PREFIX))
    rdf["agency_key"] = rdf["name"].str.strip().str.casefold() + "|" + rdf["state"].str.upper()
    parent = session.exec(
        select(Finding.source_ref, Review.source_ref, Finding.kind, Finding.topic,
               Finding.responsible, Finding.id, Finding.status, Finding.resolved_by_review_id)
        .join(Review, Review.id == Finding.review_id)
        .where(Finding.source_ref.startswith(PREFIX), Finding.deleted == False)  # noqa: E712
    ).all()  # fmt: skip
    fdf = pd.DataFrame(
        parent,
        columns=["ref", "rref", "kind", "topic", "responsible", "id", "status", "resolved_by"],
    )
    fdf["finding_ref"] = fdf["ref"].str.slice(len(PREFIX))
    fdf["review_ref"] = fdf["rref"].fillna("").str.slice(len(PREFIX))
    return KnownHistory(
        reviews=rdf[["review_ref", "kind", "agency_key", "start_date", "id", "end"]],
        findings=fdf[
            [
                "finding_ref",
                "review_ref",
                "kind",
                "topic",
                "responsible",
                "id",
                "status",
                "resolved_by",
            ]
        ],
    )


def check_history(db: Database, path: Path | str) -> ParsedHistory:
    """Check a file without writing anything (the 'dry run' the GUI shows first)."""
    with db.read() as s:
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
    with unit_of_work(db, "import_history") as uow:
        known = known_history(uow.session)
        parsed = parse_history(path, list(forms.topics()), known)
        if not parsed.ok:
            raise HistoryImportError(parsed.errors)
        step(40, "Writing reviews and findings")
        writer = _BulkWriter(uow)
        with _large_cache(uow.session):
            result = writer.write(parsed, known)
        if result.new:
            uow.audit("history_import", digest[:16], file=path.name, sha256=digest,
                      rows=result.rows, agencies=result.agencies, reviews=result.reviews,
                      findings=result.findings, judged=result.judged)  # fmt: skip
        step(95, "Saving")
    if result.new:
        db.notify(Change("import_history", "*", ""))  # a bulk write: views reload once
    step(100, "Done")
    return result


class _BulkWriter:
    """Bulk inserts of new rows with their sync fields and change-log entries."""

    def __init__(self, uow: UnitOfWork):
        self.uow, self.session = uow, uow.session
        self.now = utcnow()
        self.log: list[dict[str, Any]] = []
        self._templates: dict[type, tuple[dict[str, Any], dict[str, Any]]] = {}

    def _template(self, model: type[SyncFields], **required: Any) -> tuple[dict, dict]:
        """The python and JSON forms of a default row, stamped once for the whole import."""
        if model not in self._templates:
            row = model(rev=1, updated_at=self.now, updated_by=self.uow.user,
                        device_id=self.uow.db.device_id, **required)  # fmt: skip
            self._templates[model] = (row.model_dump(), row.model_dump(mode="json"))
        return self._templates[model]

    def insert(self, model: type[SyncFields], rows: list[dict[str, Any]], **required: Any) -> None:
        if not rows:
            return
        py, js = self._template(model, **required)
        full, payloads = [], []
        dated = [k for k in rows[0] if isinstance(_first_value(rows, k), date)]
        for values in rows:
            full.append({**py, **values})
            payload = {**js, **values}
            for k in dated:  # the JSON form of the few date columns, as model_dump gives
                v = payload[k]
                if v is self.now:  # the import's one timestamp, in pydantic's JSON form
                    payload[k] = js["updated_at"]
                elif v is not None and not isinstance(v, str):
                    payload[k] = v.isoformat()
            payloads.append(payload)
        self._executemany(model.__table__, full)
        table = model.__tablename__
        device = self.uow.db.device_id
        self.log.extend(
            {"change_id": None, "table_name": table, "row_id": p["id"], "rev": 1,
             "op": "insert", "payload": p, "created_at": self.now, "device_id": device,
             "pushed_seq": None}
            for p in payloads
        )  # fmt: skip

    def flush_log(self) -> None:
        if self.log:
            for entry, change_id in zip(self.log, sorted_ids(len(self.log)), strict=True):
                entry["change_id"] = change_id
            self._executemany(ChangeLog.__table__, self.log)
            self.log = []

    def _executemany(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """INSERT through the driver on the session's own connection (same transaction).

        SQLAlchemy's executemany spends most of its time building parameters row by row;
        here each column's bind processor (dates, JSON, booleans) is looked up once.
        """
        conn = self.session.connection()
        dialect = conn.dialect
        cols = list(rows[0])
        procs = [table.c[c].type.bind_processor(dialect) for c in cols]
        names = ", ".join(f'"{c}"' for c in cols)
        marks = ", ".join("?" * len(cols))
        sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'
        getter = operator.itemgetter(*cols)
        converted = [(i, p, {}) for i, p in enumerate(procs) if p is not None]
        data = []
        for r in rows:
            values = list(getter(r))
            for i, proc, memo in converted:
                v = values[i]
                if v is None:
                    continue
                if isinstance(v, dict):  # JSON payloads are all different: no memo
                    values[i] = proc(v)
                    continue
                key = (type(v), v) if not isinstance(v, list) else None
                if key is None:
                    values[i] = proc(v)
                elif key in memo:
                    values[i] = memo[key]
                else:  # dates, stamps and flags repeat: convert each value once
                    values[i] = memo[key] = proc(v)
            data.append(values)
        cursor = conn.connection.driver_connection.cursor()
        try:
            cursor.executemany(sql, data)
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
        new_agencies = []
        for key, name, state in reviews[["agency_key", "agency", "state"]].drop_duplicates(
            "agency_key"
        ).itertuples(index=False):  # fmt: skip
            if key not in agencies:
                agencies[key] = ""
                new_agencies.append({"key": key, "name": name, "state": state,
                                     "source_ref": f"{PREFIX}{name}|{state}"})  # fmt: skip
        for row, ident in zip(new_agencies, sorted_ids(len(new_agencies)), strict=True):
            row["id"] = agencies[row.pop("key")] = ident
        self.insert(Agency, new_agencies, name="", state="")

        review_ids = dict(zip(known.reviews["review_ref"], known.reviews["id"], strict=True))
        ends: dict[str, date] = dict(zip(known.reviews["review_ref"], known.reviews["end"],
                                         strict=True))  # fmt: skip
        fresh = reviews[~reviews["review_ref"].isin(review_ids.keys())]
        # Inspections first (their focus reviews point at them), each group in file order.
        ordered = pd.concat([fresh[fresh["review_type"] == "inspection"],
                             fresh[fresh["review_type"] != "inspection"]])  # fmt: skip
        for ref, ident in zip(ordered["review_ref"], sorted_ids(len(ordered)), strict=True):
            review_ids[ref] = ident
        ends.update(zip(reviews["review_ref"], reviews["end"], strict=True))
        new_reviews = []
        for r in ordered.itertuples(index=False):
            agency_id = agencies[r.agency_key]
            focus = r.review_type == "focus_review"
            parent_id = review_ids[r.follow_up_of] if focus else None
            new_reviews.append({
                "id": review_ids[r.review_ref], "agency_id": agency_id,
                "agreement_id": agreements.get((agency_id, r.model)), "kind": r.kind,
                "mode": r.mode or "site_visit", "status": ReviewStatus.FINAL, "form_id": None,
                "start_date": r.start, "end_date": r.end, "planned_start": r.start,
                "planned_end": r.end, "parent_review_id": parent_id,
                "due_date": focus_review_due(ends[r.follow_up_of]) if focus else None,
                "finalized_at": self.now, "finalized_by": self.uow.user,
                "source_ref": f"{PREFIX}{r.review_ref}",
            })  # fmt: skip
        self.insert(Review, new_reviews, agency_id="", kind="")

        # Resolutions, the latest focus review last, so its judgement is the one kept.
        res = parsed.resolutions.merge(
            reviews[["review_ref", "start", "end"]], on="review_ref", how="left"
        ).sort_values(["start", "line"])
        judged: dict[str, tuple[str, str, date]] = {}
        for r in res.itertuples(index=False):
            judged[r.finding_ref] = (r.resolution, review_ids[r.review_ref], r.end)

        finding_ids = dict(zip(known.findings["finding_ref"], known.findings["id"], strict=True))
        fresh_f = parsed.findings[~parsed.findings["finding_ref"].isin(finding_ids.keys())]
        numbers = self._next_numbers(set(fresh_f["review_ref"]) & set(known.reviews["review_ref"]))
        new_findings = []
        finding_new_ids = iter(sorted_ids(len(fresh_f)))
        for f in fresh_f.itertuples(index=False):
            rid = review_ids[f.review_ref]
            numbers[rid] = numbers.get(rid, 0) + 1
            row = {"id": next(finding_new_ids), "review_id": rid, "number": numbers[rid], "kind": f.kind,
                   "topic": f.topic, "responsible": f.responsible, "description": f.description,
                   "source_ref": f"{PREFIX}{f.finding_ref}", "status": FindingStatus.OPEN.value,
                   "resolved_by_review_id": None, "resolved_on": None}  # fmt: skip
            if f.finding_ref in judged:
                status, by, on = judged.pop(f.finding_ref)
                row.update(
                    status=status,
                    resolved_by_review_id=by,
                    resolved_on=on if status == FindingStatus.RESOLVED else None,
                )
            new_findings.append(row)
        self.insert(Finding, new_findings, review_id="")
        self.flush_log()

        # Findings imported before and judged by a newly imported focus review: few, so
        # they go through the ordinary save (rev raised, an "update" in the change log).
        updated = 0
        current = dict(zip(known.findings["finding_ref"],
                           zip(known.findings["status"], known.findings["resolved_by"],
                               strict=True), strict=True))  # fmt: skip
        for ref, (status, by, on) in judged.items():
            if current.get(ref) == (status, by):
                continue  # judged so already: nothing to load or write
            finding = s.get(Finding, finding_ids[ref])
            if finding.status == status and finding.resolved_by_review_id == by:
                continue
            finding.status = FindingStatus(status)
            finding.resolved_by_review_id = by
            finding.resolved_on = on if status == FindingStatus.RESOLVED else None
            self.uow.save(finding, review_id=finding.review_id)
            updated += 1
        self.uow.changes.clear()  # reported once after commit as a bulk change
        return ImportResult(
            rows=parsed.rows, agencies=len(new_agencies), reviews=len(new_reviews),
            findings=len(new_findings),
            judged=updated + sum(1 for f in new_findings if f["resolved_by_review_id"]),
        )  # fmt: skip

    def _next_numbers(self, known_refs: set[str]) -> dict[str, int]:
        """Numbers already used by reviews imported before that now get more findings."""
        if not known_refs:
            return {}
        rows = self.session.exec(
            select(Finding.review_id, func.max(Finding.number)).group_by(Finding.review_id)
        )  # whole-table group-by: no limit on how many reviews are involved
        return {rid: n or 0 for rid, n in rows}


@contextlib.contextmanager
def _large_cache(session: Session) -> Iterator[None]:
    """Random UUID keys scatter inserts over the indexes; a larger page cache for this
    connection keeps them in memory instead of re-reading pages (reset afterwards)."""
    conn = session.connection()
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(before)}")


def _first_value(rows: list[dict[str, Any]], key: str) -> Any:
    """The first non-empty value of a column (a date column may be empty on most rows)."""
    return next((r[key] for r in rows if r[key] is not None), None)


def sorted_ids(n: int) -> list[str]:
    """n new random UUIDs in sorted order: inserted in key order, they append to the
    primary-key and change-log indexes instead of splitting pages all over them (several
    times faster for 100,000 rows). Each id is still a random uuid4."""
    return sorted(new_id() for _ in range(n))
