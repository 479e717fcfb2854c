"""The annual program report of a fiscal year (OPR's annual report of all inspections).

The summary of the year; deficiencies and areas of concern by responsible party and
topic for the year and the five before it (like GAO-21-186 tables 2 and 3); a bar chart
of agencies inspected and agencies with findings per fiscal year (like its figure 3);
and the agencies requiring follow-up with the state of their focus reviews. Every figure
comes from inspector_app.analytics.summary, the one implementation the CLI and GUI use.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.platypus import Flowable, PageBreak, Spacer

from inspector_app.analytics.loader import ProgramFrames
from inspector_app.analytics.summary import (
    RESPONSIBLE_LABELS,
    ROLLUP_YEARS,
    A,
    D,
    by_field_office,
    follow_up_status,
    narrative,
    summary,
    topic_table,
    trend,
)
from inspector_app.analytics.wso_summary import label_of
from inspector_app.domain.calendar import FiscalYear
from inspector_app.domain.enums import ReviewStatus

from .base import (
    FONT,
    KIND_COLORS,
    NAVY,
    BaseReport,
    ReportMeta,
    counts_box,
    data_table,
    fingerprint,
    fmt_date,
    inch,
    kv_table,
    para,
    section,
)

BAR_INSPECTED = NAVY
BAR_FINDINGS = colors.HexColor("#B26A00")


def _n(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _without_office(summary: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in summary.items() if k != "field_office"}


def _ratio(n: int, d: int) -> str:
    return f"{n} of {d} ({n / d:.0%})" if d else f"{n} of {d}"


class AnnualReport(BaseReport):
    report_title = "Annual inspection report"

    def __init__(self, frames: ProgramFrames, fiscal_year: int,
                 topic_titles: dict[str, str] | None = None,
                 office_of: dict[str, str] | None = None) -> None:  # fmt: skip
        """`office_of` (agency id -> field office name) adds the national roll-up: the
        figures of each field office and their total."""
        self.frames, self.fy = frames, fiscal_year
        self.titles = topic_titles or {}
        self.summary = summary(frames, fiscal_year)
        self.trend = trend(frames, fiscal_year)
        self.rollup = (
            by_field_office(frames, fiscal_year, office_of)
            if office_of is not None and frames.field_office is None
            else None
        )
        self.narrative = narrative(self.summary, self.trend, self.titles)
        self.deficiency_table = topic_table(frames, fiscal_year, D)
        self.concern_table = topic_table(frames, fiscal_year, A)
        self.follow_up = follow_up_status(frames, fiscal_year)
        office = frames.field_office  # narrowed to one field office: every title says so
        self.covers = office.describe() if office else ""
        covers = f", {self.covers}" if office else ""
        fy_end = FiscalYear(fiscal_year).end
        meta = ReportMeta(
            title=f"287(g) annual inspection report, FY{fiscal_year}{covers}",
            subject=f"Inspections of fiscal year {fiscal_year} ({FiscalYear(fiscal_year).start} "
                    f"to {fy_end})",
            created=datetime(fy_end.year, fy_end.month, fy_end.day, tzinfo=UTC),
            # The whole program's document id stays what it was before field offices
            # (the same data, the same bytes); a narrowed report's id includes its office.
            fingerprint=fingerprint(_without_office(self.summary), self.trend.to_dict("records"),
                                    self.deficiency_table.to_dict("records"),
                                    self.concern_table.to_dict("records"),
                                    self.follow_up.drop(columns="review_id").to_dict("records"),
                                    *([self.summary["field_office"]] if office else []),
                                    *([self.rollup.to_dict("records")]
                                      if self.rollup is not None else [])),
            running_head=f"Annual inspection report FY{fiscal_year}{covers}",
        )  # fmt: skip
        super().__init__(meta)

    # --- story ---------------------------------------------------------------------

    def story(self) -> list[Flowable]:
        s, fy = self.summary, self.fy
        fu = s["follow_up"]
        out: list[Flowable] = [
            para("U.S. Immigration and Customs Enforcement · Office of Professional "
                 "Responsibility · 287(g) Inspections Unit", "Muted"),
            para(f"Annual inspection report, fiscal year {fy}", "Title"),
            *([para(f"{self.covers}: the agencies of this field office only", "Subtitle")]
              if self.covers else []),
            para(f"{FiscalYear(fy).start} to {FiscalYear(fy).end}: the final JEM inspections "
                 "begun in the fiscal year (WSO internal oversight reviews have their own "
                 "annual summaries)", "Subtitle"),
            *self._not_final(),
            counts_box([
                ("Inspections", s["inspections"], None),
                ("Agencies with findings", s["agencies_with_findings"], None),
                ("Deficiencies", s["deficiencies"], KIND_COLORS["deficiency"]),
                ("Areas of concern", s["areas_of_concern"], KIND_COLORS["area_of_concern"]),
                ("Best practices", s["best_practices"], KIND_COLORS["best_practice"]),
            ]),
            Spacer(1, 10),
            *section("The year in brief", para(self.narrative, "Body")),
            para("Summary", "H1"),
            kv_table([
                ("Agencies inspected", s["agencies_inspected"]),
                ("Agencies with findings", _ratio(s["agencies_with_findings"], s["agencies_inspected"])),
                ("Requiring follow-up", f"{_n(s['agencies_requiring_follow_up'], 'agency', 'agencies')} "
                                        f"({_n(fu['required'], 'inspection', 'inspections')} with 4 "
                                        "or more deficiencies and areas of concern)"),
                ("Focus reviews conducted", _ratio(fu["conducted"], fu["required"])),
                ("Deficiencies resolved", _ratio(fu["deficiencies_resolved"], fu["deficiencies_reviewed"])
                 + " of those reviewed at follow-up"),
                ("Areas of concern resolved", _ratio(fu["areas_of_concern_resolved"],
                                                     fu["areas_of_concern_reviewed"])
                 + " of those reviewed at follow-up"),
                *self._by_responsible(),
            ], label_width=2.0 * inch),
            *section("Findings by topic this year", body=self._topic_year_table(), style="H2"),
            *self._rollup(),
            PageBreak(),
            *section("Agencies inspected and agencies with findings",
                     para(f"Fiscal years {fy - 5} to {fy}. An agency has findings when an "
                          "inspection found at least one deficiency or area of concern.",
                          "Muted"),
                     *self._chart(),
                     body=data_table(list(self.trend.columns), self.trend.values.tolist(),
                                     [1.0 * inch] + [1.1 * inch] * (len(self.trend.columns) - 1))),
            *section("Deficiencies by responsible party and topic",
                     body=self._trend_table(self.deficiency_table, "deficiencies")),
            *section("Areas of concern by responsible party and topic",
                     body=self._trend_table(self.concern_table, "areas of concern")),
            *section("Agencies requiring follow-up", body=self._follow_up()),
        ]  # fmt: skip
        return out

    def _not_final(self) -> list[Flowable]:
        nf = self.summary["not_final"]["inspections"]
        if not nf:
            return []
        return [para(f"Not final (not counted): {_n(nf, 'inspection', 'inspections')} begun in "
                     "the fiscal year, still planned, in progress or in report draft.", "Note")]  # fmt: skip

    def _by_responsible(self) -> list[tuple[str, str]]:
        """One line per responsible party with findings (LEA and ICE always)."""
        rows = []
        for party, c in self.summary["by_responsible"].items():
            if party in ("lea", "ice") or c["deficiencies"] or c["areas_of_concern"]:
                rows.append((f"By {RESPONSIBLE_LABELS.get(party, party.upper())}",
                             f"{_n(c['deficiencies'], 'deficiency', 'deficiencies')}, "
                             f"{_n(c['areas_of_concern'], 'area of concern', 'areas of concern')}"))  # fmt: skip
        return rows

    def _rollup(self) -> list[Flowable]:
        """The national roll-up: each field office's figures and the total across them,
        and the three-year trend (GAO-21-186 figure 3)."""
        if self.rollup is None:
            return []
        t = self.rollup
        fy = self.fy
        recent = self.trend[self.trend["Fiscal year"] > fy - ROLLUP_YEARS]
        rows = [[f"FY{r['Fiscal year']}", r["Agencies inspected"], r["Agencies with findings"],
                 f"{r['Agencies with findings'] / r['Agencies inspected']:.0%}"
                 if r["Agencies inspected"] else "—", r["Deficiencies"], r["Areas of concern"]]
                for r in recent.to_dict("records")]  # fmt: skip
        return [
            PageBreak(),
            *section("National roll-up",
                     para(f"OPR's figures for FY{fy} by field office: final JEM inspections, "
                          "with the total across field offices.", "Muted"),
                     body=data_table(list(t.columns), t.values.tolist(),
                                     [1.6 * inch] + [0.8 * inch] * (len(t.columns) - 1))),
            *section(f"Three-year trend, FY{fy - ROLLUP_YEARS + 1} to FY{fy}",
                     para("Agencies inspected, agencies with a deficiency or area of concern, "
                          "and the findings, as in GAO-21-186 figure 3.", "Muted"),
                     body=data_table(["Fiscal year", "Agencies inspected",
                                      "Agencies with findings", "With findings",
                                      "Deficiencies", "Areas of concern"], rows,
                                     [1.0 * inch, 1.1 * inch, 1.2 * inch, 1.0 * inch, 1.0 * inch,
                                      1.2 * inch]), style="H2"),
        ]  # fmt: skip

    def _title(self, code: str) -> str:
        return self.titles.get(code, code) if code else ""

    def _topic_year_table(self) -> list[Flowable]:
        s = self.summary
        rows = [
            [self._title(code), n, s["areas_of_concern_by_topic"].get(code, 0)]
            for code, n in s["deficiencies_by_topic"].items()
            if n or s["areas_of_concern_by_topic"].get(code, 0)
        ]
        if not rows:
            return [para("No deficiencies or areas of concern in this fiscal year.", "Note")]
        return data_table(["Topic", "Deficiencies", "Areas of concern"], rows,
                          [4.3 * inch, 1.1 * inch, 1.1 * inch])  # fmt: skip

    def _trend_table(self, table: pd.DataFrame, what: str) -> list[Flowable]:
        if len(table) <= 1:
            return [para(f"No {what} in these fiscal years.", "Note")]
        rows = []
        for rec in table.to_dict("records"):  # "Responsible" is a label already
            topic = self._title(rec["Topic"]) if rec["Topic"] else ""
            rows.append([rec["Responsible"], topic, *[rec[c] for c in table.columns[2:]]])
        n_years = len(table.columns) - 3
        widths = [0.55 * inch, 2.35 * inch] + [0.5 * inch] * n_years + [0.6 * inch]
        return data_table(["By", "Topic", *[c.replace("FY", "FY ") for c in table.columns[2:-1]],
                           "Total"], rows, widths)  # fmt: skip

    def _follow_up(self) -> list[Flowable]:
        t = self.follow_up
        if t.empty:
            return [para("No inspection of this fiscal year had 4 or more deficiencies and areas "
                         "of concern together.", "Note")]  # fmt: skip
        rows = [[f"{r['Agency']}, {r['State']}", fmt_date(r["Inspection"]),
                 f"{r['Deficiencies']} / {r['Areas of concern']}", _focus(r),
                 f"{r['Resolved']} of {r['Judged']}" if r["Judged"] else "—"]
                for r in t.to_dict("records")]  # fmt: skip
        return [
            para("Inspections with 4 or more deficiencies and areas of concern together get a "
                 "focus review within 6 months; each earlier finding is judged resolved or "
                 "unresolved.", "Muted"),
            *data_table(["Agency", "Inspection", "D / A", "Focus review", "Resolved"], rows,
                        [2.6 * inch, 0.9 * inch, 0.55 * inch, 1.7 * inch, 0.75 * inch]),
        ]  # fmt: skip

    def _chart(self) -> list[Drawing]:
        """The bars from the first year with an inspection on; none (the table follows)
        when fewer than two years have any: a chart of zeros says nothing."""
        t = self.trend
        busy = t["Agencies inspected"] > 0
        if int(busy.sum()) < 2:
            return []
        t = t[t["Fiscal year"] >= t.loc[busy, "Fiscal year"].min()]
        return [bar_chart(
            [f"FY{y}" for y in t["Fiscal year"]],
            [("Agencies inspected", t["Agencies inspected"].tolist(), BAR_INSPECTED),
             ("Agencies with findings", t["Agencies with findings"].tolist(), BAR_FINDINGS)],
            width=6.5 * inch, height=(2.9 if len(t) > 3 else 2.2) * inch,
        )]  # fmt: skip


def _focus(r: Mapping[Any, Any]) -> str:
    """A follow-up row's focus review: its status label, with when it was or is due."""
    state = r["Focus review"]
    if state == "not scheduled":
        return "Not scheduled"
    text = label_of(ReviewStatus, state)
    if r["Conducted"] is not None:
        return f"{text}, conducted {fmt_date(r['Conducted'])}"
    return f"{text}, due {fmt_date(r['Due'])}" if r["Due"] is not None else text


def bar_chart(categories: list[str], series: list[tuple[str, list[Any], colors.Color]], *,
              width: float, height: float) -> Drawing:  # fmt: skip
    """Grouped vertical bars with values on top and a legend (reportlab.graphics)."""
    d = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 36, 40
    chart.width, chart.height = width - 56, height - 70
    chart.data = [[int(v) for v in values] for _name, values, _c in series] or [[0]]
    chart.categoryAxis.categoryNames = categories
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    top = max([max(s, default=0) for s in chart.data] + [1])
    step = nice_step(top)
    chart.valueAxis.valueMax = step * (top // step + 1)  # headroom for the bar labels
    chart.valueAxis.valueStep = step
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#DDE3EA")
    chart.barSpacing, chart.groupSpacing = 2, 10
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 6
    for i, (_name, _values, color) in enumerate(series):
        chart.bars[i].fillColor = color
        chart.bars[i].strokeColor = None
    d.add(chart)
    legend = Legend()
    legend.x, legend.y = 40, height - 10
    legend.fontName, legend.fontSize = FONT, 8
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = 130
    legend.colorNamePairs = [(c, name) for name, _v, c in series]
    d.add(legend)
    return d


def nice_step(top: int, ticks: int = 5) -> int:
    """A 1, 2 or 5 times a power of ten step giving about `ticks` gridlines up to `top`."""
    raw = max(top / ticks, 1)
    power = 1
    while power * 10 <= raw:
        power *= 10
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
