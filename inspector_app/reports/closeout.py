"""The corrective-action closeout memo: per finding, the corrective actions, owner,
dates and evidence. Only produced when the domain's closeout rule finds nothing open
(`closeout_blockers`); the builder refuses otherwise, so no caller can skip the check.
"""

from __future__ import annotations

from datetime import date

from reportlab.platypus import Flowable, Spacer

from inspector_app.domain.closeout import (
    ActionFacts,
    closeout_blockers,
    needs_corrective_action,
    remediated_on_time,
)
from inspector_app.domain.enums import ReviewKind

from .base import (
    KIND_COLORS,
    BaseReport,
    counts_box,
    data_table,
    date_range,
    fmt_date,
    inch,
    keep,
    kv_table,
    para,
)
from .inspection import meta_for
from .sources import ReportSources, closeout_facts, finding_label, kind_label, party_label


class FindingsStillOpen(Exception):
    """The review cannot be closed out yet; `blockers` has one line per open finding."""

    def __init__(self, blockers: list[str]):
        self.blockers = blockers
        super().__init__("; ".join(blockers))


class CloseoutMemo(BaseReport):
    report_title = "Corrective-action closeout memo"

    def __init__(self, src: ReportSources):
        blockers = closeout_blockers(closeout_facts(src.data))
        if blockers:
            raise FindingsStillOpen(blockers)
        self.src = src
        # Issued only once everything is closed: a memo is never a draft.
        super().__init__(meta_for("closeout", self.report_title, src, draft=False))

    def story(self) -> list[Flowable]:
        d, r = self.src.data, self.src.data.review
        findings = [f for f in d.findings if needs_corrective_action(f.kind)]
        actions = [a for f in findings for a in d.actions.get(f.id, [])]
        on_time = sum(1 for a in actions
                      if remediated_on_time(ActionFacts(a.status, a.due_on, a.completed_on)))  # fmt: skip
        last = max((a.completed_on for a in actions if a.completed_on), default=None)
        office = d.field_office
        facts: list[tuple[str, object]] = [
            ("Memorandum for", f"Field Office Director, {office.name}" if office else "Field Office Director"),
            ("Through", "287(g) Program Management Unit, ERO Headquarters"),
            ("Subject", f"Closeout of corrective actions: {d.agency.name} ({d.agency.state})"),
            ("Review", f"{ReviewKind(r.kind).label}, {date_range(r.start_date, r.end_date)}"),
            ("Last action completed", fmt_date(last)),
        ]  # fmt: skip
        out: list[Flowable] = [
            para("U.S. Immigration and Customs Enforcement · Enforcement and Removal Operations",
                 "Muted"),
            para("Memorandum", "Title"),
            kv_table(facts, label_width=1.5 * inch),
            Spacer(1, 10),
            para(
                f"All {len(findings)} deficiencies and areas of concern identified in the "
                f"{ReviewKind(r.kind).label.lower()} of {d.agency.name} have corrective actions "
                "that are complete. The findings are closed out. The actions taken are listed "
                "below with their owners, dates and evidence.", "Memo"),
            counts_box([
                ("Findings closed", len(findings), KIND_COLORS["best_practice"]),
                ("Corrective actions", len(actions), None),
                ("Done on time", on_time, KIND_COLORS["best_practice"]),
                ("Done late", len(actions) - on_time, KIND_COLORS["area_of_concern"]),
            ]),
        ]  # fmt: skip
        if not findings:
            out.append(para("The review raised no deficiencies or areas of concern; no corrective "
                            "action was required.", "Memo"))  # fmt: skip
        for f in findings:
            head = para(f"{finding_label(f)} · {kind_label(f.kind)} · {self.src.topic_title(f.topic)}"
                        f" · responsible: {party_label(f.responsible)}", "H3")  # fmt: skip
            out.append(keep(head, para(f.description or "—", "Body")))
            rows = []
            for a in sorted(
                d.actions.get(f.id, []),
                key=lambda a: (a.due_on or a.completed_on or date.min, a.action),
            ):
                timely = remediated_on_time(ActionFacts(a.status, a.due_on, a.completed_on))
                rows.append([a.action, party_label(a.owner), fmt_date(a.due_on),
                             fmt_date(a.completed_on) + ("" if timely else " (late)"),
                             a.evidence or "—"])  # fmt: skip
            out += data_table(["Corrective action", "Owner", "Due", "Completed", "Evidence"], rows,
                              [2.2 * inch, 0.6 * inch, 0.85 * inch, 1.0 * inch, 1.85 * inch])  # fmt: skip
            out.append(Spacer(1, 6))
        return out


__all__ = ["CloseoutMemo", "FindingsStillOpen"]
