"""Interviews: the WSO standardized interview (same questions for every officer) and
the JEM interview guides."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlmodel import Session, select

from inspector_app.domain.enums import IntervieweeRole, ProgramModel, ReviewKind, ReviewStatus
from inspector_app.domain.forms import FormDefinition, layout
from inspector_app.store.database import Database
from inspector_app.store.models import Interview, InterviewAnswer, Officer, Review, utcnow

from . import forms
from .errors import Conflict, Invalid
from .locked import ensure_editable
from .uow import check_base_rev, unit_of_work
from .validate import enum_value, parse_date


def interview_form(program: ProgramModel | str, role: IntervieweeRole | str) -> FormDefinition:
    """The latest interview guide for a program and interviewee role."""
    for form in forms.registry().interview_forms(ProgramModel(program)):
        if form.interviewee_role == IntervieweeRole(role):
            return form
    raise Invalid("interviewee_role", f"no {program} interview guide for {role}")


def shown_questions(form: FormDefinition, values: Mapping[str, str | None]) -> list[layout.Slot]:
    """The guide's questions the interview asks given its answers, in order: a question
    whose ``show_if`` does not hold is hidden, as on a checklist (domain.forms.layout):
    not asked, not counted, not required, not printed; its stored answer is kept."""
    return [slot for slot in layout.slots(form, values) if slot.visible]


def interview_progress(form: FormDefinition, values: Mapping[str, str | None]) -> tuple[int, int]:
    """(questions answered, questions asked): hidden questions count in neither."""
    shown = shown_questions(form, values)
    return sum(values.get(s.key) not in (None, "") for s in shown), len(shown)


def pinned_interview_form(
    session: Session, review: Review, program: ProgramModel, role: IntervieweeRole
) -> FormDefinition:
    """The guide pinned to the review when it started; for a review started before
    guides were pinned, the version its earlier interviews used; else the latest."""
    latest = interview_form(program, role)
    version = (review.interview_forms or {}).get(latest.id)
    if version is None:
        version = session.exec(
            select(Interview.form_version).where(
                Interview.review_id == review.id, Interview.form_id == latest.id,
                Interview.deleted == False,  # noqa: E712
            )
        ).first()  # fmt: skip
    if version is None or version == latest.version:
        return latest
    return forms.form_of(latest.id, version, record=f"review {review.id[:8]}")


def start_interview(
    db: Database, *, review_id: str, role: str, officer_id: str | None = None,
    interviewee_name: str = "", on: date | str | None = None,
) -> Interview:  # fmt: skip
    """Open an interview. For an officer, pick one of the agency's officers."""
    with unit_of_work(db, "start_interview") as uow:
        review = uow.get(Review, review_id, "review")
        ensure_editable(review)
        if review.status == ReviewStatus.PLANNED:
            raise Conflict(f"review {review.id[:8]} is planned; start it before interviewing")
        if review.kind == ReviewKind.FOCUS_REVIEW:
            raise Invalid("review_id", "focus reviews have no interviews")
        program = ProgramModel.WSO if review.kind == ReviewKind.WSO_REVIEW else ProgramModel.JEM
        interviewee_role = enum_value(IntervieweeRole, role, "role")
        form = pinned_interview_form(uow.session, review, program, interviewee_role)
        name = interviewee_name.strip()
        if interviewee_role is IntervieweeRole.OFFICER:
            if not officer_id:
                raise Invalid("officer_id", "pick the officer to interview")
            officer = uow.get(Officer, officer_id, "officer")
            if officer.agency_id != review.agency_id:
                raise Invalid("officer_id", f"{officer.name} is not an officer of this agency")
            already = uow.session.exec(
                select(Interview).where(
                    Interview.review_id == review_id, Interview.officer_id == officer.id,
                    Interview.deleted == False,  # noqa: E712
                )
            ).first()  # fmt: skip
            if already:
                raise Conflict(f"{officer.name} has already been interviewed in this review")
            name = officer.name
        elif not name:
            name = interviewee_role.label
        interview = Interview(
            review_id=review_id, form_id=form.id, form_version=form.version,
            interviewee_role=interviewee_role, officer_id=officer_id, interviewee_name=name,
            interviewer=uow.user, conducted_on=parse_date(on, "on") or date.today(),
        )  # fmt: skip
        uow.save(interview, review_id=review_id)
        uow.audit("interview", interview.id, review_id=review_id, interviewee=name, form=form.ref)
        return interview


def record_interview_answer(
    db: Database, *, interview_id: str, question_key: str, value: str | None,
    note: str | None = None, base_rev: int | None = None,
) -> InterviewAnswer:  # fmt: skip
    """Save an answer (a key press: last write wins) and optionally its note. The note is
    typed text: with `base_rev` (the answer's revision the note editor started from, 0
    for no row yet) a row saved by someone since is refused with StaleEdit."""
    with unit_of_work(db, "record_interview_answer") as uow:
        interview = uow.get(Interview, interview_id, "interview")
        ensure_editable(uow.get(Review, interview.review_id, "review"))
        form = forms.form_of(interview.form_id, interview.form_version)
        try:
            question = form.item(question_key)
        except KeyError:
            raise Invalid("question_key", f"{question_key!r} is not in {form.ref}") from None
        if value is not None and (problem := question.validate_value(value)):
            raise Invalid(question_key, problem)
        answer = uow.session.exec(
            select(InterviewAnswer).where(
                InterviewAnswer.interview_id == interview_id,
                InterviewAnswer.question_key == question_key,
            )
        ).first()
        attempted = {"value": value} if note is None else {"value": value, "note": note}
        check_base_rev(answer, base_rev, attempted, "interview answer")
        answer = answer or InterviewAnswer(interview_id=interview_id, question_key=question_key)
        old = answer.value
        answer.value = value
        if note is not None:
            answer.note = note
        answer.answered_by = uow.user
        answer.answered_at = utcnow()
        uow.save(answer, review_id=interview.review_id)
        uow.audit("interview_answer", answer.id, interview_id=interview_id,
                  question=question_key, old=old, new=value)  # fmt: skip
        return answer


def complete_interview(db: Database, interview_id: str, completed: bool = True) -> Interview:
    with unit_of_work(db, "complete_interview") as uow:
        interview = uow.get(Interview, interview_id, "interview")
        ensure_editable(uow.get(Review, interview.review_id, "review"))
        interview.completed = completed
        uow.save(interview, review_id=interview.review_id)
        uow.audit("interview", interview.id, completed=completed)
        return interview
