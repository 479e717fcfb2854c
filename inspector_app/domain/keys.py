"""Item keys that are not a form's own: the one spelling of a focus review's items.

A focus review's checklist answers judge the findings of the inspection it follows up;
each answer is stored under the key "finding:<finding id>" (checklist_response.item_key).
"""

from __future__ import annotations

FINDING_PREFIX = "finding:"


def finding_key(finding_id: str) -> str:
    """The item key of a focus review's judgement of this finding."""
    return f"{FINDING_PREFIX}{finding_id}"


def parse_key(item_key: str) -> str | None:
    """The finding id of a focus-review item key; None for a form item's key."""
    if item_key.startswith(FINDING_PREFIX):
        return item_key.removeprefix(FINDING_PREFIX)
    return None
