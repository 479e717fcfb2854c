"""Which field office a row belongs to, and which review it is part of.

field_office -> its own code; agency -> its field office; other rows -> their parent's
office (docs/sync.md, push step 4). A row with no parent link belongs to the office of
whoever writes it.
"""

from __future__ import annotations

from typing import Any

from inspector_app.domain.row_parents import PARENTS

from .rowstore import Key

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
