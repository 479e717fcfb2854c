"""The program's vocabulary as enums (values are what the database and files store)."""

from __future__ import annotations

from enum import StrEnum


class ProgramModel(StrEnum):
    JEM = "JEM"  # Jail Enforcement Model
    WSO = "WSO"  # Warrant Service Officer model


class ReviewKind(StrEnum):
    JEM_INSPECTION = "jem_inspection"
    WSO_REVIEW = "wso_review"
    FOCUS_REVIEW = "focus_review"

    @property
    def label(self) -> str:
        return {
            "jem_inspection": "JEM inspection",
            "wso_review": "WSO internal oversight review",
            "focus_review": "Focus review",
        }[self.value]


class ReviewMode(StrEnum):
    SITE_VISIT = "site_visit"
    DESK_REVIEW = "desk_review"

    @property
    def label(self) -> str:
        return "Site visit" if self is ReviewMode.SITE_VISIT else "Desk review"


class ReviewStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    REPORT_DRAFT = "report_draft"
    FINAL = "final"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class FindingKind(StrEnum):
    DEFICIENCY = "deficiency"
    AREA_OF_CONCERN = "area_of_concern"
    BEST_PRACTICE = "best_practice"

    @property
    def label(self) -> str:
        return FINDING_KIND_LABELS[self]

    @property
    def definition(self) -> str:
        return FINDING_KIND_DEFINITIONS[self]

    @property
    def counts_toward_follow_up(self) -> bool:
        return self is not FindingKind.BEST_PRACTICE


FINDING_KIND_LABELS = {
    FindingKind.DEFICIENCY: "Deficiency",
    FindingKind.AREA_OF_CONCERN: "Area of concern",
    FindingKind.BEST_PRACTICE: "Best practice",
}

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


class ResponsibleParty(StrEnum):
    LEA = "lea"  # the law enforcement agency: its officers or its jail
    ICE = "ice"  # ICE's own field office / supervisors

    @property
    def label(self) -> str:
        return "LEA" if self is ResponsibleParty.LEA else "ICE"


class FindingStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"  # judged resolved by a focus review (or closed out)
    UNRESOLVED = "unresolved"  # judged unresolved by a focus review


class AgreementStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"


class OfficerStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


class TrainingKind(StrEnum):
    INITIAL_COURSE = "initial_course"  # JEM: 4-week course at FLETC Charleston
    ANNUAL_ONLINE = "annual_online"  # JEM: yearly online training (PALMS)
    REFRESHER = "refresher"  # JEM: 1-week refresher every 2 years
    WSO_COURSE = "wso_course"  # WSO: about one day (hours recorded)

    @property
    def label(self) -> str:
        return {
            "initial_course": "Initial course",
            "annual_online": "Annual online training",
            "refresher": "Biennial refresher",
            "wso_course": "WSO course",
        }[self.value]


class IntervieweeRole(StrEnum):
    OFFICER = "officer"  # a designated officer (JEM) or warrant service officer (WSO)
    FIELD_OFFICE_LEADERSHIP = "field_office_leadership"
    LEA_LEADERSHIP = "lea_leadership"
    DETAINEE = "detainee"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class ActionStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class ReportKind(StrEnum):
    INSPECTION = "inspection"
    FOCUS_REVIEW = "focus_review"
    REQUEST_FORM = "request_form"
    CLOSEOUT = "closeout"
    ANNUAL = "annual"
    WSO_SUMMARY = "wso_summary"


class AnswerType(StrEnum):
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
