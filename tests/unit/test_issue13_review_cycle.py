"""Issue 13 defect 4: starting a review neither clears "overdue" nor shows a future
"last review ended"; the review counts toward the biennial requirement once it has
ended (final, with its end date). On the demo database (a real SQLite file)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from inspector_app.domain.enums import ReviewStatus
from inspector_app.services import reviews
from inspector_app.services.agency_views import load_agency, load_agency_rows
from inspector_app.services.review_views import review_rows
from inspector_app.services.schedule import due_items
from inspector_app.store.models import Review
from tests.conftest import DEMO_TODAY

ELK = "Elk Ridge County Sheriff's Department"


def _elk(db):  # noqa: ANN001, ANN202
    return next(r for r in load_agency_rows(db, DEMO_TODAY) if r.name == ELK)


def planned_reviews(db, agency_id: str) -> list[Review]:  # noqa: ANN001
    return [r.review for r in review_rows(db, agency_id=agency_id) if r.review.status == "planned"]


def test_starting_the_planned_review_keeps_the_agency_overdue(demo_db):
    before = _elk(demo_db)
    assert before.due_state == "overdue"
    (planned,) = planned_reviews(demo_db, before.id)
    assert planned.kind == "wso_review" and planned.planned_start > DEMO_TODAY

    reviews.start_review(demo_db, planned.id, on=DEMO_TODAY)

    after = _elk(demo_db)
    assert after.due_state == "overdue"  # started is not done
    assert after.next_due == before.next_due
    assert after.last_review is None  # no "last review ended <planned end>"
    page = load_agency(demo_db, before.id, DEMO_TODAY)
    assert page is not None and page.agreements[0].due_state == "overdue"
    due = [i for i in due_items(demo_db, DEMO_TODAY)
           if i.agency_id == before.id and i.category == "agreement"]  # fmt: skip
    assert due and due[0].state == "overdue" and due[0].last_review_end is None


def test_the_review_counts_once_it_has_ended(demo_db):
    elk = _elk(demo_db)
    (planned,) = planned_reviews(demo_db, elk.id)
    reviews.start_review(demo_db, planned.id, on=DEMO_TODAY - timedelta(days=3))
    ended = DEMO_TODAY - timedelta(days=1)
    # Finalizing needs every required answer; the rule only looks at status and end.
    with demo_db.write() as s:
        review = s.exec(select(Review).where(Review.id == planned.id)).one()
        review.status, review.end_date = ReviewStatus.FINAL, ended
        s.add(review)
        s.commit()
    after = _elk(demo_db)
    assert after.last_review == ended
    assert after.next_due == ended.replace(year=ended.year + 2)
    assert after.due_state == "ok"


def test_a_final_review_ending_in_the_future_is_not_shown_as_ended(demo_db):
    elk = _elk(demo_db)
    (planned,) = planned_reviews(demo_db, elk.id)
    reviews.start_review(demo_db, planned.id)  # on its planned start, after "today"
    with demo_db.write() as s:
        review = s.exec(select(Review).where(Review.id == planned.id)).one()
        review.status = ReviewStatus.FINAL
        s.add(review)
        s.commit()
    assert _elk(demo_db).last_review is None
