"""The Reports view and the report window, offscreen: render, show, save, list."""

from __future__ import annotations

import io

from pypdf import PdfReader

from inspector_app.domain.enums import ReportKind
from inspector_app.services import report_service
from inspector_app.store.queries import list_reviews
from inspector_app.ui.qt import QFileDialog, QPdfDocument, QPrinter
from inspector_app.ui.reports_view import ReportsView, show_report


def _alder(db) -> str:
    with db.read() as s:
        return next(r.review.id for r in list_reviews(s) if r.review.status == "report_draft")


def test_render_show_save_and_list(qtbot, demo_ctx, tmp_path, monkeypatch):
    view = ReportsView(demo_ctx)
    qtbot.addWidget(view)
    view.show()
    assert view.model.rowCount() == 0  # the demo keeps no reports yet
    review_id = _alder(demo_ctx.db)

    window = show_report(demo_ctx, view, ReportKind.INSPECTION, review_id)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.sig_ready, timeout=20000) as ready:
        pass
    rendered = ready.args[0]
    assert window.document.status() == QPdfDocument.Status.Ready
    assert window.document.pageCount() == rendered.pages
    assert rendered.pages == len(PdfReader(io.BytesIO(rendered.pdf)).pages)
    assert window.act_save.isEnabled() and window.act_print.isEnabled()

    # Save As writes the same bytes where the user chose
    target = tmp_path / "saved-report"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(target), "PDF files (*.pdf)")))  # fmt: skip
    window.act_save.trigger()
    saved = tmp_path / "saved-report.pdf"
    assert saved.read_bytes() == rendered.pdf

    # the artifact row exists and the view lists it (refreshed by the change signal)
    qtbot.waitUntil(lambda: view.model.rowCount() == 1, timeout=5000)
    row = view.model.artifact_at(0)
    assert row.artifact.sha256 == rendered.sha256 and row.artifact.review_id == review_id
    assert row.agency_name == "Alder County Sheriff's Office"
    assert view.model.index(0, 1).data() == "Inspection report"

    kept = view.open_artifact(0)
    qtbot.addWidget(kept)
    assert kept.document.pageCount() == rendered.pages


def test_print_draws_every_page(qtbot, demo_ctx, tmp_path):
    window = show_report(demo_ctx, None, ReportKind.INSPECTION, _alder(demo_ctx.db))
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.sig_ready, timeout=20000) as ready:
        pass
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert window.print_to(printer) == ready.args[0].pages
    assert len(PdfReader(tmp_path / "printed.pdf").pages) == ready.args[0].pages


def test_unavailable_reports_are_disabled_with_the_reason(qtbot, demo_ctx):
    view = ReportsView(demo_ctx)
    qtbot.addWidget(view)
    view.select_review(_alder(demo_ctx.db))
    labels = {view.kind_box.itemText(i): view.kind_box.model().item(i).isEnabled()
              for i in range(view.kind_box.count())}  # fmt: skip
    assert labels == {"Inspection report": True, "Focus review report": False,
                      "Review request form": False, "Closeout memo": False}  # fmt: skip
    assert view.selected_kind() == ReportKind.INSPECTION and view.produce.isEnabled()
    closeout = [k for k, ok, why in report_service.available_reports(demo_ctx.db, _alder(demo_ctx.db))
                if k == ReportKind.CLOSEOUT][0]  # fmt: skip
    assert closeout == ReportKind.CLOSEOUT


def test_a_refused_report_says_why(qtbot, demo_ctx, monkeypatch):
    from inspector_app.ui import reports_view

    shown = []
    monkeypatch.setattr(reports_view.QMessageBox, "warning", lambda *a: shown.append(a[2]))
    window = show_report(demo_ctx, None, ReportKind.CLOSEOUT, _alder(demo_ctx.db))
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.sig_failed, timeout=20000) as failed:
        pass
    assert "cannot be closed out" in failed.args[0] and shown == [failed.args[0]]
