"""The Program view: figures for a chosen year and model, drill-down to the reviews and
findings behind a number, opening a review from there, charts, and export."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from inspector_app.services.history_import import import_history
from inspector_app.ui.program_view import KEY_ROLE, ProgramView, Tabs
from tests.ui.conftest import make_ctx

HAND_BUILT = Path(__file__).parents[1] / "data" / "history" / "hand_built.csv"


@pytest.fixture
def view(qtbot, db):  # noqa: ANN001
    import_history(db, HAND_BUILT)
    ctx = make_ctx(db)
    v = ProgramView(ctx)
    qtbot.addWidget(v)
    with qtbot.waitSignal(v.sig_loaded, timeout=10000):
        v.show()  # the first count starts when the view is first shown
    with qtbot.waitSignal(v.sig_loaded, timeout=10000):
        v.fy_box.setValue(2024)
    yield v
    ctx.close()


def _figure(v: ProgramView, label: str):  # noqa: ANN202
    m = v.summary_model
    for r in range(m.rowCount()):
        if m.item(r, 0).text() == label:
            return m.item(r, 1)
    raise AssertionError(label)


def test_figures_for_the_chosen_year_and_model(qtbot, view):
    # OPR figures: final JEM inspections only (issue 12)
    assert _figure(view, "Inspections").text() == "3"
    assert _figure(view, "Agencies with findings").text() == "2"
    assert _figure(view, "Deficiencies resolved").text() == "2"
    assert "FY2024: 3 inspections" in view.status.text()
    with qtbot.waitSignal(view.sig_loaded, timeout=10000):
        view.model_box.setCurrentIndex(view.model_box.findData("WSO"))
    assert _figure(view, "Inspections").text() == "1"
    assert _figure(view, "Deficiencies").text() == "0"
    names = [view.measures_model.item(r, 0).text() for r in range(view.measures_model.rowCount())]
    assert "Deficiencies remediated on time" in names
    assert view.trend_chart.chart().series()[0].count() == 2  # inspected, with findings


def test_drill_down_from_a_number_and_open_a_review(qtbot, view):
    item = _figure(view, "Areas of concern by ICE")
    assert item.data(KEY_ROLE) == "by_responsible.ice.areas_of_concern"
    view.summary_table.doubleClicked.emit(item.index())
    assert view.tabs.currentIndex() == Tabs.DETAILS
    assert view.detail_model.rowCount() == 1
    assert "1 row(s)" in view.detail_title.text()
    cells = [view.detail_model.item(0, c).text() for c in range(view.detail_model.columnCount())]
    assert "Cedar County Jail" in cells and "interpreter" in cells
    with qtbot.waitSignal(view.ctx.sig_open_review) as opened:
        view.detail_table.doubleClicked.emit(view.detail_model.index(0, 0))
    with view.ctx.db.read() as s:
        from sqlmodel import select

        from inspector_app.store.models import Review

        i3 = s.exec(select(Review).where(Review.source_ref == "history:I3")).one()
    assert opened.args == [i3.id]


def test_export_any_table_to_csv_and_excel(qtbot, view, tmp_path):
    view.drill_down("deficiencies")
    xlsx = tmp_path / "details.xlsx"
    view.export_to(str(xlsx))
    ws = openpyxl.load_workbook(xlsx).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "Agency" and len(rows) == 1 + 4
    view.tabs.setCurrentIndex(Tabs.SUMMARY)
    csv = tmp_path / "summary.csv"
    view.export_to(str(csv))
    text = csv.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "Figure,Count"
    assert "Inspections,3" in text
    assert not list(tmp_path.glob("*.tmp"))  # written atomically, nothing left behind


def test_reloads_when_the_data_changes(qtbot, view, tmp_path):
    extra = tmp_path / "more.csv"
    extra.write_text(HAND_BUILT.read_text(encoding="utf-8").splitlines()[0]
                     + "\nX1,New Agency,GA,JEM,inspection,2024-05-05,,,,,,,,,\n", encoding="utf-8")  # fmt: skip
    view.show()
    qtbot.waitExposed(view)
    with qtbot.waitSignal(view.sig_loaded, timeout=10000):
        import_history(view.ctx.db, extra)
    assert _figure(view, "Inspections").text() == "4"
