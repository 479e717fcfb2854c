"""Issue 13 defect 4: Ctrl+N on an agency with a planned review of that kind offers it
("Start the planned review of ...", preselected) instead of creating a second one."""

from __future__ import annotations

import pytest

from inspector_app.services.review_views import review, review_rows
from inspector_app.ui.workspace import NewReviewDialog
from tests.ui.workspace_helpers import agency_id, ctx  # noqa: F401

pytestmark = pytest.mark.gui


def _wso_reviews(db, agency: str) -> list:  # noqa: ANN001
    return [r for r in review_rows(db, agency_id=agency) if r.review.kind == "wso_review"]


def test_new_review_starts_the_planned_one(ctx, qtbot):  # noqa: F811
    elk = agency_id(ctx.db, "Elk Ridge")
    (planned,) = _wso_reviews(ctx.db, elk)
    start = planned.review.planned_start.isoformat()
    dialog = NewReviewDialog(ctx, agency_id=elk)
    qtbot.addWidget(dialog)
    assert dialog.kind.currentData() == "wso_review"
    assert dialog.use_planned.isChecked()
    assert dialog.use_planned.text() == f"Start the planned review of {start}"
    assert not dialog.planned_start.isEnabled()  # its details are the planned review's
    assert dialog.submit()
    assert dialog.created_review_id == planned.review.id
    assert len(_wso_reviews(ctx.db, elk)) == 1  # no duplicate
    started = review(ctx.db, planned.review.id)
    assert started is not None and started.status == "in_progress"


def test_planning_another_one_is_still_possible(ctx, qtbot):  # noqa: F811
    elk = agency_id(ctx.db, "Elk Ridge")
    dialog = NewReviewDialog(ctx, agency_id=elk)
    qtbot.addWidget(dialog)
    dialog.plan_new.setChecked(True)
    assert dialog.planned_start.isEnabled()
    dialog.start_now.setChecked(False)
    assert dialog.submit()
    assert len(_wso_reviews(ctx.db, elk)) == 2


def test_no_planned_review_no_offer(ctx, qtbot):  # noqa: F811
    dialog = NewReviewDialog(ctx, agency_id=agency_id(ctx.db, "Granite Bay"))
    qtbot.addWidget(dialog)
    assert dialog.use_planned.isHidden() and dialog.plan_new.isHidden()
    assert dialog.planned_start.isEnabled()
