"""Printing a report (issue 13 item 8): at the PDF's own page size and at most 300 dpi,
through the same code path as Print… (ReportWindow.print_to on a QPrinter)."""

from __future__ import annotations

import time

import pytest
from pypdf import PdfReader

from inspector_app.domain.enums import ReportKind
from inspector_app.store.queries import list_reviews
from inspector_app.ui.qt import QPageLayout, QPageSize, QPrinter, QSizeF
from inspector_app.ui.reports_view import PRINT_DPI, page_layout_for, prepare_printer, show_report

pytestmark = pytest.mark.gui


def _draft(db) -> str:  # noqa: ANN001
    with db.read() as s:
        return next(r.review.id for r in list_reviews(s) if r.review.status == "report_draft")


def test_page_size_mapping_follows_the_pdf(qapp):  # noqa: ANN001, ARG001
    a4 = page_layout_for(QSizeF(595.28, 841.89))
    assert a4.pageSize().id() == QPageSize.PageSizeId.A4
    assert a4.orientation() == QPageLayout.Orientation.Portrait
    letter = page_layout_for(QSizeF(612, 792))
    assert letter.pageSize().id() == QPageSize.PageSizeId.Letter
    wide = page_layout_for(QSizeF(792, 612))  # a landscape Letter page
    assert wide.pageSize().id() == QPageSize.PageSizeId.Letter
    assert wide.orientation() == QPageLayout.Orientation.Landscape
    odd = page_layout_for(QSizeF(500, 500))  # no standard size: a custom one, as is
    assert odd.pageSize().id() == QPageSize.PageSizeId.Custom
    assert odd.fullRectPoints().size().width() == 500


def test_printer_takes_the_pdf_page_size_and_300_dpi(qapp):  # noqa: ANN001, ARG001
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)  # 1200 dpi, A4 by default here
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    prepare_printer(printer, QSizeF(612, 792))
    assert printer.pageLayout().pageSize().id() == QPageSize.PageSizeId.Letter
    assert printer.resolution() == PRINT_DPI
    low = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    low.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    before = low.resolution()
    prepare_printer(low, QSizeF(612, 792))
    assert low.resolution() == min(before, PRINT_DPI)  # the printer's own, when lower


def test_print_demo_report_fast_small_and_on_letter(qtbot, demo_ctx, tmp_path):  # noqa: ANN001
    window = show_report(demo_ctx, None, ReportKind.INSPECTION, _draft(demo_ctx.db))
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.sig_ready, timeout=30000) as ready:
        pass
    pages = ready.args[0].pages
    out = tmp_path / "printed.pdf"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)  # what Print… starts with
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))  # a printer's default paper
    printer.setOutputFileName(str(out))
    started = time.perf_counter()
    assert window.print_to(printer) == pages
    elapsed = time.perf_counter() - started
    printed = PdfReader(out)
    assert len(printed.pages) == pages
    for page in printed.pages:
        box = page.mediabox
        assert (round(float(box.width)), round(float(box.height))) == (612, 792)
    size = out.stat().st_size
    assert size < 15 * 1024 * 1024, f"{size / 1e6:.1f} MB"
    # the target is under 5 s (about 3 s measured on this 2-core machine); a shared CI
    # machine may be slower, so the test only catches the old 1200-dpi path (~25-58 s)
    assert elapsed < 15, f"printing {pages} pages took {elapsed:.1f} s"
