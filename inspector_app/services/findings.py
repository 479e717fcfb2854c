"""Findings: raised from a checklist item or an interview answer, or free-standing."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from inspector_app.domain.enums import FindingKind, ResponsibleParty, ReviewKind
from inspector_app.domain.forms import FormDefinition, layout
from inspector_app.domain.forms.schema import split_key
from inspector_app.store.database import Database
from inspector_app.store.models import (
    ChecklistResponse,
    Finding,
    Interview,
    InterviewAnswer,
    Review,
)

from . import forms
from .errors import Invalid
from .locked import ensure_editable
from .reviews import form_for
from .uow import UnitOfWork, unit_of_work
from .validate import enum_value


@dataclass(frozen=True)
class FindingDraft:
    """What the finding editor is prefilled with when raising a finding from an item."""

    review_id: str
    kind: str | None
    topic: str | None
    responsible: str
    citation: str
    description: str
    item_key: str | None = None
    interview_answer_id: str | None = None


def draft_from_item(db: Database, *, review_id: str, item_key: str) -> FindingDraft:
    """Prefill a finding from a checklist item: its topic, citation, suggested kind and
    the party the form names as responsible (the LEA, ICE or both)."""
    with db.read() as s:
        review = s.get(Review, review_id)
        if review is None or review.deleted:
            raise Invalid("review_id", f"no review with id {review_id!r}")
        form = form_for(review)
        try:
            item = form.item(item_key)
        except KeyError:
            raise Invalid("item_key", f"{item_key!r} is not an item of {form.ref}") from None
        description = item.prompt
        named = _instance_name(s, review_id, form, item_key)
        if named:  # raised from one case file (a repeated section): the finding names it
            description = f"{named}: {description}"
    return FindingDraft(
        review_id=review_id, kind=item.on_failure, topic=item.topic, responsible=item.responsible,
        citation=item.citation, description=description, item_key=item_key,
    )  # fmt: skip


def _instance_name(s: Session, review_id: str, form: FormDefinition, item_key: str) -> str:
    """ "Case file A-123" for an item key of one instance of a repeated section, else ""."""
    _, n = split_key(item_key)
    if n is None:
        return ""
    section = form.section_of(item_key)
    rows = s.exec(
        select(ChecklistResponse).where(
            ChecklistResponse.review_id == review_id,
            col(ChecklistResponse.item_key).startswith(f"{section.key}["),
            ChecklistResponse.deleted == False,  # noqa: E712
        )
    ).all()
    values = {r.item_key: r.value for r in rows}
    order = layout.parse_order(values.get(layout.order_key(section.key)))
    position = order.index(n) + 1 if n in order else None
    return layout.instance_label(section, n, values, position)


def draft_from_answer(db: Database, *, interview_answer_id: str) -> FindingDraft:
    """Prefill a finding from an interview answer (topic, citation and responsible party
    of its question)."""
    with db.read() as s:
        answer = s.get(InterviewAnswer, interview_answer_id)
        if answer is None or answer.deleted:
            raise Invalid("interview_answer_id", f"no interview answer {interview_answer_id!r}")
        interview = s.get(Interview, answer.interview_id)
        assert interview is not None  # interview_id is a foreign key
    form = forms.form_of(interview.form_id, interview.form_version)
    question = form.item(answer.question_key)
    who = interview.interviewee_name or "the interviewee"
    return FindingDraft(
        review_id=interview.review_id, kind=question.on_failure, topic=question.topic,
        responsible=question.responsible, citation=question.citation,
        description=f"{who}: {question.prompt}", interview_answer_id=interview_answer_id,
    )  # fmt: skip


def _validated(fields: dict[str, Any], *, require_kind_topic: bool) -> dict[str, Any]:
    out = dict(fields)
    if "kind" in out and out["kind"] not in (None, ""):
        out["kind"] = enum_value(FindingKind, out["kind"], "kind")
    elif require_kind_topic:
        raise Invalid("kind", "choose deficiency, area of concern or best practice")
    if "topic" in out and out["topic"] not in (None, ""):
        if out["topic"] not in forms.topics():
            raise Invalid("topic", f"{out['topic']!r} is not a topic code (see forms/topics.yaml)")
    elif require_kind_topic:
        raise Invalid("topic", "choose the topic the finding falls under")
    if "responsible" in out:
        out["responsible"] = enum_value(ResponsibleParty, out["responsible"], "responsible")
    return out


def _next_number(uow: UnitOfWork, review_id: str) -> int:
    top = uow.session.exec(select(func.max(Finding.number)).where(Finding.review_id == review_id))
    return (top.one() or 0) + 1


def add_finding(
    db: Database, *, review_id: str, kind: str, topic: str, responsible: str = "lea",
    citation: str = "", description: str = "", evidence: str = "", item_key: str | None = None,
    interview_answer_id: str | None = None,
) -> Finding:  # fmt: skip
    """Record a finding. Kind and topic are required (the editor says so beside the field)."""
    fields = _validated(
        {"kind": kind, "topic": topic, "responsible": responsible}, require_kind_topic=True
    )
    with unit_of_work(db, "add_finding") as uow:
        review = uow.get(Review, review_id, "review")
        ensure_editable(review)
        if review.kind == ReviewKind.FOCUS_REVIEW:
            raise Invalid("review_id", "a focus review judges earlier findings; it raises none")
        if item_key is not None:
            form = form_for(review)
            try:
                form.item(item_key)
            except KeyError:
                raise Invalid("item_key", f"{item_key!r} is not an item of {form.ref}") from None
        if interview_answer_id is not None:
            uow.get(InterviewAnswer, interview_answer_id, "interview answer")
        finding = Finding(
            review_id=review_id, number=_next_number(uow, review_id), citation=citation.strip(),
            description=description.strip(), evidence=evidence.strip(), item_key=item_key,
            interview_answer_id=interview_answer_id, **fields,
        )  # fmt: skip
        uow.save(finding, review_id=review_id)
        uow.audit("finding", finding.id, review_id=review_id, kind=finding.kind,
                  topic=finding.topic, number=finding.number)  # fmt: skip
        return finding


_EDITABLE = {"kind", "topic", "responsible", "citation", "description", "evidence"}


def update_finding(
    db: Database, finding_id: str, *, base_rev: int | None = None, **changes: Any
) -> Finding:
    """Change a finding's fields. `base_rev` is the revision the user started editing
    from: if someone saved the finding since, StaleEdit and nothing is written."""
    unknown = set(changes) - _EDITABLE
    if unknown:
        raise Invalid(sorted(unknown)[0], "cannot be changed here")
    fields = _validated(changes, require_kind_topic=False)
    for key in ("kind", "topic"):
        if key in changes and not changes[key]:
            raise Invalid(key, "cannot be emptied")
    with unit_of_work(db, "update_finding") as uow:
        finding = uow.get_for_update(Finding, finding_id, "finding", base_rev, fields)
        review = uow.get(Review, finding.review_id, "review")
        ensure_editable(review)
        old = {k: getattr(finding, k) for k in fields}
        for key, value in fields.items():
            # Enum members are str too: strip only free text, or kind would become a str.
            text = isinstance(value, str) and not isinstance(value, StrEnum)
            setattr(finding, key, value.strip() if text else value)
        uow.save(finding, review_id=finding.review_id)
        uow.audit("finding", finding.id, old=old, new={k: getattr(finding, k) for k in fields})
        return finding


def remove_finding(db: Database, finding_id: str) -> Finding:
    with unit_of_work(db, "remove_finding") as uow:
        finding = uow.get(Finding, finding_id, "finding")
        ensure_editable(uow.get(Review, finding.review_id, "review"))
        uow.delete(finding, review_id=finding.review_id)
        uow.audit("finding", finding.id, review_id=finding.review_id, number=finding.number)
        return finding


def restore_finding(db: Database, finding_id: str) -> Finding:
    """Undo a removal (the row was only tombstoned)."""
    with unit_of_work(db, "restore_finding") as uow:
        finding = uow.session.get(Finding, finding_id)
        if finding is None:
            raise Invalid("finding_id", f"no finding with id {finding_id!r}")
        ensure_editable(uow.get(Review, finding.review_id, "review"))
        finding.deleted = False
        uow.save(finding, review_id=finding.review_id)
        uow.audit("finding", finding.id, review_id=finding.review_id)
        return finding
