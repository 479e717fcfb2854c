"""The annual WSO summary: data per WSO-partner LEA, one PDF each, and the Excel workbook
read back with openpyxl."""

from __future__ import annotations

import openpyxl
import pytest
from pypdf import PdfReader

from inspector_app.analytics.excel import sheet_names
from inspector_app.analytics.wso_summary import wso_summaries
from inspector_app.services import agencies as ag
from inspector_app.services.history_import import import_history
from inspector_app.services.program_reports import write_wso_summaries
from inspector_app.store.models import ReportArtifact


@pytest.fixture
def wso_program(db, tmp_path):
    """Two WSO-partner LEAs (one with a long, awkward name) and one JEM-only LEA."""
    office = ag.create_field_office(db, name="Atlanta", code="ATL", state="GA")
    names = ["Cedar County Sheriff's Office",
             "Núñez/Ortega Regional [Joint] Detention Authority: North*"]  # fmt: skip
    agreements = []
    for name in names:
        a = ag.create_agency(db, name=name, state="GA", field_office_id=office.id)
        agreements.append(ag.create_agreement(db, agency_id=a.id, model="WSO",
                                              signed_on="2021-05-01", moa_number=f"WSO-{a.id[:4]}"))  # fmt: skip
    jem_only = ag.create_agency(db, name="Alder County Jail", state="GA")
    ag.create_agreement(db, agency_id=jem_only.id, model="JEM", signed_on="2020-01-01")
    cedar = agreements[0]
    # Warrants: October 2023 is FY2024's first month; September 2024 its last.
    for (year, month), n in {(2023, 10): 5, (2024, 9): 7, (2024, 10): 2, (2022, 12): 3,
                             (2021, 9): 99}.items():  # fmt: skip
        ag.record_warrants(db, agreement_id=cedar.id, year=year, month=month, count=n)
    chen = ag.add_officer(db, agency_id=cedar.agency_id, name="Chen Wei", model="WSO",
                          agreement_id=cedar.id, credential_number="W-1")  # fmt: skip
    ag.add_training(db, officer_id=chen.id, kind="wso_course", completed_on="2023-02-01", hours=8)
    ag.add_officer(db, agency_id=cedar.agency_id, name="Zoë Hartmann", model="WSO",
                   agreement_id=cedar.id)  # no course on record  # fmt: skip
    history = tmp_path / "wso.csv"
    history.write_text(
        "review_ref,agency,state,model,review_type,start_date,finding_ref,kind,topic,responsible\n"
        "W1,Cedar County Sheriff's Office,GA,WSO,inspection,2024-01-10,F1,deficiency,training,lea\n"
        "W1,Cedar County Sheriff's Office,GA,WSO,inspection,2024-01-10,F2,area_of_concern,complaints,lea\n"
        "W0,Cedar County Sheriff's Office,GA,WSO,inspection,2020-01-10,F0,deficiency,training,lea\n",
        encoding="utf-8",
    )  # fmt: skip
    import_history(db, history)
    return db


def test_summary_data_per_wso_partner(wso_program):
    with wso_program.read() as s:
        got = wso_summaries(s, 2025)
    assert [x.name for x in got] == ["Cedar County Sheriff's Office",
                                     "Núñez/Ortega Regional [Joint] Detention Authority: North*"]  # fmt: skip
    cedar = got[0]
    assert cedar.years == [2023, 2024, 2025]
    assert cedar.warrants_by_year == {2023: 3, 2024: 12, 2025: 2}  # FY2021's 99 is too old
    assert cedar.warrants.at[2024, "Oct"] == 5 and cedar.warrants.at[2024, "Sep"] == 7
    assert cedar.reviews["Deficiencies"].tolist() == [1]  # W1 only; W0 is FY2020
    assert cedar.reviews["Areas of concern"].tolist() == [1]
    officers = cedar.officers.set_index("Officer")
    assert officers.at["Chen Wei", "Training"] == "Current"
    assert officers.at["Zoë Hartmann", "Training"].startswith("Lapsed")
    assert cedar.field_office == "Atlanta"


def test_sheet_names_are_safe_unique_and_short():
    names = sheet_names(["A/B [x]: y*?", "Overview", "a" * 40, "a" * 40, "Cedar", "CEDAR"])
    assert names[0] == "A-B -x-- y--"
    assert names[1] == "Overview (2)"  # "Overview" is the first sheet's
    assert len(names[2]) == 31 and len(names[3]) == 31 and names[2] != names[3]
    assert names[5] == "CEDAR (2)"  # Excel compares sheet names without case
    assert all(not set(n) & set("[]:*?/\\") for n in names)


def test_pdfs_and_workbook_written(wso_program, tmp_path):
    out = tmp_path / "wso"
    files = write_wso_summaries(wso_program, 2025, out)
    assert len(files.pdfs) == 2 and all(p.exists() for p in files.pdfs)
    text = "".join(page.extract_text() for page in PdfReader(files.pdfs[0]).pages)
    assert "Annual WSO summary, fiscal year 2025" in text
    assert "Cedar County Sheriff's Office" in text and "Zoë Hartmann" in text
    wb = openpyxl.load_workbook(files.workbook)
    assert wb.sheetnames[0] == "Overview"
    assert wb.sheetnames[1] == "Cedar County Sheriff's Office"
    assert len(wb.sheetnames[2]) <= 31 and "/" not in wb.sheetnames[2]
    overview = list(wb["Overview"].iter_rows(values_only=True))
    header = overview[3]
    cedar_row = dict(zip(header, overview[4], strict=True))
    assert cedar_row["Warrants FY2024"] == 12 and cedar_row["Warrants FY2025"] == 2
    assert cedar_row["Active officers"] == 2 and cedar_row["Officers trained"] == 1
    sheet = list(wb["Cedar County Sheriff's Office"].iter_rows(values_only=True))
    flat = [c for row in sheet for c in row if c is not None]
    assert "Warrants served" in flat and "Chen Wei" in flat and "Officers" in flat
    fy2024 = next(row for row in sheet if row[0] == 2024)
    assert fy2024[1] == 5 and fy2024[-1] == 12  # October, Total
    with wso_program.read() as s:
        from sqlmodel import select

        kept = s.exec(select(ReportArtifact)).all()
    assert len(kept) == 2 and {k.fiscal_year for k in kept} == {2025}
    # The same data renders to the same bytes: no second set of artifacts.
    write_wso_summaries(wso_program, 2025, out)
    with wso_program.read() as s:
        assert len(s.exec(select(ReportArtifact)).all()) == 2
