"""Checks shared by the record services (field offices, agencies, agreements, officers,
training) and the roster import: every refusal is one line naming the field(s)."""

from __future__ import annotations

import re
from datetime import date

from inspector_app.domain.enums import ProgramModel, TrainingKind

from .errors import Invalid

# The first 287(g) agreement was signed in 2002; the WSO model began in April 2019
# (DOMAIN.md). A date before these is a typing mistake.
PROGRAM_START = date(2002, 1, 1)
WSO_START = date(2019, 4, 1)
MODEL_START = {ProgramModel.JEM: PROGRAM_START, ProgramModel.WSO: WSO_START}

# The courses of each program (DOMAIN.md: JEM initial course, annual online training,
# refresher every 2 years; WSO about one day of training).
COURSES_OF_MODEL = {
    ProgramModel.JEM: (TrainingKind.INITIAL_COURSE, TrainingKind.ANNUAL_ONLINE,
                       TrainingKind.REFRESHER),
    ProgramModel.WSO: (TrainingKind.WSO_COURSE,),
}  # fmt: skip
MAX_TRAINING_HOURS = 200.0  # the 4-week JEM initial course is about 160

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def require(**values: str | None) -> None:
    """Refuse in one line naming every required field left empty ("code, name: required")."""
    missing = [name for name, value in values.items() if not (value or "").strip()]
    if missing:
        raise Invalid(", ".join(missing), "required")


def email(value: str, field: str) -> str:
    text = value.strip()
    if text and not _EMAIL.match(text):
        raise Invalid(field, f"{text!r} is not an e-mail address (name@example.gov)")
    return text


def sane_date(day: date, field: str, *, earliest: date = PROGRAM_START,
              today: date | None = None, what: str = "the 287(g) program") -> date:  # fmt: skip
    """A date of the program's past: not after today, not before `earliest`."""
    today = today or date.today()
    if day > today:
        raise Invalid(field, f"{day.isoformat()} is in the future")
    if day < earliest:
        raise Invalid(field, f"{day.isoformat()} is before {what} began ({earliest.isoformat()})")
    return day


def course_of_model(kind: TrainingKind, model: str, field: str = "kind") -> TrainingKind:
    courses = COURSES_OF_MODEL.get(ProgramModel(model), ())
    if kind not in courses:
        names = ", ".join(c.value for c in courses)
        raise Invalid(field, f"{kind.value!r} is not a {model} course (one of {names})")
    return kind


def training_hours(hours: object, field: str = "hours") -> float | None:
    if hours is None or hours == "":
        return None
    try:
        value = float(hours)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise Invalid(field, f"{hours!r} is not a number of hours") from None
    if not 0 < value <= MAX_TRAINING_HOURS:
        raise Invalid(field, f"{value:g} is not a plausible number of hours (0-200)")
    return value
