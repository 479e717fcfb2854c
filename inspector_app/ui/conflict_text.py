"""What a person reads for a sync conflict and for the sync status: plain functions,
testable without Qt.

Conflict values arrive as JSON (services.sync.ConflictRow): dates and times as ISO
strings, enums as their stored values, a whole change ("*" field, or the change a
deleted row received) as a dict of columns. Each reads here as it does elsewhere in
the app: labels from domain.labels, dates as ISO days, times in local time, a dict as
one "Column: value" line per column.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from inspector_app.domain.enums import (
    ActionStatus,
    AgreementStatus,
    AnswerValue,
    FindingKind,
    FindingStatus,
    IntervieweeRole,
    Labelled,
    OfficerStatus,
    ProgramModel,
    ReportKind,
    ResponsibleParty,
    ReviewKind,
    ReviewMode,
    ReviewStatus,
    TrainingKind,
)
from inspector_app.domain.sync import SYNC_FIELDS

EMPTY = "(empty)"

# (table, column) -> the enum its values belong to; table "" for any table.
ENUM_COLUMNS: dict[tuple[str, str], type[Labelled]] = {
    ("", "value"): AnswerValue,
    ("", "model"): ProgramModel,
    ("", "responsible_party"): ResponsibleParty,
    ("", "interviewee_role"): IntervieweeRole,
    ("", "mode"): ReviewMode,
    ("review", "kind"): ReviewKind,
    ("review", "status"): ReviewStatus,
    ("finding", "kind"): FindingKind,
    ("finding", "status"): FindingStatus,
    ("agreement", "status"): AgreementStatus,
    ("officer", "status"): OfficerStatus,
    ("corrective_action", "status"): ActionStatus,
    ("training_record", "kind"): TrainingKind,
    ("report_artifact", "kind"): ReportKind,
}

REASONS = {
    "same field": "Changed on both sides",
    "deleted": "Deleted on the server",
    "edited": "Deleted on their laptop",
    "final": "Review is final",
}

EXPLANATIONS = {
    "same field": "Both changed this since they last synced; the server kept the value it "
    "had and set theirs aside.",
    "deleted": "The row was deleted on the server; their laptop changed it meanwhile. "
    "Keeping theirs brings the row back with their change.",
    "edited": "Their laptop deleted the row; it was changed on the server meanwhile. "
    "Keeping theirs deletes it.",
    "final": "Their change arrived after the review was made final, so it was set aside.",
}

FINAL_NOTE = "The review is final: amend it to apply this change"

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def column_label(column: str) -> str:
    """'answered_by' -> 'Answered by'."""
    text = column.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


# Columns whose name says little to an inspector, by table.
_COLUMN_NAMES = {
    ("checklist_response", "value"): "Answer",
    ("interview_answer", "value"): "Answer",
    ("finding", "kind"): "Kind (deficiency, area of concern, best practice)",
}


def field_label(field: str, table: str = "") -> str:
    if (table, field) in _COLUMN_NAMES:
        return _COLUMN_NAMES[(table, field)]
    if field == "*":
        return "Whole change"
    if field == "deleted":
        return "Deleted or kept"
    return column_label(field)


def reason_label(reason: str) -> str:
    return REASONS.get(reason, reason)


def when_text(moment: datetime | None, now: datetime | None = None) -> str:
    """Local time: '10:42' today, '2026-11-02 10:42' another day ('' for None)."""
    if moment is None:
        return ""
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone()
    today = (now or datetime.now().astimezone()).astimezone().date()
    return f"{local:%H:%M}" if local.date() == today else f"{local:%Y-%m-%d %H:%M}"


def _enum_text(value: str, table: str, column: str) -> str | None:
    enum = ENUM_COLUMNS.get((table, column)) or ENUM_COLUMNS.get(("", column))
    if enum is None:
        return None
    try:
        return enum(value).label
    except ValueError:
        return None


def _string(value: str, table: str, column: str) -> str:
    if not value.strip():
        return EMPTY
    label = _enum_text(value, table, column)
    if label is not None:
        return label
    if _DAY.match(value):
        return date.fromisoformat(value).isoformat()
    if _MOMENT.match(value):
        try:
            return f"{datetime.fromisoformat(value).astimezone():%Y-%m-%d %H:%M}"
        except ValueError:
            return value
    return value


def readable(value: Any, table: str = "", column: str = "") -> str:
    """One side of a conflict as a person reads it: the value of `column` of a `table`
    row, a dict of columns as 'Column: value' lines, a deletion as Deleted / Not deleted."""
    if column == "deleted" and isinstance(value, bool):
        return "Deleted" if value else "Not deleted (changed since)"
    return _value(value, table, column)


def _value(value: Any, table: str, column: str) -> str:
    if value is None:
        return EMPTY
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dict):
        lines = [
            f"{column_label(k)}: {_value(v, table, k)}"
            for k, v in value.items()
            if k not in SYNC_FIELDS
        ]
        return "\n".join(lines) or EMPTY
    if isinstance(value, list | tuple):
        return ", ".join(_value(v, table, column) for v in value) or EMPTY
    if isinstance(value, str):
        return _string(value, table, column)
    return str(value)


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def waiting_text(waiting: int) -> str:
    return plural(waiting, "change") + " waiting" if waiting else "nothing waiting"


def last_sync_text(last_success: datetime | None, now: datetime | None = None) -> str:
    return f"Last sync {when_text(last_success, now)}" if last_success else "Never synced"
