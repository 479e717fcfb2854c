"""The annual report and the annual WSO summaries read back with pypdf: no table cell
breaks a word across lines, labels instead of stored codes, no count for a month not
over yet, and the national roll-up with its plain-text narrative."""

from __future__ import annotations

import io
import re
from datetime import date

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlmodel import select

from inspector_app.services.program_reports import write_annual_report, write_wso_summaries
from inspector_app.store.models import Review

CODES = ("in_progress", "report_draft", "site_visit", "desk_review", "weekly_or_more",
         "not_scheduled", "area_of_concern", "best_practice")  # fmt: skip
CELL_CODES = (
    "active",
    "planned",
    "final",
    "suspended",
    "revoked",
    "lea",
    "ice",
    "both",
    "yes",
    "no",
)
LABELS = ("Inspection", "Inspections", "In progress", "Follow-up", "Areas of concern",
          "Deficiencies", "Resolved", "Credential", "Agencies", "Conducted")  # fmt: skip
DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _lines(pdf: bytes) -> list[str]:
    return [line.strip() for page in PdfReader(io.BytesIO(pdf)).pages
            for line in page.extract_text().splitlines() if line.strip()]  # fmt: skip


def _assert_no_broken_words(lines: list[str]) -> None:
    for a, b in zip(lines, lines[1:], strict=False):
        last, first = (a.split() or [""])[-1], (b.split() or [""])[0]
        joined = last + first
        assert not any(joined == w and last for w in LABELS), (a, b)  # "Inspectio" + "n"
        assert not (re.fullmatch(r"\d{4}-\d{2}-\d{1,2}|\d{4}-\d{1,2}|FY\d{2,3}", last)
                    and (DATE.fullmatch(joined) or re.fullmatch(r"FY\d{4}", joined))), (a, b)  # fmt: skip
        assert not (last.endswith("_") or first.startswith("_")), (a, b)


def _assert_no_codes(lines: list[str]) -> None:
    """No stored code where a label exists: none with an underscore anywhere, and no table
    cell (pypdf gives each cell its own line) that is a lower-case code."""
    for line in lines:
        for code in CODES:
            assert code not in line, (code, line)
        assert line not in CELL_CODES, line


def test_annual_report_layout_and_rollup(demo_db, tmp_path):
    result = write_annual_report(demo_db, 2026, tmp_path / "annual.pdf")
    lines = _lines(result.path.read_bytes())
    _assert_no_broken_words(lines)
    _assert_no_codes(lines)
    text = "\n".join(lines)
    assert "National roll-up" in text and "Total (1 field office)" in text
    assert "Three-year trend, FY2024 to FY2026" in text
    assert result.narrative is not None
    brief = result.narrative.read_text(encoding="utf-8")
    assert brief.startswith("In fiscal year 2026, OPR completed 1 final JEM inspection")
    assert "most frequent topics" in brief and "focus review" in brief


def test_annual_report_lists_drafts_only_as_not_final(demo_db, tmp_path):
    with demo_db.read() as s:  # Alder's JEM inspection, in report draft
        start = s.exec(select(Review.start_date).where(Review.status == "report_draft")).one()
    fy = start.year + (start.month >= 10)
    lines = _lines(write_annual_report(demo_db, fy, tmp_path / "a.pdf").path.read_bytes())
    text = " ".join(lines)
    assert "Not final (not counted): 1 inspection" in text


def test_wso_summaries_layout(demo_db, tmp_path):
    files = write_wso_summaries(demo_db, 2027, tmp_path / "wso")
    today = min(date.today(), date(2027, 9, 30))
    for path in files.pdfs:
        lines = _lines(path.read_bytes())
        _assert_no_broken_words(lines)
        _assert_no_codes(lines)
        text = "\n".join(lines)
        assert "2027-09-30. WSOs" not in text  # officers' status is today's, not a future day
        assert f"status on {today}" in text.replace("\n", " ")
        head = lines.index("Total")  # the warrant table: one line per cell
        row = lines[lines.index("FY2027", head) + 1 :][:13]
        assert "—" in row  # months not over yet have no count
    cedar = next(p for p in files.pdfs if "cedar" in p.name)
    assert "Not final (not counted): 1 review (in progress" in " ".join(_lines(cedar.read_bytes()))
    ws = load_workbook(files.workbook)["Overview"]
    rows = [r for r in ws.iter_rows(min_row=5, values_only=True) if r[0]]
    assert rows[-1][0] == f"Total ({len(files.pdfs)} LEAs)"
    header = [c.value for c in ws[4]]
    col = header.index("Warrants FY2026")
    assert rows[-1][col] == sum(r[col] for r in rows[:-1])
