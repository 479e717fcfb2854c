"""services.review_read: the workspace's read on open holds the rows load_review reads."""

from __future__ import annotations

from inspector_app.services.review_read import Response, workspace_review
from inspector_app.store import queries
from inspector_app.store.database import Database
from inspector_app.store.models import Officer


def test_workspace_read_equals_the_full_read(demo_db: Database) -> None:
    with demo_db.read() as s:
        ids = [r.review.id for r in queries.list_reviews(s)]
    assert ids
    for review_id in ids:
        with demo_db.read() as s:
            full = queries.load_review(s, review_id)
            assert full is not None
            agency_officers = queries.live(s, Officer, Officer.agency_id == full.review.agency_id)
        data, officers = workspace_review(demo_db, review_id)
        assert data is not None
        assert data.responses == {k: Response.of(r) for k, r in full.responses.items()}
        for name in ("review", "agency", "field_office", "parent"):
            mine, theirs = getattr(data, name), getattr(full, name)
            assert (mine and mine.model_dump()) == (theirs and theirs.model_dump()), name
        for name in ("findings", "attachments", "parent_findings"):
            mine, theirs = getattr(data, name), getattr(full, name)
            assert [r.model_dump() for r in mine] == [r.model_dump() for r in theirs], name
        assert [(i.interview.model_dump(), {k: a.model_dump() for k, a in i.answers.items()},
                 i.officer and i.officer.model_dump()) for i in data.interviews] == [
            (i.interview.model_dump(), {k: a.model_dump() for k, a in i.answers.items()},
             i.officer and i.officer.model_dump()) for i in full.interviews
        ]  # fmt: skip
        assert sorted(o.id for o in officers) == sorted(o.id for o in agency_officers)


def test_a_review_that_is_gone(demo_db: Database) -> None:
    assert workspace_review(demo_db, "no-such-review") == (None, [])
