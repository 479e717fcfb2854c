"""Sync in the window: the status bar's sync state, the Connect dialog, the Sync action
(F9) against the real server, and the Conflicts view resolving a conflict two laptops
made (both sides shown, "Keep theirs", the other laptop gets the kept value)."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from inspector_app.services import reviews
from inspector_app.services.errors import Conflict
from inspector_app.services.review_views import review_rows
from inspector_app.services.sync import (
    ConflictRow,
    SyncCancelled,
    SyncError,
    SyncProgress,
    SyncStatus,
    sync,
    sync_status,
)
from inspector_app.store import queries
from inspector_app.store.database import open_database
from inspector_app.ui.conflict_text import readable, when_text
from inspector_app.ui.conflicts_view import ConflictsView
from inspector_app.ui.connect_dialog import ConnectDialog, url_problem
from inspector_app.ui.launch import make_application
from inspector_app.ui.qt import (
    QApplication,
    QLineEdit,
    QPushButton,
    QSettings,
    Qt,
    QTextBrowser,
)
from inspector_app.ui.workspace.checklist_model import COL_ANSWER
from tests.serverfixtures import ServerProc, running_server
from tests.ui.conftest import make_ctx, wait_loaded

pytestmark = pytest.mark.gui

OFFICE = "ATL"  # the demo's Atlanta field office: laptop B holds only its rows
GALLERY = Path(__file__).resolve().parents[2] / "docs" / "gallery"


def _waiting(text: str) -> int:
    """The N of '... · N changes waiting'."""
    part = text.split(" · ")[1]
    return 0 if part == "nothing waiting" else int(part.split()[0].replace(",", ""))


def _open_review(db) -> tuple[str, str]:  # noqa: ANN001
    """An in-progress review of the demo and its first checklist item."""
    row = next(r for r in review_rows(db) if r.review.status == "in_progress"
               and r.review.kind != "focus_review")  # fmt: skip
    return row.review.id, next(iter(reviews.form_for(row.review).items())).key


# --- the status bar ---------------------------------------------------------------------


def test_status_bar_before_the_first_sync(qtbot, demo_ctx, settings, open_window):  # noqa: ANN001
    window = open_window(demo_ctx, settings)
    text = window.sync_status_text()
    assert text.startswith("Never synced · ") and text.endswith(" changes waiting")
    before = _waiting(text)
    assert before > 0  # the demo was written through the services: all of it waits
    assert not window.conflicts_button.isVisibleTo(window)  # no conflicts: no link
    assert "Not connected" in window.sync_label.toolTip()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    qtbot.keyClick(window, Qt.Key.Key_7, Qt.KeyboardModifier.ControlModifier)  # the next view
    assert window.current_key() == "conflicts"
    assert window.nav.currentItem().text() == "Conflicts"
    assert window.commands["sync"].shortcut().toString() == "F9"
    assert window.sync_button.defaultAction() is window.commands["sync"]
    review_id, item = _open_review(demo_ctx.db)
    reviews.record_answer(demo_ctx.db, review_id=review_id, item_key=item, value="no")
    qtbot.waitUntil(lambda: window.sync_status_text() != text, timeout=3000)
    assert _waiting(window.sync_status_text()) > before


def test_last_sync_reads_as_local_time():
    now = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
    assert when_text(now, now) == f"{now.astimezone():%H:%M}"
    assert when_text(datetime(2026, 10, 1, 9, 5, tzinfo=UTC), now).startswith("2026-")


# --- the Connect dialog -------------------------------------------------------------------


def test_connect_dialog_needs_an_http_address_and_a_token(qtbot):  # noqa: ANN001
    dialog = ConnectDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    ok = dialog.ok_button
    assert dialog.token_edit.echoMode() == QLineEdit.EchoMode.Password
    assert not ok.isEnabled() and dialog.hint.text() == ""  # nothing typed: nothing scolded
    dialog.url_edit.setText("inspector.example.gov")
    assert not ok.isEnabled() and "https://" in dialog.hint.text()
    dialog.url_edit.setText("https://inspector.example.gov/")
    assert not ok.isEnabled()  # no token yet
    assert "token" in ok.toolTip()
    qtbot.keyClicks(dialog.token_edit, "tok-123")
    assert ok.isEnabled() and dialog.hint.text() == ""
    assert dialog.server() == "https://inspector.example.gov" and dialog.token() == "tok-123"
    for bad in ("ftp://inspector.example.gov", "https://", "https://host:99999", "http://a b"):
        dialog.url_edit.setText(bad)
        assert not ok.isEnabled(), bad
        assert dialog.hint.text() == url_problem(bad) != ""
    dialog.url_edit.setText("http://10.0.0.5:8080")  # allowed, with a warning
    assert ok.isEnabled() and "unencrypted" in dialog.hint.text()
    dialog.url_edit.setText("http://127.0.0.1:8000")
    assert ok.isEnabled() and dialog.hint.text() == ""
    dialog.token_edit.clear()
    assert not ok.isEnabled()
    qtbot.keyClick(dialog.url_edit, Qt.Key.Key_Return)  # Enter does not get past it either
    assert dialog.isVisible() and dialog.result() == 0


# --- conflict values read as text -------------------------------------------------------


def test_conflict_values_read_as_text():
    assert readable("no", "checklist_response", "value") == "No"
    assert readable("not_understood", "interview_answer", "value") == "Not understood"
    assert readable("in_progress", "review", "status") == "In progress"
    assert readable(None) == "(empty)" and readable("  ") == "(empty)"
    assert readable("2026-11-02", "review", "end_date") == "2026-11-02"
    assert readable(True, "officer", "deleted") == "Deleted"
    change = {"status": "report_draft", "end_date": "2026-10-30", "rev": 4, "team": ["A", "B"]}
    assert readable(change, "review").splitlines() == [
        "Status: Report draft", "End date: 2026-10-30", "Team: A, B",
    ]  # fmt: skip
    long = "word " * 200
    assert readable(long, "finding", "description") == long  # wrapped by the view, not cut


# --- against the real server ----------------------------------------------------------


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProc]:
    """The real central service (a subprocess) on a SQLite file."""
    logs = tmp_path / "server"
    logs.mkdir()
    with running_server(f"sqlite:///{logs / 'server.db'}", logs) as proc:
        yield proc


def _sync_with_f9(qtbot, window, server: ServerProc | None = None, user: str = "") -> None:  # noqa: ANN001
    """Press F9 and wait for the sync to end; the first time, fill in the Connect dialog."""
    action = window.commands["sync"]
    assert action.isEnabled()
    window.activateWindow()  # F9 is a window shortcut: it goes to the active window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    qtbot.keyClick(window, Qt.Key.Key_F9)
    if server is not None:
        qtbot.waitUntil(lambda: window.sync_runner.connect_dialog is not None, timeout=3000)
        dialog = window.sync_runner.connect_dialog
        assert dialog.windowTitle() == "Connect to server" and not dialog.ok_button.isEnabled()
        qtbot.keyClicks(dialog.url_edit, server.url)
        qtbot.keyClicks(dialog.token_edit, server.add_user(user, "inspector", OFFICE))
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert not action.isEnabled()  # one sync at a time
    qtbot.waitUntil(lambda: not window.sync_runner.running, timeout=90_000)
    assert action.isEnabled()


def _yes_no_item(db, review_id: str) -> str:  # noqa: ANN001
    """A yes/no item of the review, cleared so both laptops start from no answer."""
    with db.read() as s:
        review = queries.load_review(s, review_id).review
    item = next(i.key for i in reviews.form_for(review).items()
                if {"yes", "no"} <= set(i.valid_values() or ()))  # fmt: skip
    reviews.record_answer(db, review_id=review_id, item_key=item, value=None)
    return item


def _value(db, review_id: str, item: str) -> str | None:  # noqa: ANN001
    with db.read() as s:
        found = queries.load_review(s, review_id).responses.get(item)
    return found.value if found is not None else None


def _office_review(db) -> str:  # noqa: ANN001
    """The demo's in-progress review (of an agency of OFFICE: laptop B receives it)."""
    return next(r.review.id for r in review_rows(db) if r.review.status == "in_progress"
                and r.review.kind != "focus_review")  # fmt: skip


def test_sync_and_resolve_a_conflict_between_two_laptops(
    qtbot, tmp_path, server, demo_ctx, settings, open_window  # noqa: ANN001
):  # fmt: skip
    # Laptop A (the demo) syncs with F9: never enrolled, so it asks for server and token.
    a_window = open_window(demo_ctx, settings)
    a = demo_ctx.db
    review_id = _office_review(a)
    item = _yes_no_item(a, review_id)
    _sync_with_f9(qtbot, a_window, server, "Dana Whitfield")
    message = a_window.statusBar().currentMessage()
    assert message.startswith("Synced: pushed ") and ", 0 new conflicts" in message
    assert "other field offices" in message  # the demo laptop holds HOU rows too
    assert int(message.split()[2].rstrip(",").replace(",", "")) > 0
    assert a_window.sync_status_text().startswith("Last sync ")
    assert server.url in a_window.sync_label.toolTip()

    # Laptop B: a new, empty database, enrolled in the same field office; it pulls A's work.
    b = open_database(tmp_path / "b" / "inspector.db", user="Marcus Reyes", daily_backup=False)
    b_ctx = make_ctx(b, QSettings(str(tmp_path / "b.ini"), QSettings.Format.IniFormat))
    b_window = None
    try:
        sync(b, server=server.url, token=server.add_user("Marcus Reyes", "inspector", OFFICE))
        assert _office_review(b) == review_id and _value(b, review_id, item) is None
        b_window = open_window(b_ctx, b_ctx.settings)
        assert b_window.sync_status_text().startswith("Last sync ")

        # Both answer the same item differently; A's reaches the server first.
        reviews.record_answer(a, review_id=review_id, item_key=item, value="yes")
        reviews.record_answer(b, review_id=review_id, item_key=item, value="no")
        _sync_with_f9(qtbot, a_window)
        _sync_with_f9(qtbot, b_window)  # B's answer meets A's: a conflict, and the view opens
        assert b_window.current_key() == "conflicts"
        assert " new conflict" in b_window.statusBar().currentMessage()
        view = b_window.pages["conflicts"]
        wait_loaded(qtbot, view)
        qtbot.waitUntil(lambda: b_window.conflicts_button.isVisible(), timeout=3000)
        count = sync_status(b).open_conflicts
        assert b_window.conflicts_button.text() == f"· {count} conflict{'s' * (count != 1)}"
        row = next(r for r in view.model.rows if r.field == "value")
        assert item in row.what and row.client_user == "Marcus Reyes"
        assert view.select_id(row.id) and view.current == row
        # Both values, side by side, as a person reads them.
        assert view.server_side.title.text() == "On the server (shown now)"
        assert view.server_side.text.toPlainText() == "Yes"
        assert view.client_side.title.text() == "From Marcus Reyes's laptop"
        assert view.client_side.text.toPlainText() == "No"
        assert view.keep_client.isEnabled() and view.keep_server.isEnabled()
        _grab_gallery(b_window, tmp_path)

        qtbot.mouseClick(view.keep_client, Qt.MouseButton.LeftButton)  # "Keep theirs"
        qtbot.waitUntil(lambda: row.id not in {r.id for r in view.model.rows}, timeout=5000)
        qtbot.waitUntil(lambda: sync_status(b).open_conflicts == count - 1, timeout=3000)
        qtbot.waitUntil(lambda: _conflicts_shown(b_window) == count - 1, timeout=3000)
        assert _value(b, review_id, item) == "no"

        # The choice travels: B sends it, A brings it back into its open workspace.
        workspace = a_window.open_review(review_id)
        answer = workspace.model.index_of(item, COL_ANSWER)
        assert answer.data() == "Yes"
        _sync_with_f9(qtbot, b_window)
        _sync_with_f9(qtbot, a_window)
        assert _value(a, review_id, item) == "no"
        qtbot.waitUntil(lambda: workspace.model.index_of(item, COL_ANSWER).data() == "No",
                        timeout=5000)  # fmt: skip
    finally:
        if b_window is not None:
            b_window.close()
        b_ctx.close()
        b.close()


def _conflicts_shown(window) -> int:  # noqa: ANN001
    if not window.conflicts_button.isVisibleTo(window):
        return 0
    return int(window.conflicts_button.text().split()[1])


def _grab_gallery(window, tmp_path: Path) -> None:  # noqa: ANN001
    """The Conflicts view at 1366x768; into docs/gallery when INSPECTOR_UPDATE_GALLERY=1."""
    app = QApplication.instance()
    sheet, style = app.styleSheet(), app.style().name()
    make_application()  # the app's own look (Fusion and its style sheet), as users see it
    try:
        window.resize(1366, 768)
        for _ in range(5):
            QApplication.processEvents()
        image = window.grab().toImage()
    finally:
        app.setStyleSheet(sheet)
        app.setStyle(style)
    assert (image.width(), image.height()) == (1366, 768)
    path = tmp_path / "11-conflicts.png"
    assert image.save(str(path), "PNG", 9)
    if os.environ.get("INSPECTOR_UPDATE_GALLERY") == "1":
        shutil.copy(path, GALLERY / "11-conflicts.png")


# --- the Sync action's own paths (the service replaced, to reach each outcome) ----------


def _enrolled(monkeypatch, **status) -> None:  # noqa: ANN001
    """Make the window believe this laptop is enrolled (no Connect dialog)."""
    from inspector_app.ui import main_window, sync_action

    fields = {
        "server": "https://inspector.example.gov",
        "user": "Dana Whitfield",
        "role": "inspector",
        "last_success": None,
        "waiting": 3,
        "open_conflicts": 0,
    }
    fields.update(status)  # fmt: skip
    for module in (main_window, sync_action):
        monkeypatch.setattr(module, "sync_status", lambda _db: SyncStatus(**fields))


def test_a_failed_sync_is_one_line(qtbot, demo_ctx, settings, open_window, monkeypatch):  # noqa: ANN001
    from inspector_app.ui import sync_action

    def refuse(db, **_kw):  # noqa: ANN001, ANN202
        raise SyncError("server unreachable: connection refused; 3 changes still waiting")

    _enrolled(monkeypatch)
    monkeypatch.setattr(sync_action, "sync", refuse)
    window = open_window(demo_ctx, settings)
    assert window.sync_status_text() == "Never synced · 3 changes waiting"
    _sync_with_f9(qtbot, window)
    line = "server unreachable: connection refused; 3 changes still waiting"
    assert window.statusBar().currentMessage() == f"Sync failed: {line}"
    box = window.sync_runner.error_box
    assert box is not None and box.isVisible() and box.text() == line
    box.close()


def test_cancel_stops_the_sync(qtbot, demo_ctx, settings, open_window, monkeypatch):  # noqa: ANN001
    """The progress dialog comes after 600 ms with the service's message; Cancel makes
    `cancelled()` true and the service's SyncCancelled ends it quietly."""
    from inspector_app.ui import sync_action

    def slow(db, *, server, token, progress, cancelled):  # noqa: ANN001, ANN202
        assert server is None and token is None  # enrolled: nothing to pass
        n = 0
        while not cancelled():
            progress(SyncProgress("push", n, 1000, f"Pushing {n:,} of 1,000 changes"))
            n = min(n + 1, 999)
            time.sleep(0.02)
        raise SyncCancelled("sync cancelled: 998 changes still waiting")

    _enrolled(monkeypatch, last_success=datetime.now(UTC), open_conflicts=2)
    monkeypatch.setattr(sync_action, "sync", slow)
    window = open_window(demo_ctx, settings)
    assert window.sync_status_text().startswith("Last sync ")
    assert window.sync_status_text().endswith(" · 3 changes waiting · 2 conflicts")
    window.conflicts_button.click()  # the link opens the Conflicts view
    assert window.current_key() == "conflicts"
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    qtbot.keyClick(window, Qt.Key.Key_F9)
    task = window.sync_runner.task
    assert task is not None and not window.commands["sync"].isEnabled()
    qtbot.waitUntil(lambda: task.dialog.isVisible(), timeout=5000)
    qtbot.waitUntil(lambda: task.dialog.labelText().startswith("Pushing "), timeout=3000)
    assert window.statusBar().currentMessage().startswith("Pushing ")
    cancel = next(b for b in task.dialog.findChildren(QPushButton) if b.text() == "Cancel")
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.sync_runner.running, timeout=5000)
    assert window.commands["sync"].isEnabled()
    assert window.statusBar().currentMessage() == "sync cancelled: 998 changes still waiting"
    assert window.sync_runner.error_box is None  # cancelling is not an error


# --- the Conflicts view on its own ---------------------------------------------------------


def _conflict(**fields) -> ConflictRow:  # noqa: ANN003
    row = {"id": "c1", "rev": 1, "table": "review", "row_id": "r1", "what": "review 1a2b3c4d",
           "field": "*", "server_value": None, "reason": "final", "client_user": "Marcus Reyes",
           "client_value": {"status": "in_progress", "end_date": "2026-10-30"},
           "created_at": datetime(2026, 10, 31, 16, 40, tzinfo=UTC)}  # fmt: skip
    row.update(fields)
    return ConflictRow(**row)


def test_conflicts_view_final_refusal_and_empty_state(qtbot, demo_ctx, monkeypatch):  # noqa: ANN001
    from inspector_app.ui import conflicts_view

    rows = [_conflict(), _conflict(id="c2", field="note", reason="same field", table="finding",
                                   server_value="Seen " * 80, client_value="Not seen")]  # fmt: skip
    monkeypatch.setattr(conflicts_view, "open_conflicts", lambda _db: list(rows))

    def refuse(db, conflict_id, keep, base_rev):  # noqa: ANN001, ANN202
        raise Conflict("conflict c2 was already resolved by Priya Natarajan (kept client)")

    monkeypatch.setattr(conflicts_view, "resolve_conflict", refuse)
    view = ConflictsView(demo_ctx)
    qtbot.addWidget(view)
    view.resize(1100, 700)
    view.show()
    wait_loaded(qtbot, view)
    assert view.select_id("c1")
    assert view.heading.text() == "review 1a2b3c4d — Whole change"
    assert view.client_side.text.toPlainText() == "Status: In progress\nEnd date: 2026-10-30"
    assert not view.keep_client.isEnabled() and view.keep_server.isEnabled()
    assert view.note.text() == "The review is final: amend it to apply this change"
    assert view.select_id("c2")
    assert view.keep_client.isEnabled() and view.note.text() == ""
    assert view.server_side.text.toPlainText() == "Seen " * 80  # whole, wrapped to the width
    assert view.server_side.text.lineWrapMode() == QTextBrowser.LineWrapMode.WidgetWidth
    view.keep_client.click()
    wait_loaded(qtbot, view)
    assert view.note.text() == "conflict c2 was already resolved by Priya Natarajan (kept client)"
    rows.clear()
    view.reload()
    qtbot.waitUntil(lambda: view.empty.isVisible(), timeout=3000)
    assert view.empty.text() == (
        "No conflicts. When two laptops change the same thing, both values are kept here "
        "until someone chooses."
    )
    assert not view.splitter.isVisible()
