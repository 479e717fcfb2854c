"""The analytics commands end to end: import history, summary, measures, and the two
report kinds (called through their handlers until they join the `report` group)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from inspector_app.cli import analytics_cmds
from inspector_app.cli.main import run
from tests.unit.test_field_office_filter import FIGURES, write_offices_history

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
    assert list(data) == ["fiscal_year", "model", "field_office", "inspections", "agencies_inspected",
                          "agencies_with_findings", "deficiencies", "areas_of_concern",
                          "best_practices", "agencies_requiring_follow_up",
                          "deficiencies_by_topic", "areas_of_concern_by_topic", "by_responsible",
                          "follow_up", "not_final"]  # fmt: skip
    # without --model: OPR's figures, final JEM inspections only (I2 is a WSO review)
    assert (data["inspections"], data["deficiencies"], data["model"]) == (3, 4, None)
    assert data["field_office"] is None  # the whole database
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
    assert json.loads(capsys.readouterr().out)["inspections"] == 1  # R1 (R2 is WSO), as before


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


# --- --field-office ---------------------------------------------------------------------


def _json(capsys, argv: list[str]) -> dict:
    assert run(argv) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def offices_db_path(demo_db_path, tmp_path, capsys):
    """The demo (Atlanta and Houston agencies) with FY2024 reviews of both offices."""
    csv = write_offices_history(tmp_path)
    assert run(["import", "history", "--db", str(demo_db_path), str(csv)]) == 0
    capsys.readouterr()
    return demo_db_path


def test_summary_narrowed_to_a_field_office(offices_db_path, capsys):
    base = ["summary", "--db", str(offices_db_path), "--fy", "2024", "--json"]
    whole = _json(capsys, base)
    atl = _json(capsys, [*base, "--field-office", "ATL"])
    hou = _json(capsys, [*base, "--field-office", "hou"])  # any case
    assert (whole["field_office"], atl["field_office"], hou["field_office"]) == (None, "ATL", "HOU")
    assert (atl["inspections"], hou["inspections"], whole["inspections"]) == (1, 1, 2)  # JEM
    assert (atl["deficiencies"], hou["deficiencies"]) == (2, 3)
    for key in FIGURES:
        assert atl[key] + hou[key] == whole[key], key
    for kind in ("deficiencies_by_topic", "areas_of_concern_by_topic", "follow_up"):
        assert {k: atl[kind][k] + hou[kind][k] for k in whole[kind]} == whole[kind]
    assert run([*base[:-1], "--field-office", "HOU"]) == 0
    assert capsys.readouterr().out.startswith("Fiscal year 2024, field office HOU\n")


def test_measures_narrowed_to_a_field_office(offices_db_path, capsys):
    base = ["measures", "--db", str(offices_db_path), "--fy", "2024", "--json"]
    whole, atl, hou = (_json(capsys, base + extra) for extra in
                       ([], ["--field-office", "atl"], ["--field-office", "HOU"]))  # fmt: skip
    assert (whole["field_office"], atl["field_office"], hou["field_office"]) == (None, "ATL", "HOU")
    counts = [{m["key"]: (m["numerator"], m["denominator"]) for m in x["measures"]}
              for x in (whole, atl, hou)]  # fmt: skip
    assert counts[1]["lea_with_findings"] == (1, 2) and counts[2]["lea_with_findings"] == (2, 2)
    for key, (num, den) in counts[0].items():
        assert (counts[1][key][0] + counts[2][key][0], counts[1][key][1] + counts[2][key][1]) == (
            num, den), key  # fmt: skip
    assert run([*base[:-1], "--field-office", "HOU"]) == 0
    assert "Performance measures, FY2024, field office HOU" in capsys.readouterr().out


def _pdf_text(path: Path) -> str:
    return "".join(p.extract_text() for p in PdfReader(path).pages)


def test_annual_report_of_one_field_office(offices_db_path, tmp_path, capsys):
    # hand_built.csv: Alder's FY2024 inspection needs follow-up, so Atlanta's report lists it.
    assert run(["import", "history", "--db", str(offices_db_path),
                str(HISTORY / "hand_built.csv")]) == 0  # fmt: skip
    base = ["report", "annual", "--db", str(offices_db_path), "--fy", "2024", "--out"]
    texts = {}
    for code in ("", "HOU", "atl"):
        pdf = tmp_path / f"annual{code}.pdf"
        assert run([*base, str(pdf), *(["--field-office", code] if code else [])]) == 0
        texts[code] = _pdf_text(pdf)
        assert (f"(field office {code.upper()})" in capsys.readouterr().out) == bool(code)
    whole, hou, atl = texts[""], texts["HOU"], texts["atl"]
    assert "Alder County Sheriff's Office" in whole and "Fallon County Sheriff's Office" in whole
    assert "field office (" not in whole
    assert "Houston field office (HOU)" in hou and "Fallon County Sheriff's Office" in hou
    assert "Alder County Sheriff's Office" not in hou and "Atlanta" not in hou
    assert "Atlanta field office (ATL)" in atl and "Alder County Sheriff's Office" in atl
    assert "Fallon County Sheriff's Office" not in atl
    assert PdfReader(tmp_path / "annualHOU.pdf").metadata.title.endswith(
        "Houston field office (HOU)")  # fmt: skip


def test_wso_summary_of_one_field_office(offices_db_path, tmp_path, capsys):
    out = tmp_path / "wso-hou"
    assert run(["report", "wso-summary", "--db", str(offices_db_path), "--fy", "2026",
                "--field-office", "hou", "--out", str(out)]) == 0  # fmt: skip
    assert "wso-summary-fy2026-hou.xlsx" in capsys.readouterr().out
    assert sorted(p.name for p in out.glob("*.pdf")) == [
        "wso-summary-fy2026-fallon-county-so-tx.pdf",
        "wso-summary-fy2026-granite-bay-county-jail-tx.pdf",
    ]  # of the demo's five WSO partners, Houston's two
    overview = load_workbook(out / "wso-summary-fy2026-hou.xlsx")["Overview"]
    assert "Houston field office (HOU)" in overview["A1"].value
    rows = [row for row in overview.iter_rows(min_row=5, values_only=True) if row[0]]
    assert rows[-1][0] == "Total (2 LEAs)"  # the totals row closes the overview
    leas = [row[0] for row in rows[:-1]]
    assert sorted(leas) == ["Fallon County Sheriff's Office", "Granite Bay County Jail"]
    assert {row[2] for row in rows[:-1]} == {"Houston"}


@pytest.mark.parametrize("command", [
    ["summary", "--fy", "2024"], ["measures", "--fy", "2024"],
    ["report", "annual", "--fy", "2024", "--out", "{tmp}/annual.pdf"],
    ["report", "wso-summary", "--fy", "2024", "--out", "{tmp}/wso"],
])  # fmt: skip
def test_unknown_field_office_is_one_line_exit_2(demo_db_path, tmp_path, capsys, command):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in command]
    assert run([*argv, "--db", str(demo_db_path), "--field-office", "XYZ"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err
    assert "'XYZ'" in captured.err and "ATL, HOU" in captured.err
    assert not (tmp_path / "annual.pdf").exists() and not (tmp_path / "wso").exists()
