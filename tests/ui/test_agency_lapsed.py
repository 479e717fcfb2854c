"""Lapsed officers: listed by name and reason on the agency page (issue 5 point 5)."""

from __future__ import annotations

import pytest

from inspector_app.domain.enums import TrainingKind
from inspector_app.services.agencies import add_training
from inspector_app.ui.agency_page import AgencyPage
from tests.conftest import DEMO_TODAY
from tests.ui.workspace_helpers import agency_id

pytestmark = pytest.mark.gui


def _page(qtbot, ctx, name_start: str) -> AgencyPage:  # noqa: ANN001
    page = AgencyPage(ctx)
    qtbot.addWidget(page)
    page.resize(1280, 860)
    page.show_agency(agency_id(ctx.db, name_start))
    page.show()
    qtbot.waitExposed(page)
    return page


def test_lapsed_officers_listed_above_the_table(qtbot, demo_ctx) -> None:  # noqa: ANN001
    page = _page(qtbot, demo_ctx, "Dunmore")
    label = page.lapsed_label
    assert label.isVisible()
    text = label.text()
    assert text.startswith("<b>Training lapsed:</b> Zoë Hartmann (annual online training overdue")
    assert "biennial refresher overdue" in text
    assert ", 1 with lapsed training)" in page.officers_box.title()
    # the line sits above the officers' table
    assert label.geometry().bottom() < page.officers_table.geometry().top()

    # once the training is recorded the officer is no longer listed
    officer = next(r for r in page.details.officers if r.lapsed)
    add_training(demo_ctx.db, officer_id=officer.id, kind=TrainingKind.ANNUAL_ONLINE,
                 completed_on=DEMO_TODAY)  # fmt: skip
    add_training(demo_ctx.db, officer_id=officer.id, kind=TrainingKind.REFRESHER,
                 completed_on=DEMO_TODAY)  # fmt: skip
    qtbot.waitUntil(lambda: not page.lapsed_label.isVisible(), timeout=3000)
    assert "lapsed" not in page.officers_box.title()


def test_no_line_when_every_officer_is_current(qtbot, demo_ctx) -> None:  # noqa: ANN001
    page = _page(qtbot, demo_ctx, "Cedar")
    assert not page.details.officers or not any(o.lapsed for o in page.details.officers)
    assert page.lapsed_label.isHidden()
