"""Rendering a review's PDF report and keeping it as a report artifact.

The service loads the review, hands the reports package what it cannot fetch itself
(the forms, topic titles, attachment bytes), stores the PDF by its SHA-256 beside the
attachments and records a ReportArtifact row with an audit entry in one unit of work.
The same data gives the same bytes, so rendering twice keeps one artifact.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import col, select

from inspector_app.domain.closeout import closeout_blockers
from inspector_app.domain.enums import ReportKind, ReviewKind, ReviewStatus
from inspector_app.reports import (
    BaseReport,
    FindingsStillOpen,
    InspectionReport,
    ReportSources,
    build_review_report,
    closeout_facts,
    suggested_filename,
)
from inspector_app.store import queries
from inspector_app.store.database import Database
from inspector_app.store.files import blob_path, put_blob, read_blob, sha256_of
from inspector_app.store.models import Agency, Approval, ReportArtifact, Review
from inspector_app.store.queries import ReviewData

from . import audit, forms, lifecycle
from .errors import Conflict, Invalid, NotFound, ServiceError
from .out_files import write_atomically
from .uow import unit_of_work

Progress = Callable[[int, str], None]

REPORT_LABELS = {
    ReportKind.INSPECTION: "Inspection report",
    ReportKind.FOCUS_REVIEW: "Focus review report",
    ReportKind.REQUEST_FORM: "Review request form",
    ReportKind.CLOSEOUT: "Closeout memo",
    ReportKind.ANNUAL: "Annual program report",
    ReportKind.WSO_SUMMARY: "Annual WSO summary",
}
CHANGED_SINCE_FINAL = "changed_since_final"  # an artifact's review_status: not a valid final
REVIEW_REPORT_KINDS = (ReportKind.INSPECTION, ReportKind.FOCUS_REVIEW, ReportKind.REQUEST_FORM,
                       ReportKind.CLOSEOUT)  # fmt: skip


class CloseoutBlocked(Conflict):
    """The closeout memo was asked for while findings are open; one line each in `blockers`."""

    def __init__(self, review_id: str, blockers: list[str]):
        self.review_id, self.blockers = review_id, blockers
        super().__init__(
            f"review {review_id[:8]} cannot be closed out: {len(blockers)} finding(s) open ("
            + "; ".join(blockers)
            + ")"
        )


@dataclass
class RenderedReport:
    pdf: bytes
    sha256: str
    filename: str  # a suggestion, e.g. "inspection-alder-county-so-2026-10-23.pdf"
    pages: int
    artifact: ReportArtifact
    # A final review that no longer matches its content hash: what changed (the report
    # then says so on every page and is not presented as final). Empty otherwise.
    changed_since_final: list[str] = field(default_factory=list)


# --- which reports apply -------------------------------------------------------------


def _kind(kind: ReportKind | str) -> ReportKind:
    try:
        k = ReportKind(kind)
    except ValueError:
        k = None
    if k not in REVIEW_REPORT_KINDS:
        names = ", ".join(k.value for k in REVIEW_REPORT_KINDS)
        raise Invalid("kind", f"{kind!r} is not a review report; use one of {names}")
    return k


_CHECKLIST_KINDS = (ReviewKind.JEM_INSPECTION, ReviewKind.WSO_REVIEW)


def _inspection_refusal(data: ReviewData) -> str:
    r = data.review
    if r.kind not in _CHECKLIST_KINDS:
        return "an inspection report is for a JEM inspection or WSO review"
    if r.status == ReviewStatus.PLANNED or not r.form_id:
        return "the review has not started: there is nothing to report yet"
    return ""


def _focus_review_refusal(data: ReviewData) -> str:
    if data.review.kind != ReviewKind.FOCUS_REVIEW:
        return "a focus-review report is for a focus review"
    if data.parent is None:
        return "the focus review has no original inspection"
    return ""


def _request_form_refusal(data: ReviewData) -> str:
    if data.review.kind != ReviewKind.WSO_REVIEW:
        return "the request form is sent ahead of a WSO internal oversight review"
    return ""


def _closeout_refusal(data: ReviewData) -> str:
    r = data.review
    if r.kind not in _CHECKLIST_KINDS:
        return "a closeout memo is for a JEM inspection or WSO review"
    blockers = closeout_blockers(closeout_facts(data))
    if blockers:
        return f"{len(blockers)} finding(s) still open"
    if r.status != ReviewStatus.FINAL:
        return "the review is not final yet: findings are closed out after the final report"
    return ""


_REFUSALS: dict[ReportKind, Callable[[ReviewData], str]] = {
    ReportKind.INSPECTION: _inspection_refusal,
    ReportKind.FOCUS_REVIEW: _focus_review_refusal,
    ReportKind.REQUEST_FORM: _request_form_refusal,
    ReportKind.CLOSEOUT: _closeout_refusal,
}


def _refusal(kind: ReportKind, data: ReviewData) -> str:
    """Why `kind` cannot be produced for this review ('' = it can)."""
    check = _REFUSALS.get(kind)
    return check(data) if check is not None else ""


def available_reports(db: Database, review_id: str) -> list[tuple[ReportKind, bool, str]]:
    """Each review report with whether it can be produced now and, if not, why."""
    data = _load(db, review_id)
    out = []
    for kind in REVIEW_REPORT_KINDS:
        reason = _refusal(kind, data)
        out.append((kind, not reason, reason))
    return out


# --- rendering ---------------------------------------------------------------------


def _load(db: Database, review_id: str) -> ReviewData:
    with db.read() as s:
        data = queries.load_review(s, review_id)
    if data is None:
        raise NotFound("review", review_id)
    return data


def _image_loader(db: Database) -> Callable[[str], bytes | None]:
    def read(sha256: str) -> bytes | None:
        data = read_blob(db.attachments_dir, sha256)
        if data is None and blob_path(db.attachments_dir, sha256).exists():
            return b""  # present but damaged (no longer matches its hash): "unreadable"
        return data

    return read


def changed_since_final(db: Database, data: ReviewData) -> list[str]:
    """For a final review: what no longer matches what was finalized (its rows against
    the stored content hash, its evidence files against their names). Empty when it
    still matches or is not final."""
    if data.review.status != ReviewStatus.FINAL:
        return []
    result = lifecycle.verify_review(db, data.review.id, data)
    if result.matches:
        return []
    return result.differences or ["the content no longer matches the stored hash"]


def sources_for(db: Database, data: ReviewData) -> ReportSources:
    """Everything the reports package needs besides the data (forms, topics, images,
    and whether a final review still matches its content hash)."""
    refs = set()
    if data.review.form_id and data.review.form_version is not None:
        refs.add((data.review.form_id, data.review.form_version))
    refs |= {(i.interview.form_id, i.interview.form_version) for i in data.interviews}
    found = {}
    for form_id, version in sorted(refs):  # a missing one: FormVersionMissing, one line
        form = forms.form_of(form_id, version)
        found[form.ref] = form
    changed = changed_since_final(db, data)
    return ReportSources(
        data=data, forms=found, topics=forms.topics(), read_image=_image_loader(db),
        changed_since_final=changed, approval=None if changed else approval_of(db, data),
    )  # fmt: skip


def approval_of(db: Database, data: ReviewData) -> Approval | None:
    """The supervisor's latest approval of a final review at its current content hash
    (an approval of an earlier revision does not approve an amended review)."""
    r = data.review
    if r.status != ReviewStatus.FINAL or not r.content_hash:
        return None
    with db.read() as s:
        return s.exec(
            select(Approval)
            .where(Approval.review_id == r.id, Approval.content_hash == r.content_hash,
                   Approval.deleted == False)  # noqa: E712
            .order_by(col(Approval.approved_at).desc())
        ).first()  # fmt: skip


def build_pdf(db: Database, kind: ReportKind | str, review_id: str,
              progress: Progress | None = None) -> tuple[bytes, int, str, ReviewData]:  # fmt: skip
    """Render without keeping anything: (pdf, pages, suggested filename, data)."""
    pdf, pages, filename, src = _build(db, kind, review_id, progress)
    return pdf, pages, filename, src.data


def _build(db: Database, kind: ReportKind | str, review_id: str,
           progress: Progress | None) -> tuple[bytes, int, str, ReportSources]:  # fmt: skip
    k = _kind(kind)
    step = progress or (lambda _p, _m: None)
    step(2, "Loading the review")
    data = _load(db, review_id)
    reason = _refusal(k, data)
    if reason:
        blockers = closeout_blockers(closeout_facts(data)) if k is ReportKind.CLOSEOUT else []
        if blockers and data.review.kind in (ReviewKind.JEM_INSPECTION, ReviewKind.WSO_REVIEW):
            raise CloseoutBlocked(data.review.id, blockers)
        raise Conflict(f"review {data.review.id[:8]}: no {REPORT_LABELS[k].lower()}: {reason}")
    src = sources_for(db, data)
    step(10, "Laying out pages")
    try:
        report: BaseReport
        if k is ReportKind.INSPECTION and src.final:  # prints the audit chain head
            report = InspectionReport(src, audit.report_head(db, data.review.id))
        else:
            report = build_review_report(k, src)
    except FindingsStillOpen as exc:  # the reports package double-checks the rule
        raise CloseoutBlocked(data.review.id, exc.blockers) from None
    result = report.render(lambda p: step(10 + int(p * 0.85), "Laying out pages"))
    return result.pdf, result.pages, suggested_filename(k, data), src


def render_report(db: Database, kind: ReportKind | str, review_id: str,
                  progress: Progress | None = None) -> RenderedReport:  # fmt: skip
    """Render a review's report, store the PDF by hash and record it as an artifact."""
    k = _kind(kind)
    pdf, pages, filename, src = _build(db, k, review_id, progress)
    data, changed = src.data, src.changed_since_final
    digest = put_blob(db.attachments_dir, pdf)  # the file first: a row never points at nothing
    if progress:
        progress(97, "Keeping the report")
    # A changed final review's report is kept as what it is: not a final report.
    status = CHANGED_SINCE_FINAL if changed else data.review.status
    params = {"review_status": status, "final": src.final, "revision": data.review.revision,
              "content_hash": data.review.content_hash}  # fmt: skip
    if changed:
        params["changed_since_final"] = changed[:20]
    with unit_of_work(db, "render_report") as uow:
        existing = uow.session.exec(
            select(ReportArtifact).where(
                ReportArtifact.review_id == data.review.id, ReportArtifact.kind == k,
                ReportArtifact.sha256 == digest, ReportArtifact.deleted == False,  # noqa: E712
            )
        ).first()  # fmt: skip
        if existing is not None:  # same data, same bytes: one artifact, one more audit entry
            artifact = existing
        else:
            artifact = ReportArtifact(kind=k, review_id=data.review.id, sha256=digest,
                                      filename=filename, size=len(pdf), pages=pages, params=params)  # fmt: skip
            uow.save(artifact, review_id=data.review.id)
        uow.audit("report_artifact", artifact.id, kind=k, review_id=data.review.id,
                  sha256=digest, pages=pages, reused=existing is not None)  # fmt: skip
    return RenderedReport(pdf, digest, filename, pages, artifact, changed)


def render_to_file(db: Database, kind: ReportKind | str, review_id: str, out: Path,
                   progress: Progress | None = None) -> RenderedReport:  # fmt: skip
    """Render, keep the artifact and write the PDF to `out` atomically."""
    out = Path(out).expanduser()
    if not out.parent.is_dir():  # fail before rendering, not after
        raise Invalid("out", f"{out.parent}: no such folder; create it or choose another")
    if out.is_dir():
        raise Invalid("out", f"{out}: is a folder; give a file name ending in .pdf")
    if not os.access(out.parent, os.W_OK):
        raise Invalid("out", f"{out.parent}: you cannot write in this folder; choose another")
    rendered = render_report(db, kind, review_id, progress)
    write_atomically(out, rendered.pdf)
    audit.record_event(db, "export", "success", "report_artifact", rendered.artifact.id,
                       file=str(out), sha256=rendered.sha256, review_id=review_id)  # fmt: skip
    return rendered


# --- reading kept reports -------------------------------------------------------------


@dataclass
class ArtifactRow:
    artifact: ReportArtifact
    agency_name: str
    review_kind: str
    review_status: str


def list_artifacts(db: Database, *, review_id: str | None = None) -> list[ArtifactRow]:
    """Kept reports, newest first, with the agency they concern."""
    with db.read() as s:
        q = (
            select(ReportArtifact, Agency.name, Review.kind, Review.status)
            .join(Review, col(Review.id) == ReportArtifact.review_id, isouter=True)
            .join(Agency, col(Agency.id) == Review.agency_id, isouter=True)
            .where(ReportArtifact.deleted == False)  # noqa: E712
        )
        if review_id:
            q = q.where(ReportArtifact.review_id == review_id)
        rows = [
            ArtifactRow(a, name or "", kind or "", status or "")
            for a, name, kind, status in s.exec(q)
        ]
    rows.sort(key=lambda r: (r.artifact.updated_at, r.artifact.id), reverse=True)
    return rows


def artifact_pdf(db: Database, artifact: ReportArtifact) -> bytes:
    """A kept report's bytes, checked against its hash."""
    data = read_blob(db.attachments_dir, artifact.sha256)
    if data is None:
        raise ServiceError(
            f"{artifact.filename}: the stored PDF is missing or damaged; render it again"
        )
    return data


def verify_pdf(artifact: ReportArtifact, pdf: bytes) -> bool:
    return sha256_of(pdf) == artifact.sha256


__all__ = [
    "CHANGED_SINCE_FINAL", "REPORT_LABELS", "REVIEW_REPORT_KINDS", "ArtifactRow",
    "CloseoutBlocked", "RenderedReport", "artifact_pdf", "available_reports", "build_pdf",
    "changed_since_final", "list_artifacts", "render_report", "render_to_file", "sources_for",
    "verify_pdf", "write_atomically",
]  # fmt: skip
