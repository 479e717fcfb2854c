"""A final review whose evidence or rows were changed behind the app's back: `verify`
re-reads every attachment file, and its reports are never presented as final."""

from __future__ import annotations

import sqlite3

import pytest

from inspector_app.cli.main import run
from inspector_app.services import lifecycle
from inspector_app.store import queries
from inspector_app.store.database import Database, open_database
from inspector_app.store.files import blob_path
from inspector_app.store.models import Attachment


def _alder_final(db: Database) -> tuple[str, Attachment]:
    """The demo's complete Alder inspection, finalized, and its evidence photo."""
    with db.read() as s:
        review_id = next(r.review.id for r in queries.list_reviews(s)
                         if r.agency_name.startswith("Alder"))  # fmt: skip
    lifecycle.finalize_review(db, review_id)
    with db.read() as s:
        (photo,) = queries.load_review(s, review_id).attachments
    return review_id, photo


def _line(photo: Attachment, what: str) -> str:
    return f"attachment {photo.filename} ({photo.sha256[:8]}): file {what}"


@pytest.mark.parametrize(
    ("tamper", "what"),
    [
        (lambda p: p.unlink(), "missing"),
        (lambda p: p.write_bytes(b""), "altered"),
        (lambda p: p.write_bytes(p.read_bytes()[:-10] + b"0123456789"), "altered"),
    ],
    ids=["deleted", "emptied", "overwritten"],
)
def test_verify_rereads_every_evidence_file(demo_db, tamper, what):
    review_id, photo = _alder_final(demo_db)
    assert lifecycle.verify_review(demo_db, review_id).matches
    tamper(blob_path(demo_db.attachments_dir, photo.sha256))
    result = lifecycle.verify_review(demo_db, review_id)
    assert not result.matches
    assert result.hash_matches  # the rows are untouched: only the file changed
    assert result.evidence == [_line(photo, what)]
    assert result.differences == [_line(photo, what)]


def test_verify_names_changed_rows_and_files_together(demo_db):
    review_id, photo = _alder_final(demo_db)
    blob_path(demo_db.attachments_dir, photo.sha256).unlink()
    con = sqlite3.connect(demo_db.path)
    con.execute("UPDATE review SET summary = 'Nothing to see' WHERE id = ?", (review_id,))
    con.commit()
    con.close()
    result = lifecycle.verify_review(demo_db, review_id)
    assert result.differences == ["review changed", _line(photo, "missing")]


def _cli(capsys, *args: str) -> tuple[int, str]:
    code = run(list(args))
    return code, capsys.readouterr().out


def test_cli_verify_exits_1_and_names_the_missing_file(capsys, demo_db_path):
    db = open_database(demo_db_path, user="Dana Whitfield", daily_backup=False)
    try:
        review_id, photo = _alder_final(db)
    finally:
        db.close()
    code, out = _cli(capsys, "verify", review_id, "--db", str(demo_db_path))
    assert code == 0 and "matches" in out
    blob_path(demo_db_path.parent / "demo-files", photo.sha256).unlink()
    code, out = _cli(capsys, "verify", review_id, "--db", str(demo_db_path))
    assert code == 1 and out.startswith("CHANGED:")
    assert _line(photo, "missing") in out
