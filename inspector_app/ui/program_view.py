"""The Program view: the fiscal-year summary, the performance measures and charts.

Choose a fiscal year and a program model; the figures come from the same functions as
`inspector-app summary` / `measures` and the annual report (services.program_reports
.program_data, run off the GUI thread). Double-click a number to see the reviews or
findings behind it in the Details tab; double-click a row there to open its review.
"Export table…" saves the table on screen as CSV or Excel.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from inspector_app.analytics.summary import detail
from inspector_app.domain.calendar import fiscal_year
from inspector_app.services import program_reports
from inspector_app.services.program_reports import ProgramData

from .context import AppContext
from .due_view import today_of
from .errors import error_text
from .qt import (
    QAbstractItemView,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QColor,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QModelIndex,
    QPainter,
    QPushButton,
    QSpinBox,
    QStandardItem,
    QStandardItemModel,
    Qt,
    QTableView,
    QTabWidget,
    QTimer,
    QValueAxis,
    QVBoxLayout,
    QWidget,
    Signal,
)
from .tasks import Task, run_with_progress

KEY_ROLE = Qt.ItemDataRole.UserRole + 1  # a summary figure's dotted key (drill-down)
REVIEW_ROLE = Qt.ItemDataRole.UserRole + 2  # the review a detail row belongs to
MODELS = [("All programs", None), ("JEM", "JEM"), ("WSO", "WSO")]


class Tabs:
    SUMMARY, MEASURES, CHARTS, DETAILS = range(4)


def _table(parent: QWidget) -> QTableView:
    view = QTableView(parent)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    view.setSortingEnabled(False)
    return view


def _item(value: Any, key: str | None = None) -> QStandardItem:
    text = "" if value is None or (isinstance(value, float) and value != value) else str(value)
    item = QStandardItem(text)
    item.setEditable(False)
    if isinstance(value, int | float) and not isinstance(value, bool):
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if key:
        item.setData(key, KEY_ROLE)
        item.setToolTip("Double-click to see the reviews or findings behind this number")
        item.setForeground(QColor("#1F3A5F"))
    return item


def model_frame(model: QStandardItemModel) -> pd.DataFrame:
    """A table model's contents as a DataFrame (what "Export table…" writes)."""
    cols = [
        str(model.headerData(c, Qt.Orientation.Horizontal) or "")
        for c in range(model.columnCount())
    ]
    rows = [[model.item(r, c).text() if model.item(r, c) else "" for c in range(model.columnCount())]
            for r in range(model.rowCount())]  # fmt: skip
    df = pd.DataFrame(rows, columns=cols)
    for c in df.columns:  # numbers back as numbers, so a spreadsheet can sum them
        converted = pd.to_numeric(df[c], errors="coerce")
        if len(df) and converted.notna().all():
            df[c] = converted
    return df


class ProgramView(QWidget):
    sig_loaded = Signal()  # the figures on screen are current
    sig_failed = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.data: ProgramData | None = None
        self.task: Task | None = None
        self._dirty = True  # counted when first shown, not while the main window is built
        self._build()
        ctx.sig_changed.connect(self._on_db_changed)
        self._reload_timer = QTimer(self, singleShot=True, interval=300)
        self._reload_timer.timeout.connect(self.reload)

    # --- layout ------------------------------------------------------------------

    def _build(self) -> None:
        self.fy_box = QSpinBox(self)
        self.fy_box.setRange(1990, 2100)
        self.fy_box.setPrefix("FY")
        self.fy_box.setValue(fiscal_year(today_of(self.ctx)))
        self.model_box = QComboBox(self)
        for label, value in MODELS:
            self.model_box.addItem(label, value)
        self.export_button = QPushButton("Export table…", self)
        self.export_button.clicked.connect(self._on_export)
        self.status = QLabel("", self)
        self.status.setObjectName("programStatus")
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Fiscal year:", self))
        bar.addWidget(self.fy_box)
        bar.addWidget(QLabel("Program:", self))
        bar.addWidget(self.model_box)
        bar.addWidget(self.status, 1)
        bar.addWidget(self.export_button)
        self.fy_box.valueChanged.connect(lambda _v: self._reload_timer.start())
        self.model_box.currentIndexChanged.connect(lambda _i: self._reload_timer.start())

        self.tabs = QTabWidget(self)
        self.summary_table = _table(self)
        self.summary_model = QStandardItemModel(self)
        self.summary_table.setModel(self.summary_model)
        self.topic_table = _table(self)
        self.topic_model = QStandardItemModel(self)
        self.topic_table.setModel(self.topic_model)
        self.topic_table.horizontalHeader().setStretchLastSection(False)
        summary_page = QWidget(self)
        lay = QHBoxLayout(summary_page)
        lay.addWidget(self.summary_table, 2)
        lay.addWidget(self.topic_table, 3)
        self.measures_table = _table(self)
        self.measures_model = QStandardItemModel(self)
        self.measures_table.setModel(self.measures_model)
        self.trend_chart = QChartView(self)
        self.trend_chart.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.topic_chart = QChartView(self)
        self.topic_chart.setRenderHint(QPainter.RenderHint.Antialiasing)
        charts = QWidget(self)
        clay = QVBoxLayout(charts)
        clay.addWidget(self.trend_chart)
        clay.addWidget(self.topic_chart)
        self.detail_title = QLabel("Double-click a number on the Summary tab to list what is "
                                   "behind it.", self)  # fmt: skip
        self.detail_table = _table(self)
        self.detail_table.setSortingEnabled(True)
        self.detail_model = QStandardItemModel(self)
        self.detail_table.setModel(self.detail_model)
        details = QWidget(self)
        dlay = QVBoxLayout(details)
        dlay.addWidget(self.detail_title)
        dlay.addWidget(self.detail_table)
        self.tabs.addTab(summary_page, "Summary")
        self.tabs.addTab(self.measures_table, "Measures")
        self.tabs.addTab(charts, "Charts")
        self.tabs.addTab(details, "Details")

        for view in (self.summary_table, self.topic_table):
            view.doubleClicked.connect(self._on_drill)
        # Which of the two Summary tables "Export table…" saves: the one last clicked.
        self._summary_source = "summary"
        self.summary_table.pressed.connect(lambda _i: setattr(self, "_summary_source", "summary"))
        self.topic_table.pressed.connect(lambda _i: setattr(self, "_summary_source", "topics"))
        self.detail_table.doubleClicked.connect(self._on_open_review)

        root = QVBoxLayout(self)
        root.addLayout(bar)
        root.addWidget(self.tabs)

    # --- loading -------------------------------------------------------------------

    @property
    def fiscal_year(self) -> int:
        return self.fy_box.value()

    @property
    def model(self) -> str | None:
        return self.model_box.currentData()

    def reload(self) -> None:
        fy, model = self.fiscal_year, self.model
        self._dirty = False
        self.status.setText(f"Counting FY{fy}…")
        db = self.ctx.db
        self.task = run_with_progress(
            self, f"Program figures FY{fy}",
            lambda report: program_reports.program_data(db, fy, model, report),
            self._show, self._on_error, pool=self.ctx.pool,
        )  # fmt: skip

    def shutdown(self) -> None:
        """Stop a count in progress before the window closes the database."""
        self._reload_timer.stop()
        if self.task is not None:
            self.task.cancel()
            self.task.done.wait(5)

    def _on_error(self, exc: BaseException) -> None:
        self.status.setText(f"Could not count: {exc}")
        self.sig_failed.emit(str(exc))

    def _on_db_changed(self, _changes: object) -> None:
        if self.isVisible():
            self._reload_timer.start()
        else:
            self._dirty = True

    def showEvent(self, event) -> None:  # noqa: ANN001, N802 (Qt's name)
        super().showEvent(event)
        if self._dirty:
            self._reload_timer.start()

    def _show(self, data: ProgramData) -> None:
        if (data.fiscal_year, data.model) != (self.fiscal_year, self.model):
            return  # the user moved on while it was counting; a newer load is on its way
        self.data = data
        self._fill_summary(data.summary)
        self._fill_topics(data.summary)
        self._fill_measures(data.measures)
        self._fill_charts(data)
        s = data.summary
        self.status.setText(f"FY{data.fiscal_year}{' ' + data.model if data.model else ''}: "
                            f"{s['inspections']} inspections, {s['deficiencies']} deficiencies, "
                            f"{s['areas_of_concern']} areas of concern")  # fmt: skip
        self.sig_loaded.emit()

    def _fill_summary(self, s: dict[str, Any]) -> None:
        fu = s["follow_up"]
        rows = [
            ("Inspections", s["inspections"], "inspections"),
            ("Agencies inspected", s["agencies_inspected"], "agencies_inspected"),
            ("Agencies with findings", s["agencies_with_findings"], "agencies_with_findings"),
            ("Deficiencies", s["deficiencies"], "deficiencies"),
            ("Areas of concern", s["areas_of_concern"], "areas_of_concern"),
            ("Best practices", s["best_practices"], "best_practices"),
            ("Agencies requiring follow-up", s["agencies_requiring_follow_up"],
             "agencies_requiring_follow_up"),
            ("Deficiencies by the LEA", s["by_responsible"]["lea"]["deficiencies"],
             "by_responsible.lea.deficiencies"),
            ("Deficiencies by ICE", s["by_responsible"]["ice"]["deficiencies"],
             "by_responsible.ice.deficiencies"),
            ("Areas of concern by the LEA", s["by_responsible"]["lea"]["areas_of_concern"],
             "by_responsible.lea.areas_of_concern"),
            ("Areas of concern by ICE", s["by_responsible"]["ice"]["areas_of_concern"],
             "by_responsible.ice.areas_of_concern"),
            ("Follow-up required (inspections)", fu["required"], "follow_up.required"),
            ("Focus reviews conducted", fu["conducted"], "follow_up.conducted"),
            ("Deficiencies reviewed at follow-up", fu["deficiencies_reviewed"],
             "follow_up.deficiencies_reviewed"),
            ("Deficiencies resolved", fu["deficiencies_resolved"], "follow_up.deficiencies_resolved"),
            ("Areas of concern reviewed at follow-up", fu["areas_of_concern_reviewed"],
             "follow_up.areas_of_concern_reviewed"),
            ("Areas of concern resolved", fu["areas_of_concern_resolved"],
             "follow_up.areas_of_concern_resolved"),
        ]  # fmt: skip
        m = self.summary_model
        m.clear()
        m.setHorizontalHeaderLabels(["Figure", "Count"])
        for label, value, key in rows:
            m.appendRow([_item(label), _item(value, key)])

    def _fill_topics(self, s: dict[str, Any]) -> None:
        titles = self.data.topic_titles if self.data else {}
        m = self.topic_model
        m.clear()
        m.setHorizontalHeaderLabels(["Topic", "Deficiencies", "Areas of concern"])
        self.topic_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for code, n in s["deficiencies_by_topic"].items():
            a = s["areas_of_concern_by_topic"].get(code, 0)
            title = _item(titles.get(code, code))
            title.setToolTip(code)
            m.appendRow([title, _item(n, f"deficiencies_by_topic.{code}"),
                         _item(a, f"areas_of_concern_by_topic.{code}")])  # fmt: skip

    def _fill_measures(self, data: dict[str, Any]) -> None:
        m = self.measures_model
        m.clear()
        m.setHorizontalHeaderLabels(["Measure", "Value", "Numerator", "Denominator",
                                     "Numerator counts", "Denominator counts"])  # fmt: skip
        for x in data["measures"]:
            value = "n/a" if x["value"] is None else f"{x['value']:.0%}"
            m.appendRow([_item(x["name"]), _item(value), _item(x["numerator"]),
                         _item(x["denominator"]), _item(x["numerator_label"]),
                         _item(x["denominator_label"])])  # fmt: skip
        for t in data["top_topics"]:
            fy = data["fiscal_year"]
            m.appendRow([_item(f"Top topic {t['rank']}: {t['topic']}"), _item(t["count"]),
                         _item(""), _item(""),
                         _item(f"{t['count']} deficiencies and areas of concern in FY{fy}, "
                               f"{t['previous']} in FY{fy - 1} ({t['change']:+d})"),
                         _item("")])  # fmt: skip

    def _fill_charts(self, data: ProgramData) -> None:
        t = data.trend
        years = [f"FY{y}" for y in t["Fiscal year"]]
        self.trend_chart.setChart(_bar_chart(
            "Agencies inspected and agencies with findings", years,
            [("Agencies inspected", t["Agencies inspected"].tolist(), "#1F3A5F"),
             ("Agencies with findings", t["Agencies with findings"].tolist(), "#B26A00")]))  # fmt: skip
        s = data.summary
        codes = [c for c in s["deficiencies_by_topic"]
                 if s["deficiencies_by_topic"][c] or s["areas_of_concern_by_topic"].get(c, 0)]  # fmt: skip
        self.topic_chart.setChart(_bar_chart(
            f"Findings by topic, FY{data.fiscal_year}", codes,
            [("Deficiencies", [s["deficiencies_by_topic"][c] for c in codes], "#B3261E"),
             ("Areas of concern", [s["areas_of_concern_by_topic"].get(c, 0) for c in codes],
              "#B26A00")]))  # fmt: skip

    # --- drill-down, open, export ----------------------------------------------------

    def drill_down(self, key: str) -> pd.DataFrame:
        """Show the reviews or findings behind the figure `key` in the Details tab."""
        assert self.data is not None
        rows = detail(self.data.frames, self.data.fiscal_year, self.data.model, key)
        review_col = "id" if "id" in rows.columns else "review_id"
        shown = rows.drop(columns=[review_col])
        m = self.detail_model
        m.clear()
        m.setHorizontalHeaderLabels([c.replace("_", " ").capitalize() for c in shown.columns])
        for rec, review_id in zip(shown.to_dict("records"), rows[review_col], strict=True):
            items = [_item(v.isoformat() if hasattr(v, "isoformat") else v) for v in rec.values()]
            for it in items:
                it.setData(review_id, REVIEW_ROLE)
            m.appendRow(items)
        self.detail_title.setText(f"{len(rows)} row(s) behind “{key}”, FY{self.data.fiscal_year}"
                                  f"{' ' + self.data.model if self.data.model else ''}. "
                                  "Double-click a row to open its review.")  # fmt: skip
        self.tabs.setCurrentIndex(Tabs.DETAILS)
        return rows

    def _on_drill(self, index: QModelIndex) -> None:
        key = index.data(KEY_ROLE)
        if key and self.data is not None:
            self.drill_down(key)

    def _on_open_review(self, index: QModelIndex) -> None:
        review_id = index.data(REVIEW_ROLE)
        if review_id:
            self.ctx.sig_open_review.emit(review_id)

    def current_table(self) -> tuple[QStandardItemModel, str]:
        page = self.tabs.currentIndex()
        if page == Tabs.SUMMARY:
            if self._summary_source == "topics":
                return self.topic_model, "Topics"
            return self.summary_model, "Summary"
        if page == Tabs.MEASURES:
            return self.measures_model, "Measures"
        if page == Tabs.DETAILS:
            return self.detail_model, "Details"
        return self.summary_model, "Summary"

    def export_to(self, path: str) -> None:
        model, title = self.current_table()
        program_reports.export_table(model_frame(model), path, f"{title} FY{self.fiscal_year}")
        self.ctx.sig_status.emit(f"Table saved to {path}")

    def _on_export(self) -> None:
        _model, title = self.current_table()
        suggested = f"{title.lower()}-fy{self.fiscal_year}.xlsx"
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export table", suggested, "Excel workbook (*.xlsx);;CSV, UTF-8 (*.csv)"
        )
        if not path:
            return
        if not path.lower().endswith((".xlsx", ".csv")):
            path += ".csv" if "csv" in chosen.lower() else ".xlsx"
        try:
            self.export_to(path)
        except Exception as exc:  # noqa: BLE001  (a bug is logged; either way one line)
            QMessageBox.warning(self, "Export table", error_text(exc, "export table"))


def _bar_chart(title: str, categories: list[str],
               series: list[tuple[str, list[int], str]]) -> QChart:  # fmt: skip
    chart = QChart()
    chart.setTitle(title)
    bars = QBarSeries()
    top = 1
    for name, values, colour in series:
        s = QBarSet(name)
        s.append([float(v) for v in values])
        s.setColor(QColor(colour))
        bars.append(s)
        top = max([top, *values])
    chart.addSeries(bars)
    x = QBarCategoryAxis()
    x.append(categories)
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    bars.attachAxis(x)
    y = QValueAxis()
    step = _nice_step(int(top))
    ceiling = step * (int(top) // step + 1)  # whole-number ticks with room above the bars
    y.setRange(0, ceiling)
    y.setTickCount(ceiling // step + 1)
    y.setLabelFormat("%d")
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    bars.attachAxis(y)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    return chart


def _nice_step(top: int, ticks: int = 5) -> int:
    """1, 2 or 5 times a power of ten: about `ticks` whole-number gridlines up to `top`."""
    raw = max(top / ticks, 1)
    power = 1
    while power * 10 <= raw:
        power *= 10
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
