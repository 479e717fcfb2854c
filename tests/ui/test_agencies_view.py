"""The agencies list: due dates and colours, search and filters, 1,000 rows stay quick."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest

from inspector_app.domain.calendar import DueState
from inspector_app.ui.agencies_view import AgenciesView, AgencyRow, load_agency_rows
from inspector_app.ui.qt import Qt
from tests.conftest import DEMO_TODAY
from tests.ui.conftest import wait_loaded

pytestmark = pytest.mark.gui


@pytest.fixture
def view(qtbot, demo_ctx):  # noqa: ANN001
    widget = AgenciesView(demo_ctx)
    qtbot.addWidget(widget)
    widget.resize(1100, 500)
    widget.show()
    wait_loaded(qtbot, widget)
    yield widget
    widget.wait_idle()


def _names(view: AgenciesView) -> list[str]:
    return [r.name for r in view.visible_rows()]


def test_demo_agencies_with_due_dates_and_colours(view: AgenciesView):
    rows = {r.name: r for r in view.model.rows}
    assert len(rows) == 7
    fallon = rows["Fallon County Sheriff's Office"]
    assert fallon.programs == ("JEM", "WSO")
    assert fallon.due_state == DueState.OVERDUE  # its JEM agreement was never inspected
    alder = rows["Alder County Sheriff's Office"]
    # Its inspection's report is still a draft: the review has not ended (issue 13
    # defect 4), so it neither shows as the last review nor resets the two-year clock.
    assert alder.last_review is None
    assert alder.next_due == date(2027, 9, 28)  # two years after its MOA was signed
    bexley = rows["Bexley County Sheriff's Office"]
    assert bexley.last_review == date(2026, 5, 28)  # its final inspection ended then
    assert alder.open_findings == 5  # deficiencies and areas of concern, not the best practice
    # The overdue cell says so in words and is tinted.
    row = _names(view).index(fallon.name)
    col = [c.title for c in view.model.columns].index("Next due")
    index = view.proxy.index(row, col)
    assert "(overdue)" in index.data()
    assert index.data(Qt.ItemDataRole.BackgroundRole) is not None
    assert _names(view) == sorted(_names(view), key=str.casefold)


def test_search_and_filters(qtbot, view: AgenciesView):  # noqa: ANN001
    qtbot.keyClicks(view.search, "fallon")
    assert _names(view) == ["Fallon County Sheriff's Office"]
    view.search.clear()
    assert len(_names(view)) == 7
    view.state_filter.setCurrentText("TX")
    assert set(_names(view)) == {"Fallon County Sheriff's Office", "Granite Bay County Jail"}
    view.model_filter.setCurrentText("JEM")
    assert _names(view) == ["Fallon County Sheriff's Office"]
    view.state_filter.setCurrentText("All")
    view.model_filter.setCurrentText("All")
    view.due_filter.setCurrentText("Overdue")
    assert set(_names(view)) == {
        "Fallon County Sheriff's Office", "Granite Bay County Jail",
        "Elk Ridge County Sheriff's Department",
    }  # fmt: skip
    view.due_filter.setCurrentText("Any due date")
    view.office_filter.setCurrentText("Houston")
    assert len(_names(view)) == 2
    assert view.count_label.text() == "2 of 7"


def test_double_click_opens_agency(qtbot, view: AgenciesView, demo_ctx):  # noqa: ANN001
    index = view.proxy.index(0, 0)
    rect = view.table.visualRect(index)
    viewport = view.table.viewport()
    with qtbot.waitSignal(demo_ctx.sig_open_agency) as blocker:
        # QTest needs the press/release before the double-click to report one.
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == [view.visible_rows()[0].id]
    # Enter on the current row opens it too.
    view.table.setFocus()
    view.table.setCurrentIndex(view.proxy.index(1, 0))
    with qtbot.waitSignal(demo_ctx.sig_open_agency) as blocker:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert blocker.args == [view.visible_rows()[1].id]


def test_list_follows_changes(qtbot, view: AgenciesView, demo_ctx):  # noqa: ANN001
    from inspector_app.services.agencies import create_agency

    with qtbot.waitSignal(view.sig_loaded, timeout=5000):
        create_agency(demo_ctx.db, name="Zephyr County Jail", state="NM")
    assert "Zephyr County Jail" in _names(view)
    assert "NM" in [view.state_filter.itemText(i) for i in range(view.state_filter.count())]


def test_load_is_quick_and_thousand_rows_filter_fast(qtbot, view: AgenciesView, demo_db):  # noqa: ANN001
    start = time.perf_counter()
    load_agency_rows(demo_db, DEMO_TODAY)
    assert time.perf_counter() - start < 0.5
    rows = [
        AgencyRow(id=str(i), name=f"Agency {i:04d}", state=("TX", "GA", "NC")[i % 3], county="",
                  field_office="Atlanta", programs=("JEM",) if i % 2 else ("WSO",), officers=3,
                  last_review=None, last_review_kind="", next_due=DEMO_TODAY + timedelta(days=i - 500),
                  due_program="JEM", due_state=DueState.OK, open_findings=i % 4)
        for i in range(1000)
    ]  # fmt: skip
    start = time.perf_counter()
    view._on_loaded(rows)
    view.model_filter.setCurrentText("JEM")
    view.search.setText("agency 012")
    view.table.sortByColumn(6, Qt.SortOrder.DescendingOrder)
    elapsed = time.perf_counter() - start
    assert [r.name for r in view.visible_rows()] == [f"Agency 012{i}" for i in (9, 7, 5, 3, 1)]
    assert elapsed < 0.5, f"filtering 1,000 agencies took {elapsed:.3f}s"
