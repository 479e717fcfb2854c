"""A test CA, a supervisor's PKCS#12 file and the demo database's final review."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector_app.store.database import open_database
from inspector_app.store.queries import list_reviews

from .certs import PASSPHRASE, TestCA, make_ca

SUPERVISOR_CN = "Pat Okafor (Supervisor)"


@pytest.fixture(scope="session")
def ca() -> TestCA:
    return make_ca()


@pytest.fixture(scope="session")
def supervisor_p12(ca: TestCA) -> bytes:
    return ca.issue(SUPERVISOR_CN)


@pytest.fixture
def signing_files(tmp_path: Path, ca: TestCA, supervisor_p12: bytes) -> dict[str, Path]:
    files = {"ca": tmp_path / "ca.pem", "p12": tmp_path / "supervisor.p12",
             "pass": tmp_path / "passphrase.txt"}  # fmt: skip
    files["ca"].write_bytes(ca.pem)
    files["p12"].write_bytes(supervisor_p12)
    files["pass"].write_bytes(PASSPHRASE + b"\n")
    return files


def review_ids(path: Path) -> dict[tuple[str, str], str]:
    db = open_database(path, daily_backup=False)
    try:
        with db.read() as s:
            return {(r.review.kind, r.review.status): r.review.id for r in list_reviews(s)}
    finally:
        db.close()


@pytest.fixture
def final_review_id(demo_db_path: Path) -> str:
    return review_ids(demo_db_path)[("jem_inspection", "final")]
