"""Issue 13 defect 5: `inspector-app import roster FILE.csv|FILE.xlsx --agency NAME_OR_ID
[--check]`, all or nothing: every bad row as FILE:LINE: column: problem, exit 2 and
nothing written; a good file adds the officers and training in one unit of work."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from inspector_app.cli.main import main
from inspector_app.services import agencies as ag
from inspector_app.services import records
from inspector_app.services.roster_import import RosterImportError, import_roster
from inspector_app.store.database import open_database

GOOD = """name,model,credential,course,completed_on,hours
José Núñez,WSO,W-100,wso_course,2024-02-01,8
Ana Ríos,WSO,W-101,wso_course,2024-02-01,7.5
José Núñez,WSO,W-100,wso_course,2025-02-03,8
Lee Park,JEM,J-200,initial_course,2023-05-01,160
"""

BAD = """name,model,credential,course,completed_on,hours
José Núñez,WSO,W-100,wso_course,2024-02-01,8
,WSO,,,,
Ana Ríos,XYZ,,,,
Lee Park,WSO,W-100,annual_online,2024-13-01,eight
Kim Doe,WSO,,wso_course,,
"""


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    path = tmp_path / "roster.db"
    db = open_database(path, user="Test Inspector", daily_backup=False)
    agency = ag.create_agency(db, name="Elk Ridge County Sheriff's Department", state="SC")
    ag.create_agreement(db, agency_id=agency.id, model="WSO", signed_on="2021-03-01")
    ag.create_agreement(db, agency_id=agency.id, model="JEM", signed_on="2020-03-01")
    db.close()
    return path


def _officers(path: Path) -> list[str]:
    db = open_database(path, user="t", daily_backup=False)
    try:
        (agency,) = records.agency_choices(db)
        return [c.text for c in records.officer_choices(db, agency.id)]
    finally:
        db.close()


def test_bad_rows_all_reported_exit_2_nothing_written(db_file, tmp_path, capsys):
    csv = tmp_path / "roster.csv"
    csv.write_text(BAD, encoding="utf-8")
    code = main(["import", "roster", str(csv), "--agency", "elk ridge", "--db", str(db_file)])
    err = capsys.readouterr().err.splitlines()
    assert code == 2
    assert err[:-1] == [
        f"{csv}:3: name: required",
        f"{csv}:4: model: 'XYZ' is not JEM or WSO",
        f"{csv}:5: course: 'annual_online' is not a WSO course (one of wso_course)",
        f"{csv}:5: completed_on: '2024-13-01' is not a date (YYYY-MM-DD)",
        f"{csv}:5: hours: 'eight' is not a number of hours",
        f"{csv}:6: completed_on: required with a course (YYYY-MM-DD)",
    ]
    assert "nothing was imported" in err[-1]
    assert _officers(db_file) == []


def test_credential_clash_and_missing_agreement(db_file, tmp_path, capsys):
    csv = tmp_path / "roster.csv"
    csv.write_text("name,model,credential\nA One,WSO,X1\nB Two,WSO,X1\n", encoding="utf-8")
    assert main(["import", "roster", str(csv), "--agency", "Elk", "--db", str(db_file)]) == 2
    assert f"{csv}:3: credential: X1 is another officer's" in capsys.readouterr().err


def test_check_then_import_csv_and_again_adds_nothing(db_file, tmp_path, capsys):
    csv = tmp_path / "roster.csv"
    csv.write_text(GOOD, encoding="utf-8")
    args = ["import", "roster", str(csv), "--agency", "Elk Ridge", "--db", str(db_file)]
    assert main([*args, "--check"]) == 0
    assert "4 rows" in capsys.readouterr().out and _officers(db_file) == []
    assert main(args) == 0
    assert "3 officer(s) added" in capsys.readouterr().out
    assert len(_officers(db_file)) == 3
    assert main(args) == 0
    assert "0 officer(s) added (3 already there), 0 training record(s) added (4 already" in (
        capsys.readouterr().out
    )


def test_xlsx_with_line_numbers(db_file, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    for line in BAD.splitlines():
        sheet.append(line.split(","))
    path = tmp_path / "roster.xlsx"
    book.save(path)
    db = open_database(db_file, user="t", daily_backup=False)
    try:
        (agency,) = records.agency_choices(db)
        with pytest.raises(RosterImportError) as exc:
            import_roster(db, agency.id, path)
        assert exc.value.errors[0] == f"{path}:3: name: required"
        sheet.delete_rows(3, 10)
        book.save(path)
        assert import_roster(db, agency.id, path).training_added == 1
    finally:
        db.close()


def test_help_documents_the_columns(capsys):
    with pytest.raises(SystemExit):
        main(["import", "roster", "--help"])
    text = capsys.readouterr().out
    for column in ("name", "model", "credential", "course", "completed_on", "hours"):
        assert f"  {column} " in text
