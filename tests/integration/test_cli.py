"""The real command line in a subprocess: what a user at a terminal sees."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from inspector_app import __version__
from inspector_app.paths import forms_dir

# Each call starts a Python process (1-3 s on a busy machine): the module takes a while.
pytestmark = pytest.mark.slow


def run_cli(*args: str, data_dir: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    env = dict(os.environ, INSPECTOR_DATA_DIR=str(data_dir), QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [sys.executable, "-m", "inspector_app", *args],
        capture_output=True, text=True, env=env, cwd=data_dir, timeout=timeout,
    )  # fmt: skip


def assert_one_line_error(result: subprocess.CompletedProcess, *needles: str) -> str:
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0]
    return lines[0]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    return d


@pytest.fixture(scope="module")
def demo_cli(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """`demo --db X` run once for the module (writing the demo takes seconds)."""
    root = tmp_path_factory.mktemp("cli-demo")
    data = root / "data"
    data.mkdir()
    path = root / "field.db"
    return path, run_cli("demo", "--db", str(path), data_dir=data)


def test_version(data_dir):
    result = run_cli("--version", data_dir=data_dir)
    assert result.returncode == 0
    assert result.stdout.strip() == f"inspector-app {__version__}"


def test_demo_then_status_and_reviews(demo_cli, data_dir):
    path, demo = demo_cli
    assert demo.returncode == 0, demo.stderr
    assert demo.stdout.startswith(f"Demo data written to {path}: 7 agencies")
    assert demo.stderr == ""

    status = run_cli("status", "--db", str(path), "--json", data_dir=data_dir)
    assert status.returncode == 0, status.stderr
    info = json.loads(status.stdout)
    assert info["database"] == str(path)
    assert info["agencies"] == 7
    assert info["reviews"] >= 4 and info["findings"] >= 7
    assert info["changes_waiting"] > 100  # nothing synced yet
    assert info["inspector"] == "Dana Whitfield"

    listing = run_cli("reviews", "--db", str(path), data_dir=data_dir)
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert len(lines) == info["reviews"]
    alder = [line for line in lines if "Alder County Sheriff's Office (GA)" in line]
    assert len(alder) == 1 and "jem_inspection" in alder[0] and "D3 A2 B1" in alder[0]
    assert any("Cedar County Sheriff's Office (GA)" in line and "wso_review" in line
               for line in lines)  # fmt: skip

    as_json = json.loads(run_cli("reviews", "--db", str(path), "--json",
                                 data_dir=data_dir).stdout)  # fmt: skip
    assert {r["id"][:8] for r in as_json} == {line.split()[0] for line in lines}


def test_demo_twice_refuses_in_one_line(demo_cli, data_dir):
    path, _ = demo_cli
    before = sha(path)
    result = run_cli("demo", "--db", str(path), data_dir=data_dir)
    assert_one_line_error(result, str(path), "already holds data", "--force")
    assert result.stdout == ""
    assert sha(path) == before


def test_demo_without_db_goes_to_the_demo_folder_of_the_data_dir(data_dir, monkeypatch):
    # Only the path is checked: `status --demo` on a missing file names where it looked.
    result = run_cli("status", "--demo", data_dir=data_dir)
    assert_one_line_error(result, str(data_dir / "demo" / "inspector-demo.db"), "no database")


def test_forms_check_passes_on_the_shipped_forms(data_dir):
    result = run_cli("forms", "check", str(forms_dir()), data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert "form definitions OK" in result.stdout


def test_forms_check_reports_file_line_key(tmp_path, data_dir):
    forms = tmp_path / "forms"
    shutil.copytree(forms_dir(), forms)
    bad = forms / "wso_review.v1.yaml"
    lines = bad.read_text().splitlines()
    n = next(i for i, line in enumerate(lines) if line.strip() == "answer: yes_no_na")
    lines[n] = lines[n].replace("yes_no_na", "thumbs_up")
    bad.write_text("\n".join(lines) + "\n")
    result = run_cli("forms", "check", str(forms), data_dir=data_dir)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    problems = result.stderr.splitlines()
    assert problems
    for problem in problems:
        match = re.fullmatch(r"(.+\.yaml):(\d+): ([^:]+): (.+)", problem)
        assert match, problem
        assert Path(match[1]).name == "wso_review.v1.yaml"
    assert any(f"wso_review.v1.yaml:{n + 1}: " in p and "thumbs_up" in p
               for p in problems), problems  # fmt: skip


def test_forms_check_on_a_missing_folder(tmp_path, data_dir):
    result = run_cli("forms", "check", str(tmp_path / "nope"), data_dir=data_dir)
    assert_one_line_error(result, "nope", "not a folder")


# --- errors: one line, exit status 2, never a traceback ------------------------------


def test_missing_database(tmp_path, data_dir):
    missing = tmp_path / "missing.db"
    result = run_cli("status", "--db", str(missing), data_dir=data_dir)
    assert_one_line_error(result, str(missing), "no database here")
    assert not missing.exists()


def test_text_file_is_not_a_database(tmp_path, data_dir):
    path = tmp_path / "agencies.csv"
    path.write_text("name,state\nAlder,GA\n")
    before = sha(path)
    result = run_cli("reviews", "--db", str(path), data_dir=data_dir)
    assert_one_line_error(result, str(path), "not an Inspector database")
    assert sha(path) == before


def test_folder_is_not_a_database(tmp_path, data_dir):
    result = run_cli("status", "--db", str(tmp_path), data_dir=data_dir)
    assert_one_line_error(result, str(tmp_path), "not an Inspector database")


def small_database(path: Path, data_dir: Path) -> Path:
    """A real Inspector database with a few pages, made by the app itself."""
    from inspector_app.services import agencies as ag
    from inspector_app.store.database import open_database

    db = open_database(path, daily_backup=False)
    for i in range(40):
        ag.create_agency(db, name=f"Agency {i} " + "x" * 200, state="GA")
    db.close()
    return path


def test_corrupt_database(tmp_path, data_dir):
    path = small_database(tmp_path / "broken.db", data_dir)
    data = bytearray(path.read_bytes())
    pages = len(data) // 4096
    data[pages // 3 * 4096 : 2 * pages // 3 * 4096] = b"\x00" * (
        (2 * pages // 3 - pages // 3) * 4096
    )
    path.write_bytes(bytes(data))
    before = sha(path)
    result = run_cli("status", "--db", str(path), data_dir=data_dir)
    assert_one_line_error(result, str(path), "damaged", "backup")
    assert sha(path) == before


def test_database_from_a_newer_app(tmp_path, data_dir):
    path = small_database(tmp_path / "newer.db", data_dir)
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num='ffffffffffff'")
    con.commit()
    con.close()
    before = sha(path)
    result = run_cli("reviews", "--db", str(path), data_dir=data_dir)
    assert_one_line_error(result, str(path), "newer Inspector", "update the app")
    assert sha(path) == before


def test_unknown_subcommand(data_dir):
    result = run_cli("frobnicate", data_dir=data_dir)
    assert_one_line_error(result, "frobnicate", "--help")
    assert result.stdout == ""


def test_bad_option(data_dir):
    result = run_cli("status", "--colour", data_dir=data_dir)
    assert_one_line_error(result, "--colour", "--help")


def test_missing_subcommand_argument(data_dir):
    result = run_cli("forms", "check", "a", "b", data_dir=data_dir)
    assert_one_line_error(result, "unrecognized arguments")
