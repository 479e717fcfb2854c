"""Encrypted databases end to end: no plaintext canary anywhere, crash-safe conversion,
sign-in failures in one line (exit 2) that write nothing, reports from encrypted photos."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from inspector_app.cli.main import run
from inspector_app.services import lookup
from inspector_app.services.demo_file import create_demo_database
from inspector_app.services.encryption import encrypt_database, is_encrypted, unlock
from inspector_app.store.database import open_database, opened
from inspector_app.store.files import read_blob
from inspector_app.store.keyfile import keyfile_path

USER, PASS = "Auditor", "pass-phrase-1"
OFFICER = "Inés Carvalho".encode()  # an accented name from the demo data
NOTE = b"Observed on site; see attached photo."


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def photo_chunks(db_path: Path) -> list[bytes]:
    """A piece from the middle of every stored file of a plaintext database."""
    root = db_path.parent / f"{db_path.stem}-files"
    chunks = []
    for f in files_under(root):
        data = f.read_bytes()
        if len(data) > 256:
            chunks.append(data[len(data) // 2 : len(data) // 2 + 48])
    return chunks


def assert_no_plaintext(folder: Path, chunks: list[bytes]) -> None:
    canaries = [OFFICER, NOTE, b"SQLite format 3", *chunks]
    for f in files_under(folder):
        if f.suffix == ".txt":
            continue  # the test's passphrase files
        data = f.read_bytes()
        for canary in canaries:
            assert canary not in data, f"{canary[:20]!r} in {f.relative_to(folder)}"


def plaintext_demo(tmp_path: Path) -> tuple[Path, list[bytes], int]:
    path = tmp_path / "data" / "demo.db"
    create_demo_database(path, user="Dana Whitfield")
    with opened(path):
        pass  # the daily backup: a plaintext backup the encryption must not leave behind
    return path, photo_chunks(path), reviews_in(path, None)


def reviews_in(path: Path, data_key: bytes | None) -> int:
    db = open_database(path, data_key=data_key, daily_backup=False)
    try:
        return lookup.counts(db).reviews
    finally:
        db.close()


@pytest.fixture
def passfiles(tmp_path: Path) -> tuple[Path, Path]:
    good, bad = tmp_path / "pass.txt", tmp_path / "wrong.txt"
    good.write_text(PASS + "\n")
    bad.write_text("not-the-passphrase\n")
    return good, bad


@pytest.mark.slow
def test_encrypted_demo_holds_no_plaintext(tmp_path: Path, passfiles: tuple[Path, Path]) -> None:
    folder = tmp_path / "data"
    db = folder / "demo.db"
    good, bad = passfiles
    assert run(["demo", "--db", str(db), "--user", USER, "--passphrase-file", str(good)]) == 0
    # Opening (daily backup, WAL) and a report written by the CLI stay encrypted too.
    assert run(["--db", str(db), "--user", USER, "--passphrase-file", str(good), "status"]) == 0
    assert keyfile_path(db).exists()
    assert list((folder / "backups").glob("*.db.keys"))
    assert_no_plaintext(folder, [])
    with opened(db, data_key=unlock(db, USER, PASS)) as db_:
        assert db_.encrypted and db_.file_key is not None


def test_wrong_passphrase_exit_2_one_line_nothing_written(
    tmp_path: Path, passfiles: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "data"
    db = folder / "demo.db"
    good, bad = passfiles
    assert run(["demo", "--db", str(db), "--user", USER, "--passphrase-file", str(good)]) == 0
    capsys.readouterr()
    before = {p: p.stat().st_mtime_ns for p in files_under(folder) if p.suffix != ".keys"}
    assert run(["status", "--db", str(db), "--user", USER, "--passphrase-file", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "wrong passphrase" in err
    assert run(["status", "--db", str(db), "--user", "Nobody", "--passphrase-file", str(good)]) == 2
    assert "no account named 'Nobody'" in capsys.readouterr().err
    assert run(["status", "--db", str(db)]) == 2  # no user: sign in
    assert "sign in" in capsys.readouterr().err
    after = {p: p.stat().st_mtime_ns for p in files_under(folder) if p.suffix != ".keys"}
    assert after == before  # no -wal/-shm, no backup, nothing touched


@pytest.mark.slow
def test_encrypt_a_plaintext_demo(tmp_path: Path, passfiles: tuple[Path, Path]) -> None:
    path, chunks, n = plaintext_demo(tmp_path)
    assert chunks and list((path.parent / "backups").glob("*.db"))
    good, _ = passfiles
    assert run(["encrypt", "--db", str(path), "--user", USER, "--passphrase-file", str(good)]) == 0
    assert_no_plaintext(path.parent, chunks)
    key = unlock(path, USER, PASS)
    assert reviews_in(path, key) == n
    with opened(path, data_key=key) as db:
        stored = [p.name for p in files_under(db.attachments_dir)]
        assert stored and all(read_blob(db.attachments_dir, sha) for sha in stored)


KILLER = """
import os, signal, sys
from inspector_app.services import encryption
step = sys.argv[2]
def checkpoint(name):
    if name == step:
        os.kill(os.getpid(), signal.SIGKILL)
encryption._checkpoint = checkpoint
encryption.encrypt_database(sys.argv[1], name="Auditor", passphrase="pass-phrase-1")
"""
STEPS = ["prepared", "keys-written", "database-written", "files-written", "committed"]


def check_whole_old_or_new(path: Path, chunks: list[bytes], n: int) -> str:
    if is_encrypted(path):  # finishes or undoes the interrupted conversion
        assert reviews_in(path, unlock(path, USER, PASS)) == n
        assert_no_plaintext(path.parent, chunks)
        return "new"
    assert reviews_in(path, None) == n
    assert not list(path.parent.rglob("*.enc")) and not list(path.parent.glob(".*"))
    with opened(path, daily_backup=False) as db:
        assert all(read_blob(db.attachments_dir, p.name) for p in files_under(db.attachments_dir))
    return "old"


@pytest.mark.slow
@pytest.mark.parametrize("step", STEPS)
def test_sigkill_at_each_step_of_encrypt(tmp_path: Path, step: str) -> None:
    path, chunks, n = plaintext_demo(tmp_path)
    proc = subprocess.run([sys.executable, "-c", KILLER, str(path), step], timeout=120)
    assert proc.returncode == -signal.SIGKILL
    outcome = check_whole_old_or_new(path, chunks, n)
    assert outcome == ("new" if step == "committed" else "old")


@pytest.mark.slow
@pytest.mark.parametrize("after_ms", [150, 400, 700, 1000, 1400])
def test_sigkill_at_random_moments_of_encrypt(tmp_path: Path, after_ms: int) -> None:
    path, chunks, n = plaintext_demo(tmp_path)
    proc = subprocess.Popen([sys.executable, "-c", KILLER, str(path), "none"])
    time.sleep(after_ms / 1000)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    check_whole_old_or_new(path, chunks, n)
    if proc.returncode == 0:
        assert keyfile_path(path).exists()


@pytest.mark.slow
def test_report_with_photos_renders_from_encrypted_database(tmp_path: Path) -> None:
    from inspector_app.services import report_service, review_views

    path, _chunks, _n = plaintext_demo(tmp_path)
    key = encrypt_database(path, name=USER, passphrase=PASS)
    with opened(path, data_key=key) as db:
        rendered = 0
        for review_id in [r.review.id for r in review_views.review_rows(db)]:
            for kind, ok, _why in report_service.available_reports(db, review_id):
                if ok:
                    report = report_service.render_report(db, kind, review_id)
                    assert report.pdf[:4] == b"%PDF"
                    rendered += 1
        assert rendered
    assert_no_plaintext(path.parent, [])


@pytest.mark.slow
def test_an_encrypted_laptop_exports_a_bundle_with_its_photos_readable(tmp_path: Path) -> None:
    """A bundle carries the files decrypted (the receiving laptop has its own key) and
    every file's bytes still hash to its name."""
    from inspector_app.services.sync.bundle_file import read_bundle
    from inspector_app.services.sync.bundles import export_bundle

    path, chunks, _n = plaintext_demo(tmp_path)
    key = encrypt_database(path, name=USER, passphrase=PASS)
    out = tmp_path / "out.inspector-bundle"
    with opened(path, data_key=key) as db:
        report = export_bundle(db, out)
    assert report.files and report.changes
    bundle = read_bundle(out)  # checks every blob against its SHA-256
    carried = b""
    for blob in bundle.blobs:
        with bundle.open_blob(blob.sha256) as f:
            carried += f.read()
    assert chunks and all(c in carried for c in chunks)


def test_a_short_passphrase_is_refused_before_anything_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "data" / "demo.db"
    create_demo_database(path, user="Dana Whitfield")
    before = path.read_bytes()
    short = tmp_path / "short.txt"
    short.write_text("eleven-char\n")
    capsys.readouterr()
    assert run(["encrypt", "--db", str(path), "--user", USER, "--passphrase-file", str(short)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "at least 12 characters (this one has 11)" in err
    assert not keyfile_path(path).exists() and not is_encrypted(path)
    assert path.read_bytes() == before
