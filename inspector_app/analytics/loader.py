"""Loading the program's reviews and findings into DataFrames for the analytics.

One loader for every figure (summary, measures, annual report, Program view), so the
CLI, the GUI and the PDFs count from the same rows. Loading can be limited to a range
of fiscal years: the SQL then selects only those years' inspections, the focus reviews
that follow them up and their findings, which keeps a one-year summary fast on a
twenty-year history.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import and_, or_
from sqlmodel import Session, select

from inspector_app.domain.calendar import FiscalYear
from inspector_app.domain.enums import ReviewKind
from inspector_app.domain.forms import load_topics
from inspector_app.paths import forms_dir
from inspector_app.store.models import (
    Agency,
    Agreement,
    CorrectiveAction,
    FieldOffice,
    Finding,
    Officer,
    Review,
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
    return list(load_topics(forms_dir()))


def _review_rows(session: Session, years: tuple[int, int] | None) -> list[tuple]:
    cols = (Review.id, Review.agency_id, Review.agreement_id, Review.kind, Review.mode,
            Review.status, Review.start_date, Review.end_date, Review.due_date,
            Review.parent_review_id, Review.source_ref, Agency.name, Agency.state)  # fmt: skip
    q = select(*cols).join(Agency, Agency.id == Review.agency_id).where(Review.deleted == False)  # noqa: E712
    if years is not None:
        q = q.where(Review.id.in_(_selected_review_ids(years)))
    return session.exec(q).all()


def load_frames(session: Session, fiscal_years: Iterable[int] | int | None = None,
                topics: list[str] | None = None) -> ProgramFrames:  # fmt: skip
    """Reviews and findings, optionally only those of a span of fiscal years."""
    years: tuple[int, int] | None = None
    if fiscal_years is not None:
        ys = [fiscal_years] if isinstance(fiscal_years, int) else list(fiscal_years)
        years = (min(ys), max(ys))
    reviews = pd.DataFrame(_review_rows(session, years), columns=REVIEW_COLUMNS)
    reviews = reviews.rename(columns={"agency_name": "agency"})
    fq = select(Finding.id, Finding.review_id, Finding.number, Finding.kind, Finding.topic,
                Finding.responsible, Finding.status, Finding.resolved_by_review_id,
                Finding.resolved_on, Finding.disputed, Finding.description
                ).where(Finding.deleted == False)  # noqa: E712  # fmt: skip
    if years is not None:
        fq = fq.where(Finding.review_id.in_(_selected_review_ids(years)))
    findings = pd.DataFrame(session.exec(fq).all(), columns=FINDING_COLUMNS)
    return ProgramFrames(_derive(reviews), findings, topics or default_topics(), years)


def _selected_review_ids(years: tuple[int, int]):  # noqa: ANN202
    """The years' inspections and their focus reviews, as a subquery (no limit on ids)."""
    lo, hi = FiscalYear(years[0]).start, FiscalYear(years[1]).end
    in_range = and_(Review.kind != FOCUS, Review.start_date >= lo, Review.start_date <= hi)
    parents = select(Review.id).where(in_range, Review.deleted == False)  # noqa: E712
    return select(Review.id).where(
        Review.deleted == False,  # noqa: E712
        or_(in_range, and_(Review.kind == FOCUS, Review.parent_review_id.in_(parents))),
    )


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


def _frame(session: Session, columns: dict[str, object], *where: object) -> pd.DataFrame:
    cols = list(columns.values())
    model = cols[0].class_  # type: ignore[attr-defined]
    q = select(*cols).where(model.deleted == False, *where)  # noqa: E712
    return pd.DataFrame(session.exec(q).all(), columns=list(columns))


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
