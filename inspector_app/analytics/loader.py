"""Loading the program's reviews and findings into DataFrames for the analytics.

One loader for every figure (summary, measures, annual report, Program view), so the
CLI, the GUI and the PDFs count from the same rows. Loading can be limited to a range
of fiscal years: the SQL then selects only those years' inspections, the focus reviews
that follow them up and their findings, which keeps a one-year summary fast on a
twenty-year history.

Loading can also be narrowed to one field office (`find_field_office`, by its code): the
SQL then selects only the rows of that office's agencies (agency.field_office_id), so
every figure computed from the frames covers that office; `_OFFICE_AGENCIES` is the one
place the restriction is written.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import String, text
from sqlalchemy import column as text_column
from sqlalchemy import select as select_columns
from sqlalchemy.orm import QueryableAttribute
from sqlmodel import Session, col, select

from inspector_app.domain.calendar import FiscalYear
from inspector_app.domain.enums import ReviewKind
from inspector_app.domain.errors import KnownError
from inspector_app.domain.forms.registry import topics_in
from inspector_app.paths import forms_dir
from inspector_app.store.models import (
    Agency,
    Agreement,
    CorrectiveAction,
    FieldOffice,
    Officer,
    TrainingRecord,
    WarrantCount,
)

FOCUS = ReviewKind.FOCUS_REVIEW.value
MODEL_OF_KIND = {ReviewKind.JEM_INSPECTION.value: "JEM", ReviewKind.WSO_REVIEW.value: "WSO"}

REVIEW_COLUMNS = [
    "id", "agency_id", "agreement_id", "kind", "mode", "status", "start_date", "end_date",
    "due_date", "parent_review_id", "source_ref", "agency_name", "state",
]  # fmt: skip
FINDING_COLUMNS = [
    "id", "review_id", "number", "kind", "topic", "responsible", "status",
    "resolved_by_review_id", "resolved_on", "disputed", "description",
]  # fmt: skip


@dataclass(frozen=True)
class FieldOfficeRef:
    """The field office figures are narrowed to: its code (upper case, as matched) and name."""

    code: str
    name: str

    def describe(self) -> str:
        """E.g. "Atlanta field office (ATL)", for report titles."""
        return (
            f"{self.name} field office ({self.code})" if self.name else f"field office {self.code}"
        )


class UnknownFieldOffice(KnownError, LookupError):
    """A --field-office code no field office has; names the codes that exist."""

    def __init__(self, code: str, known: list[str]) -> None:
        self.code, self.known = code, known
        have = (
            f"the codes are {', '.join(known)}"
            if known
            else "this database has no field office codes"
        )
        super().__init__(f"no field office with code {code!r}; {have}")


def field_office_key(code: str) -> str:
    """A field office code as matched: trimmed, upper case ("atl " -> "ATL")."""
    return code.strip().upper()


def find_field_office(session: Session, code: str | None) -> FieldOfficeRef | None:
    """The field office of `code` (case-insensitive), None for None; UnknownFieldOffice if
    no live field office has it."""
    if code is None:
        return None
    key = field_office_key(code)
    rows = session.exec(
        select(FieldOffice.code, FieldOffice.name).where(FieldOffice.deleted == False)  # noqa: E712
    ).all()
    names = sorted({name for c, name in rows if key and field_office_key(c or "") == key})
    if not names:
        known = sorted({field_office_key(c or "") for c, _ in rows} - {""})
        raise UnknownFieldOffice(code, known)
    return FieldOfficeRef(key, " / ".join(names))  # two offices of one code: both count


@dataclass
class ProgramFrames:
    """Reviews (with `model` and `fiscal_year` derived) and their findings.

    A focus review's `fiscal_year` and `model` are those of the inspection it follows
    up: it is counted under that inspection's year.
    """

    reviews: pd.DataFrame
    findings: pd.DataFrame
    topics: list[str] = field(default_factory=list)
    fiscal_years: tuple[int, int] | None = None  # the range loaded; None = everything
    field_office: FieldOfficeRef | None = None  # the office loaded; None = every agency


def default_topics() -> list[str]:
    return list(topics_in(forms_dir()))


# The agencies of one field office, by its code (:office, upper case): the one restriction
# every loader adds when narrowed to a field office. Focus reviews and findings follow
# the inspections selected, the other tables their agency (see _AGENCY_PATH).
_OFFICE_AGENCIES = (
    "SELECT a.id FROM agency a JOIN field_office o ON o.id = a.field_office_id"
    " WHERE +o.deleted = 0 AND upper(trim(o.code)) = :office"
)
_IN_OFFICE = f" AND agency_id IN ({_OFFICE_AGENCIES})"

# The rows are read in plain SQL on the driver connection: a one-year summary is mostly
# this read (bench/summary.py). `+x.deleted` keeps SQLite off the `deleted` index, which
# matches nearly every row: through it a scan costs a b-tree lookup per row, and findings
# are instead found through their review_id index from the selected reviews.
# `{office}` is _IN_OFFICE when narrowed to a field office, else nothing.
_SELECTED = """
WITH insp AS (
    SELECT id FROM review
    WHERE +deleted = 0 AND kind != :focus AND start_date >= :lo AND start_date <= :hi{office}
), selected AS (
    SELECT id FROM insp
    UNION
    SELECT r.id FROM review r
    WHERE +r.deleted = 0 AND r.kind = :focus AND r.parent_review_id IN (SELECT id FROM insp)
)"""
_REVIEWS = """
SELECT r.id, r.agency_id, r.agreement_id, r.kind, r.mode, r.status, r.start_date,
       r.end_date, r.due_date, r.parent_review_id, r.source_ref, a.name, a.state
FROM review r JOIN agency a ON a.id = r.agency_id"""
_FINDINGS = """
SELECT f.id, f.review_id, f.number, f.kind, f.topic, f.responsible, f.status,
       f.resolved_by_review_id, f.resolved_on, f.disputed, f.description
FROM finding f"""
# Rows come in the order they were written (rowid), as the unfiltered scan returns them.
_IN_YEARS = {
    _REVIEWS: " WHERE r.id IN (SELECT id FROM selected) ORDER BY r.rowid",
}
# The findings of the reviews already read, their ids passed as one JSON array (no limit
# on the number of ids, and the year's reviews are not selected a second time).
_FINDINGS_OF = (
    _FINDINGS + " WHERE f.review_id IN (SELECT value FROM json_each(?)) AND +f.deleted = 0"
    " ORDER BY f.rowid"
)
_EVERY = {
    _REVIEWS: " WHERE +r.deleted = 0{office} ORDER BY r.rowid",
    _FINDINGS: " WHERE +f.deleted = 0 ORDER BY f.rowid",
}
_DATES = {"reviews": ("start_date", "end_date", "due_date"), "findings": ("resolved_on",)}


def _rows(session: Session, sql: str, years: tuple[int, int] | None,
          office: FieldOfficeRef | None = None) -> list[tuple[Any, ...]]:  # fmt: skip
    driver = _driver(session)
    params: dict[str, str] = {"office": office.code} if office else {}
    if years is None:
        narrow = _IN_OFFICE.replace("agency_id", "r.agency_id", 1) if office else ""
        return driver.execute(sql + _EVERY[sql].format(office=narrow), params).fetchall()
    lo, hi = FiscalYear(years[0]).start, FiscalYear(years[1]).end
    params |= {"focus": FOCUS, "lo": lo.isoformat(), "hi": hi.isoformat()}
    selected = _SELECTED.format(office=_IN_OFFICE if office else "")
    return driver.execute(selected + sql + _IN_YEARS[sql], params).fetchall()


def _driver(session: Session) -> Any:
    """The DB-API connection under the session's (reads in its transaction): sqlite3's,
    or sqlcipher3's for an encrypted database (the same interface)."""
    driver = session.connection().connection.driver_connection
    assert driver is not None  # an open connection has its driver's
    return driver


def _as_dates(df: pd.DataFrame, columns: tuple[str, ...]) -> None:
    """ISO text to datetime.date, as the ORM reads a Date column (None stays None)."""
    for column in columns:
        df[column] = [date.fromisoformat(v) if isinstance(v, str) else None for v in df[column]]


def load_frames(session: Session, fiscal_years: Iterable[int] | int | None = None,
                topics: list[str] | None = None, *,
                office: FieldOfficeRef | None = None) -> ProgramFrames:  # fmt: skip
    """Reviews and findings, optionally only those of a span of fiscal years and of one
    field office's agencies."""
    years: tuple[int, int] | None = None
    if fiscal_years is not None:
        ys = [fiscal_years] if isinstance(fiscal_years, int) else list(fiscal_years)
        years = (min(ys), max(ys))
    reviews = pd.DataFrame(_rows(session, _REVIEWS, years, office), columns=REVIEW_COLUMNS)
    reviews = reviews.rename(columns={"agency_name": "agency"})
    _as_dates(reviews, _DATES["reviews"])
    if years is None and office is None:
        finding_rows = _rows(session, _FINDINGS, None)
    else:
        ids = json.dumps(reviews["id"].tolist())
        finding_rows = _driver(session).execute(_FINDINGS_OF, (ids,)).fetchall()
    findings = pd.DataFrame(finding_rows, columns=FINDING_COLUMNS)
    _as_dates(findings, _DATES["findings"])
    if len(findings):
        findings["disputed"] = findings["disputed"].astype(bool)
    return ProgramFrames(_derive(reviews), findings, topics or default_topics(), years, office)


def fiscal_year_of(days: pd.Series) -> pd.Series:
    """The fiscal year of each date (October starts the next year); <NA> for no date."""
    d = pd.to_datetime(days, errors="coerce")
    return (d.dt.year + (d.dt.month >= 10).astype("Int64")).astype("Int64")


def _derive(reviews: pd.DataFrame) -> pd.DataFrame:
    """Add `model` and `fiscal_year`; a focus review takes both from its inspection."""
    r = reviews.copy()
    r["model"] = r["kind"].map(MODEL_OF_KIND)
    r["fiscal_year"] = fiscal_year_of(r["start_date"])
    focus = r["kind"] == FOCUS
    parent = r.set_index("id")[["model", "fiscal_year"]]
    pids = r.loc[focus, "parent_review_id"]
    r.loc[focus, "model"] = pids.map(parent["model"]).values
    r.loc[focus, "fiscal_year"] = pids.map(parent["fiscal_year"]).astype("Int64").values
    return r


def empty_frames(topics: list[str] | None = None) -> ProgramFrames:
    reviews = _derive(
        pd.DataFrame(columns=REVIEW_COLUMNS).rename(columns={"agency_name": "agency"})
    )
    return ProgramFrames(reviews, pd.DataFrame(columns=FINDING_COLUMNS), topics or [])


# --- the other tables the measures and WSO summaries need ------------------------------


# How a table's rows belong to an agency, for narrowing to a field office: the column
# and the ids it must be among ({agencies}: _OFFICE_AGENCIES).
_AGENCY_PATH: dict[type, tuple[str, str]] = {
    Agency: ("id", "{agencies}"),
    Agreement: ("agency_id", "{agencies}"),
    Officer: ("agency_id", "{agencies}"),
    TrainingRecord: ("officer_id", "SELECT id FROM officer WHERE agency_id IN ({agencies})"),
    WarrantCount: ("agreement_id", "SELECT id FROM agreement WHERE agency_id IN ({agencies})"),
    CorrectiveAction: ("finding_id", "SELECT f.id FROM finding f JOIN review r ON "
                                     "r.id = f.review_id WHERE r.agency_id IN ({agencies})"),
}  # fmt: skip


def _frame(session: Session, columns: dict[str, object],
           office: FieldOfficeRef | None = None) -> pd.DataFrame:  # fmt: skip
    """The live rows of one model's `columns` (frame column name: model attribute),
    optionally only those of one field office's agencies."""
    attrs = [col(c) for c in columns.values()]
    first = attrs[0]
    assert isinstance(first, QueryableAttribute)  # a model's column: it knows its class
    model = first.class_
    assert isinstance(model, type)  # a table model, not an alias
    q = select_columns(*attrs).where(model.deleted == False)  # noqa: E712
    if office is not None:
        key, ids = _AGENCY_PATH[model]
        among = text(ids.format(agencies=_OFFICE_AGENCIES)).bindparams(office=office.code)
        q = q.where(getattr(model, key).in_(among.columns(text_column("id", String))))
    return pd.DataFrame(session.execute(q).all(), columns=list(columns))


def load_agreements(session: Session, office: FieldOfficeRef | None = None) -> pd.DataFrame:
    return _frame(session, {"id": Agreement.id, "agency_id": Agreement.agency_id,
                            "model": Agreement.model, "signed_on": Agreement.signed_on,
                            "status": Agreement.status, "moa_number": Agreement.moa_number}, office)  # fmt: skip


def load_officers(session: Session, office: FieldOfficeRef | None = None) -> pd.DataFrame:
    return _frame(session, {"id": Officer.id, "agency_id": Officer.agency_id,
                            "agreement_id": Officer.agreement_id, "model": Officer.model,
                            "name": Officer.name, "credential_number": Officer.credential_number,
                            "status": Officer.status, "status_changed_on": Officer.status_changed_on,
                            "credential_retrieved": Officer.credential_retrieved}, office)  # fmt: skip


def load_training(session: Session, office: FieldOfficeRef | None = None) -> pd.DataFrame:
    return _frame(session, {"officer_id": TrainingRecord.officer_id, "kind": TrainingRecord.kind,
                            "completed_on": TrainingRecord.completed_on,
                            "hours": TrainingRecord.hours}, office)  # fmt: skip


def load_actions(session: Session, office: FieldOfficeRef | None = None) -> pd.DataFrame:
    return _frame(session, {"id": CorrectiveAction.id, "finding_id": CorrectiveAction.finding_id,
                            "status": CorrectiveAction.status, "due_on": CorrectiveAction.due_on,
                            "completed_on": CorrectiveAction.completed_on,
                            "on_time": CorrectiveAction.on_time}, office)  # fmt: skip


def load_agencies(session: Session, office: FieldOfficeRef | None = None) -> pd.DataFrame:
    return _frame(session, {"id": Agency.id, "name": Agency.name, "state": Agency.state,
                            "county": Agency.county, "field_office_id": Agency.field_office_id}, office)  # fmt: skip


def load_warrants(session: Session, office: FieldOfficeRef | None = None) -> pd.DataFrame:
    """Warrant counts with their fiscal year (a month from October on is the next year's)."""
    df = _frame(session, {"agreement_id": WarrantCount.agreement_id, "year": WarrantCount.year,
                          "month": WarrantCount.month, "count": WarrantCount.count}, office)  # fmt: skip
    df["fiscal_year"] = df["year"] + (df["month"] >= 10).astype(int)
    return df


def load_field_offices(session: Session) -> list[tuple[str, str]]:
    """(id, name) of the field offices."""
    q = select(FieldOffice.id, FieldOffice.name).where(FieldOffice.deleted == False)  # noqa: E712
    return list(session.exec(q).all())
