"""Fixtures and helpers for the review-workspace tests (imported by tests/ui/test_workspace_*)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from inspector_app.services import reviews
from inspector_app.store import queries
from inspector_app.store.database import Database
from inspector_app.store.models import Agency, Review
from inspector_app.ui.context import AppContext
from inspector_app.ui.qt import Qt
from inspector_app.ui.workspace import ReviewWorkspace


@pytest.fixture
def ctx(demo_db: Database, qapp) -> Iterator[AppContext]:  # noqa: ANN001
    context = AppContext(demo_db)
    yield context
    context.close()


@pytest.fixture
def open_ws(ctx: AppContext, qtbot) -> Iterator[Callable[[str], ReviewWorkspace]]:  # noqa: ANN001
    """Open a workspace shown offscreen; shut down at the end of the test."""
    opened: list[ReviewWorkspace] = []

    def _open(review_id: str) -> ReviewWorkspace:
        ws = ReviewWorkspace(ctx, review_id)
        qtbot.addWidget(ws)
        ws.resize(1280, 860)
        ws.show()
        qtbot.waitExposed(ws)
        opened.append(ws)
        return ws

    yield _open
    for ws in opened:
        ws.shutdown()


def agency_id(db: Database, name_start: str) -> str:
    with db.read() as s:
        return next(a.id for a in queries.live(s, Agency) if a.name.startswith(name_start))


def review_of(db: Database, name_start: str, kind: str, status: str | None = None) -> Review:
    with db.read() as s:
        rows = queries.list_reviews(s, agency_id=agency_id(db, name_start))
    return next(
        r.review for r in rows
        if r.review.kind == kind and (status is None or r.review.status == status)
    )  # fmt: skip


def started_review(db: Database, name_start: str, kind: str) -> str:
    """A review of the agency that has begun (a planned one is started)."""
    review = review_of(db, name_start, kind)
    if review.status == "planned":
        reviews.start_review(db, review.id)
    return review.id


def response(db: Database, review_id: str, key: str):  # noqa: ANN201
    with db.read() as s:
        data = queries.load_review(s, review_id)
    return data.responses.get(key)


def key_click(qtbot, widget, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:  # noqa: ANN001
    qtbot.keyClick(widget, key, modifier)
