"""Excel and CSV output of analytics tables (openpyxl), as bytes: callers write atomically.

Excel refuses sheet names longer than 31 characters, containing []:*?/\\ or repeated
without regard to case; `sheet_names` makes LEA names safe and unique.

Every text cell of every export goes through `formula_like` (OWASP's CSV-injection
rule), so an agency named `=HYPERLINK(...)` or an officer named `=1+2` stays text: in a
CSV file it gets a leading apostrophe, in a workbook it is written as a string cell with
Excel's quote prefix (see `put`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from pandas.api.types import is_datetime64_any_dtype, is_numeric_dtype

from .loader import FieldOfficeRef
from .wso_summary import LeaSummary

MAX_SHEET = 31
_BAD = re.compile(r"[\[\]:*?/\\]")
HEAD_FILL = PatternFill("solid", fgColor="1F3A5F")
HEAD_FONT = Font(bold=True, color="FFFFFF")
TITLE_FONT = Font(bold=True, size=14, color="1F3A5F")
SECTION_FONT = Font(bold=True, size=11, color="1F3A5F")


def sheet_names(names: Iterable[str], reserved: Sequence[str] = ("Overview",)) -> list[str]:
    """Safe, unique (case-insensitive) sheet names of at most 31 characters."""
    taken = {r.casefold() for r in reserved}
    out = []
    for name in names:
        base = _BAD.sub("-", name).strip().strip("'") or "Sheet"
        candidate, n = base[:MAX_SHEET], 1
        while candidate.casefold() in taken:
            n += 1
            suffix = f" ({n})"
            candidate = base[: MAX_SHEET - len(suffix)] + suffix
        taken.add(candidate.casefold())
        out.append(candidate)
    return out


# A text starting with one of these is read as a formula by Excel, LibreOffice or Sheets
# (OWASP, CSV injection): "=", "+", "-", "@", tab and carriage return.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value: Any) -> bool:
    """True for a text a spreadsheet would run as a formula (numbers never are)."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def csv_text(value: Any) -> Any:
    """A CSV value that stays text when a spreadsheet opens the file: a formula-like
    text gets a leading apostrophe, which spreadsheets take as "this is text"."""
    return "'" + value if formula_like(value) else value


def put(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Write one cell; text is always a string cell, never a formula.

    openpyxl turns any str starting with "=" into a formula, so a formula-like text is
    forced back to a string cell and given Excel's quote prefix (the cell style behind a
    typed apostrophe): the cell shows the text exactly as it is, with no apostrophe added
    to the value, and Excel keeps it as text even when someone edits the cell. Control
    characters a workbook cannot hold are dropped rather than failing the export.
    """
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = ws.cell(row=row, column=column, value=value)
    if formula_like(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def _cell(value: Any) -> Any:
    """Values openpyxl accepts: no NaN, no pandas NA, dates as dates."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, pd.Timestamp):
        return value.date()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()  # numpy scalars
    if isinstance(value, (list, dict)):
        return str(value)
    return value


def write_frame(ws: Worksheet, df: pd.DataFrame, row: int = 1, *, index: bool = False) -> int:
    """Write a table with a styled header at `row`; return the next free row."""
    if index:
        df = df.reset_index()
    for c, name in enumerate(df.columns, start=1):
        cell = put(ws, row, c, str(name))
        cell.fill, cell.font = HEAD_FILL, HEAD_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for r, values in enumerate(df.itertuples(index=False), start=row + 1):
        for c, value in enumerate(values, start=1):
            cell = put(ws, r, c, _cell(value))
            if isinstance(cell.value, (date, datetime)):
                cell.number_format = "yyyy-mm-dd"
    return row + len(df) + 2


def _autosize(ws: Worksheet, max_width: int = 60) -> None:
    widths: dict[int, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None:
                n = len(str(cell.value)) if not isinstance(cell.value, date) else 10
                widths[cell.column] = max(widths.get(cell.column, 0), n)
    for col, w in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = min(max(w + 2, 8), max_width)


def table_xlsx(df: pd.DataFrame, title: str = "Table") -> bytes:
    """One table as a workbook (the Program view's "Export to Excel")."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_names([title], reserved=())[0]
    write_frame(ws, df)
    ws.freeze_panes = "A2"
    _autosize(ws)
    return _bytes(wb)


def table_csv(df: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens accented names correctly; every text
    (column names included) made formula-safe, numbers left as numbers. Lines end in
    CRLF (RFC 4180), which also makes the writer quote a value holding a lone CR."""
    safe = df.rename(columns=lambda name: csv_text(str(name)))
    for i in range(safe.shape[1]):
        column = safe.iloc[:, i]
        if not (is_numeric_dtype(column) or is_datetime64_any_dtype(column)):
            # pandas-stubs leave out the Series isetitem takes (its docs: "scalar or arraylike").
            safe.isetitem(i, column.map(csv_text))  # type: ignore[arg-type]
    return safe.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


TOTAL_FONT = Font(bold=True)


def totals_row(ws: Worksheet, df: pd.DataFrame, row: int, label: str = "Total") -> None:
    """A bold row under a table written by write_frame: `label` in the first column, the
    sum of every numeric column under it (text columns left empty)."""
    put(ws, row, 1, label).font = TOTAL_FONT
    for c, name in enumerate(df.columns, start=1):
        column = df[name]
        if c == 1 or not is_numeric_dtype(column) or column.dtype == bool:
            continue
        put(ws, row, c, _cell(column.sum())).font = TOTAL_FONT


def wso_workbook(summaries: Sequence[LeaSummary], fiscal_year: int,
                 office: FieldOfficeRef | None = None) -> bytes:  # fmt: skip
    """The annual WSO summary workbook: an Overview sheet first, then one sheet per LEA.
    Narrowed to a field office, the title names it."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Overview"
    covers = f", {office.describe()}" if office else ""
    put(ws, 1, 1, f"Annual WSO summary, FY{fiscal_year}{covers}").font = TITLE_FONT
    put(ws, 2, 1, f"{len(summaries)} WSO-partner LEAs{' of this field office' if office else ''}; "
                  f"warrants and reviews of FY{fiscal_year - 2} to FY{fiscal_year}")  # fmt: skip
    overview = pd.DataFrame([s.overview() for s in summaries])
    if overview.empty:
        overview = pd.DataFrame(columns=["LEA", "State"])
    write_frame(ws, overview, row=4)
    if len(overview):
        totals_row(ws, overview, 5 + len(overview), f"Total ({len(overview)} LEAs)")
    ws.freeze_panes = "B5"
    _autosize(ws)
    names = sheet_names([s.name for s in summaries])
    for summary, name in zip(summaries, names, strict=True):
        sheet = wb.create_sheet(name)
        put(sheet, 1, 1, summary.name).font = TITLE_FONT
        facts = (f"{summary.state}; field office {summary.field_office or '—'}; MOA "
                 f"{', '.join(summary.moa_numbers) or '—'}; agreement {summary.agreement_status}")  # fmt: skip
        put(sheet, 2, 1, facts)
        row = 4
        put(sheet, row, 1, "Warrants served").font = SECTION_FONT
        row = write_frame(sheet, summary.warrants, row + 1, index=True)
        put(sheet, row, 1, "Reviews").font = SECTION_FONT
        reviews = summary.reviews.drop(columns=["review_id"])
        if reviews.empty:
            put(sheet, row + 1, 1, "No WSO review in these fiscal years.")
            row += 3
        else:
            row = write_frame(sheet, reviews, row + 1)
        put(sheet, row, 1, "Officers").font = SECTION_FONT
        if summary.officers.empty:
            put(sheet, row + 1, 1, "No warrant service officers on record.")
        else:
            write_frame(sheet, summary.officers, row + 1)
        _autosize(sheet, max_width=45)
    return _bytes(wb)


def _bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
