"""Focus-review judgements: a follow-up's answer written back to the original finding.

Apart from services.lifecycle so that services.reviews (whose record_answer calls the
hook) and services.lifecycle (which imports reviews) do not import each other.
"""

from __future__ import annotations

from datetime import date

from inspector_app.domain.enums import AnswerValue, FindingStatus
from inspector_app.domain.keys import parse_key
from inspector_app.store.models import ChecklistResponse, Finding, Review

from .errors import Invalid
from .uow import UnitOfWork


def _judged_on(focus: Review) -> date:
    return focus.end_date or focus.start_date or date.today()


def apply_judgement(uow: UnitOfWork, focus: Review, item_key: str, value: str | None,
                    note: str) -> Finding:  # fmt: skip
    """Write a focus review's judgement back to the original finding (inside `uow`).

    The original review is final; this is not an amendment of it (the follow-up fields
    are outside its content hash, see domain.content_hash), so ensure_editable is not
    asked of it.
    """
    finding_id = parse_key(item_key) or item_key
    finding = uow.get(Finding, finding_id, "finding")
    if finding.review_id != focus.parent_review_id:
        raise Invalid("item_key", f"finding F-{finding.number} is not one this review follows up")
    old = finding.status
    if value is None:
        if finding.resolved_by_review_id == focus.id:
            finding.status, finding.resolution = FindingStatus.OPEN, ""
            finding.resolved_on, finding.resolved_by_review_id = None, None
    else:
        finding.status = (
            FindingStatus.RESOLVED if value == AnswerValue.RESOLVED else FindingStatus.UNRESOLVED
        )
        finding.resolution = note
        finding.resolved_on = _judged_on(focus) if value == "resolved" else None
        finding.resolved_by_review_id = focus.id
    uow.save(finding, review_id=finding.review_id)
    uow.audit("finding", finding.id, review_id=finding.review_id, focus_review_id=focus.id,
              old=old, new=finding.status, note=note)  # fmt: skip
    return finding


def propagate_judgement(uow: UnitOfWork, focus: Review, response: ChecklistResponse) -> None:
    """The hook services.reviews.record_answer calls for focus reviews."""
    apply_judgement(uow, focus, response.item_key, response.value, response.note)
