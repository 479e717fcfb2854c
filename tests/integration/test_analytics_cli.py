"""The analytics commands end to end: import history, summary, measures, and the two
report kinds (called through their handlers until they join the `report` group)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from inspector_app.cli import analytics_cmds
from inspector_app.cli.main import run

HISTORY = Path(__file__).parents[1] / "data" / "history"
pytestmark = pytest.mark.slow


def test_import_summary_and_measures(tmp_path, capsys):
    db = tmp_path / "inspector.db"
    assert run(["import", "history", "--db", str(db), str(HISTORY / "hand_built.csv")]) == 0
    assert "8 new reviews, 13 new findings" in capsys.readouterr().out
    assert run(["import", "history", "--db", str(db), str(HISTORY / "hand_built.csv")]) == 0
    assert "0 new" in capsys.readouterr().out

    assert run(["summary", "--db", str(db), "--fy", "2024", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data) == ["fiscal_year", "model", "inspections", "agencies_inspected",
                          "agencies_with_findings", "deficiencies", "areas_of_concern",
                          "best_practices", "agencies_requiring_follow_up",
                          "deficiencies_by_topic", "areas_of_concern_by_topic", "by_responsible",
                          "follow_up"]  # fmt: skip
    assert (data["inspections"], data["deficiencies"], data["model"]) == (4, 4, None)
    assert run(["summary", "--db", str(db), "--fy", "2024", "--model", "WSO", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["inspections"] == 1
    assert run(["summary", "--db", str(db), "--fy", "2024"]) == 0
    table = capsys.readouterr().out
    assert "Inspections" in table and "interpreter" in table

    assert run(["measures", "--db", str(db), "--fy", "2024", "--json"]) == 0
    m = json.loads(capsys.readouterr().out)
    assert {x["key"] for x in m["measures"]} >= {"training_jem", "training_wso",
                                                  "remediated_on_time", "reviewed_within_two_years"}  # fmt: skip
    assert run(["measures", "--db", str(db), "--fy", "2024"]) == 0
    assert "numerator:" in capsys.readouterr().out


def test_bad_file_exits_2_listing_every_row_and_changes_nothing(tmp_path, capsys):
    db = tmp_path / "inspector.db"
    assert run(["import", "history", "--db", str(db), str(HISTORY / "good.csv")]) == 0
    capsys.readouterr()
    bad = HISTORY / "bad.csv"
    assert run(["import", "history", "--db", str(db), str(bad)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert f"{bad}:2: topic: 'trainingz' is not a topic code (see forms/topics.yaml)" in err
    assert (
        f"{bad}:5: follow_up_of: no inspection with review_ref 'R9' in this file or imported before"
        in err
    )
    assert err[-1].endswith("nothing was imported")
    assert "Traceback" not in "\n".join(err)
    assert run(["summary", "--db", str(db), "--fy", "2024", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["inspections"] == 2  # as before the bad file


def test_missing_file_and_bad_year_are_one_line(tmp_path, capsys):
    db = tmp_path / "inspector.db"
    assert run(["import", "history", "--db", str(db), str(tmp_path / "nope.csv")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such file" in err
    with pytest.raises(SystemExit) as exit_info:
        run(["summary", "--db", str(db), "--fy", "twenty"])
    assert exit_info.value.code == 2


def _ns(db: Path, **kw) -> argparse.Namespace:
    return argparse.Namespace(db=str(db), demo=False, user=None, **kw)


def test_annual_report_and_wso_summary_commands(tmp_path, capsys, demo_db_path):
    assert (
        run(["import", "history", "--db", str(demo_db_path), str(HISTORY / "hand_built.csv")]) == 0
    )
    pdf = tmp_path / "annual.pdf"
    assert analytics_cmds.cmd_report_annual(_ns(demo_db_path, fy=2024, out=pdf)) == 0
    text = "".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "Annual inspection report, fiscal year 2024" in text
    assert "Agencies requiring follow-up" in text and "Alder County Sheriff's Office" in text
    assert "Deficiencies by responsible party and topic" in text
    out = tmp_path / "wso"
    assert analytics_cmds.cmd_report_wso_summary(_ns(demo_db_path, fy=2026, out=out)) == 0
    assert (out / "wso-summary-fy2026.xlsx").exists()
    assert len(list(out.glob("*.pdf"))) == 5  # the demo's five WSO-partner LEAs
    assert "written to" in capsys.readouterr().out


def test_report_kinds_join_the_report_group():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="kind")
    analytics_cmds.register_report_kinds(sub, argparse.ArgumentParser(add_help=False))
    args = parser.parse_args(["annual", "--fy", "2024", "--out", "x.pdf"])
    assert args.func is analytics_cmds.cmd_report_annual and args.fy == 2024
    args = parser.parse_args(["wso-summary", "--fy", "2024", "--out", "dir"])
    assert args.func is analytics_cmds.cmd_report_wso_summary
