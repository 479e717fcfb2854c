"""Interview questions with show_if behave as checklist items do: a hidden question is
not counted, not required and not printed; its stored answer is kept for when it shows."""

from __future__ import annotations

from inspector_app.domain.enums import ReportKind, ReviewKind
from inspector_app.services import interviews, report_service
from inspector_app.store.queries import list_reviews, load_review
from tests.unit.conditional_guide import (  # noqa: F401
    CONTROLLER,
    FOLLOW_UP,
    FOLLOW_UP_PROMPT,
    conditional_guide,
)
from tests.unit.test_reports_support import flat


def _cedar_interview(db):  # noqa: ANN001, ANN202
    """The demo's WSO review in progress (three officers interviewed): its first interview."""
    with db.read() as s:
        review_id = next(r.review.id for r in list_reviews(s)
                         if r.review.kind == ReviewKind.WSO_REVIEW
                         and r.review.status == "in_progress")  # fmt: skip
        return review_id, load_review(s, review_id).interviews[0]


def test_hidden_interview_question_not_counted_nor_printed(demo_db, conditional_guide):  # noqa: ANN001, F811
    form = conditional_guide
    review_id, first = _cedar_interview(demo_db)
    record = interviews.record_interview_answer
    iv = first.interview.id
    record(demo_db, interview_id=iv, question_key=CONTROLLER, value="understood")
    # an answer stored for the follow-up while it is hidden (e.g. before the controller
    # was changed back): kept, but ignored
    record(demo_db, interview_id=iv, question_key=FOLLOW_UP, value="not_understood",
           note="Could not say where warrants are served.")  # fmt: skip
    with demo_db.read() as s:
        answers = load_review(s, review_id).interviews[0].answers
    values = {k: a.value for k, a in answers.items()}
    every = sum(1 for _ in form.items())
    assert FOLLOW_UP not in [s.key for s in interviews.shown_questions(form, values)]
    done, total = interviews.interview_progress(form, values)
    assert total == every - 1 and done <= total
    text = flat(report_service.build_pdf(demo_db, ReportKind.INSPECTION, review_id)[0])
    assert FOLLOW_UP_PROMPT not in text
    assert "Could not say where warrants are served." not in text
    assert f"of {every - 1}" in text and f"of {every}" not in text

    # a gap on the controller shows the follow-up: asked, counted and printed
    record(demo_db, interview_id=iv, question_key=CONTROLLER, value="partial")
    values[CONTROLLER] = "partial"
    assert interviews.interview_progress(form, values)[1] == every
    text = flat(report_service.build_pdf(demo_db, ReportKind.INSPECTION, review_id)[0])
    assert FOLLOW_UP_PROMPT in text
    assert "Could not say where warrants are served." in text
