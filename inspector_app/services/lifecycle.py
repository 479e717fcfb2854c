"""A review's life after the site visit: finalization (lock + content hash), amendments,
verification, focus-review judgements flowing back to the original findings,
disputes, and officers' training compliance.

Finalizing stores the SHA-256 of the review's canonical content (domain.content_hash)
and, in the audit entry, the hash rules' version and short hashes of each part so that
`verify` can name what changed. `verify` also re-reads every evidence file: each is
named by its SHA-256, so a file deleted or overwritten behind the app's back is named
too (the report service then refuses to present the report as final). A final review refuses direct changes (services.locked.ensure_editable);
`begin_amendment` records a reason, raises the revision and reopens it as a draft.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session, SQLModel, col, select

from inspector_app.domain import content_hash as ch
from inspector_app.domain.calendar import focus_review_due
from inspector_app.domain.enums import (
    AnswerValue,
    FindingKind,
    OfficerStatus,
    ProgramModel,
    ReviewKind,
    ReviewMode,
    ReviewStatus,
)
from inspector_app.domain.forms import FormDefinition, layout
from inspector_app.domain.keys import finding_key
from inspector_app.domain.rules import FindingCounts, default_focus_mode, requires_follow_up
from inspector_app.domain.training import TrainingEvent, TrainingStatus, training_status
from inspector_app.store import queries
from inspector_app.store.database import Database
from inspector_app.store.files import blob_path, key_of, read_blob
from inspector_app.store.models import (
    Attachment,
    AuditLog,
    ChecklistResponse,
    Finding,
    Officer,
    Review,
    utcnow,
)

from . import accounts, forms
from .errors import Conflict, Invalid, NotFound, ServiceError
from .judgements import apply_judgement
from .locked import ensure_editable
from .uow import UnitOfWork, unit_of_work
from .validate import enum_value, required_text

FINALIZE_ACTION = "finalize_review"
_CHECKLIST_KINDS = (ReviewKind.JEM_INSPECTION, ReviewKind.WSO_REVIEW)


class FinalizeRefused(ServiceError):
    """The review is not complete; `missing` lists each thing to do, one per line."""

    def __init__(self, review_id: str, missing: list[str]):
        self.review_id, self.missing = review_id, missing
        super().__init__(
            f"review {review_id[:8]} cannot be finalized: {count_missing(len(missing))} "
            f"(first: {missing[0]})"
        )


# --- content ----------------------------------------------------------------------


def _row(obj: SQLModel) -> dict[str, Any]:
    return obj.model_dump()


def _hashed_attachments(session: Session, data: queries.ReviewData) -> list[Attachment]:
    """The attachments that are part of the review's content (see domain.content_hash)."""
    answer_ids = [a.id for i in data.interviews for a in i.answers.values()]
    finding_ids = [f.id for f in data.findings]
    attachments = {a.id: a for a in data.attachments}
    # Photos of interview answers or findings may have been stored without review_id.
    for extra in (
        queries.live(session, Attachment, col(Attachment.interview_answer_id).in_(answer_ids)),
        queries.live(session, Attachment, col(Attachment.finding_id).in_(finding_ids)),
    ):
        attachments.update({a.id: a for a in extra})
    return [
        a for a in attachments.values()
        if a.corrective_action_id is None and a.request_item_id is None
    ]  # fmt: skip


def _load(session: Session, review_id: str) -> queries.ReviewData:
    data = queries.load_review(session, review_id)
    if data is None:
        raise NotFound("review", review_id)
    return data


def _content(
    data: queries.ReviewData, attachments: list[Attachment], version: int
) -> dict[str, Any]:
    return ch.review_content(
        _row(data.review),
        [_row(r) for r in data.responses.values()],
        [(_row(i.interview), [_row(a) for a in i.answers.values()]) for i in data.interviews],
        [_row(f) for f in data.findings],
        [_row(a) for a in attachments],
        version=version,
    )


def review_content(
    session: Session, review_id: str, *, version: int | None = None
) -> dict[str, Any]:
    """The canonical content of a review as it is stored now (see domain.content_hash),
    under the rules of `version` (default: the current ones)."""
    data = _load(session, review_id)
    return _content(data, _hashed_attachments(session, data), version or ch.HASH_VERSION)


# --- finalization -----------------------------------------------------------------


@dataclass(frozen=True)
class Missing:
    """One thing to do before the review can be finalized: `group` (a checklist
    section's title, "Review" or "Findings") and `text` are for people (the item's
    prompt, a repeated section's instance named: "Case file A-123: Was ..."); `line` is
    the one-line form with the item's key (the CLI, FinalizeRefused)."""

    group: str
    text: str
    line: str


_REVIEW_GROUP = "Review"
_FINDINGS_GROUP = "Findings"


def finalization_problems(session: Session, review_id: str) -> list[str]:
    """What stops the review from being finalized (empty: it can be), one line each."""
    return [m.line for m in missing_to_finalize(session, review_id)]


def missing_to_finalize(session: Session, review_id: str) -> list[Missing]:
    """What stops the review from being finalized, in form order (empty: it can be)."""
    data = queries.load_review(session, review_id)
    if data is None:
        raise NotFound("review", review_id)
    review = data.review
    missing: list[Missing] = []
    if review.status == ReviewStatus.PLANNED:
        text = "the review has not started (start it, then answer the checklist)"
        missing.append(Missing(_REVIEW_GROUP, text[0].upper() + text[1:], text))
    if review.end_date is None and review.start_date is None:
        missing.append(Missing(_REVIEW_GROUP, "Record when the review ended (end date)",
                               "end date: record when the review ended"))  # fmt: skip
    if review.kind == ReviewKind.FOCUS_REVIEW:
        missing += _unjudged_findings(data)
    elif review.form_id and review.form_version is not None:
        missing += _unanswered_items(data, forms.form_of(review.form_id, review.form_version))
    missing += _unclassified_findings(data)
    return missing


def _unjudged_findings(data: queries.ReviewData) -> list[Missing]:
    """A focus review: the original findings not yet judged (best practices need none)."""
    missing = []
    for f in data.parent_findings:
        if f.kind == FindingKind.BEST_PRACTICE:
            continue
        r = data.responses.get(finding_key(f.id))
        if r is None or r.value not in (AnswerValue.RESOLVED, AnswerValue.UNRESOLVED):
            name = f"finding F-{f.number} ({f.topic or 'no topic'})"
            missing.append(Missing("Findings of the original review",
                                   f"F-{f.number} ({f.topic or 'no topic'}): judge it resolved "
                                   "or unresolved",
                                   f"{name}: judge it resolved or unresolved"))  # fmt: skip
    return missing


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _unanswered_items(data: queries.ReviewData, form: FormDefinition) -> list[Missing]:
    """Required items that are shown and unanswered (a hidden item is not required: its
    show_if does not hold), each instance of a repeated section on its own, and repeated
    sections with fewer instances than their ``repeat.min``."""
    values = {k: r.value for k, r in data.responses.items()}
    missing = []
    for section_key, numbers in layout.instances(form, values).items():
        section = next(s for s in form.sections if s.key == section_key)
        assert section.repeat is not None
        if len(numbers) < section.repeat.min:
            label = section.repeat.label.lower()
            missing.append(Missing(
                section.title, f"Add at least {_plural(section.repeat.min, label)}",
                f"{section_key}: add at least {section.repeat.min} {label}(s) ({section.title})",
            ))  # fmt: skip
    for slot in layout.slots(form, values):
        if slot.required and values.get(slot.key) in (None, ""):
            where = ""
            if slot.instance is not None:
                where = layout.instance_label(slot.section, slot.instance, values,
                                              slot.position) + ": "  # fmt: skip
            text = f"{where}{slot.item.prompt}"
            missing.append(Missing(slot.section.title, text, f"{slot.key}: {text}"))
    return missing


def _unclassified_findings(data: queries.ReviewData) -> list[Missing]:
    missing = []
    for f in data.findings:
        if not f.kind:
            missing.append(Missing(_FINDINGS_GROUP, f"F-{f.number}: choose its kind",
                                   f"finding F-{f.number}: choose its kind"))  # fmt: skip
        if not f.topic:
            missing.append(Missing(_FINDINGS_GROUP, f"F-{f.number}: choose its topic",
                                   f"finding F-{f.number}: choose its topic"))  # fmt: skip
    return missing


def check_finalizable(db: Database, review_id: str) -> list[str]:
    with db.read() as s:
        return finalization_problems(s, review_id)


def what_is_missing(db: Database, review_id: str) -> list[Missing]:
    """What the Finalize dialog lists: check_finalizable, for people (grouped, no keys)."""
    with db.read() as s:
        return missing_to_finalize(s, review_id)


def count_missing(n: int) -> str:
    """ "1 item is missing", "30 items are missing"."""
    return "1 item is missing" if n == 1 else f"{n} items are missing"


@dataclass
class FinalizeResult:
    review: Review
    content_hash: str
    focus_review: Review | None = None
    counts: FindingCounts = field(default_factory=FindingCounts)


def _new_focus_review(uow: UnitOfWork, parent: Review, mode: str, due: date | None) -> Review:
    end = parent.end_date or parent.start_date or date.today()
    focus = Review(
        agency_id=parent.agency_id, agreement_id=parent.agreement_id,
        kind=ReviewKind.FOCUS_REVIEW, mode=enum_value(ReviewMode, mode, "mode"),
        parent_review_id=parent.id, due_date=due or focus_review_due(end),
        lead_inspector=parent.lead_inspector, team=list(parent.team),
    )  # fmt: skip
    uow.save(focus, review_id=focus.id)
    uow.audit("review", focus.id, kind=ReviewKind.FOCUS_REVIEW, parent_review_id=parent.id,
              due_date=focus.due_date, mode=focus.mode)  # fmt: skip
    return focus


def _existing_focus(session: Session, parent_id: str) -> Review | None:
    return session.exec(
        select(Review).where(
            Review.parent_review_id == parent_id,
            Review.kind == ReviewKind.FOCUS_REVIEW,
            Review.deleted == False,  # noqa: E712
        )
    ).first()


def _number_findings_apart(uow: UnitOfWork, review_id: str) -> None:
    """Findings raised on two laptops before they synced can share a number (each took
    its own F-1): a final report numbers them apart, in their order (number, then id),
    keeping every number that is already unique."""
    findings = sorted(queries.live(uow.session, Finding, Finding.review_id == review_id),
                      key=lambda f: (f.number, f.id))  # fmt: skip
    if len({f.number for f in findings}) == len(findings):
        return
    for number, finding in enumerate(findings, start=1):
        if finding.number != number:
            finding.number = number
            uow.save(finding, review_id=review_id)


def _counted_topics(findings: list[Finding]) -> list[str | None]:
    return [f.topic for f in findings if f.kind and FindingKind(f.kind).counts_toward_follow_up]


def proposed_focus_mode(db: Database, review_id: str) -> ReviewMode:
    """The mode a focus review of this review would get by default (by its findings)."""
    with db.read() as s:
        found = queries.live(s, Finding, Finding.review_id == review_id)
    return default_focus_mode(_counted_topics(found))


def finalize_review(
    db: Database, review_id: str, *, focus_mode: str | None = None
) -> FinalizeResult:
    """Lock a complete review: store its content hash; schedule the focus review when
    it has 4 or more deficiencies and areas of concern (in the same transaction), as a
    desk review or a site visit: `focus_mode`, else as its findings call for
    (domain.rules.default_focus_mode).

    Raises FinalizeRefused (with `.missing`) when something is still to do.
    """
    if focus_mode is not None:
        enum_value(ReviewMode, focus_mode, "focus_mode")  # refused before anything is done
    accounts.require(db, "finalize", review_id)  # its lead inspector or a supervisor
    with unit_of_work(db, FINALIZE_ACTION) as uow:
        review = uow.get(Review, review_id, "review")
        if review.status == ReviewStatus.FINAL:
            raise Conflict(f"review {review.id[:8]} is already final")
        missing = finalization_problems(uow.session, review.id)
        if missing:
            raise FinalizeRefused(review.id, missing)
        _number_findings_apart(uow, review.id)
        content = review_content(uow.session, review.id)
        digest = ch.content_hash(content)
        review.status = ReviewStatus.FINAL
        review.content_hash = digest
        review.finalized_at = utcnow()
        review.finalized_by = uow.user
        uow.save(review, review_id=review.id)
        findings = queries.live(uow.session, Finding, Finding.review_id == review.id)
        counts = FindingCounts.of(f.kind for f in findings if f.kind)
        uow.audit("review", review.id, content_hash=digest, revision=review.revision,
                  deficiencies=counts.deficiencies, areas_of_concern=counts.areas_of_concern,
                  best_practices=counts.best_practices, hash_version=ch.HASH_VERSION,
                  parts=ch.part_hashes(content))  # fmt: skip
        focus = None
        if (
            review.kind in _CHECKLIST_KINDS
            and requires_follow_up(counts)
            and _existing_focus(uow.session, review.id) is None
        ):
            mode = focus_mode or default_focus_mode(_counted_topics(findings))
            focus = _new_focus_review(uow, review, mode, None)
        return FinalizeResult(review, digest, focus, counts)


def schedule_focus_review(
    db: Database, review_id: str, *, mode: str | None = None, due_date: date | None = None,
) -> Review:  # fmt: skip
    """Plan a focus review of a review's findings by hand (finalize does it for 4+); its
    mode defaults to what the findings call for."""
    with unit_of_work(db, "schedule_focus_review") as uow:
        parent = uow.get(Review, review_id, "review")
        if parent.kind not in _CHECKLIST_KINDS:
            raise Invalid("review_id", "only a JEM inspection or WSO review is followed up")
        if _existing_focus(uow.session, parent.id) is not None:
            raise Conflict(f"review {parent.id[:8]} already has a focus review")
        found = queries.live(uow.session, Finding, Finding.review_id == parent.id)
        return _new_focus_review(uow, parent, mode or default_focus_mode(_counted_topics(found)),
                                 due_date)  # fmt: skip


def begin_amendment(db: Database, review_id: str, reason: str) -> Review:
    """Reopen a final review for an amendment: the reason goes to the audit log, the
    revision goes up by one and the review is a report draft again (every edit is then
    audited as usual; finalizing again stores a new hash)."""
    why = required_text(reason, "reason")
    with unit_of_work(db, "begin_amendment") as uow:
        review = uow.get(Review, review_id, "review")
        if review.status != ReviewStatus.FINAL:
            raise Conflict(f"review {review.id[:8]} is not final; edit it directly")
        old_hash = review.content_hash
        review.revision += 1
        review.status = ReviewStatus.REPORT_DRAFT
        review.content_hash = None  # a draft has no hash; the old one is in the audit log
        uow.save(review, review_id=review.id)
        uow.audit("review", review.id, reason=why, revision=review.revision,
                  previous_hash=old_hash)  # fmt: skip
        return review


# --- verification -----------------------------------------------------------------


@dataclass(frozen=True)
class VerifyResult:
    review_id: str
    status: str
    stored: str | None
    computed: str
    differences: list[str]  # what changed, one line each: rows, then evidence files
    hash_version: int = ch.HASH_VERSION  # the rules the stored hash was computed with
    evidence: list[str] = field(default_factory=list)  # attachment files missing or altered

    @property
    def final(self) -> bool:
        return self.status == ReviewStatus.FINAL

    @property
    def hash_matches(self) -> bool:
        return self.stored is not None and self.stored == self.computed

    @property
    def matches(self) -> bool:
        """The stored rows hash as at finalization AND every evidence file is intact."""
        return self.hash_matches and not self.evidence


def _finalize_entry(session: Session, review: Review) -> AuditLog | None:
    """The audit entry of the finalization that stored the review's current hash."""
    entry = session.exec(
        select(AuditLog)
        .where(AuditLog.entity_id == review.id, AuditLog.action == FINALIZE_ACTION)
        .order_by(col(AuditLog.id).desc())
    ).first()
    if entry is None or (entry.detail or {}).get("content_hash") != review.content_hash:
        return None
    return entry


def _hash_version(data: queries.ReviewData, attachments: list[Attachment],
                  entry: AuditLog | None) -> int:  # fmt: skip
    """Which rules the stored hash was computed with: as recorded at finalization
    (entries from before versions were recorded are version 1); without a record (a
    review synced without its audit log), the version whose hash matches, if any."""
    review = data.review
    if entry is not None:
        version = int(entry.detail.get("hash_version", 1))
        if version not in ch.HASH_VERSIONS:
            raise ServiceError(
                f"review {review.id[:8]} was finalized with content hash version {version}, "
                "which this version of the app does not know; update the app to verify it"
            )
        return version
    for version in reversed(ch.HASH_VERSIONS):
        if ch.content_hash(_content(data, attachments, version)) == review.content_hash:
            return version
    return ch.HASH_VERSION


def _file_state(root: Path, sha256: str) -> str:
    """'' when the stored file still hashes to its name, else what is wrong with it."""
    if key_of(root) is not None:  # encrypted: it must decrypt, then hash to its name
        if read_blob(root, sha256) is not None:
            return ""
        return "altered" if blob_path(root, sha256).exists() else "missing"
    digest = hashlib.sha256()
    try:
        with blob_path(root, sha256).open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    except FileNotFoundError:
        return "missing"
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"
    return "" if digest.hexdigest() == sha256 else "altered"


def _clip(text: str, n: int = 120) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def evidence_problems(root: Path, attachments: list[Attachment]) -> list[str]:
    """One line per attachment whose file is missing or no longer matches its name
    (the name is its SHA-256), e.g. "attachment photo.jpg (ab12cd34): file missing"."""
    states: dict[str, str] = {}  # a file attached twice is read once
    out = []
    for a in sorted(attachments, key=lambda a: (a.filename, a.sha256, a.id)):
        if a.sha256 not in states:
            states[a.sha256] = _file_state(root, a.sha256)
        if states[a.sha256]:
            out.append(f"attachment {_clip(a.filename)} ({a.sha256[:8]}): file {states[a.sha256]}")
    return out


def verify_review(
    db: Database, review_id: str, data: queries.ReviewData | None = None
) -> VerifyResult:
    """Recompute the content hash with the rules it was stored with, compare it with the
    one stored at finalization, and re-hash every evidence file of the review. `data`:
    the review as a caller (a report) has just loaded it, so it is not read twice."""
    with db.read() as s:
        review = queries.get_live(s, Review, review_id)
        if review is None:
            raise NotFound("review", review_id)
        if data is None:
            data = _load(s, review_id)
        attachments = _hashed_attachments(s, data)
        entry = _finalize_entry(s, review) if review.content_hash else None
        version = (
            _hash_version(data, attachments, entry) if review.content_hash else ch.HASH_VERSION
        )
        content = _content(data, attachments, version)
        computed = ch.content_hash(content)
        differences: list[str] = []
        if review.content_hash and computed != review.content_hash:
            parts = (entry.detail or {}).get("parts") if entry else None
            if parts:
                differences = ch.diff_parts(parts, ch.part_hashes(content))
            if not differences:
                differences = ["the stored hash itself or content not itemized was changed"]
    evidence = evidence_problems(db.attachments_dir, attachments)
    return VerifyResult(review_id, review.status, review.content_hash, computed,
                        differences + evidence, version, evidence)  # fmt: skip


# --- focus review judgements ------------------------------------------------------


def judge_finding(
    db: Database, *, focus_review_id: str, finding_id: str, resolved: bool, note: str = ""
) -> Finding:
    """Judge one of the followed-up findings resolved or unresolved, in one transaction:
    the focus review's checklist answer and the original finding."""
    with unit_of_work(db, "judge_finding") as uow:
        focus = uow.get(Review, focus_review_id, "focus review")
        ensure_editable(focus)
        if focus.kind != ReviewKind.FOCUS_REVIEW:
            raise Invalid("focus_review_id", "findings are judged in a focus review")
        if focus.status == ReviewStatus.PLANNED:
            raise Conflict(f"focus review {focus.id[:8]} is planned; start it before judging")
        key = finding_key(finding_id)
        value = AnswerValue.RESOLVED if resolved else AnswerValue.UNRESOLVED
        response = uow.session.exec(
            select(ChecklistResponse).where(
                ChecklistResponse.review_id == focus.id, ChecklistResponse.item_key == key
            )
        ).first() or ChecklistResponse(review_id=focus.id, item_key=key)
        response.value, response.note, response.deleted = value, note.strip(), False
        response.answered_by, response.answered_at = uow.user, utcnow()
        uow.save(response, review_id=focus.id)
        return apply_judgement(uow, focus, key, value, note.strip())


# --- disputes ---------------------------------------------------------------------


def dispute_finding(
    db: Database, finding_id: str, note: str, *, base_rev: int | None = None
) -> Finding:
    """The program office disputes a finding: it stays in the review and reports, counted
    separately. Allowed on a final review (not part of its content hash). `base_rev`: the
    revision the dispute form was opened at (StaleEdit, nothing written, if it moved)."""
    why = required_text(note, "dispute_note")
    with unit_of_work(db, "dispute_finding") as uow:
        finding = uow.get_for_update(Finding, finding_id, "finding", base_rev,
                                     {"disputed": True, "dispute_note": why})  # fmt: skip
        finding.disputed, finding.dispute_note = True, why
        uow.save(finding, review_id=finding.review_id)
        uow.audit("finding", finding.id, review_id=finding.review_id, note=why)
        return finding


def undispute_finding(db: Database, finding_id: str, *, base_rev: int | None = None) -> Finding:
    with unit_of_work(db, "undispute_finding") as uow:
        finding = uow.get_for_update(Finding, finding_id, "finding", base_rev,
                                     {"disputed": False, "dispute_note": ""})  # fmt: skip
        if not finding.disputed:
            raise Conflict(f"finding F-{finding.number} is not disputed")
        old = finding.dispute_note
        finding.disputed, finding.dispute_note = False, ""
        uow.save(finding, review_id=finding.review_id)
        uow.audit("finding", finding.id, review_id=finding.review_id, withdrawn_note=old)
        return finding


# --- officers' training -----------------------------------------------------------


@dataclass(frozen=True)
class OfficerTraining:
    officer: Officer
    status: TrainingStatus
    as_of: date | None = None

    @property
    def lapsed(self) -> bool:
        return self.officer.status == OfficerStatus.ACTIVE and not self.status.compliant

    @property
    def action(self) -> str:
        """What the missed recertification calls for now: 'suspend' (an active officer
        past the deadline), 'revoke' (past the revocation date, not waived) or ''."""
        recert = self.status.recertification
        if recert is None or not recert.missed or self.officer.status == OfficerStatus.REVOKED:
            return ""
        if (
            recert.revoke_on is not None
            and self.as_of is not None
            and self.as_of >= recert.revoke_on
        ):
            return "revoke"
        return "suspend" if self.officer.status == OfficerStatus.ACTIVE else ""


def officer_training_status(officer: Officer, records: list[Any], today: date) -> TrainingStatus:
    """An officer's training status from their records and recorded waiver (the one
    rule the agency page, the review and the Due list use)."""
    events = [TrainingEvent(t.kind, t.completed_on, t.hours) for t in records]
    return training_status(ProgramModel(officer.model), events, today,
                           waiver_on=officer.training_waiver_on)  # fmt: skip


def officer_training(
    db: Database, agency_id: str, today: date | None = None
) -> list[OfficerTraining]:
    """Each officer of an agency with training compliance computed from the records."""
    today = today or date.today()
    with db.read() as s:
        rows = queries.officers_of(s, agency_id)
    return [OfficerTraining(o, officer_training_status(o, records, today), today)
            for o, records in rows]  # fmt: skip


def lapsed_officers(
    db: Database, agency_id: str, today: date | None = None
) -> list[OfficerTraining]:
    """Active officers whose training has lapsed (offered as a training finding)."""
    return [t for t in officer_training(db, agency_id, today) if t.lapsed]


def training_finding_text(lapsed: list[OfficerTraining]) -> str:
    """A draft description for a training finding naming the lapsed officers."""
    lines = [f"- {t.officer.name}: {'; '.join(t.status.reasons)}" for t in lapsed]
    n = len(lapsed)
    return (f"{n} designated officer{'s' if n != 1 else ''} did not meet the training "
            "requirements while holding 287(g) authority:\n" + "\n".join(lines))  # fmt: skip
