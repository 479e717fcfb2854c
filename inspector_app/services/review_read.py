"""The review workspace's read on open: what it shows, and nothing more.

`review_views.review_data` reads everything about a review (the reports need it all);
the workspace needs less, and its bulk, the checklist's answers (300 on a big JEM
inspection), only as (id, item, value, note, revision). Those are read with SQL on the
session's connection into small `Response` rows instead of detached SQLModel objects:
building 300 of those was a quarter of opening the workspace (bench/open_review.py).
The few other rows (review, agency, findings, attachments, interviews, officers) stay
records, read by `store.queries.load_review_shown` (load_review_detached without the
agreement, corrective actions and information request, which the workspace does not
show).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from inspector_app.store.database import Database
from inspector_app.store.models import Agency, Attachment, FieldOffice, Finding, Officer, Review
from inspector_app.store.queries import InterviewData, load_review_shown

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


def workspace_review(db: Database, review_id: str) -> tuple[WorkspaceReview | None, list[Officer]]:
    """The review (None if gone) and its agency's live officers, in one read session."""
    with db.read() as s:
        data = load_review_shown(s, review_id)
        if data is None:
            return None, []
        rows = s.connection().exec_driver_sql(_RESPONSES, (review_id,)).all()
    responses = {key: Response(rid, key, value, note, rev) for rid, key, value, note, rev in rows}
    return WorkspaceReview(
        review=data.review, agency=data.agency, field_office=data.field_office,
        responses=responses, findings=data.findings, interviews=data.interviews,
        attachments=data.attachments, parent=data.parent, parent_findings=data.parent_findings,
    ), data.officers  # fmt: skip
