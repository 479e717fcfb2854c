"""The content hash that locks a finalized review.

SHA-256 over a canonical serialization: JSON with sorted keys, no whitespace, dates as
ISO strings, every list sorted by a stable key. The input is plain dicts (loaded by
services.lifecycle), so the same content always gives the same hash on any machine.

What is hashed is what the report states: the review's own fields, its answers, its
interviews and their answers, its findings and its attachments (their SHA-256, name and,
from version 2, caption). What is NOT hashed, on purpose:
- sync bookkeeping (rev, updated_at, updated_by, device_id): it changes when a row is
  synced or touched, not when its content does;
- the review's status, content_hash and finalized_* fields: they are the lock itself;
- a finding's follow-up fields (status, resolution, resolved_on, resolved_by_review_id,
  disputed, dispute_note): a later focus review or the program office records them on
  a locked review. They are events after the report, not amendments of it, and they
  have their own audit trail.
- attachments of corrective actions and requested documents: they arrive after (or
  before) the review and belong to the follow-up, not to the report.

Versions: the rules are versioned (HASH_VERSION, part of the hashed content). Version 1
left attachment captions out; version 2 (the current one) hashes them. A review keeps
the version it was finalized with (services.lifecycle records it beside the part
hashes), so an old final review still verifies under the rules it was locked with.
The attachment *files* are not hashed here: their names are their SHA-256, and verify
re-reads each file against its name.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any

HASH_VERSION = 2
HASH_VERSIONS = (1, 2)  # every version verify still knows, oldest first

REVIEW_FIELDS = (
    "id", "agency_id", "agreement_id", "kind", "mode", "form_id", "form_version", "team",
    "lead_inspector", "planned_start", "planned_end", "start_date", "end_date", "due_date",
    "parent_review_id", "summary", "revision",
)  # fmt: skip
ANSWER_FIELDS = ("item_key", "value", "note")
INTERVIEW_FIELDS = (
    "id", "form_id", "form_version", "interviewee_role", "officer_id", "interviewee_name",
    "interviewer", "conducted_on", "completed",
)  # fmt: skip
INTERVIEW_ANSWER_FIELDS = ("question_key", "value", "note")
FINDING_FIELDS = (
    "id", "number", "kind", "topic", "responsible", "item_key", "interview_answer_id",
    "citation", "description", "evidence",
)  # fmt: skip
_ATTACHMENT_FIELDS_V1 = ("sha256", "filename", "item_key", "finding_id", "interview_answer_id")
ATTACHMENT_FIELDS_BY_VERSION = {1: _ATTACHMENT_FIELDS_V1, 2: (*_ATTACHMENT_FIELDS_V1, "caption")}
ATTACHMENT_FIELDS = ATTACHMENT_FIELDS_BY_VERSION[HASH_VERSION]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "value") and isinstance(getattr(value, "value", None), str):
        return value.value  # an enum member
    return value


def _pick(row: Mapping[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    return {f: _plain(row.get(f)) for f in fields}


def _key_part(value: Any) -> tuple[int, int, str]:
    if isinstance(value, int) and not isinstance(value, bool):
        return (1, value, "")
    return (0, 0, "") if value is None else (2, 0, str(value))


def _sort_key(*names: str) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    # Ties on these keys fall back to the whole serialized row, so order never depends
    # on the order rows came out of the database.
    return lambda d: (*(_key_part(d.get(n)) for n in names), canonical_json(d))


def review_content(
    review: Mapping[str, Any],
    answers: Iterable[Mapping[str, Any]],
    interviews: Iterable[tuple[Mapping[str, Any], Iterable[Mapping[str, Any]]]],
    findings: Iterable[Mapping[str, Any]],
    attachments: Iterable[Mapping[str, Any]],
    *,
    version: int = HASH_VERSION,
) -> dict[str, Any]:
    """The canonical content of a review, from plain dicts of its rows, under the rules
    of `version` (the current one unless an old final review is being verified)."""
    if version not in ATTACHMENT_FIELDS_BY_VERSION:
        raise ValueError(f"unknown content hash version {version!r}")
    attachment_fields = ATTACHMENT_FIELDS_BY_VERSION[version]
    return {
        "version": version,
        "review": _pick(review, REVIEW_FIELDS),
        "answers": sorted((_pick(a, ANSWER_FIELDS) for a in answers), key=_sort_key("item_key")),
        "interviews": sorted(
            (
                {
                    **_pick(i, INTERVIEW_FIELDS),
                    "answers": sorted(
                        (_pick(a, INTERVIEW_ANSWER_FIELDS) for a in ans),
                        key=_sort_key("question_key"),
                    ),
                }
                for i, ans in interviews
            ),
            key=_sort_key("id"),
        ),
        "findings": sorted(
            (_pick(f, FINDING_FIELDS) for f in findings), key=_sort_key("number", "id")
        ),
        "attachments": sorted(
            (_pick(a, attachment_fields) for a in attachments),
            key=_sort_key("sha256", "filename", "item_key", "finding_id"),
        ),
    }


def canonical_json(content: Mapping[str, Any]) -> str:
    return json.dumps(_plain(content), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(content: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical serialization."""
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def _short(obj: Any) -> str:
    return hashlib.sha256(canonical_json({"x": obj}).encode("utf-8")).hexdigest()[:16]


def part_hashes(content: Mapping[str, Any]) -> dict[str, str]:
    """Short hashes of each part (the review, each answer, interview, finding, attachment),
    kept beside the full hash so that verify can say *what* changed, not only that
    something did."""
    parts = {"review": _short(content["review"])}
    for a in content["answers"]:
        parts[f"answer {a['item_key']}"] = _short(a)
    for i in content["interviews"]:
        parts[f"interview {i['interviewee_name'] or i['id'][:8]}"] = _short(i)
    for f in content["findings"]:
        parts[f"finding F-{f['number']}"] = _short(f)
    for a in content["attachments"]:
        parts[f"attachment {a['filename']} ({a['sha256'][:8]})"] = _short(a)
    return parts


def diff_parts(stored: Mapping[str, str], current: Mapping[str, str]) -> list[str]:
    """Human-readable differences between two part_hashes() results."""
    out = [f"{k} changed" for k in sorted(stored) if k in current and stored[k] != current[k]]
    out += [f"{k} removed" for k in sorted(stored) if k not in current]
    out += [f"{k} added" for k in sorted(current) if k not in stored]
    return out
