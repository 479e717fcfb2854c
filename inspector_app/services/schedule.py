"""What is due: the biennial review of every active agreement, WSO request forms, focus
reviews and corrective actions; and the fiscal-year inspection plan of JEM LEAs.

The last review of each agreement is found with one grouped query (max end date per
agreement, review kind and status; domain.schedule decides which count), so the Due list stays quick with decades of history
(bench/schedule.py measures it).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Row, func
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from inspector_app.domain.calendar import FiscalYear, due_state, fiscal_year
from inspector_app.domain.enums import (
    ActionStatus,
    AgreementStatus,
    OfficerStatus,
    ProgramModel,
    ReviewKind,
    ReviewStatus,
)
from inspector_app.domain.schedule import (
    CYCLE_REVIEW_KIND,
    AgreementHistory,
    ReviewFact,
    last_cycle_review_end,
    propose_plan,
)
from inspector_app.store import queries
from inspector_app.store.database import Database
from inspector_app.store.models import (
    Agency,
    Agreement,
    CorrectiveAction,
    Finding,
    InfoRequest,
    InfoRequestItem,
    Officer,
    PlanEntry,
    Review,
    TrainingRecord,
)

from .agency_list import review_facts
from .errors import Invalid
from .info_requests import REQUEST_SEND_DAYS_BEFORE_VISIT, request_state
from .lifecycle import officer_training_status
from .uow import check_base_rev, unit_of_work


class Category:
    AGREEMENT = "agreement"
    REQUEST_FORM = "request_form"
    FOCUS_REVIEW = "focus_review"
    CORRECTIVE_ACTION = "corrective_action"
    TRAINING = "training"  # officers' annual recertification and the revocation after it


@dataclass(frozen=True)
class DueItem:
    """One line of the Due list. `state`: ok / due_soon / overdue for open work;
    request forms also draft / sent / complete; actions done_on_time / done_late."""

    category: str
    ref_id: str  # the agreement, request form, focus review or action
    agency_id: str
    agency_name: str
    agency_state: str
    due: date | None
    state: str
    title: str
    detail: str = ""
    review_id: str | None = None
    agreement_id: str | None = None
    model: str = ""
    last_review_end: date | None = None
    scheduled: date | None = None  # a planned review's start, when one is planned
    owner: str = ""
    completed_on: date | None = None

    @property
    def is_open(self) -> bool:
        return self.state not in ("complete", "done_on_time", "done_late")


def cycle_reviews(session: Session) -> dict[str, list[ReviewFact]]:
    """Agreement id -> its reviews as the biennial rule sees them: one fact per (kind,
    status) with the latest end date, from one grouped query (quick with decades of
    history). Which of them count is `domain.schedule.counts_for_cycle`'s decision.
    The query is `agency_list.review_facts`, which the agencies list runs without a
    session at start-up."""
    return review_facts(session.connection())


@dataclass(frozen=True)
class PlannedReview:
    """A review planned and not started yet (the New review dialog offers it)."""

    id: str
    kind: str
    planned_start: date | None
    planned_end: date | None
    mode: str


def planned_reviews(db: Database, agency_id: str) -> list[PlannedReview]:
    """The agency's planned JEM inspections and WSO reviews, earliest first (a focus
    review is scheduled by finalization, not here)."""
    with db.read() as s:
        rows = queries.live(
            s, Review, Review.agency_id == agency_id, Review.status == ReviewStatus.PLANNED,
            Review.kind != ReviewKind.FOCUS_REVIEW,
        )  # fmt: skip
    out = [PlannedReview(r.id, r.kind, r.planned_start, r.planned_end, r.mode) for r in rows]
    return sorted(out, key=lambda r: (r.planned_start or date.max, r.id))


@dataclass(frozen=True)
class ReviewInProgress:
    """A review begun and not final yet (the New review dialog opens it rather than
    planning a duplicate)."""

    id: str
    kind: str
    status: str
    start_date: date | None


def reviews_in_progress(db: Database, agency_id: str) -> list[ReviewInProgress]:
    """The agency's JEM inspections and WSO reviews in progress or at report draft,
    latest start first (a focus review is scheduled by finalization, not here)."""
    with db.read() as s:
        rows = queries.live(
            s, Review, Review.agency_id == agency_id,
            col(Review.status).in_([ReviewStatus.IN_PROGRESS, ReviewStatus.REPORT_DRAFT]),
            Review.kind != ReviewKind.FOCUS_REVIEW,
        )  # fmt: skip
    out = [ReviewInProgress(r.id, r.kind, r.status, r.start_date) for r in rows]
    return sorted(out, key=lambda r: (r.start_date or date.min, r.id), reverse=True)


def _histories(session: Session, model: str | None = None) -> list[tuple[Row[Any], AgreementHistory]]:  # fmt: skip
    """Active agreements with their agency's name (plain column rows: loading whole ORM
    objects was most of the time with a thousand agreements) and their history."""
    where = [col(Agreement.deleted) == False, col(Agreement.status) == AgreementStatus.ACTIVE]  # noqa: E712
    if model:
        where.append(col(Agreement.model) == model)
    # Six columns: SQLAlchemy's own select (SQLModel's is typed for up to four).
    rows = session.execute(
        select_columns(col(Agreement.id), col(Agreement.model), col(Agreement.signed_on),
                       col(Agency.id).label("agency_id"), col(Agency.name), col(Agency.state))
        .join(Agency, col(Agency.id) == Agreement.agency_id).where(*where)
    ).all()  # fmt: skip
    facts = cycle_reviews(session)
    out = []
    for row in rows:
        end = last_cycle_review_end(row.model, facts.get(row.id, ()))
        out.append((row, AgreementHistory(row.id, row.signed_on, end)))
    return out


def _planned_starts(session: Session) -> dict[str, date]:
    rows = session.exec(
        select(Review.agreement_id, func.min(Review.planned_start))
        .where(Review.deleted == False, Review.status == ReviewStatus.PLANNED,  # noqa: E712
               Review.kind != ReviewKind.FOCUS_REVIEW, Review.planned_start != None)  # noqa: E711
        .group_by(col(Review.agreement_id))
    ).all()  # fmt: skip
    # A review without an agreement is looked up by no one.
    return {
        a: date.fromisoformat(d) if isinstance(d, str) else d
        for a, d in rows
        if a is not None and d is not None
    }


def agreement_items(session: Session, today: date) -> list[DueItem]:
    planned = _planned_starts(session)
    out = []
    for agreement, h in _histories(session):
        kind = CYCLE_REVIEW_KIND[agreement.model]
        last = h.last_review_end.isoformat() if h.last_review_end else "never reviewed"
        out.append(DueItem(
            Category.AGREEMENT, agreement.id, agreement.agency_id, agreement.name, agreement.state,
            h.due,
            h.state(today), f"{kind.label} due",
            detail=f"last: {last}" + (f"; signed {agreement.signed_on.isoformat()}"
                                      if h.last_review_end is None else "")
                   + (f"; planned {planned[agreement.id].isoformat()}"
                      if agreement.id in planned else ""),
            agreement_id=agreement.id, model=agreement.model, last_review_end=h.last_review_end,
            scheduled=planned.get(agreement.id),
        ))  # fmt: skip
    return out


def request_items(session: Session, today: date) -> list[DueItem]:
    """Each WSO review's request form: until it is sent, due by its send-by date; then
    the documents, due back before the visit. A planned WSO review without a form (one
    planned before forms were drafted with the review) is listed too."""
    rows = session.exec(
        select(InfoRequest, Review, Agency)
        .join(Review, col(Review.id) == InfoRequest.review_id)
        .join(Agency, col(Agency.id) == Review.agency_id)
        .where(InfoRequest.deleted == False, Review.deleted == False)  # noqa: E712
    ).all()  # fmt: skip
    items: dict[str, list[InfoRequestItem]] = defaultdict(list)
    if rows:
        ids = [r.id for r, _, _ in rows]
        for i in queries.live(session, InfoRequestItem, col(InfoRequestItem.request_id).in_(ids)):
            items[i.request_id].append(i)
    out = []
    for request, review, agency in rows:
        if request.sent_on is None and review.status != ReviewStatus.PLANNED:
            continue  # the review has begun: there is nothing left to send
        its = items[request.id]
        received = sum(1 for i in its if i.received_on)
        if request.sent_on:
            due, title = request.due_on, "WSO review request form"
            sent = f"sent {request.sent_on.isoformat()}"
        else:
            due, title = request.send_by or request.due_on, "WSO review request form: send it"
            sent = (
                f"not sent (send by {_iso(request.send_by)}, documents due {_iso(request.due_on)})"
            )
        out.append(DueItem(
            Category.REQUEST_FORM, request.id, agency.id, agency.name, agency.state,
            due, request_state(request, its, today), title,
            detail=f"{sent}; {received} of {len(its)} documents received",
            review_id=review.id, agreement_id=review.agreement_id, model=ProgramModel.WSO,
            scheduled=review.planned_start, owner=request.poc_name,
        ))  # fmt: skip
    return out + _reviews_without_request(session, today, {r.id for _, r, _ in rows})


def _iso(day: date | None) -> str:
    return day.isoformat() if day else "no date"


def _reviews_without_request(session: Session, today: date, with_form: set[str]) -> list[DueItem]:
    rows = session.exec(
        select(Review, Agency).join(Agency, col(Agency.id) == Review.agency_id)
        .where(Review.deleted == False, Review.kind == ReviewKind.WSO_REVIEW,  # noqa: E712
               Review.status == ReviewStatus.PLANNED)
    ).all()  # fmt: skip
    out = []
    for review, agency in rows:
        if review.id in with_form:
            continue
        send_by = (review.planned_start - timedelta(days=REQUEST_SEND_DAYS_BEFORE_VISIT)
                   if review.planned_start else None)  # fmt: skip
        out.append(DueItem(
            Category.REQUEST_FORM, review.id, agency.id, agency.name, agency.state, send_by,
            due_state(send_by, today) if send_by else "ok",
            "WSO review request form: none yet", detail="no request form drafted; create it",
            review_id=review.id, agreement_id=review.agreement_id, model=ProgramModel.WSO,
            scheduled=review.planned_start,
        ))  # fmt: skip
    return out


def focus_items(session: Session, today: date) -> list[DueItem]:
    rows = session.exec(
        select(Review, Agency).join(Agency, col(Agency.id) == Review.agency_id)
        .where(Review.deleted == False, Review.kind == ReviewKind.FOCUS_REVIEW,  # noqa: E712
               Review.status != ReviewStatus.FINAL)
    ).all()  # fmt: skip
    out = []
    for review, agency in rows:
        state = due_state(review.due_date, today) if review.due_date else "ok"
        out.append(DueItem(
            Category.FOCUS_REVIEW, review.id, agency.id, agency.name, agency.state,
            review.due_date, state, f"Focus review ({review.mode.replace('_', ' ')})",
            detail=review.status.label, review_id=review.id,
            agreement_id=review.agreement_id, scheduled=review.planned_start,
        ))  # fmt: skip
    return out


def action_items(session: Session, today: date) -> list[DueItem]:
    # Fourteen columns: SQLAlchemy's own select (SQLModel's is typed for up to four).
    rows = session.execute(
        select_columns(col(CorrectiveAction.id), col(CorrectiveAction.action), col(CorrectiveAction.owner),
               col(CorrectiveAction.due_on), col(CorrectiveAction.status), col(CorrectiveAction.completed_on),
               col(CorrectiveAction.on_time), col(Finding.number), col(Finding.topic),
               col(Review.id).label("review_id"), col(Review.agreement_id),
               col(Agency.id).label("agency_id"), col(Agency.name), col(Agency.state))
        .join(Finding, col(Finding.id) == CorrectiveAction.finding_id)
        .join(Review, col(Review.id) == Finding.review_id)
        .join(Agency, col(Agency.id) == Review.agency_id)
        .where(col(CorrectiveAction.deleted) == False, col(Finding.deleted) == False,  # noqa: E712
               col(Review.deleted) == False)  # noqa: E712
    ).all()  # fmt: skip
    out = []
    for a in rows:
        if a.status == ActionStatus.DONE:
            state = "done_late" if a.on_time is False else "done_on_time"
        else:
            state = due_state(a.due_on, today) if a.due_on else "ok"
        out.append(DueItem(
            Category.CORRECTIVE_ACTION, a.id, a.agency_id, a.name, a.state, a.due_on, state,
            a.action, detail=f"F-{a.number} {a.topic or ''} ({a.status.replace('_', ' ')})",
            review_id=a.review_id, agreement_id=a.agreement_id, owner=a.owner,
            completed_on=a.completed_on,
        ))  # fmt: skip
    return out


def _jem_officers(session: Session) -> list[tuple[Officer, Agency, list[TrainingRecord]]]:
    """JEM officers whose authority is not revoked, under an active agreement (or none
    recorded), with their agency and training records."""
    rows = session.exec(
        select(Officer, Agency).join(Agency, col(Agency.id) == Officer.agency_id)
        .outerjoin(Agreement, col(Agreement.id) == Officer.agreement_id)
        .where(Officer.deleted == False, Officer.model == ProgramModel.JEM,  # noqa: E712
               Officer.status != OfficerStatus.REVOKED,
               (col(Agreement.id) == None) | (col(Agreement.status) == AgreementStatus.ACTIVE))  # noqa: E711
    ).all()  # fmt: skip
    records: dict[str, list[TrainingRecord]] = defaultdict(list)
    if rows:
        ids = [o.id for o, _ in rows]
        for t in queries.live(session, TrainingRecord, col(TrainingRecord.officer_id).in_(ids)):
            records[t.officer_id].append(t)
    return [(o, a, records[o.id]) for o, a in rows]


def training_items(session: Session, today: date) -> list[DueItem]:
    """Per JEM officer not recertified for the current fiscal year: the annual online
    recertification (due September 30); after a missed one, the revocation of authority
    90 days later unless a waiver is recorded (OIG-18-77 appendix A)."""
    year_end = FiscalYear(fiscal_year(today)).end
    out = []
    for officer, agency, records in _jem_officers(session):
        recert = officer_training_status(officer, records, today).recertification
        if recert is None or recert.deadline > year_end:
            continue  # no initial course (not designated yet), or recertified this year
        last = recert.last_online.isoformat() if recert.last_online else "never"
        item = DueItem(
            Category.TRAINING, officer.id, agency.id, agency.name, agency.state,
            recert.deadline, due_state(recert.deadline, today),
            f"Annual online recertification: {officer.name}",
            detail=f"last online training {last}; officer {officer.status}",
            agreement_id=officer.agreement_id, model=ProgramModel.JEM, owner=officer.name,
        )  # fmt: skip
        out.append(item)
        if recert.missed and recert.revoke_on is not None:
            out.append(replace(
                item, due=recert.revoke_on, state=due_state(recert.revoke_on, today),
                title=f"Revoke authority (recertification missed): {officer.name}",
                detail=f"suspended from {recert.suspended_from}; no waiver recorded",
            ))  # fmt: skip
    return out


def due_items(db: Database, today: date | None = None) -> list[DueItem]:
    """Everything with a due date, in date order (no date last)."""
    today = today or date.today()
    with db.read() as s:
        out = (agreement_items(s, today) + request_items(s, today) + focus_items(s, today)
               + action_items(s, today) + training_items(s, today))  # fmt: skip
    out.sort(key=lambda i: (i.due or date.max, i.agency_name))
    return out


def in_fiscal_year(items: list[DueItem], fiscal_year: int) -> list[DueItem]:
    """Open items due in or before the fiscal year (overdue ones included)."""
    end = FiscalYear(fiscal_year).end
    return [i for i in items if i.is_open and i.due is not None and i.due <= end]


# --- fiscal-year plan -------------------------------------------------------------


@dataclass(frozen=True)
class PlanRow:
    agreement_id: str
    agency_id: str
    agency_name: str
    agency_state: str
    due: date
    last_review_end: date | None
    proposed: bool  # what propose_plan suggests
    included: bool  # what is planned (the saved entry, else the proposal)
    reason: str
    accepted: bool = False
    note: str = ""
    rev: int = 0  # the saved entry's revision (0: none saved yet), for stale-save checks


@dataclass
class Plan:
    fiscal_year: int
    rows: list[PlanRow]

    @property
    def accepted(self) -> bool:
        return bool(self.rows) and all(r.accepted for r in self.rows)

    @property
    def included(self) -> list[PlanRow]:
        return [r for r in self.rows if r.included]

    @property
    def gaps(self) -> list[PlanRow]:
        """Left out although due in or before the year: they would pass two years."""
        end = FiscalYear(self.fiscal_year).end
        return [r for r in self.rows if not r.included and r.due <= end]


def fy_plan(db: Database, fiscal_year: int) -> Plan:
    """The JEM inspection plan of a fiscal year: saved entries, else the proposal."""
    _check_year(fiscal_year)
    with db.read() as s:
        hist = _histories(s, ProgramModel.JEM)
        saved = {e.agreement_id: e for e in queries.live(s, PlanEntry,
                                                          PlanEntry.fiscal_year == fiscal_year)}  # fmt: skip
    choices = {c.agreement_id: c for c in propose_plan([h for _, h in hist], fiscal_year)}
    rows = []
    for agreement, h in hist:
        c = choices[agreement.id]
        e = saved.get(agreement.id)
        rows.append(PlanRow(
            agreement.id, agreement.agency_id, agreement.name, agreement.state, h.due,
            h.last_review_end,
            proposed=c.included, included=e.included if e else c.included, reason=c.reason,
            accepted=bool(e and e.accepted), note=e.note if e else "", rev=e.rev if e else 0,
        ))  # fmt: skip
    rows.sort(key=lambda r: (r.due, r.agency_name))
    return Plan(fiscal_year, rows)


def _check_plan_revs(saved: dict[str, PlanEntry], shown: Plan, included: dict[str, bool]) -> None:
    """Refuse a plan saved from what the user was shown if an entry moved on since."""
    for r in shown.rows:
        check_base_rev(saved.get(r.agreement_id), r.rev,
                       {"included": included.get(r.agreement_id, r.included)},
                       f"the FY{shown.fiscal_year} plan entry of {r.agency_name}")  # fmt: skip


def _check_year(fiscal_year: int) -> None:
    if not 2000 <= int(fiscal_year) <= 2100:
        raise Invalid("fiscal_year", f"{fiscal_year} is not a fiscal year (e.g. 2027)")


def save_plan(
    db: Database, fiscal_year: int, *, included: dict[str, bool] | None = None,
    notes: dict[str, str] | None = None, accept: bool = True, based_on: Plan | None = None,
) -> Plan:  # fmt: skip
    """Accept (or change) the plan: one entry per JEM agreement, in one transaction.
    `included` overrides the current plan for the agreements it names. `based_on`: the
    plan the user was shown; if an entry was saved since, StaleEdit and nothing written."""
    current = fy_plan(db, fiscal_year)
    included = included or {}
    notes = notes or {}
    known = {r.agreement_id for r in current.rows}
    unknown = set(included) - known
    if unknown:
        raise Invalid("agreement_id", f"{sorted(unknown)[0]} is not an active JEM agreement")
    with unit_of_work(db, "accept_fy_plan" if accept else "change_fy_plan") as uow:
        saved = {e.agreement_id: e for e in queries.live(
            uow.session, PlanEntry, PlanEntry.fiscal_year == fiscal_year)}  # fmt: skip
        if based_on is not None:
            _check_plan_revs(saved, based_on, included)
        changed = []
        for r in current.rows:
            entry = saved.get(r.agreement_id) or PlanEntry(fiscal_year=fiscal_year,
                                                           agreement_id=r.agreement_id)  # fmt: skip
            new_included = included.get(r.agreement_id, r.included)
            if new_included != r.proposed:
                changed.append(f"{r.agency_name}: {'added' if new_included else 'left out'}")
            entry.included = new_included
            entry.accepted = accept or entry.accepted
            if r.agreement_id in notes:
                entry.note = notes[r.agreement_id].strip()
            uow.save(entry)
        uow.audit("fy_plan", f"FY{fiscal_year}", fiscal_year=fiscal_year,
                  included=sum(1 for r in current.rows
                               if included.get(r.agreement_id, r.included)),
                  of=len(current.rows), changed_from_proposal=changed)  # fmt: skip
    return fy_plan(db, fiscal_year)
