"""What a review report is built from, handed in by the service layer.

Reports sit below services, so they do not load forms or read files themselves: the
caller passes the review's data, the form definitions it refers to, the topic titles
and a function that returns an attachment's bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import attrgetter

from inspector_app.domain.closeout import ActionFacts, FindingFacts
from inspector_app.domain.enums import FindingKind, ResponsibleParty, ReviewStatus
from inspector_app.domain.forms import FormDefinition, FormItem
from inspector_app.store.models import Approval, Finding
from inspector_app.store.queries import ReviewData

from .base import fingerprint, slug

# sha256 -> the bytes; None when the file is missing. A damaged file may be returned as
# b"" (or as its damaged bytes): the report then says the image is unreadable.
ImageLoader = Callable[[str], bytes | None]


def _no_images(_sha256: str) -> bytes | None:
    return None


@dataclass
class ReportSources:
    data: ReviewData
    forms: dict[str, FormDefinition] = field(default_factory=dict)  # by ref "id.vN"
    topics: dict[str, str] = field(default_factory=dict)  # code -> title
    read_image: ImageLoader = _no_images
    # A final review that no longer matches its content hash (rows changed behind the
    # app's back, an evidence file missing or altered): what changed, one line each.
    # Its report is then never presented as final.
    changed_since_final: list[str] = field(default_factory=list)
    # A supervisor's approval of the review as it is (its content hash): printed in the
    # inspection report's signature block. None: not approved (or approved earlier).
    approval: Approval | None = None

    @property
    def final(self) -> bool:
        """Final and still as it was finalized: the only report presented as final."""
        return self.data.review.status == ReviewStatus.FINAL and not self.changed_since_final

    @property
    def tampered(self) -> bool:
        return self.data.review.status == ReviewStatus.FINAL and bool(self.changed_since_final)

    @property
    def checklist(self) -> FormDefinition | None:
        r = self.data.review
        if r.form_id and r.form_version is not None:
            return self.forms.get(f"{r.form_id}.v{r.form_version}")
        return None

    def form(self, form_id: str, version: int) -> FormDefinition | None:
        return self.forms.get(f"{form_id}.v{version}")

    def item(self, form: FormDefinition | None, key: str) -> FormItem | None:
        if form is None:
            return None
        try:
            return form.item(key)
        except KeyError:
            return None

    def topic_title(self, code: str | None) -> str:
        if not code:
            return "—"
        return self.topics.get(code, code)


INVALID_FINAL = "CONTENT CHANGED SINCE FINALIZED — NOT A VALID FINAL REPORT"


def status_label(src: ReportSources) -> str:
    """The review's status as a report prints it (a changed final review is not "Final")."""
    if src.tampered:
        return "Changed since finalized: not a valid final report"
    return ReviewStatus(src.data.review.status).label  # rows built in memory hold str


def finding_label(f: Finding) -> str:
    return f"F-{f.number}"


def kind_label(kind: str | None) -> str:
    if kind is None:
        return "Unclassified"
    try:
        return FindingKind(kind).label
    except ValueError:
        return "Unclassified"


def party_label(party: str | None) -> str:
    if party is None:
        return "—"
    try:
        return ResponsibleParty(party).label
    except ValueError:
        return party or "—"


def closeout_facts(data: ReviewData) -> list[FindingFacts]:
    """The review's findings as the domain's closeout rule wants them."""
    return [
        FindingFacts(
            label=f"{finding_label(f)} {f.topic or 'no topic'}",
            kind=f.kind,
            actions=[
                ActionFacts(a.status, a.due_on, a.completed_on) for a in data.actions.get(f.id, [])
            ],  # fmt: skip
        )
        for f in data.findings
    ]


def data_instant(data: ReviewData) -> datetime:
    """The report's date: when the review was finalized, else its latest change."""
    r = data.review
    if r.finalized_at is not None:
        return r.finalized_at
    stamps = [r.updated_at]
    stamps += [x.updated_at for x in data.responses.values()]
    stamps += [x.updated_at for x in data.findings + data.parent_findings + data.attachments]
    stamps += [a.updated_at for acts in data.actions.values() for a in acts]
    for i in data.interviews:
        stamps.append(i.interview.updated_at)
        stamps += [a.updated_at for a in i.answers.values()]
    if data.info_request is not None:
        stamps.append(data.info_request.updated_at)
    stamps += [x.updated_at for x in data.info_request_items]
    return max((s if s.tzinfo else s.replace(tzinfo=UTC)) for s in stamps)


def data_fingerprint(kind: str, src: ReportSources) -> str:
    """SHA-256 over every row the report reads (plus the kind and the forms used)."""
    d = src.data
    rows: list[object] = [kind, sorted(src.forms), d.review, d.agency, d.field_office,
                          d.agreement, d.parent, d.info_request]  # fmt: skip
    rows += [d.responses[k] for k in sorted(d.responses)]
    rows += sorted(d.findings + d.parent_findings, key=attrgetter("id"))
    rows += sorted(d.attachments, key=attrgetter("id"))
    rows += sorted((a for acts in d.actions.values() for a in acts), key=attrgetter("id"))
    rows += d.info_request_items
    for i in d.interviews:
        rows += [i.interview, i.officer, *(i.answers[k] for k in sorted(i.answers))]
    if src.changed_since_final:  # a changed evidence file changes no row
        rows.append(src.changed_since_final)
    if src.approval is not None:
        rows.append(src.approval)
    return fingerprint(*rows)


FILE_PREFIX = {
    "inspection": "inspection",
    "focus_review": "focus-review",
    "request_form": "request-form",
    "closeout": "closeout",
}


def suggested_filename(kind: str, data: ReviewData) -> str:
    """e.g. "inspection-alder-county-so-2026-10-23.pdf"."""
    r = data.review
    when = r.start_date or r.planned_start or r.due_date
    stamp = when.isoformat() if when else r.id[:8]
    return f"{FILE_PREFIX.get(kind, slug(kind))}-{slug(data.agency.name)}-{stamp}.pdf"
