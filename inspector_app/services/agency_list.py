"""The agencies list (the first view at start-up), read with SQL on the engine.

No ORM session and no table models: `load_agency_rows` runs before the main window's
first paint, and building the SQLModel classes (pydantic, the mappers) costs more than
the whole read (issue 14). The SQL says what `store.queries.live` says (`deleted = 0`)
and the rules are the domain's (`domain.schedule.next_biennial_due`, `due_state`), so
the list shows what the agency page and the Due list show.
`services.agency_views` re-exports AgencyRow and load_agency_rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection

from inspector_app.domain.calendar import due_state
from inspector_app.domain.enums import (
    AgreementStatus,
    FindingKind,
    FindingStatus,
    OfficerStatus,
    ProgramModel,
    ReviewKind,
    ReviewStatus,
)
from inspector_app.domain.schedule import ReviewFact, next_biennial_due
from inspector_app.store.database import Database


@dataclass(frozen=True)
class AgencyRow:
    id: str
    name: str
    state: str
    county: str
    field_office: str
    programs: tuple[str, ...]
    officers: int
    last_review: date | None
    last_review_kind: str
    next_due: date | None
    due_program: str
    due_state: str
    open_findings: int


def _day(value: Any) -> date | None:
    """A DATE column as SQLite keeps it (ISO text), as the ORM would load it."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def review_facts(conn: Connection) -> dict[str, list[ReviewFact]]:
    """Agreement id -> its reviews as the biennial rule sees them: one fact per (kind,
    status) with the latest end date (a final review recorded without an end date ended
    the day it started), from one grouped query. `services.schedule.cycle_reviews`."""
    rows = conn.exec_driver_sql(
        "SELECT agreement_id, kind, status, max(coalesce(end_date, start_date)) FROM review "
        "WHERE deleted = 0 AND agreement_id IS NOT NULL GROUP BY agreement_id, kind, status"
    )
    out: dict[str, list[ReviewFact]] = defaultdict(list)
    for agreement_id, kind, status, end in rows:
        out[agreement_id].append(ReviewFact(ReviewKind(kind), ReviewStatus(status), _day(end)))
    return out


def ended_on(status: str, start: date | None, end: date | None, today: date) -> date | None:
    """The day a review ended, or None while it has not: only a final review has ended
    (a started one carries its planned end), and never after today."""
    if status != ReviewStatus.FINAL.value:
        return None
    when = end or start
    return when if when is not None and when <= today else None


def last_ended(reviews: Iterable[tuple[str, str, str, date | None, date | None]],
               today: date) -> dict[str, tuple[date, ReviewKind]]:  # fmt: skip
    """Agency id -> (the day its latest ended review ended, that review's kind), over
    (agency id, kind, status, start, end); the first of equal days wins."""
    last: dict[str, tuple[date, ReviewKind]] = {}
    for agency_id, kind, status, start, end in reviews:
        when = ended_on(status, start, end, today)
        if when is not None and (agency_id not in last or when > last[agency_id][0]):
            last[agency_id] = (when, ReviewKind(kind))
    return last


@dataclass
class _Facts:
    offices: dict[str, str]
    agreements: dict[str, list[tuple[ProgramModel, date, str]]]  # agency -> (model, signed, status)
    agreement_ids: dict[str, list[str]]
    officers: dict[str, int]
    open_findings: dict[str, int]
    last_review: dict[str, tuple[date, ReviewKind]]
    cycle: dict[str, list[ReviewFact]]


def _read(conn: Connection, today: date) -> _Facts:
    offices: dict[str, str] = dict(
        conn.exec_driver_sql("SELECT id, name FROM field_office WHERE deleted = 0").all()
    )
    agreements: dict[str, list[tuple[ProgramModel, date, str]]] = defaultdict(list)
    agreement_ids: dict[str, list[str]] = defaultdict(list)
    for gid, agency_id, model, signed_on, status in conn.exec_driver_sql(
        "SELECT id, agency_id, model, signed_on, status FROM agreement WHERE deleted = 0"
    ):
        agreements[agency_id].append((ProgramModel(model), _day(signed_on) or date.min, status))
        agreement_ids[agency_id].append(gid)
    officers: dict[str, int] = dict(conn.exec_driver_sql(
        "SELECT agency_id, count(*) FROM officer WHERE deleted = 0 AND status = ? "
        "GROUP BY agency_id", (OfficerStatus.ACTIVE.value,)
    ).all())  # fmt: skip
    reviews = [(agency_id, kind, status, _day(start), _day(end))
               for agency_id, kind, status, start, end in conn.exec_driver_sql(
                   "SELECT agency_id, kind, status, start_date, end_date FROM review "
                   "WHERE deleted = 0")]  # fmt: skip
    # Open findings of live reviews; best practices are no deficiencies to follow up.
    open_findings: dict[str, int] = dict(conn.exec_driver_sql(
        "SELECT r.agency_id, count(*) FROM finding f JOIN review r ON r.id = f.review_id "
        "WHERE f.deleted = 0 AND r.deleted = 0 AND f.status = ? "
        "AND (f.kind IS NULL OR f.kind != ?) GROUP BY r.agency_id",
        (FindingStatus.OPEN.value, FindingKind.BEST_PRACTICE.value),
    ).all())  # fmt: skip
    return _Facts(offices, agreements, agreement_ids, officers, open_findings,
                  last_ended(reviews, today), review_facts(conn))  # fmt: skip


def has_agencies(db: Database) -> bool:
    """Any live agency (the first-run check at start-up; `lookup.has_agencies`)."""
    with db.engine.connect() as conn:
        sql = "SELECT 1 FROM agency WHERE deleted = 0 LIMIT 1"
        return conn.exec_driver_sql(sql).first() is not None


def load_agency_rows(db: Database, today: date) -> list[AgencyRow]:
    """Every agency with its programs, officers, last review and next biennial due date
    (the earliest `next_biennial_due` over its active agreements)."""
    with db.engine.connect() as conn:
        facts = _read(conn, today)
        agencies = conn.exec_driver_sql(
            "SELECT id, name, state, county, field_office_id FROM agency WHERE deleted = 0"
        ).all()
    rows = []
    for agency_id, name, state, county, office_id in agencies:
        mine = list(zip(facts.agreement_ids.get(agency_id, []),
                        facts.agreements.get(agency_id, []), strict=True))  # fmt: skip
        dues = sorted((next_biennial_due(model, signed, facts.cycle.get(gid, ())), model)
                      for gid, (model, signed, status) in mine
                      if status == AgreementStatus.ACTIVE.value)  # fmt: skip
        next_due, program = dues[0] if dues else (None, "")
        last = facts.last_review.get(agency_id)
        rows.append(AgencyRow(
            id=agency_id, name=name, state=state, county=county,
            field_office=facts.offices.get(office_id or "", ""),
            programs=tuple(sorted({model for _, (model, _, _) in mine})),
            officers=facts.officers.get(agency_id, 0),
            last_review=last[0] if last else None,
            last_review_kind=last[1].label if last else "",
            next_due=next_due, due_program=program,
            due_state=due_state(next_due, today) if next_due else "",
            open_findings=facts.open_findings.get(agency_id, 0),
        ))  # fmt: skip
    rows.sort(key=lambda r: r.name.casefold())
    return rows
