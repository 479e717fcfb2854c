"""Reads for the agencies list and the agency page: plain rows, no Qt.

The next biennial review due is `domain.schedule.next_biennial_due` over the same
review facts the Due list uses (`schedule.cycle_reviews`), so every screen shows the
same date.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from inspector_app.domain.calendar import due_state
from inspector_app.domain.enums import (
    AgreementStatus,
    FindingKind,
    FindingStatus,
    OfficerStatus,
    ReviewKind,
    ReviewStatus,
)
from inspector_app.domain.schedule import next_biennial_due
from inspector_app.store.database import Database
from inspector_app.store.models import Agency, Agreement, FieldOffice, Finding, Officer, Review
from inspector_app.store.queries import ReviewRow, get_live, list_reviews, live, officers_of

from .lifecycle import OfficerTraining, officer_training_status
from .schedule import cycle_reviews

# --- the agencies list -----------------------------------------------------------------


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


def load_agency_rows(db: Database, today: date) -> list[AgencyRow]:
    """Every agency with its programs, officers, last review and next biennial due date
    (the earliest `next_biennial_due` over its active agreements)."""
    with db.read() as s:
        offices = {o.id: o.name for o in live(s, FieldOffice)}
        agreements: dict[str, list[Agreement]] = defaultdict(list)
        for g in live(s, Agreement):
            agreements[g.agency_id].append(g)
        officers: dict[str, int] = defaultdict(int)
        for o in live(s, Officer):
            if o.status == OfficerStatus.ACTIVE.value:
                officers[o.agency_id] += 1
        reviews = live(s, Review)
        review_agency = {r.id: r.agency_id for r in reviews}
        open_findings: dict[str, int] = defaultdict(int)
        for f in live(s, Finding, Finding.status == FindingStatus.OPEN.value):
            agency_id = review_agency.get(f.review_id)
            if agency_id and f.kind != FindingKind.BEST_PRACTICE.value:
                open_findings[agency_id] += 1
        agencies = live(s, Agency)
        facts = cycle_reviews(s)
    last_review = _last_ended(reviews, today)
    rows = []
    for a in agencies:
        active = [g for g in agreements.get(a.id, []) if g.status == AgreementStatus.ACTIVE.value]
        dues = sorted((next_biennial_due(g.model, g.signed_on, facts.get(g.id, ())), g.model)
                      for g in active)  # fmt: skip
        next_due, program = dues[0] if dues else (None, "")
        last = last_review.get(a.id)
        rows.append(AgencyRow(
            id=a.id, name=a.name, state=a.state, county=a.county,
            field_office=offices.get(a.field_office_id or "", ""),
            programs=tuple(sorted({g.model for g in agreements.get(a.id, [])})),
            officers=officers.get(a.id, 0),
            last_review=last[0] if last else None,
            last_review_kind=last[1].label if last else "",
            next_due=next_due, due_program=program,
            due_state=due_state(next_due, today) if next_due else "",
            open_findings=open_findings.get(a.id, 0),
        ))  # fmt: skip
    rows.sort(key=lambda r: r.name.casefold())
    return rows


def ended_on(review: Review, today: date) -> date | None:
    """The day a review ended, or None while it has not: only a final review has ended
    (a started one carries its planned end), and never after today."""
    if review.status != ReviewStatus.FINAL.value:
        return None
    when = review.end_date or review.start_date
    return when if when is not None and when <= today else None


def _last_ended(reviews: list[Review], today: date) -> dict[str, tuple[date, ReviewKind]]:
    """Agency id -> (the day its latest ended review ended, that review's kind)."""
    last: dict[str, tuple[date, ReviewKind]] = {}
    for r in reviews:
        when = ended_on(r, today)
        if when is not None and (r.agency_id not in last or when > last[r.agency_id][0]):
            last[r.agency_id] = (when, ReviewKind(r.kind))
    return last


# --- one agency ------------------------------------------------------------------------


@dataclass(frozen=True)
class AgreementRow:
    id: str
    model: str
    moa_number: str
    signed_on: date
    status: str
    next_due: date | None
    due_state: str


@dataclass(frozen=True)
class OfficerRow:
    id: str
    name: str
    model: str
    credential: str
    status: str
    status_reason: str
    training: str  # "Current" or "Lapsed: reason; reason"
    compliant: bool
    last_training: date | None
    lapsed: bool = False  # active and not compliant: offered as a training finding
    reasons: tuple[str, ...] = ()  # why the training is not current

    @property
    def active(self) -> bool:
        return self.status == OfficerStatus.ACTIVE.value

    @property
    def status_text(self) -> str:
        if self.active:
            return "Active"
        return (
            f"{self.status.capitalize()}: {self.status_reason}"
            if self.status_reason
            else self.status.capitalize()
        )


@dataclass
class AgencyDetails:
    agency: Any  # the Agency row (read-only here)
    field_office: Any | None
    agreements: list[AgreementRow]
    officers: list[OfficerRow]
    reviews: list[ReviewRow]


def load_agency(db: Database, agency_id: str, today: date) -> AgencyDetails | None:
    """One agency's page, or None when it no longer exists."""
    with db.read() as s:
        agency = get_live(s, Agency, agency_id)
        if agency is None:
            return None
        office = get_live(s, FieldOffice, agency.field_office_id)
        agreements = live(s, Agreement, Agreement.agency_id == agency_id)
        officers = officers_of(s, agency_id)
        reviews = list_reviews(s, agency_id=agency_id)
        facts = cycle_reviews(s)
    agreement_rows = []
    for g in sorted(agreements, key=lambda g: g.model):
        due = (next_biennial_due(g.model, g.signed_on, facts.get(g.id, ()))
               if g.status == AgreementStatus.ACTIVE.value else None)  # fmt: skip
        agreement_rows.append(AgreementRow(g.id, g.model, g.moa_number, g.signed_on, g.status, due,
                                           due_state(due, today) if due else ""))  # fmt: skip
    return AgencyDetails(agency, office, agreement_rows, [_officer_row(o, r, today)
                                                         for o, r in officers], reviews)  # fmt: skip


def _officer_row(officer: Officer, records: list[Any], today: date) -> OfficerRow:
    t = OfficerTraining(
        officer, officer_training_status(officer, records, today), today
    )  # its `lapsed` is the rule inspections offer
    return OfficerRow(
        id=officer.id, name=officer.name, model=officer.model,
        credential=officer.credential_number, status=officer.status,
        status_reason=officer.status_reason, training=t.status.summary,
        compliant=t.status.compliant,
        last_training=max((r.completed_on for r in records), default=None),
        lapsed=t.lapsed, reasons=tuple(t.status.reasons),
    )  # fmt: skip
