"""The checklist as a two-level tree model: sections, then their entries.

One model row per entry and nothing per row but data, so a 300-item form opens as
fast as a plain table. Answers arrive one at a time (`set_answer`) and only the
changed row and its section's progress cell are repainted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, overload

from ..qt import QAbstractItemModel, QBrush, QColor, QFont, QModelIndex, QObject, Qt, Signal
from .entries import Entry, FormLayout, Section

if TYPE_CHECKING:
    from typing import TypeAlias

    from PySide6.QtCore import QPersistentModelIndex

    AnyIndex: TypeAlias = QModelIndex | QPersistentModelIndex  # what Qt's virtuals take

KEY_ROLE = Qt.ItemDataRole.UserRole + 1  # the entry key (None on a section row)
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 2  # text the Ctrl+F filter matches

COLUMNS = ["Item", "Answer", "Note / files", "Findings"]
COL_ITEM, COL_ANSWER, COL_EXTRA, COL_FINDINGS = range(4)

_SECTION = 0  # internalId of a section row; an entry's is its section index + 1
_FAIL = QBrush(QColor("#b3261e"))
_MUTED = QBrush(QColor("#6b6b6b"))
_OK = QBrush(QColor("#1b6e3a"))
_VALUE_BRUSHES = {"na": _MUTED, "resolved": _OK}  # the answer's colour when not a failure
_DISPLAY, _TOOLTIP = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole
_FOREGROUND, _FONT = Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.FontRole
# No flags() here: QAbstractItemModel's own (enabled, selectable) is what every row has,
# and Qt asks for it twice per row laying out the tree and once per cell painted; from
# C++ that costs nothing, through Python a third of the layout and a tenth of a paint
# (bench/open_review.py).
# The roles data() answers; the view asks for about ten per visible cell on each paint.
_ROLES = frozenset({
    Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.ForegroundRole,
    Qt.ItemDataRole.FontRole, KEY_ROLE, SEARCH_ROLE,
})  # fmt: skip


@dataclass
class Answer:
    value: str | None = None
    note: str = ""
    rev: int = 0  # the stored row's revision (0: none yet); a note edit starts from it


class ChecklistModel(QAbstractItemModel):
    sig_progress = Signal(int, int)  # answered, total

    def __init__(self, parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self._sections: list[Section] = []
        self._where: dict[str, tuple[int, int]] = {}
        self._answers: dict[str, Answer] = {}
        self._files: dict[str, int] = {}
        self._findings: dict[str, list[int]] = {}
        self._cells: dict[str, dict[tuple[int, int], object]] = {}  # key -> data() answers
        # A form with conditional items or repeats: the sections follow the answers.
        self._layout: FormLayout | None = None
        self._bold = QFont()
        self._bold.setBold(True)

    # -- loading ------------------------------------------------------------

    def load(
        self, sections: list[Section], answers: dict[str, Answer], files: dict[str, int],
        findings: dict[str, list[int]], layout: FormLayout | None = None,
    ) -> None:  # fmt: skip
        """Show ``sections``; given a ``layout``, the sections it makes of the answers
        (and again whenever an answer changes them)."""
        self.beginResetModel()
        self._layout = layout
        if layout is not None:
            sections = layout.sections({k: a.value for k, a in answers.items()})
        self._sections = sections
        self._where = {
            e.key: (s, r) for s, sec in enumerate(sections) for r, e in enumerate(sec.entries)
        }
        self._answers = dict(answers)
        self._files = dict(files)
        self._findings = dict(findings)
        self._cells.clear()
        self.endResetModel()
        self._emit_progress()

    @property
    def sections(self) -> list[Section]:
        return self._sections

    def entries(self) -> list[Entry]:
        return [e for s in self._sections for e in s.entries]

    # -- incremental updates --------------------------------------------------

    def answer(self, key: str) -> Answer:
        return self._answers.get(key) or Answer()

    def values(self) -> dict[str, str | None]:
        """Every stored answer's value, shown or not (hidden items, instance orders)."""
        return {k: a.value for k, a in self._answers.items()}

    def set_answer(self, key: str, value: str | None, note: str, rev: int | None = None) -> None:
        structural = self._layout is not None and self._layout.affects(key)
        if key not in self._where and not structural:
            if self._layout is not None:  # a hidden item's answer: kept for when it shows
                self._answers[key] = Answer(value, note, 0 if rev is None else rev)
            return
        old = self._answers.get(key)
        rev = (old.rev if old else 0) if rev is None else rev
        if old is not None and (old.value, old.note, old.rev) == (value, note, rev):
            return
        self._answers[key] = Answer(value, note, rev)
        if old is not None and (old.value, old.note) == (value, note):
            return  # only the revision moved: nothing to repaint
        if structural and (old.value if old else None) != value:
            self._relayout()
        if key not in self._where:
            return
        self._row_changed(key)
        s, _ = self._where[key]
        section = self.index(s, COL_ANSWER)
        self.dataChanged.emit(section, section)
        self._emit_progress()

    def _relayout(self) -> None:
        """Show the sections the answers now make: rows come and go (a conditional item,
        an instance added, removed or moved) while the current row and the selection
        stay on their item (persistent indexes follow keys, not positions)."""
        assert self._layout is not None
        sections = self._layout.sections(self.values())
        shape = [(s.key, [e.key for e in s.entries]) for s in sections]
        if shape == [(s.key, [e.key for e in s.entries]) for s in self._sections]:
            self._sections = sections  # the same rows; a title may name its instance anew
            if sections:
                self.dataChanged.emit(self.index(0, 0), self.index(len(sections) - 1, 0))
            return
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        names = [self._row_name(i) for i in old]
        self._sections = sections
        self._where = {
            e.key: (s, r) for s, sec in enumerate(sections) for r, e in enumerate(sec.entries)
        }
        self._cells.clear()
        rows = {s.key: n for n, s in enumerate(sections)}
        new = []
        for index, name in zip(old, names, strict=True):
            if name is None:
                new.append(QModelIndex())
            elif name[0]:  # an entry
                new.append(self.index_of(name[1], index.column()))
            else:
                row = rows.get(name[1])
                new.append(QModelIndex() if row is None else self.index(row, index.column()))
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()
        self._emit_progress()

    def _row_name(self, index: QModelIndex) -> tuple[bool, str] | None:
        """(is an entry, its key or its section's key) of a row."""
        if not index.isValid():
            return None
        if index.internalId() == _SECTION:
            return False, self._sections[index.row()].key
        return True, self._sections[index.internalId() - 1].entries[index.row()].key

    def section_at(self, index: QModelIndex) -> Section | None:
        """The section of a section row or of an entry's row."""
        if not index.isValid():
            return None
        row = index.row() if index.internalId() == _SECTION else index.internalId() - 1
        return self._sections[row] if 0 <= row < len(self._sections) else None

    def set_files(self, files: dict[str, int]) -> None:
        changed = {k for k in set(files) | set(self._files) if files.get(k) != self._files.get(k)}
        self._files = dict(files)
        for key in changed:
            self._row_changed(key)

    def set_findings(self, findings: dict[str, list[int]]) -> None:
        changed = {
            k
            for k in set(findings) | set(self._findings)
            if findings.get(k) != self._findings.get(k)
        }
        self._findings = dict(findings)
        for key in changed:
            self._row_changed(key)

    def _row_changed(self, key: str) -> None:
        self._cells.pop(key, None)
        if key in self._where:
            left = self.index_of(key)
            self.dataChanged.emit(left, left.siblingAtColumn(len(COLUMNS) - 1))

    def progress(self, section: int | None = None) -> tuple[int, int]:
        sections = self._sections if section is None else [self._sections[section]]
        entries = [e for s in sections for e in s.entries]
        done = sum(1 for e in entries if self.answer(e.key).value not in (None, ""))
        return done, len(entries)

    def _emit_progress(self) -> None:
        self.sig_progress.emit(*self.progress())

    # -- lookup ---------------------------------------------------------------

    def index_of(self, key: str, column: int = 0) -> QModelIndex:
        where = self._where.get(key)
        if where is None:
            return QModelIndex()
        s, r = where
        return self.createIndex(r, column, s + 1)

    def entry(self, index: QModelIndex) -> Entry | None:
        if not index.isValid() or index.internalId() == _SECTION:
            return None
        return self._sections[index.internalId() - 1].entries[index.row()]

    # -- QAbstractItemModel -----------------------------------------------------

    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if column < 0 or column >= len(COLUMNS) or row < 0:
            return QModelIndex()
        if not parent.isValid():
            if row >= len(self._sections):
                return QModelIndex()
            return self.createIndex(row, column, _SECTION)
        if parent.internalId() != _SECTION or row >= len(self._sections[parent.row()].entries):
            return QModelIndex()
        return self.createIndex(row, column, parent.row() + 1)

    @overload
    def parent(self) -> QObject | None: ...
    @overload
    def parent(self, child: AnyIndex) -> QModelIndex: ...
    def parent(self, child: AnyIndex | None = None) -> QModelIndex | QObject | None:
        """The model's QObject parent, or (given an index) the index's parent row."""
        if child is None:
            return super().parent()
        index = child
        if not index.isValid() or index.internalId() == _SECTION:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, _SECTION)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        if not parent.isValid():
            return len(self._sections)
        if parent.internalId() == _SECTION and parent.column() == 0:
            return len(self._sections[parent.row()].entries)
        return 0

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return len(COLUMNS)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: ANN001, N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role not in _ROLES or not index.isValid():
            return None
        if index.internalId() == _SECTION:
            return self._section_data(index.row(), index.column(), role)
        entry = self._sections[index.internalId() - 1].entries[index.row()]
        cells = self._cells.get(entry.key) or self._make_cells(entry)
        return cells.get((role, index.column()))

    def multiData(self, index: AnyIndex, roleDataSpan) -> None:  # noqa: ANN001, N802, N803
        """The roles a delegate asks for one cell (seven per paint), in one call instead of
        seven calls of data(); the same answers."""
        if not index.isValid():
            return
        column = index.column()
        if index.internalId() == _SECTION:
            for role_data in roleDataSpan:
                role = role_data.role()
                role_data.setData(self._section_data(index.row(), column, role)
                                  if role in _ROLES else None)  # fmt: skip
            return
        entry = self._sections[index.internalId() - 1].entries[index.row()]
        cells = self._cells.get(entry.key) or self._make_cells(entry)
        for role_data in roleDataSpan:
            role_data.setData(cells.get((role_data.role(), column)))

    def _make_cells(self, entry: Entry) -> dict[tuple[int, int], object]:
        """Every (role, column) an entry's row answers, worked out once and kept until
        the row changes (_row_changed): a paint asks for ~10 roles per visible cell."""
        answer = self.answer(entry.key)
        failed = entry.is_failure(answer.value)
        search = f"{entry.prompt} {entry.help} {entry.citation} {entry.key}"
        cells: dict[tuple[int, int], object] = {}
        for col in range(len(COLUMNS)):
            cells[(KEY_ROLE, col)] = entry.key
            cells[(SEARCH_ROLE, col)] = search
        cells[(_DISPLAY, COL_ITEM)] = cells[(_TOOLTIP, COL_ITEM)] = entry.prompt
        cells[(_DISPLAY, COL_ANSWER)] = entry.label(answer.value)
        cells[(_DISPLAY, COL_EXTRA)] = self._extra_text(entry.key, answer)
        cells[(_DISPLAY, COL_FINDINGS)] = ", ".join(
            f"F-{n}" for n in self._findings.get(entry.key, [])
        )
        if answer.note:
            cells[(_TOOLTIP, COL_EXTRA)] = answer.note
        cells[(_FOREGROUND, COL_ANSWER)] = (
            _FAIL if failed else _VALUE_BRUSHES.get(answer.value or "")
        )
        if failed:
            cells[(_FONT, COL_ANSWER)] = self._bold
        self._cells[entry.key] = cells
        return cells

    def _extra_text(self, key: str, answer: Answer) -> str:
        parts = ["note"] if answer.note.strip() else []
        n = self._files.get(key, 0)
        if n:
            parts.append(f"{n} file{'s' if n > 1 else ''}")
        return ", ".join(parts)

    def _section_data(self, row: int, col: int, role: int):  # noqa: ANN202
        section = self._sections[row]
        if role == Qt.ItemDataRole.DisplayRole:
            if col == COL_ITEM:
                return section.title
            if col == COL_ANSWER:
                done, total = self.progress(row)
                return f"{done} / {total}"
        elif role == SEARCH_ROLE:
            return ""  # sections show when one of their entries matches
        elif role == Qt.ItemDataRole.FontRole:
            return self._bold
        elif role == Qt.ItemDataRole.ForegroundRole and col == COL_ANSWER:
            done, total = self.progress(row)
            return _OK if done == total else None
        return None
