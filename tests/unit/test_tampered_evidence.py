"""A final review whose evidence or rows were changed behind the app's back: `verify`
re-reads every attachment file, and its reports are never presented as final."""

from __future__ import annotations

import re
import sqlite3

import pytest

from inspector_app.cli.main import run
from inspector_app.domain.enums import ReportKind
from inspector_app.services import lifecycle, report_service
from inspector_app.store import queries
from inspector_app.store.database import Database, open_database
from inspector_app.store.files import blob_path
from inspector_app.store.models import Attachment
from tests.unit.test_reports_support import flat, pages_text


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


# --- reports of a changed final review ------------------------------------------------

BAND = "CONTENT CHANGED SINCE FINALIZED — NOT A VALID FINAL REPORT"


def _assert_not_presented_as_final(pdf: bytes, *changes: str) -> None:
    pages = pages_text(pdf)
    assert len(pages) > 3
    for page in pages:
        assert BAND in page  # the red band (and the footer) on every page
        assert "content hash SHA-256" not in page and "Final (revision" not in page
    title_page = re.sub(r"\s+", " ", pages[0])
    assert "Status Changed since finalized: not a valid final report" in title_page
    assert "(no longer matches)" in title_page
    for change in changes:
        assert change in flat(pdf)  # the title page says what changed
    assert "DRAFT" not in flat(pdf)  # it is not a draft either


def test_report_of_a_final_review_with_a_missing_evidence_file(demo_db):
    review_id, photo = _alder_final(demo_db)
    untouched = report_service.render_report(demo_db, ReportKind.INSPECTION, review_id)
    assert BAND not in flat(untouched.pdf) and untouched.changed_since_final == []
    blob_path(demo_db.attachments_dir, photo.sha256).unlink()
    rendered = report_service.render_report(demo_db, ReportKind.INSPECTION, review_id)
    _assert_not_presented_as_final(rendered.pdf, _line(photo, "missing"))
    assert rendered.changed_since_final == [_line(photo, "missing")]
    params = rendered.artifact.params
    assert params["review_status"] == "changed_since_final" and params["final"] is False
    assert params["changed_since_final"] == [_line(photo, "missing")]
    assert rendered.sha256 != untouched.sha256


def test_report_of_a_final_review_whose_rows_changed(demo_db):
    review_id, _ = _alder_final(demo_db)
    con = sqlite3.connect(demo_db.path)
    con.execute("UPDATE finding SET description = 'Nothing found' WHERE review_id = ? "
                "AND number = 1", (review_id,))  # fmt: skip
    con.commit()
    con.close()
    pdf = report_service.build_pdf(demo_db, ReportKind.INSPECTION, review_id)[0]
    _assert_not_presented_as_final(pdf, "finding F-1 changed")


def test_cli_report_of_an_altered_final_review(capsys, demo_db_path, tmp_path):
    db = open_database(demo_db_path, user="Dana Whitfield", daily_backup=False)
    try:
        review_id, photo = _alder_final(db)
        blob_path(db.attachments_dir, photo.sha256).write_bytes(b"not the photo")
    finally:
        db.close()
    out = tmp_path / "alder.pdf"
    code, _ = _cli(capsys, "report", "inspection", review_id, "--out", str(out),
                   "--db", str(demo_db_path))  # fmt: skip
    assert code == 0
    _assert_not_presented_as_final(out.read_bytes(), _line(photo, "altered"))


# --- the demo's final review has evidence to tamper with --------------------------------


def test_demo_final_review_has_evidence_photos_and_verify_sees_them_change(demo_db):
    with demo_db.read() as s:
        (bexley,) = [r.review for r in queries.list_reviews(s)
                     if r.review.status == "final"]  # fmt: skip
        data = queries.load_review(s, bexley.id)
    photos = [a for a in data.attachments if a.mime_type == "image/jpeg"]
    assert len(photos) == 4
    assert sum(a.finding_id is not None for a in photos) == 3  # and one on a checklist item
    assert all(a.caption for a in photos)
    assert lifecycle.verify_review(demo_db, bexley.id).matches
    text = flat(report_service.build_pdf(demo_db, ReportKind.INSPECTION, bexley.id)[0])
    assert "I-247A with the probable-cause box left blank" in text
    assert "content hash SHA-256" in text and BAND not in text
    first = min(photos, key=lambda a: a.filename)
    blob_path(demo_db.attachments_dir, first.sha256).write_bytes(b"")
    assert lifecycle.verify_review(demo_db, bexley.id).evidence == [_line(first, "altered")]
