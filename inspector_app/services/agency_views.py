"""Reads for the agencies list and the agency page: plain rows, no Qt.

The next biennial review due is `domain.schedule.next_biennial_due` over the same
review facts the Due list uses (`schedule.cycle_reviews`), so every screen shows the
same date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from inspector_app.domain.calendar import due_state
from inspector_app.domain.enums import (
    AgreementStatus,
    OfficerStatus,
)
from inspector_app.domain.schedule import next_biennial_due
from inspector_app.store.database import Database
from inspector_app.store.models import Agency, Agreement, FieldOffice, Officer, Review
from inspector_app.store.queries import ReviewRow, get_live, list_reviews, live, officers_of

from .agency_list import AgencyRow as AgencyRow  # re-exported: the list reads there
from .agency_list import ended_on as list_ended_on
from .agency_list import load_agency_rows as load_agency_rows
from .lifecycle import OfficerTraining, officer_training_status
from .schedule import cycle_reviews

# --- the agencies list: services.agency_list (SQL on the engine, read before the first
# paint without building the table models) ------------------------------------------------


def ended_on(review: Review, today: date) -> date | None:
    """The day a review ended, or None while it has not (`agency_list.ended_on`)."""
    return list_ended_on(review.status, review.start_date, review.end_date, today)


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
