"""Approving a final review: the signed report, the approval row, verify-signature."""

from __future__ import annotations

import sqlite3
from io import BytesIO
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from inspector_app.cli.main import run
from inspector_app.reports import signing
from inspector_app.services import approval, lifecycle, report_service
from inspector_app.services.errors import Conflict
from inspector_app.store.database import open_database
from inspector_app.store.files import read_blob

from .certs import PASSPHRASE
from .conftest import SUPERVISOR_CN, review_ids


def _approve(db_path: Path, review_id: str, files: dict[str, Path], out: Path,
             p12: Path | None = None) -> int:  # fmt: skip
    return run(["report", "approve", review_id[:8], "--p12", str(p12 or files["p12"]),
                "--p12-passphrase-file", str(files["pass"]), "--out", str(out),
                "--db", str(db_path), "--user", "Sam Reyes"])  # fmt: skip


def _verify(pdf: Path, *trust: Path) -> int:
    args = ["report", "verify-signature", str(pdf)]
    for t in trust:
        args += ["--trust", str(t)]
    return run(args)


def _stored(db_path: Path, review_id: str) -> tuple[object, list, int]:
    """(approval row or None, signed artifacts, number of files kept)."""
    db = open_database(db_path, daily_backup=False)
    try:
        row = approval.approval_of(db, review_id)
        arts = [a.artifact for a in report_service.list_artifacts(db, review_id=review_id)
                if a.artifact.params.get("signed")]  # fmt: skip
        files = sum(1 for p in Path(db.attachments_dir).rglob("*") if p.is_file())
        return row, arts, files
    finally:
        db.close()


@pytest.fixture
def approved(demo_db_path, final_review_id, signing_files, tmp_path, capsys):
    out = tmp_path / "signed.pdf"
    assert _approve(demo_db_path, final_review_id, signing_files, out) == 0
    return out, capsys.readouterr().out


def test_approve_signs_stores_and_records(demo_db_path, final_review_id, signing_files,
                                          approved, ca):  # fmt: skip
    out, printed = approved
    signed = out.read_bytes()
    db = open_database(demo_db_path, daily_backup=False)
    try:
        content_hash = lifecycle.verify_review(db, final_review_id).stored
        row = approval.approval_of(db, final_review_id)
        assert row is not None and row.approved_by == "Sam Reyes" and row.signer == SUPERVISOR_CN
        assert row.content_hash == content_hash and row.artifact_sha256 in printed
        assert read_blob(db.attachments_dir, row.artifact_sha256) == signed  # kept as is
        art = next(a.artifact for a in report_service.list_artifacts(db, review_id=final_review_id)
                   if a.artifact.sha256 == row.artifact_sha256)  # fmt: skip
        assert art.kind == "inspection" and art.params["signed"] is True
        assert art.params["content_hash"] == content_hash
    finally:
        db.close()
    assert "Sam Reyes" in printed and content_hash in printed and SUPERVISOR_CN in printed
    assert str(out) in printed
    # pyHanko itself: valid, intact, trusted, signed by the supervisor
    sig = PdfFileReader(BytesIO(signed)).embedded_signatures[0]
    ctx = ValidationContext(trust_roots=signing.load_trust(ca.pem), allow_fetching=False)
    status = validate_pdf_signature(sig, signer_validation_context=ctx)
    assert status.bottom_line
    assert status.signing_cert.subject.native["common_name"] == SUPERVISOR_CN
    # the signed report still reads as the final report with its content hash
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(signed)).pages)
    assert content_hash in text.replace("\n", "")


def test_verify_signature_valid_then_untrusted(approved, signing_files, capsys):
    out, _ = approved
    assert _verify(out, signing_files["ca"]) == 0
    printed = capsys.readouterr().out
    assert SUPERVISOR_CN in printed and "intact" in printed and "trusted" in printed
    assert _verify(out) == 1
    assert "not trusted" in capsys.readouterr().out


def test_one_byte_changed_inside_the_signed_range(approved, signing_files, tmp_path, capsys):
    out, _ = approved
    data = bytearray(out.read_bytes())
    start = data.index(b"stream\n") + len(b"stream\n") + 10  # inside the first page stream
    data[start] ^= 0x01
    bad = tmp_path / "changed.pdf"
    bad.write_bytes(bytes(data))
    assert _verify(bad, signing_files["ca"]) == 1
    assert "CHANGED after signing" in capsys.readouterr().out


def test_a_byte_appended_after_the_signature(approved, signing_files, tmp_path, capsys):
    out, _ = approved
    longer = tmp_path / "appended.pdf"
    longer.write_bytes(out.read_bytes() + b"x")
    assert _verify(longer, signing_files["ca"]) == 1
    assert "does not cover the whole file" in capsys.readouterr().out


def test_not_a_pdf_and_not_signed(tmp_path, demo_db_path, final_review_id, capsys):
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"just text")
    assert _verify(junk) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a PDF" in err
    plain = tmp_path / "plain.pdf"
    args = ["report", "inspection", final_review_id, "--out", str(plain), "--db", str(demo_db_path)]
    assert run(args) == 0
    capsys.readouterr()
    assert _verify(plain) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not signed" in err
    assert _verify(tmp_path / "missing.pdf") == 2


@pytest.mark.parametrize("case", ["expired", "wrong-passphrase", "not-for-signing"])
def test_refused_certificate_stores_nothing(case, demo_db_path, final_review_id, signing_files,
                                            ca, tmp_path, capsys):  # fmt: skip
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    p12 = signing_files["p12"]
    if case == "expired":
        p12 = tmp_path / "expired.p12"
        p12.write_bytes(ca.issue("Old", not_before=now - timedelta(days=400),
                                 not_after=now - timedelta(days=1)))  # fmt: skip
    elif case == "not-for-signing":
        p12 = tmp_path / "enc.p12"
        p12.write_bytes(ca.issue("Encryption Only", signing=False))
    else:
        signing_files["pass"].write_bytes(b"not the passphrase\n")
    _, _, files_before = _stored(demo_db_path, final_review_id)
    out = tmp_path / "signed.pdf"
    assert _approve(demo_db_path, final_review_id, signing_files, out, p12) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    row, arts, files_after = _stored(demo_db_path, final_review_id)
    assert row is None and arts == [] and files_after == files_before and not out.exists()


def test_a_review_changed_since_finalize_cannot_be_approved(demo_db_path, final_review_id,
                                                            supervisor_p12):  # fmt: skip
    con = sqlite3.connect(demo_db_path)
    con.execute("UPDATE finding SET description = 'Nothing found' WHERE review_id = ? "
                "AND number = 1", (final_review_id,))  # fmt: skip
    con.commit()
    con.close()
    db = open_database(demo_db_path, user="Sam Reyes", daily_backup=False)
    try:
        with pytest.raises(Conflict, match="changed since it was finalized: it cannot be approved"):
            approval.approve_review(db, final_review_id, p12=supervisor_p12,
                                    p12_passphrase=PASSPHRASE)  # fmt: skip
        assert approval.approval_of(db, final_review_id) is None
    finally:
        db.close()


def test_only_final_reviews_and_only_supervisors(demo_db_path, final_review_id, supervisor_p12):
    draft = review_ids(demo_db_path)[("jem_inspection", "report_draft")]
    db = open_database(demo_db_path, user="Sam Reyes", daily_backup=False)
    try:
        with pytest.raises(Conflict, match="is not final"):
            approval.approve_review(db, draft, p12=supervisor_p12, p12_passphrase=PASSPHRASE)
        db.roles = ["inspector"]  # an encrypted database's signed-in person
        with pytest.raises(approval.NotSupervisor, match="not a supervisor"):
            approval.approve_review(db, final_review_id, p12=supervisor_p12,
                                    p12_passphrase=PASSPHRASE)  # fmt: skip
        db.roles = ["inspector", "supervisor"]
        result = approval.approve_review(db, final_review_id, p12=supervisor_p12,
                                         p12_passphrase=PASSPHRASE)  # fmt: skip
        assert result.approval.approved_by == "Sam Reyes"
        with pytest.raises(Conflict, match="already approved"):
            approval.approve_review(db, final_review_id, p12=supervisor_p12,
                                    p12_passphrase=PASSPHRASE)  # fmt: skip
    finally:
        db.close()
