"""The help window (issue 13 item 7): F1 at the current view's topic, search, content
rendered from the domain's own constants, the keyboard map read from the real actions."""

from __future__ import annotations

import re

import pytest

from inspector_app.domain.calendar import FOCUS_REVIEW_MONTHS
from inspector_app.domain.enums import FindingKind
from inspector_app.domain.rules import FOLLOW_UP_THRESHOLD
from inspector_app.store.queries import list_reviews
from inspector_app.ui.help_window import (
    WORKSPACE_KEYS,
    HelpWindow,
    help_dir,
    load_topics,
    workspace_keys,
)
from inspector_app.ui.qt import QKeySequence, Qt, QUrl

pytestmark = pytest.mark.gui


def _review(db, kind: str) -> str:  # noqa: ANN001
    with db.read() as s:
        return next(r.review.id for r in list_reviews(s)
                    if r.review.kind == kind and r.review.start_date)  # fmt: skip


def _press_f1(qtbot, window) -> HelpWindow:  # noqa: ANN001
    window.activateWindow()
    qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_F1)
    help_window = window.help_window
    assert help_window is not None and help_window.isVisible()
    assert not help_window.isModal()
    return help_window


def test_f1_opens_one_window_at_the_current_views_topic(qtbot, demo_ctx, settings, open_window):  # noqa: ANN001
    window = open_window(demo_ctx, settings)
    help_window = _press_f1(qtbot, window)
    assert help_window.current_topic().key == "agencies"
    workspace = window.open_review(_review(demo_ctx.db, "jem_inspection"))
    workspace.checklist.view.setFocus()
    assert _press_f1(qtbot, window) is help_window  # reused, not a second window
    assert help_window.current_topic().key == "checklist"
    assert "Keys on an item" in help_window.browser.toPlainText()
    wso = window.open_review(_review(demo_ctx.db, "wso_review"))
    wso.tabs.setCurrentIndex(1)
    assert _press_f1(qtbot, window).current_topic().key == "wso-interviews"
    window.show_page("due")
    assert _press_f1(qtbot, window).current_topic().key == "due"
    window.show_page("conflicts")
    assert _press_f1(qtbot, window).current_topic().key == "sync"


def test_search_filters_topics_and_marks_words_inside(qtbot):  # noqa: ANN001
    help_window = HelpWindow()
    qtbot.addWidget(help_window)
    help_window.set_topics(load_topics())
    help_window.show_topic("agencies")
    every = help_window.visible_topics()
    assert len(every) >= 10
    qtbot.keyClicks(help_window.search, "outbox")  # a word inside the sync topic only
    assert help_window.visible_topics() == ["sync"]
    assert help_window.count_label.text() == f"1 of {len(every)} topics"
    assert help_window.current_topic().key == "sync"
    marks = help_window.browser.extraSelections()
    assert marks and all(m.cursor.selectedText().lower() == "outbox" for m in marks)
    help_window.search.setText("complaint poster")  # every word, in any order
    assert set(help_window.visible_topics()) == {"checklist", "follow-up"}
    help_window.search.setText("keyboard")  # a title
    assert "keyboard" in help_window.visible_topics()
    help_window.search.setText("zzzz-no-such-word")
    assert help_window.visible_topics() == []
    assert help_window.count_label.text() == "No topic has these words."
    help_window.search.clear()
    assert help_window.visible_topics() == every
    help_window.show_topic("reviews")  # its links open other topics in the same window
    assert 'href="topic:checklist"' in help_window.browser.toHtml()
    help_window.browser.anchorClicked.emit(QUrl("topic:checklist"))
    assert help_window.current_topic().key == "checklist"


def test_finding_kinds_and_follow_up_come_from_the_domain(qtbot):  # noqa: ANN001
    help_window = HelpWindow()
    qtbot.addWidget(help_window)
    help_window.set_topics(load_topics())
    help_window.show_topic("findings")
    shown = " ".join(help_window.browser.toPlainText().split())
    source = (help_dir() / "40-findings.md").read_text(encoding="utf-8")
    for kind in FindingKind:
        assert f"{kind.label}: {kind.definition}" in shown
        assert kind.definition not in source  # rendered from domain.enums, not copied
    help_window.show_topic("follow-up")
    shown = " ".join(help_window.browser.toPlainText().split())
    assert f"{FOLLOW_UP_THRESHOLD} or more" in shown
    assert f"focus review within {FOCUS_REVIEW_MONTHS} months" in shown


def _listed_keys(markdown: str) -> set[str]:
    keys = set()
    for row in re.findall(r"^\|(.+)\|$", markdown, flags=re.MULTILINE):
        cell = row.split("|")[-1].strip()
        if cell and cell not in ("Keys", "---"):
            keys.update(k.strip() for k in cell.split(","))
    return keys


def test_keyboard_map_lists_the_real_shortcuts(qtbot, demo_ctx, settings, open_window):  # noqa: ANN001
    window = open_window(demo_ctx, settings)
    workspace = window.open_review(_review(demo_ctx.db, "jem_inspection"))
    # the list used while no review is open is the workspace's own, in its order
    assert workspace_keys(workspace) == list(WORKSPACE_KEYS)
    help_window = _press_f1(qtbot, window)
    keyboard = help_window.topic("keyboard").markdown
    listed = _listed_keys(keyboard)
    assert {"Ctrl+Shift+F", "F9", "F1", "Ctrl+N", "Ctrl+L", "Ctrl+1", "Ctrl+R"} <= listed
    real = {s.toString(QKeySequence.SequenceFormat.NativeText)
            for owner in (window, workspace) for a in owner.actions() for s in a.shortcuts()}  # fmt: skip
    assert listed <= real, listed - real  # every key listed is one the app answers to
    help_window.show_topic("keyboard")
    assert "Raise finding from item…" in help_window.browser.toPlainText()
