"""One agency: its agreements, designated officers with training status, past reviews.

Everything here is small (one agency), so it loads on the GUI thread in a few
queries. Lapsed training is shown in the cell itself (with the reason), not only by
colour, so it reads the same in any theme and to a screen reader.
"""

from __future__ import annotations

from html import escape
from typing import Any

from inspector_app.services.agency_views import AgencyDetails, OfficerRow, load_agency
from inspector_app.services.records import Removed, undo_remove
from inspector_app.store.changes import Changes

from .formatting import DUE_COLOURS, DUE_LABELS, fmt_date, today_of
from .qt import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QModelIndex,
    QPushButton,
    Qt,
    QTableView,
    QVBoxLayout,
    QWidget,
    Signal,
)
from .refresh import RefreshWhenShown
from .reviews_view import REVIEW_COLUMNS
from .widgets import Column, RowsModel

LAPSED_COLOUR = "#f6d5d5"
INACTIVE_COLOUR = "#e4e4e4"


__all__ = ["AgencyPage", "load_agency"]


def officer_colour(row: OfficerRow) -> str | None:
    """Grey for an officer without authority, red for lapsed training."""
    if not row.active:
        return INACTIVE_COLOUR
    return None if row.compliant else LAPSED_COLOUR


AGREEMENT_COLUMNS = [
    Column("Model", lambda r: r.model, width=70),
    Column("MOA number", lambda r: r.moa_number, width=170),
    Column("Signed", lambda r: fmt_date(r.signed_on), width=100),
    Column("Status", lambda r: r.status.capitalize(), width=90),
    Column(
        "Next review due",
        lambda r: (
            f"{fmt_date(r.next_due)} ({DUE_LABELS[r.due_state]})"
            if r.next_due and DUE_LABELS.get(r.due_state)
            else fmt_date(r.next_due)
        ),
        background=lambda r: DUE_COLOURS.get(r.due_state),
    ),  # fmt: skip
]

OFFICER_COLUMNS = [
    Column("Officer", lambda r: r.name, width=200),
    Column("Model", lambda r: r.model, width=60),
    Column("Credential", lambda r: r.credential, width=100),
    Column(
        "Authority",
        lambda r: r.status_text,
        background=officer_colour,
        tooltip=lambda r: r.status_text,
        width=300,
    ),  # fmt: skip
    Column(
        "Training",
        lambda r: r.training,
        background=officer_colour,
        tooltip=lambda r: r.training,
    ),  # fmt: skip
]


def _table(parent: QWidget, model: RowsModel) -> QTableView:
    table = QTableView(parent)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(26)
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    for i, col in enumerate(model.columns):
        if col.width:
            table.setColumnWidth(i, col.width)
    return table


class AgencyPage(QWidget):
    """The page of one agency (`show_agency(id)`); reloads when its data changes."""

    sig_back = Signal()

    def __init__(self, ctx: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.agency_id: str | None = None
        self.details: AgencyDetails | None = None

        self.back_button = QPushButton("← All agencies", self)
        self.back_button.setObjectName("linkButton")
        self.back_button.clicked.connect(self.sig_back)
        self.title = QLabel(self)
        self.title.setObjectName("pageTitle")
        self.subtitle = QLabel(self)
        self.subtitle.setObjectName("pageSubtitle")
        self.subtitle.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.new_review_button = QPushButton("New review…", self)
        self.new_review_button.clicked.connect(self.new_review)
        # Records of this agency (issue 13): add, remove the selected one, undo.
        self.record_buttons: dict[str, QPushButton] = {}
        for kind, text in (("agreement", "Add agreement…"), ("officer", "Add officer…"),
                           ("training_record", "Add training…")):  # fmt: skip
            button = QPushButton(text, self)
            button.setObjectName(f"add_{kind}")
            button.clicked.connect(lambda _=False, k=kind: self.add_record(k))
            self.record_buttons[kind] = button
        self.remove_button = QPushButton("Remove selected…", self)
        self.remove_button.setToolTip("Remove the selected officer or agreement")
        self.remove_button.clicked.connect(self.remove_selected)
        self.undo_button = QPushButton("Undo remove", self)
        self.undo_button.hide()
        self.undo_button.clicked.connect(self.undo_remove)
        self.removed: Removed | None = None

        self.agreements = RowsModel(AGREEMENT_COLUMNS, self)
        self.officers = RowsModel(OFFICER_COLUMNS, self)
        self.reviews = RowsModel(REVIEW_COLUMNS[2:], self)  # agency and state are this page
        self.agreements_table = _table(self, self.agreements)
        self.officers_table = _table(self, self.officers)
        self.reviews_table = _table(self, self.reviews)
        self.reviews_table.doubleClicked.connect(self._on_review_activated)
        self.reviews_table.activated.connect(self._on_review_activated)

        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addStretch(1)
        for button in (*self.record_buttons.values(), self.remove_button, self.undo_button):
            top.addWidget(button)
        top.addWidget(self.new_review_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addLayout(top)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        self.officers_box = self._box("Designated officers", self.officers_table)
        officers_layout = self.officers_box.layout()
        assert isinstance(officers_layout, QVBoxLayout)  # as _box made it
        # the lapsed officers in words above the table (the rows are also highlighted)
        self.lapsed_label = QLabel(self.officers_box)
        self.lapsed_label.setObjectName("lapsed_officers")
        self.lapsed_label.setWordWrap(True)
        self.lapsed_label.setTextFormat(Qt.TextFormat.RichText)
        self.lapsed_label.setStyleSheet(f"QLabel {{ background: {LAPSED_COLOUR}; padding: 4px; }}")
        self.lapsed_label.hide()
        officers_layout.insertWidget(0, self.lapsed_label)
        self.reviews_box = self._box("Reviews", self.reviews_table)
        self.agreements_box = self._box("Agreements", self.agreements_table)
        layout.addWidget(self.agreements_box, 2)
        layout.addWidget(self.officers_box, 5)
        layout.addWidget(self.reviews_box, 3)
        self.refresher = RefreshWhenShown(self, self.reload)
        ctx.sig_changed.connect(self._on_changed)

    def _box(self, title: str, table: QTableView) -> QGroupBox:
        box = QGroupBox(title, self)
        inner = QVBoxLayout(box)
        inner.setContentsMargins(6, 6, 6, 6)
        inner.addWidget(table)
        return box

    def show_agency(self, agency_id: str) -> None:
        self.agency_id = agency_id
        self.reload()

    def reload(self) -> None:
        if not self.agency_id:
            return
        details = load_agency(self.ctx.db, self.agency_id, today_of(self.ctx))
        self.details = details
        if details is None:
            self.title.setText("This agency no longer exists")
            self.subtitle.clear()
            for model in (self.agreements, self.officers, self.reviews):
                model.set_rows([])
            self.lapsed_label.hide()
            return
        a = details.agency
        self.title.setText(a.name)
        parts = [f"{a.county} County, {a.state}" if a.county else a.state]
        if details.field_office:
            parts.append(f"{details.field_office.name} field office")
        if a.contact_name:
            parts.append(a.contact_name)
        if a.contact_email:
            parts.append(a.contact_email)
        self.subtitle.setText("  ·  ".join(parts))
        self.agreements.set_rows(details.agreements)
        self.officers.set_rows(details.officers)
        self.reviews.set_rows(details.reviews)
        lapsed = [o for o in details.officers if o.lapsed]
        self.officers_box.setTitle(
            f"Designated officers ({len(details.officers)}"
            + (f", {len(lapsed)} with lapsed training)" if lapsed else ")")
        )
        self.lapsed_label.setText(
            "<b>Training lapsed:</b> "
            + ", ".join(f"{escape(o.name)} ({escape('; '.join(o.reasons))})" for o in lapsed)
        )
        self.lapsed_label.setVisible(bool(lapsed))
        self.reviews_box.setTitle(f"Reviews ({len(details.reviews)})")

    def _on_changed(self, changes: Changes) -> None:
        # Hidden, the page is only marked stale: it reloads when shown again.
        if self.agency_id and changes.agencies:
            self.refresher.request()

    def new_review(self) -> None:
        from .workspace import NewReviewDialog  # here: the workspace imports this module's peers

        dialog = NewReviewDialog(self.ctx, self, agency_id=self.agency_id)
        if dialog.exec() and getattr(dialog, "created_review_id", None):
            self.ctx.sig_open_review.emit(dialog.created_review_id)

    def add_record(self, kind: str) -> Any:
        from .record_dialogs import new_record_dialog

        context: dict[str, Any] = {"agency_id": self.agency_id}
        officer = self._selected(self.officers_table, self.officers)
        if kind == "training_record" and officer is not None:
            context["officer_id"] = officer.id
        return new_record_dialog(self.ctx, self, kind, **context)

    def _selected(self, table: QTableView, model: RowsModel) -> Any:
        rows = table.selectionModel().selectedRows() if table.selectionModel() else []
        return model.row_at(rows[0]) if rows else None

    def remove_selected(self) -> None:
        """Remove the officer selected (with their training records), else the agreement."""
        from .record_dialogs import remove_dialog

        officer = self._selected(self.officers_table, self.officers)
        agreement = self._selected(self.agreements_table, self.agreements)
        if officer is not None:
            removed = remove_dialog(self.ctx, self, "officer", officer.id, officer.name)
        elif agreement is not None:
            label = f"{agreement.model} {agreement.moa_number}".strip()
            removed = remove_dialog(self.ctx, self, "agreement", agreement.id, label)
        else:
            self.ctx.sig_status.emit("Select an officer or an agreement to remove")
            return
        if removed is not None:
            self.removed = removed
            self.undo_button.setText(f"Undo remove ({removed.label})")
            self.undo_button.show()

    def undo_remove(self) -> None:
        if self.removed is not None:
            undo_remove(self.ctx.db, self.removed)
            self.removed = None
        self.undo_button.hide()

    def _on_review_activated(self, index: QModelIndex) -> None:
        row = self.reviews.row_at(index)
        if row is not None:
            self.ctx.sig_open_review.emit(row.review.id)
