"""The inspection report: a JEM inspection or a WSO internal oversight review.

Title page, summary (counts, follow-up), findings grouped by kind with evidence
photos, an interview summary per officer, and the full checklist as an appendix.
A DRAFT watermark until the review is final; a final report prints its content hash.
"""

from __future__ import annotations

from collections import Counter

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer

from inspector_app.domain.calendar import fiscal_year
from inspector_app.domain.enums import (
    AnswerType,
    FindingKind,
    IntervieweeRole,
    ReviewKind,
    ReviewMode,
    ReviewStatus,
)
from inspector_app.domain.forms import FormDefinition, FormItem, FormSection, layout
from inspector_app.domain.forms.schema import split_key
from inspector_app.domain.labels import answer_label
from inspector_app.domain.rules import FOLLOW_UP_THRESHOLD, FindingCounts, follow_up_due
from inspector_app.store.models import Finding
from inspector_app.store.queries import InterviewData

from .base import (
    KIND_COLORS,
    NAME_CHARS,
    BaseReport,
    ReportMeta,
    Styled,
    callout,
    clip,
    counts_box,
    data_table,
    date_range,
    esc,
    evidence_photos,
    fmt_date,
    inch,
    keep,
    kv_table,
    para,
    stylesheet,
)
from .sources import (
    INVALID_FINAL,
    ReportSources,
    data_fingerprint,
    data_instant,
    finding_label,
    kind_label,
    party_label,
    status_label,
)

SIGN_LINE = "_" * 18  # a blank line to sign or date on paper
KIND_ORDER = [FindingKind.DEFICIENCY, FindingKind.AREA_OF_CONCERN, FindingKind.BEST_PRACTICE]
GROUP_TITLES = {
    FindingKind.DEFICIENCY: "Deficiencies",
    FindingKind.AREA_OF_CONCERN: "Areas of concern",
    FindingKind.BEST_PRACTICE: "Best practices",
}


def answer_text(item: FormItem | None, value: str | None) -> str:
    if value is None or value == "":
        return "—"
    if item is not None and item.answer == AnswerType.PHOTO:
        return value
    if item is not None and item.answer == AnswerType.CHOICE:
        return choice_label(value)
    return answer_label(value)


def choice_label(value: str) -> str:
    """A form's choice as a person reads it, as the workspace shows it:
    'weekly_or_more' -> 'Weekly or more' (a value with a label in the label table
    keeps it; a choice no longer in the form still reads as words)."""
    label = answer_label(value)
    if label != value:
        return label
    return value.replace("_", " ").strip().capitalize() or value


def is_final(src: ReportSources) -> bool:
    """Final and unchanged since (a changed final review is never presented as final)."""
    return src.final


def meta_for(kind: str, title: str, src: ReportSources, *, draft: bool | None = None) -> ReportMeta:
    """Page furniture for a review's report (shared by every review report). A final
    review that changed since it was finalized gets the red INVALID_FINAL band on every
    page instead of the "Final · content hash" footer."""
    r, agency = src.data.review, src.data.agency
    final = r.status == ReviewStatus.FINAL
    note = ""
    if src.final and r.content_hash:
        note = f"Final (revision {r.revision}) · content hash SHA-256 {r.content_hash}"
    return ReportMeta(
        title=f"{title} · {agency.name}",
        subject=f"{title}, {agency.name} ({agency.state}), review {r.id}",
        created=data_instant(src.data),
        fingerprint=data_fingerprint(kind, src),
        draft=(not final) if draft is None else draft,
        footer_note=note,
        alert=INVALID_FINAL if src.tampered else "",
        running_head=f"{title} · {agency.name}, {agency.state}",
    )


def audit_head_line(head: tuple[int, str]) -> str:
    """How a final report names the audit chain head it was produced under."""
    entry, digest = head
    return f"Audit chain head: entry {entry}, {digest[:16]}"


class InspectionReport(BaseReport):
    def __init__(self, src: ReportSources, audit_head: tuple[int, str] | None = None):
        """`audit_head`: (entry id, hash) of the audit trail, printed on a final report
        (the caller fetches it: services.report_service)."""
        self.src = src
        self.audit_head = audit_head
        self.review = src.data.review
        self.kind = ReviewKind(self.review.kind)  # also a row built in memory (bench)
        self.report_title = (
            f"{self.kind.label} report".capitalize().replace("Jem", "JEM").replace("Wso", "WSO")
        )
        super().__init__(meta_for("inspection", self.report_title, src))

    # --- story ---------------------------------------------------------------------

    def story(self) -> list[Flowable]:
        out: list[Flowable] = []
        out += self.title_page()
        out.append(PageBreak())
        out += self.summary()
        out += self.findings()
        if self.src.data.interviews:
            out += self.interviews()
        out += self.signatures()
        out += self.appendix()
        return out

    def title_page(self) -> list[Flowable]:
        d, r = self.src.data, self.review
        s = self.styles
        agreement = d.agreement
        model = (
            agreement.model
            if agreement
            else ("WSO" if self.kind is ReviewKind.WSO_REVIEW else "JEM")
        )
        model_text = {"JEM": "Jail Enforcement Model (JEM)", "WSO": "Warrant Service Officer (WSO)"}
        start = r.start_date or r.planned_start
        end = r.end_date or r.planned_end
        office = d.field_office
        rows: list[tuple[str, object]] = [
            ("Agency", d.agency.name),
            ("State", f"{d.agency.state}" + (f" · {d.agency.county} County" if d.agency.county else "")),
            ("Field office", f"{office.name} ({office.code})" if office and office.code
             else (office.name if office else "—")),
            ("Program model", model_text.get(model, model)
             + (f" · MOA {agreement.moa_number}" if agreement and agreement.moa_number else "")),
            ("Review kind", f"{self.kind.label} · {ReviewMode(r.mode).label}"),
            ("Fiscal year", f"FY{fiscal_year(start)}" if start else "—"),
            ("Dates", date_range(start, end)),
            ("Team", ", ".join(r.team) or "—"),
            ("Lead inspector", r.lead_inspector or "—"),
            ("Status", status_label(self.src)),
        ]  # fmt: skip
        form = self.src.checklist
        if form is not None:
            rows.append(("Checklist", f"{form.title} ({form.ref})"))
        if r.status == ReviewStatus.FINAL:
            rows.append(("Finalized", f"{fmt_date(r.finalized_at)}"
                         + (f" by {r.finalized_by}" if r.finalized_by else "")))  # fmt: skip
            if r.content_hash:
                stored = esc(r.content_hash) + (" (no longer matches)" if self.src.tampered else "")
                rows.append(("Content hash", Paragraph(stored, s["Small"])))
        out: list[Flowable] = [
            Spacer(1, 1.2 * inch),
            para("U.S. Immigration and Customs Enforcement · 287(g) Program oversight", "Muted"),
            Spacer(1, 6),
            para(self.report_title, "Title"),
            para(d.agency.name, "Subtitle"),
            kv_table(rows),
        ]
        if self.src.final and self.audit_head is not None:
            out += [Spacer(1, 6), para(audit_head_line(self.audit_head), "Small")]
        if self.src.tampered:
            out += [Spacer(1, 18), changed_callout(self.src.changed_since_final)]
        elif r.status != ReviewStatus.FINAL:
            out += [Spacer(1, 18), callout("DRAFT: this report is not final. Findings may change "
                                           "until the review is finalized.",
                                           color=KIND_COLORS["deficiency"])]  # fmt: skip
        return out

    def counts(self) -> FindingCounts:
        return FindingCounts.of(f.kind for f in self.src.data.findings if f.kind)

    def summary(self) -> list[Flowable]:
        d, r = self.src.data, self.review
        counts = self.counts()
        out: list[Flowable] = [para("Summary", "H1")]
        out.append(counts_box([
            ("Deficiencies", counts.deficiencies, KIND_COLORS["deficiency"]),
            ("Areas of concern", counts.areas_of_concern, KIND_COLORS["area_of_concern"]),
            ("Best practices", counts.best_practices, KIND_COLORS["best_practice"]),
        ]))  # fmt: skip
        out.append(Spacer(1, 8))
        n = counts.counted_for_follow_up
        end = r.end_date or r.start_date or r.planned_end
        due = follow_up_due(counts, end) if end else None
        if n >= FOLLOW_UP_THRESHOLD:
            when = f" by {fmt_date(due)}" if due else " within 6 months"
            out.append(callout(
                f"A focus review is required{esc(when)}: {n} deficiencies and areas of concern "
                f"together (the threshold is {FOLLOW_UP_THRESHOLD}).",
                color=KIND_COLORS["deficiency"],
            ))  # fmt: skip
        else:
            out.append(callout(
                f"No focus review is required: {n} deficiencies and areas of concern together "
                f"(a focus review follows {FOLLOW_UP_THRESHOLD} or more)."
            ))  # fmt: skip
        unclassified = sum(1 for f in d.findings if not f.kind)
        if unclassified:
            out.append(
                para(f"{unclassified} finding(s) have no kind yet and are not counted.", "Note")
            )
        out.append(Spacer(1, 6))
        if r.summary:
            out += [para("Scope", "H2"), para(r.summary)]
        form = self.src.checklist
        if form is not None:
            shown = [slot for slot in self.slots() if slot.visible]
            answered = sum(1 for slot in shown if _answered(d.responses.get(slot.key)))
            failed = sum(1 for slot in shown if (resp := d.responses.get(slot.key))
                         and slot.item.is_failure(resp.value))  # fmt: skip
            out.append(para(f"Checklist: {answered} of {len(shown)} items answered; "
                            f"{failed} answer(s) indicate a problem.", "Body"))  # fmt: skip
        if d.findings:
            out.append(para("Findings at a glance", "H2"))
            rows = [[finding_label(f), kind_label(f.kind), self.src.topic_title(f.topic),
                     party_label(f.responsible)] for f in self._ordered_findings()]  # fmt: skip
            out += data_table(["No.", "Kind", "Topic", "Responsible"], rows,
                              [0.5 * inch, 1.2 * inch, 3.7 * inch, 1.1 * inch])  # fmt: skip
        return out

    def values(self) -> dict[str, str | None]:
        return {k: r.value for k, r in self.src.data.responses.items()}

    def slots(self) -> list[layout.Slot]:
        """The checklist's items as answered: hidden ones marked, repeats expanded."""
        form = self.src.checklist
        return layout.slots(form, self.values()) if form is not None else []

    def _ordered_findings(self) -> list[Finding]:
        """The findings in number order (F-1, F-2, ...), wherever the report lists them."""
        return sorted(self.src.data.findings, key=lambda f: f.number)

    def findings(self) -> list[Flowable]:
        d = self.src.data
        out: list[Flowable] = [para("Findings", "H1")]
        if not d.findings:
            out.append(para("No findings were recorded in this review."))
            return out
        counts = Counter(f.kind for f in d.findings)
        parts = [f"{counts[k]} {(GROUP_TITLES[k] if counts[k] > 1 else k.label).lower()}"
                 for k in KIND_ORDER if counts[k]]  # fmt: skip
        unclassified = sum(n for k, n in counts.items() if k not in KIND_ORDER)
        if unclassified:
            parts.append(f"{unclassified} unclassified")
        out.append(para("In number order: " + ", ".join(parts) + ".", "Muted"))
        for f in self._ordered_findings():
            out += self.finding_block(f)
        return out

    def finding_block(self, f: Finding, heading: Flowable | None = None) -> list[Flowable]:
        src = self.src
        head = para(f"{finding_label(f)} · {kind_label(f.kind)} · {src.topic_title(f.topic)}", "H3")
        rows: list[tuple[str, object]] = [
            ("Topic", src.topic_title(f.topic)),
            ("Responsible party", party_label(f.responsible)),
            ("Citation", f.citation or "—"),
        ]
        item = src.item(src.checklist, f.item_key) if f.item_key else None
        if item is not None and src.checklist is not None and f.item_key:
            rows.append(("Checklist item", self.instance_prefix(src.checklist, f.item_key)
                         + item.prompt))  # fmt: skip
        if f.disputed:
            rows.append(("Disputed", f.dispute_note or "yes"))
        out: list[Flowable] = [keep(heading, head, kv_table(rows, label_width=1.4 * inch))]
        out.append(para(f.description or "(no description)"))
        if f.evidence:
            out.append(Paragraph(f"<b>Evidence:</b> {esc(f.evidence)}", self.styles["Body"]))
        attached = src.data.attachments_for(finding_id=f.id)
        images = [(src.read_image(a.sha256), a.filename, a.caption)
                  for a in attached if a.mime_type.startswith("image/")]  # fmt: skip
        out += evidence_photos(images)
        documents = [clip(a.filename, NAME_CHARS) for a in attached
                     if not a.mime_type.startswith("image/")]  # fmt: skip
        if documents:
            out.append(para("Documents attached: " + ", ".join(documents), "Muted"))
        out.append(Spacer(1, 6))
        return out

    # --- interviews ----------------------------------------------------------------

    def interviews(self) -> list[Flowable]:
        d = self.src.data
        out: list[Flowable] = [para("Interviews", "H1")]
        officers = [
            i for i in d.interviews if i.interview.interviewee_role == IntervieweeRole.OFFICER
        ]
        if self.kind is ReviewKind.WSO_REVIEW:
            out.append(para(
                f"Standardized interviews with {len(officers)} warrant service officer(s): the "
                "same questions for each officer, checking their understanding of WSO requirements."
            ))  # fmt: skip
        for data in d.interviews:
            out += self.interview_block(data)
        return out

    def interview_block(self, data: InterviewData) -> list[Flowable]:
        iv = data.interview
        form = self.src.form(iv.form_id, iv.form_version)
        name = data.officer.name if data.officer else (iv.interviewee_name or "Interviewee")
        role = IntervieweeRole(iv.interviewee_role).label
        # the questions asked: one whose show_if does not hold is hidden, not printed
        values = {k: a.value for k, a in data.answers.items()}
        shown = [s for s in layout.slots(form, values) if s.visible] if form else []
        questions: list[FormItem] = [s.item for s in shown]
        answered = sum(1 for s in shown if s.key in data.answers and _answered(data.answers[s.key]))
        gaps = [(q, data.answers[q.key]) for q in questions
                if q.key in data.answers and q.is_failure(data.answers[q.key].value)]  # fmt: skip
        answer_ids = {a.id for a in data.answers.values()}
        raised = [f for f in self.src.data.findings if f.interview_answer_id in answer_ids]
        facts: list[tuple[str, object]] = [
            ("Role", role + (f" · credential {data.officer.credential_number}"
                             if data.officer and data.officer.credential_number else "")),
            ("Interviewed", f"{fmt_date(iv.conducted_on)}"
             + (f" by {iv.interviewer}" if iv.interviewer else "")),
            ("Questions answered", f"{answered} of {len(questions) or answered}"
             + ("" if iv.completed else " (interview not completed)")),
            ("Gaps in understanding", str(len(gaps))),
            ("Findings raised", ", ".join(f"{finding_label(f)} ({kind_label(f.kind).lower()})"
                                          for f in sorted(raised, key=lambda f: f.number))
             or "none"),
        ]  # fmt: skip
        out: list[Flowable] = [keep(para(name, "H2"), kv_table(facts, label_width=1.6 * inch))]
        if gaps:
            rows = [[q.prompt, answer_text(q, a.value), a.note or ""] for q, a in gaps]
            out += data_table(["Question showing a gap", "Answer", "Interviewer's note"], rows,
                              [3.4 * inch, 1.1 * inch, 2.0 * inch])  # fmt: skip
        out += self.interview_notes(data, questions, {q.key for q, _ in gaps})
        out.append(Spacer(1, 6))
        return out

    def interview_notes(self, data: InterviewData, questions: list[FormItem],
                        gap_keys: set[str]) -> list[Flowable]:  # fmt: skip
        """The interview's free-text answers (the WSO guide's "Interviewer's notes") in
        full, then the interviewer's notes on answers the gaps table did not show."""
        out: list[Flowable] = []
        answered = [(q, a) for q in questions if (a := data.answers.get(q.key)) is not None]
        for q, a in answered:
            if q.answer == AnswerType.TEXT and _answered(a):
                out.append(Paragraph(f"<b>{esc(q.prompt)}:</b> {esc(a.value)}",
                                     self.styles["Body"]))  # fmt: skip
        rows = [[q.prompt, "(above)" if q.answer == AnswerType.TEXT and _answered(a)
                 else answer_text(q, a.value), a.note]
                for q, a in answered if a.note and q.key not in gap_keys]  # fmt: skip
        if rows:
            out += data_table(["Question", "Answer", "Interviewer's note"], rows,
                              [3.4 * inch, 1.1 * inch, 2.0 * inch])  # fmt: skip
        return out

    # --- signatures ----------------------------------------------------------------

    def signatures(self) -> list[Flowable]:
        """Who signs the report: the lead inspector and the team, dated when the review
        was finalized (blank on a draft), and the supervisor, named and dated once the
        review is approved at this content (services.approval)."""
        r, approval = self.review, self.src.approval
        dated = fmt_date(r.finalized_at, SIGN_LINE) if self.src.final else SIGN_LINE
        team = [n for n in r.team if n and n != r.lead_inspector]
        rows: list[list[object]] = [["Lead inspector", r.lead_inspector or SIGN_LINE, SIGN_LINE,
                                     dated]]  # fmt: skip
        rows += [["Inspector", name, SIGN_LINE, dated] for name in team]
        if approval is not None:
            rows.append(["Supervisor", approval.approved_by or SIGN_LINE,
                         "Approved (signed report)", fmt_date(approval.approved_at)])  # fmt: skip
        else:
            rows.append(["Supervisor", SIGN_LINE, SIGN_LINE, SIGN_LINE])
        table = data_table(["Role", "Name", "Signature", "Date"], rows,
                           [1.2 * inch, 2.1 * inch, 2.0 * inch, 1.2 * inch])  # fmt: skip
        intro = para("The inspectors sign the report of the review as finalized; the "
                     "supervisor's signature approves it.", "Muted")  # fmt: skip
        return [keep(para("Signatures and approval", "H1"), intro, *table)]

    # --- appendix ------------------------------------------------------------------

    def appendix(self) -> list[Flowable]:
        d = self.src.data
        form = self.src.checklist
        out: list[Flowable] = [PageBreak(), para("Appendix: checklist", "H1")]
        if form is None:
            out.append(para("This review has no checklist (it has not started).", "Muted"))
            return out
        out.append(para(f"{form.title} ({form.ref}): every item, its answer and note.", "Muted"))
        # counted once, not by scanning every attachment for each of hundreds of items
        photos_of = Counter(a.item_key for a in d.attachments if a.item_key)
        slots = self.slots()
        hidden = {slot.key for slot in slots if not slot.visible}
        for s_no, section in enumerate(form.sections, 1):
            if section.repeat is not None:
                out += self.repeat_table(s_no, section, slots, photos_of)
                continue
            rows: list[list[object]] = []
            continued: list[int] = []
            for i_no, item in enumerate(section.items, 1):
                if item.key in hidden:  # its show_if does not hold: not asked, not printed
                    continue
                resp = d.responses.get(item.key)
                value = resp.value if resp else None
                text = answer_text(item, value)
                answer: object = Styled(text, "CellAlert") if item.is_failure(value) else text
                note = resp.note if resp else ""
                photos = photos_of[item.key]
                if photos:
                    note = (note + "\n" if note else "") + f"{photos} photo(s) attached"
                if full_width(item, value, text):  # the answer under its question
                    rows.append([f"{s_no}.{i_no}", item.prompt, "", note])
                    continued.append(len(rows))
                    rows.append(["", answer])
                else:
                    rows.append([f"{s_no}.{i_no}", item.prompt, answer, note])
            out.append(para(f"{s_no}. {section.title}", "H2"))
            out += data_table(["No.", "Question", "Answer", "Note"], rows,
                              [0.45 * inch, 3.55 * inch, 0.9 * inch, 1.6 * inch],
                              continued=continued)  # fmt: skip
        return out

    def instance_prefix(self, form: FormDefinition, item_key: str) -> str:
        """ "Case file A-123: " for an item key of one instance of a repeated section."""
        _, n = split_key(item_key)
        if n is None:
            return ""
        section = form.section_of(item_key)
        values = self.values()
        order = layout.parse_order(values.get(layout.order_key(section.key)))
        position = order.index(n) + 1 if n in order else None
        return layout.instance_label(section, n, values, position) + ": "

    def repeat_table(self, s_no: int, section: FormSection, slots: list[layout.Slot],
                     photos_of: Counter[str]) -> list[Flowable]:  # fmt: skip
        """A repeated section: one row per instance, one column per item, then the
        questions the columns stand for and the notes."""
        assert section.repeat is not None
        label = section.repeat.label
        mine = [slot for slot in slots if slot.section is section]
        numbers = list(dict.fromkeys(slot.instance for slot in mine))
        head = [para(f"{s_no}. {section.title}", "H2")]
        if not numbers:
            return [*head, para(f"No {label.lower()} was recorded.", "Muted")]
        columns = [item.short or f"{s_no}.{i_no}" for i_no, item in enumerate(section.items, 1)]
        by_key = {slot.key: slot for slot in mine}
        responses = self.src.data.responses
        rows: list[list[object]] = []
        notes: list[list[object]] = []
        for position, n in enumerate(numbers, 1):
            row: list[object] = [str(position)]
            name = layout.instance_label(section, n or 0, self.values(), position)
            for item, column in zip(section.items, columns, strict=True):
                slot = by_key[layout.instance_key(item.key, section.key, n or 0)]
                resp = responses.get(slot.key)
                value = resp.value if resp and slot.visible else None
                text = answer_text(item, value) if slot.visible else ""
                row.append(Styled(text, "CellAlert") if item.is_failure(value) else text)
                note = (resp.note if resp and slot.visible else "") or ""
                if photos_of[slot.key]:
                    note = (
                        note + "\n" if note else ""
                    ) + f"{photos_of[slot.key]} photo(s) attached"
                if note:
                    notes.append([name, column, note])
            rows.append(row)
        width = (6.5 - 0.35) * inch / len(columns)
        legend = "; ".join(f"<b>{esc(c)}</b>: {esc(i.prompt)}"
                           for c, i in zip(columns, section.items, strict=True))  # fmt: skip
        out: list[Flowable] = [*head, para(f"{len(numbers)} {label.lower()}(s), one row each.",
                                           "Muted")]  # fmt: skip
        out += data_table(["No.", *columns], rows, [0.35 * inch] + [width] * len(columns))
        out.append(Paragraph(legend, self.styles["Small"]))
        if notes:
            out += data_table([label, "Item", "Note"], notes,
                              [1.6 * inch, 1.2 * inch, 3.7 * inch])  # fmt: skip
        return out


ANSWER_LINES = 2  # an answer that needs more lines than this in its column gets the full width


def full_width(item: FormItem | None, value: str | None, text: str) -> bool:
    """Whether an answer is printed under its question, across the table: a free-text
    answer, or any answer too long for the narrow answer column."""
    if value is None or value == "":
        return False
    if item is not None and item.answer == AnswerType.TEXT:
        return True
    style = stylesheet()["Cell"]
    return stringWidth(text, style.fontName, style.fontSize) > ANSWER_LINES * 0.8 * inch


def changed_callout(changes: list[str], shown: int = 12) -> Flowable:
    """The title page's red box: why this final review's report is not valid."""
    lines = [esc(clip(c, 240)) for c in changes[:shown]]  # a callout cannot run onto a new page
    if len(changes) > shown:
        lines.append(f"and {len(changes) - shown} more")
    return callout(
        f"{INVALID_FINAL}. What no longer matches what was finalized "
        f"(run inspector-app verify for the details):<br/>" + "<br/>".join(lines),
        color=KIND_COLORS["deficiency"],
    )


def _answered(resp) -> bool:  # noqa: ANN001
    return resp is not None and resp.value not in (None, "")


def build_inspection(src: ReportSources) -> InspectionReport:
    return InspectionReport(src)


__all__ = ["InspectionReport", "answer_text", "build_inspection", "meta_for",
           "is_final", "FormDefinition"]  # fmt: skip
