"""The focus review report: each finding of the original inspection judged resolved or
unresolved, with the reviewer's note, and the totals.

The judgement is the focus review's checklist response keyed by domain.keys.finding_key; when
there is none (e.g. data synced from elsewhere) the original finding's status and
resolution fields are used.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.platypus import Flowable, Paragraph, Spacer

from inspector_app.domain.enums import (
    AnswerValue,
    FindingKind,
    FindingStatus,
    ReviewKind,
    ReviewMode,
)
from inspector_app.domain.keys import finding_key
from inspector_app.domain.labels import label
from inspector_app.store.models import Finding

from .base import (
    KIND_COLORS,
    NAVY,
    BaseReport,
    counts_box,
    data_table,
    date_range,
    esc,
    fmt_date,
    inch,
    keep,
    kv_table,
    para,
)
from .inspection import changed_callout, meta_for
from .sources import ReportSources, finding_label, kind_label, party_label, status_label

VERDICT_LABELS: dict[str | None, str] = {
    AnswerValue.RESOLVED: label(AnswerValue.RESOLVED),
    AnswerValue.UNRESOLVED: label(AnswerValue.UNRESOLVED),
    None: "Not yet judged",
}
VERDICT_COLORS = {"resolved": KIND_COLORS["best_practice"], "unresolved": KIND_COLORS["deficiency"],
                  None: NAVY}  # fmt: skip


@dataclass(frozen=True)
class Judgement:
    finding: Finding
    verdict: str | None  # resolved | unresolved | None (not judged yet)
    note: str


def judgements(src: ReportSources) -> list[Judgement]:
    """The verdict on each of the parent's findings (best practices need none)."""
    d = src.data
    out = []
    for f in d.parent_findings:
        if f.kind == FindingKind.BEST_PRACTICE:
            continue
        resp = d.responses.get(finding_key(f.id))
        if resp is not None and resp.value in (AnswerValue.RESOLVED, AnswerValue.UNRESOLVED):
            out.append(Judgement(f, resp.value, resp.note))
        elif f.resolved_by_review_id == d.review.id and f.status != FindingStatus.OPEN:
            out.append(Judgement(f, f.status, f.resolution))
        else:
            out.append(Judgement(f, None, resp.note if resp else ""))
    return out


class FocusReviewReport(BaseReport):
    report_title = "Focus review report"

    def __init__(self, src: ReportSources):
        self.src = src
        super().__init__(meta_for("focus_review", self.report_title, src))

    def story(self) -> list[Flowable]:
        d, r, parent = self.src.data, self.src.data.review, self.src.data.parent
        items = judgements(self.src)
        resolved = sum(1 for j in items if j.verdict == "resolved")
        unresolved = sum(1 for j in items if j.verdict == "unresolved")
        pending = len(items) - resolved - unresolved
        facts: list[tuple[str, object]] = [
            ("Agency", f"{d.agency.name} ({d.agency.state})"),
            ("Field office", d.field_office.name if d.field_office else "—"),
            ("Follows up", (f"{ReviewKind(parent.kind).label} of "
                            f"{date_range(parent.start_date, parent.end_date)}") if parent else "—"),
            ("Focus review", f"{ReviewMode(r.mode).label} · "
                             f"{date_range(r.start_date or r.planned_start, r.end_date or r.planned_end)}"),
            ("Due by", fmt_date(r.due_date)),
            ("Team", ", ".join(r.team) or "—"),
            ("Lead inspector", r.lead_inspector or "—"),
            ("Status", status_label(self.src)),
        ]  # fmt: skip
        out: list[Flowable] = [
            para("U.S. Immigration and Customs Enforcement · 287(g) Program oversight", "Muted"),
            para(self.report_title, "Title"),
            para(d.agency.name, "Subtitle"),
            kv_table(facts),
            *([Spacer(1, 10), changed_callout(self.src.changed_since_final)]
              if self.src.tampered else []),
            Spacer(1, 10),
            para("Totals", "H1"),
            counts_box([
                ("Resolved", resolved, VERDICT_COLORS["resolved"]),
                ("Unresolved", unresolved, VERDICT_COLORS["unresolved"]),
                ("Not yet judged", pending, NAVY),
                ("Findings followed up", len(items), None),
            ]),
            Spacer(1, 6),
        ]  # fmt: skip
        by_kind = []
        for kind in (FindingKind.DEFICIENCY, FindingKind.AREA_OF_CONCERN):
            group = [j for j in items if j.finding.kind == kind]
            by_kind.append([kind.label, str(len(group)),
                            str(sum(j.verdict == "resolved" for j in group)),
                            str(sum(j.verdict == "unresolved" for j in group))])  # fmt: skip
        out += data_table(["Kind", "Followed up", "Resolved", "Unresolved"], by_kind,
                          [2.6 * inch, 1.3 * inch, 1.3 * inch, 1.3 * inch])  # fmt: skip
        out.append(para("Findings", "H1"))
        if not items:
            out.append(
                para("The original review has no deficiencies or areas of concern to follow up.")
            )
        for j in items:
            out += self.finding_block(j)
        return out

    def finding_block(self, j: Judgement) -> list[Flowable]:
        f = j.finding
        color = VERDICT_COLORS[j.verdict].hexval()[2:]
        head = Paragraph(
            f"{esc(finding_label(f))} · {esc(kind_label(f.kind))} · {esc(self.src.topic_title(f.topic))}"
            f' — <font color="#{color}">{esc(VERDICT_LABELS[j.verdict])}</font>',
            self.styles["H3"],
        )
        rows: list[tuple[str, object]] = [
            ("Responsible party", party_label(f.responsible)),
            ("Citation", f.citation or "—"),
            ("Finding", f.description or "—"),
            ("Reviewer's note", j.note or "—"),
        ]
        actions = self.src.data.actions.get(f.id, [])
        if actions:
            rows.append(("Corrective actions", "\n".join(
                f"{a.action} ({a.status.replace('_', ' ')}"
                + (f", done {fmt_date(a.completed_on)}" if a.completed_on else "") + ")"
                for a in actions)))  # fmt: skip
        return [keep(head, kv_table(rows, label_width=1.4 * inch)), Spacer(1, 4)]


__all__ = ["FocusReviewReport", "Judgement", "VERDICT_LABELS", "judgements"]
