"""The help window (F1): topics from resources/help/*.md, searchable, one window.

Each `NN-key.md` file is a topic (NN orders them, its first `# ` line is the title).
Placeholders are filled from the code they describe, so the help cannot drift from it:

- `{{finding_kinds}}`: FindingKind's labels and definitions (domain.enums);
- `{{follow_up_rule}}`: domain.rules.FOLLOW_UP_THRESHOLD and
  domain.calendar.FOCUS_REVIEW_MONTHS;
- `{{checklist_keys}}`: the checklist view's own description of its keys;
- `{{keyboard_map}}`: the shortcuts of the main window's menus and of the review
  workspace's actions, read from the QActions themselves.

The filter box keeps the topics whose title or text holds every word typed, and marks
the words in the topic shown. F1 opens the window at the topic of the current view
(`topic_for`); it is not modal and is reused (`show_help`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspector_app.domain.calendar import FOCUS_REVIEW_MONTHS
from inspector_app.domain.enums import FindingKind
from inspector_app.domain.rules import FOLLOW_UP_THRESHOLD
from inspector_app.paths import resources_dir

from .qt import (
    QAction,
    QColor,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenuBar,
    QSplitter,
    Qt,
    QTextBrowser,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextEdit,
    QUrl,
    QVBoxLayout,
    QWidget,
)

TOPIC_FOR_PAGE = {
    "agencies": "agencies", "agency": "agencies", "reviews": "reviews", "due": "due",
    "findings": "findings", "reports": "reports", "program": "reports", "conflicts": "sync",
}  # fmt: skip
CHECKLIST_TOPIC, INTERVIEW_TOPIC, FOCUS_TOPIC = "checklist", "wso-interviews", "follow-up"
LINK_SCHEME = "topic"  # [text](topic:key) in a topic links to another topic
HIGHLIGHT = QColor("#ffe27a")

# The workspace's commands when no review is open (the keyboard map then cannot read
# them from a workspace). tests/ui/test_help_window.py checks this against a real one.
WORKSPACE_KEYS: tuple[tuple[str, str], ...] = (
    ("Find item", "Ctrl+F"),
    ("Finalize…", "Ctrl+Shift+E"),
    ("Amend…", "Ctrl+Shift+M"),
    ("Corrective actions…", "Ctrl+Shift+C"),
    ("Dispute…", "Ctrl+Shift+D"),
    ("Request form…", "Ctrl+Shift+R"),
    ("Raise finding from item…", "Ctrl+Shift+F"),
    ("Attach files to item…", "Ctrl+Shift+A"),
    ("New finding…", "Ctrl+Shift+N"),
    ("Report…", "Ctrl+R"),
)


@dataclass(frozen=True)
class HelpTopic:
    key: str
    title: str
    markdown: str
    text: str  # the rendered text, lower case: what the search looks in


def help_dir() -> Path:
    return resources_dir() / "help"


# --- generated content --------------------------------------------------------------


def finding_kinds_markdown() -> str:
    return "\n\n".join(f"- **{kind.label}**: {kind.definition}" for kind in FindingKind)


def follow_up_markdown() -> str:
    counted = " and ".join(k.label.lower() for k in FindingKind if k.counts_toward_follow_up)
    ignored = ", ".join(k.label.lower() for k in FindingKind if not k.counts_toward_follow_up)
    return (
        f"An inspection whose {counted} findings add up to **{FOLLOW_UP_THRESHOLD} or "
        f"more** gets a follow-up **focus review within {FOCUS_REVIEW_MONTHS} months** "
        f"of the inspection's end ({ignored} findings do not count). The focus review "
        "judges each earlier finding **resolved** or **unresolved**, and the corrective "
        "actions are tracked until the **closeout** memo."
    )


def checklist_keys_markdown() -> str:
    """The checklist view's keys, as its module describes them (one source)."""
    from .workspace import checklist_panel

    doc = checklist_panel.__doc__ or ""
    paragraph = doc.split("\n\n", 1)[1] if "\n\n" in doc else doc
    text = " ".join(paragraph.split())
    return text.replace("Keys on an item:", "**Keys on an item:**", 1)


def _keys(action: QAction) -> str:
    return ", ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts())


def _label(action: QAction) -> str:
    return action.text().replace("&&", "\0").replace("&", "").replace("\0", "&")


def menu_keys(bar: QMenuBar) -> list[tuple[str, str, str]]:
    """(menu, command, keys) for every menu command with a shortcut."""
    rows = []
    for top in bar.actions():
        menu = top.menu()
        if menu is None:
            continue
        for action in menu.actions():  # type: ignore[attr-defined]
            if action.shortcuts() and action.text():
                rows.append((_label(top), _label(action), _keys(action)))
    return rows


def workspace_keys(workspace: QWidget | None) -> list[tuple[str, str]]:
    """(command, keys) of a review workspace's actions; WORKSPACE_KEYS without one."""
    if workspace is None:
        return list(WORKSPACE_KEYS)
    return [(_label(a), _keys(a)) for a in workspace.actions() if a.shortcuts() and a.text()]


def _table(header: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    head = list(header)
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def keyboard_markdown(window: Any) -> str:
    """The keyboard map of `window` (a MainWindow) and its current review workspace."""
    parts = []
    bar = window.menuBar() if window is not None else None
    menu_rows = [r for r in menu_keys(bar) if r[0] != "Review"] if bar is not None else []
    if menu_rows:
        parts += ["## Everywhere", _table(("Menu", "Command", "Keys"), menu_rows)]
    workspace = window.current_workspace() if window is not None else None
    if workspace is None and window is not None and getattr(window, "workspaces", None):
        workspace = next(iter(window.workspaces.values()))
    parts += ["## In a review",
              _table(("Command", "Keys"), workspace_keys(workspace)),
              "## In the checklist", checklist_keys_markdown()]  # fmt: skip
    return "\n\n".join(parts)


# --- topics -------------------------------------------------------------------------


def _plain(markdown: str) -> str:
    document = QTextDocument()
    document.setMarkdown(markdown)
    return document.toPlainText()


def load_topics(window: Any = None, folder: Path | None = None) -> list[HelpTopic]:
    """Every topic file in `folder` (resources/help), placeholders filled in."""
    fill = {
        "finding_kinds": finding_kinds_markdown,
        "follow_up_rule": follow_up_markdown,
        "checklist_keys": checklist_keys_markdown,
        "keyboard_map": lambda: keyboard_markdown(window),
    }
    topics = []
    for path in sorted((folder or help_dir()).glob("*.md")):
        source = path.read_text(encoding="utf-8")
        markdown = re.sub(r"\{\{(\w+)\}\}", lambda m: fill[m.group(1)](), source)
        title = next((line[2:].strip() for line in markdown.splitlines()
                      if line.startswith("# ")), path.stem)  # fmt: skip
        key = path.stem.split("-", 1)[1] if path.stem[:2].isdigit() else path.stem
        topics.append(HelpTopic(key, title, markdown, _plain(markdown).lower()))
    return topics


def topic_for(window: Any) -> str:
    """The topic of what `window` (a MainWindow) shows now."""
    key = window.current_key()
    if not key.startswith("review:"):
        return TOPIC_FOR_PAGE.get(key, "agencies")
    workspace = window.current_workspace()
    if workspace is not None and getattr(workspace, "is_focus", False):
        return FOCUS_TOPIC
    tabs = getattr(workspace, "tabs", None)
    return INTERVIEW_TOPIC if tabs is not None and tabs.currentIndex() == 1 else CHECKLIST_TOPIC


def matches(topic: HelpTopic, query: str) -> bool:
    """Every word of `query` is in the topic's title or text."""
    text = f"{topic.title.lower()} {topic.text}"
    return all(word in text for word in query.lower().split())


# --- the window ---------------------------------------------------------------------


class HelpWindow(QWidget):
    """Topics on the left (with the filter box above them), the topic on the right."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("helpWindow")
        self.setWindowTitle("Inspector Help")
        self.resize(900, 620)
        self.topics: list[HelpTopic] = []
        self.search = QLineEdit(self)
        self.search.setObjectName("helpSearch")
        self.search.setPlaceholderText("Search help…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_search)
        self.list = QListWidget(self)
        self.list.setObjectName("helpTopics")
        self.list.currentItemChanged.connect(lambda item, _old: self._show(item))
        self.list.setSpacing(2)
        self.count_label = QLabel(self)  # "3 of 11 topics", or that none has the words
        self.count_label.setObjectName("helpCount")
        self.count_label.setWordWrap(True)
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("helpText")
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._on_link)
        self.browser.document().setDocumentMargin(14)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.search)
        left_layout.addWidget(self.list, 1)
        left_layout.addWidget(self.count_label)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(self.browser)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([250, 650])
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(splitter)
        find = QAction("Search help", self)
        find.setShortcut(QKeySequence(QKeySequence.StandardKey.Find))
        find.triggered.connect(self.focus_search)
        self.addAction(find)
        close = QAction("Close", self)
        close.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        close.triggered.connect(self.close)
        self.addAction(close)

    def set_topics(self, topics: list[HelpTopic]) -> None:
        current = self.current_topic()
        self.topics = topics
        self.list.blockSignals(True)
        self.list.clear()
        for topic in topics:
            item = QListWidgetItem(topic.title, self.list)
            item.setData(Qt.ItemDataRole.UserRole, topic.key)
        self.list.blockSignals(False)
        self._on_search(self.search.text())
        if current is not None:
            self.show_topic(current.key)

    def topic(self, key: str) -> HelpTopic | None:
        return next((t for t in self.topics if t.key == key), None)

    def current_topic(self) -> HelpTopic | None:
        item = self.list.currentItem()
        return self.topic(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def visible_topics(self) -> list[str]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.list.count()) if not self.list.item(i).isHidden()]  # fmt: skip

    def show_topic(self, key: str) -> None:
        """Show the topic `key` (its list entry is shown again if the filter hid it)."""
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == key:
                if item.isHidden():
                    self.search.clear()
                if self.list.currentItem() is item:
                    self._show(item)
                else:
                    self.list.setCurrentItem(item)  # shown by currentItemChanged
                return

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _show(self, item: QListWidgetItem | None) -> None:
        topic = self.topic(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None
        self.browser.setMarkdown(topic.markdown if topic is not None else "")
        self._mark(self.search.text())

    def _on_search(self, text: str) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            topic = self.topic(item.data(Qt.ItemDataRole.UserRole))
            item.setHidden(topic is None or not matches(topic, text))
        visible = self.visible_topics()
        self.count_label.setText(
            f"{len(visible)} of {len(self.topics)} topics" if visible and text.strip()
            else "" if visible else "No topic has these words."
        )  # fmt: skip
        current = self.list.currentItem()
        if visible and (current is None or current.isHidden()):
            self.show_topic(visible[0])
        elif not visible:
            self.browser.clear()
        else:
            self._mark(text)

    def _mark(self, text: str) -> None:
        """Highlight every word of `text` in the topic shown; scroll to the first."""
        marks: list[QTextEdit.ExtraSelection] = []
        document = self.browser.document()
        for word in text.split():
            cursor = document.find(word)
            while not cursor.isNull():
                mark = QTextEdit.ExtraSelection()
                fmt = QTextCharFormat()
                fmt.setBackground(HIGHLIGHT)
                mark.format = fmt  # type: ignore[misc]
                mark.cursor = cursor  # type: ignore[misc]
                marks.append(mark)
                cursor = document.find(word, cursor)
        self.browser.setExtraSelections(marks)
        if marks:
            first = QTextCursor(marks[0].cursor)
            first.clearSelection()
            self.browser.setTextCursor(first)
            self.browser.ensureCursorVisible()

    def _on_link(self, url: QUrl) -> None:
        if url.scheme() == LINK_SCHEME:
            self.show_topic(url.path())


def show_help(window: Any, help_window: HelpWindow | None = None) -> HelpWindow:
    """Open (or raise) the one help window of `window` at the topic of its current view.
    The topics are read again each time: the keyboard map follows the open review."""
    if help_window is None:
        help_window = HelpWindow(window)
    help_window.set_topics(load_topics(window))
    help_window.show_topic(topic_for(window))
    help_window.show()
    help_window.raise_()
    help_window.activateWindow()
    return help_window
