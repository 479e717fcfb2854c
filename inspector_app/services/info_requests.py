"""The WSO Internal Oversight Review request form, sent to the field office's point of
contact several weeks before a WSO review, and the documents received in answer.

Planning a WSO review drafts its form (services.reviews.schedule_review). The form is
sent REQUEST_SEND_DAYS_BEFORE_VISIT days (42, configurable per form) before the planned
visit: until it is sent, the Due list shows that send-by date, and the form is overdue
once it passes. The documents are due REQUEST_DUE_DAYS_BEFORE_VISIT days before the
visit, so the team can read them before going on site; the form is overdue when that
date has passed and some requested document has not arrived.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlmodel import col, select

from inspector_app.domain.calendar import DueState, due_state
from inspector_app.domain.enums import ReviewKind
from inspector_app.domain.request_form import DEFAULT_REQUEST_ITEMS
from inspector_app.store import queries
from inspector_app.store.database import Database
from inspector_app.store.files import put_blob
from inspector_app.store.models import (
    Agency,
    Attachment,
    FieldOffice,
    InfoRequest,
    InfoRequestItem,
    Review,
)

from .attachments import read_source
from .errors import Conflict, Invalid
from .uow import UnitOfWork, unit_of_work
from .validate import parse_date, required_text

REQUEST_DUE_DAYS_BEFORE_VISIT = 21  # documents due three weeks before the visit
REQUEST_SEND_DAYS_BEFORE_VISIT = 42  # sent about six weeks before


class RequestState:
    DRAFT = "draft"  # not sent yet
    SENT = "sent"  # waiting for documents
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"  # due date passed with documents missing
    COMPLETE = "complete"  # every requested document arrived


def request_state(request: InfoRequest, items: list[InfoRequestItem], today: date) -> str:
    if items and all(i.received_on for i in items):
        return RequestState.COMPLETE
    if request.sent_on is None and request.send_by is not None and today > request.send_by:
        return RequestState.OVERDUE  # not sent by its send-by date
    if request.due_on is not None:
        state = due_state(request.due_on, today, soon_days=14)
        if state == DueState.OVERDUE:
            return RequestState.OVERDUE
        if request.sent_on is not None and state == DueState.DUE_SOON:
            return RequestState.DUE_SOON
    return RequestState.SENT if request.sent_on else RequestState.DRAFT


def _existing(uow: UnitOfWork, review_id: str) -> InfoRequest | None:
    return uow.session.exec(
        select(InfoRequest).where(
            InfoRequest.review_id == review_id,
            InfoRequest.deleted == False,  # noqa: E712
        )
    ).first()


def _untouched_draft(uow: UnitOfWork, request: InfoRequest) -> bool:
    """The form scheduling drafted, as it was: never saved again, not sent, nothing in."""
    if request.rev != 1 or request.sent_on is not None:
        return False
    items = queries.live(uow.session, InfoRequestItem, InfoRequestItem.request_id == request.id)
    return not any(i.received_on for i in items)


def _dates(review: Review, due_on: date | str | None, send_days_before: int | None,
           required: bool) -> tuple[date | None, date | None]:  # fmt: skip
    """(due_on, send_by) of a review's form: documents due three weeks before the visit,
    the form sent `send_days_before` days (default 42) before it."""
    days = REQUEST_SEND_DAYS_BEFORE_VISIT if send_days_before is None else int(send_days_before)
    if not 0 < days <= 365:
        raise Invalid("send_days_before", f"{days}: give a number of days from 1 to 365")
    due = parse_date(due_on, "due_on")
    visit = review.planned_start or review.start_date
    if due is None and visit is not None:
        due = visit - timedelta(days=REQUEST_DUE_DAYS_BEFORE_VISIT)
    if due is None and required:
        raise Invalid("due_on", "give a due date (the review has no planned start)")
    if visit is not None and due is not None and due > visit:
        raise Invalid("due_on", f"{due.isoformat()} is after the visit ({visit.isoformat()})")
    send_by = visit - timedelta(days=days) if visit is not None else None
    if send_by is not None and due is not None and send_by > due:
        send_by = due  # never asked to send it after the documents are due back
    return due, send_by


def draft_request(
    uow: UnitOfWork, review: Review, *, poc_name: str | None = None,
    poc_email: str | None = None, due_on: date | str | None = None,
    items: list[str] | None = None, notes: str = "", send_days_before: int | None = None,
    required_dates: bool = False, audit: bool = True,
) -> InfoRequest:  # fmt: skip
    """Write a WSO review's request form in `uow`, addressed to its field office's point
    of contact (services.reviews.schedule_review calls it when a WSO review is planned)."""
    if review.kind != ReviewKind.WSO_REVIEW:
        raise Invalid("review_id", "request forms are sent ahead of WSO reviews only")
    request = _existing(uow, review.id)
    if request is not None and not _untouched_draft(uow, request):
        raise Conflict(f"review {review.id[:8]} already has a request form")
    agency = uow.get(Agency, review.agency_id, "agency")
    office = queries.get_live(uow.session, FieldOffice, agency.field_office_id)
    due, send_by = _dates(review, due_on, send_days_before, required_dates)
    request = request or InfoRequest(review_id=review.id)
    request.poc_name = (
        poc_name if poc_name is not None else (office.poc_name if office else "")
    ).strip()
    request.poc_email = (
        poc_email if poc_email is not None else (office.poc_email if office else "")
    ).strip()
    request.due_on, request.send_by, request.notes = due, send_by, notes.strip()
    uow.save(request, review_id=review.id)
    for old in queries.live(uow.session, InfoRequestItem, InfoRequestItem.request_id == request.id):
        uow.delete(old, review_id=review.id)  # the scheduled draft's list, replaced
    texts = [t.strip() for t in (DEFAULT_REQUEST_ITEMS if items is None else items)]
    for n, text in enumerate(t for t in texts if t):
        uow.save(InfoRequestItem(request_id=request.id, position=n + 1, description=text),
                 review_id=review.id)  # fmt: skip
    if audit:  # else the caller's one entry names the form (schedule_review)
        uow.audit("info_request", request.id, review_id=review.id, due_on=due,
                  send_by=send_by, items=len(texts), poc=request.poc_name)  # fmt: skip
    return request


def create_request(
    db: Database, *, review_id: str, poc_name: str | None = None, poc_email: str | None = None,
    due_on: date | str | None = None, items: list[str] | None = None, notes: str = "",
    send_days_before: int | None = None,
) -> InfoRequest:  # fmt: skip
    """Draft the request form of a planned WSO review (point of contact defaults to the
    field office's; due date to three weeks before the visit; send-by date to
    `send_days_before` days, default 42, before it). Planning a WSO review drafts one
    already: while that draft is untouched, this fills it in instead (Conflict once it
    was edited, sent or answered)."""
    with unit_of_work(db, "create_info_request") as uow:
        review = uow.get(Review, review_id, "review")
        return draft_request(uow, review, poc_name=poc_name, poc_email=poc_email, due_on=due_on,
                             items=items, notes=notes, send_days_before=send_days_before,
                             required_dates=True)  # fmt: skip


def update_request(
    db: Database, request_id: str, *, poc_name: str | None = None, poc_email: str | None = None,
    due_on: date | str | None = None, notes: str | None = None, base_rev: int | None = None,
) -> InfoRequest:  # fmt: skip
    """Change the form's point of contact, due date or notes (StaleEdit if it moved on
    from `base_rev`, the revision the user started from)."""
    asked = {"poc_name": poc_name, "poc_email": poc_email, "due_on": due_on, "notes": notes}
    attempted = {k: v for k, v in asked.items() if v is not None}
    with unit_of_work(db, "update_info_request") as uow:
        request = uow.get_for_update(InfoRequest, request_id, "request form", base_rev, attempted)
        changed = []
        for name, value in (("poc_name", poc_name), ("poc_email", poc_email), ("notes", notes)):
            if value is not None:
                setattr(request, name, value.strip())
                changed.append(name)
        if due_on is not None:
            request.due_on = parse_date(due_on, "due_on", required=True)
            changed.append("due_on")
        uow.save(request, review_id=request.review_id)
        uow.audit("info_request", request.id, changed=changed)
        return request


def mark_sent(db: Database, request_id: str, *, on: date | str | None = None) -> InfoRequest:
    """Record when the request form was sent to the point of contact."""
    with unit_of_work(db, "send_info_request") as uow:
        request = uow.get(InfoRequest, request_id, "request form")
        if not request.poc_name and not request.poc_email:
            raise Invalid("poc_name", "name the point of contact the form is sent to")
        request.sent_on = parse_date(on, "on") or date.today()
        uow.save(request, review_id=request.review_id)
        uow.audit("info_request", request.id, sent_on=request.sent_on, to=request.poc_email)
        return request


def add_item(db: Database, request_id: str, description: str) -> InfoRequestItem:
    text = required_text(description, "description")
    with unit_of_work(db, "add_info_request_item") as uow:
        request = uow.get(InfoRequest, request_id, "request form")
        last = max((i.position for i in queries.live(
            uow.session, InfoRequestItem, InfoRequestItem.request_id == request.id)), default=0)  # fmt: skip
        item = InfoRequestItem(request_id=request.id, position=last + 1, description=text)
        uow.save(item, review_id=request.review_id)
        uow.audit("info_request_item", item.id, request_id=request.id, description=text)
        return item


def remove_item(db: Database, item_id: str) -> InfoRequestItem:
    with unit_of_work(db, "remove_info_request_item") as uow:
        item = uow.get(InfoRequestItem, item_id, "requested document")
        request = uow.get(InfoRequest, item.request_id, "request form")
        uow.delete(item, review_id=request.review_id)
        uow.audit("info_request_item", item.id, description=item.description)
        return item


def receive_item(
    db: Database, item_id: str, *, on: date | str | None = None,
    source: Path | str | bytes | None = None, filename: str | None = None,
) -> InfoRequestItem:  # fmt: skip
    """Record that a requested document arrived, with the file itself when given
    (stored by hash before the rows, so a row never points at nothing)."""
    digest = data = name = None
    if source is not None:
        data, name = read_source(source, filename, "document")
        digest = put_blob(db.attachments_dir, data)
    with unit_of_work(db, "receive_info_request_item") as uow:
        item = uow.get(InfoRequestItem, item_id, "requested document")
        request = uow.get(InfoRequest, item.request_id, "request form")
        item.received_on = parse_date(on, "on") or item.received_on or date.today()
        uow.save(item, review_id=request.review_id)
        attachment = None
        if digest is not None:
            assert data is not None and name is not None  # read with the digest
            attachment = Attachment(
                sha256=digest, filename=name, size=len(data), review_id=request.review_id,
                mime_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
                request_item_id=item.id, caption=item.description[:120],
            )  # fmt: skip
            uow.save(attachment, review_id=request.review_id)
        uow.audit("info_request_item", item.id, request_id=request.id,
                  received_on=item.received_on, file=name, sha256=digest)  # fmt: skip
        return item


def unreceive_item(db: Database, item_id: str) -> InfoRequestItem:
    """Undo 'received' (a document was logged by mistake); its files stay attached."""
    with unit_of_work(db, "unreceive_info_request_item") as uow:
        item = uow.get(InfoRequestItem, item_id, "requested document")
        request = uow.get(InfoRequest, item.request_id, "request form")
        old = item.received_on
        item.received_on = None
        uow.save(item, review_id=request.review_id)
        uow.audit("info_request_item", item.id, old_received_on=old)
        return item


@dataclass
class RequestView:
    request: InfoRequest
    items: list[InfoRequestItem]
    files: dict[str, list[Attachment]]  # by item id
    state: str

    @property
    def received(self) -> int:
        return sum(1 for i in self.items if i.received_on)


def request_of(db: Database, review_id: str, today: date | None = None) -> RequestView | None:
    """The review's request form with its items, files and state (None if none yet)."""
    with db.read() as s:
        request = s.exec(
            select(InfoRequest).where(
                InfoRequest.review_id == review_id,
                InfoRequest.deleted == False,  # noqa: E712
            )
        ).first()
        if request is None:
            return None
        items = sorted(queries.live(s, InfoRequestItem, InfoRequestItem.request_id == request.id),
                       key=lambda i: i.position)  # fmt: skip
        files: dict[str, list[Attachment]] = {i.id: [] for i in items}
        if items:
            for a in queries.live(s, Attachment, col(Attachment.request_item_id).in_(list(files))):
                if a.request_item_id is not None:  # always: selected by it
                    files[a.request_item_id].append(a)
    return RequestView(request, items, files, request_state(request, items, today or date.today()))
