"""The annual WSO summary of one WSO-partner LEA (one PDF per LEA).

Warrants served per month and per fiscal year for the last three fiscal years, the
results of the LEA's WSO reviews in those years, and its warrant service officers with
their training and credential status at the fiscal year's end. The data comes from
inspector_app.analytics.wso_summary, which also fills the Excel workbook.
"""

from __future__ import annotations

from datetime import UTC, datetime

from reportlab.lib import colors
from reportlab.platypus import Flowable, Spacer

from inspector_app.analytics.wso_summary import ACTIVE, MONTH_NAMES, LeaSummary
from inspector_app.domain.calendar import FiscalYear

from .annual import bar_chart
from .base import (
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


def _count(value: object) -> str:
    """A month's count, "—" for a month not over yet (<NA>)."""
    try:
        return str(int(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return "—"


def _frame_rows(df) -> list:  # noqa: ANN001
    return df.to_dict("records")


class WsoSummaryReport(BaseReport):
    report_title = "Annual WSO summary"

    def __init__(self, lea: LeaSummary) -> None:
        self.lea = lea
        fy_end = lea.as_of or FiscalYear(lea.fiscal_year).end
        meta = ReportMeta(
            title=f"Annual WSO summary FY{lea.fiscal_year}: {lea.name}",
            subject=f"Warrant Service Officer program, {lea.name} ({lea.state})",
            created=datetime(fy_end.year, fy_end.month, fy_end.day, tzinfo=UTC),
            fingerprint=fingerprint(
                lea.name, lea.state, lea.moa_numbers, lea.agreement_status,
                lea.warrants.reset_index().to_dict("records"),
                lea.reviews.drop(columns="review_id").to_dict("records"),
                lea.officers.to_dict("records"), str(fy_end),
            ),
            running_head=f"{lea.name} · WSO summary FY{lea.fiscal_year}",
        )  # fmt: skip
        super().__init__(meta)

    def story(self) -> list[Flowable]:
        lea = self.lea
        fy = lea.fiscal_year
        by_year = lea.warrants_by_year
        o = lea.officers
        active = int((o["Status"] == ACTIVE).sum()) if len(o) else 0
        trained = (
            int(((o["Status"] == ACTIVE) & (o["Training"] == "Current")).sum()) if len(o) else 0
        )
        r = lea.final_reviews
        as_of = lea.as_of or FiscalYear(fy).end
        running = as_of < FiscalYear(fy).end
        out: list[Flowable] = [
            para("U.S. Immigration and Customs Enforcement · Enforcement and Removal Operations · "
                 "287(g) Program Management", "Muted"),
            para(f"Annual WSO summary, fiscal year {fy}", "Title"),
            para(f"{lea.name} ({lea.state})", "Subtitle"),
            kv_table([
                ("Agency", f"{lea.name}, {lea.county + ' County, ' if lea.county else ''}{lea.state}"),
                ("Field office", lea.field_office or "—"),
                ("WSO agreement", ", ".join(lea.moa_numbers) or "—"),
                ("Signed", fmt_date(lea.signed_on)),
                ("Agreement status", lea.agreement_status),
                ("Period", f"FY{lea.years[0]} to FY{fy} ({FiscalYear(lea.years[0]).start} to "
                           f"{FiscalYear(fy).end})"),
                *([("As of", f"{as_of} (the fiscal year is still running)")] if running else []),
            ]),
            Spacer(1, 8),
            counts_box([
                (f"Warrants FY{fy}", by_year.get(fy, 0), None),
                (f"Warrants FY{fy - 2}–{fy}", sum(by_year.values()), None),
                ("Final reviews", len(r), None),
                ("Active officers", active, None),
                ("Training current", trained, None if trained == active else colors.HexColor("#B3261E")),
            ]),
            *section("Warrants served",
                     para("Administrative warrants served by the LEA's warrant service officers "
                          "at release from criminal custody, by month of the fiscal year"
                          + (f"; — for a month after {as_of}." if running else "."), "Muted"),
                     *self._warrant_chart(), body=self._warrant_table()),
            *section("Reviews", body=self._reviews()),
            *section("Warrant service officers",
                     para(f"Training and credential status on {as_of}. WSOs need the WSO "
                          "course with its hours recorded; a suspended or revoked officer's "
                          "credential must be retrieved.", "Muted"),
                     body=self._officers()),
        ]  # fmt: skip
        return out

    def _warrant_chart(self) -> list[Flowable]:
        """Warrants per fiscal year; none when every year is 0 (the table says so)."""
        by_year = self.lea.warrants_by_year
        values = [by_year.get(y, 0) for y in self.lea.years]
        if not any(values):
            return [para("No warrants recorded in these fiscal years.", "Note")]
        return [bar_chart([f"FY{y}" for y in self.lea.years],
                          [("Warrants served", values, NAVY)],
                          width=6.5 * inch, height=1.6 * inch)]  # fmt: skip

    def _warrant_table(self) -> list[Flowable]:
        w = self.lea.warrants
        rows = [[f"FY{fy}", *[_count(rec[m]) for m in MONTH_NAMES], _count(rec["Total"])]
                for fy, rec in zip(w.index, w.to_dict("records"), strict=True)]  # fmt: skip
        widths = [0.65 * inch] + [0.42 * inch] * 12 + [0.6 * inch]
        return data_table(["FY", *MONTH_NAMES, "Total"], rows, widths)

    def _reviews(self) -> list[Flowable]:
        return [*self._final_reviews(), *self._not_final()]

    def _not_final(self) -> list[Flowable]:
        """Reviews begun but not final: listed on their own line, in no count."""
        r = self.lea.open_reviews
        if r.empty:
            return []
        listed = "; ".join(f"{x['Status'].lower()}, begun {fmt_date(x['Start'])}"
                           for x in _frame_rows(r))  # fmt: skip
        return [para(f"Not final (not counted): {len(r)} review{'s' if len(r) > 1 else ''} "
                     f"({listed}).", "Note")]  # fmt: skip

    def _final_reviews(self) -> list[Flowable]:
        r = self.lea.final_reviews
        if r.empty:
            return [para(f"No final WSO internal oversight review in FY{self.lea.years[0]} to "
                         f"FY{self.lea.fiscal_year}.", "Note")]  # fmt: skip
        rows = [[f"FY{x['Fiscal year']}", fmt_date(x["Start"]), x["Status"],
                 x["Deficiencies"], x["Areas of concern"], x["Best practices"],
                 x["Follow-up required"], x["Focus review"],
                 f"{x['Resolved']} of {x['Findings judged']}" if x["Findings judged"] else "—"]
                for x in _frame_rows(r)]  # fmt: skip
        return data_table(
            ["FY", "Start", "Status", "Def.", "Conc.", "Best", "Follow-up", "Focus review",
             "Resolved"], rows,
            [0.55 * inch, 0.8 * inch, 0.75 * inch, 0.45 * inch, 0.5 * inch, 0.45 * inch,
             0.7 * inch, 1.5 * inch, 0.8 * inch],
        )  # fmt: skip

    def _officers(self) -> list[Flowable]:
        o = self.lea.officers
        if o.empty:
            return [para("No warrant service officers on record.", "Note")]
        rows = [[x["Officer"], x["Credential"], x["Status"], x["Training"],
                 fmt_date(x["WSO course"]),
                 "—" if x["Hours"] is None or x["Hours"] != x["Hours"] else f"{x['Hours']:g}",
                 x["Credential retrieved"]] for x in _frame_rows(o)]  # fmt: skip
        return data_table(
            ["Officer", "Credential", "Status", "Training", "WSO course", "Hours", "Credential retrieved"],
            rows,
            [1.45 * inch, 0.8 * inch, 0.6 * inch, 1.55 * inch, 0.8 * inch, 0.45 * inch, 0.85 * inch],
        )  # fmt: skip
