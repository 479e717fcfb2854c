"""A second real-window walk-through: Ctrl+N offered a duplicate of the review in
progress, the Finalize dialog showed internal keys, interview answers were cut off,
the Approve dialog's Tab order, the first run's "Signed in: unknown" and photo markup
text running off small photos."""

from __future__ import annotations

import pytest

from inspector_app.services import reviews
from inspector_app.services.review_views import review, review_rows
from inspector_app.ui.workspace import NewReviewDialog
from tests.ui.workspace_helpers import agency_id, ctx, open_ws  # noqa: F401

pytestmark = pytest.mark.gui


def _wso_reviews(db, agency: str) -> list:  # noqa: ANN001
    return [r for r in review_rows(db, agency_id=agency) if r.review.kind == "wso_review"]


def test_new_review_opens_the_review_in_progress(ctx, qtbot):  # noqa: ANN001, F811
    elk = agency_id(ctx.db, "Elk Ridge")
    (planned,) = _wso_reviews(ctx.db, elk)
    started = reviews.start_review(ctx.db, planned.review.id)
    assert started.start_date is not None
    dialog = NewReviewDialog(ctx, agency_id=elk)
    qtbot.addWidget(dialog)
    assert dialog.kind.currentData() == "wso_review"
    assert not dialog.use_planned.isHidden() and dialog.use_planned.isChecked()
    assert dialog.use_planned.text() == (
        f"Open the review in progress (started {started.start_date.isoformat()})"
    )
    assert not dialog.planned_start.isEnabled()
    assert dialog.submit()
    assert dialog.created_review_id == planned.review.id
    assert len(_wso_reviews(ctx.db, elk)) == 1  # no duplicate
    opened = review(ctx.db, planned.review.id)
    assert opened is not None and opened.status == "in_progress"


def test_a_second_review_beside_the_one_in_progress_is_still_possible(ctx, qtbot):  # noqa: ANN001, F811
    elk = agency_id(ctx.db, "Elk Ridge")
    (planned,) = _wso_reviews(ctx.db, elk)
    reviews.start_review(ctx.db, planned.review.id)
    dialog = NewReviewDialog(ctx, agency_id=elk)
    qtbot.addWidget(dialog)
    dialog.plan_new.setChecked(True)
    assert dialog.planned_start.isEnabled()
    dialog.start_now.setChecked(False)
    assert dialog.submit()
    assert dialog.created_review_id != planned.review.id
    assert len(_wso_reviews(ctx.db, elk)) == 2
