"""Performance measures of the program for a fiscal year (GAO-21-186's recommendations).

Every measure names its numerator and denominator, so a reader can check it against
the records: {"key", "name", "numerator", "denominator", "value", "numerator_label",
"denominator_label"}; value is the ratio, or None when the denominator is 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from sqlmodel import Session

from inspector_app.domain.calendar import REVIEW_CYCLE_MONTHS, FiscalYear, add_months
from inspector_app.domain.closeout import ActionFacts, remediated_on_time
from inspector_app.domain.enums import (
    ActionStatus,
    AgreementStatus,
    FindingStatus,
    OfficerStatus,
    ProgramModel,
    ReviewStatus,
    TrainingKind,
)
from inspector_app.domain.training import TrainingEvent, training_status

from . import loader
from .loader import FOCUS, ProgramFrames
from .summary import ALL_MODELS, A, D, scope

TOP_TOPICS = 5


@dataclass
class MeasureInputs:
    """Everything the measures read, loaded once (tests build it by hand)."""

    frames: ProgramFrames
    officers: pd.DataFrame
    training: pd.DataFrame
    agreements: pd.DataFrame
    actions: pd.DataFrame


def load_inputs(session: Session, fiscal_year: int,
                office: loader.FieldOfficeRef | None = None) -> MeasureInputs:  # fmt: skip
    """The measures' rows, optionally only those of one field office's agencies."""
    # Reviews back to FY-3: the two-year look-back and the year-before comparison.
    return MeasureInputs(
        frames=loader.load_frames(session, range(fiscal_year - 3, fiscal_year + 1), office=office),
        officers=loader.load_officers(session, office),
        training=loader.load_training(session, office),
        agreements=loader.load_agreements(session, office),
        actions=loader.load_actions(session, office),
    )


def measure(key: str, name: str, numerator: int, denominator: int, numerator_label: str,
            denominator_label: str) -> dict[str, Any]:  # fmt: skip
    return {
        "key": key, "name": name, "numerator": int(numerator), "denominator": int(denominator),
        "value": (numerator / denominator) if denominator else None,
        "numerator_label": numerator_label, "denominator_label": denominator_label,
    }  # fmt: skip


def active_at(officers: pd.DataFrame, agreements: pd.DataFrame, day: date) -> pd.DataFrame:
    """Officers designated on `day`: active now, or whose status changed only after it,
    under an agreement already signed then."""
    o = officers
    changed = pd.to_datetime(o["status_changed_on"], errors="coerce")
    was_active = (o["status"] == OfficerStatus.ACTIVE.value) | (changed > pd.Timestamp(day))
    signed = dict(zip(agreements["id"], agreements["signed_on"], strict=True))
    signed_ok = o["agreement_id"].map(lambda a: a not in signed or signed[a] is None
                                      or signed[a] <= day)  # fmt: skip
    return o[was_active & signed_ok.astype(bool)]


def training_compliance(officers: pd.DataFrame, training: pd.DataFrame, day: date,
                        model: str) -> tuple[int, int]:  # fmt: skip
    """(compliant, active) officers of one model on `day`, by domain.training rules."""
    group = officers[officers["model"] == model]
    events: dict[str, list[TrainingEvent]] = {}
    for oid, kind, on, hours in training[
        ["officer_id", "kind", "completed_on", "hours"]
    ].itertuples(index=False):
        events.setdefault(oid, []).append(TrainingEvent(TrainingKind(kind), on, hours))
    compliant = sum(
        training_status(ProgramModel(model), events.get(oid, []), day).compliant
        for oid in group["id"]
    )
    return compliant, len(group)


def measures(source: Session | MeasureInputs, fiscal_year: int,
             today: date | None = None) -> dict[str, Any]:  # fmt: skip
    """All measures for `fiscal_year`, plus the top topics against the year before.

    Counted from final JEM inspections and WSO reviews (a draft is in no measure).
    `today` (default: the clock) decides which open corrective actions are past due."""
    inputs = source if isinstance(source, MeasureInputs) else load_inputs(source, fiscal_year)
    frames = inputs.frames
    fy_end = FiscalYear(fiscal_year).end
    out: list[dict[str, Any]] = []

    officers = active_at(inputs.officers, inputs.agreements, fy_end)
    for model in ProgramModel:
        ok, n = training_compliance(officers, inputs.training, fy_end, model.value)
        out.append(measure(
            f"training_{model.value.lower()}", f"{model.value} officers compliant with training",
            ok, n, f"active {model.value} officers whose training is current on {fy_end}",
            f"active {model.value} officers on {fy_end}"))  # fmt: skip

    sc = scope(frames, fiscal_year, ALL_MODELS)
    deficiencies = sc.findings[sc.findings["kind"] == D]
    day = today or date.today()
    on_time, counted = _remediation(deficiencies, inputs.actions, day)
    out.append(measure(
        "remediated_on_time", "Deficiencies remediated on time", on_time, counted,
        f"deficiencies of FY{fiscal_year} inspections whose corrective actions were all done by their due dates",
        f"deficiencies of FY{fiscal_year} inspections with all corrective actions done, "
        f"or with one still open past its due date on {day} (late)"))  # fmt: skip

    insp = sc.inspections
    with_findings = insp[(insp["deficiencies"] + insp["areas_of_concern"]) > 0][
        "agency_id"
    ].nunique()
    out.append(measure(
        "lea_with_findings", "Inspected LEAs with findings", with_findings,
        insp["agency_id"].nunique(),
        "LEAs with at least one deficiency or area of concern",
        f"LEAs inspected in FY{fiscal_year}"))  # fmt: skip

    completed, focus_n = _focus_completion(sc.focus_reviews, frames.findings)
    out.append(measure(
        "focus_completion", "Focus reviews completed", completed, focus_n,
        "focus reviews that are final or have judged every finding followed up",
        f"focus reviews of FY{fiscal_year} inspections"))  # fmt: skip

    f = sc.findings
    judged = f[f["kind"].isin([D, A]) & f["resolved_by_review_id"].notna()
               & f["status"].isin([FindingStatus.RESOLVED.value, FindingStatus.UNRESOLVED.value])]  # fmt: skip
    out.append(measure(
        "focus_resolution", "Findings resolved at follow-up",
        int((judged["status"] == FindingStatus.RESOLVED.value).sum()), len(judged),
        "deficiencies and areas of concern judged resolved by a focus review",
        f"deficiencies and areas of concern of FY{fiscal_year} inspections judged by a focus review"))  # fmt: skip

    reviewed, active = _reviewed_within_cycle(frames, inputs.agreements, fy_end)
    out.append(measure(
        "reviewed_within_two_years", "Agreements reviewed within two years", reviewed, active,
        f"agreements whose last inspection or review ended within {REVIEW_CYCLE_MONTHS} months of {fy_end}",
        f"JEM and WSO agreements active on {fy_end}"))  # fmt: skip

    office = frames.field_office
    return {"fiscal_year": int(fiscal_year), "field_office": office.code if office else None,
            "measures": out, "top_topics": top_topics(frames, fiscal_year)}  # fmt: skip


def _remediation(deficiencies: pd.DataFrame, actions: pd.DataFrame, day: date
                 ) -> tuple[int, int]:  # fmt: skip
    """(on time, counted): a deficiency counts once all its actions are done (on time if
    each was done by its due date), or as late while an action is open past its due date
    on `day`; one whose open actions are not yet due is still pending and not counted."""
    acts = actions[actions["finding_id"].isin(set(deficiencies["id"]))]
    on_time = counted = 0
    for _fid, group in acts.groupby("finding_id"):
        open_ = group[group["status"] != ActionStatus.DONE.value]
        if len(open_):
            counted += any(due is not None and not pd.isna(due) and due < day
                           for due in open_["due_on"])  # fmt: skip
            continue
        counted += 1
        timely = [
            bool(stored) if stored is not None and not pd.isna(stored)
            else bool(remediated_on_time(ActionFacts(status, due, done)))
            for stored, status, due, done in group[["on_time", "status", "due_on", "completed_on"]]
            .itertuples(index=False)
        ]  # fmt: skip
        on_time += all(timely)
    return on_time, counted


def _focus_completion(focus: pd.DataFrame, findings: pd.DataFrame) -> tuple[int, int]:
    completed = 0
    for fid, parent, status in focus[["id", "parent_review_id", "status"]].itertuples(index=False):
        if status == ReviewStatus.FINAL.value:
            completed += 1
            continue
        owed = findings[(findings["review_id"] == parent) & findings["kind"].isin([D, A])]
        if len(owed) and (owed["resolved_by_review_id"] == fid).all():
            completed += 1
    return completed, len(focus)


def _reviewed_within_cycle(frames: ProgramFrames, agreements: pd.DataFrame, day: date
                           ) -> tuple[int, int]:  # fmt: skip
    """Agreements active on `day` whose last review (of that model) ended within 24 months."""
    # Masks are built as bool: an empty frame's .map() is object-typed, and indexing with
    # an empty object Series selects columns (none), not rows, losing "agency_id".
    ag = agreements[(agreements["status"] == AgreementStatus.ACTIVE.value)
                    & agreements["signed_on"].map(lambda d: d is not None and d <= day)
                    .astype(bool)]  # fmt: skip
    r = frames.reviews
    r = r[(r["kind"] != FOCUS) & r["end_date"].notna() & (r["status"] == ReviewStatus.FINAL.value)]
    r = r[r["end_date"].map(lambda d: d <= day).astype(bool)]
    last = r.groupby(["agency_id", "model"])["end_date"].max()
    cutoff = add_months(day, -REVIEW_CYCLE_MONTHS)
    reviewed = sum(
        1 for agency, model in zip(ag["agency_id"], ag["model"], strict=True)
        if (agency, model) in last.index and last[(agency, model)] >= cutoff
    )  # fmt: skip
    return reviewed, len(ag)


def top_topics(
    frames: ProgramFrames, fiscal_year: int, n: int = TOP_TOPICS
) -> list[dict[str, Any]]:
    """The most frequent topics of deficiencies and areas of concern, against the year before."""
    now = _topic_counts(frames, fiscal_year)
    before = _topic_counts(frames, fiscal_year - 1)
    ranked_before = {t: i + 1 for i, t in enumerate(before.index)}
    out = []
    for rank, (topic, count) in enumerate(now.head(n).items(), start=1):
        prev = int(before.get(topic, 0))
        out.append({"rank": rank, "topic": topic, "count": int(count), "previous": prev,
                    "change": int(count) - prev, "previous_rank": ranked_before.get(topic)})  # fmt: skip
    return out


def _topic_counts(frames: ProgramFrames, fiscal_year: int) -> pd.Series:
    f = scope(frames, fiscal_year, ALL_MODELS).findings
    f = f[f["kind"].isin([D, A])]
    counts = f["topic"].fillna("unspecified").value_counts()
    # Ties in a stable, readable order: by count, then by the topics file's order.
    order = {t: i for i, t in enumerate(frames.topics)}
    return counts.sort_index(
        key=lambda idx: idx.map(lambda t: order.get(t, len(order)))
    ).sort_values(ascending=False, kind="stable")


def format_measures(m: dict[str, Any]) -> str:
    office = f", field office {m['field_office']}" if m.get("field_office") else ""
    lines = [f"Performance measures, FY{m['fiscal_year']}{office}", ""]
    for x in m["measures"]:
        value = "n/a" if x["value"] is None else f"{x['value']:.0%}"
        lines.append(f"{x['name']:<44}{value:>6}  ({x['numerator']} of {x['denominator']})")
        lines.append(f"    numerator:   {x['numerator_label']}")
        lines.append(f"    denominator: {x['denominator_label']}")
    lines += [
        "",
        f"Top topics (deficiencies and areas of concern) against FY{m['fiscal_year'] - 1}",
    ]
    for t in m["top_topics"]:
        lines.append(f"  {t['rank']}. {t['topic']:<28}{t['count']:>5}  (FY{m['fiscal_year'] - 1}: "
                     f"{t['previous']}, {t['change']:+d})")  # fmt: skip
    return "\n".join(lines)
