"""Reports in the app: the list of kept report artifacts and the PDF window.

`ReportsView` lists every rendered report (newest first) and produces a new one for a
chosen review; `show_report(ctx, parent, kind, review_id)` renders in a worker thread
(ui.tasks.run_with_progress) and shows the PDF in a `ReportWindow` (QtPdf) with Print
and Save As. Rendering also keeps the PDF as an artifact with its SHA-256 (the service
does that), so the list updates through ctx.sig_changed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from inspector_app.domain.enums import ReportKind, ReviewKind
from inspector_app.services import accounts, approval, audit, report_service
from inspector_app.services.errors import ServiceError
from inspector_app.services.report_service import ArtifactRow, RenderedReport
from inspector_app.services.review_views import review_rows
from inspector_app.store.changes import Changes
from inspector_app.store.errors import DatabaseProblem

from .approve_dialog import ApproveDialog, approval_text
from .context import AppContext
from .errors import KNOWN_ERRORS
from .qt import (
    QAbstractItemView,
    QAbstractTableModel,
    QAction,
    QBuffer,
    QByteArray,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QImage,
    QKeySequence,
    QLabel,
    QMainWindow,
    QMarginsF,
    QMessageBox,
    QModelIndex,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfDocument,
    QPdfView,
    QPersistentModelIndex,
    QPrintDialog,
    QPrinter,
    QPushButton,
    QRect,
    QSize,
    QSizeF,
    QStandardItemModel,
    Qt,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
    Signal,
)
from .refresh import RefreshWhenShown
from .screen_size import fit_to_screen
from .tasks import Task, run_with_progress

PRINT_DPI = 300  # pages are rasterised for the printer at this resolution at most


def _label(kind: str) -> str:
    try:
        return report_service.REPORT_LABELS[ReportKind(kind)]
    except ValueError:
        return kind


def _size(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


# --- printing ----------------------------------------------------------------------


def page_layout_for(points: QSizeF) -> QPageLayout:
    """The printer page layout of a PDF page `points` (width x height in points): the
    standard size it is (Letter, A4, ...; a custom size otherwise), landscape when wider
    than tall, no margins (the PDF carries its own)."""
    width, height = points.width(), points.height()
    size = QPageSize(QSizeF(min(width, height), max(width, height)), QPageSize.Unit.Point,
                     "", QPageSize.SizeMatchPolicy.FuzzyMatch)  # fmt: skip
    orientation = (QPageLayout.Orientation.Landscape if width > height
                   else QPageLayout.Orientation.Portrait)  # fmt: skip
    return QPageLayout(size, orientation, QMarginsF(0, 0, 0, 0))


def prepare_printer(printer: QPrinter, points: QSizeF) -> None:
    """Paper of the document's size, drawn edge to edge, at most PRINT_DPI: a page
    image of the printer's full resolution (1200 dpi) costs seconds and tens of MB."""
    printer.setFullPage(True)
    printer.setPageLayout(page_layout_for(points))
    printer.setResolution(min(printer.resolution(), PRINT_DPI))


def on_white(image: QImage) -> QImage:
    """A rendered page (transparent where nothing is drawn) on white, without an alpha
    channel: the printer's PDF then needs no soft mask per page (printing takes a
    third less time)."""
    flat = QImage(image.size(), QImage.Format.Format_RGB32)
    flat.fill(Qt.GlobalColor.white)
    painter = QPainter(flat)
    painter.drawImage(0, 0, image)
    painter.end()
    return flat


def draw_page(painter: QPainter, document: QPdfDocument, page: int, target: QRect,
              dpi: int) -> None:  # fmt: skip
    """Render `page` at `dpi` and draw it centred in `target` (device pixels), scaled
    down only if the page is larger than the paper."""
    points = document.pagePointSize(page)
    size = QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72))
    fits = size.width() <= target.width() and size.height() <= target.height()
    fitted = size if fits else size.scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
    image = on_white(document.render(page, fitted))
    x = target.x() + (target.width() - fitted.width()) // 2
    y = target.y() + (target.height() - fitted.height()) // 2
    painter.drawImage(QRect(x, y, fitted.width(), fitted.height()), image)


# --- the artifacts table -----------------------------------------------------------


class ArtifactModel(QAbstractTableModel):
    """Kept reports, newest first (the service sorts them)."""

    HEADERS = ["Rendered", "Report", "Agency", "Review status", "Pages", "Size", "SHA-256"]

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.rows: list[ArtifactRow] = []

    def set_rows(self, rows: list[ArtifactRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        a = row.artifact
        if role == Qt.ItemDataRole.DisplayRole:
            status = (a.params or {}).get("review_status") or row.review_status
            return [
                a.updated_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                _label(a.kind),
                row.agency_name,
                status.replace("_", " ").capitalize() if status else "",
                a.pages,
                _size(a.size),
                a.sha256[:16] + "…",
            ][index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{a.filename}\nSHA-256 {a.sha256}"
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (4, 5):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def artifact_at(self, row: int) -> ArtifactRow | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None


# --- the PDF window ----------------------------------------------------------------


class ReportWindow(QMainWindow):
    """A rendered PDF with Print and Save As. `sig_ready` fires once the PDF is shown."""

    sig_ready = Signal(object)  # the RenderedReport (or ArtifactRow) shown
    sig_failed = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, title: str = "Report"):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        # a page's width, at most 90% of the screen (1000 pixels is off a laptop's screen)
        fit_to_screen(self, 860, 1000, 0.9)
        self.pdf: bytes = b""
        self.filename = "report.pdf"
        # What a print is recorded against in the audit trail (entity, id): the review
        # for a fresh rendering, the kept report for a stored one.
        self.print_subject: tuple[str, str] = ("report", "")
        self.task: Task | None = None
        self._buffer: QBuffer | None = None
        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.status = QLabel("Rendering…")
        toolbar = QToolBar("Report", self)
        toolbar.setMovable(False)
        self.addToolBar(toolbar)
        self.act_print = QAction("Print…", self)
        self.act_print.triggered.connect(self._on_print)
        self.act_save = QAction("Save As…", self)
        self.act_save.triggered.connect(self._on_save_as)
        # the keys of the app's other windows: Ctrl+P, Ctrl+Shift+S, and Escape (or Ctrl+W)
        # closes it like the photo viewer and the help window
        self.act_print.setShortcut(QKeySequence(QKeySequence.StandardKey.Print))
        self.act_save.setShortcut(QKeySequence("Ctrl+Shift+S"))
        for act in (self.act_print, self.act_save):
            act.setEnabled(False)
            act.setToolTip(f"{act.text()} ({act.shortcut().toString()})")
            toolbar.addAction(act)
        self.act_close = QAction("Close", self)
        self.act_close.setShortcuts([QKeySequence("Escape"), QKeySequence("Ctrl+W")])
        self.act_close.triggered.connect(self.close)
        self.addAction(self.act_close)
        toolbar.addSeparator()
        toolbar.addWidget(self.status)
        self.setCentralWidget(self.view)

    def show_pdf(self, pdf: bytes, filename: str, note: str = "") -> None:
        self.pdf, self.filename = pdf, filename
        self.document.close()
        self._buffer = QBuffer(self)
        self._buffer.setData(QByteArray(pdf))
        self._buffer.open(QBuffer.OpenModeFlag.ReadOnly)
        self.document.load(self._buffer)
        pages = self.document.pageCount()
        self.status.setText(f"{filename} · {pages} page(s)" + (f" · {note}" if note else ""))
        for act in (self.act_print, self.act_save):
            act.setEnabled(pages > 0)

    # --- printing and saving -------------------------------------------------------

    def print_to(self, printer: QPrinter) -> int:
        """Draw every page onto `printer` at the document's own page size (read from the
        PDF: Letter stays Letter whatever the printer's default) and at most PRINT_DPI;
        returns the number of pages printed."""
        count = self.document.pageCount()
        if count == 0:
            return 0
        prepare_printer(printer, self.document.pagePointSize(0))
        painter = QPainter()
        if not painter.begin(printer):
            raise OSError("the printer could not be started")
        try:
            target = printer.paperRect(QPrinter.Unit.DevicePixel).toRect()
            for page in range(count):
                if page:
                    printer.newPage()
                draw_page(painter, self.document, page, target, printer.resolution())
            return count
        finally:
            painter.end()

    def _on_print(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if self.document.pageCount():  # the dialog offers the report's paper size
            printer.setPageLayout(page_layout_for(self.document.pagePointSize(0)))
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QPrintDialog.DialogCode.Accepted:
            return
        try:
            pages = self.print_to(printer)
        except OSError as exc:
            QMessageBox.warning(self, "Print", f"Could not print: {exc}")
            return
        self.record_print(pages)

    def record_print(self, pages: int) -> None:
        """The audit trail's "print" entry for a report sent to a printer."""
        entity, entity_id = self.print_subject
        try:
            audit.record_print(self.ctx.db, entity, entity_id or self.filename,
                               filename=self.filename, pages=pages)  # fmt: skip
        except KNOWN_ERRORS as exc:
            QMessageBox.warning(self, "Print", f"Printed, but the audit trail could not "
                                f"record it: {exc}")  # fmt: skip

    def _on_save_as(self) -> None:
        folder = self.ctx.settings.value("reports/last_folder", "") if self.ctx.settings else ""
        start = str(Path(folder if isinstance(folder, str) and folder else Path.home())
                    / self.filename)  # fmt: skip
        path, _ = QFileDialog.getSaveFileName(self, "Save report as", start, "PDF files (*.pdf)")
        if not path:
            return
        target = Path(path)
        if target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")
        try:
            report_service.write_atomically(target, self.pdf)
        except ServiceError as exc:
            QMessageBox.warning(self, "Save As", str(exc))
            return
        if self.ctx.settings is not None:
            self.ctx.settings.setValue("reports/last_folder", str(target.parent))
        self.status.setText(f"Saved {target.name}")
        self.ctx.sig_status.emit(f"Report saved to {target}")


def show_report(ctx: AppContext, parent: QWidget | None, kind: ReportKind | str,
                review_id: str) -> ReportWindow:  # fmt: skip
    """Render a review's report off the GUI thread and show it in a new window."""
    label = _label(str(kind))
    window = ReportWindow(ctx, parent, label)
    window.print_subject = ("review", review_id)
    window.show()

    def job(report):  # noqa: ANN001, ANN202 - runs in a pool thread
        return report_service.render_report(ctx.db, kind, review_id, progress=report)

    def done(rendered: RenderedReport) -> None:
        window.setWindowTitle(f"{label} · {rendered.filename}")
        window.show_pdf(rendered.pdf, rendered.filename, f"SHA-256 {rendered.sha256[:12]}…")
        window.sig_ready.emit(rendered)

    def failed(exc: BaseException) -> None:
        known = isinstance(exc, ServiceError | DatabaseProblem)
        message = str(exc) if known else f"Could not render the report: {exc}"
        window.status.setText(message)
        window.sig_failed.emit(message)
        QMessageBox.warning(window, label, message)

    window.task = run_with_progress(window, f"Rendering the {label.lower()}", job, done, failed,
                                    pool=ctx.pool)  # fmt: skip
    return window


# --- the Reports page ----------------------------------------------------------------


class ReportsView(QWidget):
    """Kept reports, and a bar to produce one for a chosen review."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.windows: list[ReportWindow] = []
        self.review_box = QComboBox()
        self.review_box.setMinimumWidth(360)
        self.kind_box = QComboBox()
        self.kind_box.setMinimumWidth(200)
        self.produce = QPushButton("Produce report")
        self.approve_button = QPushButton("Approve and sign…")
        self.approve_button.setObjectName("approveButton")
        self.approve_dialog: ApproveDialog | None = None
        # id: (status, agency, label, content hash)
        self._reviews: dict[str, tuple[str, str, str, str]] = {}
        self.approval_label = QLabel("")
        self.approval_label.setObjectName("approvalStatus")
        self.approval_label.setStyleSheet("color: #1e6b3a; font-weight: bold")
        self.reason = QLabel("")
        self.reason.setStyleSheet("color: #6b7480")
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Review:"))
        bar.addWidget(self.review_box, 1)
        bar.addWidget(self.kind_box)
        bar.addWidget(self.produce)
        bar.addWidget(self.approve_button)
        self.model = ArtifactModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setAlternatingRowColors(True)
        self.open_button = QPushButton("Open")
        self.open_button.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.reason)
        layout.addWidget(self.approval_label)
        layout.addWidget(QLabel("Reports kept (newest first); double-click to open"))
        layout.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.open_button)
        layout.addLayout(bottom)

        self.review_box.currentIndexChanged.connect(self._on_review_changed)
        self.kind_box.currentIndexChanged.connect(self._on_kind_changed)
        self.produce.clicked.connect(self._on_produce)
        self.approve_button.clicked.connect(self.open_approve_dialog)
        self.table.doubleClicked.connect(lambda index: self.open_artifact(index.row()))
        self.open_button.clicked.connect(self._on_open_selected)
        self.table.selectionModel().selectionChanged.connect(
            lambda *_: self.open_button.setEnabled(self.table.selectionModel().hasSelection())
        )
        self.refresher = RefreshWhenShown(self, self.reload)
        ctx.sig_changed.connect(self._on_changed)
        self.reload()

    # --- data ----------------------------------------------------------------------

    def reload(self) -> None:
        self.model.set_rows(report_service.list_artifacts(self.ctx.db))
        self.table.resizeColumnsToContents()
        self._load_reviews()

    def _load_reviews(self) -> None:
        current = self.review_box.currentData()
        rows = review_rows(self.ctx.db)
        self.review_box.blockSignals(True)
        self.review_box.clear()
        self._reviews = {}
        for r in rows:
            rv = r.review
            when = rv.start_date or rv.planned_start or rv.due_date
            label = f"{r.agency_name} · {ReviewKind(rv.kind).label} · {when or ''}"
            self._reviews[rv.id] = (str(rv.status), r.agency_name, label, rv.content_hash or "")
            self.review_box.addItem(f"{label} ({rv.status.replace('_', ' ')})", rv.id)
        self.review_box.blockSignals(False)
        index = self.review_box.findData(current) if current else 0
        self.review_box.setCurrentIndex(max(index, 0))
        self._on_review_changed()

    def select_review(self, review_id: str) -> None:
        index = self.review_box.findData(review_id)
        if index >= 0:
            self.review_box.setCurrentIndex(index)

    def _on_review_changed(self, *_: object) -> None:
        review_id = self.review_box.currentData()
        self.kind_box.blockSignals(True)
        self.kind_box.clear()
        if review_id:
            try:
                available = report_service.available_reports(self.ctx.db, review_id)
            except ServiceError:
                available = []
            first_enabled = -1
            items = self.kind_box.model()
            assert isinstance(items, QStandardItemModel)  # a combo box's own model
            for kind, enabled, reason in available:
                self.kind_box.addItem(report_service.REPORT_LABELS[kind], (kind, enabled, reason))
                item = items.item(self.kind_box.count() - 1)
                if not enabled:
                    item.setEnabled(False)
                    item.setToolTip(reason)
                elif first_enabled < 0:
                    first_enabled = self.kind_box.count() - 1
            self.kind_box.setCurrentIndex(max(first_enabled, 0))
        self.kind_box.blockSignals(False)
        self._on_kind_changed()
        self._update_approval()

    def _on_kind_changed(self, *_: object) -> None:
        data = self.kind_box.currentData()
        enabled = bool(data and data[1])
        self.produce.setEnabled(enabled)
        self.reason.setText("" if enabled or not data else f"Not available: {data[2]}")

    # --- approval ------------------------------------------------------------------

    def approve_refusal(self, review_id: str | None) -> str | None:
        """Why the current person cannot approve this review now, or None."""
        if not review_id:
            return "choose a review"
        status, _, _, content_hash = self._reviews.get(review_id, ("", "", "", ""))
        if status != "final":
            return "only a final review is approved: finalize it first"
        row = approval.approval_of(self.ctx.db, review_id)
        if row is not None and row.content_hash == content_hash:
            return f"already approved at this content: {approval_text(row)}"
        return accounts.may(self.ctx.db, "approve", review_id)

    def _update_approval(self) -> None:
        review_id = self.review_box.currentData()
        why = self.approve_refusal(review_id)
        self.approve_button.setEnabled(why is None)
        self.approve_button.setToolTip(
            why or "Sign the final report with your certificate (a PKCS#12 file) and record "
            "the approval"
        )  # fmt: skip
        row = approval.approval_of(self.ctx.db, review_id) if review_id else None
        self.approval_label.setText(approval_text(row))
        self.approval_label.setVisible(row is not None)

    def open_approve_dialog(self) -> ApproveDialog | None:
        review_id = self.review_box.currentData()
        if self.approve_refusal(review_id) is not None:
            return None
        _, agency, label, _ = self._reviews[review_id]
        dialog = ApproveDialog(self.ctx, review_id, label, agency, self)
        dialog.finished.connect(lambda _r: self._update_approval())
        self.approve_dialog = dialog  # tests drive the open dialog through this
        dialog.open()
        return dialog

    def _on_changed(self, changes: Changes) -> None:
        # Hidden, the screen is only marked stale: it reloads when shown again.
        if changes.reports:
            self.refresher.request()

    # --- actions -------------------------------------------------------------------

    def selected_kind(self) -> ReportKind | None:
        data = self.kind_box.currentData()
        return data[0] if data and data[1] else None

    def _on_produce(self) -> None:
        kind, review_id = self.selected_kind(), self.review_box.currentData()
        if kind and review_id:
            self.windows.append(show_report(self.ctx, self, kind, review_id))

    def _on_open_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self.open_artifact(rows[0].row())

    def open_artifact(self, row: int) -> ReportWindow | None:
        """Show a kept report as stored (its bytes checked against the hash)."""
        item = self.model.artifact_at(row)
        if item is None:
            return None
        try:
            pdf = report_service.artifact_pdf(self.ctx.db, item.artifact)
        except ServiceError as exc:
            QMessageBox.warning(self, "Report", str(exc))
            return None
        window = ReportWindow(self.ctx, self, _label(item.artifact.kind))
        window.print_subject = ("report_artifact", item.artifact.id)
        window.show_pdf(pdf, item.artifact.filename, "kept copy, hash verified")
        window.show()
        self.windows.append(window)
        return window
