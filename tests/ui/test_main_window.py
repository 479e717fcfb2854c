"""The main window: navigation, status bar, shortcuts, help, settings across restarts."""

from __future__ import annotations

import pytest

from inspector_app.services import reviews
from inspector_app.store.queries import list_reviews
from inspector_app.ui.qt import QApplication, QSettings, Qt
from tests.ui.conftest import make_ctx

pytestmark = pytest.mark.gui


def _alder_review(db) -> str:  # noqa: ANN001
    with db.read() as s:
        return next(r.review.id for r in list_reviews(s) if r.agency_name.startswith("Alder"))


def test_navigation_by_list_and_ctrl_digits(qtbot, demo_ctx, settings, open_window):  # noqa: ANN001
    window = open_window(demo_ctx, settings)
    assert window.current_key() == "agencies"
    window.activateWindow()
    for n, key in enumerate(["agencies", "reviews", "due", "findings", "reports"], start=1):
        qtbot.keyClick(window, getattr(Qt.Key, f"Key_{n}"), Qt.KeyboardModifier.ControlModifier)
        assert window.current_key() == key
        assert window.stack.currentWidget() is window.pages[key]
        assert window.nav.currentItem().data(Qt.ItemDataRole.UserRole) == key
    window.nav.setCurrentRow(1)
    assert window.current_key() == "reviews"
    # Ctrl+F goes to the current list's search box.
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.reviews.search


def _waiting_in(text: str) -> int:
    return int(text.split(" · ")[1].split()[0].replace(",", ""))


def test_status_bar_counts_waiting_changes(qtbot, demo_ctx, settings, open_window):  # noqa: ANN001
    window = open_window(demo_ctx, settings)
    assert window.db_label.text() == "demo.db"
    assert window.user_label.text() == "Signed in: Dana Whitfield"
    text = window.sync_status_text()
    assert text.startswith("Never synced · ") and text.endswith(" changes waiting")
    before = _waiting_in(text)
    assert before > 0  # the demo was written through the services: all of it is waiting
    review_id = _alder_review(demo_ctx.db)
    reviews.set_note(demo_ctx.db, review_id=review_id, item_key=_first_item(review_id, demo_ctx),
                     note="Poster seen in English only")  # fmt: skip
    qtbot.waitUntil(lambda: window.sync_status_text() != text, timeout=3000)
    assert _waiting_in(window.sync_status_text()) > before


def _first_item(review_id: str, ctx) -> str:  # noqa: ANN001
    with ctx.db.read() as s:
        from inspector_app.store.queries import load_review

        review = load_review(s, review_id).review
    return next(reviews.form_for(review).items()).key


def test_agency_page_from_the_list(qtbot, demo_ctx, settings, open_window):  # noqa: ANN001
    window = open_window(demo_ctx, settings)
    row = next(r for r in window.agencies.model.rows if r.name.startswith("Alder"))
    demo_ctx.sig_open_agency.emit(row.id)
    page = window.agency_page
    assert window.current_key() == "agency"
    assert page.title.text() == "Alder County Sheriff's Office"
    assert "Atlanta field office" in page.subtitle.text()
    assert [o.name for o in page.officers.rows] == sorted(o.name for o in page.officers.rows)
    assert len(page.reviews.rows) == 1 and page.reviews.rows[0].deficiencies == 3
    page.back_button.click()
    assert window.current_key() == "agencies"


def test_lapsed_training_is_highlighted_with_reason(qtbot, demo_ctx, settings, open_window):  # noqa: ANN001
    window = open_window(demo_ctx, settings)
    lapsed = []
    for agency in window.agencies.model.rows:
        window.show_agency(agency.id)
        lapsed += [o for o in window.agency_page.officers.rows if not o.compliant]
    assert lapsed, "the demo has officers whose training lapsed"
    officer = lapsed[0]
    window.show_agency(next(a.id for a in window.agencies.model.rows
                            if officer in _officers(window, a.id)))  # fmt: skip
    model = window.agency_page.officers
    row = model.rows.index(officer)
    index = model.index(row, [c.title for c in model.columns].index("Training"))
    assert index.data().startswith("Lapsed: ")
    assert "overdue" in index.data(Qt.ItemDataRole.ToolTipRole) or "no WSO course" in index.data()
    assert index.data(Qt.ItemDataRole.BackgroundRole) is not None


def _officers(window, agency_id):  # noqa: ANN001, ANN202
    window.show_agency(agency_id)
    return list(window.agency_page.officers.rows)


def _reopen(window, demo_db, settings_path, open_window):  # noqa: ANN001, ANN202
    window.close()
    window.ctx.close()
    settings = QSettings(str(settings_path), QSettings.Format.IniFormat)
    return open_window(make_ctx(demo_db, settings), settings)


def test_settings_restore_geometry_and_splitter(qtbot, demo_db, settings_path, open_window):  # noqa: ANN001
    settings = QSettings(str(settings_path), QSettings.Format.IniFormat)
    window = open_window(make_ctx(demo_db, settings), settings)
    window.resize(700, 520)  # smaller than the default 1280x800 (Qt keeps the minimum width)
    window.splitter.setSizes([230, 530])
    window.show_page("findings")
    size, left = (window.width(), window.height()), window.splitter.sizes()[0]
    assert size != (1280, 800) and left != 220  # not the defaults, so restoring means something
    again = _reopen(window, demo_db, settings_path, open_window)
    # Qt may adjust by a few pixels to the pages' minimum widths; the defaults are far off.
    assert again.height() == size[1] and abs(again.width() - size[0]) <= 8
    assert abs(again.splitter.sizes()[0] - left) <= 8
    assert again.current_key() == "findings"
    again.ctx.close()


def test_settings_restore_last_review(qtbot, demo_db, settings_path, open_window):  # noqa: ANN001
    review_id = _alder_review(demo_db)
    settings = QSettings(str(settings_path), QSettings.Format.IniFormat)
    window = open_window(make_ctx(demo_db, settings), settings)
    window.open_review(review_id)
    assert window.current_key() == f"review:{review_id}"
    assert window.open_list.count() == 1
    again = _reopen(window, demo_db, settings_path, open_window)
    assert again.current_key() == f"review:{review_id}"
    assert list(again.workspaces) == [review_id]
    assert again.stack.currentWidget() is again.workspaces[review_id]
    assert again.open_list.currentItem().text().startswith("Alder County")
    again.ctx.close()


def test_help_on_current_item(qtbot, demo_ctx, settings, open_window):  # noqa: ANN001
    window = open_window(demo_ctx, settings)
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_F1)  # the help window at the view's topic
    assert window.help_window.isVisible()
    assert window.help_window.current_topic().key == "agencies"
    assert "Next due" in window.help_window.browser.toPlainText()
    window.open_review(_alder_review(demo_ctx.db))
    window.show_help()  # the same window, now at the checklist
    assert window.help_window.current_topic().key == "checklist"


def test_closing_a_review_and_shutdown(qtbot, demo_ctx, settings, open_window):  # noqa: ANN001
    window = open_window(demo_ctx, settings)
    review_id = _alder_review(demo_ctx.db)
    workspace = window.open_review(review_id)
    assert window.undo_group.activeStack() is workspace.undo_stack
    window.close_current_review()
    assert review_id not in window.workspaces
    assert window.current_key() == "reviews"
    assert window.undo_group.activeStack() is None
    assert not window.open_list.isVisible()


def test_findings_list_filters_and_opens_at_the_finding(qtbot, demo_ctx, settings, open_window):  # noqa: ANN001
    window = open_window(demo_ctx, settings)
    window.show_page("findings")
    view = window.findings
    total = len(view.visible_rows())
    assert total == len(view.model.rows) > 0
    view.kind_filter.setCurrentText("Best practice")
    assert {r.kind for r in view.visible_rows()} == {"best_practice"}
    view.kind_filter.setCurrentText("All")
    view.search.setText("spanish POSTER")  # words in any order, any case
    rows = view.visible_rows()
    assert rows and all("spanish poster" in r.description.lower() for r in rows)
    target = rows[0]
    assert view.select_id(target.id)
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert window.current_key() == f"review:{target.review_id}"


def test_reviews_list_opens_on_enter_newest_first(qtbot, demo_ctx, settings, open_window):  # noqa: ANN001
    window = open_window(demo_ctx, settings)
    window.show_page("reviews")
    view = window.reviews
    starts = [r.review.start_date or r.review.planned_start or r.review.due_date
              for r in view.visible_rows()]  # fmt: skip
    assert starts == sorted(starts, reverse=True)
    view.status_filter.setCurrentText("Report draft")
    (row,) = view.visible_rows()
    assert row.agency_name.startswith("Alder")
    view.table.setFocus()
    view.table.setCurrentIndex(view.proxy.index(0, 0))
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert window.current_key() == f"review:{row.review.id}"


def test_open_database_refuses_a_bad_file_in_one_line(qtbot, demo_ctx, settings, open_window,
                                                      tmp_path, monkeypatch):  # noqa: ANN001  # fmt: skip
    from inspector_app.ui.qt import QMessageBox

    window = open_window(demo_ctx, settings)
    bad = tmp_path / "photo.db"
    bad.write_bytes(b"\xff\xd8\xff not a database")
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: shown.append(text))
    assert window.switch_database(bad) is None
    assert len(shown) == 1 and "not an Inspector database" in shown[0]
    assert window.isVisible()  # still working on the database it had


def test_open_database_switches_windows(qtbot, demo_ctx, settings, open_window, demo_db_path,
                                        tmp_path):  # noqa: ANN001  # fmt: skip
    from tests.conftest import copy_database
    from tests.ui.conftest import wait_loaded

    other = copy_database(demo_db_path, tmp_path / "other.db")
    window = open_window(demo_ctx, settings)
    new = window.switch_database(other)
    qtbot.addWidget(new)
    assert new is not None and new is not window
    assert not window.isVisible() and new.isVisible()
    assert new.ctx.db.path == other and new.db_label.text() == "other.db"
    wait_loaded(qtbot, new.agencies, new.reviews, new.findings)
    new.close()  # owns its database: closes it


def test_a_review_opened_from_the_window_starts_on_its_first_item(qtbot, demo_ctx, settings,
                                                                   open_window):  # noqa: ANN001  # fmt: skip
    """Opening a review from an already visible window lands on the first checklist item,
    its prompt shown beside it, so the keys 1/2/3 answer it straight away."""
    window = open_window(demo_ctx, settings)
    workspace = window.open_review(_alder_review(demo_ctx.db))
    view = workspace.checklist.view
    qtbot.waitUntil(lambda: view.current_key() is not None, timeout=3000)
    first = view.source().entries()[0]
    assert view.current_key() == first.key
    assert workspace.detail.prompt.text() == first.prompt


def test_the_first_integrity_check_runs_soon_after_start_and_damage_stays_shown(
    qtbot,
    demo_ctx,
    settings,
    open_window,
    monkeypatch,  # noqa: ANN001
):
    """The daily backup checks only the first open of a day: the window checks again soon
    after it starts, then every 30 minutes; damage found stays in the status bar."""
    from inspector_app.store.errors import CorruptDatabase
    from inspector_app.ui import main_window as mw

    monkeypatch.setattr(mw, "FIRST_INTEGRITY_CHECK_MS", 20)
    calls: list[int] = []

    def damaged() -> None:
        calls.append(1)
        raise CorruptDatabase(demo_ctx.db.path, "page 7: btree cell out of order")

    monkeypatch.setattr(demo_ctx.db, "check_integrity", damaged)
    window = open_window(demo_ctx, settings)
    qtbot.waitUntil(lambda: bool(calls), timeout=5000)
    qtbot.waitUntil(lambda: "damaged" in window.statusBar().currentMessage(), timeout=5000)
    assert window._integrity_timer.interval() == mw.INTEGRITY_CHECK_MS
    window.problem_box.close()
