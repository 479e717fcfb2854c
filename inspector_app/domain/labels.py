"""What a person reads for each stored value: the one table of labels.

The workspace, the reports, the exports and the finalize lists all print labels from
here (`label(member)`, or `member.label`, which is the same), so one answer reads the
same on screen and on paper. A member without an entry reads as its value, spaced
and capitalised ("in_progress" -> "In progress").

The table is keyed by the enum's class name and the stored value, not by members:
StrEnum members hash and compare as their strings, so ReviewKind.FOCUS_REVIEW and
ReportKind.FOCUS_REVIEW ("focus_review") would be one key of a dict of members. It
also keeps this module free of imports from enums.py, which uses it for `.label`.
tests/unit/test_typed_values.py checks that every entry names a real member.
"""

from __future__ import annotations

from enum import StrEnum

_TABLE: dict[str, dict[str, str]] = {
    "ProgramModel": {
        "JEM": "JEM",
        "WSO": "WSO",
    },
    "IntervieweeRole": {
        "officer": "Officer",
        "field_office_leadership": "ICE field office leadership",
        "lea_leadership": "LEA leadership",
        "detainee": "Detainee",
    },
    "AnswerType": {
        "yes_no_na": "Yes / No / N/A",
        "yes_no": "Yes / No",
    },
    "ReviewKind": {
        "jem_inspection": "JEM inspection",
        "wso_review": "WSO internal oversight review",
        "focus_review": "Focus review",
    },
    "ReviewMode": {
        "site_visit": "Site visit",
        "desk_review": "Desk review",
    },
    "FindingKind": {
        "deficiency": "Deficiency",
        "area_of_concern": "Area of concern",
        "best_practice": "Best practice",
    },
    "ResponsibleParty": {
        "lea": "LEA",
        "ice": "ICE",
        "both": "ICE and LEA",
    },
    "TrainingKind": {
        "initial_course": "Initial course",
        "annual_online": "Annual online training",
        "refresher": "Biennial refresher",
        "wso_course": "WSO course",
    },
    "ReportKind": {
        "inspection": "Inspection report",
        "focus_review": "Focus review report",
        "request_form": "Review request form",
        "closeout": "Closeout memo",
        "annual": "Annual program report",
        "wso_summary": "Annual WSO summary",
    },
    "AnswerValue": {
        "yes": "Yes",
        "no": "No",
        "na": "N/A",
        "understood": "Understood",
        # "Partly understood", not "Partial": it reads on its own in a report's table and
        # says what is partial.
        "partial": "Partly understood",
        "not_understood": "Not understood",
        "resolved": "Resolved",
        "unresolved": "Unresolved",
    },
}


def label(member: StrEnum) -> str:
    """The label of an enum member."""
    text = _TABLE.get(type(member).__name__, {}).get(member.value)
    return text if text is not None else member.value.replace("_", " ").capitalize()


def answer_label(value: str | None) -> str:
    """The label of a stored answer: an enumerated value's label, any other answer (a
    text, a number, a date, a choice) as it was typed; "" for no answer."""
    if value is None:
        return ""
    return _TABLE["AnswerValue"].get(value, value)


def table() -> dict[str, dict[str, str]]:
    """Every entry, by enum class name and stored value (for checks)."""
    return {name: dict(entries) for name, entries in _TABLE.items()}
