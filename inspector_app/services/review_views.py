"""Reads for the review screens (lists, the workspace, the finding editor, dialogs).

Each function opens one read session and returns plain rows or detached records; the
UI never opens a session itself. The record types are re-exported here for type hints
so the UI needs no import from `store`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from inspector_app.domain.training import TrainingStatus
from inspector_app.store.database import Database
from inspector_app.store.models import (
    Agency,
    Agreement,
    Attachment,
    ChecklistResponse,
    Finding,
    InterviewAnswer,
    Officer,
    Review,
    TrainingRecord,
)
from inspector_app.store.queries import (
    InterviewData,
    ReviewData,
    ReviewRow,
    get_live,
    list_reviews,
    live,
    load_review_detached,
)

from .lifecycle import officer_training_status

# Re-exported for the UI's type hints (it does not import `store.models`).
__all__ = ["Attachment", "Finding", "InterviewData", "Officer", "Review", "ReviewData",
           "ReviewRow"]  # fmt: skip


def review_rows(db: Database, *, agency_id: str | None = None) -> list[ReviewRow]:
    """Every live review with its agency and finding counts (one agency's, if given)."""
    with db.read() as s:
        return list_reviews(s, agency_id=agency_id)


def review(db: Database, review_id: str | None) -> Review | None:
    with db.read() as s:
        return get_live(s, Review, review_id)


def review_data(db: Database, review_id: str) -> ReviewData | None:
    """The whole review, read only (detached rows read without the ORM's overhead)."""
    with db.read() as s:
        return load_review_detached(s, review_id)


def review_findings(db: Database, review_id: str) -> list[Finding]:
    with db.read() as s:
        return sorted(live(s, Finding, Finding.review_id == review_id), key=lambda f: f.number)


def review_attachments(db: Database, review_id: str) -> list[Attachment]:
    with db.read() as s:
        return live(s, Attachment, Attachment.review_id == review_id)


def checklist_response(db: Database, response_id: str) -> ChecklistResponse | None:
    """One answer as stored (deleted ones too: the workspace clears them)."""
    with db.read() as s:
        return s.get(ChecklistResponse, response_id)


def interview_answer(db: Database, answer_id: str) -> InterviewAnswer | None:
    with db.read() as s:
        return s.get(InterviewAnswer, answer_id)


def finding(db: Database, finding_id: str | None) -> Finding | None:
    with db.read() as s:
        return get_live(s, Finding, finding_id)


def finding_attachments(db: Database, finding_id: str) -> list[Attachment]:
    with db.read() as s:
        return live(s, Attachment, Attachment.finding_id == finding_id)


def attachment_record(filename: str, size: int) -> Attachment:
    """An unsaved attachment to list a file chosen for a finding not yet saved."""
    return Attachment(sha256="", filename=filename, size=size)


def agencies_and_agreements(db: Database) -> tuple[list[Agency], list[Agreement]]:
    """For the New review dialog: agencies by name, and every live agreement."""
    with db.read() as s:
        agencies = sorted(live(s, Agency), key=lambda a: (a.name, a.state))
        return agencies, live(s, Agreement)


def officer_with_training(
    db: Database, officer_id: str, today: date
) -> tuple[Officer | None, TrainingStatus | None]:
    """An officer and their training status on `today` (None, None if gone)."""
    with db.read() as s:
        officer = get_live(s, Officer, officer_id)
        records = live(s, TrainingRecord, TrainingRecord.officer_id == officer_id)
    if officer is None:
        return None, None
    return officer, officer_training_status(officer, records, today)


def officer(db: Database, officer_id: str) -> Officer | None:
    with db.read() as s:
        return get_live(s, Officer, officer_id)


# --- the findings list -----------------------------------------------------------------


@dataclass(frozen=True)
class ReviewFinding:
    """A finding with the review row it belongs to (the findings list builds on it)."""

    finding: Finding
    review: ReviewRow


def review_findings_all(db: Database) -> list[ReviewFinding]:
    """Every live finding of a live review."""
    with db.read() as s:
        reviews = {r.review.id: r for r in list_reviews(s)}
        findings = live(s, Finding)
    return [ReviewFinding(f, reviews[f.review_id]) for f in findings if f.review_id in reviews]
