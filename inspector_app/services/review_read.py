"""The review workspace's read on open: what it shows, and nothing more.

`review_views.review_data` reads everything about a review (the reports need it all);
the workspace needs less, and its bulk, the checklist's answers (300 on a big JEM
inspection), only as (id, item, value, note, revision). Those are read with SQL on the
session's connection into small `Response` rows instead of detached SQLModel objects:
building 300 of those was a quarter of opening the workspace (bench/open_review.py).
The few other rows (review, agency, findings, attachments, interviews) stay records,
read as `store.queries.load_review_detached` reads them. Not read: the agreement,
corrective actions and the information request, which the workspace does not show.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from inspector_app.store.database import Database
from inspector_app.store.models import (
    Agency,
    Attachment,
    FieldOffice,
    Finding,
    Interview,
    InterviewAnswer,
    Officer,
    Review,
)
from inspector_app.store.queries import InterviewData, live_detached

_RESPONSES = (
    "SELECT id, item_key, value, note, rev FROM checklist_response "
    "WHERE review_id = ? AND deleted = 0"
)


@dataclass(slots=True)
class Response:
    """A checklist answer as the workspace keeps it (a live row: never deleted)."""

    id: str
    item_key: str
    value: str | None
    note: str
    rev: int

    @classmethod
    def of(cls, row: Any) -> Response:  # noqa: ANN401 - a ChecklistResponse (or a Response)
        return cls(row.id, row.item_key, row.value, row.note, row.rev)


@dataclass
class WorkspaceReview:
    """The review as the workspace shows it (the fields are ReviewData's)."""

    review: Review
    agency: Agency
    field_office: FieldOffice | None
    responses: dict[str, Response]
    findings: list[Finding]
    interviews: list[InterviewData]
    attachments: list[Attachment]
    parent: Review | None = None
    parent_findings: list[Finding] = field(default_factory=list)


def _one(rows: list[Any]) -> Any:  # noqa: ANN401
    return rows[0] if rows else None


def workspace_review(db: Database, review_id: str) -> tuple[WorkspaceReview | None, list[Officer]]:
    """The review (None if gone) and its agency's live officers, in one read session."""
    with db.read() as s:
        review: Review | None = _one(live_detached(s, Review, "id", review_id))
        if review is None:
            return None, []
        agency: Agency | None = _one(live_detached(s, Agency, "id", review.agency_id))
        assert agency is not None, "a review's agency_id is a foreign key"
        office = agency.field_office_id
        field_office = _one(live_detached(s, FieldOffice, "id", office)) if office else None
        rows = s.connection().exec_driver_sql(_RESPONSES, (review.id,)).all()
        responses = {key: Response(rid, key, value, note, rev)
                     for rid, key, value, note, rev in rows}  # fmt: skip
        findings = sorted(live_detached(s, Finding, "review_id", review.id),
                          key=lambda f: f.number)  # fmt: skip
        # the same order as load_review's
        interviews = sorted(live_detached(s, Interview, "review_id", review.id),
                            key=lambda i: (i.conducted_on or review.start_date,
                                           i.interviewee_name))  # fmt: skip
        answers: dict[str, dict[str, InterviewAnswer]] = defaultdict(dict)
        if interviews:
            for a in live_detached(s, InterviewAnswer, "interview_id",
                                   [i.id for i in interviews]):  # fmt: skip
                answers[a.interview_id][a.question_key] = a
        officers = live_detached(s, Officer, "agency_id", review.agency_id)
        attachments = live_detached(s, Attachment, "review_id", review.id)
        parent_id = review.parent_review_id
        parent: Review | None = (
            _one(live_detached(s, Review, "id", parent_id)) if parent_id else None
        )
        parent_findings = (
            sorted(live_detached(s, Finding, "review_id", parent.id), key=lambda f: f.number)
            if parent else []
        )  # fmt: skip
    by_id = {o.id: o for o in officers}
    return WorkspaceReview(
        review=review, agency=agency, field_office=field_office, responses=responses,
        findings=findings,
        interviews=[InterviewData(i, answers.get(i.id, {}), by_id.get(i.officer_id or ""))
                    for i in interviews],
        attachments=attachments, parent=parent, parent_findings=parent_findings,
    ), officers  # fmt: skip
