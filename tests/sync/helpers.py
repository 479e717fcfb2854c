"""Small builders shared by the sync tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from inspector_app.services import agencies as ag
from inspector_app.services import interviews, reviews
from inspector_app.services.sync.rows import CHANGE_LOG, table_of
from inspector_app.store.database import Database

ITEM = "complaints.poster_spanish"


def started_review(db: Database) -> str:
    office = ag.create_field_office(db, name="Atlanta", code="ATL", state="GA")
    agency = ag.create_agency(db, name="Alder County SO", state="GA", field_office_id=office.id)
    ag.create_agreement(db, agency_id=agency.id, model="JEM", signed_on="2023-05-17")
    review = reviews.schedule_review(db, agency_id=agency.id, kind="jem_inspection")
    return reviews.start_review(db, review.id).id


def first_question(db: Database, interview_id: str) -> str:
    from inspector_app.services import forms
    from inspector_app.store.models import Interview

    with db.read() as s:
        interview = s.get(Interview, interview_id)
        assert interview is not None
    return next(q.key for q in forms.form_of(interview.form_id, interview.form_version).items()
                if q.answer == "text")  # fmt: skip


def interview_answer(db: Database, review_id: str) -> tuple[str, str]:
    """An interview of the review and one answer in it: (interview id, answer id)."""
    interview = interviews.start_interview(db, review_id=review_id, role="lea_leadership",
                                           interviewee_name="Zoë Hartmann")  # fmt: skip
    answer = interviews.record_interview_answer(
        db, interview_id=interview.id, question_key=first_question(db, interview.id), value="twelve"
    )
    return interview.id, answer.id


def pending(db: Database) -> list[dict[str, Any]]:
    with db.read() as s:
        rows = (
            s.connection()
            .execute(
                select(CHANGE_LOG)
                .where(CHANGE_LOG.c.pushed_seq.is_(None))
                .order_by(CHANGE_LOG.c.seq)
            )
            .mappings()
        )
        return [dict(r) for r in rows]


def row(db: Database, table: str, row_id: str) -> dict[str, Any] | None:
    t = table_of(table)
    with db.read() as s:
        found = s.connection().execute(select(t).where(t.c.id == row_id)).mappings().first()
        return None if found is None else dict(found)


def payload(db: Database, table: str, row_id: str) -> dict[str, Any]:
    """The row's columns as the wire carries them (JSON)."""
    from pydantic_core import to_jsonable_python

    found = row(db, table, row_id)
    assert found is not None
    out: dict[str, Any] = to_jsonable_python(found)
    return out
