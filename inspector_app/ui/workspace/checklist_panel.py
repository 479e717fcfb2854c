"""The checklist view: answered by keyboard, filtered by Ctrl+F, with progress.

Keys on an item: 1..n pick the n-th answer (1 yes, 2 no, 3 not applicable; in a
focus review 1 resolved, 2 unresolved), 0 or Delete clears it, Enter goes to the
note, Tab / Shift+Tab and the arrows move between items. After an answer the
cursor moves on to the next item, so a checklist is answered with one hand.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..qt import (
    QAbstractItemModel,
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTreeView,
    QVBoxLayout,
    QWidget,
    Signal,
)
from .checklist_model import (
    COL_ANSWER,
    COL_EXTRA,
    COL_FINDINGS,
    COL_ITEM,
    KEY_ROLE,
    SEARCH_ROLE,
    ChecklistModel,
)
from .entries import Entry

if TYPE_CHECKING:
    from .checklist_model import AnyIndex

_DIGITS = {getattr(Qt.Key, f"Key_{n}"): n for n in range(10)}


_TO_FIELD = (Qt.Key.Key_Tab, Qt.Key.Key_Return, Qt.Key.Key_Enter)
_TYPING = (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier)


def digit_refusal(entry: Entry, n: int) -> str:
    """Why digit n answers nothing on this entry (for the status bar)."""
    if entry.values is None:
        return "This item is answered with photos or documents: Attach files… (Ctrl+Shift+A)"
    keys = ", ".join(f"{i} {entry.label(v)}" for i, v in enumerate(entry.values, start=1))
    if n == 3 and "na" not in entry.values:
        return f"This item has no N/A answer ({keys})"
    return f"This item has no answer {n} ({keys})"


class ChecklistView(QTreeView):
    sig_answer = Signal(str, object)  # key, value (None clears)
    sig_note_requested = Signal(str)
    # a key for the answer field of an item answered in a field (key, text typed or "")
    sig_field_requested = Signal(str, str)
    sig_message = Signal(str)  # a one-line explanation for the status bar
    sig_current = Signal(object)  # the current entry key, or None on a section row

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setUniformRowHeights(True)  # lets Qt skip measuring 300 rows
        self.setAlternatingRowColors(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)
        self.setAllColumnsShowFocus(True)
        self.setWordWrap(False)

    # -- helpers ----------------------------------------------------------------

    def source(self) -> ChecklistModel:
        model = self.model()
        if isinstance(model, QSortFilterProxyModel):
            model = model.sourceModel()
        assert isinstance(model, ChecklistModel), "the view shows a ChecklistModel (or its filter)"
        return model

    def to_view(self, source_index: QModelIndex) -> QModelIndex:
        """The view's index of a model index (the view shows the filter only while filtering)."""
        model = self.model()
        if isinstance(model, QSortFilterProxyModel):
            return model.mapFromSource(source_index)
        return source_index

    def current_key(self) -> str | None:
        return self.currentIndex().data(KEY_ROLE) if self.currentIndex().isValid() else None

    def current_entry(self) -> Entry | None:
        key = self.current_key()
        if key is None:
            return None
        return self.source().entry(self.source().index_of(key))

    def select_key(self, key: str) -> bool:
        index = self.to_view(self.source().index_of(key))
        if not index.isValid():
            return False
        self.setCurrentIndex(index)
        self.scrollTo(index)
        return True

    def move_entry(self, step: int, *, scroll: bool = True) -> None:
        """Move to the next (step=1) or previous (step=-1) item, skipping section rows.

        Walks from the current row to its neighbours only: a walk over every row would
        cost a few ms per keystroke on a 300-item form."""
        model = self.model()
        sections = model.rowCount()
        current = self.currentIndex().siblingAtColumn(0)
        # (section, row) of the current position; row -1 is the section's title
        if current.isValid():
            parent = current.parent()
            s, r = (parent.row(), current.row()) if parent.isValid() else (current.row(), -1)
        elif step > 0:
            s, r = 0, -1
        else:
            s = sections - 1
            r = model.rowCount(model.index(s, 0))
        while 0 <= s < sections:
            parent = model.index(s, 0)
            r += step
            if 0 <= r < model.rowCount(parent):
                target = model.index(r, 0, parent)
                self.setCurrentIndex(target)
                if scroll:
                    self.scrollTo(target)
                return
            s += step
            r = -1 if step > 0 else model.rowCount(model.index(s, 0))

    # -- events -----------------------------------------------------------------

    def reset(self) -> None:
        """Sections open after a model reset and after setModel (which both call this)."""
        super().reset()
        # expand() on a view waiting for its layout only records the section, so the rows
        # are laid out once, at the first paint; expandAll() would lay out all 300 now.
        model = self.model()
        if model is not None:
            for row in range(model.rowCount()):
                self.expand(model.index(row, 0))

    def keyPressEvent(self, event) -> None:  # noqa: ANN001, N802
        key = event.key()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        entry = self.current_entry()
        if entry is not None and entry.takes_field and self._is_field_key(event):
            # a number, a date, a text or an officer: the keys go into the item's field
            self.sig_field_requested.emit(entry.key, "" if key in _TO_FIELD else event.text())
            event.accept()
            return
        if mods == Qt.KeyboardModifier.NoModifier and key in _DIGITS and entry is not None:
            self._on_digit(entry, _DIGITS[key])
            event.accept()
            return
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and entry is not None:
            self.sig_answer.emit(entry.key, None)
            event.accept()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and entry is not None:
            self.sig_note_requested.emit(entry.key)
            event.accept()
            return
        if key == Qt.Key.Key_Tab:
            self.move_entry(1)
            event.accept()
            return
        if key == Qt.Key.Key_Backtab:
            self.move_entry(-1)
            event.accept()
            return
        super().keyPressEvent(event)

    @staticmethod
    def _is_field_key(event) -> bool:  # noqa: ANN001
        if event.key() in _TO_FIELD:
            return True
        text = event.text()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        return bool(text) and text.isprintable() and mods in _TYPING

    def _on_digit(self, entry: Entry, n: int) -> None:
        if n == 0:
            self.sig_answer.emit(entry.key, None)
            return
        if entry.values is None or n > len(entry.values):
            self.sig_message.emit(digit_refusal(entry, n))
            return
        old, new = self.source().answer(entry.key).value, entry.values[n - 1]
        self.sig_answer.emit(entry.key, new)
        if old is not None and old != new and self.source().answer(entry.key).value == new:
            self.sig_message.emit(f"Answer changed from {entry.label(old)} to "
                                  f"{entry.label(new)} (Ctrl+Z undoes)")  # fmt: skip
        self.move_entry(1)

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: A002, N802
        return False  # Tab moves between items, not out of the checklist

    def currentChanged(self, current: AnyIndex, previous: AnyIndex) -> None:  # noqa: N802
        super().currentChanged(current, previous)
        self.sig_current.emit(current.data(KEY_ROLE) if current.isValid() else None)


class _Filter(QSortFilterProxyModel):
    def __init__(self, parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.setRecursiveFilteringEnabled(True)  # a section stays when one of its items matches
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterRole(SEARCH_ROLE)
        self.setFilterKeyColumn(COL_ITEM)


class ChecklistPanel(QWidget):
    """Search field, overall progress and the checklist view."""

    def __init__(self, model: ChecklistModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.proxy = _Filter(self)
        self.proxy.setSourceModel(model)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Filter items (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setObjectName("checklist_search")
        self.progress = QLabel(self)
        self.progress.setObjectName("checklist_progress")
        self.view = ChecklistView(self)
        # The view shows the model itself and the filter only while there is something to
        # filter by: through the proxy, laying out and painting 300 rows costs twice the calls
        # into Python (each index mapped), a good part of opening a review.
        self.view.setModel(model)
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(COL_ITEM, QHeaderView.ResizeMode.Stretch)
        for col, width in ((COL_ANSWER, 110), (COL_EXTRA, 90), (COL_FINDINGS, 70)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(col, width)

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.progress)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)

        self.search.textChanged.connect(self._on_search)
        self.search.returnPressed.connect(self._on_search_done)
        model.sig_progress.connect(self._on_progress)
        self._on_progress(*model.progress())

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _on_search(self, text: str) -> None:
        key = self.view.current_key()
        text = text.strip()
        self.proxy.setFilterFixedString(text)
        self._show_model(self.proxy if text else self.model)
        self.view.expandAll()
        if key is None or not self.view.select_key(key):
            self.view.move_entry(1)

    def _show_model(self, model: QAbstractItemModel) -> None:
        if self.view.model() is model:
            return
        old = self.view.selectionModel()
        self.view.setModel(model)  # the header keeps its sections' widths and modes
        old.deleteLater()  # setModel made a new one; the old one is not deleted by Qt

    def _on_search_done(self) -> None:
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def keyPressEvent(self, event) -> None:  # noqa: ANN001, N802
        if event.key() == Qt.Key.Key_Escape and self.search.hasFocus():
            self.search.clear()
            self.view.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        super().keyPressEvent(event)

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setText(f"{done} / {total} answered")
