"""Which field office a row belongs to, and which review it is part of.

field_office -> its own code; agency -> its field office; other rows -> their parent's
office (docs/sync.md, push step 4). A row with no parent link belongs to the office of
whoever writes it.
"""

from __future__ import annotations

from typing import Any

from .rowstore import Key

# The columns that link a row to its parent, in order of preference.
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

# Tables whose rows belong to a review directly (a final review locks their content).
REVIEW_CHILDREN = frozenset(
    {
        "checklist_response",
        "interview",
        "finding",
        "attachment",
        "info_request",
        "report_artifact",
        "approval",
    }
)


def parent_ref(table: str, fields: dict[str, Any]) -> Key | None:
    if table == "sync_conflict":
        about, row_id = fields.get("table_name"), fields.get("row_id")
        return (str(about), str(row_id)) if about and row_id else None
    for column, parent in PARENTS.get(table, ()):
        value = fields.get(column)
        if value:
            return (parent, str(value))
    return None


def review_ref(table: str, fields: dict[str, Any]) -> Key | None:
    """The review a row belongs to, when the row names it itself."""
    if table in REVIEW_CHILDREN and fields.get("review_id"):
        return ("review", str(fields["review_id"]))
    return None
