"""The current item: its prompt, help text and MOA clause, the answer, a note,
attachments and "Raise finding".

The note is autosaved 600 ms after the last keystroke, and at once when the note
loses focus, when another item is chosen and when the workspace shuts down, so
nothing typed is lost by closing the window.

A note is saved from the revision of the item's row it was loaded from. If someone
else saved the row since (another window or instance), the save is refused: the text
stays in the note (or, after moving to another item, in the bar), the bar says who
changed it and when, shows their note and offers "Keep mine" or "Load theirs".
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from inspector_app.domain.enums import AnswerType
from inspector_app.services.errors import ServiceError, StaleEdit

from ..qt import (
    QCalendarWidget,
    QDate,
    QEvent,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QLayout,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPoint,
    QPushButton,
    QRect,
    QScrollArea,
    QSize,
    Qt,
    QTimer,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
    Signal,
)
from ..stale_edit import StaleEditBar
from ..tasks import Task, run_with_progress
from .attachments_view import AttachmentList
from .entries import Entry
from .targets import Target

if TYPE_CHECKING:
    from PySide6.QtWidgets import QLayoutItem

NOTE_DEBOUNCE_MS = 600
_ANSWER_STYLE = (
    "QPushButton { padding: 4px 12px; }"
    # not bold when checked: the button is sized for its plain caption, bold would be cut off
    "QPushButton:checked { background: #1b4f8a; color: white; border: 1px solid #123a66;"
    " border-radius: 3px; }"
)


class FlowLayout(QLayout):
    """Widgets left to right, wrapping to the next row when the width runs out, so long
    answer captions ("3  Not understood") are never cut off and never scroll sideways."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self.setContentsMargins(0, 0, 0, 0)
        self.setSpacing(spacing)

    def addItem(self, item) -> None:  # noqa: ANN001, N802
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int):  # noqa: ANN201, N802
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int):  # noqa: ANN201, N802
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802
        return self.minimumSize()

    def minimumSize(self) -> QSize:  # noqa: N802
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        """Place the items in rows within rect's width; return the height used."""
        x, y, row_height, gap = rect.x(), rect.y(), 0, self.spacing()
        for item in self._items:
            if item.isEmpty():
                continue
            hint = item.sizeHint()
            if x > rect.x() and x + hint.width() > rect.right() + 1:
                x, y, row_height = rect.x(), y + row_height + gap, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + gap
            row_height = max(row_height, hint.height())
        return y + row_height - rect.y()


def wire_keys(view, detail: ItemDetail, status: Callable[[str], None]) -> None:  # noqa: ANN001
    """The keyboard between a checklist view and its item detail: keys typed in the list
    for an item answered in a field go into the field, the field's Enter and arrows move
    the list on, and both explain refused keys in the status bar."""
    detail.list_view = view
    view.sig_field_requested.connect(lambda _key, text: detail.focus_answer(text))
    view.sig_message.connect(status)
    detail.sig_message.connect(status)
    detail.sig_move.connect(view.move_entry)


def show_following_keys(detail: ItemDetail, entry: Entry | None, where: str) -> None:
    """Show another item; keys that were in the list or the field follow it (follow_keys)."""
    had_keys = detail.has_keys()
    detail.show_entry(entry, where)
    if had_keys:
        detail.follow_keys()


@dataclass
class NoteConflict:
    """A note refused as stale, kept until the user keeps it or loads theirs."""

    target: Target
    key: str
    text: str  # the user's note, not saved
    base_note: str  # the stored note the user started from


# keys that save the answer field and move to the next (1) or previous (-1) item
_FIELD_STEPS = {
    Qt.Key.Key_Return: 1, Qt.Key.Key_Enter: 1, Qt.Key.Key_Tab: 1, Qt.Key.Key_Down: 1,
    Qt.Key.Key_Backtab: -1, Qt.Key.Key_Up: -1,
}  # fmt: skip
_PLACEHOLDERS = {
    AnswerType.NUMBER: "a number, e.g. 8",
    AnswerType.DATE: "YYYY-MM-DD, or pick a date (F4)",
    AnswerType.OFFICER: "officer's name, or pick one (F4)",
}


def _is_undo_key(event) -> bool:  # noqa: ANN001
    return (
        event.matches(QKeySequence.StandardKey.Undo)
        or event.matches(QKeySequence.StandardKey.Redo)
        or QKeySequence(event.keyCombination()) == QKeySequence("Ctrl+Shift+Z")
    )


class ItemDetail(QWidget):
    sig_raise_finding = Signal(str)  # entry key
    sig_error = Signal(object)  # an exception to show
    sig_move = Signal(int)  # the answer field saved: go to the next (1) / previous (-1) item
    sig_message = Signal(str)  # a one-line explanation for the status bar

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.target: Target | None = None
        self.entry: Entry | None = None
        self.files_root = Path()
        self.officer_names: list[str] = []
        self._read_only = False
        self._note_dirty = False
        self._setting_note = False
        self._note_base: tuple[int, str] = (0, "")  # (row revision, note) the edit started from
        self.conflict: NoteConflict | None = None
        self.attach_task: Task | None = None

        # The scroll area and its body first, the widgets made in the body: set into the
        # scroll area full, the body had its size worked out there and then (and again once
        # shown), and each widget was moved from this widget into it (bench/open_review.py).
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidgetResizable(True)
        # everything wraps to the pane's width: scrolling sideways would hide the answers
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget(self.scroll_area)
        layout = QVBoxLayout(body)
        self.scroll_area.setWidget(body)

        self.where = QLabel(body)
        self.where.setObjectName("item_where")
        self.where.setStyleSheet("color: #555;")
        self.prompt = QLabel(body)
        self.prompt.setObjectName("item_prompt")
        self.prompt.setWordWrap(True)
        self.prompt.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.prompt.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.prompt.setFont(font)

        self.answer_row = FlowLayout()  # the answer buttons, wrapping when narrow
        self.answer_buttons: dict[str, QPushButton] = {}
        self._answer_captions: list[tuple[str, str]] = []  # (value, caption) of the buttons
        # the field of a number, date, text or officer item: it has the keys while such an
        # item is current (follow_keys), saves on Enter, Tab, arrows or leaving it
        self.list_view: QWidget | None = None  # where the keys go back to (Esc)
        self.answer_edit = QLineEdit(body)
        self.answer_edit.setObjectName("answer_edit")
        self.answer_edit.installEventFilter(self)
        self.answer_edit.editingFinished.connect(self._save_field)  # also on leaving it
        self._field_key: str | None = None  # the item whose answer the field shows
        self._field_shown = ""  # the stored answer the field was filled with
        self.pick_button = QToolButton(body)
        self.pick_button.setObjectName("answer_pick")
        self.pick_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.pick_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.pick_menu = QMenu(self.pick_button)
        self.pick_button.setMenu(self.pick_menu)
        self.calendar: QCalendarWidget | None = None
        field_row = QHBoxLayout()
        field_row.setContentsMargins(0, 0, 0, 0)
        field_row.addWidget(self.answer_edit, 1)
        field_row.addWidget(self.pick_button)

        self.help = QLabel(body)
        self.help.setObjectName("item_help")
        self.help.setWordWrap(True)
        self.help.setTextFormat(Qt.TextFormat.RichText)
        self.help.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.help.setFrameShape(QFrame.Shape.StyledPanel)
        self.help.setStyleSheet("QLabel { background: #f6f7f9; padding: 6px; }")

        self.note = QPlainTextEdit(body)
        self.note.setObjectName("item_note")
        self.note.setPlaceholderText("Note (saved as you type)")
        self.note.setTabChangesFocus(True)
        self.note.setMaximumHeight(90)
        self.note.textChanged.connect(self._on_note_typed)
        self.note.installEventFilter(self)
        self.note_state = QLabel(body)
        self.note_state.setStyleSheet("color: #777;")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(NOTE_DEBOUNCE_MS)
        self._timer.timeout.connect(self.flush_note)
        self.stale = StaleEditBar(body, {"note": "Note", "value": "Answer"})
        self.stale.sig_keep_mine.connect(self.keep_mine)
        self.stale.sig_load_theirs.connect(self.load_theirs)

        self.files = AttachmentList(body)
        self.files.setMaximumHeight(140)
        self.attach_button = QPushButton("Attach files…", body)
        self.attach_button.setObjectName("attach_files")
        self.attach_button.clicked.connect(self._on_attach)
        self.raise_button = QPushButton("Raise finding…", body)
        self.raise_button.setObjectName("raise_finding")
        self.raise_button.clicked.connect(self._on_raise)

        # The question, its answer, Raise finding, Attach and the note come first: on a
        # 1366x768 screen they are all in view without scrolling; the help text and the
        # files follow. Each item is shown from the top (show_entry).
        self.raise_button.setToolTip("Raise a finding from this item (Ctrl+Shift+F)")
        self.attach_button.setToolTip("Attach photos or documents to this item (Ctrl+Shift+A)")
        layout.addWidget(self.where)
        layout.addWidget(self.prompt)
        layout.addLayout(self.answer_row)
        layout.addLayout(field_row)
        actions = QHBoxLayout()
        actions.addWidget(self.raise_button)
        actions.addWidget(self.attach_button)
        actions.addStretch(1)
        layout.addLayout(actions)
        note_head = QHBoxLayout()
        note_head.addWidget(QLabel("<b>Note</b>", body))
        note_head.addStretch(1)
        note_head.addWidget(self.note_state)
        layout.addLayout(note_head)
        layout.addWidget(self.stale)
        layout.addWidget(self.note)
        layout.addWidget(self.help)
        layout.addWidget(QLabel("<b>Photos and documents</b>", body))
        layout.addWidget(self.files)
        layout.addStretch(1)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll_area)
        self.show_entry(None)

    # -- public -------------------------------------------------------------------

    def set_target(self, target: Target | None, files_root: Path) -> None:
        self.flush_note()
        self.target, self.files_root = target, files_root
        if target is not None:  # open, remove (Ctrl+Z in the workspace) and mark up files
            self.files.bind(target.db, target.stack, target.on_error, lambda: target.read_only)
        self.show_entry(None)

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self._apply_enabled()

    def show_entry(self, entry: Entry | None, where: str = "") -> None:
        """Show another item; the note typed on the previous one is saved first."""
        self.flush_note()
        self._save_field()
        self._field_key = None  # the field shows no item's answer until refresh fills it
        self._show_field("")
        self.entry = entry
        self.where.setText(where)
        self.prompt.setText(entry.prompt if entry else "Choose an item in the checklist.")
        self._build_answer_widgets()
        if entry is not None and entry.takes_field:
            self._field_key = entry.key
        self.help.setText(self._help_html(entry) if entry else "")
        self.help.setVisible(entry is not None)
        self._load_note(force=True)
        self._restore_conflict()
        self.refresh()
        self.scroll_area.verticalScrollBar().setValue(0)  # the question first, never scrolled away

    def refresh(self) -> None:
        """Bring the answer, note and files up to date with the model (after a change)."""
        entry, target = self.entry, self.target
        value = target.model.answer(entry.key).value if entry and target else None
        for v, button in self.answer_buttons.items():
            button.setChecked(v == value)
        if not self._field_edited():  # never over what is being typed
            self._show_field(value or "")
        if not self._note_dirty:
            self._load_note()
        elif entry and target:
            answer = target.model.answer(entry.key)
            if answer.note == self._note_base[1]:
                # the row moved on without touching the note (an answer was pressed): the
                # note being typed still starts from the note as it is stored
                self._note_base = (answer.rev, answer.note)
        if entry and target:
            self.files.show_attachments(self.files_root, target.attachments(entry.key))
        else:
            self.files.show_attachments(self.files_root, [])
        self._apply_enabled()

    def has_keys(self) -> bool:
        """The keyboard is in the checklist or in the answer field."""
        return self.answer_edit.hasFocus() or bool(self.list_view and self.list_view.hasFocus())

    def follow_keys(self) -> None:
        """After another item became current with the keyboard in the list or the field:
        an item answered in a field takes the keys there, any other gives them to the list,
        so a digit typed for a number never answers the next yes/no item."""
        if self.entry is not None and self.entry.takes_field and not self._read_only:
            self.answer_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            self.answer_edit.selectAll()
        elif self.list_view is not None and not self.list_view.hasFocus():
            self.list_view.setFocus(Qt.FocusReason.OtherFocusReason)

    def focus_answer(self, text: str = "") -> None:
        """Put the keys in the answer field (from the list), with what was typed there."""
        if self.entry is None or not self.entry.takes_field:
            return
        if self._read_only:
            self.sig_message.emit("This review is final and locked; answers cannot be changed.")
            return
        self.answer_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        if text:
            self.answer_edit.insert(text)
        else:
            self.answer_edit.selectAll()

    def help_text(self) -> str:
        entry = self.entry
        if entry is None:
            return ""
        parts = [entry.prompt]
        if entry.help:
            parts.append(entry.help.strip())
        if entry.citation:
            parts.append(f"MOA clause / policy: {entry.citation}")
        return "\n\n".join(parts)

    def focus_note(self) -> None:
        self.note.setFocus(Qt.FocusReason.OtherFocusReason)
        self.scroll_area.ensureWidgetVisible(self.note)
        cursor = self.note.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        self.note.setTextCursor(cursor)

    def flush_note(self) -> None:
        """Save the note now if it was typed into since the last save."""
        self._timer.stop()
        if not self._note_dirty:
            return
        if not (self.entry and self.target) or self._read_only:
            self._note_dirty = False
            return
        text = self.note.toPlainText()
        if self.conflict is not None and self._conflict_here():
            self.conflict.text = text  # not saved until the user chooses in the bar
            return
        self._save_note(self.target, self.entry.key, text, self._note_base)

    def keep_mine(self) -> None:
        """Save the refused note over the one saved meanwhile (deliberately)."""
        conflict, exc = self.conflict, self.stale.exc
        if conflict is None or exc is None:
            return
        if self._conflict_here():
            conflict.text = self.note.toPlainText()
        self._save_note(conflict.target, conflict.key, conflict.text,
                        (exc.current_rev, conflict.base_note))  # fmt: skip

    def load_theirs(self) -> None:
        """Drop the refused note and show the one stored now (as the refusal read it: a
        change made by another instance reaches this window's model no other way)."""
        conflict, exc, here = self.conflict, self.stale.exc, self._conflict_here()
        self.conflict = None
        self.stale.clear()
        if conflict is None or exc is None:
            return
        model = conflict.target.model
        known = model.answer(conflict.key)
        if conflict.target is self.target and exc.current_rev > known.rev:
            note = exc.current.get("note", known.note)
            model.set_answer(conflict.key, exc.current.get("value", known.value), note,
                             exc.current_rev)  # fmt: skip
        if here:
            self._load_note(force=True)

    # -- internals ----------------------------------------------------------------

    def _help_html(self, entry: Entry) -> str:
        rows = []
        if entry.help:
            rows.append(escape(entry.help.strip()).replace("\n", "<br>"))
        if entry.citation:
            rows.append(f"<b>MOA clause / policy:</b> {escape(entry.citation)}")
        if entry.topic:
            from inspector_app.services.forms import topics

            rows.append(f"<b>Topic:</b> {escape(topics().get(entry.topic, entry.topic))}")
        return "<br><br>".join(rows)

    def _build_answer_widgets(self) -> None:
        entry = self.entry
        free = entry is not None and entry.takes_field
        self.answer_edit.setVisible(free)
        self._fill_picker(entry if free else None)
        if free and entry is not None:
            hint = _PLACEHOLDERS.get(entry.answer)  # a text item: no hint ("Answer: answer")
            self.answer_edit.setPlaceholderText(
                f"Answer: {hint} (Enter to save)" if hint else "Type the answer (Enter to save)"
            )
        captions = [] if entry is None or entry.values is None else [
            (value, f"{n}  {entry.label(value)}") for n, value in enumerate(entry.values, start=1)
        ]  # fmt: skip
        if captions == self._answer_captions:
            return  # the same answers as the last item (most are yes / no / n.a.): kept
        self._answer_captions = captions
        for button in self.answer_buttons.values():
            self.answer_row.removeWidget(button)
            button.hide()  # out of the layout it would stay drawn where it was until deleted
            button.deleteLater()
        self.answer_buttons = {}
        for value, caption in captions:
            button = QPushButton(caption, self.scroll_area.widget())
            button.setCheckable(True)
            button.setStyleSheet(_ANSWER_STYLE)
            button.setObjectName(f"answer_{value}")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the checklist
            button.clicked.connect(lambda _=False, v=value: self._on_button(v))
            self.answer_row.addWidget(button)
            self.answer_buttons[value] = button

    def _fill_picker(self, entry: Entry | None) -> None:
        """A date picker for a date, the agency's officers for an officer item."""
        self.pick_menu.clear()  # deletes the actions and the calendar of the last date item
        self.calendar = None
        kind = entry.answer if entry else None
        self.pick_button.setVisible(kind in (AnswerType.DATE, AnswerType.OFFICER))
        if kind == AnswerType.DATE:
            self.pick_button.setText("Pick date…")
            self.calendar = QCalendarWidget(self.pick_menu)
            self.calendar.setObjectName("answer_calendar")
            self.calendar.clicked.connect(self._on_date_picked)
            holder = QWidgetAction(self.pick_menu)
            holder.setDefaultWidget(self.calendar)
            self.pick_menu.addAction(holder)
        elif kind == AnswerType.OFFICER:
            self.pick_button.setText("Pick officer…")
            for name in self.officer_names:
                action = self.pick_menu.addAction(name)
                action.triggered.connect(functools.partial(self._on_picked, name))
            if not self.officer_names:
                self.pick_menu.addAction("No officers recorded for this agency").setEnabled(False)

    def _on_date_picked(self, day: QDate) -> None:
        self._on_picked(day.toString("yyyy-MM-dd"))

    def _on_picked(self, text: str, *_checked: object) -> None:
        self.pick_menu.close()
        self.answer_edit.setText(text)
        self.answer_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self._save_field()

    def open_picker(self) -> None:
        if self.pick_button.isVisible() and self.pick_button.isEnabled():
            if self.calendar is not None:
                day = QDate.fromString(self.answer_edit.text().strip(), "yyyy-MM-dd")
                self.calendar.setSelectedDate(day if day.isValid() else QDate.currentDate())
            self.pick_button.showMenu()

    def _show_field(self, value: str) -> None:
        self._field_shown = value
        self.answer_edit.setText(value)

    def _field_edited(self) -> bool:
        return self.answer_edit.text() != self._field_shown

    def _save_field(self) -> bool:
        """Save what the field holds as the answer of its item; False when refused."""
        entry, target = self.entry, self.target
        if not (entry and target) or entry.key != self._field_key or self._read_only:
            return True
        text = self.answer_edit.text().strip() or None
        if text != target.model.answer(entry.key).value:
            target.set_value(entry.key, text)
        if target.model.answer(entry.key).value != text:
            return False  # refused: the field keeps the text, the error says why
        self._show_field(text or "")
        return True

    def _field_event(self, event) -> bool:  # noqa: ANN001
        kind = event.type()
        if kind == QEvent.Type.ShortcutOverride:
            # Ctrl+Z undoes the review's answers unless the field is being typed into
            if _is_undo_key(event) and not self._field_edited():
                event.ignore()
                return True
            return False
        if kind != QEvent.Type.KeyPress:
            return False
        return self._field_key_pressed(event)

    def _field_key_pressed(self, event) -> bool:  # noqa: ANN001
        key = event.key()
        if key == Qt.Key.Key_Escape:
            self._show_field(self._field_shown)
            if self.list_view is not None:
                self.list_view.setFocus(Qt.FocusReason.OtherFocusReason)
            return True
        if key == Qt.Key.Key_F4 or (
            key == Qt.Key.Key_Down and event.modifiers() & Qt.KeyboardModifier.AltModifier
        ):  # fmt: skip
            self.open_picker()
            return True
        step = _FIELD_STEPS.get(Qt.Key(key))
        if step is None:
            return False
        if key == Qt.Key.Key_Tab and not self.answer_edit.text().strip() and not self._field_shown:
            # nothing typed yet: Tab stays here, so the digits that follow are the answer
            self.sig_message.emit("Type the answer here: Enter saves it and moves on, "
                                  "Down skips the item, Esc goes back to the list")  # fmt: skip
            return True
        if self._save_field():
            self.sig_move.emit(step)
        return True

    def _apply_enabled(self) -> None:
        has = self.entry is not None and self.target is not None
        editable = has and not self._read_only
        for button in self.answer_buttons.values():
            button.setEnabled(editable)
        self.answer_edit.setReadOnly(not editable)
        self.pick_button.setEnabled(editable)
        self.note.setReadOnly(not editable)
        self.note.setEnabled(has)
        self.attach_button.setEnabled(editable)
        self.raise_button.setVisible(bool(self.entry and self.entry.can_raise))
        self.raise_button.setEnabled(editable)

    def _conflict_here(self) -> bool:
        c = self.conflict
        return c is not None and c.target is self.target and self.entry is not None and (
            c.key == self.entry.key)  # fmt: skip

    def _save_note(self, target: Target, key: str, text: str, base: tuple[int, str]) -> None:
        here = target is self.target and self.entry is not None and self.entry.key == key
        self._note_dirty = False
        stale = target.set_note(key, text, base[0])
        if stale is None:
            self.conflict = None
            self.stale.clear()
            if here:
                self.note_state.setText("Saved")
            return
        self.conflict = NoteConflict(target, key, text, base[1])
        if here:
            self._note_dirty = True  # the text stays in the note, unsaved
            self.note_state.setText("Not saved")
        self._show_conflict(stale)

    def _show_conflict(self, stale: StaleEdit) -> None:
        c = self.conflict
        assert c is not None, "shown for the refused note kept in self.conflict"
        mine = None if self._conflict_here() else f"({c.key}) {c.text}"
        self.stale.show_conflict(stale, {"note": c.base_note}, mine=mine)
        # another interview is shown now: its answers are in the model, not the refused one's
        self.stale.keep_button.setEnabled(c.target is self.target and not self._read_only)

    def _restore_conflict(self) -> None:
        """Back on the item whose note was refused: the user's text is in the note again."""
        if self.conflict is None or self.stale.exc is None:
            return
        if self._conflict_here():
            self._setting_note = True
            self.note.setPlainText(self.conflict.text)
            self._setting_note = False
            self._note_dirty = True
            self.note_state.setText("Not saved")
        self._show_conflict(self.stale.exc)

    def _load_note(self, force: bool = False) -> None:
        text, rev = "", 0
        if self.entry and self.target:
            answer = self.target.model.answer(self.entry.key)
            text, rev = answer.note, answer.rev
        self._note_base = (rev, text)
        if force or text != self.note.toPlainText():
            self._setting_note = True
            self.note.setPlainText(text)
            self._setting_note = False
            self._note_dirty = False
            self.note_state.setText("")

    def _on_note_typed(self) -> None:
        if self._setting_note or self._read_only:
            return
        self._note_dirty = True
        self.note_state.setText("Editing…")
        self._timer.start()

    def eventFilter(self, obj, event) -> bool:  # noqa: ANN001, N802
        if obj is self.answer_edit:
            return self._field_event(event)
        if obj is self.note and event.type() == QEvent.Type.FocusOut:
            self.flush_note()
        return super().eventFilter(obj, event)

    def _on_button(self, value: str) -> None:
        if self.entry and self.target and not self._read_only:
            self.target.set_value(self.entry.key, value)
        self.refresh()

    def raise_finding(self) -> None:
        """Raise finding… (Ctrl+Shift+F), or say why it cannot be raised from here."""
        if self.entry is None:
            self.sig_message.emit("Choose an item first, then raise a finding from it.")
        elif not self.raise_button.isVisible():
            self.sig_message.emit("A finding cannot be raised from this item.")
        elif not self.raise_button.isEnabled():
            self.sig_message.emit("This review is final and locked; amend it to add findings.")
        else:
            self._on_raise()

    def attach_files(self) -> None:
        """Attach files… (Ctrl+Shift+A), or say why not."""
        if self.entry is None:
            self.sig_message.emit("Choose an item first, then attach files to it.")
        elif not self.attach_button.isEnabled():
            self.sig_message.emit("Files cannot be attached here (the review is locked or "
                                  "not started).")  # fmt: skip
        else:
            self._on_attach()

    def _on_raise(self) -> None:
        if self.entry:
            self.flush_note()
            self.sig_raise_finding.emit(self.entry.key)

    def _on_attach(self) -> None:
        if not (self.entry and self.target):
            return
        names, _ = QFileDialog.getOpenFileNames(
            self, "Attach photos or documents", "",
            "Photos and documents (*.jpg *.jpeg *.png *.heic *.pdf *.doc *.docx *.txt);;All files (*)",
        )  # fmt: skip
        if not names:
            return
        try:
            job = self.target.attach_job(self.entry.key, [Path(n) for n in names])
        except ServiceError as exc:  # a refused service call (e.g. a locked review)
            self.sig_error.emit(exc)
            return
        self.attach_task = run_with_progress(
            self, "Attaching files", job, lambda _n: self.refresh(), self.sig_error.emit
        )
