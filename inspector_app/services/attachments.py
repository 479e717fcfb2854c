"""Photos and documents attached to a review item, a finding, an interview answer,
a corrective action or a requested document."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from inspector_app.store.database import Database
from inspector_app.store.files import put_blob, read_blob
from inspector_app.store.models import (
    Attachment,
    CorrectiveAction,
    Finding,
    InfoRequestItem,
    InterviewAnswer,
    Review,
)

from .errors import Invalid, NotFound
from .locked import ensure_editable
from .uow import UnitOfWork, unit_of_work

MAX_ATTACHMENT_BYTES = 200 * 1024 * 1024
# Longer text is refused at input (reports cut what still arrives by sync or old data).
MAX_FILENAME_CHARS = 255  # what file systems allow
MAX_CAPTION_CHARS = 2000


def _check_lengths(name: str, caption: str) -> None:
    if len(name) > MAX_FILENAME_CHARS:
        raise Invalid("filename", f"{name[:40]}…: the file name is {len(name):,} characters long; "
                      f"rename the file to at most {MAX_FILENAME_CHARS}")  # fmt: skip
    if len(caption) > MAX_CAPTION_CHARS:
        raise Invalid("caption", f"is {len(caption):,} characters long; shorten it to at most "
                      f"{MAX_CAPTION_CHARS:,} (put longer text in the finding or a note)")  # fmt: skip


def read_source(
    source: Path | str | bytes, filename: str | None, default_name: str
) -> tuple[bytes, str]:
    """The bytes and file name of an attachment given as a path or as bytes; an
    unreadable or oversized file is refused naming the file."""
    if isinstance(source, bytes):
        data, name = source, filename or default_name
    else:
        path = Path(source)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise Invalid("file", f"{path}: cannot read ({exc.strerror or exc})") from None
        name = filename or path.name
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise Invalid("file", f"{name[:120]} is larger than 200 MB")
    _check_lengths(name, "")
    return data, name


def add_attachment(
    db: Database, *, source: Path | str | bytes, filename: str | None = None,
    review_id: str | None = None, item_key: str | None = None, finding_id: str | None = None,
    interview_answer_id: str | None = None, corrective_action_id: str | None = None,
    request_item_id: str | None = None, caption: str = "",
) -> Attachment:  # fmt: skip
    """Attach a file, stored under its SHA-256 in the attachments folder."""
    caption = (caption or "").strip()
    _check_lengths(filename or "", caption)  # before reading a file that is refused anyway
    data, name = read_source(source, filename, "attachment")
    if not any((review_id, finding_id, interview_answer_id, corrective_action_id, request_item_id)):
        raise Invalid("review_id", "an attachment must belong to a review, finding or action")
    with unit_of_work(db, "add_attachment") as uow:
        if finding_id:
            review_id = review_id or uow.get(Finding, finding_id, "finding").review_id
        if interview_answer_id:
            uow.get(InterviewAnswer, interview_answer_id, "interview answer")
        if corrective_action_id:
            uow.get(CorrectiveAction, corrective_action_id, "corrective action")
        if request_item_id:
            uow.get(InfoRequestItem, request_item_id, "requested document")
        if review_id:
            review = uow.get(Review, review_id, "review")
            if not corrective_action_id and not request_item_id:
                ensure_editable(review)
        # The file is stored once every check has passed, and before its row: a row
        # never points at a missing file (a failed commit leaves at worst an unused file).
        digest = put_blob(db.attachments_dir, data)
        attachment = Attachment(
            sha256=digest, filename=name, size=len(data),
            mime_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
            caption=caption, review_id=review_id, item_key=item_key, finding_id=finding_id,
            interview_answer_id=interview_answer_id, corrective_action_id=corrective_action_id,
            request_item_id=request_item_id,
        )  # fmt: skip
        uow.save(attachment, review_id=review_id)
        uow.audit("attachment", attachment.id, filename=name, sha256=digest, review_id=review_id)
        return attachment


def _ensure_editable(uow: UnitOfWork, attachment: Attachment) -> None:
    """As add_attachment: a final review's files are locked, follow-up evidence is not."""
    if attachment.corrective_action_id or attachment.request_item_id:
        return
    if attachment.review_id:
        ensure_editable(uow.get(Review, attachment.review_id, "review"))


def remove_attachment(db: Database, attachment_id: str) -> Attachment:
    """Remove an attachment (a tombstone: restore_attachment brings it back)."""
    with unit_of_work(db, "remove_attachment") as uow:
        attachment = uow.get(Attachment, attachment_id, "attachment")
        _ensure_editable(uow, attachment)
        uow.delete(attachment, review_id=attachment.review_id)
        uow.audit("attachment", attachment.id, filename=attachment.filename)
        return attachment


def restore_attachment(db: Database, attachment_id: str) -> Attachment:
    """Undo remove_attachment: the same row, live again (its file was never deleted)."""
    with unit_of_work(db, "restore_attachment") as uow:
        attachment = uow.session.get(Attachment, attachment_id)
        if attachment is None:
            raise NotFound("attachment", attachment_id)
        if not attachment.deleted:
            return attachment
        _ensure_editable(uow, attachment)
        attachment.deleted = False
        uow.save(attachment, review_id=attachment.review_id)
        uow.audit("attachment", attachment.id, filename=attachment.filename, restored=True)
        return attachment


def set_removed(db: Database, attachment_id: str, removed: bool) -> None:
    """Remove or restore (the undo stack's one call); nothing is written when it already is."""
    current = attachment(db, attachment_id, with_removed=True)
    if current is None or current.deleted == removed:
        return
    (remove_attachment if removed else restore_attachment)(db, attachment_id)


def set_caption(db: Database, attachment_id: str, caption: str, *, base_rev: int | None
                ) -> Attachment:  # fmt: skip
    """Change the caption, from revision `base_rev` (StaleEdit if someone saved it since)."""
    caption = (caption or "").strip()
    _check_lengths("", caption)
    with unit_of_work(db, "change_attachment_caption") as uow:
        row = uow.get_for_update(Attachment, attachment_id, "attachment", base_rev,
                                 {"caption": caption})  # fmt: skip
        _ensure_editable(uow, row)
        if row.caption == caption:
            return row
        row.caption = caption
        uow.save(row, review_id=row.review_id)
        uow.audit("attachment", row.id, caption=caption)
        return row


def markup_caption(original: Attachment) -> str:
    return f"Marked up from {original.caption or original.filename}"[:MAX_CAPTION_CHARS]


def add_markup(db: Database, original_id: str, data: bytes, *, suffix: str = ".png"
               ) -> Attachment:  # fmt: skip
    """Store a marked-up copy (PNG bytes) of a photo as a new attachment of the same
    item, finding or answer, naming the original in `derived_from`. The original's row
    and file are not touched: evidence is never altered."""
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise Invalid("file", "the marked-up picture is larger than 200 MB")
    with unit_of_work(db, "add_markup") as uow:
        original = uow.get(Attachment, original_id, "attachment")
        _ensure_editable(uow, original)
        digest = put_blob(db.attachments_dir, data)
        stem = Path(original.filename).stem or "photo"
        name = f"{stem[: MAX_FILENAME_CHARS - 20]}-markup{suffix}"
        copy = Attachment(
            sha256=digest, filename=name, size=len(data),
            mime_type=mimetypes.guess_type(name)[0] or "image/png",
            caption=markup_caption(original), review_id=original.review_id,
            item_key=original.item_key, finding_id=original.finding_id,
            interview_answer_id=original.interview_answer_id,
            corrective_action_id=original.corrective_action_id,
            request_item_id=original.request_item_id, derived_from=original.id,
        )  # fmt: skip
        uow.save(copy, review_id=copy.review_id)
        uow.audit("attachment", copy.id, filename=name, sha256=digest, derived_from=original.id,
                  review_id=copy.review_id)  # fmt: skip
        return copy


def save_copy(db: Database, attachment_id: str, target: Path) -> Path:
    """Write the file (decrypted) where the user chose: how a document is opened on an
    encrypted database, which never puts a decrypted copy anywhere by itself. Audited."""
    with unit_of_work(db, "export_attachment") as uow:
        row = uow.get(Attachment, attachment_id, "attachment")
        data = read_blob(db.attachments_dir, row.sha256)
        if data is None:
            raise Invalid("file", f"{row.filename}: the stored file is missing or damaged")
        try:
            target.write_bytes(data)
        except OSError as exc:
            raise Invalid("file", f"{target}: cannot write ({exc.strerror or exc})") from None
        uow.audit("attachment", row.id, filename=row.filename, saved_to=str(target))
        return target


# -- reading (the UI reads attachments through these) --------------------------------


def attachment(db: Database, attachment_id: str, *, with_removed: bool = False
               ) -> Attachment | None:  # fmt: skip
    """One attachment as stored now (None if unknown, or removed unless `with_removed`)."""
    with db.read() as s:
        row = s.get(Attachment, attachment_id)
        if row is None or (row.deleted and not with_removed):
            return None
        return row


def read_bytes(db: Database, attachment: Attachment) -> bytes | None:
    """The file's bytes, decrypted in memory on an encrypted database (never written to
    disk decrypted); None when the file is missing or damaged."""
    return read_blob(db.attachments_dir, attachment.sha256) if attachment.sha256 else None


def is_image(attachment: Attachment) -> bool:
    return attachment.mime_type.startswith("image/")
