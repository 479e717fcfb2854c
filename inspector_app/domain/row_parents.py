"""Which row a row hangs from: the field office a synced row belongs to is its parent's.

One table for the laptop (services.sync.outbox: which office's rows may be pushed) and
the server (server.offices: which office a pushed row is filed under), so both sides
agree on whose row is whose (docs/sync.md, "Push, on the server", step 4).
"""

from __future__ import annotations

# table -> the columns naming a parent, tried in order, and the parent's table.
PARENTS: dict[str, tuple[tuple[str, str], ...]] = {
    "agency": (("field_office_id", "field_office"),),
    "agreement": (("agency_id", "agency"),),
    "officer": (("agency_id", "agency"),),
    "review": (("agency_id", "agency"),),
    "training_record": (("officer_id", "officer"),),
    "warrant_count": (("agreement_id", "agreement"),),
    "plan_entry": (("agreement_id", "agreement"),),
    "checklist_response": (("review_id", "review"),),
    "interview": (("review_id", "review"),),
    "finding": (("review_id", "review"),),
    "info_request": (("review_id", "review"),),
    "interview_answer": (("interview_id", "interview"),),
    "corrective_action": (("finding_id", "finding"),),
    "info_request_item": (("request_id", "info_request"),),
    "attachment": (
        ("review_id", "review"),
        ("finding_id", "finding"),
        ("corrective_action_id", "corrective_action"),
        ("request_item_id", "info_request_item"),
        ("interview_answer_id", "interview_answer"),
    ),
    "report_artifact": (("review_id", "review"),),
    "approval": (("review_id", "review"),),
}
