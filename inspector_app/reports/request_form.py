"""The WSO Internal Oversight Review request form.

Sent by the National Program Managers to the field office's point of contact several
weeks before the visit: the information about the LEA and the documents that show
compliance with the MOA, the date they are due and the planned dates. When the review
has no InfoRequest yet, the defaults below are used (the field office's POC, the
standard list, due three weeks before the planned start).
"""

from __future__ import annotations

from datetime import date, timedelta

from reportlab.platypus import Flowable, Spacer

from inspector_app.domain.enums import ReviewMode
from inspector_app.domain.request_form import DEFAULT_REQUEST_ITEMS

from .base import BaseReport, callout, data_table, date_range, fmt_date, inch, kv_table, para
from .inspection import meta_for
from .sources import ReportSources

__all__ = ["DEFAULT_REQUEST_ITEMS", "RequestFormReport", "default_due_date"]

DUE_BEFORE_VISIT = timedelta(days=21)


def default_due_date(planned_start: date | None) -> date | None:
    return planned_start - DUE_BEFORE_VISIT if planned_start else None


class RequestFormReport(BaseReport):
    report_title = "Internal Oversight Review request form"

    def __init__(self, src: ReportSources):
        self.src = src
        # A request form is a letter, not a finding: it is never watermarked DRAFT.
        super().__init__(meta_for("request_form", self.report_title, src, draft=False))

    def story(self) -> list[Flowable]:
        d = self.src.data
        r, req, office = d.review, d.info_request, d.field_office
        poc_name = (
            req.poc_name if req and req.poc_name else (office.poc_name if office else "")
        ) or "—"
        poc_email = req.poc_email if req and req.poc_email else (office.poc_email if office else "")
        start, end = r.planned_start or r.start_date, r.planned_end or r.end_date
        due = (req.due_on if req and req.due_on else None) or default_due_date(start)
        if d.info_request_items:
            items = [(i.description, i.received_on) for i in d.info_request_items]
        else:
            items = [(text, None) for text in DEFAULT_REQUEST_ITEMS]
        to = poc_name + (f" <{poc_email}>" if poc_email else "")
        facts: list[tuple[str, object]] = [
            ("To", f"{to}, 287(g) point of contact"
                   + (f", {office.name} field office" if office else "")),
            ("From", "287(g) National Program Managers, ERO Headquarters"),
            ("Date sent", fmt_date(req.sent_on if req else None, "not sent yet")),
            ("Agency", f"{d.agency.name} ({d.agency.state})"),
            ("Agreement", (f"WSO MOA {d.agreement.moa_number}, signed {fmt_date(d.agreement.signed_on)}"
                           if d.agreement else "—")),
            ("Planned review dates", f"{date_range(start, end)} · {ReviewMode(r.mode).label}"),
            ("Review team", ", ".join(r.team) or "—"),
        ]  # fmt: skip
        out: list[Flowable] = [
            para("U.S. Immigration and Customs Enforcement · Enforcement and Removal Operations",
                 "Muted"),
            para(self.report_title, "Title"),
            para("Warrant Service Officer (WSO) program", "Subtitle"),
            kv_table(facts),
            Spacer(1, 10),
            callout(f"Please send the information and documents below by {fmt_date(due, 'the date agreed')}."),
            Spacer(1, 8),
            para(
                f"ERO Headquarters will conduct an internal oversight review of "
                f"{d.agency.name}'s 287(g) Warrant Service Officer program on "
                f"{date_range(start, end)}. The review checks compliance with the Memorandum of "
                "Agreement and includes standardized interviews with the agency's warrant service "
                "officers. To prepare, please provide the following information and documents "
                "about the agency. Where a document does not exist, please say so.",
                "Memo",
            ),
            para("Information and documents requested", "H1"),
        ]  # fmt: skip
        rows = [
            [str(n), text, fmt_date(received, "")] for n, (text, received) in enumerate(items, 1)
        ]
        out += data_table(["No.", "Information or document", "Received"], rows,
                          [0.45 * inch, 4.95 * inch, 1.1 * inch])  # fmt: skip
        if req and req.notes:
            out += [para("Notes", "H2"), para(req.notes)]
        out += [
            Spacer(1, 10),
            para("Please send the documents to the review team by e-mail or through the field "
                 "office. Questions about this request can be addressed to the lead inspector, "
                 f"{r.lead_inspector or 'named above'}.", "Memo"),
        ]  # fmt: skip
        return out


__all__ = ["DEFAULT_REQUEST_ITEMS", "DUE_BEFORE_VISIT", "RequestFormReport", "default_due_date"]
