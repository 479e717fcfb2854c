"""Conflicts: what sync set aside when two laptops changed the same thing.

The table lists the open conflicts (services.sync.open_conflicts); below it, the
selected one's two values side by side: what the row shows now ("On the server") and
what the other laptop sent. "Keep server's" / "Keep theirs" resolve it
(resolve_conflict, an ordinary change that syncs like any other). A conflict on a
final review cannot take their value: the review must be amended first.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from inspector_app.services.sync import ConflictRow, open_conflicts, resolve_conflict
from inspector_app.store.changes import Changes
from inspector_app.store.database import Database

from .conflict_text import (
    EXPLANATIONS,
    FINAL_NOTE,
    field_label,
    readable,
    reason_label,
    when_text,
)
from .errors import error_text
from .qt import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QModelIndex,
    QPushButton,
    QSplitter,
    Qt,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from .widgets import Column, ListPage

EMPTY_TEXT = (
    "No conflicts. When two laptops change the same thing, both values are kept here "
    "until someone chooses."
)
SERVER_TITLE = "On the server (shown now)"

CONFLICT_COLUMNS = [
    Column("What", lambda r: r.what, tooltip=lambda r: r.what, width=330),
    Column("Field", lambda r: field_label(r.field, r.table), width=150),
    Column(
        "Reason",
        lambda r: reason_label(r.reason),
        tooltip=lambda r: EXPLANATIONS.get(r.reason, ""),
        width=190,
    ),
    Column("Other person", lambda r: r.client_user, width=170),
    Column("When", lambda r: when_text(r.created_at), sort=lambda r: r.created_at.timestamp()),
]


def client_title(row: ConflictRow) -> str:
    who = row.client_user or "the other"
    return f"From {who}'s laptop" if row.client_user else f"From {who} laptop"


def server_text(row: ConflictRow) -> str:
    if row.field == "*" and row.server_value is None:
        return "Unchanged: the row stays as it is now."
    return readable(row.server_value, row.table, "" if row.field == "*" else row.field)


class _ValuePane(QFrame):
    """A heading over one side's value, wrapped and selectable."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(title, self)
        self.title.setObjectName("conflictSideTitle")
        self.title.setStyleSheet("font-weight: bold")
        self.text = QTextBrowser(self)
        self.text.setOpenLinks(False)
        self.text.setLineWrapMode(QTextBrowser.LineWrapMode.WidgetWidth)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.text, 1)

    def show_value(self, title: str, text: str) -> None:
        self.title.setText(title)
        self.text.setPlainText(text)


class ConflictsView(ListPage):
    """Open sync conflicts and the choice between the two values."""

    search_placeholder = "Search what, field, person"
    default_sort = (4, Qt.SortOrder.DescendingOrder)  # newest first

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.detail = QWidget(self)
        self.heading = QLabel(self.detail)
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setStyleSheet("font-weight: bold")
        self.explanation = QLabel(self.detail)
        self.explanation.setWordWrap(True)
        self.explanation.setStyleSheet("color: #4a5360")
        self.server_side = _ValuePane(SERVER_TITLE, self.detail)
        self.client_side = _ValuePane("From their laptop", self.detail)
        sides = QHBoxLayout()
        sides.setSpacing(12)
        sides.addWidget(self.server_side, 1)
        sides.addWidget(self.client_side, 1)
        self.note = QLabel(self.detail)
        self.note.setWordWrap(True)
        self.keep_server = QPushButton("Keep server's", self.detail)
        self.keep_server.setToolTip("The row keeps what it shows now; their value is dropped")
        self.keep_client = QPushButton("Keep theirs", self.detail)
        self.keep_client.setToolTip("The row takes their value")
        self.keep_server.clicked.connect(lambda: self.resolve("server"))
        self.keep_client.clicked.connect(lambda: self.resolve("client"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.note, 1)
        buttons.addWidget(self.keep_server)
        buttons.addWidget(self.keep_client)
        detail_layout = QVBoxLayout(self.detail)
        detail_layout.setContentsMargins(0, 6, 0, 0)
        detail_layout.addWidget(self.heading)
        detail_layout.addWidget(self.explanation)
        detail_layout.addLayout(sides, 1)
        detail_layout.addLayout(buttons)

        # The table and the detail share the page's space: the table moves into a splitter.
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setChildrenCollapsible(False)
        page_layout = self.layout()
        assert isinstance(page_layout, QVBoxLayout)  # ListPage's
        page_layout.removeWidget(self.table)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 2)
        self.empty = QLabel(EMPTY_TEXT, self)
        self.empty.setObjectName("emptyState")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("color: #4a5360; font-size: 11pt; padding: 40px")
        page_layout.addWidget(self.splitter, 1)
        page_layout.addWidget(self.empty, 1)
        self.table.selectionModel().currentRowChanged.connect(self._on_current)
        self.sig_loaded.connect(self._after_load)
        self.current: ConflictRow | None = None
        self.refusal: tuple[str, str] | None = None  # (conflict id, the one line shown)
        self._show_conflict(None)
        self._update_empty()

    # --- ListPage hooks ---
    def title(self) -> str:
        return "Conflicts"

    def columns(self) -> list[Column]:
        return CONFLICT_COLUMNS

    def load(self, db: Database, today: date) -> list[ConflictRow]:
        return open_conflicts(db)

    def haystack(self, row: ConflictRow) -> str:
        return " ".join((row.what, field_label(row.field, row.table), reason_label(row.reason),
                         row.client_user))  # fmt: skip

    def affected_by(self, changes: Changes) -> bool:
        """A new or resolved conflict, or a change to a row a conflict shows."""
        tables = {"sync_conflict"} | {r.table for r in self.model.rows}
        return changes.touches(frozenset(tables))

    # --- behaviour ---
    def _after_load(self) -> None:
        if self.selected_row() is None and self.proxy.rowCount():
            self.table.setCurrentIndex(self.proxy.index(0, 0))
        self._update_empty()
        self._show_conflict(self.selected_row())

    def _update_empty(self) -> None:
        has_rows = self.model.rowCount() > 0
        self.splitter.setVisible(has_rows)
        self.search.setVisible(has_rows)
        self.count_label.setVisible(has_rows)
        self.empty.setVisible(not has_rows)

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_conflict(self.model.row_at(self.proxy.mapToSource(current)))

    def _show_conflict(self, row: ConflictRow | None) -> None:
        self.current = row
        self.detail.setEnabled(row is not None)
        if row is None or (self.refusal is not None and self.refusal[0] != row.id):
            self.refusal = None  # a refusal shows with its own conflict only
        if row is None:
            self.heading.setText("Select a conflict to see both values.")
            self.explanation.clear()
            self.server_side.show_value(SERVER_TITLE, "")
            self.client_side.show_value("From their laptop", "")
            self.note.clear()
            self.keep_server.setEnabled(False)
            self.keep_client.setEnabled(False)
            return
        self.heading.setText(f"{row.what} — {field_label(row.field, row.table)}")
        self.explanation.setText(EXPLANATIONS.get(row.reason, ""))
        self.server_side.show_value(SERVER_TITLE, server_text(row))
        field = "" if row.field == "*" else row.field
        self.client_side.show_value(client_title(row),
                                    readable(row.client_value, row.table, field))  # fmt: skip
        final = row.reason == "final"
        self.keep_server.setEnabled(True)
        self.keep_client.setEnabled(not final)
        self.keep_client.setToolTip(FINAL_NOTE if final else "The row takes their value")
        self._set_note()

    def _set_note(self) -> None:
        if self.refusal is not None:
            self.note.setStyleSheet("color: #a61b1b")
            self.note.setText(self.refusal[1])
        else:
            final = self.current is not None and self.current.reason == "final"
            self.note.setStyleSheet("color: #4a5360")
            self.note.setText(FINAL_NOTE if final else "")

    def resolve(self, keep: Literal["server", "client"]) -> bool:
        """Resolve the shown conflict; a refusal (StaleEdit, final review...) is one line."""
        row = self.current
        if row is None:
            return False
        try:
            resolve_conflict(self.ctx.db, row.id, keep, base_rev=row.rev)
        except Exception as exc:  # noqa: BLE001  (error_text tells a bug from a refusal)
            text = error_text(exc, "resolve conflict")
            self.refusal = (row.id, text)
            self._set_note()
            self.ctx.sig_status.emit(text)
            self.reload()  # a stale row: show what is there now
            return False
        if keep == "server":
            which = "the server's value"
        else:
            which = f"{row.client_user}'s value" if row.client_user else "their value"
        self.ctx.sig_status.emit(f"Conflict resolved: {row.what} keeps {which}")
        return True
