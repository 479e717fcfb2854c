"""Services: one transaction per user action, with change-log and audit entries.

Every write must append exactly its row versions to the outbox and one audit entry,
refuse bad input with an error naming the field, and leave nothing behind on failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, text
from sqlmodel import select

from inspector_app.domain.enums import FindingKind, ResponsibleParty
from inspector_app.services import agencies as ag
from inspector_app.services import attachments, findings, forms, interviews, reviews
from inspector_app.services.errors import Conflict, Invalid, NotFound, ReviewLocked
from inspector_app.store.changes import Changes, RowChange
from inspector_app.store.database import Database, open_database
from inspector_app.store.models import (
    AuditLog,
    ChangeLog,
    ChecklistResponse,
    Finding,
    Interview,
    Review,
)
from tests.conftest import copy_database

SYNC_FIELDS = {"id", "rev", "updated_at", "updated_by", "device_id", "deleted"}
USER = "Test Inspector"


@dataclass
class World:
    db: Database
    agency_id: str
    jem_agreement_id: str
    wso_agreement_id: str
    jem_officers: list[str]
    wso_officers: list[str]
    jem_review: str  # started
    wso_review: str  # started
    planned_review: str  # JEM, not started


@pytest.fixture(scope="module")
def _world_template(tmp_path_factory) -> tuple[Path, dict]:
    """Built once per module (migrating a new file is the slow part), copied per test."""
    path = tmp_path_factory.mktemp("world") / "world.db"
    db = open_database(path, user=USER, daily_backup=False)
    office = ag.create_field_office(db, name="Atlanta", code="ATL", state="GA")
    agency = ag.create_agency(db, name="Bexley County Sheriff's Office", state="GA",
                              field_office_id=office.id)  # fmt: skip
    jem = ag.create_agreement(db, agency_id=agency.id, model="JEM", signed_on="2023-01-10")
    wso = ag.create_agreement(db, agency_id=agency.id, model="WSO", signed_on="2024-03-01")
    jem_officers = [ag.add_officer(db, agency_id=agency.id, name=n, model="JEM").id
                    for n in ("José Núñez", "Renée Dubois")]  # fmt: skip
    wso_officers = [ag.add_officer(db, agency_id=agency.id, name=n, model="WSO").id
                    for n in ("Zoë Hartmann", "Chen Wei", "Ömer Yılmaz")]  # fmt: skip
    jem_review = reviews.schedule_review(db, agency_id=agency.id, kind="jem_inspection",
                                         planned_start="2026-10-05")  # fmt: skip
    reviews.start_review(db, jem_review.id)
    wso_review = reviews.schedule_review(db, agency_id=agency.id, kind="wso_review",
                                         planned_start="2026-10-20")  # fmt: skip
    reviews.start_review(db, wso_review.id)
    planned = reviews.schedule_review(db, agency_id=agency.id, kind="jem_inspection",
                                      planned_start="2027-01-11")  # fmt: skip
    db.close()
    return path, dict(agency_id=agency.id, jem_agreement_id=jem.id, wso_agreement_id=wso.id,
                      jem_officers=jem_officers, wso_officers=wso_officers,
                      jem_review=jem_review.id, wso_review=wso_review.id,
                      planned_review=planned.id)  # fmt: skip


@pytest.fixture
def world(tmp_path, _world_template) -> Iterator[World]:
    """An agency with JEM and WSO agreements, officers, two started reviews and a planned one."""
    template, ids = _world_template
    db = open_database(copy_database(template, tmp_path / "world.db"), user=USER,
                       daily_backup=False)  # fmt: skip
    yield World(db, **ids)
    db.close()


def mark(db: Database) -> tuple[int, int]:
    with db.read() as s:
        seq = s.exec(select(func.max(ChangeLog.seq))).one() or 0
        audit = s.exec(select(func.max(AuditLog.id))).one() or 0
    return seq, audit


def since(db: Database, at: tuple[int, int]) -> tuple[list[ChangeLog], list[AuditLog]]:
    with db.read() as s:
        changes = list(s.exec(select(ChangeLog).where(ChangeLog.seq > at[0])
                              .order_by(ChangeLog.seq)))  # fmt: skip
        audits = list(s.exec(select(AuditLog).where(AuditLog.id > at[1]).order_by(AuditLog.id)))
    return changes, audits


def counts(db: Database) -> dict[str, int]:
    """Rows per table, to show a failed call left nothing behind."""
    with db.engine.connect() as conn:
        names = [r[0] for r in conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type='table' AND name != 'alembic_version'"))]  # fmt: skip
        return {n: conn.execute(text(f'SELECT count(*) FROM "{n}"')).scalar() for n in names}


def assert_logged(db, at, action, expected, *, entity=None):
    """`expected`: [(table, row id, rev, op)] in write order; one audit entry for `action`."""
    changes, audits = since(db, at)
    assert [(c.table_name, c.row_id, c.rev, c.op) for c in changes] == expected
    for c in changes:
        assert set(c.payload) >= SYNC_FIELDS
        assert c.payload["id"] == c.row_id and c.payload["rev"] == c.rev
        assert c.payload["updated_by"] == USER
        assert c.payload["device_id"] == db.device_id == c.device_id
        assert c.payload["deleted"] is (c.op == "delete")
        assert c.pushed_seq is None
    assert [(a.user, a.action, a.device_id) for a in audits] == [(USER, action, db.device_id)]
    if entity:
        assert (audits[0].entity, audits[0].entity_id) == entity
    return changes, audits


# --- change log and audit log ----------------------------------------------------------


def test_first_answer_is_an_insert_then_updates_raise_rev(world):
    db, review = world.db, world.jem_review
    at = mark(db)
    first = reviews.record_answer(db, review_id=review, item_key="complaints.poster_spanish",
                                  value="no")  # fmt: skip
    changes, audits = assert_logged(
        db, at, "record_answer", [("checklist_response", first.id, 1, "insert")],
        entity=("checklist_response", first.id),
    )  # fmt: skip
    assert changes[0].payload["value"] == "no" and changes[0].payload["review_id"] == review
    assert audits[0].detail == {"review_id": review, "item": "complaints.poster_spanish",
                                "old": None, "new": "no"}  # fmt: skip

    at = mark(db)
    second = reviews.record_answer(db, review_id=review, item_key="complaints.poster_spanish",
                                   value="yes", note="Poster put up during the visit")  # fmt: skip
    assert second.id == first.id and second.rev == 2
    changes, audits = assert_logged(
        db, at, "record_answer", [("checklist_response", first.id, 2, "update")]
    )
    assert changes[0].payload["note"] == "Poster put up during the visit"
    assert (audits[0].detail["old"], audits[0].detail["new"]) == ("no", "yes")
    with db.read() as s:
        rows = s.exec(select(ChecklistResponse).where(ChecklistResponse.review_id == review)).all()
    assert [(r.item_key, r.value, r.rev) for r in rows] == [
        ("complaints.poster_spanish", "yes", 2)]  # fmt: skip


def test_clearing_an_answer_keeps_the_row(world):
    db = world.db
    reviews.record_answer(db, review_id=world.jem_review, item_key="statistics.submitted",
                          value="yes")  # fmt: skip
    cleared = reviews.record_answer(db, review_id=world.jem_review,
                                    item_key="statistics.submitted", value=None)  # fmt: skip
    assert (cleared.value, cleared.rev, cleared.deleted) == (None, 2, False)


def test_set_note_on_an_unanswered_item(world):
    db = world.db
    at = mark(db)
    row = reviews.set_note(db, review_id=world.jem_review, item_key="facility.observation_notes",
                           note="Tour at 9:00 with the jail administrator")  # fmt: skip
    assert (row.value, row.note) == (None, "Tour at 9:00 with the jail administrator")
    assert_logged(db, at, "set_note", [("checklist_response", row.id, 1, "insert")])


@pytest.mark.parametrize(
    ("action", "call", "table"),
    [
        ("create_field_office", lambda w: ag.create_field_office(w.db, name="Houston"),
         "field_office"),
        ("create_agency", lambda w: ag.create_agency(w.db, name="Cedar County", state="tx"),
         "agency"),
        ("create_agreement", lambda w: ag.create_agreement(
            w.db, agency_id=w.agency_id, model="WSO", signed_on="2025-02-28",
            status="terminated"), "agreement"),  # one WSO agreement in force (issue 13)
        ("add_officer", lambda w: ag.add_officer(w.db, agency_id=w.agency_id, name="Chen Li",
                                                 model="JEM"), "officer"),
        ("add_training", lambda w: ag.add_training(
            w.db, officer_id=w.jem_officers[0], kind="refresher", completed_on="2026-01-05",
            hours=40), "training_record"),
        ("record_warrants", lambda w: ag.record_warrants(
            w.db, agreement_id=w.wso_agreement_id, year=2026, month=2, count=3), "warrant_count"),
        # (a WSO review also drafts its request form: tests/unit/test_info_requests.py)
        ("schedule_review", lambda w: reviews.schedule_review(
            w.db, agency_id=w.agency_id, kind="jem_inspection"), "review"),
        ("add_finding", lambda w: findings.add_finding(
            w.db, review_id=w.jem_review, kind="deficiency", topic="training"), "finding"),
        ("start_interview", lambda w: interviews.start_interview(
            w.db, review_id=w.jem_review, role="lea_leadership", interviewee_name="Sheriff Pope"),
         "interview"),
        ("add_attachment", lambda w: attachments.add_attachment(
            w.db, source=b"jpeg bytes", filename="wall.jpg", review_id=w.jem_review), "attachment"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)  # fmt: skip
def test_each_create_is_one_insert_and_one_audit(world, action, call, table):
    at = mark(world.db)
    row = call(world)
    assert row.rev == 1 and row.updated_by == USER and row.updated_at.tzinfo is not None
    assert_logged(world.db, at, action, [(table, row.id, 1, "insert")], entity=(table, row.id))


def test_updates_raise_rev_and_log_an_update(world):
    db = world.db
    at = mark(db)
    review = reviews.update_review(db, world.jem_review, summary="Tour and 40 files",
                                   end_date="2026-10-07")  # fmt: skip
    assert review.rev == 3  # scheduled, started, updated
    _, audits = assert_logged(db, at, "update_review", [("review", review.id, 3, "update")])
    assert audits[0].detail == {"changed": ["end_date", "summary"]}

    at = mark(db)
    agency = ag.update_agency(db, world.agency_id, county="Bexley", state="ga")
    assert (agency.state, agency.rev) == ("GA", 2)
    assert_logged(db, at, "update_agency", [("agency", agency.id, 2, "update")])

    at = mark(db)
    officer = ag.set_officer_status(db, world.jem_officers[0], status="suspended",
                                    reason="Training lapsed", credential_retrieved=True,
                                    on="2026-10-02")  # fmt: skip
    assert (officer.status, officer.status_changed_on) == ("suspended", date(2026, 10, 2))
    assert_logged(db, at, "set_officer_status", [("officer", officer.id, 2, "update")])


def test_removal_is_a_tombstone_and_restore_brings_it_back(world):
    db = world.db
    finding = findings.add_finding(db, review_id=world.jem_review, kind="deficiency",
                                   topic="training", description="Lapsed online training")  # fmt: skip
    at = mark(db)
    removed = findings.remove_finding(db, finding.id)
    changes, _ = assert_logged(db, at, "remove_finding", [("finding", finding.id, 2, "delete")])
    assert changes[0].payload["description"] == "Lapsed online training"
    with db.read() as s:
        row = s.get(Finding, finding.id)
        assert row is not None and row.deleted and removed.deleted
    with pytest.raises(NotFound):
        findings.update_finding(db, finding.id, description="x")

    at = mark(db)
    restored = findings.restore_finding(db, finding.id)
    assert (restored.deleted, restored.rev) == (False, 3)
    assert_logged(db, at, "restore_finding", [("finding", finding.id, 3, "update")])


def test_remove_attachment_is_a_tombstone_and_keeps_the_file(world):
    db = world.db
    att = attachments.add_attachment(db, source=b"photo", filename="p.jpg",
                                     review_id=world.jem_review)  # fmt: skip
    at = mark(db)
    attachments.remove_attachment(db, att.id)
    assert_logged(db, at, "remove_attachment", [("attachment", att.id, 2, "delete")])
    from inspector_app.store.files import read_blob

    assert read_blob(db.attachments_dir, att.sha256) == b"photo"  # other rows may share it


def test_finding_numbers_count_up_per_review(world):
    db = world.db
    numbers = [
        findings.add_finding(db, review_id=world.jem_review, kind=k, topic="complaints").number
        for k in ("deficiency", "area_of_concern", "best_practice")
    ]
    other = findings.add_finding(db, review_id=world.wso_review, kind="deficiency",
                                 topic="detainers")  # fmt: skip
    assert numbers == [1, 2, 3] and other.number == 1


# --- errors name the field -----------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "call"),
    [
        ("state", lambda w: ag.create_agency(w.db, name="Nowhere County", state="Georgia")),
        ("state", lambda w: ag.update_agency(w.db, w.agency_id, state="G1")),
        ("name", lambda w: ag.create_agency(w.db, name="  ", state="GA")),
        ("name", lambda w: ag.create_agency(w.db, name="Bexley County Sheriff's Office",
                                            state="ga")),
        ("signed_on", lambda w: ag.create_agreement(w.db, agency_id=w.agency_id, model="JEM",
                                                    signed_on="2025-02-30")),
        ("signed_on", lambda w: ag.create_agreement(w.db, agency_id=w.agency_id, model="JEM",
                                                    signed_on="")),
        ("model", lambda w: ag.create_agreement(w.db, agency_id=w.agency_id, model="XYZ",
                                                signed_on="2025-01-01")),
        ("completed_on", lambda w: ag.add_training(w.db, officer_id=w.jem_officers[0],
                                                   kind="refresher", completed_on="10/05/2025")),
        ("kind", lambda w: ag.add_training(w.db, officer_id=w.jem_officers[0], kind="yoga",
                                           completed_on="2025-10-05")),
        ("hours", lambda w: ag.add_training(w.db, officer_id=w.jem_officers[0],
                                            kind="refresher", completed_on="2025-10-05",
                                            hours=0)),
        ("month", lambda w: ag.record_warrants(w.db, agreement_id=w.wso_agreement_id,
                                               year=2026, month=13, count=1)),
        ("agreement_id", lambda w: ag.record_warrants(w.db, agreement_id=w.jem_agreement_id,
                                                      year=2026, month=1, count=1)),
        ("reason", lambda w: ag.set_officer_status(w.db, w.jem_officers[0], status="revoked",
                                                   credential_retrieved=True)),
        ("credential_retrieved", lambda w: ag.set_officer_status(
            w.db, w.jem_officers[0], status="revoked", reason="Misconduct")),
        ("planned_start", lambda w: reviews.schedule_review(
            w.db, agency_id=w.agency_id, kind="jem_inspection", planned_start="2026-13-01")),
        ("planned_end", lambda w: reviews.schedule_review(
            w.db, agency_id=w.agency_id, kind="jem_inspection", planned_start="2026-05-02",
            planned_end="2026-05-01")),
        ("kind", lambda w: reviews.schedule_review(w.db, agency_id=w.agency_id, kind="audit")),
        ("end_date", lambda w: reviews.update_review(w.db, w.jem_review, end_date="2026-01-01")),
        ("topic", lambda w: findings.add_finding(w.db, review_id=w.jem_review,
                                                 kind="deficiency", topic="parking")),
        ("topic", lambda w: findings.add_finding(w.db, review_id=w.jem_review,
                                                 kind="deficiency", topic="")),
        ("kind", lambda w: findings.add_finding(w.db, review_id=w.jem_review, kind="",
                                                topic="training")),
        ("kind", lambda w: findings.add_finding(w.db, review_id=w.jem_review, kind="major",
                                                topic="training")),
        ("responsible", lambda w: findings.add_finding(w.db, review_id=w.jem_review,
                                                       kind="deficiency", topic="training",
                                                       responsible="dhs")),
        ("complaints.poster_spanish", lambda w: reviews.record_answer(
            w.db, review_id=w.jem_review, item_key="complaints.poster_spanish", value="maybe")),
        ("complaints.count", lambda w: reviews.record_answer(
            w.db, review_id=w.jem_review, item_key="complaints.count", value="three")),
        ("steering_committee.last_meeting", lambda w: reviews.record_answer(
            w.db, review_id=w.jem_review, item_key="steering_committee.last_meeting",
            value="2026-02-30")),
        ("ice_oversight.site_visits", lambda w: reviews.record_answer(
            w.db, review_id=w.jem_review, item_key="ice_oversight.site_visits", value="daily")),
        ("item_key", lambda w: reviews.record_answer(
            w.db, review_id=w.jem_review, item_key="facility.no_such_item", value="yes")),
        ("item_key", lambda w: reviews.set_note(
            w.db, review_id=w.jem_review, item_key="nope", note="x")),
        ("item_key", lambda w: findings.add_finding(
            w.db, review_id=w.jem_review, kind="deficiency", topic="training",
            item_key="training.no_such_item")),
        ("role", lambda w: interviews.start_interview(w.db, review_id=w.wso_review,
                                                      role="janitor")),
        ("file", lambda w: attachments.add_attachment(w.db, source=w.db.path.parent / "none.jpg",
                                                      review_id=w.jem_review)),
        ("review_id", lambda w: attachments.add_attachment(w.db, source=b"x", filename="x.jpg")),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)  # fmt: skip
def test_invalid_input_names_the_field_and_writes_nothing(world, field, call):
    before = counts(world.db)
    with pytest.raises(Invalid) as caught:
        call(world)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")
    assert "\n" not in str(caught.value)
    assert counts(world.db) == before


def test_unknown_records_are_not_found(world):
    with pytest.raises(NotFound, match="no agency with id 'nope'"):
        ag.create_agreement(world.db, agency_id="nope", model="JEM", signed_on="2025-01-01")
    with pytest.raises(NotFound, match="review"):
        reviews.record_answer(world.db, review_id="nope", item_key="x", value="yes")


# --- review states ---------------------------------------------------------------------


def test_planned_review_refuses_answers_until_started(world):
    db = world.db
    before = counts(db)
    with pytest.raises(Conflict, match="start it before answering"):
        reviews.record_answer(db, review_id=world.planned_review,
                              item_key="statistics.submitted", value="yes")  # fmt: skip
    with pytest.raises(Conflict, match="start it before interviewing"):
        interviews.start_interview(db, review_id=world.planned_review, role="officer",
                                   officer_id=world.jem_officers[0])  # fmt: skip
    assert counts(db) == before
    reviews.start_review(db, world.planned_review)
    row = reviews.record_answer(db, review_id=world.planned_review,
                                item_key="statistics.submitted", value="yes")  # fmt: skip
    assert row.value == "yes"


def test_start_review_pins_the_form_and_dates(world):
    db = world.db
    at = mark(db)
    review = reviews.start_review(db, world.planned_review)
    latest = forms.registry().for_review_kind("jem_inspection")
    assert (review.form_id, review.form_version) == (latest.id, latest.version)
    assert review.status == "in_progress"
    assert review.start_date == review.end_date == date(2027, 1, 11)
    _, audits = assert_logged(db, at, "start_review", [("review", review.id, 2, "update")])
    assert audits[0].detail == {"form": f"{latest.id}.v{latest.version}"}
    with pytest.raises(Conflict, match="already started"):
        reviews.start_review(db, world.planned_review)


def test_wso_review_uses_the_wso_checklist(world):
    with world.db.read() as s:
        review = s.get(Review, world.wso_review)
    assert review.form_id == "wso_review"
    with pytest.raises(Invalid) as caught:  # a JEM item is not in the WSO checklist
        reviews.record_answer(world.db, review_id=world.wso_review,
                              item_key="complaints.poster_spanish", value="yes")  # fmt: skip
    assert caught.value.field == "item_key"


def test_schedule_review_needs_an_agreement_of_that_model(db):
    agency = ag.create_agency(db, name="Cedar County Sheriff's Office", state="GA")
    ag.create_agreement(db, agency_id=agency.id, model="WSO", signed_on="2024-01-01")
    with pytest.raises(Invalid, match="has no JEM agreement") as caught:
        reviews.schedule_review(db, agency_id=agency.id, kind="jem_inspection")
    assert caught.value.field == "kind"


def test_set_review_status_refuses_final(world):
    with pytest.raises(Conflict, match="finalize"):
        reviews.set_review_status(world.db, world.jem_review, "final")
    draft = reviews.set_review_status(world.db, world.jem_review, "report_draft")
    assert draft.status == "report_draft"


def make_final(db: Database, review_id: str) -> None:
    """Finalization is someone else's service; set the status directly for these tests."""
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE review SET status='final' WHERE id=:id"), {"id": review_id})


def test_final_review_refuses_every_write(world):
    db = world.db
    r = world.jem_review
    answer = reviews.record_answer(db, review_id=r, item_key="statistics.submitted", value="yes")
    finding = findings.add_finding(db, review_id=r, kind="deficiency", topic="statistics")
    att = attachments.add_attachment(db, source=b"photo", filename="a.jpg", review_id=r)
    interview = interviews.start_interview(db, review_id=r, role="officer",
                                           officer_id=world.jem_officers[0])  # fmt: skip
    question = next(iter(forms.form_of(interview.form_id, interview.form_version).items())).key
    make_final(db, r)
    before = counts(db)
    writes = {
        "record_answer": lambda: reviews.record_answer(
            db, review_id=r, item_key="statistics.submitted", value="no"),
        "set_note": lambda: reviews.set_note(db, review_id=r, item_key=answer.item_key, note="x"),
        "start_review": lambda: reviews.start_review(db, r),
        "update_review": lambda: reviews.update_review(db, r, summary="changed"),
        "set_review_status": lambda: reviews.set_review_status(db, r, "in_progress"),
        "add_finding": lambda: findings.add_finding(db, review_id=r, kind="deficiency",
                                                    topic="training"),
        "update_finding": lambda: findings.update_finding(db, finding.id, description="x"),
        "remove_finding": lambda: findings.remove_finding(db, finding.id),
        "restore_finding": lambda: findings.restore_finding(db, finding.id),
        "add_attachment": lambda: attachments.add_attachment(db, source=b"y", filename="b.jpg",
                                                             review_id=r),
        "add_attachment_to_finding": lambda: attachments.add_attachment(
            db, source=b"z", filename="c.jpg", finding_id=finding.id),
        "remove_attachment": lambda: attachments.remove_attachment(db, att.id),
        "start_interview": lambda: interviews.start_interview(
            db, review_id=r, role="officer", officer_id=world.jem_officers[1]),
        "record_interview_answer": lambda: interviews.record_interview_answer(
            db, interview_id=interview.id, question_key=question, value="yes"),
        "complete_interview": lambda: interviews.complete_interview(db, interview.id),
    }  # fmt: skip
    for name, write in writes.items():
        with pytest.raises(ReviewLocked, match="final and locked"):
            write()
        assert counts(db) == before, name


# --- interviews --------------------------------------------------------------------------


def test_wso_standardized_interview_of_three_officers(world):
    db = world.db
    guide = interviews.interview_form("WSO", "officer")
    questions = [q for q in guide.items() if q.answer == "understanding"]
    assert questions, "the WSO guide has understanding questions"
    made = []
    for k, officer_id in enumerate(world.wso_officers):
        iv = interviews.start_interview(db, review_id=world.wso_review, role="officer",
                                        officer_id=officer_id, on="2026-10-20")  # fmt: skip
        assert (iv.form_id, iv.form_version) == (guide.id, guide.version)
        for q in questions:
            value = "partial" if k == 1 and q is questions[0] else "understood"
            interviews.record_interview_answer(db, interview_id=iv.id, question_key=q.key,
                                               value=value)  # fmt: skip
        interviews.complete_interview(db, iv.id)
        made.append(iv.id)
    with db.read() as s:
        rows = s.exec(select(Interview).where(Interview.review_id == world.wso_review)).all()
    assert sorted(i.interviewee_name for i in rows) == ["Chen Wei", "Zoë Hartmann", "Ömer Yılmaz"]
    assert all(i.completed and i.interviewer == USER for i in rows)
    from inspector_app.store.queries import load_review

    with db.read() as s:
        data = load_review(s, world.wso_review)
    partial = [(d.officer.name, k) for d in data.interviews for k, a in d.answers.items()
               if a.value == "partial"]  # fmt: skip
    assert partial == [("Chen Wei", questions[0].key)]
    assert all(len(d.answers) == len(questions) for d in data.interviews)

    with pytest.raises(Conflict, match="already been interviewed"):
        interviews.start_interview(db, review_id=world.wso_review, role="officer",
                                   officer_id=world.wso_officers[0])  # fmt: skip
    with pytest.raises(Invalid) as caught:
        interviews.record_interview_answer(db, interview_id=made[0],
                                           question_key=questions[0].key, value="yes")  # fmt: skip
    assert caught.value.field == questions[0].key


def test_interviewing_another_agencys_officer_is_refused(world):
    other = ag.create_agency(world.db, name="Granite Bay County Jail", state="TX")
    stranger = ag.add_officer(world.db, agency_id=other.id, name="Luis Ortega", model="WSO")
    with pytest.raises(Invalid) as caught:
        interviews.start_interview(world.db, review_id=world.wso_review, role="officer",
                                   officer_id=stranger.id)  # fmt: skip
    assert caught.value.field == "officer_id"


# --- drafts ------------------------------------------------------------------------------


def test_draft_from_item_prefills_topic_citation_and_kind(world):
    form = forms.form_of("jem_inspection", 1)
    item = form.item("complaints.poster_spanish")
    draft = findings.draft_from_item(world.db, review_id=world.jem_review,
                                     item_key="complaints.poster_spanish")  # fmt: skip
    assert (draft.topic, draft.citation, draft.kind) == (item.topic, item.citation,
                                                         item.on_failure)  # fmt: skip
    assert draft.kind == FindingKind.AREA_OF_CONCERN and draft.topic == "complaints"
    assert draft.responsible == ResponsibleParty.LEA
    assert draft.item_key == "complaints.poster_spanish" and draft.description == item.prompt


def test_draft_from_an_ice_oversight_item_makes_ice_responsible(world):
    draft = findings.draft_from_item(world.db, review_id=world.jem_review,
                                     item_key="ice_oversight.monitors_training")  # fmt: skip
    assert draft.responsible == ResponsibleParty.ICE
    assert (draft.kind, draft.topic) == ("deficiency", "training")


def test_draft_from_unknown_item_names_the_field(world):
    with pytest.raises(Invalid) as caught:
        findings.draft_from_item(world.db, review_id=world.jem_review, item_key="nope")
    assert caught.value.field == "item_key"


# --- change notifications and rollback -------------------------------------------------


def test_listeners_hear_after_commit_and_not_on_failure(world):
    db = world.db
    heard: list[tuple[Changes, int]] = []

    def listener(change: Changes) -> None:
        # Runs after the commit: the row is already readable from another session.
        with db.read() as s:
            n = s.exec(select(func.count()).select_from(ChecklistResponse)).one()
        heard.append((change, n))

    db.listeners.append(listener)
    row = reviews.record_answer(db, review_id=world.jem_review, item_key="statistics.submitted",
                                value="yes")  # fmt: skip
    assert heard == [(Changes("record_answer", (RowChange("checklist_response", row.id,
                                                          world.jem_review, "insert", 1),)), 1)]  # fmt: skip

    heard.clear()
    with pytest.raises(Invalid):
        reviews.record_answer(db, review_id=world.jem_review, item_key="statistics.submitted",
                              value="perhaps")  # fmt: skip
    with pytest.raises(Conflict):
        reviews.record_answer(db, review_id=world.planned_review,
                              item_key="statistics.submitted", value="yes")  # fmt: skip
    assert heard == []


def test_failure_after_a_write_rolls_everything_back(world, monkeypatch):
    """An error after rows were flushed (here: the audit write) leaves no trace."""
    db = world.db
    heard: list[Changes] = []
    db.listeners.append(heard.append)
    before = counts(db)

    from inspector_app.services import uow as uow_module

    def broken_audit(self, *a, **k):  # noqa: ANN001, ANN002, ANN003
        raise RuntimeError("disk went away")

    monkeypatch.setattr(uow_module.UnitOfWork, "audit", broken_audit)
    with pytest.raises(RuntimeError):
        findings.add_finding(db, review_id=world.jem_review, kind="deficiency", topic="training")
    with pytest.raises(RuntimeError):
        reviews.record_answer(db, review_id=world.jem_review, item_key="statistics.submitted",
                              value="yes")  # fmt: skip
    assert counts(db) == before
    assert heard == []
    monkeypatch.undo()
    ok = findings.add_finding(db, review_id=world.jem_review, kind="deficiency", topic="training")
    assert ok.number == 1 and ok.rev == 1  # nothing half-written got in the way


def test_bulk_write_sends_one_reload_notice(world, monkeypatch):
    from inspector_app.services import uow as uow_module
    from inspector_app.services.uow import unit_of_work

    monkeypatch.setattr(uow_module, "BULK_CHANGES", 2)
    heard: list[Changes] = []
    world.db.listeners.append(heard.append)
    with unit_of_work(world.db, "bulk_test") as uow:
        for name in ("A", "B", "C"):
            uow.save(ag.FieldOffice(name=name))
        uow.audit("field_office", "*", count=3)
    assert [(c.action, c.everything) for c in heard] == [("bulk_test", True)]
