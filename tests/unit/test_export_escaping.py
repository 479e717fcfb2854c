"""Exports never turn a name into a live formula: every text cell of the WSO summary
workbook and of a table exported to .xlsx or .csv stays text (OWASP's CSV-injection
list: a text starting with =, +, -, @, tab or carriage return), numbers stay numbers."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest

from inspector_app.analytics.excel import formula_like
from inspector_app.services import agencies as ag
from inspector_app.services.program_reports import export_table, write_wso_summaries

AGENCY = '=HYPERLINK("http://x","click")'
OFFICER = "=1+2"
RISKY = [AGENCY, OFFICER, "+1", "-5", "@SUM(A1)", "\tTab", "\rCR", "-"]
PLAIN = ["Cedar County", "O'Brien", "1+1", " =spaced", "", "bell\x07"]


def all_cells(path):
    wb = openpyxl.load_workbook(path)
    return [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row]


@pytest.mark.slow
def test_wso_summary_workbook_keeps_names_as_text(db, tmp_path):
    a = ag.create_agency(db, name=AGENCY, state="GA")
    agreement = ag.create_agreement(db, agency_id=a.id, model="WSO", signed_on="2021-05-01",
                                    moa_number="@MOA-1")  # fmt: skip
    ag.add_officer(db, agency_id=a.id, name=OFFICER, model="WSO", agreement_id=agreement.id,
                   credential_number="-W-1")  # fmt: skip
    files = write_wso_summaries(db, 2025, tmp_path / "out")
    cells = all_cells(files.workbook)
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    shown = {c.value for c in cells}
    assert {AGENCY, OFFICER, "-W-1", "@MOA-1"} <= shown  # as typed: no apostrophe in the value
    for c in cells:
        if formula_like(c.value):
            assert c.data_type == "s" and c.quotePrefix, c.coordinate


def frame() -> pd.DataFrame:
    n = len(RISKY)
    return pd.DataFrame({
        "Name": RISKY, "Other": (PLAIN * 2)[:n], "Count": list(range(-3, n - 3)),
        "Share": [-0.5] * n, "=Head": ["x"] * n,
    })  # fmt: skip


def test_table_csv_escapes_text_and_keeps_numbers(tmp_path):
    path = export_table(frame(), tmp_path / "t.csv")
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))
    assert rows[0] == ["Name", "Other", "Count", "Share", "'=Head"]
    assert [r[0] for r in rows[1:]] == ["'" + v for v in RISKY]
    assert [r[1] for r in rows[1:]] == (PLAIN * 2)[: len(RISKY)]  # harmless text untouched
    assert [r[2] for r in rows[1:]] == [str(i) for i in range(-3, len(RISKY) - 3)]
    assert {r[3] for r in rows[1:]} == {"-0.5"}


def test_table_xlsx_writes_text_as_string_cells_and_numbers_as_numbers(tmp_path):
    path = export_table(frame(), tmp_path / "t.xlsx", "=Title")
    ws = openpyxl.load_workbook(path).active
    assert [c.data_type for row in ws.iter_rows() for c in row if c.data_type == "f"] == []
    assert ws["E1"].value == "=Head" and ws["E1"].data_type == "s"
    shown = [ws.cell(row=r, column=1).value for r in range(2, len(RISKY) + 2)]
    # a CR reads back as CR or LF depending on the XML parser openpyxl finds (lxml or not)
    assert [v.replace("\r", "\n") for v in shown] == [v.replace("\r", "\n") for v in RISKY]
    assert ws["B7"].value == "bell"  # a control character a workbook cannot hold is dropped
    assert ws["C2"].value == -3 and ws["C2"].data_type == "n"
    assert ws["D2"].value == -0.5 and ws["D2"].data_type == "n"
