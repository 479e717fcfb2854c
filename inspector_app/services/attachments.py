"""Photos and documents attached to a review item, a finding, an interview answer,
a corrective action or a requested document."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from inspector_app.store.database import Database
from inspector_app.store.files import put_blob
from inspector_app.store.models import (
    Attachment,
    CorrectiveAction,
    Finding,
    InfoRequestItem,
    InterviewAnswer,
    Review,
)

from .errors import Invalid
from .locked import ensure_editable
from .uow import unit_of_work

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


def remove_attachment(db: Database, attachment_id: str) -> Attachment:
    with unit_of_work(db, "remove_attachment") as uow:
        attachment = uow.get(Attachment, attachment_id, "attachment")
        if attachment.review_id:
            ensure_editable(uow.get(Review, attachment.review_id, "review"))
        uow.delete(attachment, review_id=attachment.review_id)
        uow.audit("attachment", attachment.id, filename=attachment.filename)
        return attachment
