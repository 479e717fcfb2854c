"""Supervisor sign-off: approving a final review signs its report (docs/security.md).

A supervisor approves a **final** review whose content hash still verifies. Its report
is rendered as usual, signed PAdES with the certificate of the supervisor's PKCS#12
file, kept as the review's report artifact (params: signed) and recorded in an
`approval` row (who, when, the content hash and revision approved, the certificate's
subject, the signed PDF's SHA-256), with an audit entry, in one unit of work.

Everything that can refuse (the review, the person, the PKCS#12 file and certificate)
is checked before anything is written: a refusal leaves no file and no row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import col, select

from inspector_app.domain.enums import ReportKind, ReviewKind, ReviewStatus
from inspector_app.reports import signing
from inspector_app.store.database import Database
from inspector_app.store.files import put_blob, sha256_of
from inspector_app.store.models import Approval, ReportArtifact, Review

from . import accounts, lifecycle, report_service
from .errors import Conflict, NotFound
from .uow import unit_of_work

SUPERVISOR = "supervisor"
APPROVE_ACTION = "approve_review"
REASON = "Approved by the supervisor: the final {label} of review {review}"
LOCATION = "287(g) oversight, Inspector"


# The person signed in has no supervisor role (an encrypted database with accounts).
NotSupervisor = accounts.NotPermitted


@dataclass(frozen=True)
class ApprovalResult:
    approval: Approval
    artifact: ReportArtifact
    pdf: bytes  # the signed report
    filename: str  # a suggestion, e.g. "inspection-alder-county-so-2026-10-23-signed.pdf"


def _report_kind(kind: ReviewKind | str) -> ReportKind:
    """The report a review's approval signs: a focus review's own report, else the
    inspection report (JEM inspection, WSO review)."""
    return ReportKind.FOCUS_REVIEW if kind == ReviewKind.FOCUS_REVIEW else ReportKind.INSPECTION


def _check_review(db: Database, review_id: str) -> lifecycle.VerifyResult:
    result = lifecycle.verify_review(db, review_id)
    short = review_id[:8]
    if not result.final:
        raise Conflict(f"review {short} is not final: finalize it before it is approved")
    if not result.matches:
        raise Conflict(f"review {short} changed since it was finalized: it cannot be approved")
    return result


def _existing(db: Database, review_id: str, content_hash: str) -> Approval | None:
    with db.read() as s:
        return s.exec(
            select(Approval)
            .where(
                Approval.review_id == review_id,
                Approval.content_hash == content_hash,
                Approval.deleted == False,  # noqa: E712
            )
            .order_by(col(Approval.approved_at).desc())
        ).first()


def _signed_name(filename: str) -> str:
    stem = filename[:-4] if filename.lower().endswith(".pdf") else filename
    return f"{stem}-signed.pdf"


def _review_kind(db: Database, review_id: str) -> ReviewKind:
    with db.read() as s:
        review = s.get(Review, review_id)
    if review is None:
        raise NotFound("review", review_id)
    return review.kind


def approve_review(db: Database, review_id: str, *, p12: bytes, p12_passphrase: bytes | None,
                   now: datetime | None = None) -> ApprovalResult:  # fmt: skip
    """Sign a final, unchanged review's report and record the approval (see module doc).

    Conflict (one line) when the review is not final, changed since it was finalized,
    already approved at this content, or the person is not a supervisor;
    signing.SigningError when the PKCS#12 file or its certificate cannot sign."""
    moment = now or datetime.now(UTC)
    accounts.require(db, "approve")  # a plaintext database: anyone (the --user recorded)
    verified = _check_review(db, review_id)
    content_hash = verified.stored or ""
    earlier = _existing(db, review_id, content_hash)
    if earlier is not None:
        raise Conflict(f"review {review_id[:8]} is already approved at this content, by "
                       f"{earlier.approved_by or 'unknown'} on {earlier.approved_at:%Y-%m-%d}")  # fmt: skip
    loaded = signing.load_signer(p12, p12_passphrase, now=moment)  # refuses before rendering
    kind = _report_kind(_review_kind(db, review_id))
    pdf, pages, filename, data = report_service.build_pdf(db, kind, review_id)
    if data.review.content_hash != content_hash:  # finalized again in between: start over
        raise Conflict(f"review {review_id[:8]} changed while it was being approved; try again")
    label = report_service.REPORT_LABELS[kind].lower()
    signed = signing.sign_with(
        loaded, pdf, reason=REASON.format(label=label, review=review_id[:8]),
        location=LOCATION, signer_name=db.user or loaded.subject,
    )  # fmt: skip
    digest = put_blob(db.attachments_dir, signed)  # the file first: a row never points at nothing
    signature = _Signature(signed, digest, pages, _signed_name(filename), loaded.subject,
                           unsigned_sha256=sha256_of(pdf))  # fmt: skip
    return _record(db, data.review, kind, signature, moment)


@dataclass(frozen=True)
class _Signature:
    pdf: bytes
    sha256: str
    pages: int
    filename: str
    signer: str
    unsigned_sha256: str


def _record(db: Database, review: Review, kind: ReportKind, sig: _Signature,
            moment: datetime) -> ApprovalResult:  # fmt: skip
    """The artifact, the approval row and the audit entry, in one unit of work."""
    with unit_of_work(db, APPROVE_ACTION) as uow:
        current = uow.get(Review, review.id, "review")
        if current.status != ReviewStatus.FINAL or current.content_hash != review.content_hash:
            raise Conflict(f"review {review.id[:8]} changed while it was being approved; "
                           "try again")  # fmt: skip
        params: dict[str, Any] = {
            "review_status": ReviewStatus.FINAL, "final": True, "revision": review.revision,
            "content_hash": review.content_hash, "signed": True, "signer": sig.signer,
            "unsigned_sha256": sig.unsigned_sha256,
        }  # fmt: skip
        artifact = ReportArtifact(kind=kind, review_id=review.id, sha256=sig.sha256,
                                  filename=sig.filename, size=len(sig.pdf), pages=sig.pages,
                                  params=params)  # fmt: skip
        uow.save(artifact, review_id=review.id)
        row = Approval(review_id=review.id, approved_by=uow.user, approved_at=moment,
                       content_hash=review.content_hash or "", revision=review.revision,
                       signer=sig.signer, artifact_sha256=sig.sha256)  # fmt: skip
        uow.save(row, review_id=review.id)
        uow.audit("approval", row.id, review_id=review.id, content_hash=row.content_hash,
                  revision=row.revision, signer=sig.signer, artifact_sha256=sig.sha256,
                  artifact_id=artifact.id)  # fmt: skip
    return ApprovalResult(row, artifact, sig.pdf, sig.filename)


def approval_of(db: Database, review_id: str) -> Approval | None:
    """The review's latest approval, or None. Check `content_hash` against the review's
    own: an approval of an earlier revision does not approve an amended review."""
    with db.read() as s:
        return s.exec(
            select(Approval)
            .where(Approval.review_id == review_id, Approval.deleted == False)  # noqa: E712
            .order_by(col(Approval.approved_at).desc())
        ).first()


__all__ = ["APPROVE_ACTION", "SUPERVISOR", "ApprovalResult", "NotSupervisor", "approval_of",
           "approve_review"]  # fmt: skip
