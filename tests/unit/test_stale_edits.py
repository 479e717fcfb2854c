"""No lost updates: an edit made from a form names the revision it started from.

For every edit service: a stale base_rev (someone saved the row since) raises StaleEdit
saying who changed it and when, and writes nothing (row, rev, outbox, audit); the current
base_rev saves and bumps rev; base_rev None keeps last-write-wins for callers that do
not edit from a form.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from inspector_app.services import agencies as ag
from inspector_app.services import corrective_actions as ca
from inspector_app.services import findings, forms, interviews, reviews
from inspector_app.services import info_requests as ir
from inspector_app.services.errors import StaleEdit
from inspector_app.store.database import Database, open_database
from inspector_app.store.models import (
    Agency,
    Agreement,
    ChecklistResponse,
    CorrectiveAction,
    Finding,
    InfoRequest,
    InterviewAnswer,
    Officer,
    Review,
)
from tests.conftest import copy_database
from tests.unit.test_services import counts

ME, OTHER = "Test Inspector", "Dana Whitfield"
TODAY = date(2026, 10, 6)


@dataclass
class Ids:
    agency: str
    agreement: str
    officer: str
    review: str
    finding: str
    action: str
    item: str
    response: str
    answer: str
    request: str


@pytest.fixture(scope="module")
def _template(tmp_path_factory) -> tuple[Path, Ids]:
    path = tmp_path_factory.mktemp("stale") / "stale.db"
    db = open_database(path, user=ME, daily_backup=False)
    agency = ag.create_agency(db, name="Bexley County Sheriff's Office", state="GA")
    jem = ag.create_agreement(db, agency_id=agency.id, model="JEM", signed_on="2023-01-10")
    ag.create_agreement(db, agency_id=agency.id, model="WSO", signed_on="2024-03-01")
    officer = ag.add_officer(db, agency_id=agency.id, name="Zoë Hartmann", model="WSO")
    review = reviews.schedule_review(db, agency_id=agency.id, kind="jem_inspection",
                                     planned_start="2026-10-05")  # fmt: skip
    reviews.start_review(db, review.id)
    finding = findings.add_finding(db, review_id=review.id, kind="deficiency", topic="training",
                                   citation="MOA 4", description="Roster missing")  # fmt: skip
    action = ca.add_action(db, finding_id=finding.id, action="Send the roster",
                           due_on="2026-12-01", today=TODAY)  # fmt: skip
    item = "statistics.submitted"
    response = reviews.record_answer(db, review_id=review.id, item_key=item, value="yes")
    wso = reviews.schedule_review(db, agency_id=agency.id, kind="wso_review",
                                  planned_start="2027-01-20")  # fmt: skip
    request = ir.create_request(db, review_id=wso.id, due_on="2026-12-30", poc_name="Marisol")
    reviews.start_review(db, wso.id, on="2026-10-06")
    iv = interviews.start_interview(db, review_id=wso.id, role="officer", officer_id=officer.id)
    question = next(
        q
        for q in interviews.interview_form("WSO", "officer").items()
        if q.answer == "understanding"
    )
    answer = interviews.record_interview_answer(db, interview_id=iv.id, question_key=question.key,
                                                value=question.valid_values()[0])  # fmt: skip
    db.close()
    return path, Ids(agency.id, jem.id, officer.id, review.id, finding.id, action.id, item,
                     response.id, answer.id, request.id)  # fmt: skip


@pytest.fixture
def stale_world(tmp_path, _template) -> Iterator[tuple[Database, Database, Ids]]:
    """The same file opened twice, as two instances by two users would."""
    path = copy_database(_template[0], tmp_path / "stale.db")
    mine = open_database(path, user=ME, daily_backup=False)
    theirs = open_database(path, user=OTHER, daily_backup=False)
    yield mine, theirs, _template[1]
    theirs.close()
    mine.close()


@dataclass
class Case:
    model: type
    row: Callable[[Ids], str]
    theirs: Callable[[Database, Ids], Any]  # another window's save (no base: autosave/CLI)
    mine: Callable[[Database, Ids, int | None], Any]  # the form's save from base_rev
    field: str  # what mine sets
    value: Any
    label: str  # how the message names the row


def _item_of_interview(db: Database, ids: Ids) -> tuple[str, str]:
    with db.read() as s:
        a = s.get(InterviewAnswer, ids.answer)
    return a.interview_id, a.question_key


CASES: dict[str, Case] = {
    "update_finding": Case(
        Finding, lambda i: i.finding,
        lambda db, i: findings.update_finding(db, i.finding, description="Their description"),
        lambda db, i, b: findings.update_finding(db, i.finding, citation="MOA 5", base_rev=b),
        "citation", "MOA 5", "finding F-1",
    ),
    "update_action": Case(
        CorrectiveAction, lambda i: i.action,
        lambda db, i: ca.update_action(db, i.action, evidence="their memo", today=TODAY),
        lambda db, i, b: ca.update_action(db, i.action, action="Send the signed roster",
                                          today=TODAY, base_rev=b),
        "action", "Send the signed roster", "corrective action 'Send the roster'",
    ),
    "complete_action": Case(
        CorrectiveAction, lambda i: i.action,
        lambda db, i: ca.update_action(db, i.action, due_on="2026-11-20", today=TODAY),
        lambda db, i, b: ca.complete_action(db, i.action, completed_on="2026-11-01",
                                            evidence="Roster", today=TODAY, base_rev=b),
        "evidence", "Roster", "corrective action 'Send the roster'",
    ),
    "update_agency": Case(
        Agency, lambda i: i.agency,
        lambda db, i: ag.update_agency(db, i.agency, county="Bexley"),
        lambda db, i, b: ag.update_agency(db, i.agency, contact_name="Lt. Ames", base_rev=b),
        "contact_name", "Lt. Ames", "agency Bexley County Sheriff's Office",
    ),
    "set_agreement_status": Case(
        Agreement, lambda i: i.agreement,
        lambda db, i: ag.set_agreement_status(db, i.agreement, "suspended"),
        lambda db, i, b: ag.set_agreement_status(db, i.agreement, "terminated", base_rev=b),
        "status", "terminated", "agreement JEM",
    ),
    "set_officer_status": Case(
        Officer, lambda i: i.officer,
        lambda db, i: ag.set_officer_status(db, i.officer, status="suspended", reason="Theirs",
                                            credential_retrieved=True),
        lambda db, i, b: ag.set_officer_status(db, i.officer, status="revoked", reason="Mine",
                                               credential_retrieved=False, base_rev=b),
        "status_reason", "Mine", "officer Zoë Hartmann",
    ),
    "update_review": Case(
        Review, lambda i: i.review,
        lambda db, i: reviews.update_review(db, i.review, lead_inspector=OTHER),
        lambda db, i, b: reviews.update_review(db, i.review, summary="My summary", base_rev=b),
        "summary", "My summary", "review",
    ),
    "set_note": Case(
        ChecklistResponse, lambda i: i.response,
        lambda db, i: reviews.set_note(db, review_id=i.review, item_key=i.item, note="Theirs"),
        lambda db, i, b: reviews.set_note(db, review_id=i.review, item_key=i.item,
                                          note="Mine", base_rev=b),
        "note", "Mine", "item statistics.submitted",
    ),
    "interview_answer_note": Case(
        InterviewAnswer, lambda i: i.answer,
        lambda db, i: interviews.record_interview_answer(
            db, interview_id=_item_of_interview(db, i)[0],
            question_key=_item_of_interview(db, i)[1], value=None, note="Theirs"),
        lambda db, i, b: interviews.record_interview_answer(
            db, interview_id=_item_of_interview(db, i)[0],
            question_key=_item_of_interview(db, i)[1], value=None, note="Mine", base_rev=b),
        "note", "Mine", "question",
    ),
    "update_request": Case(
        InfoRequest, lambda i: i.request,
        lambda db, i: ir.update_request(db, i.request, poc_email="them@example.gov"),
        lambda db, i, b: ir.update_request(db, i.request, poc_name="Marisol Peña", base_rev=b),
        "poc_name", "Marisol Peña", "the request form",
    ),
}  # fmt: skip


def _row(db: Database, model: type, ident: str) -> dict[str, Any]:
    with db.read() as s:
        return s.get(model, ident).model_dump()


@pytest.mark.parametrize("name", list(CASES))
def test_a_stale_base_rev_is_refused_and_writes_nothing(stale_world, name):
    mine, theirs, ids = stale_world
    case = CASES[name]
    ident = case.row(ids)
    opened = _row(mine, case.model, ident)["rev"]  # the form is opened here
    case.theirs(theirs, ids)  # another instance saves the row meanwhile
    after_theirs = _row(mine, case.model, ident)
    assert after_theirs["rev"] == opened + 1
    before = counts(mine)
    with pytest.raises(StaleEdit) as caught:
        case.mine(mine, ids, opened)
    exc = caught.value
    message = str(exc)
    assert "\n" not in message
    assert message.startswith(case.label)
    assert re.search(rf"changed by {OTHER} (at|on \d{{4}}-\d\d-\d\d at) \d\d:\d\d after you "
                     "opened it; your text is kept", message), message  # fmt: skip
    assert (exc.base_rev, exc.current_rev) == (opened, opened + 1)
    assert exc.attempted[case.field] == case.value
    assert exc.current[case.field] == after_theirs[case.field]
    # nothing written: the row (rev too), the outbox and the audit log are as they were
    assert _row(mine, case.model, ident) == after_theirs
    assert counts(mine) == before

    # "Keep mine": the current rev as base saves over theirs, deliberately
    case.mine(mine, ids, exc.current_rev)
    saved = _row(mine, case.model, ident)
    assert saved["rev"] == opened + 2 and saved[case.field] == case.value
    assert saved["updated_by"] == ME


@pytest.mark.parametrize("name", list(CASES))
def test_the_current_base_rev_saves_and_none_keeps_last_write_wins(stale_world, name):
    mine, theirs, ids = stale_world
    case = CASES[name]
    ident = case.row(ids)
    opened = _row(mine, case.model, ident)["rev"]
    case.mine(mine, ids, opened)
    assert _row(mine, case.model, ident)["rev"] == opened + 1
    case.theirs(theirs, ids)
    case.mine(mine, ids, None)  # CLI and import: no form, no check
    saved = _row(mine, case.model, ident)
    assert saved["rev"] == opened + 3 and saved[case.field] == case.value


def test_a_citation_only_save_no_longer_overwrites_a_description(stale_world):
    """The defect: two windows on one finding; the second save drops the first's text."""
    mine, theirs, ids = stale_world
    with mine.read() as s:
        f = s.get(Finding, ids.finding)
    findings.update_finding(theirs, f.id, description="Roster missing for 3 officers",
                            base_rev=f.rev)  # fmt: skip
    with pytest.raises(StaleEdit, match=r"^finding F-1 was changed by Dana Whitfield at "):
        findings.update_finding(mine, f.id, citation="MOA 5", description=f.description,
                                base_rev=f.rev)  # fmt: skip
    with mine.read() as s:
        now = s.get(Finding, f.id)
    assert (now.description, now.citation) == ("Roster missing for 3 officers", "MOA 4")


def test_a_note_on_an_item_never_answered_starts_from_revision_zero(stale_world):
    mine, theirs, ids = stale_world
    key = next(i.key for i in forms.registry().for_review_kind("jem_inspection").items()
               if i.key != ids.item)  # fmt: skip
    reviews.set_note(theirs, review_id=ids.review, item_key=key, note="Theirs", base_rev=0)
    with pytest.raises(StaleEdit, match=f"^item {key} was changed by {OTHER}"):
        reviews.set_note(mine, review_id=ids.review, item_key=key, note="Mine", base_rev=0)
    row = reviews.set_note(mine, review_id=ids.review, item_key=key, note="Mine", base_rev=1)
    assert (row.note, row.rev) == ("Mine", 2)
