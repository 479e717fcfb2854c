"""The program's vocabulary as enums (values are what the database and files store)."""

from __future__ import annotations

from enum import StrEnum


class Labelled(StrEnum):
    """A StrEnum whose `.label` (what a person reads) comes from domain.labels, the one
    table of labels the workspace, the reports and the exports share."""

    @property
    def label(self) -> str:
        from .labels import label

        return label(self)


class ProgramModel(Labelled):
    JEM = "JEM"  # Jail Enforcement Model
    WSO = "WSO"  # Warrant Service Officer model


class ReviewKind(Labelled):
    JEM_INSPECTION = "jem_inspection"
    WSO_REVIEW = "wso_review"
    FOCUS_REVIEW = "focus_review"


class ReviewMode(Labelled):
    SITE_VISIT = "site_visit"
    DESK_REVIEW = "desk_review"


class ReviewStatus(Labelled):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    REPORT_DRAFT = "report_draft"
    FINAL = "final"


class FindingKind(Labelled):
    DEFICIENCY = "deficiency"
    AREA_OF_CONCERN = "area_of_concern"
    BEST_PRACTICE = "best_practice"

    @property
    def definition(self) -> str:
        return FINDING_KIND_DEFINITIONS[self]

    @property
    def counts_toward_follow_up(self) -> bool:
        return self is not FindingKind.BEST_PRACTICE


# Definitions as OPR uses them (DOMAIN.md, GAO-21-186).
FINDING_KIND_DEFINITIONS = {
    FindingKind.DEFICIENCY: (
        "A violation of written policy linked to the terms of the MOA, "
        "ICE policy, or operational procedure."
    ),
    FindingKind.AREA_OF_CONCERN: (
        "An issue that reduces the effectiveness of 287(g) operations "
        "but does not violate the MOA or written policy."
    ),
    FindingKind.BEST_PRACTICE: (
        "A positive program-specific practice that fosters compliance with the MOA."
    ),
}


class ResponsibleParty(Labelled):
    LEA = "lea"  # the law enforcement agency: its officers or its jail
    ICE = "ice"  # ICE's own field office / supervisors
    BOTH = "both"  # ICE and the LEA failed together (GAO table 3: steering committee, ...)


class FindingStatus(Labelled):
    OPEN = "open"
    RESOLVED = "resolved"  # judged resolved by a focus review (or closed out)
    UNRESOLVED = "unresolved"  # judged unresolved by a focus review


class AgreementStatus(Labelled):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"


class OfficerStatus(Labelled):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


class TrainingKind(Labelled):
    INITIAL_COURSE = "initial_course"  # JEM: 4-week course at FLETC Charleston
    ANNUAL_ONLINE = "annual_online"  # JEM: yearly online training (PALMS)
    REFRESHER = "refresher"  # JEM: 1-week refresher every 2 years
    WSO_COURSE = "wso_course"  # WSO: about one day (hours recorded)


class IntervieweeRole(Labelled):
    OFFICER = "officer"  # a designated officer (JEM) or warrant service officer (WSO)
    FIELD_OFFICE_LEADERSHIP = "field_office_leadership"
    LEA_LEADERSHIP = "lea_leadership"
    DETAINEE = "detainee"


class ActionStatus(Labelled):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class ReportKind(Labelled):
    INSPECTION = "inspection"
    FOCUS_REVIEW = "focus_review"
    REQUEST_FORM = "request_form"
    CLOSEOUT = "closeout"
    ANNUAL = "annual"
    WSO_SUMMARY = "wso_summary"


class AnswerType(Labelled):
    """How a checklist item or interview question is answered."""

    YES_NO_NA = "yes_no_na"
    YES_NO = "yes_no"
    UNDERSTANDING = (
        "understanding"  # interviewer's judgement: understood / partial / not_understood
    )
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    CHOICE = "choice"
    OFFICER = "officer"  # pick one of the agency's designated officers
    PHOTO = "photo"  # the answer is one or more attachments


class AnswerValue(Labelled):
    """The stored value of an enumerated answer (checklist items, interview questions,
    a focus review's judgement of an earlier finding). Free answers (text, number, date,
    choice, officer, photo) are stored as they are typed."""

    YES = "yes"
    NO = "no"
    NA = "na"
    UNDERSTOOD = "understood"
    PARTIAL = "partial"
    NOT_UNDERSTOOD = "not_understood"
    RESOLVED = "resolved"  # focus review: the earlier finding is resolved
    UNRESOLVED = "unresolved"
