"""One notice per user action, carrying what it changed (store/changes.py)."""

from __future__ import annotations

from inspector_app.services import corrective_actions as ca
from inspector_app.services import findings, reviews
from inspector_app.services import review_views as rv
from inspector_app.services.schedule import Category, due_items
from inspector_app.store.changes import Changes, RowChange
from inspector_app.store.database import Database
from tests.conftest import DEMO_TODAY


def _started_jem(db: Database) -> str:
    return next(r.review.id for r in rv.review_rows(db)
                if r.review.kind == "jem_inspection" and r.review.status == "report_draft")  # fmt: skip


def _listen(db: Database) -> list[Changes]:
    heard: list[Changes] = []
    db.listeners.append(heard.append)
    return heard


def test_one_answer_is_one_notice_with_the_review_and_the_row(demo_db: Database) -> None:
    review_id = _started_jem(demo_db)
    key = next(iter(reviews.form_for(rv.review(demo_db, review_id)).items())).key
    heard = _listen(demo_db)
    row = reviews.record_answer(demo_db, review_id=review_id, item_key=key, value="no")
    assert len(heard) == 1
    changes = heard[0]
    assert changes.action == "record_answer"
    assert changes.review_ids == {review_id} and changes.touches_review(review_id)
    assert changes.rows == (RowChange("checklist_response", row.id, review_id, changes.rows[0].op,
                                      row.rev),)  # fmt: skip
    # an answer moves no due date and touches nothing but answers
    assert changes.answers and changes.only_answers
    assert not (changes.schedule or changes.findings or changes.agencies or changes.reports)


def test_an_action_writing_several_rows_is_still_one_notice(demo_db: Database) -> None:
    review_id = _started_jem(demo_db)
    heard = _listen(demo_db)
    finding = findings.add_finding(demo_db, review_id=review_id, kind="deficiency",
                                   topic="training", description="No refresher course")  # fmt: skip
    assert len(heard) == 1
    assert ("finding", finding.id) in {(r.table, r.row_id) for r in heard[0].rows}
    assert heard[0].findings and heard[0].schedule and heard[0].touches_review(review_id)
    assert not heard[0].only_answers


def test_completing_a_corrective_action_counts_for_the_schedule(demo_db: Database) -> None:
    action = next(i for i in due_items(demo_db, DEMO_TODAY)
                  if i.category == Category.CORRECTIVE_ACTION and i.state == "overdue")  # fmt: skip
    heard = _listen(demo_db)
    ca.complete_action(demo_db, action.ref_id, completed_on=DEMO_TODAY, today=DEMO_TODAY)
    assert len(heard) == 1 and heard[0].schedule and not heard[0].answers


def test_a_bulk_notice_and_a_one_row_notice_reach_listeners_as_changes(
    demo_db: Database,
) -> None:
    heard = _listen(demo_db)
    demo_db.notify(Changes.bulk("import_history"))
    demo_db.notify(Changes("x", (RowChange("finding", "f1", "r1"),)))
    assert heard[0].everything and heard[0].schedule and heard[0].touches_review("any")
    assert heard[1].rows == (RowChange("finding", "f1", "r1"),) and heard[1].review_ids == {"r1"}


def test_flags_follow_the_tables_written() -> None:
    review = Changes("start_review", (RowChange("review", "r1"),))
    assert review.touches_review("r1") and review.schedule and review.agencies
    training = Changes("add_training", (RowChange("training_record", "t1"),))
    assert training.training and training.agencies and not training.schedule
    assert training.review_ids == frozenset()
    photo = Changes("add_attachment", (RowChange("attachment", "a1", "r1"),))
    assert not (photo.schedule or photo.answers or photo.only_answers)
