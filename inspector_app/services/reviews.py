"""Scheduling and starting reviews, and recording checklist answers (autosave)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, bindparam
from sqlalchemy import select as select_columns
from sqlmodel import SQLModel, col, select

from inspector_app.domain.enums import (
    AnswerValue,
    ProgramModel,
    ReviewKind,
    ReviewMode,
    ReviewStatus,
)
from inspector_app.domain.forms import FormDefinition
from inspector_app.domain.forms.layout import order_problem, order_section
from inspector_app.domain.forms.schema import split_key
from inspector_app.domain.keys import parse_key
from inspector_app.store.database import Database
from inspector_app.store.models import (
    Agency,
    Agreement,
    ChecklistResponse,
    Review,
    table_name,
    utcnow,
)

from . import forms
from .errors import Conflict, Invalid, NotFound
from .locked import ensure_editable
from .uow import UnitOfWork, unit_of_work
from .validate import enum_value, parse_date

# Review kinds whose checklist comes from forms/ (a focus review's items are findings).
_PROGRAM_OF_KIND = {ReviewKind.JEM_INSPECTION: "JEM", ReviewKind.WSO_REVIEW: "WSO"}


def schedule_review(
    db: Database, *, agency_id: str, kind: str, mode: str = ReviewMode.SITE_VISIT,
    planned_start: date | str | None = None, planned_end: date | str | None = None,
    lead_inspector: str = "", team: list[str] | None = None, agreement_id: str | None = None,
    parent_review_id: str | None = None, due_date: date | str | None = None,
    request_send_days: int | None = None,
) -> Review:  # fmt: skip
    """Plan a review of an agency (status 'planned'). A WSO review gets its request form
    in the same transaction, addressed to the field office's point of contact, to be
    sent `request_send_days` (default 42) days before the planned start."""
    with unit_of_work(db, "schedule_review") as uow:
        agency = uow.get(Agency, agency_id, "agency")
        review_kind = enum_value(ReviewKind, kind, "kind")
        start = parse_date(planned_start, "planned_start")
        end = parse_date(planned_end, "planned_end") or start
        if start and end and end < start:
            raise Invalid("planned_end", "is before the planned start")
        if review_kind is ReviewKind.FOCUS_REVIEW:
            parent = uow.get(Review, parent_review_id, "parent review")
            if parent.agency_id != agency.id:
                raise Invalid("parent_review_id", "the inspection followed up is of another agency")
            agreement_id = agreement_id or parent.agreement_id
        elif agreement_id is None:
            agreement = uow.session.exec(
                select(Agreement).where(
                    Agreement.agency_id == agency.id,
                    Agreement.model == _PROGRAM_OF_KIND[review_kind],
                    Agreement.deleted == False,  # noqa: E712
                )
            ).first()
            if agreement is None:
                raise Invalid(
                    "kind", f"{agency.name} has no {_PROGRAM_OF_KIND[review_kind]} agreement"
                )
            agreement_id = agreement.id
        lead = (lead_inspector or db.user).strip()
        members = [m.strip() for m in (team or []) if m.strip()]
        if lead and lead not in members:
            members.insert(0, lead)
        review = Review(
            agency_id=agency.id, agreement_id=agreement_id, kind=review_kind,
            mode=enum_value(ReviewMode, mode, "mode"), planned_start=start, planned_end=end,
            lead_inspector=lead, team=members, parent_review_id=parent_review_id,
            due_date=parse_date(due_date, "due_date"),
        )  # fmt: skip
        uow.save(review, review_id=review.id)
        request = None
        if review_kind is ReviewKind.WSO_REVIEW:
            from .info_requests import draft_request

            request = draft_request(uow, review, send_days_before=request_send_days, audit=False)
        uow.audit("review", review.id, kind=review_kind, agency=agency.name,
                  **({} if request is None else {"request_form": request.id,
                      "send_by": request.send_by, "poc": request.poc_name}))  # fmt: skip
        return review


def start_review(
    db: Database, review_id: str, *, on: date | str | None = None, form_version: int | None = None
) -> Review:
    """Begin work on site: pin the current form version (or `form_version` of the
    review kind's checklist, e.g. the demo's reviews of an older version) and set the
    start date."""
    with unit_of_work(db, "start_review") as uow:
        review = uow.get(Review, review_id, "review")
        ensure_editable(review)
        if review.status != ReviewStatus.PLANNED:
            raise Conflict(f"review {review.id[:8]} has already started ({review.status})")
        if review.kind != ReviewKind.FOCUS_REVIEW:
            form = forms.registry().for_review_kind(review.kind)
            if form_version is not None:
                form = forms.registry().get(form.id, form_version, record="start_review")
            review.form_id, review.form_version = form.id, form.version
            # The interview guides too: every officer is asked the same questions.
            guides = forms.registry().interview_forms(ProgramModel(_PROGRAM_OF_KIND[review.kind]))
            review.interview_forms = {g.id: g.version for g in guides}
        review.status = ReviewStatus.IN_PROGRESS
        review.start_date = parse_date(on, "on") or review.planned_start or date.today()
        if review.end_date is None:
            review.end_date = review.planned_end or review.start_date
        uow.save(review, review_id=review.id)
        uow.audit("review", review.id, form=f"{review.form_id}.v{review.form_version}")
        return review


def update_review(
    db: Database, review_id: str, *, mode: str | None = None, team: list[str] | None = None,
    lead_inspector: str | None = None, start_date: date | str | None = None,
    end_date: date | str | None = None, summary: str | None = None,
    base_rev: int | None = None,
) -> Review:  # fmt: skip
    """Change a review's details or summary (StaleEdit if it moved on from `base_rev`)."""
    asked = {"mode": mode, "team": team, "lead_inspector": lead_inspector,
             "start_date": start_date, "end_date": end_date, "summary": summary}  # fmt: skip
    attempted = {k: v for k, v in asked.items() if v is not None}
    with unit_of_work(db, "update_review") as uow:
        review = uow.get_for_update(Review, review_id, "review", base_rev, attempted)
        ensure_editable(review)
        changed: list[str] = []
        if mode is not None:
            review.mode = enum_value(ReviewMode, mode, "mode")
            changed.append("mode")
        if team is not None:
            review.team = [m.strip() for m in team if m.strip()]
            changed.append("team")
        if lead_inspector is not None:
            review.lead_inspector = lead_inspector.strip()
            changed.append("lead_inspector")
        if start_date is not None:
            review.start_date = parse_date(start_date, "start_date")
            changed.append("start_date")
        if end_date is not None:
            review.end_date = parse_date(end_date, "end_date")
            changed.append("end_date")
        if review.start_date and review.end_date and review.end_date < review.start_date:
            raise Invalid("end_date", "is before the start date")
        if summary is not None:
            review.summary = summary
            changed.append("summary")
        uow.save(review, review_id=review.id)
        uow.audit("review", review.id, changed=changed)
        return review


def set_review_status(db: Database, review_id: str, status: str) -> Review:
    """Move between planned / in progress / report draft. Finalizing is lifecycle.finalize."""
    with unit_of_work(db, "set_review_status") as uow:
        review = uow.get(Review, review_id, "review")
        ensure_editable(review)
        new = enum_value(ReviewStatus, status, "status")
        if new is ReviewStatus.FINAL:
            raise Conflict("use finalize to make a review final")
        old = review.status
        review.status = new
        uow.save(review, review_id=review.id)
        uow.audit("review", review.id, old=old, new=new)
        return review


def form_for(review: Review | _ReviewState) -> FormDefinition:
    if not review.form_id or review.form_version is None:
        raise Conflict(f"review {review.id[:8]} has not started: it has no checklist yet")
    return forms.form_of(review.form_id, review.form_version)


@dataclass(frozen=True)
class _ReviewState:
    """The few columns an answer needs to know about its review."""

    id: str
    kind: str
    status: str
    form_id: str | None
    form_version: int | None


_ANSWER = SQLModel.metadata.tables[table_name(ChecklistResponse)]
# The review's state and the item's current answer (if any) in one round trip: an
# autosave reads nothing else before it writes (bench/autosave.py).
_ANSWER_STATE = (
    select_columns(
        col(Review.id).label("r_id"), col(Review.kind).label("r_kind"),
        col(Review.status).label("r_status"), col(Review.form_id).label("r_form_id"),
        col(Review.form_version).label("r_form_version"), *_ANSWER.c,
    )
    .select_from(Review)
    .outerjoin(_ANSWER, and_(_ANSWER.c.review_id == Review.id,
                             _ANSWER.c.item_key == bindparam("item_key")))
    .where(col(Review.id) == bindparam("review_id"), col(Review.deleted) == False)  # noqa: E712
)  # fmt: skip
_ANSWER_FIELDS = tuple(c.name for c in _ANSWER.c)
_REVIEW_FIELDS = ("r_id", "r_kind", "r_status", "r_form_id", "r_form_version")


def _open_for_answers(
    uow: UnitOfWork, review_id: str, item_key: str
) -> tuple[_ReviewState, dict[str, Any] | None]:
    """The review (refused if it takes no answers) and the item's stored answer or None."""
    found = uow.read_first(_ANSWER_STATE, {"review_id": review_id, "item_key": item_key})
    if found is None:
        raise NotFound("review", review_id)
    review = _ReviewState(*(found[k] for k in _REVIEW_FIELDS))
    ensure_editable(review)
    if review.status == ReviewStatus.PLANNED:
        raise Conflict(f"review {review.id[:8]} is planned; start it before answering")
    answer = {c: found[c] for c in _ANSWER_FIELDS} if found["id"] is not None else None
    return review, answer


def _check_item(review: Review | _ReviewState, item_key: str, value: str | None) -> None:
    if review.kind == ReviewKind.FOCUS_REVIEW:
        if parse_key(item_key) is None:
            raise Invalid("item_key", "a focus review's items are the findings it follows up")
        if value not in (None, AnswerValue.RESOLVED, AnswerValue.UNRESOLVED):
            raise Invalid("value", f"{value!r}: a finding is 'resolved' or 'unresolved'")
        return
    form = form_for(review)
    repeated = order_section(item_key)
    if repeated is not None:  # the instances of a repeated section, in order
        _check_order(form, item_key, repeated, value)
        return
    try:
        item = form.item(item_key)
    except KeyError:
        raise Invalid("item_key", f"{item_key!r} is not an item of {form.ref}") from None
    _check_instance(form, item_key)
    if value is not None:
        problem = item.validate_value(value)
        if problem:
            raise Invalid(item_key, problem)


def _check_order(form: FormDefinition, item_key: str, section_key: str, value: str | None) -> None:
    if not any(s.key == section_key and s.repeat for s in form.sections):
        raise Invalid("item_key", f"{item_key!r}: {form.ref} has no repeated section "
                                  f"{section_key!r}")  # fmt: skip
    problem = order_problem(value) if value is not None else None
    if problem:
        raise Invalid(item_key, problem)


def _check_instance(form: FormDefinition, item_key: str) -> None:
    """An item of a repeated section is answered per instance, and only there."""
    _, instance = split_key(item_key)
    section = form.section_of(item_key)
    if section.repeat is not None and instance is None:
        raise Invalid("item_key", f"{item_key!r} is in the repeated section {section.key!r}; "
                                  f"answer it for one {section.repeat.label.lower()} "
                                  f"({section.key}[n]....)")  # fmt: skip
    if section.repeat is None and instance is not None:
        raise Invalid("item_key", f"{item_key!r}: section {section.key!r} is not repeated")


def record_answer(
    db: Database, *, review_id: str, item_key: str, value: str | None, note: str | None = None
) -> ChecklistResponse:
    """Autosave one checklist answer (and optionally its note). None clears the answer.

    Durable when this returns: the transaction is committed with synchronous=FULL.
    """
    with unit_of_work(db, "record_answer") as uow:
        review, stored = _open_for_answers(uow, review_id, item_key)
        _check_item(review, item_key, value)
        changes = {
            "value": value,
            "answered_by": uow.user,
            "answered_at": utcnow(),
            "deleted": False,
        }
        if note is not None:
            changes["note"] = note
        response, previous = uow.save_keyed(
            ChecklistResponse, {"review_id": review_id, "item_key": item_key}, changes,
            review_id=review_id, previous=stored,
        )  # fmt: skip
        uow.audit("checklist_response", response.id, review_id=review_id, item=item_key,
                  old=previous["value"] if previous else None, new=value)  # fmt: skip
        if review.kind == ReviewKind.FOCUS_REVIEW:
            # The judgement flows back to the original finding in this same transaction.
            from .judgements import propagate_judgement

            propagate_judgement(uow, uow.get(Review, review_id, "review"), response)
        return response


def set_note(
    db: Database, *, review_id: str, item_key: str, note: str, base_rev: int | None = None
) -> ChecklistResponse:
    """Autosave the note on a checklist item, answered or not. A note is typed text:
    `base_rev` is the response's revision the note editor started from (0 for no row
    yet); StaleEdit, nothing written, if someone saved the item since."""
    with unit_of_work(db, "set_note") as uow:
        review, stored = _open_for_answers(uow, review_id, item_key)
        _check_item(review, item_key, None)
        response, _ = uow.save_keyed(
            ChecklistResponse, {"review_id": review_id, "item_key": item_key}, {"note": note},
            review_id=review_id, base_rev=base_rev, previous=stored,
        )  # fmt: skip
        uow.audit("checklist_response", response.id, review_id=review_id, item=item_key, note=True)
        return response
