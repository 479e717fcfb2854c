"""Loading the program's reviews and findings into DataFrames for the analytics.

One loader for every figure (summary, measures, annual report, Program view), so the
CLI, the GUI and the PDFs count from the same rows. Loading can be limited to a range
of fiscal years: the SQL then selects only those years' inspections, the focus reviews
that follow them up and their findings, which keeps a one-year summary fast on a
twenty-year history.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import select as select_columns
from sqlalchemy.orm import QueryableAttribute
from sqlmodel import Session, col, select

from inspector_app.domain.calendar import FiscalYear
from inspector_app.domain.enums import ReviewKind
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


def default_topics() -> list[str]:
    return list(topics_in(forms_dir()))


# The rows are read in plain SQL on the driver connection: a one-year summary is mostly
# this read (bench/summary.py). `+x.deleted` keeps SQLite off the `deleted` index, which
# matches nearly every row: through it a scan costs a b-tree lookup per row, and findings
# are instead found through their review_id index from the selected reviews.
_SELECTED = """
WITH insp AS (
    SELECT id FROM review
    WHERE +deleted = 0 AND kind != :focus AND start_date >= :lo AND start_date <= :hi
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
    _REVIEWS: " WHERE +r.deleted = 0 ORDER BY r.rowid",
    _FINDINGS: " WHERE +f.deleted = 0 ORDER BY f.rowid",
}
_DATES = {"reviews": ("start_date", "end_date", "due_date"), "findings": ("resolved_on",)}


def _rows(session: Session, sql: str, years: tuple[int, int] | None) -> list[tuple[Any, ...]]:
    driver = _driver(session)
    if years is None:
        return driver.execute(sql + _EVERY[sql]).fetchall()
    lo, hi = FiscalYear(years[0]).start, FiscalYear(years[1]).end
    params = {"focus": FOCUS, "lo": lo.isoformat(), "hi": hi.isoformat()}
    return driver.execute(_SELECTED + sql + _IN_YEARS[sql], params).fetchall()


def _driver(session: Session) -> sqlite3.Connection:
    """The sqlite3 connection under the session's (reads in its transaction)."""
    driver = session.connection().connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)  # an open connection has its sqlite3 one
    return driver


def _as_dates(df: pd.DataFrame, columns: tuple[str, ...]) -> None:
    """ISO text to datetime.date, as the ORM reads a Date column (None stays None)."""
    for column in columns:
        df[column] = [date.fromisoformat(v) if isinstance(v, str) else None for v in df[column]]


def load_frames(session: Session, fiscal_years: Iterable[int] | int | None = None,
                topics: list[str] | None = None) -> ProgramFrames:  # fmt: skip
    """Reviews and findings, optionally only those of a span of fiscal years."""
    years: tuple[int, int] | None = None
    if fiscal_years is not None:
        ys = [fiscal_years] if isinstance(fiscal_years, int) else list(fiscal_years)
        years = (min(ys), max(ys))
    reviews = pd.DataFrame(_rows(session, _REVIEWS, years), columns=REVIEW_COLUMNS)
    reviews = reviews.rename(columns={"agency_name": "agency"})
    _as_dates(reviews, _DATES["reviews"])
    if years is None:
        finding_rows = _rows(session, _FINDINGS, None)
    else:
        ids = json.dumps(reviews["id"].tolist())
        finding_rows = _driver(session).execute(_FINDINGS_OF, (ids,)).fetchall()
    findings = pd.DataFrame(finding_rows, columns=FINDING_COLUMNS)
    _as_dates(findings, _DATES["findings"])
    if len(findings):
        findings["disputed"] = findings["disputed"].astype(bool)
    return ProgramFrames(_derive(reviews), findings, topics or default_topics(), years)


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


def _frame(session: Session, columns: dict[str, object]) -> pd.DataFrame:
    """The live rows of one model's `columns` (frame column name: model attribute)."""
    attrs = [col(c) for c in columns.values()]
    first = attrs[0]
    assert isinstance(first, QueryableAttribute)  # a model's column: it knows its class
    q = select_columns(*attrs).where(first.class_.deleted == False)  # noqa: E712
    return pd.DataFrame(session.execute(q).all(), columns=list(columns))


def load_agreements(session: Session) -> pd.DataFrame:
    return _frame(session, {"id": Agreement.id, "agency_id": Agreement.agency_id,
                            "model": Agreement.model, "signed_on": Agreement.signed_on,
                            "status": Agreement.status, "moa_number": Agreement.moa_number})  # fmt: skip


def load_officers(session: Session) -> pd.DataFrame:
    return _frame(session, {"id": Officer.id, "agency_id": Officer.agency_id,
                            "agreement_id": Officer.agreement_id, "model": Officer.model,
                            "name": Officer.name, "credential_number": Officer.credential_number,
                            "status": Officer.status, "status_changed_on": Officer.status_changed_on,
                            "credential_retrieved": Officer.credential_retrieved})  # fmt: skip


def load_training(session: Session) -> pd.DataFrame:
    return _frame(session, {"officer_id": TrainingRecord.officer_id, "kind": TrainingRecord.kind,
                            "completed_on": TrainingRecord.completed_on,
                            "hours": TrainingRecord.hours})  # fmt: skip


def load_actions(session: Session) -> pd.DataFrame:
    return _frame(session, {"id": CorrectiveAction.id, "finding_id": CorrectiveAction.finding_id,
                            "status": CorrectiveAction.status, "due_on": CorrectiveAction.due_on,
                            "completed_on": CorrectiveAction.completed_on,
                            "on_time": CorrectiveAction.on_time})  # fmt: skip


def load_agencies(session: Session) -> pd.DataFrame:
    return _frame(session, {"id": Agency.id, "name": Agency.name, "state": Agency.state,
                            "county": Agency.county, "field_office_id": Agency.field_office_id})  # fmt: skip


def load_warrants(session: Session) -> pd.DataFrame:
    """Warrant counts with their fiscal year (a month from October on is the next year's)."""
    df = _frame(session, {"agreement_id": WarrantCount.agreement_id, "year": WarrantCount.year,
                          "month": WarrantCount.month, "count": WarrantCount.count})  # fmt: skip
    df["fiscal_year"] = df["year"] + (df["month"] >= 10).astype(int)
    return df


def load_field_offices(session: Session) -> list[tuple[str, str]]:
    """(id, name) of the field offices."""
    q = select(FieldOffice.id, FieldOffice.name).where(FieldOffice.deleted == False)  # noqa: E712
    return list(session.exec(q).all())
