"""The national picture: each field office's inspectors push their own records; a
program manager's laptop that syncs holds every office's, so the program figures
cover the whole program, and --field-office narrows them to one office."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import copy_database
from tests.serverfixtures import running_server

pytestmark = pytest.mark.slow


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "inspector_app", *args],
                          capture_output=True, text=True, timeout=180)  # fmt: skip


def _laptop(template: Path, path: Path) -> Path:
    """A copy of the demo with a device id of its own (each laptop makes its own)."""
    copy_database(template, path)
    with sqlite3.connect(path) as con:
        con.execute("UPDATE meta SET value = ? WHERE key = 'device_id'", (str(uuid.uuid4()),))
    return path


def _summary(db: Path, *extra: str) -> dict:
    done = _cli("summary", "--fy", "2026", "--json", "--db", str(db), *extra)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_program_managers_laptop_holds_every_field_office(tmp_path, server_db_url,
                                                            _demo_template):  # fmt: skip
    atl = _laptop(_demo_template, tmp_path / "atl.db")
    hou = _laptop(_demo_template, tmp_path / "hou.db")
    national = tmp_path / "national.db"
    with running_server(server_db_url, tmp_path) as server:
        for laptop, name, office in ((atl, "dana", "ATL"), (hou, "ray", "HOU")):
            token = server.add_user(name, "inspector", office)
            done = _cli("sync", "--db", str(laptop), "--server", server.url, "--token", token)
            assert done.returncode == 0, done.stderr
        token = server.add_user("pat", "program-manager")
        done = _cli("sync", "--db", str(national), "--server", server.url, "--token", token)
        assert done.returncode == 0, done.stderr
    whole = _summary(national)
    assert whole == {**_summary(_demo_template), "field_office": None}
    by_office = [_summary(national, "--field-office", code) for code in ("ATL", "HOU")]
    for figure in ("inspections", "deficiencies", "areas_of_concern", "best_practices"):
        assert sum(s[figure] for s in by_office) == whole[figure], figure
    assert whole["inspections"] > 0
    # every office's agencies reached the national laptop (HOU's came from Ray's laptop)
    assert _agencies(national) == _agencies(_demo_template) == 7


def _agencies(db: Path) -> int:
    done = _cli("status", "--json", "--db", str(db))
    assert done.returncode == 0, done.stderr
    return int(json.loads(done.stdout)["agencies"])
