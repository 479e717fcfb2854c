"""The fiscal-year summary of the program: one implementation for the CLI, GUI and PDFs.

Definitions (issue 6): an inspection (JEM inspection or WSO review) counts in the fiscal
year its start date falls in; focus reviews are not inspections and count under the
fiscal year of the inspection they follow up; "with findings" means at least one
deficiency or area of concern; "requiring follow-up" means an inspection with 4 or more
deficiencies and areas of concern together. `detail()` returns the rows behind any
figure, so the Program view can drill down from a number. Frames loaded for one field
office (loader.find_field_office) give that office's figures; "field_office" says which.

Which reviews count (issue 12): only final ones. A planned, in-progress or draft review
never enters a figure; `not_final` says how many of the year's were left out. Without a
model the figures are OPR's: final JEM inspections only (GAO-21-186's counts); WSO
internal oversight reviews have their own figures (model "WSO"). ALL_MODELS counts both
(the performance measures, which GAO asked to cover the WSO model too).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlmodel import Session

from inspector_app.domain.enums import FindingKind, FindingStatus, ReviewStatus
from inspector_app.domain.rules import FOLLOW_UP_THRESHOLD

from .loader import FOCUS, ProgramFrames, load_frames

D, A, B = (FindingKind.DEFICIENCY.value, FindingKind.AREA_OF_CONCERN.value,
           FindingKind.BEST_PRACTICE.value)  # fmt: skip
PLURAL = {D: "deficiencies", A: "areas_of_concern", B: "best_practices"}
JUDGED = (FindingStatus.RESOLVED.value, FindingStatus.UNRESOLVED.value)
FINAL = ReviewStatus.FINAL.value
OPR_MODEL = "JEM"  # model None: OPR's figures, JEM inspections only
ALL_MODELS = "*"  # JEM inspections and WSO reviews together (the measures)
# Who must fix a finding; "both" (ICE and the LEA together) is read as a plain key so the
# figures do not depend on the enum having it.
RESPONSIBLE = ("lea", "ice", "both")
RESPONSIBLE_LABELS = {"lea": "LEA", "ice": "ICE", "both": "ICE and LEA"}


@dataclass
class Scope:
    """The rows one fiscal year's figures are computed from."""

    inspections: pd.DataFrame  # with deficiencies, areas_of_concern, best_practices, follow_up
    findings: pd.DataFrame  # findings of those inspections, with agency and review columns
    focus_reviews: pd.DataFrame  # focus reviews following those inspections up
    not_final: pd.DataFrame  # the year's inspections of the model left out: not final yet


def frames_for(source: Session | ProgramFrames, fiscal_year: int) -> ProgramFrames:
    return source if isinstance(source, ProgramFrames) else load_frames(source, fiscal_year)


def scope(frames: ProgramFrames, fiscal_year: int, model: str | None = None) -> Scope:
    """The final inspections of `model` begun in the fiscal year (None: OPR's JEM
    inspections; ALL_MODELS: JEM inspections and WSO reviews), their findings and the
    focus reviews following them up."""
    r = frames.reviews
    year = r[(r["kind"] != FOCUS) & (r["fiscal_year"] == fiscal_year)]
    wanted = model or OPR_MODEL
    if wanted != ALL_MODELS:
        year = year[year["model"] == wanted]
    final = (year["status"] == FINAL).astype(bool)
    insp, not_final = year[final].copy(), year[~final]
    ids = set(insp["id"])
    f = frames.findings[frames.findings["review_id"].isin(ids)]
    info = insp.set_index("id")[["agency_id", "agency", "state", "start_date", "model", "kind"]]
    f = f.join(info.rename(columns={"kind": "review_kind"}), on="review_id")
    # groupby-size, not crosstab: the same table at a fraction of the cost (bench/summary.py)
    counts: pd.DataFrame | dict[str, pd.Series] = (
        f.groupby(["review_id", "kind"]).size().unstack(fill_value=0) if len(f) else {}
    )
    for kind in (D, A, B):
        col = counts[kind] if kind in counts else pd.Series(dtype="int64")
        insp[PLURAL[kind]] = insp["id"].map(col).fillna(0).astype(int)
    insp["follow_up"] = (insp["deficiencies"] + insp["areas_of_concern"]) >= FOLLOW_UP_THRESHOLD
    focus = r[(r["kind"] == FOCUS) & r["parent_review_id"].isin(ids)]
    return Scope(insp, f, focus, not_final)


def _conducted(focus: pd.DataFrame) -> pd.Series:
    """A focus review was conducted once it started (it has a start date) or is final."""
    return focus["start_date"].notna() | (focus["status"] == ReviewStatus.FINAL.value)


def _judged(findings: pd.DataFrame) -> pd.Series:
    return findings["resolved_by_review_id"].notna() & findings["status"].isin(JUDGED)


def _topic_counts(findings: pd.DataFrame, kind: str, topics: list[str]) -> dict[str, int]:
    counts = findings.loc[findings["kind"] == kind, "topic"].fillna("unspecified").value_counts()
    out = {t: int(counts.get(t, 0)) for t in topics}
    for t, n in counts.items():  # codes no longer in topics.yaml are still counted
        out.setdefault(str(t), int(n))
    return out


def summary(source: Session | ProgramFrames, fiscal_year: int, model: str | None = None
            ) -> dict[str, Any]:  # fmt: skip
    """The summary JSON of issue 6 for one fiscal year (and optionally one program model)."""
    frames = frames_for(source, fiscal_year)
    sc = scope(frames, fiscal_year, model)
    insp, f, focus = sc.inspections, sc.findings, sc.focus_reviews
    with_findings = insp[(insp["deficiencies"] + insp["areas_of_concern"]) > 0]
    follow = insp[insp["follow_up"]]
    judged = f[_judged(f)]
    resolved = judged[judged["status"] == FindingStatus.RESOLVED.value]
    by_kind = f["kind"].value_counts()
    by_responsible = {
        party: {PLURAL[k]: int(((f["responsible"] == party) & (f["kind"] == k)).sum())
                for k in (D, A)}
        for party in RESPONSIBLE
    }  # fmt: skip
    office = frames.field_office
    return {
        "fiscal_year": int(fiscal_year),
        "model": model,
        "field_office": office.code if office else None,  # None: every field office
        "inspections": len(insp),
        "agencies_inspected": int(insp["agency_id"].nunique()),
        "agencies_with_findings": int(with_findings["agency_id"].nunique()),
        "deficiencies": int(by_kind.get(D, 0)),
        "areas_of_concern": int(by_kind.get(A, 0)),
        "best_practices": int(by_kind.get(B, 0)),
        "agencies_requiring_follow_up": int(follow["agency_id"].nunique()),
        "deficiencies_by_topic": _topic_counts(f, D, frames.topics),
        "areas_of_concern_by_topic": _topic_counts(f, A, frames.topics),
        "by_responsible": by_responsible,
        "follow_up": {
            "required": len(follow),
            "conducted": int(_conducted(focus).sum()),
            "deficiencies_reviewed": int((judged["kind"] == D).sum()),
            "deficiencies_resolved": int((resolved["kind"] == D).sum()),
            "areas_of_concern_reviewed": int((judged["kind"] == A).sum()),
            "areas_of_concern_resolved": int((resolved["kind"] == A).sum()),
        },
        # Begun in the year but not final (planned, in progress, draft): in no figure above.
        "not_final": {
            "inspections": len(sc.not_final),
            "agencies": int(sc.not_final["agency_id"].nunique()),
        },
    }


# --- drill-down -----------------------------------------------------------------------

REVIEW_DETAIL = ["agency", "state", "kind", "start_date", "status", "deficiencies",
                 "areas_of_concern", "best_practices", "id"]  # fmt: skip
FINDING_DETAIL = ["agency", "state", "start_date", "number", "kind", "topic", "responsible",
                  "status", "description", "review_id"]  # fmt: skip


def detail(source: Session | ProgramFrames, fiscal_year: int, model: str | None, key: str
           ) -> pd.DataFrame:  # fmt: skip
    """The reviews or findings behind one figure of `summary`, named by its dotted key
    (e.g. "agencies_with_findings", "deficiencies_by_topic.training",
    "by_responsible.ice.areas_of_concern", "follow_up.deficiencies_resolved").

    Review rows carry `id` (the review), finding rows `review_id`; both can open a review.
    """
    sc = scope(frames_for(source, fiscal_year), fiscal_year, model)
    parts = key.split(".")
    reviews = _detail_reviews(sc, parts)
    if reviews is not None:
        return reviews[REVIEW_DETAIL].sort_values(["start_date", "agency"]).reset_index(drop=True)
    findings = _detail_findings(sc.findings, parts)
    if findings is None:
        raise KeyError(f"no summary figure named {key!r}")
    return (
        findings[FINDING_DETAIL]
        .sort_values(["start_date", "agency", "number"])
        .reset_index(drop=True)
    )


def _detail_reviews(sc: Scope, parts: list[str]) -> pd.DataFrame | None:
    """The reviews behind a figure that counts reviews (None: it counts findings)."""
    insp = sc.inspections
    match parts:
        case ["inspections"] | ["agencies_inspected"]:
            return insp
        case ["agencies_with_findings"]:
            return insp[(insp["deficiencies"] + insp["areas_of_concern"]) > 0]
        case ["agencies_requiring_follow_up"] | ["follow_up", "required"]:
            return insp[insp["follow_up"]]
        case ["follow_up", "conducted"]:
            focus = sc.focus_reviews
            return focus[_conducted(focus)].assign(deficiencies=0, areas_of_concern=0,
                                                   best_practices=0)  # fmt: skip
    return None


def _detail_findings(f: pd.DataFrame, parts: list[str]) -> pd.DataFrame | None:
    """The findings behind a figure that counts findings (None: no such figure)."""
    match parts:
        case ["deficiencies" | "areas_of_concern" | "best_practices" as plural]:
            return f[f["kind"] == _kind_of(plural)]
        case [by_topic, topic] if by_topic.endswith("_by_topic"):
            kind = _kind_of(by_topic.removesuffix("_by_topic"))
            return f[(f["kind"] == kind) & (f["topic"].fillna("unspecified") == topic)]
        case ["by_responsible", party, plural]:
            return f[(f["responsible"] == party) & (f["kind"] == _kind_of(plural))]
        case ["follow_up", what] if what.endswith(("_reviewed", "_resolved")):
            plural, _, outcome = what.rpartition("_")
            judged = f[_judged(f) & (f["kind"] == _kind_of(plural))]
            if outcome == "resolved":
                judged = judged[judged["status"] == FindingStatus.RESOLVED.value]
            return judged
    return None


def _kind_of(plural: str) -> str:
    for kind, name in PLURAL.items():
        if name == plural:
            return kind
    raise KeyError(f"no finding kind {plural!r}")


# --- text -----------------------------------------------------------------------------


def format_summary(s: dict[str, Any], titles: dict[str, str] | None = None) -> str:
    """The summary as a readable table for a terminal."""
    titles = titles or {}
    fu = s["follow_up"]
    head = f"Fiscal year {s['fiscal_year']}" + (f", {s['model']} only" if s["model"] else "")
    if s.get("field_office"):
        head += f", field office {s['field_office']}"
    lines = [head, "=" * len(head)]
    rows = [
        ("Inspections", s["inspections"]),
        ("Agencies inspected", s["agencies_inspected"]),
        ("Agencies with findings", s["agencies_with_findings"]),
        ("Deficiencies", s["deficiencies"]),
        ("Areas of concern", s["areas_of_concern"]),
        ("Best practices", s["best_practices"]),
        ("Agencies requiring follow-up", s["agencies_requiring_follow_up"]),
    ]
    lines += [f"{label:<32}{value:>8}" for label, value in rows]
    nf = s.get("not_final", {}).get("inspections", 0)
    if nf:
        lines.append(f"{'Not final (not counted)':<32}{nf:>8}")
    lines += ["", f"{'Topic':<32}{'Defic.':>8}{'Concern':>9}"]
    for code in s["deficiencies_by_topic"]:
        d = s["deficiencies_by_topic"].get(code, 0)
        a = s["areas_of_concern_by_topic"].get(code, 0)
        lines.append(f"{code:<32}{d:>8}{a:>9}")
    lines += ["", f"{'Responsible':<32}{'Defic.':>8}{'Concern':>9}"]
    for party, c in s["by_responsible"].items():
        name = RESPONSIBLE_LABELS.get(party, party.upper())
        lines.append(f"{name:<32}{c['deficiencies']:>8}{c['areas_of_concern']:>9}")
    lines += [
        "",
        "Follow-up",
        f"{'  required (inspections)':<32}{fu['required']:>8}",
        f"{'  focus reviews conducted':<32}{fu['conducted']:>8}",
        f"{'  deficiencies resolved':<32}{fu['deficiencies_resolved']:>8} of {fu['deficiencies_reviewed']}",
        f"{'  areas of concern resolved':<32}{fu['areas_of_concern_resolved']:>8} of {fu['areas_of_concern_reviewed']}",
    ]
    return "\n".join(lines)


# --- the annual report's tables ----------------------------------------------------------

TREND_YEARS = 6  # the fiscal year and the five before it, like GAO's tables 2 and 3


def topic_table(frames: ProgramFrames, fiscal_year: int, kind: str,
                years: int = TREND_YEARS) -> pd.DataFrame:  # fmt: skip
    """Findings of one kind by responsible party and topic (rows) per fiscal year (columns),
    with a Total column and a Total row; only rows with a finding are listed."""
    fys = list(range(fiscal_year - years + 1, fiscal_year + 1))
    parts = []
    for fy in fys:
        f = scope(frames, fy).findings
        f = f[f["kind"] == kind]
        parts.append(f.assign(fy=fy)[["responsible", "topic", "fy"]])
    allf = pd.concat(parts) if parts else pd.DataFrame(columns=["responsible", "topic", "fy"])
    allf["topic"] = allf["topic"].fillna("unspecified")
    table = pd.crosstab([allf["responsible"], allf["topic"]], allf["fy"]) if len(allf) else None
    cols = [f"FY{y}" for y in fys]
    if table is None:
        return pd.DataFrame(columns=["Responsible", "Topic", *cols, "Total"])
    table = table.reindex(columns=fys, fill_value=0)
    table.columns = cols
    table["Total"] = table.sum(axis=1)
    order = {t: i for i, t in enumerate(frames.topics)}
    table = table.reset_index().rename(columns={"responsible": "Responsible", "topic": "Topic"})
    table["_o"] = table["Topic"].map(lambda t: order.get(t, len(order)))
    table = table.sort_values(["Responsible", "Total", "_o"], ascending=[False, False, True])
    table = table.drop(columns="_o")
    table["Responsible"] = table["Responsible"].map(
        lambda p: RESPONSIBLE_LABELS.get(p, str(p).upper())
    )
    total = {"Responsible": "Total", "Topic": "", **{c: int(table[c].sum()) for c in cols},
             "Total": int(table["Total"].sum())}  # fmt: skip
    return pd.concat([table, pd.DataFrame([total])], ignore_index=True)


def trend(frames: ProgramFrames, fiscal_year: int, years: int = TREND_YEARS) -> pd.DataFrame:
    """Per fiscal year: inspections, agencies inspected and with findings (GAO figure 3)."""
    rows = []
    for fy in range(fiscal_year - years + 1, fiscal_year + 1):
        s = summary(frames, fy)
        rows.append({"Fiscal year": fy, "Inspections": s["inspections"],
                     "Agencies inspected": s["agencies_inspected"],
                     "Agencies with findings": s["agencies_with_findings"],
                     "Deficiencies": s["deficiencies"],
                     "Areas of concern": s["areas_of_concern"]})  # fmt: skip
    return pd.DataFrame(rows)


def follow_up_status(frames: ProgramFrames, fiscal_year: int, model: str | None = None
                     ) -> pd.DataFrame:  # fmt: skip
    """The inspections requiring follow-up and the state of their focus reviews."""
    sc = scope(frames, fiscal_year, model)
    need = sc.inspections[sc.inspections["follow_up"]].sort_values(["agency", "start_date"])
    focus, f = sc.focus_reviews, sc.findings
    rows = []
    for r in need.itertuples(index=False):
        mine = focus[focus["parent_review_id"] == r.id].sort_values(
            "start_date", na_position="last"
        )
        own = f[(f["review_id"] == r.id) & f["kind"].isin([D, A])]
        judged = own[_judged(own)]
        if mine.empty:
            state, due, when = "not scheduled", None, None
        else:
            last = mine.iloc[-1]
            state, due, when = last["status"], last["due_date"], last["start_date"]
        rows.append({
            "Agency": r.agency, "State": r.state, "Inspection": r.start_date,
            "Deficiencies": r.deficiencies, "Areas of concern": r.areas_of_concern,
            "Focus review": state, "Due": due, "Conducted": when,
            "Judged": len(judged),
            "Resolved": int((judged["status"] == FindingStatus.RESOLVED.value).sum()),
            "review_id": r.id,
        })  # fmt: skip
    cols = ["Agency", "State", "Inspection", "Deficiencies", "Areas of concern", "Focus review",
            "Due", "Conducted", "Judged", "Resolved", "review_id"]  # fmt: skip
    return pd.DataFrame(rows, columns=cols)


# --- the national roll-up ----------------------------------------------------------------

ROLLUP_YEARS = 3  # the trend of the roll-up: the fiscal year and the two before it
ROLLUP_COLUMNS = ["Field office", "Inspections", "Agencies inspected", "Agencies with findings",
                  "Deficiencies", "Areas of concern", "Requiring follow-up"]  # fmt: skip
UNASSIGNED = "No field office"


def by_field_office(frames: ProgramFrames, fiscal_year: int, office_of: dict[str, str]
                    ) -> pd.DataFrame:  # fmt: skip
    """OPR's figures per field office (`office_of`: agency id -> field office name), one
    row per office with an inspection, then a Total row across them."""
    sc = scope(frames, fiscal_year)
    insp = sc.inspections.assign(
        office=sc.inspections["agency_id"].map(lambda a: office_of.get(a) or UNASSIGNED)
    )
    rows = []
    for office, group in insp.groupby("office", sort=True):
        rows.append(_office_row(str(office), group))
    total = _office_row("Total", insp)
    total["Field office"] = f"Total ({len(rows)} field office{'s' if len(rows) != 1 else ''})"
    return pd.DataFrame([*rows, total], columns=ROLLUP_COLUMNS)


def _office_row(name: str, insp: pd.DataFrame) -> dict[str, Any]:
    found = (insp["deficiencies"] + insp["areas_of_concern"]) > 0
    return {
        "Field office": name, "Inspections": len(insp),
        "Agencies inspected": int(insp["agency_id"].nunique()),
        "Agencies with findings": int(insp.loc[found, "agency_id"].nunique()),
        "Deficiencies": int(insp["deficiencies"].sum()),
        "Areas of concern": int(insp["areas_of_concern"].sum()),
        "Requiring follow-up": int(insp["follow_up"].sum()),
    }  # fmt: skip


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _share(n: int, d: int) -> str:
    return f" ({n / d:.0%})" if d else ""


def top_topics_of(s: dict[str, Any], titles: dict[str, str], n: int = 3) -> list[tuple[str, int]]:
    """The `n` most frequent topics of the year's deficiencies and areas of concern, with
    their titles, most frequent first (ties in the topics file's order)."""
    counts = {t: s["deficiencies_by_topic"].get(t, 0) + s["areas_of_concern_by_topic"].get(t, 0)
              for t in s["deficiencies_by_topic"]}  # fmt: skip
    ranked = sorted((c for c in counts.items() if c[1]), key=lambda c: -c[1])[:n]
    return [(titles.get(code, code), count) for code, count in ranked]


def narrative(s: dict[str, Any], trend_rows: pd.DataFrame, titles: dict[str, str]) -> str:
    """The year in a few sentences a program manager can paste into a briefing: the
    counts against the year before, the most frequent topics and the follow-up status."""
    fy, fu = s["fiscal_year"], s["follow_up"]
    where = f" in field office {s['field_office']}" if s.get("field_office") else ""
    parts = [
        f"In fiscal year {fy}, OPR completed {_plural(s['inspections'], 'final JEM inspection', 'final JEM inspections')}"
        f"{where} of {_plural(s['agencies_inspected'], 'agency', 'agencies')}"
        + _compared(trend_rows, fy) + ".",
        f"{_plural(s['agencies_with_findings'], 'agency', 'agencies')}"
        f"{_share(s['agencies_with_findings'], s['agencies_inspected'])} had at least one "
        f"deficiency or area of concern; inspectors recorded "
        f"{_plural(s['deficiencies'], 'deficiency', 'deficiencies')}, "
        f"{_plural(s['areas_of_concern'], 'area of concern', 'areas of concern')} and "
        f"{_plural(s['best_practices'], 'best practice', 'best practices')}.",
    ]  # fmt: skip
    top = top_topics_of(s, titles)
    if top:
        listed = "; ".join(f"{t.split(' (')[0].lower()} ({n})" for t, n in top)
        parts.append(f"The most frequent topics were {listed}.")
    parts.append(_follow_up_sentence(fu))
    nf = s.get("not_final", {}).get("inspections", 0)
    if nf:
        parts.append(f"{_plural(nf, 'inspection', 'inspections')} begun in the year "
                     f"{'is' if nf == 1 else 'are'} not final yet and not counted.")  # fmt: skip
    return " ".join(parts)


def _compared(trend_rows: pd.DataFrame, fy: int) -> str:
    before = trend_rows[trend_rows["Fiscal year"] == fy - 1]
    if before.empty:
        return ""
    n = int(before.iloc[0]["Inspections"])
    return f" (FY{fy - 1}: {_plural(n, 'inspection', 'inspections')})"


def _follow_up_sentence(fu: dict[str, int]) -> str:
    if not fu["required"]:
        return "No inspection had 4 or more deficiencies and areas of concern together."
    judged = fu["deficiencies_reviewed"] + fu["areas_of_concern_reviewed"]
    resolved = fu["deficiencies_resolved"] + fu["areas_of_concern_resolved"]
    text = (f"{_plural(fu['required'], 'inspection', 'inspections')} had 4 or more deficiencies "
            f"and areas of concern together and {'needs' if fu['required'] == 1 else 'need'} a "
            f"focus review within 6 months; {fu['conducted']} "
            f"{'has' if fu['conducted'] == 1 else 'have'} been conducted")  # fmt: skip
    if judged:
        text += f", and {resolved} of the {judged} findings judged at follow-up were resolved"
    return text + "."
