"""The annual WSO summary's data: one record per WSO-partner LEA for a fiscal year.

DOMAIN.md: each year the National Program Managers summarise each WSO-partner LEA,
including the number of warrants served and the results of inspections from the last
three fiscal years. Here: warrants per month and per year for those three years, the
LEA's WSO reviews in them (counts by kind, follow-up, resolution) and its officers with
their training and credential status as of the fiscal year's end.

A summary is "as of" the fiscal year's end, or today while the year runs: months after
today have no count yet (<NA>, printed "—", not 0), and officers' status is today's.
Only final reviews enter the counts; the others are listed as not final. Statuses and
modes are labels (domain.labels), never stored codes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, NamedTuple, TypeVar

import pandas as pd
from sqlmodel import Session

from inspector_app.domain.calendar import FiscalYear
from inspector_app.domain.enums import (
    AgreementStatus,
    FindingStatus,
    OfficerStatus,
    ProgramModel,
    ReviewMode,
    ReviewStatus,
    TrainingKind,
)
from inspector_app.domain.training import TrainingEvent, training_status

from . import loader
from .loader import FOCUS, ProgramFrames
from .summary import A, B, D

YEARS = 3
# Fiscal-year months in order: October of the year before, ..., September.
FY_MONTHS = [10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9]
MONTH_NAMES = ["Oct", "Nov", "Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep"]


class _ReviewRow(NamedTuple):
    """The columns of a review the summary reads (a loader.ProgramFrames reviews row)."""

    id: str
    fiscal_year: int
    start_date: date | None
    status: str
    mode: str


class _OfficerRow(NamedTuple):
    """The columns of an officer the summary reads (a loader.load_officers row)."""

    id: str
    name: str
    credential_number: str
    status: str
    status_changed_on: date | None
    credential_retrieved: bool | None


class _AgencyRow(NamedTuple):
    """The columns of an agency the summary reads (a loader.load_agencies row)."""

    id: str
    name: str
    state: str
    county: str
    field_office_id: str | None


_RETRIEVED: dict[bool | None, str] = {True: "Yes", False: "No"}
ACTIVE = OfficerStatus.ACTIVE.label
FINAL = ReviewStatus.FINAL.label


def label_of(enum: type[StrEnum], value: object) -> str:
    """The label of a stored value ("in_progress" -> "In progress"); "—" for none."""
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    try:
        return str(enum(str(value)).label)  # type: ignore[attr-defined]
    except ValueError:
        return str(value).replace("_", " ").capitalize()


def as_of_day(fiscal_year: int, today: date | None = None) -> date:
    """The day a fiscal year's summary describes: its last day, or today while it runs."""
    return min(today or date.today(), FiscalYear(fiscal_year).end)


@dataclass
class LeaSummary:
    agency_id: str
    name: str
    state: str
    county: str
    field_office: str
    moa_numbers: list[str]
    signed_on: date | None
    agreement_status: str
    fiscal_year: int
    years: list[int]
    warrants: pd.DataFrame  # index: fiscal year; columns: MONTH_NAMES + "Total"; <NA>: future
    reviews: pd.DataFrame  # one row per WSO review in the years, with its follow-up
    officers: pd.DataFrame  # one row per WSO officer
    notes: list[str] = field(default_factory=list)
    as_of: date | None = None  # the fiscal year's end, or the day it was summarised

    @property
    def warrants_by_year(self) -> dict[int, int]:
        totals = self.warrants["Total"]
        return {int(y): int(t) for y, t in zip(totals.index, totals, strict=True)}

    @property
    def final_reviews(self) -> pd.DataFrame:
        """The reviews that count: final ones (the others are listed as not final)."""
        r = self.reviews
        return r[(r["Status"] == FINAL).astype(bool)] if len(r) else r

    @property
    def open_reviews(self) -> pd.DataFrame:
        r = self.reviews
        return r[(r["Status"] != FINAL).astype(bool)] if len(r) else r

    def overview(self) -> dict[str, Any]:
        """One line of the workbook's Overview sheet."""
        r, o = self.final_reviews, self.officers
        row: dict[str, Any] = {"LEA": self.name, "State": self.state,
                               "Field office": self.field_office,
                               "MOA": ", ".join(self.moa_numbers),
                               "Agreement status": self.agreement_status}  # fmt: skip
        for y, n in self.warrants_by_year.items():
            row[f"Warrants FY{y}"] = n
        row.update({
            "Reviews": len(r),
            "Deficiencies": int(r["Deficiencies"].sum()) if len(r) else 0,
            "Areas of concern": int(r["Areas of concern"].sum()) if len(r) else 0,
            "Best practices": int(r["Best practices"].sum()) if len(r) else 0,
            "Follow-up required": int(r["Follow-up required"].eq("Yes").sum()) if len(r) else 0,
            "Reviews not final": len(self.open_reviews),
            "Active officers": int((o["Status"] == ACTIVE).sum()) if len(o) else 0,
            "Officers trained": int(((o["Status"] == ACTIVE) & (o["Training"] == "Current")).sum())
            if len(o) else 0,
        })  # fmt: skip
        return row


def warrant_table(counts: pd.DataFrame, years: list[int], as_of: date | None = None
                  ) -> pd.DataFrame:  # fmt: skip
    """Warrants per fiscal-year month (rows: years), zeros where nothing was recorded,
    <NA> for the months after `as_of` (not over yet: no count)."""
    table = pd.DataFrame(0, index=pd.Index(years, name="Fiscal year"), columns=MONTH_NAMES)
    c = counts[counts["fiscal_year"].isin(years)]
    sums: dict[tuple[int, str], int] = {}
    for fy, month, n in c[["fiscal_year", "month", "count"]].itertuples(index=False, name=None):
        cell = (int(fy), MONTH_NAMES[FY_MONTHS.index(int(month))])
        sums[cell] = sums.get(cell, 0) + int(n)
    for (fy, month_name), n in sums.items():
        table.at[fy, month_name] = n
    table = table.astype("Int64")
    if as_of is not None:
        for fy in years:
            for i, month in enumerate(FY_MONTHS):
                year = fy - 1 if month >= 10 else fy
                if (year, month) > (as_of.year, as_of.month):
                    table.at[fy, MONTH_NAMES[i]] = pd.NA
    table["Total"] = table[MONTH_NAMES].sum(axis=1, skipna=True).astype("Int64")
    return table


def _reviews_table(frames: ProgramFrames, agency_id: str, years: list[int]) -> pd.DataFrame:
    r = frames.reviews
    mine = r[(r["agency_id"] == agency_id) & (r["model"] == ProgramModel.WSO.value)
             & r["fiscal_year"].isin(years)]  # fmt: skip
    f = frames.findings
    rows = []
    for rv in _rows(_ReviewRow, mine[mine["kind"] != FOCUS].sort_values("start_date")):
        own = f[f["review_id"] == rv.id]
        kinds = own["kind"].value_counts()
        d, a, b = (int(kinds.get(k, 0)) for k in (D, A, B))
        focus = mine[(mine["kind"] == FOCUS) & (mine["parent_review_id"] == rv.id)]
        judged = own[own["resolved_by_review_id"].notna() & own["kind"].isin([D, A])]
        resolved = int((judged["status"] == FindingStatus.RESOLVED.value).sum())
        rows.append({
            "Fiscal year": int(rv.fiscal_year), "Start": rv.start_date,
            "Status": label_of(ReviewStatus, rv.status), "Mode": label_of(ReviewMode, rv.mode),
            "Deficiencies": d, "Areas of concern": a, "Best practices": b,
            "Follow-up required": "Yes" if d + a >= 4 else "No",
            "Focus review": ", ".join(
                f"{label_of(ReviewStatus, s)} ({x})" if x else label_of(ReviewStatus, s)
                for s, x in zip(focus["status"], focus["start_date"], strict=True)) or "—",
            "Findings judged": len(judged), "Resolved": resolved, "review_id": rv.id,
        })  # fmt: skip
    cols = ["Fiscal year", "Start", "Status", "Mode", "Deficiencies", "Areas of concern",
            "Best practices", "Follow-up required", "Focus review", "Findings judged", "Resolved",
            "review_id"]  # fmt: skip
    return pd.DataFrame(rows, columns=cols)


def _officers_table(officers: pd.DataFrame, training: pd.DataFrame, day: date) -> pd.DataFrame:
    rows = []
    for o in _rows(_OfficerRow, officers.sort_values("name")):
        recs = training[training["officer_id"] == o.id]
        events = [TrainingEvent(TrainingKind(k), on, h) for k, on, h in
                  recs[["kind", "completed_on", "hours"]].itertuples(index=False)]  # fmt: skip
        status = training_status(ProgramModel.WSO, events, day)
        course = [e for e in events if e.kind == TrainingKind.WSO_COURSE and e.completed_on <= day]
        last = max(course, key=lambda e: e.completed_on) if course else None
        retrieved = _RETRIEVED.get(o.credential_retrieved, "—")
        rows.append({
            "Officer": o.name, "Credential": o.credential_number or "—",
            "Status": label_of(OfficerStatus, o.status),
            "Status changed": o.status_changed_on, "Training": status.summary,
            "WSO course": last.completed_on if last else None,
            "Hours": last.hours if last else None,
            "Credential retrieved": retrieved if o.status != OfficerStatus.ACTIVE.value else "—",
        })  # fmt: skip
    cols = ["Officer", "Credential", "Status", "Status changed", "Training", "WSO course", "Hours",
            "Credential retrieved"]  # fmt: skip
    return pd.DataFrame(rows, columns=cols)


R = TypeVar("R", bound=NamedTuple)


def _rows(row: type[R], df: pd.DataFrame) -> Iterator[R]:
    """`df`'s rows as `row` tuples (its fields are the columns read, in their order)."""
    return map(row._make, df[list(row._fields)].itertuples(index=False, name=None))


def wso_summaries(session: Session, fiscal_year: int,
                  office: loader.FieldOfficeRef | None = None,
                  today: date | None = None) -> list[LeaSummary]:  # fmt: skip
    """One summary per LEA holding a WSO agreement signed by the fiscal year's end
    (optionally only the LEAs of one field office), as of as_of_day(fiscal_year, today)."""
    years = list(range(fiscal_year - YEARS + 1, fiscal_year + 1))
    fy_end = as_of_day(fiscal_year, today)
    agreements = loader.load_agreements(session, office)
    wso = agreements[(agreements["model"] == ProgramModel.WSO.value)
                     & agreements["signed_on"].map(lambda d: d is not None and d <= fy_end)]  # fmt: skip
    if wso.empty:
        return []
    agencies = {a.id: a for a in _rows(_AgencyRow, loader.load_agencies(session, office))}
    offices = dict(loader.load_field_offices(session))
    frames = loader.load_frames(session, years, office=office)
    officers = loader.load_officers(session, office)
    officers = officers[officers["model"] == ProgramModel.WSO.value]
    training = loader.load_training(session, office)
    warrants = loader.load_warrants(session, office)
    out = []
    for key, group in wso.groupby("agency_id", sort=False):
        agency_id = str(key)  # an id: text already
        if agency_id not in agencies:
            continue
        a = agencies[agency_id]
        counts = warrants[warrants["agreement_id"].isin(set(group["id"]))]
        statuses = sorted(set(group["status"]))
        out.append(LeaSummary(
            agency_id=agency_id, name=a.name, state=a.state, county=a.county,
            field_office=offices.get(a.field_office_id or "", ""),
            moa_numbers=[m for m in group["moa_number"] if m], signed_on=min(group["signed_on"]),
            agreement_status=", ".join(label_of(AgreementStatus, x) for x in statuses),
            fiscal_year=fiscal_year, years=years, as_of=fy_end,
            warrants=warrant_table(counts, years, fy_end),
            reviews=_reviews_table(frames, agency_id, years),
            officers=_officers_table(officers[officers["agency_id"] == agency_id], training, fy_end),
        ))  # fmt: skip
    out.sort(key=lambda s: (s.state, s.name))
    return out
