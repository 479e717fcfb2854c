"""The shared list pieces: `Column`, `RowsModel` (a read-only table over plain rows),
`RowsProxy` (search and filters) and `ListPage` (a searchable table whose rows load in
a worker). The agencies, reviews and findings lists and the agency page use them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from inspector_app.store.changes import Changes
from inspector_app.store.database import Database

from .errors import error_text
from .formatting import today_of
from .qt import (
    QAbstractItemModel,
    QAbstractItemView,
    QAbstractTableModel,
    QBrush,
    QColor,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTableView,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
    Slot,
)
from .tasks import Task

ALL = "All"


@dataclass(frozen=True)
class Column:
    title: str
    text: Callable[[Any], Any]
    sort: Callable[[Any], Any] | None = None  # defaults to the text
    tooltip: Callable[[Any], str] | None = None
    background: Callable[[Any], str | None] | None = None
    numeric: bool = False
    width: int | None = None


class RowsModel(QAbstractTableModel):
    """A read-only table over a list of plain row objects, one Column per column."""

    def __init__(self, columns: Sequence[Column], parent: QWidget | None = None):
        super().__init__(parent)
        self.columns = list(columns)
        self.rows: list[Any] = []
        self.sort_column, self.sort_order = -1, Qt.SortOrder.AscendingOrder
        self._brushes: dict[str, QBrush] = {}

    def set_rows(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self.rows = self._sorted(list(rows))
        self.endResetModel()

    def _sorted(self, rows: list[Any]) -> list[Any]:
        """Rows in the current sort order; empty values last in either direction."""
        if not 0 <= self.sort_column < len(self.columns):
            return rows
        col = self.columns[self.sort_column]
        key = col.sort or col.text
        keyed = [(_comparable(key(r)), r) for r in rows]
        filled = [kr for kr in keyed if kr[0][0] != 2]
        filled.sort(key=lambda kr: kr[0], reverse=self.sort_order == Qt.SortOrder.DescendingOrder)
        return [r for _k, r in filled] + [r for k, r in keyed if k[0] == 2]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort with Python's sort (one key per row), keeping selections on their rows."""
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        held = [self.rows[i.row()] for i in persistent]
        self.sort_column, self.sort_order = column, order
        self.rows = self._sorted(self.rows)
        where = {id(r): n for n, r in enumerate(self.rows)}
        self.changePersistentIndexList(
            persistent,
            [self.index(where[id(r)], i.column()) for r, i in zip(held, persistent, strict=True)],
        )
        self.layoutChanged.emit()

    def row_at(self, index: QModelIndex) -> Any:
        return self.rows[index.row()] if index.isValid() else None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].title
        return None

    def _brush(self, colour: str) -> QBrush:
        if colour not in self._brushes:
            self._brushes[colour] = QBrush(QColor(colour))
        return self._brushes[colour]

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        col, row = self.columns[index.column()], self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            value = col.text(row)
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.ToolTipRole and col.tooltip:
            return col.tooltip(row) or None
        if role == Qt.ItemDataRole.BackgroundRole and col.background:
            colour = col.background(row)
            return self._brush(colour) if colour else None
        if role == Qt.ItemDataRole.ForegroundRole and col.background and col.background(row):
            return self._brush("#1f1f1f")  # keep text dark on a tinted cell in any theme
        if role == Qt.ItemDataRole.TextAlignmentRole and col.numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def _comparable(value: Any) -> tuple[int, Any]:
    """None sorts last; numbers as numbers, everything else as folded text."""
    if value is None or value == "":
        return (2, "")
    if isinstance(value, int | float):
        return (0, value)
    if isinstance(value, date):
        return (0, value.toordinal())
    return (1, str(value).casefold())


class RowsProxy(QSortFilterProxyModel):
    """Search text plus the page's filters; sorting is left to the source model.

    Python calls per row are what cost time here, so the filter widgets are read
    once per change (`predicate_factory`) and each row's search text once per load.
    """

    _source: RowsModel  # the source model, read per row without a call into Qt

    def __init__(self, haystack: Callable[[Any], str], parent: QWidget | None = None):
        super().__init__(parent)
        self._haystack = haystack
        self._needles: list[str] = []
        self.predicate_factory: Callable[[], Callable[[Any], bool] | None] = lambda: None
        self._predicate: Callable[[Any], bool] | None = None
        self._texts: dict[int, str] = {}  # id(row) -> folded search text

    def setSourceModel(self, model: QAbstractItemModel) -> None:  # noqa: N802
        assert isinstance(model, RowsModel)  # the proxy reads the rows of a RowsModel
        self._source = model  # before super(): setting the source already filters
        super().setSourceModel(model)
        model.modelAboutToBeReset.connect(self._texts.clear)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sourceModel().sort(column, order)  # the proxy keeps the source's order

    def set_search(self, text: str) -> None:
        self.beginFilterChange()
        self._needles = text.casefold().split()
        self.endFilterChange()

    def refilter(self) -> None:
        self.beginFilterChange()
        self._predicate = self.predicate_factory()
        self.endFilterChange()

    def filterAcceptsRow(  # noqa: N802
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        row = self._source.rows[source_row]
        if self._predicate is not None and not self._predicate(row):
            return False
        if not self._needles:
            return True
        text = self._texts.get(id(row))
        if text is None:
            text = self._texts[id(row)] = self._haystack(row).casefold()
        return all(n in text for n in self._needles)


class ListPage(QWidget):
    """A searchable, filterable table whose rows load in the background.

    Subclasses give `columns()`, `load(db, today)` (runs in a worker thread),
    `haystack(row)` for the search and `row_filter()`, which reads the filter widgets
    once and returns a predicate over rows (or None when nothing is filtered).
    """

    sig_loaded = Signal()
    sig_activated = Signal(object)  # the row object the user opened
    search_placeholder = "Search"
    default_sort: tuple[int, Qt.SortOrder] = (0, Qt.SortOrder.AscendingOrder)

    def __init__(self, ctx: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = RowsModel(self.columns(), self)
        self.proxy = RowsProxy(self.haystack, self)
        self.proxy.setSourceModel(self.model)
        self.proxy.predicate_factory = self.row_filter
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.search_placeholder + "  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(220)
        self.search.textChanged.connect(self._on_search)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("countLabel")
        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(*self.default_sort)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for i, col in enumerate(self.model.columns):
            if col.width:
                self.table.setColumnWidth(i, col.width)
        self.table.doubleClicked.connect(self._on_activated)
        self.table.activated.connect(self._on_activated)  # Enter on a row
        self.proxy.rowsInserted.connect(self._update_count)
        self.proxy.rowsRemoved.connect(self._update_count)
        self.proxy.modelReset.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)

        self.filter_bar = QHBoxLayout()
        self.filter_bar.setSpacing(8)
        self.filter_bar.addWidget(self.search, 3)
        self.build_filters(self.filter_bar)
        self.filter_bar.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        title = QLabel(self.title(), self)
        title.setObjectName("pageTitle")
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        self.build_actions(top)
        layout.addLayout(top)
        layout.addLayout(self.filter_bar)
        layout.addWidget(self.table, 1)

        self._task: Task | None = None
        self._reload_again = False
        self._dirty = True
        self.loaded_once = False
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(150)
        self._debounce.timeout.connect(self.reload)
        ctx.sig_changed.connect(self._on_changed)
        self.reload()

    # --- subclass hooks ---
    def title(self) -> str:
        return ""

    def columns(self) -> list[Column]:
        raise NotImplementedError

    def load(self, db: Database, today: date) -> list[Any]:
        raise NotImplementedError

    def haystack(self, row: Any) -> str:
        return ""

    def row_filter(self) -> Callable[[Any], bool] | None:
        return None

    def build_filters(self, bar: QHBoxLayout) -> None:
        pass

    def build_actions(self, bar: QHBoxLayout) -> None:
        pass

    def row_id(self, row: Any) -> str:
        return getattr(row, "id", "")

    # --- behaviour ---
    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def visible_rows(self) -> list[Any]:
        return [
            self.model.rows[self.proxy.mapToSource(self.proxy.index(r, 0)).row()]
            for r in range(self.proxy.rowCount())
        ]

    def selected_row(self) -> Any:
        index = self.table.currentIndex()
        return self.model.row_at(self.proxy.mapToSource(index)) if index.isValid() else None

    def add_combo(self, bar: QHBoxLayout, label: str, items: list[str]) -> QComboBox:
        combo = QComboBox(self)
        combo.setAccessibleName(label)
        combo.setToolTip(label)
        combo.addItems(items)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        combo.setMaximumWidth(240)  # long topic titles must not squeeze the search box
        combo.currentIndexChanged.connect(self.proxy.refilter)
        bar.addWidget(QLabel(label + ":", self))
        bar.addWidget(combo)
        return combo

    @staticmethod
    def fill_combo(combo: QComboBox, values: list[str]) -> None:
        """Replace the choices, keeping the current one if it still exists."""
        current = combo.currentText()
        combo.blockSignals(True)
        combo.clear()
        combo.addItems([ALL, *values])
        combo.setCurrentIndex(max(0, combo.findText(current)))
        combo.blockSignals(False)

    def reload(self) -> None:
        """Load the rows in a worker; a change arriving meanwhile reloads once more."""
        if self._task is not None and not self._task.done.is_set():
            self._reload_again = True
            return
        self._dirty = False
        db, today = self.ctx.db, today_of(self.ctx)
        task = Task(lambda _report: self.load(db, today))
        task.signals.finished.connect(self._on_loaded)
        task.signals.failed.connect(self._on_failed)
        self._task = task.start(self.ctx.pool)

    def wait_idle(self, timeout_s: float = 5.0) -> None:
        """Block until a running load is done (before the database is closed)."""
        if self._task is not None:
            self._task.done.wait(timeout_s)

    @Slot(object)
    def _on_loaded(self, rows: list[Any]) -> None:
        selected = self.selected_row()
        selected_id = self.row_id(selected) if selected is not None else None
        self.model.set_rows(rows)
        self.rows_loaded(rows)
        self.proxy.refilter()
        if selected_id:
            self.select_id(selected_id)
        self.loaded_once = True
        self._update_count()
        self.sig_loaded.emit()
        if self._reload_again:
            self._reload_again = False
            self._debounce.start()

    def rows_loaded(self, rows: list[Any]) -> None:
        """Refresh filter choices from the new rows."""

    @Slot(object)
    def _on_failed(self, exc: BaseException) -> None:
        self.count_label.setText(f"Could not load: {error_text(exc)}")
        self.sig_loaded.emit()

    def select_id(self, row_id: str) -> bool:
        for r in range(self.proxy.rowCount()):
            index = self.proxy.index(r, 0)
            if self.row_id(self.model.row_at(self.proxy.mapToSource(index))) == row_id:
                self.table.setCurrentIndex(index)
                self.table.scrollTo(index)
                return True
        return False

    def _on_search(self, text: str) -> None:
        self.proxy.set_search(text)

    def _update_count(self, *_args: Any) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count_label.setText(f"{shown} of {total}" if shown != total else f"{total}")

    def affected_by(self, changes: Changes) -> bool:
        """Could the rows change? Lists show no answers, so answering never reloads them."""
        return not changes.only_answers

    def _on_changed(self, changes: Changes) -> None:
        if not self.affected_by(changes):
            return
        if self.isVisible():
            self._debounce.start()
        else:
            self._dirty = True

    def showEvent(self, event: Any) -> None:  # noqa: N802
        super().showEvent(event)
        if self._dirty:
            self._debounce.start()

    def _on_activated(self, index: QModelIndex) -> None:
        row = self.model.row_at(self.proxy.mapToSource(index))
        if row is not None:
            self.sig_activated.emit(row)
            self.open_row(row)

    def open_row(self, row: Any) -> None:
        pass
