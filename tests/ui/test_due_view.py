"""The Due screen over the demo: what a program manager sees and can open."""

from __future__ import annotations

from inspector_app.services import corrective_actions as ca
from inspector_app.services import review_views as rv
from inspector_app.services import reviews, schedule
from inspector_app.services.schedule import Category
from inspector_app.ui.due_view import DueView
from inspector_app.ui.qt import Qt
from tests.ui.conftest import make_ctx


def _rows(view: DueView, category: str) -> list[list[str]]:
    proxy = view.tables[category].proxy
    return [[proxy.index(r, c).data() for c in range(proxy.columnCount())]
            for r in range(proxy.rowCount())]  # fmt: skip


def test_due_view_shows_every_category_sorted_by_date(qtbot, demo_db):
    ctx = make_ctx(demo_db)
    view = DueView(ctx)
    qtbot.addWidget(view)
    assert "As of 2026-11-02" in view.summary.text() and "overdue" in view.summary.text()
    agreements = _rows(view, Category.AGREEMENT)
    assert len(agreements) == 9
    dues = [r[3] for r in agreements]
    assert dues == sorted(dues)
    fallon = [r for r in agreements if r[0].startswith("Fallon") and r[1] == "JEM"]
    assert fallon and fallon[0][4] == "Overdue" and fallon[0][2] == "never"
    assert _rows(view, Category.REQUEST_FORM)[0][3] == "Sent"
    assert [r[3] for r in _rows(view, Category.FOCUS_REVIEW)] == ["Due soon"]
    states = {r[5] for r in _rows(view, Category.CORRECTIVE_ACTION)}
    assert {"Done on time", "Done late", "Overdue"} <= states
    assert view.tabs.tabText(3) == "Corrective actions 5 (2 overdue)"
    # Sorting by another column and back by due date (descending).
    table = view.tables[Category.CORRECTIVE_ACTION].table
    table.sortByColumn(4, Qt.SortOrder.DescendingOrder)
    dues = [r[4] for r in _rows(view, Category.CORRECTIVE_ACTION)]
    assert dues == sorted(dues, reverse=True)
    ctx.close()


def test_double_click_opens_the_review_or_agency(qtbot, demo_db):
    ctx = make_ctx(demo_db)
    view = DueView(ctx)
    qtbot.addWidget(view)
    focus = view.tables[Category.FOCUS_REVIEW]
    with qtbot.waitSignal(ctx.sig_open_review) as opened:
        focus.table.doubleClicked.emit(focus.proxy.index(0, 0))
    assert opened.args == [focus.item_at(0).review_id]
    agreements = view.tables[Category.AGREEMENT]
    with qtbot.waitSignal(ctx.sig_open_agency) as opened:
        agreements.table.doubleClicked.emit(agreements.proxy.index(0, 0))
    assert opened.args == [agreements.item_at(0).agency_id]
    ctx.close()


def test_due_view_refreshes_when_an_action_is_completed(qtbot, demo_db):
    ctx = make_ctx(demo_db)
    view = DueView(ctx)
    qtbot.addWidget(view)
    view.show()  # a hidden Due view only refreshes once shown
    qtbot.waitExposed(view)
    overdue = next(i for i in view.items
                   if i.category == Category.CORRECTIVE_ACTION and i.state == "overdue")  # fmt: skip
    ca.complete_action(demo_db, overdue.ref_id, completed_on=ctx.today, today=ctx.today)
    qtbot.waitUntil(lambda: view.tabs.tabText(3) == "Corrective actions 5 (1 overdue)")
    ctx.close()


def test_column_titles_are_not_cut_off(qtbot, demo_ctx) -> None:  # noqa: ANN001
    view = DueView(demo_ctx)
    qtbot.addWidget(view)
    for table in view.tables.values():
        header = table.table.horizontalHeader()
        for n in range(header.count() - 1):  # the last one stretches
            assert header.sectionSize(n) >= header.sectionSizeHint(n), (
                table.category,
                table.model.headerData(n, Qt.Orientation.Horizontal),
            )


def test_hidden_due_view_skips_answers_and_refreshes_once_shown(qtbot, demo_db, monkeypatch):  # noqa: ANN001
    """Answers never move a due date: the Due view does not recompute for them, shown or
    not. A change that can (a corrective action done) while hidden is counted once, when
    the view is shown again."""
    ctx = make_ctx(demo_db)
    view = DueView(ctx)
    qtbot.addWidget(view)
    calls: list[object] = []
    real = schedule.due_items
    monkeypatch.setattr(schedule, "due_items", lambda *a, **k: calls.append(1) or real(*a, **k))
    review_id = next(r.review.id for r in rv.review_rows(demo_db)
                     if r.review.status == "report_draft" and r.review.kind == "jem_inspection")  # fmt: skip
    key = next(iter(reviews.form_for(rv.review(demo_db, review_id)).items())).key
    view.show()
    qtbot.waitExposed(view)
    reviews.record_answer(demo_db, review_id=review_id, item_key=key, value="no")
    view.hide()
    reviews.record_answer(demo_db, review_id=review_id, item_key=key, value="yes")
    overdue = next(i for i in view.items
                   if i.category == Category.CORRECTIVE_ACTION and i.state == "overdue")  # fmt: skip
    ca.complete_action(demo_db, overdue.ref_id, completed_on=ctx.today, today=ctx.today)
    qtbot.waitUntil(lambda: view.refresher.stale)  # heard while hidden: marked, not counted
    assert calls == [] and view.tabs.tabText(3) == "Corrective actions 5 (2 overdue)"
    view.show()
    qtbot.waitUntil(lambda: view.tabs.tabText(3) == "Corrective actions 5 (1 overdue)")
    assert len(calls) == 1
    ctx.close()
