"""Add, remove and reorder the instances of a repeated section (e.g. case files).

A bar above the checklist, shown when the review's form repeats a section. It acts on
the repeated section of the current row (or the form's first one): *Add case file*
(Ctrl+Shift+I), *Remove* (Ctrl+Shift+Delete), *Move up* / *Move down*
(Ctrl+Shift+Up / Ctrl+Shift+Down). Each is one undoable change of the section's
instance list (its order answer, domain.forms.layout); a removed instance's answers
stay stored, so Ctrl+Z brings it back whole. A new instance's number is drawn at random
(layout.next_instance: laptops adding case files offline must not pick the same one),
so the bar and its messages name instances by position, never by number.
"""

from __future__ import annotations

from collections.abc import Callable

from inspector_app.domain.forms import FormDefinition, FormSection, layout

from ..qt import (
    QAction,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QModelIndex,
    QPushButton,
    QSizePolicy,
    QSortFilterProxyModel,
    Qt,
    QWidget,
)
from .checklist_model import ChecklistModel
from .checklist_panel import ChecklistView
from .entries import ADD_INSTANCE_KEYS
from .targets import ChecklistTarget
from .undo import ServiceCommand

SHORTCUTS = {
    "add": ADD_INSTANCE_KEYS,
    "remove": "Ctrl+Shift+Del",
    "up": "Ctrl+Shift+Up",
    "down": "Ctrl+Shift+Down",
}


class RepeatControls(QWidget):
    """The instance commands of the repeated sections of one review's checklist."""

    def __init__(
        self, view: ChecklistView, model: ChecklistModel, target: ChecklistTarget,
        status: Callable[[str], None], parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("repeat_controls")
        self.view, self.model, self.target, self.status = view, model, target, status
        self.form: FormDefinition | None = None
        self.read_only = False
        self.where = QLabel(self)
        self.where.setObjectName("repeat_where")
        # the label may be cut rather than widen the checklist column past the screen
        self.where.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.where.setMinimumWidth(80)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.where, 1)
        self.buttons: dict[str, QPushButton] = {}
        self.commands: dict[str, QAction] = {}
        for name, slot in (("add", self.add), ("remove", self.remove),
                           ("up", lambda: self.move_instance(-1)), ("down", lambda: self.move_instance(1))):  # fmt: skip
            button = QPushButton(self)
            button.setObjectName(f"repeat_{name}")
            button.clicked.connect(slot)
            row.addWidget(button)
            action = QAction(self)
            action.setShortcut(QKeySequence(SHORTCUTS[name]))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.buttons[name], self.commands[name] = button, action
        view.sig_current.connect(lambda _key: self.refresh())
        model.layoutChanged.connect(self._after_layout)
        model.modelReset.connect(self.refresh)
        self.hide()

    def attach_shortcuts(self, host: QWidget) -> None:
        """Give the shortcuts to ``host`` (the workspace), so they work from its list."""
        for action in self.commands.values():
            host.addAction(action)

    def set_form(self, form: FormDefinition | None, read_only: bool) -> None:
        self.form, self.read_only = form, read_only
        self.setVisible(bool(self._groups()))
        self.refresh()

    # -- where we are ---------------------------------------------------------------

    def _groups(self) -> list[FormSection]:
        return [s for s in self.form.sections if s.repeat] if self.form else []

    def group(self) -> FormSection | None:
        """The repeated section of the current row, else the form's first."""
        shown = self.model.section_at(self._current())
        groups = self._groups()
        for section in groups:
            if shown is not None and shown.repeat == section.key:
                return section
        return groups[0] if groups else None

    def _current(self) -> QModelIndex:
        """The model's index of the view's current row (the view may show the filter)."""
        index, shown = self.view.currentIndex(), self.view.model()
        if isinstance(shown, QSortFilterProxyModel):
            return shown.mapToSource(index)
        return index

    def current_instance(self) -> int | None:
        shown = self.model.section_at(self._current())
        group = self.group()
        if shown is None or group is None or shown.repeat != group.key:
            return None
        return shown.instance

    def order(self, section: FormSection) -> list[int]:
        return layout.parse_order(self.model.values().get(layout.order_key(section.key)))

    def refresh(self) -> None:
        group = self.group()
        if group is None or group.repeat is None:
            return
        label = group.repeat.label
        order, n = self.order(group), self.current_instance()
        at = order.index(n) if n in order else None
        # short enough for the bar beside four buttons at 1280 px (the section's title
        # is on every instance's row in the list; the tooltip says it too)
        text = f"<b>{label}s</b>: {len(order)}"
        if at is not None:
            text += f" · this is {label.lower()} {at + 1} of {len(order)}"
        self.where.setText(text)
        self.where.setToolTip(f"{text} ({group.title})")
        names = {"add": f"Add {label.lower()}", "remove": f"Remove {label.lower()}",
                 "up": f"Move {label.lower()} up", "down": f"Move {label.lower()} down"}  # fmt: skip
        captions = {"add": "Add", "remove": "Remove", "up": "Up", "down": "Down"}  # short: 1024 px
        can = {"add": True, "remove": at is not None, "up": bool(at), "down":
               at is not None and at < len(order) - 1}  # fmt: skip
        for name, button in self.buttons.items():
            button.setText(captions[name])
            button.setToolTip(f"{names[name]} ({SHORTCUTS[name]})")
            enabled = can[name] and not self.read_only
            button.setEnabled(enabled)
            self.commands[name].setEnabled(enabled)

    # -- commands -----------------------------------------------------------------

    def _change(self, group: FormSection, new: list[int], what: str) -> None:
        key = layout.order_key(group.key)
        old = self.model.values().get(key)
        value = layout.format_order(new) if new else None

        def apply(v: str | None) -> None:
            self.target._write_value(key, v)

        self.target.stack.push(ServiceCommand(what, apply, old, value,
                                              on_error=self.target.on_error))  # fmt: skip
        self.refresh()

    def add(self) -> None:
        group = self.group()
        if group is None or group.repeat is None or self.read_only:
            return
        order = self.order(group)
        n = layout.next_instance(group.key, set(self.model.values()), order)
        self._change(group, [*order, n], f"add {group.repeat.label.lower()}")
        first = group.items[0].key
        self.view.select_key(layout.instance_key(first, group.key, n))
        self.status(f"{group.repeat.label} {len(order) + 1} added (Ctrl+Z undoes)")

    def remove(self) -> None:
        group, n = self.group(), self.current_instance()
        if group is None or group.repeat is None or n is None or self.read_only:
            return
        order = self.order(group)
        at = order.index(n)
        name = layout.instance_label(group, n, self.model.values(), at + 1)
        rest = [m for m in order if m != n]
        self._change(group, rest, f"remove {name}")
        if rest:  # the same place in the next file (or the last one)
            near = rest[min(at, len(rest) - 1)]
            self.view.select_key(layout.instance_key(group.items[0].key, group.key, near))
        self.status(f"{name} removed; its answers are kept (Ctrl+Z brings it back)")

    def move_instance(self, step: int) -> None:
        group, n = self.group(), self.current_instance()
        if group is None or group.repeat is None or n is None or self.read_only:
            return
        order = self.order(group)
        at = order.index(n)
        to = at + step
        if not 0 <= to < len(order):
            return
        order[at], order[to] = order[to], order[at]
        label = group.repeat.label.lower()
        self._change(group, order, f"move {label} {'up' if step < 0 else 'down'}")
        self.status(f"{group.repeat.label} moved to place {to + 1} of {len(order)}")

    def _after_layout(self) -> None:
        """New sections open (the tree keeps new rows collapsed after a layout change)."""
        for row in range(self.model.rowCount()):
            self.view.expand(self.view.to_view(self.model.index(row, 0)))
        current = self.view.currentIndex()
        if current.isValid():
            self.view.scrollTo(current)
        self.refresh()
