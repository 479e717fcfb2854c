"""SIGKILL in the middle of finalizing a review on an encrypted database (issue 11).

A child (finalize_child.py) signs in to an encrypted copy of the demo, finalizes a
review that can be finalized and renders its inspection report (stored as an
encrypted artifact); it is killed at named moments inside those two transactions and
after random short delays. Afterwards the database opens with the key and passes the
full integrity check, the audit chain verifies, the review is either still a draft or
final with a content hash that verifies, every report artifact it has is a whole,
readable PDF, and no file under the data folder (database, -wal, -shm, journal,
attachments, artifacts, backups, temporary files) holds a plaintext canary: an
officer's accented name, a note's text, a photo chunk, a piece of the report PDF,
b"SQLite format 3" or b"%PDF-1.".

Finalizing and rendering are two transactions (lifecycle.finalize_review, then
report_service.render_report): a kill between them leaves a final review without a
report artifact yet. That state is checked to be recoverable: the report renders
from the reopened database and reads back whole.
"""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlmodel import select

from inspector_app.services import accounts, audit, lifecycle, report_service
from inspector_app.services.encryption import encrypt_database, unlock
from inspector_app.store import queries
from inspector_app.store.database import Database, opened
from inspector_app.store.models import ReportArtifact, Review
from tests.security.finalize_child import STEPS
from tests.security.test_encryption import PASS, USER, assert_no_plaintext, plaintext_demo

CHILD = Path(__file__).with_name("finalize_child.py")
ROLES = frozenset({"inspector", "supervisor", "admin"})  # a supervisor may finalize
TIMEOUT = 180

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL (POSIX only)"),
]


@dataclass(frozen=True)
class Template:
    folder: Path  # the data folder: demo.db, its key file, files and backups
    review_id: str  # a JEM inspection that can be finalized
    chunks: list[bytes]  # a piece of every photo, taken while still plaintext


def _finalizable_review(path: Path) -> str:
    with opened(path, daily_backup=False) as db, db.read() as s:
        drafts = [r.review.id for r in queries.list_reviews(s)
                  if r.review.kind == "jem_inspection" and r.review.status == "report_draft"]  # fmt: skip
    ready = [rid for rid in drafts if not _problems(path, rid)]
    assert ready, "the demo has no JEM inspection ready to finalize"
    return ready[0]


def _problems(path: Path, review_id: str) -> list[str]:
    with opened(path, daily_backup=False) as db:
        return lifecycle.check_finalizable(db, review_id)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """An encrypted demo (made once): encrypted from a plaintext one, then signed in to
    once, so an encrypted daily backup is in backups/ too."""
    root = tmp_path_factory.mktemp("finalize-template")
    path, chunks, _n = plaintext_demo(root)
    review_id = _finalizable_review(path)
    encrypt_database(path, name=USER, passphrase=PASS, roles=ROLES)
    accounts.sign_in(path, USER, PASS).close()
    assert list((path.parent / "backups").glob("*.db"))
    assert chunks
    return Template(path.parent, review_id, chunks)


@pytest.fixture
def laptop(template: Template, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the template's data folder, and the passphrase file beside (not in) it."""
    folder = tmp_path / "data"
    shutil.copytree(template.folder, folder)
    passfile = tmp_path / "passphrase.txt"
    passfile.write_text(PASS + "\n", encoding="utf-8")
    return folder / "demo.db", passfile


def start_child(db: Path, passfile: Path, review_id: str, step: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, str(CHILD), str(db), USER, str(passfile), review_id, step],
        stdout=subprocess.PIPE,
    )  # fmt: skip


def inspection_artifacts(db: Database, review_id: str) -> list[ReportArtifact]:
    with db.read() as s:
        return list(s.exec(select(ReportArtifact).where(
            ReportArtifact.review_id == review_id, ReportArtifact.kind == "inspection",
            ReportArtifact.deleted == False,  # noqa: E712
        )))  # fmt: skip


def final_report_pdfs(db: Database, review_id: str) -> list[bytes]:
    """Every inspection report artifact of the final review: whole, readable, final."""
    pdfs = []
    for artifact in inspection_artifacts(db, review_id):
        pdf = report_service.artifact_pdf(db, artifact)  # decrypts and checks the SHA-256
        assert pdf.startswith(b"%PDF-1.") and pdf.rstrip().endswith(b"%%EOF")
        assert artifact.params["final"] and artifact.params["review_status"] == "final"
        pdfs.append(pdf)
    return pdfs


def check_after_kill(db_path: Path, review_id: str, chunks: list[bytes]) -> str:
    """The invariants after a kill; returns the state found: "draft", "final-unrendered"
    (finalized, killed before its report was kept) or "final-with-report"."""
    folder = db_path.parent
    canaries = [*chunks, b"%PDF-1."]
    assert_no_plaintext(folder, canaries)  # as the kill left it: temporary files included
    with opened(db_path, data_key=unlock(db_path, USER, PASS), daily_backup=False) as db:
        db.check_integrity()  # the full integrity check (the open ran the quick one)
        chain = audit.verify_chain(db)
        assert chain.ok, f"audit chain broken at {chain.first_bad}: {chain.problem}"
        with db.read() as s:
            review = s.get(Review, review_id)
        assert review is not None
        if review.status == "report_draft":
            assert not review.content_hash and not inspection_artifacts(db, review_id)
            state = "draft"
        else:
            assert review.status == "final"
            assert lifecycle.verify_review(db, review_id).matches
            pdfs = final_report_pdfs(db, review_id)
            state = "final-with-report" if pdfs else "final-unrendered"
            if not pdfs:  # recoverable: the report renders now and reads back whole
                report_service.render_report(db, "inspection", review_id)
                pdfs = final_report_pdfs(db, review_id)
                assert len(pdfs) == 1
            canaries += [pdf[len(pdf) // 2 : len(pdf) // 2 + 48] for pdf in pdfs]
    assert_no_plaintext(folder, canaries)
    return state


EXPECTED = {
    "finalize-uncommitted": "draft",
    "finalized": "final-unrendered",
    "pdf-temp-written": "final-unrendered",
    "pdf-stored": "final-unrendered",
    "report-uncommitted": "final-unrendered",
    "rendered": "final-with-report",
}


@pytest.mark.parametrize("step", STEPS)
def test_sigkill_at_each_moment_of_finalize(
    template: Template, laptop: tuple[Path, Path], step: str
) -> None:
    db, passfile = laptop
    proc = start_child(db, passfile, template.review_id, step)
    out, _ = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == -signal.SIGKILL, out
    assert out == b"GO\n"
    if step == "pdf-temp-written":  # the kill really came between write and rename
        assert list((db.parent / "demo-files").glob("*/.*.tmp"))
    assert check_after_kill(db, template.review_id, template.chunks) == EXPECTED[step]


@pytest.mark.parametrize("seed", range(4))
def test_sigkill_at_random_moments_of_finalize(
    template: Template, laptop: tuple[Path, Path], seed: int
) -> None:
    """Killed a random 0-1.2 s after sign-in (finalize + render took about 0.9 s here)."""
    db, passfile = laptop
    delay = random.Random(seed).uniform(0.0, 1.2)
    proc = start_child(db, passfile, template.review_id, "none")
    assert proc.stdout is not None
    assert proc.stdout.readline() == b"GO\n"
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=TIMEOUT)
    state = check_after_kill(db, template.review_id, template.chunks)
    print(f"killed {delay:.3f} s after sign-in (exit {proc.returncode}): {state}")
    if proc.returncode == 0:
        assert state == "final-with-report"
