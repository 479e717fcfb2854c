"""The Due screen: what is due, due soon, overdue or waiting, for every LEA, on one page.

Four tabs over services.schedule.due_items(): reviews due per active agreement, WSO
request forms, focus reviews and corrective actions. Each is a table model behind a
sort proxy (sorted by due date to start with). Double-click opens the review (or the
agency, for an agreement).

It recomputes only on a change that can move a due date or state (Changes.schedule:
agreements, reviews, findings, corrective actions, request forms, the FY plan; never
answers, notes, photos or interviews), and only while on screen: hidden, it is marked
stale and recomputes once when shown again (ui/refresh.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from inspector_app.domain.calendar import fiscal_year
from inspector_app.services import schedule
from inspector_app.services.schedule import Category, DueItem
from inspector_app.store.changes import Changes

from .context import AppContext
from .errors import error_text
from .formatting import fmt_date, today_of
from .qt import (
    QAbstractItemView,
    QAbstractTableModel,
    QBrush,
    QColor,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QModelIndex,
    QPersistentModelIndex,
    QPushButton,
    QSortFilterProxyModel,
    Qt,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from .refresh import RefreshWhenShown

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ITEM_ROLE = Qt.ItemDataRole.UserRole

STATE_LABELS = {
    "ok": "Due", "due_soon": "Due soon", "overdue": "Overdue", "draft": "Not sent",
    "sent": "Sent", "complete": "Complete", "done_on_time": "Done on time",
    "done_late": "Done late",
}  # fmt: skip
STATE_COLOURS = {
    "overdue": "#f6c9c4", "due_soon": "#fcefc7", "done_late": "#f3dcc2",
    "done_on_time": "#d6ecd2", "complete": "#d6ecd2", "draft": "#e4e4e4",
}  # fmt: skip


_d = fmt_date


@dataclass(frozen=True)
class Col:
    title: str
    text: Callable[[DueItem], Any]
    sort: Callable[[DueItem], Any] | None = None
    width: int = 110


def _state(i: DueItem) -> str:
    return STATE_LABELS.get(i.state, i.state)


def _date_key(day: date | None) -> str:
    return day.isoformat() if day else "9999-12-31"


_AGENCY = Col("Agency", lambda i: f"{i.agency_name} ({i.agency_state})", width=280)
_DUE = Col("Due", lambda i: _d(i.due), lambda i: _date_key(i.due))
_STATE = Col("State", _state, lambda i: list(STATE_LABELS).index(i.state)
             if i.state in STATE_LABELS else 99)  # fmt: skip

COLUMNS: dict[str, list[Col]] = {
    Category.AGREEMENT: [
        _AGENCY, Col("Model", lambda i: i.model),
        Col("Last review ended", lambda i: _d(i.last_review_end) or "never",
            lambda i: _date_key(i.last_review_end), 130),
        _DUE, _STATE,
        Col("Planned", lambda i: _d(i.scheduled), lambda i: _date_key(i.scheduled)),
    ],
    Category.REQUEST_FORM: [
        _AGENCY, Col("Point of contact", lambda i: i.owner, width=150), _DUE, _STATE,
        Col("Sent / received", lambda i: i.detail, width=300),
        Col("Visit", lambda i: _d(i.scheduled), lambda i: _date_key(i.scheduled)),
    ],
    Category.FOCUS_REVIEW: [
        _AGENCY, Col("Review", lambda i: i.title, width=200), _DUE, _STATE,
        Col("Status", lambda i: i.detail),
    ],
    Category.CORRECTIVE_ACTION: [
        _AGENCY, Col("Action", lambda i: i.title, width=320),
        Col("Finding", lambda i: i.detail, width=220),
        Col("Owner", lambda i: "ICE field office" if i.owner == "ice" else "LEA"),
        _DUE, _STATE,
        Col("Completed", lambda i: _d(i.completed_on), lambda i: _date_key(i.completed_on)),
    ],
}  # fmt: skip

TAB_TITLES = {
    Category.AGREEMENT: "Reviews due",
    Category.REQUEST_FORM: "Request forms",
    Category.FOCUS_REVIEW: "Focus reviews",
    Category.CORRECTIVE_ACTION: "Corrective actions",
}


class DueTableModel(QAbstractTableModel):
    def __init__(self, columns: list[Col], parent: Any = None):
        super().__init__(parent)
        self.columns = columns
        self.items: list[DueItem] = []

    def set_items(self, items: list[DueItem]) -> None:
        self.beginResetModel()
        self.items = list(items)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].title
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        item, col = self.items[index.row()], self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return str(col.text(item))
        if role == SORT_ROLE:
            return (col.sort or col.text)(item)
        if role == ITEM_ROLE:
            return item
        if role == Qt.ItemDataRole.BackgroundRole and col is _STATE:
            colour = STATE_COLOURS.get(item.state)
            return QBrush(QColor(colour)) if colour else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return item.detail or None
        return None


class DueTable(QWidget):
    def __init__(self, category: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.category = category
        self.model = DueTableModel(COLUMNS[category], self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        for n, col in enumerate(COLUMNS[category]):
            # never narrower than the title (bold, with room for the sort arrow)
            self.table.setColumnWidth(n, max(col.width, header.sectionSizeHint(n)))
        due_col = next(n for n, c in enumerate(COLUMNS[category]) if c is _DUE)
        self.table.sortByColumn(due_col, Qt.SortOrder.AscendingOrder)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)

    def item_at(self, row: int) -> DueItem:
        return self.proxy.index(row, 0).data(ITEM_ROLE)


class DueView(QWidget):
    """One screen with what is due (see the module docstring)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.summary = QLabel(self)
        self.summary.setObjectName("dueSummary")
        self.plan_button = QPushButton("Fiscal-year plan…", self)
        self.plan_button.clicked.connect(self._on_plan)
        self.tabs = QTabWidget(self)
        self.tables: dict[str, DueTable] = {}
        for category, title in TAB_TITLES.items():
            table = DueTable(category, self)
            table.table.doubleClicked.connect(lambda idx, t=table: self._on_open(t, idx))
            self.tables[category] = table
            self.tabs.addTab(table, title)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.plan_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs)
        self.refresher = RefreshWhenShown(self, self.refresh)
        ctx.sig_changed.connect(self._on_changed)
        self.items: list[DueItem] = []
        self.refresh()

    def _on_changed(self, changes: Changes) -> None:
        if changes.schedule:
            self.refresher.request()

    def refresh(self) -> None:
        try:
            self.items = schedule.due_items(self.ctx.db, today_of(self.ctx))
        except Exception as exc:  # noqa: BLE001  (a bug is logged; either way one line)
            self.summary.setText(f"Could not load what is due: {error_text(exc, 'due')}")
            return
        for category, table in self.tables.items():
            table.model.set_items([i for i in self.items if i.category == category])
        for n, category in enumerate(TAB_TITLES):
            rows = [i for i in self.items if i.category == category]
            late = sum(1 for i in rows if i.state == "overdue")
            suffix = f" ({late} overdue)" if late else ""
            self.tabs.setTabText(n, f"{TAB_TITLES[category]} {len(rows)}{suffix}")
        overdue = sum(1 for i in self.items if i.state == "overdue")
        soon = sum(1 for i in self.items if i.state == "due_soon")
        waiting = sum(1 for i in self.items if i.state in ("sent", "draft"))
        self.summary.setText(
            f"As of {today_of(self.ctx).isoformat()}: {overdue} overdue, {soon} due within "
            f"90 days, {waiting} request form(s) waiting for documents"
        )

    def _on_open(self, table: DueTable, index: QModelIndex) -> None:
        item = table.item_at(index.row())
        if item.category == Category.AGREEMENT or not item.review_id:
            self.ctx.sig_open_agency.emit(item.agency_id)
        else:
            self.ctx.sig_open_review.emit(item.review_id)

    def _on_plan(self) -> None:
        from .fy_plan_dialog import fy_plan_dialog

        fy_plan_dialog(self.ctx, self, fiscal_year(today_of(self.ctx)) + 1)
