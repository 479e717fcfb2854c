"""A markup (issue 13 item 6) is a new attachment: the original's row and bytes stay as
they were, and on an encrypted database the markup is stored encrypted like any file."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import select

from inspector_app.services import attachments
from inspector_app.services.encryption import encrypt_database, unlock
from inspector_app.services.errors import NotFound, StaleEdit
from inspector_app.store.database import Database, opened
from inspector_app.store.files import blob_path, read_blob, sha256_of
from inspector_app.store.models import Attachment, AuditLog, ChangeLog

USER, PASS = "Dana Whitfield", "pass-phrase-1"


def _marked(size: tuple[int, int] = (320, 240)) -> bytes:
    buf = io.BytesIO()
    image = Image.new("RGB", size, (250, 250, 250))
    for x in range(40, 200):
        image.putpixel((x, 120), (227, 22, 27))  # a red line drawn on the copy
    image.save(buf, format="PNG")
    return buf.getvalue()


def _demo_photo(db: Database) -> Attachment:
    with db.read() as s:
        return s.exec(select(Attachment).where(Attachment.mime_type == "image/jpeg")).first()


def test_markup_is_a_new_linked_attachment_and_the_original_is_unchanged(demo_db: Database
                                                                         ) -> None:  # fmt: skip
    original = _demo_photo(demo_db)
    stored_before = blob_path(demo_db.attachments_dir, original.sha256).read_bytes()
    data = _marked()
    copy = attachments.add_markup(demo_db, original.id, data)
    assert copy.id != original.id and copy.derived_from == original.id
    assert copy.sha256 == sha256_of(data) and copy.mime_type == "image/png"
    assert copy.caption == f"Marked up from {original.caption}"
    assert (copy.review_id, copy.item_key, copy.finding_id) == (
        original.review_id, original.item_key, original.finding_id)  # fmt: skip
    after = attachments.attachment(demo_db, original.id)
    assert after is not None and after.model_dump() == original.model_dump()
    assert blob_path(demo_db.attachments_dir, original.sha256).read_bytes() == stored_before
    with demo_db.read() as s:  # one insert in the change log, one audit entry
        logged = s.exec(select(ChangeLog).where(ChangeLog.row_id == copy.id)).all()
        assert [(c.op, c.payload["derived_from"]) for c in logged] == [("insert", original.id)]
        assert s.exec(select(AuditLog).where(AuditLog.entity_id == copy.id)).one().event == "create"
    # undone: the copy is a tombstone, restored by redo; the original never moves
    attachments.set_removed(demo_db, copy.id, True)
    assert attachments.attachment(demo_db, copy.id) is None
    attachments.set_removed(demo_db, copy.id, False)
    assert attachments.attachment(demo_db, copy.id) is not None
    assert attachments.attachment(demo_db, original.id).rev == original.rev


def test_caption_is_saved_from_the_revision_loaded(demo_db: Database) -> None:
    photo = _demo_photo(demo_db)
    saved = attachments.set_caption(demo_db, photo.id, "  East wall  ", base_rev=photo.rev)
    assert saved.caption == "East wall" and saved.rev == photo.rev + 1
    with pytest.raises(StaleEdit):
        attachments.set_caption(demo_db, photo.id, "Mine", base_rev=photo.rev)
    attachments.remove_attachment(demo_db, photo.id)
    with pytest.raises(NotFound):
        attachments.set_caption(demo_db, photo.id, "Gone", base_rev=None)


def test_save_copy_writes_the_plain_file_where_asked(demo_db: Database, tmp_path: Path) -> None:
    photo = _demo_photo(demo_db)
    target = attachments.save_copy(demo_db, photo.id, tmp_path / "copy.jpg")
    assert sha256_of(target.read_bytes()) == photo.sha256


@pytest.mark.slow
def test_markup_on_an_encrypted_database_is_stored_encrypted(demo_db_path: Path) -> None:
    encrypt_database(demo_db_path, name=USER, passphrase=PASS)
    with opened(demo_db_path, data_key=unlock(demo_db_path, USER, PASS), daily_backup=False
                ) as db:  # fmt: skip
        original = _demo_photo(db)
        before = blob_path(db.attachments_dir, original.sha256).read_bytes()
        data = _marked()
        copy = attachments.add_markup(db, original.id, data)
        on_disk = blob_path(db.attachments_dir, copy.sha256).read_bytes()
        assert on_disk.startswith(b"INSPENC1") and data not in on_disk
        assert b"IHDR" not in on_disk  # no PNG structure in the clear
        assert read_blob(db.attachments_dir, copy.sha256) == data  # decrypts to the markup
        assert blob_path(db.attachments_dir, original.sha256).read_bytes() == before
        assert attachments.read_bytes(db, original) is not None
