"""The lifecycle commands as a user runs them: due, plan, finalize, verify."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest

from inspector_app.cli.main import run
from inspector_app.reports.request_form import DEFAULT_REQUEST_ITEMS


def _cli(capsys, *args) -> tuple[int, str, str]:
    code = run(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _review_id(path, agency: str, kind: str) -> str:
    con = sqlite3.connect(path)
    try:
        return con.execute(
            "SELECT review.id FROM review JOIN agency ON agency.id = review.agency_id "
            "WHERE agency.name LIKE ? AND review.kind = ?",
            (agency + "%", kind),
        ).fetchone()[0]
    finally:
        con.close()


def test_due_lists_overdue_and_due_soon_items(capsys, demo_db_path):
    code, out, _ = _cli(capsys, "due", "--db", str(demo_db_path), "--today", "2026-11-02")
    assert code == 0
    assert "OVERDUE       Fallon County Sheriff's Office (TX)  JEM" in out
    assert "DUE SOON      Bexley County Sheriff's Office (GA)" in out  # the focus review
    assert f"4 of {len(DEFAULT_REQUEST_ITEMS)} documents received" in out
    code, out, _ = _cli(capsys, "due", "--db", str(demo_db_path), "--today", "2026-11-02",
                        "--fy", "2027", "--json")  # fmt: skip
    items = json.loads(out)
    assert items and all(i["due"] <= "2027-09-30" for i in items)
    assert {i["category"] for i in items} == {"agreement", "request_form", "focus_review",
                                              "corrective_action", "training"}  # fmt: skip
    code, _, err = _cli(capsys, "due", "--db", str(demo_db_path), "--today", "tomorrow")
    assert (
        code == 2 and err.strip() == "inspector-app: --today: 'tomorrow' is not a date (YYYY-MM-DD)"
    )
    code, _, err = _cli(capsys, "due", "--db", str(demo_db_path), "--today", "9999-10-01")
    assert code == 2 and "--today: 9999-10-01 is not a plausible day" in err  # was a traceback


def test_plan_shows_and_accepts(capsys, demo_db_path):
    code, out, _ = _cli(capsys, "plan", "--db", str(demo_db_path), "--fy", "2028")
    assert code == 0 and "proposed (accept with --accept)" in out
    code, out, _ = _cli(capsys, "plan", "--db", str(demo_db_path), "--fy", "2028", "--accept")
    assert code == 0 and "FY2028 JEM inspection plan, accepted" in out
    code, out, _ = _cli(capsys, "plan", "--db", str(demo_db_path), "--fy", "2028", "--json")
    assert json.loads(out)["accepted"] is True


def test_finalize_then_verify_detects_raw_sql_change(capsys, demo_db_path):
    alder = _review_id(demo_db_path, "Alder", "jem_inspection")
    code, out, _ = _cli(capsys, "finalize", "--db", str(demo_db_path), alder[:8])
    assert code == 0 and "is final" in out and "focus review" in out
    code, out, _ = _cli(capsys, "verify", "--db", str(demo_db_path), alder[:8])
    assert code == 0 and "matches" in out
    con = sqlite3.connect(demo_db_path)
    con.execute("UPDATE review SET summary = 'Nothing to see' WHERE id = ?", (alder,))
    con.commit()
    con.close()
    code, out, _ = _cli(capsys, "verify", "--db", str(demo_db_path), alder[:8])
    assert code == 1 and out.startswith("CHANGED:") and "review changed" in out


def test_finalize_refused_lists_missing_and_exits_2(capsys, demo_db_path):
    dunmore = _review_id(demo_db_path, "Dunmore", "jem_inspection")
    code, out, _ = _cli(capsys, "finalize", "--db", str(demo_db_path), dunmore)
    assert code == 2 and "cannot be finalized yet" in out and "has not started" in out
    code, _, err = _cli(capsys, "verify", "--db", str(demo_db_path), dunmore)
    assert code == 2 and "is not final" in err
    code, _, err = _cli(capsys, "verify", "--db", str(demo_db_path), "ffffffff")
    assert code == 2 and "no review with id 'ffffffff'" in err


@pytest.mark.slow
def test_verify_runs_as_a_process(demo_db_path):
    bexley = _review_id(demo_db_path, "Bexley", "jem_inspection")
    proc = subprocess.run([sys.executable, "-m", "inspector_app", "verify", "--db",
                           str(demo_db_path), bexley], capture_output=True, text=True)  # fmt: skip
    assert proc.returncode == 0 and "matches" in proc.stdout
