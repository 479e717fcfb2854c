"""What a person reads for each stored value: the one table of labels.

The workspace, the reports, the exports and the finalize lists all print labels from
here (`label(member)`, or `member.label`, which is the same), so one answer reads the
same on screen and on paper. A member without an entry reads as its value, spaced
and capitalised ("in_progress" -> "In progress").
"""

from __future__ import annotations

from enum import StrEnum

from .enums import (
    AnswerType,
    AnswerValue,
    FindingKind,
    IntervieweeRole,
    ProgramModel,
    ReportKind,
    ResponsibleParty,
    ReviewKind,
    ReviewMode,
    TrainingKind,
)

_TABLE: tuple[tuple[StrEnum, str], ...] = (
    (ProgramModel.JEM, "JEM"),
    (ProgramModel.WSO, "WSO"),
    (IntervieweeRole.OFFICER, "Officer"),
    (IntervieweeRole.FIELD_OFFICE_LEADERSHIP, "ICE field office leadership"),
    (IntervieweeRole.LEA_LEADERSHIP, "LEA leadership"),
    (IntervieweeRole.DETAINEE, "Detainee"),
    (AnswerType.YES_NO_NA, "Yes / No / N/A"),
    (AnswerType.YES_NO, "Yes / No"),
    (ReviewKind.JEM_INSPECTION, "JEM inspection"),
    (ReviewKind.WSO_REVIEW, "WSO internal oversight review"),
    (ReviewKind.FOCUS_REVIEW, "Focus review"),
    (ReviewMode.SITE_VISIT, "Site visit"),
    (ReviewMode.DESK_REVIEW, "Desk review"),
    (FindingKind.DEFICIENCY, "Deficiency"),
    (FindingKind.AREA_OF_CONCERN, "Area of concern"),
    (FindingKind.BEST_PRACTICE, "Best practice"),
    (ResponsibleParty.LEA, "LEA"),
    (ResponsibleParty.ICE, "ICE"),
    (TrainingKind.INITIAL_COURSE, "Initial course"),
    (TrainingKind.ANNUAL_ONLINE, "Annual online training"),
    (TrainingKind.REFRESHER, "Biennial refresher"),
    (TrainingKind.WSO_COURSE, "WSO course"),
    (ReportKind.INSPECTION, "Inspection report"),
    (ReportKind.FOCUS_REVIEW, "Focus review report"),
    (ReportKind.REQUEST_FORM, "Review request form"),
    (ReportKind.CLOSEOUT, "Closeout memo"),
    (ReportKind.ANNUAL, "Annual program report"),
    (ReportKind.WSO_SUMMARY, "Annual WSO summary"),
    (AnswerValue.YES, "Yes"),
    (AnswerValue.NO, "No"),
    (AnswerValue.NA, "N/A"),
    (AnswerValue.UNDERSTOOD, "Understood"),
    # "Partly understood", not "Partial": it reads on its own in a report's table and
    # says what is partial.
    (AnswerValue.PARTIAL, "Partly understood"),
    (AnswerValue.NOT_UNDERSTOOD, "Not understood"),
    (AnswerValue.RESOLVED, "Resolved"),
    (AnswerValue.UNRESOLVED, "Unresolved"),
)


# Keyed by (enum class, value): StrEnum members hash and compare as their strings, so
# ReviewKind.FOCUS_REVIEW and ReportKind.FOCUS_REVIEW ("focus_review") would be one
# key of a plain dict, and the later entry would label both.
LABELS: dict[tuple[type[StrEnum], str], str] = {
    (type(member), member.value): text for member, text in _TABLE
}
assert len(LABELS) == len(_TABLE), "two entries of _TABLE collapsed into one key"


def label(member: StrEnum) -> str:
    """The label of an enum member."""
    text = LABELS.get((type(member), member.value))
    return text if text is not None else member.value.replace("_", " ").capitalize()


def answer_label(value: str | None) -> str:
    """The label of a stored answer: an enumerated value's label, any other answer (a
    text, a number, a date, a choice) as it was typed; "" for no answer."""
    if value is None:
        return ""
    try:
        return label(AnswerValue(value))
    except ValueError:
        return value
