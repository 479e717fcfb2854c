"""The base every PDF report is built on: fonts, styles, page templates, building blocks.

Shape (after pretix's invoice renderer): one `BaseReport` with page size, margins and
fonts as class attributes, a stylesheet of named paragraph styles, a first-page and a
later-page template, an abstract `story()` and output to an in-memory buffer. The
`NumberedCanvas` prints "Page X of Y" and the footer on every page once the page count
is known, and makes the output deterministic.

Writing a new report (the annual program report, the annual WSO summary):

    class AnnualReport(BaseReport):
        report_title = "Annual inspection report"

        def story(self) -> list[Flowable]:
            s = self.styles
            return [Paragraph(esc("FY2026"), s["Title"]), counts_box([...]),
                    data_table(["LEA", "Deficiencies"], rows, [4 * inch, 1.5 * inch])]

    result = AnnualReport(ReportMeta(title=..., subject=..., created=..., fingerprint=...)).render()
    result.pdf, result.pages

Determinism: the same data must give byte-identical bytes, so a stored SHA-256 proves
a report was not changed. ReportLab's invariant mode removes the clock and random font
subset names; the creation date and the PDF document id are then set from the data
(`ReportMeta.created` and `ReportMeta.fingerprint`), never from the clock.
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
import re
import threading
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, StyleSheet1
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import DummyDoc, PDFText
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    Image,
    KeepTogether,
    NextPageTemplate,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from inspector_app.paths import resources_dir

# --- fonts -------------------------------------------------------------------------

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_ITALIC = "DejaVuSans-Oblique"
FONT_BOLD_ITALIC = "DejaVuSans-BoldOblique"
_FONT_FILES = {
    FONT: "DejaVuSans.ttf",
    FONT_BOLD: "DejaVuSans-Bold.ttf",
    FONT_ITALIC: "DejaVuSans-Oblique.ttf",
    FONT_BOLD_ITALIC: "DejaVuSans-BoldOblique.ttf",
}
# Binary (Flate only) streams: ASCII85 adds a quarter to the size and, without
# ReportLab's optional C accelerator, was a third of the render time. Process-wide.
rl_config.useA85 = 0
_fonts_lock = threading.Lock()
_fonts_done = False


class ReportFontMissing(RuntimeError):
    """The shipped font files are not where resources_dir() says."""


def register_fonts() -> None:
    """Register the Unicode font family once per process (thread-safe).

    The 14 standard PDF fonts only cover Latin-1: "Nguyễn Thị Lan" or Greek and
    Cyrillic names need a TrueType font embedded in the file.
    """
    global _fonts_done
    if _fonts_done:
        return
    with _fonts_lock:
        if _fonts_done:
            return
        folder = resources_dir() / "fonts"
        for name, file in _FONT_FILES.items():
            path = folder / file
            if not path.exists():
                raise ReportFontMissing(f"{path}: report font missing; reinstall the app")
            pdfmetrics.registerFont(TTFont(name, str(path)))
        pdfmetrics.registerFontFamily(
            FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD_ITALIC
        )
        # Every PDF embeds every font it names. ReportLab falls back on Helvetica (one of
        # the 14 standard fonts, never embedded) in two places: a table cell's default
        # font, set on the canvas even for a cell holding a paragraph, and the initial
        # state of every chart (reportlab.graphics). Both are made ours.
        from reportlab.graphics import shapes
        from reportlab.platypus.tables import CellStyle

        CellStyle.fontname = FONT
        shapes.STATE_DEFAULTS["fontName"] = FONT
        _fonts_done = True


# --- colours and styles ------------------------------------------------------------

NAVY = colors.HexColor("#1F3A5F")
GREY = colors.HexColor("#5F6B7A")
LIGHT = colors.HexColor("#EEF2F6")
RULE = colors.HexColor("#C9D1DB")
KIND_COLORS = {  # deficiency / area of concern / best practice, also used by counts boxes
    "deficiency": colors.HexColor("#B3261E"),
    "area_of_concern": colors.HexColor("#B26A00"),
    "best_practice": colors.HexColor("#2E7D32"),
}


@functools.cache
def stylesheet() -> StyleSheet1:
    """Named paragraph styles shared by every report (look them up as styles["Body"])."""
    register_fonts()
    ss = StyleSheet1()
    base = ParagraphStyle("Body", fontName=FONT, fontSize=9.5, leading=12.5, spaceAfter=4)
    ss.add(base)
    add = lambda name, **kw: ss.add(ParagraphStyle(name, parent=base, **kw))  # noqa: E731
    add("Title", fontName=FONT_BOLD, fontSize=20, leading=25, textColor=NAVY, spaceAfter=6)
    add("Subtitle", fontSize=12.5, leading=16, textColor=GREY, spaceAfter=14)
    add("H1", fontName=FONT_BOLD, fontSize=14, leading=18, textColor=NAVY, spaceBefore=10,
        spaceAfter=6, keepWithNext=1)  # fmt: skip
    add("H2", fontName=FONT_BOLD, fontSize=11.5, leading=15, textColor=NAVY, spaceBefore=8,
        spaceAfter=4, keepWithNext=1)  # fmt: skip
    add("H3", fontName=FONT_BOLD, fontSize=10, leading=13, spaceBefore=6, spaceAfter=2,
        keepWithNext=1)  # fmt: skip
    add("Small", fontSize=8, leading=10, spaceAfter=2)
    add("Muted", fontSize=8.5, leading=11, textColor=GREY)
    add("Note", fontName=FONT_ITALIC, fontSize=9, leading=12, textColor=GREY)
    add("Cell", fontSize=8.5, leading=10.5, spaceAfter=0)
    add("CellBold", fontName=FONT_BOLD, fontSize=8.5, leading=10.5, spaceAfter=0)
    add("CellHead", fontName=FONT_BOLD, fontSize=8.5, leading=10.5, spaceAfter=0,
        textColor=colors.white)  # fmt: skip
    # a failed answer: a Styled(text, "CellAlert") table cell
    add("CellAlert", fontName=FONT_BOLD, fontSize=8.5, leading=10.5, spaceAfter=0,
        textColor=KIND_COLORS["deficiency"])  # fmt: skip
    add("Label", fontName=FONT_BOLD, fontSize=9, leading=12, textColor=GREY, spaceAfter=0)
    add("Value", fontSize=9.5, leading=12.5, spaceAfter=0)
    add("CountNumber", fontName=FONT_BOLD, fontSize=20, leading=24, alignment=TA_CENTER,
        spaceAfter=0)  # fmt: skip
    add("CountLabel", fontSize=8.5, leading=10.5, alignment=TA_CENTER, spaceAfter=0)
    add("Memo", fontSize=10, leading=14, alignment=TA_LEFT)
    return ss


def esc(text: object) -> str:
    """Plain text as Paragraph markup: XML-escaped, line breaks kept."""
    return escape(str(text or "")).replace("\n", "<br/>")


def fmt_date(d: date | datetime | None, empty: str = "—") -> str:
    if d is None:
        return empty
    if isinstance(d, datetime):
        d = d.astimezone(UTC).date()
    return d.isoformat()


def date_range(start: date | None, end: date | None) -> str:
    if start is None:
        return "—"
    if end is None or end == start:
        return fmt_date(start)
    return f"{fmt_date(start)} to {fmt_date(end)}"


# --- building blocks ---------------------------------------------------------------


def para(text: object, style: str = "Body") -> Paragraph:
    """A paragraph of plain text (escaped) in a named style."""
    return Paragraph(esc(text), stylesheet()[style])


_CELL_PAD = 4


def _fits(text: str, style: ParagraphStyle, width: float) -> bool:
    """One line of plain text that fits `width`: drawn as a string, no Paragraph needed."""
    return "\n" not in text and (
        not text or pdfmetrics.stringWidth(text, style.fontName, style.fontSize) <= width
    )


@dataclass(frozen=True)
class Styled:
    """Table cell text in a named style other than the table's (e.g. a failed answer)."""

    text: str
    style: str


def _cell(value: object, style: ParagraphStyle, width: float) -> Flowable | str:
    """A table cell: flowables as they are, text that fits one line as a plain string
    (no parsing, no wrapping: the table draws it in `style`, see _string_style), longer
    text as a paragraph that is wrapped once."""
    if isinstance(value, Flowable):
        return value
    text = "" if value is None else str(value)
    return text if _fits(text, style, width) else WrapOnceParagraph(esc(text), style)


def _string_style(style: ParagraphStyle, start: tuple[int, int], stop: tuple[int, int]) -> list:
    """Table style commands that draw the plain-string cells start..stop like `style`."""
    return [
        ("FONT", start, stop, style.fontName, style.fontSize, style.leading),
        ("TEXTCOLOR", start, stop, style.textColor),
    ]


def kv_table(rows: Sequence[tuple[str, object]], *, label_width: float = 1.7 * inch,
             width: float = 6.5 * inch) -> Table:  # fmt: skip
    """Label / value pairs (a title page's facts, a finding's header)."""
    s = stylesheet()
    label_style, value_style = s["Label"], s["Value"]
    label_w, value_w = label_width - _CELL_PAD, width - label_width - _CELL_PAD
    data = [[_cell(k, label_style, label_w), _cell(v, value_style, value_w)] for k, v in rows]
    table = Table(
        data, colWidths=[label_width, width - label_width], hAlign="LEFT", splitInRow=1
    )  # a long value may run onto the next page
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (0, -1), _CELL_PAD),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        *_string_style(label_style, (0, 0), (0, -1)),
        *_string_style(value_style, (1, 0), (1, -1)),
    ]))  # fmt: skip
    return table


class WrapOnceParagraph(Paragraph):
    """A Paragraph that remembers its layout for a given width.

    A Table wraps each cell to size its rows, then again to draw it; a paragraph's
    lines depend only on the width, so the second wrap can reuse the first.
    """

    _wrapped_for: float | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        if self._wrapped_for == availWidth:
            return self.width, self.height
        size = super().wrap(availWidth, availHeight)
        self._wrapped_for = availWidth
        return size

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        self._wrapped_for = None  # splitting re-lays out the text
        return super().split(availWidth, availHeight)


_LONGEST = 3  # words measured per cell: the longest by characters (widths follow them)


def _word_width(value: object, style: ParagraphStyle) -> float:
    """The width of the widest word of a cell's text (a word never breaks across lines)."""
    if isinstance(value, Flowable):
        return 0.0
    if isinstance(value, Styled):
        value = value.text
    words = str("" if value is None else value).split()
    longest = sorted(words, key=len, reverse=True)[:_LONGEST]
    return max((pdfmetrics.stringWidth(w, style.fontName, style.fontSize) for w in longest),
               default=0.0)  # fmt: skip


def fit_widths(col_widths: Sequence[float], header: Sequence[str],
               rows: Sequence[Sequence[object]]) -> list[float]:  # fmt: skip
    """Column widths widened so the widest word of each column fits on one line (a label
    such as "Inspection" or a date is never broken mid-word), the room taken from columns
    with more than they need; the total width stays the same. When the words cannot all
    fit, the widths are returned as given."""
    s = stylesheet()
    need = [_word_width(h, s["CellHead"]) + 2 * _CELL_PAD + 0.5 for h in header]
    need += [0.0] * (len(col_widths) - len(need))
    for row in rows:
        for c, v in enumerate(row[: len(need)]):
            w = _word_width(v, s["Cell"]) + 2 * _CELL_PAD + 0.5
            if w > need[c]:
                need[c] = w
    widths = list(col_widths)
    short = sum(max(n - w, 0.0) for n, w in zip(need, widths, strict=True))
    if short <= 0:
        return widths
    slack = [max(w - n, 0.0) for n, w in zip(need, widths, strict=True)]
    if sum(slack) < short:
        return widths
    take = short / sum(slack)
    return [max(n, w) if n > w else w - sl * take
            for n, w, sl in zip(need, widths, slack, strict=True)]  # fmt: skip


def data_table(header: Sequence[str], rows: Sequence[Sequence[object]],
               col_widths: Sequence[float], *, chunk: int = 25, lead: int = 6,
               continued: Collection[int] = ()) -> list[Flowable]:  # fmt: skip
    """A zebra-striped table with a navy header, as a list of flowables.

    Long tables are cut into chunks of `chunk` rows: ReportLab re-measures a whole
    table each time it splits it across a page, so one 300-row table costs far more
    than twelve small ones that look the same. The first chunk has only `lead` rows:
    a heading is kept with it, and a small one still fits at the foot of a page instead
    of pushing heading and table onto the next. Cells may be text, `Styled` text or
    flowables; tall cells split within the row so one long note cannot break the layout.

    `continued`: indexes of rows that continue the row before them (a free-text answer
    under its question): their second cell spans every column from the second on (give
    such a row two cells), in the same stripe as the row before, never cut from it.
    """
    s = stylesheet()
    cell_style, head_style = s["Cell"], s["CellHead"]
    continued = frozenset(continued)
    col_widths = fit_widths(col_widths, header,
                            [row for r, row in enumerate(rows) if r not in continued])  # fmt: skip
    inner = [w - 2 * _CELL_PAD for w in col_widths]
    spanned = [inner[0], sum(col_widths[1:]) - 2 * _CELL_PAD]  # a continued row's cells
    head = [_cell(h, head_style, w) for h, w in zip(header, inner, strict=False)]
    body: list[list[Flowable | str]] = []
    restyled: list[tuple[int, int, ParagraphStyle]] = []  # (row, column, style) of Styled text
    for r, row in enumerate(rows):
        cells = []
        for c, (v, w) in enumerate(zip(row, spanned if r in continued else inner, strict=False)):
            style = cell_style
            if isinstance(v, Styled):
                style = s[v.style]
                v = v.text
                restyled.append((r, c, style))
            cells.append(_cell(v, style, w))
        body.append(cells + [""] * (len(col_widths) - len(cells)))
    stripe = _stripes(len(body), continued)
    out: list[Flowable] = []
    # a chunk never starts with a continued row (it stays with the row it continues)
    starts = [0, *(n + 1 if n in continued else n
                   for n in range(min(lead, chunk), max(len(body), 1), chunk))]  # fmt: skip
    starts = sorted(set(n for n in starts if n < max(len(body), 1)))
    for start, end in zip(starts, [*starts[1:], max(len(body), 1)], strict=True):
        part = body[start:end]
        # Only the first chunk carries the header; the rest continue the same table.
        first = start == 0
        data = [head, *part] if first else part
        table = Table(data, colWidths=list(col_widths), repeatRows=1 if first else 0,
                      hAlign="LEFT", splitInRow=1)  # fmt: skip
        offset = (1 if first else 0) - start  # table row of body row r: r + offset
        style = [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, -1), (-1, -1), 0.25, RULE),  # rows are told apart by the stripes
            ("TOPPADDING", (0, 0), (-1, -1), 2.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ("LEFTPADDING", (0, 0), (-1, -1), _CELL_PAD),
            ("RIGHTPADDING", (0, 0), (-1, -1), _CELL_PAD),
            *_string_style(cell_style, (0, 0), (-1, -1)),
        ]
        if first:
            style += [("BACKGROUND", (0, 0), (-1, 0), NAVY),
                      *_string_style(head_style, (0, 0), (-1, 0))]  # fmt: skip
        style += [cmd for r, c, st in restyled if start <= r < end
                  for cmd in _string_style(st, (c, r + offset), (c, r + offset))]  # fmt: skip
        # zebra stripes by absolute row number, so they run on across chunks; a continued
        # row takes the stripe of the row it continues
        style += [("BACKGROUND", (0, r + offset), (-1, r + offset), LIGHT)
                  for r in range(start, start + len(part)) if stripe[r] % 2 == 1]  # fmt: skip
        style += [("SPAN", (1, r + offset), (-1, r + offset))
                  for r in range(start, start + len(part)) if r in continued]  # fmt: skip
        table.setStyle(TableStyle(style))
        out.append(table)
    return out


def _stripes(n: int, continued: Collection[int]) -> list[int]:
    """Each row's stripe number: its own, or the row's it continues."""
    out, k = [], -1
    for r in range(n):
        k += r not in continued
        out.append(k)
    return out


def counts_box(counts: Sequence[tuple[str, int, colors.Color | None]],
               *, width: float = 6.5 * inch) -> Table:  # fmt: skip
    """A row of big numbers with labels ("3 Deficiencies | 2 Areas of concern | ...")."""
    s = stylesheet()
    n = max(len(counts), 1)
    numbers, labels = [], []
    for label, value, color in counts:
        style = ParagraphStyle("n", parent=s["CountNumber"], textColor=color or NAVY)
        numbers.append(Paragraph(str(value), style))
        labels.append(Paragraph(esc(label), s["CountLabel"]))
    table = Table([numbers, labels], colWidths=[width / n] * n, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 0.75, RULE),
        ("LINEBEFORE", (1, 0), (-1, -1), 0.5, RULE),
        ("BACKGROUND", (0, 0), (-1, -1), LIGHT),
        ("TOPPADDING", (0, 0), (-1, 0), 8),
        ("BOTTOMPADDING", (0, 1), (-1, 1), 8),
    ]))  # fmt: skip
    return table


def callout(text: str, *, color: colors.Color = NAVY, width: float = 6.5 * inch) -> Table:
    """A boxed sentence that must not be missed (e.g. "A focus review is required by ...")."""
    p = Paragraph(text, ParagraphStyle("c", parent=stylesheet()["Body"], fontName=FONT_BOLD,
                                       textColor=color, spaceAfter=0))  # fmt: skip
    table = Table([[p]], colWidths=[width], hAlign="LEFT")
    table.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 1, color),
        ("LEFTPADDING", (0, 0), (-1, -1), 8),
        ("TOPPADDING", (0, 0), (-1, -1), 6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
    ]))  # fmt: skip
    return table


THUMB_DPI = 150  # embedded resolution of a thumbnail: sharp on paper, small in the file
# User text in a place that cannot grow (a photo grid cell, a one-line name) is cut with an
# ellipsis: a photo's cell must fit one page beside its picture, or ReportLab gives up.
NAME_CHARS = 120  # a file name in a table or grid
GRID_CAPTION_CHARS = 200  # a caption under a thumbnail; the whole caption follows the grid


def clip(text: object, n: int) -> str:
    """`text` cut to at most `n` characters, with an ellipsis when cut."""
    text = str(text or "")
    return text if len(text) <= n else text[: n - 1] + "…"


def thumbnail(data: bytes | None, filename: str, *, max_width: float = 2.0 * inch,
              max_height: float = 1.5 * inch) -> Flowable:  # fmt: skip
    """An image scaled to fit the box, or a one-line note when it cannot be shown.

    The photo is decoded once, straight at about the size it is embedded at (THUMB_DPI
    to twice that, over the box it is drawn in): a JPEG decodes at 1/2 to 1/8 scale, so
    a camera photo costs little, and ReportLab only ever sees the small copy.

    None means the stored file is missing; bytes that do not decode (a damaged file,
    a renamed PDF) give "[image unreadable: ...]". The report is still produced.
    """
    filename = clip(filename, NAME_CHARS)
    if data is None:
        return para(f"[image missing: {filename}]", "Note")
    from PIL import Image as PILImage

    try:
        with PILImage.open(io.BytesIO(data)) as img:
            w, h = img.size
            scale = min(max_width / w, max_height / h)  # ZeroDivisionError: unreadable
            box = (math.ceil(w * scale * THUMB_DPI / 72), math.ceil(h * scale * THUMB_DPI / 72))
            img.draft("RGB", box)  # JPEG: decode at the smallest scale still >= box
            img.load()  # decode now: a truncated file fails here, not mid-build
            if img.width > 2 * box[0] or img.height > 2 * box[1]:
                # not scaled by the decoder (not a JPEG): resample. Within 2x of the box
                # it is kept as decoded; resampling would cost more than the rest together.
                img.thumbnail(box)
            if img.size != (w, h) or img.format != "JPEG":
                buf = io.BytesIO()
                img.convert("RGB").save(buf, format="JPEG", quality=85)
                data = buf.getvalue()
    except Exception:  # noqa: BLE001 - any decoder failure means "unreadable"
        return para(f"[image unreadable: {filename}]", "Note")
    return Image(io.BytesIO(data), width=w * scale, height=h * scale)


def image_grid(images: Sequence[tuple[bytes | None, str, str]], *, columns: int = 3,
               width: float = 6.5 * inch) -> Table | None:  # fmt: skip
    """Thumbnails with captions, `columns` per row. images: (bytes or None, filename, caption).

    A caption longer than GRID_CAPTION_CHARS is cut here (a grid row cannot run onto the
    next page); evidence_photos() prints such captions in full after the grid."""
    if not images:
        return None
    col = width / columns
    cells = []
    for data, filename, caption in images:
        thumb = thumbnail(data, filename, max_width=col - 10, max_height=1.5 * inch)
        label = clip(caption, GRID_CAPTION_CHARS) if caption else clip(filename, NAME_CHARS)
        cells.append([thumb, para(label, "Small")])
    rows: list[list[list[Any] | str]] = [
        list(cells[i : i + columns]) for i in range(0, len(cells), columns)
    ]
    rows[-1] += [""] * (columns - len(rows[-1]))
    table = Table(rows, colWidths=[col] * columns, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
    ]))  # fmt: skip
    return table


def evidence_photos(images: Sequence[tuple[bytes | None, str, str]], *, columns: int = 3,
                    width: float = 6.5 * inch) -> list[Flowable]:  # fmt: skip
    """image_grid() followed by the full text of each caption the grid had to cut."""
    grid = image_grid(images, columns=columns, width=width)
    if grid is None:
        return []
    long = [(name, caption) for _, name, caption in images
            if len(caption or "") > GRID_CAPTION_CHARS]  # fmt: skip
    return [
        grid,
        *(para(f"{clip(name, NAME_CHARS)}: {caption}", "Small") for name, caption in long),
    ]


def keep(*flowables: Flowable | None) -> KeepTogether:
    return KeepTogether([f for f in flowables if f is not None])


def section(title: str, *intro: Flowable, body: Sequence[Flowable] = (),
            style: str = "H1") -> list[Flowable]:  # fmt: skip
    """A heading, its introduction and the first part of its body kept on one page (a
    heading is never left alone at the foot of a page); the rest of the body follows."""
    first = [para(title, style), *intro, *body[:1]]
    return [KeepTogether(first), *body[1:]]


# --- document metadata, determinism ------------------------------------------------


@dataclass(frozen=True)
class ReportMeta:
    """What the page furniture and the PDF's info dictionary show.

    created: the report's date, derived from the data (never the clock).
    fingerprint: hex digest of the data; becomes the PDF's document id.
    draft: print a DRAFT watermark on every page.
    footer_note: an extra footer line (a final report's content hash).
    alert: a warning printed in a red band across the top of every page and in the
        footer (a final review whose content changed since it was finalized).
    """

    title: str
    subject: str
    created: datetime
    fingerprint: str
    author: str = "Inspector"
    draft: bool = False
    footer_note: str = ""
    alert: str = ""
    running_head: str = ""  # on later pages, e.g. the agency's name


@dataclass(frozen=True)
class RenderResult:
    pdf: bytes
    pages: int


class _FixedTimeStamp:
    """Stands in for reportlab.lib.utils.TimeStamp with a date from the data."""

    def __init__(self, when: datetime):
        when = when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
        self.t = when.timestamp()
        self.lt = when.timetuple()
        self.YMDhms = tuple(self.lt)[:6]
        self.dhh = self.dmm = 0
        self.tzname = "UTC"

    @property
    def datetime(self) -> datetime:
        return datetime.fromtimestamp(self.t, UTC)


FOOTER_SIZE = 7.5  # the footer line's font size (FONT)
FOOTER_GAP = 12.0  # the least room between two parts of the footer line, in points


@dataclass(frozen=True)
class FooterPart:
    text: str
    x0: float
    x1: float


def fit_text(text: str, width: float, font: str = FONT, size: float = FOOTER_SIZE) -> str:
    """`text` cut with an ellipsis, measured, so that it is at most `width` points wide."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    lo, hi = 0, len(text)  # the longest prefix that fits with its ellipsis
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if pdfmetrics.stringWidth(text[:mid].rstrip() + "…", font, size) <= width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + "…" if lo else ""


def footer_layout(title: str, status: str, page: str, *, left: float,
                  right: float) -> list[FooterPart]:  # fmt: skip
    """The footer line's parts, left to right, none overlapping another: the title from
    the left margin (cut with an ellipsis where it would reach the next part), the status
    ("DRAFT – not final", may be "") centred between the margins unless the page number
    needs the room, and the page number against the right margin."""
    width = functools.partial(pdfmetrics.stringWidth, fontName=FONT, fontSize=FOOTER_SIZE)
    page_w = width(page)
    page_part = FooterPart(page, right - page_w, right)
    parts = []
    limit = page_part.x0 - FOOTER_GAP  # where the title must end
    if status:
        status_w = width(status)
        x0 = min((left + right - status_w) / 2, limit - status_w)
        parts.append(FooterPart(status, x0, x0 + status_w))
        limit = x0 - FOOTER_GAP
    shown = fit_text(title, max(limit - left, 0.0))
    return [FooterPart(shown, left, left + width(shown)), *parts, page_part]


class NumberedCanvas(Canvas):
    """Defers each page until the end so the footer can say "Page X of Y".

    Also pins the creation date and the document id to the data (`meta`), which with
    invariant mode makes the bytes a pure function of the data.
    """

    def __init__(self, *args, meta: ReportMeta, counter: list[int], **kwargs):  # noqa: ANN002, ANN003
        kwargs["invariant"] = 1
        super().__init__(*args, **kwargs)
        self._meta = meta
        self._counter = counter
        self._saved_pages: list[dict] = []
        doc = self._doc
        doc._timeStamp = _FixedTimeStamp(meta.created)
        digest = bytes.fromhex(meta.fingerprint)[:16].ljust(16, b"\0")
        ids = PDFText(digest, enc="raw").format(DummyDoc())
        doc._ID = (
            b"\n[" + ids + ids + b"]\n% ReportLab generated PDF document -- digest (opensource)\n"
        )

    def showPage(self) -> None:  # noqa: N802 (ReportLab's name)
        self._saved_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._saved_pages)
        self._counter.append(total)
        for state in self._saved_pages:
            self.__dict__.update(state)
            self._draw_footer(self._pageNumber, total)
            super().showPage()
        super().save()

    def _draw_footer(self, number: int, total: int) -> None:
        meta = self._meta
        width, _ = self._pagesize
        left, right, y = 0.75 * inch, width - 0.75 * inch, 0.5 * inch
        self.saveState()
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        self.line(left, y + 11, right, y + 11)
        self.setFont(FONT, FOOTER_SIZE)
        self.setFillColor(GREY)
        status = "DRAFT – not final" if meta.draft else ""
        parts = footer_layout(meta.title, status, f"Page {number} of {total}", left=left,
                              right=right)  # fmt: skip
        for n, part in enumerate(parts):
            self.setFillColor(KIND_COLORS["deficiency"] if n == 1 and status else GREY)
            self.drawString(part.x0, y, part.text)
        self.setFillColor(GREY)
        if meta.footer_note:
            self.setFont(FONT, 6.5)
            self.drawString(left, y - 10, meta.footer_note)
        if meta.alert:
            self.setFont(FONT_BOLD, 7)
            self.setFillColor(KIND_COLORS["deficiency"])
            self.drawString(left, y - 10, clip(meta.alert, 110))
            self._draw_alert_band(meta.alert)
        self.restoreState()

    def _draw_alert_band(self, text: str) -> None:
        """A red band with white text across the top of the page, above the running
        head (drawn last, so nothing on the page covers it)."""
        width, height = self._pagesize
        top, band = height - 0.12 * inch, 0.26 * inch
        self.setFillColor(KIND_COLORS["deficiency"])
        self.rect(0, top - band, width, band, stroke=0, fill=1)
        self.setFillColor(colors.white)
        self.setFont(FONT_BOLD, 10)
        self.drawCentredString(width / 2, top - band + 0.085 * inch, clip(text, 90))


# --- the base report ---------------------------------------------------------------


class BaseReport:
    """Subclass, set `report_title`, implement `story()`; call `render()` for the bytes."""

    pagesize = LETTER  # US federal reports
    margin_left = margin_right = 0.75 * inch
    margin_top = 0.75 * inch
    margin_bottom = 0.9 * inch  # room for the footer (page number, content hash)
    report_title = "Report"

    def __init__(self, meta: ReportMeta):
        register_fonts()
        self.meta = meta
        self.styles = stylesheet()

    @property
    def frame_width(self) -> float:
        return self.pagesize[0] - self.margin_left - self.margin_right

    def story(self) -> list[Flowable]:
        raise NotImplementedError

    # Page furniture drawn BEFORE the page's content, so the watermark sits underneath.
    def on_first_page(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        self._watermark(canvas)

    def on_later_page(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        self._watermark(canvas)
        if self.meta.running_head:
            width, height = self.pagesize
            canvas.saveState()
            canvas.setFont(FONT, 7.5)
            canvas.setFillColor(GREY)
            canvas.drawString(
                self.margin_left, height - 0.5 * inch, clip(self.meta.running_head, 90)
            )
            canvas.setStrokeColor(RULE)
            canvas.setLineWidth(0.5)
            canvas.line(self.margin_left, height - 0.55 * inch,
                        width - self.margin_right, height - 0.55 * inch)  # fmt: skip
            canvas.restoreState()

    def _watermark(self, canvas: Canvas) -> None:
        if not self.meta.draft:
            return
        width, height = self.pagesize
        canvas.saveState()
        canvas.setFillColor(colors.Color(0.75, 0.1, 0.1, alpha=0.12))
        canvas.setFont(FONT_BOLD, 110)
        canvas.translate(width / 2, height / 2)
        canvas.rotate(45)
        canvas.drawCentredString(0, -35, "DRAFT")
        canvas.restoreState()

    def render(self, progress: Callable[[int], None] | None = None) -> RenderResult:
        """Build the PDF in memory. `progress(percent)` is called as pages are laid out."""
        buf = io.BytesIO()
        meta = self.meta
        doc = BaseDocTemplate(
            buf, pagesize=self.pagesize, leftMargin=self.margin_left,
            rightMargin=self.margin_right, topMargin=self.margin_top,
            bottomMargin=self.margin_bottom, title=meta.title, subject=meta.subject,
            author=meta.author, creator="Inspector", producer="Inspector (ReportLab)",
            invariant=1, initialFontName=FONT,
        )  # fmt: skip
        frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)  # fmt: skip
        doc.addPageTemplates([
            PageTemplate("first", [frame], onPage=self.on_first_page, autoNextPageTemplate="later"),
            PageTemplate("later", [frame], onPage=self.on_later_page),
        ])  # fmt: skip
        story = [NextPageTemplate("later"), *self.story()]
        if progress is not None:
            n = max(len(story), 1)
            doc.setProgressCallBack(
                lambda kind, value: progress(min(99, int(100 * value / n)))
                if kind == "PROGRESS" else None
            )  # fmt: skip
        counter: list[int] = []
        doc.build(story, canvasmaker=functools.partial(NumberedCanvas, meta=meta, counter=counter))
        return RenderResult(buf.getvalue(), counter[-1] if counter else 0)


# --- names and fingerprints ----------------------------------------------------------

_ABBREVIATIONS = [
    ("sheriff's office", "so"), ("sheriffs office", "so"), ("sheriff's department", "sd"),
    ("sheriffs department", "sd"), ("detention center", "dc"), ("police department", "pd"),
    ("department of corrections", "doc"),
]  # fmt: skip


def slug(text: str) -> str:
    """'Alder County Sheriff's Office' -> 'alder-county-so' (ASCII, for file names)."""
    import unicodedata

    low = text.lower().replace("’", "'")
    for long, short in _ABBREVIATIONS:
        low = low.replace(long, short)
    ascii_text = unicodedata.normalize("NFKD", low).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-") or "report"


def fingerprint(*parts: object) -> str:
    """SHA-256 over a canonical text of the parts (rows are dumped as JSON)."""
    import json

    h = hashlib.sha256()
    for part in parts:
        dump = getattr(part, "model_dump", None)
        value = dump(mode="json") if dump else part
        h.update(json.dumps(value, sort_keys=True, default=str, ensure_ascii=False).encode())
        h.update(b"\x1e")
    return h.hexdigest()


__all__ = [
    "BaseReport", "FONT", "FONT_BOLD", "FONT_ITALIC", "KIND_COLORS", "NAVY", "GREY", "LIGHT",
    "NumberedCanvas", "RenderResult", "ReportFontMissing", "ReportMeta", "Spacer", "Styled",
    "callout", "clip", "counts_box", "evidence_photos", "GRID_CAPTION_CHARS", "NAME_CHARS",
    "data_table", "date_range", "esc", "fingerprint", "fit_text", "footer_layout", "FooterPart", "fit_widths", "fmt_date", "image_grid",
    "keep", "kv_table", "para", "section", "register_fonts", "slug", "stylesheet", "thumbnail", "inch",
]  # fmt: skip
