"""Issue 13, on site, the rest: the findings list on a 600-pixel screen, interview
questions that only apply after an earlier answer, and photo captions on the undo stack."""

from __future__ import annotations

import pytest

from tests.ui.test_workspace_onsite import _demo_jem, _shown

pytestmark = pytest.mark.gui


@pytest.fixture
def window(demo_ctx, settings, open_window):  # noqa: ANN001, ANN201
    return open_window(demo_ctx, settings)


def _whole_rows(table) -> int:  # noqa: ANN001
    """How many rows of the table are shown whole (nothing to scroll to read them)."""
    height = table.viewport().height()
    return sum(
        table.rowViewportPosition(row) >= 0
        and table.rowViewportPosition(row) + table.rowHeight(row) <= height
        for row in range(table.model().rowCount())
    )


# -- defect 1: "two rows of findings show" at 1024x600 ---------------------------------------


@pytest.mark.parametrize(("size", "rows"), [((1366, 768), 6), ((1024, 600), 4)])
def test_findings_list_usable_on_a_small_screen(window, qtbot, size, rows):  # noqa: ANN001
    ws = _demo_jem(window)  # Alder: 6 findings, and an officer whose training lapsed
    window.resize(*size)
    panel = ws.findings
    qtbot.waitUntil(panel.training_notice.isVisible, timeout=3000)
    qtbot.wait(20)
    assert panel.model.rowCount() >= rows
    assert _whole_rows(panel.table) >= rows, (size, panel.table.viewport().height())
    for widget in (panel.counts, panel.new_button, panel.edit_button, panel.remove_button,
                   panel.training_text, panel.training_button):  # fmt: skip
        assert _shown(widget, window), (size, widget.text())
    # the checklist keeps its question, answers and note in view
    detail = ws.detail
    ws.checklist.view.select_key(ws.model.entries()[0].key)
    qtbot.wait(10)
    for widget in (detail.prompt, detail.note, *detail.answer_buttons.values()):
        assert _shown(widget, window), (size, widget.objectName())
