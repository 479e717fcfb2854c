"""Who must fix a finding: every form item names it (lea, ice or both), the drafts take
it from the item, and a finding of both ICE and the LEA is stored, read and synced."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from sqlalchemy import text

from inspector_app.domain.enums import ResponsibleParty
from inspector_app.domain.forms import FormRegistry, check_forms, default_forms_dir
from inspector_app.server import validation
from inspector_app.server.problems import ProblemError
from inspector_app.services import agencies as ag
from inspector_app.services import findings, interviews, reviews
from inspector_app.store.database import Database, open_database
from inspector_app.store.models import Finding
from tests.unit.test_forms import make_dir, sample_text

FORMS_DIR = default_forms_dir()
PARTIES = {"lea", "ice", "both"}

# Items whose help says ICE is responsible (issue 12) and GAO's ICE rows (table 2).
ICE_ITEMS = [
    ("wso_review", "request_form.returned"),
    ("wso_review", "revocation.log_maintained"),
    ("wso_review", "revocation.destroyed_and_logged"),
    ("wso_review", "communication.ice_reviews_ongoing"),
    ("jem_inspection", "case_documents.i213_reviewed"),
    ("jem_inspection", "ice_oversight.monitors_training"),
    ("jem_inspection", "ice_oversight.suspends_authority"),
    ("jem_inspection", "ice_oversight.reports_complaints"),
    ("jem_inspection", "ice_oversight.interconnection_agreement"),
    ("jem_inspection", "ice_oversight.authorization_records"),
]
# GAO table 3's rows where ICE and the LEA failed together.
BOTH_ITEMS = [
    ("jem_inspection", "steering_committee.publicly_advertised"),
    ("jem_inspection", "steering_committee.charter_on_file"),
    ("jem_inspection", "facility.ice_equipment_secured"),
]


def _raw_items() -> Iterator[tuple[str, dict]]:
    for path in sorted(FORMS_DIR.glob("*.v*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for section in data["sections"]:
            for item in section["items"]:
                yield path.name, item


def test_every_item_of_every_form_names_a_valid_responsible():
    items = list(_raw_items())
    assert len(items) > 100
    wrong = [(name, item["key"], item.get("responsible")) for name, item in items
             if item.get("responsible") not in PARTIES]  # fmt: skip
    assert wrong == []
    registry = FormRegistry.load(FORMS_DIR)
    for form in registry.all():
        for item in form.items():
            assert isinstance(item.responsible, ResponsibleParty), (form.ref, item.key)
    used = {item.responsible for form in registry.all() for item in form.items()}
    assert used == set(ResponsibleParty)  # each party is some item's


@pytest.mark.parametrize(("form_id", "key"), ICE_ITEMS)
def test_ice_items_name_ice(form_id, key):
    assert FormRegistry.load(FORMS_DIR).get(form_id, 1).item(key).responsible == "ice"


@pytest.mark.parametrize(("form_id", "key"), BOTH_ITEMS)
def test_joint_items_name_both(form_id, key):
    assert FormRegistry.load(FORMS_DIR).get(form_id, 1).item(key).responsible == "both"


def test_field_office_interview_questions_are_ices():
    form = FormRegistry.load(FORMS_DIR).latest("jem_interview_field_office")
    assert {item.responsible for item in form.items()} == {ResponsibleParty.ICE}


# --- the form checker ----------------------------------------------------------------


def test_missing_responsible_fails_naming_file_and_item(tmp_path):
    directory = make_dir(tmp_path, {"sample.v1.yaml": sample_text({14: None})})
    file = directory / "sample.v1.yaml"
    problems = check_forms(directory)
    assert [str(p) for p in problems] == [
        f"{file}:11: facility.poster: responsible: required field is missing; "
        "expected who must fix a failure: lea, ice or both"
    ]


def test_unknown_responsible_fails_naming_file_item_and_value(tmp_path):
    directory = make_dir(
        tmp_path, {"sample.v1.yaml": sample_text({26: "        responsible: xyz"})}
    )
    file = directory / "sample.v1.yaml"
    problems = check_forms(directory)
    assert len(problems) == 1, problems
    line = str(problems[0])
    assert line.startswith(f"{file}:26: facility.visits: responsible: 'xyz' is not allowed")
    assert "'lea', 'ice' or 'both'" in line


def test_both_is_accepted_by_the_checker(tmp_path):
    directory = make_dir(
        tmp_path, {"sample.v1.yaml": sample_text({14: "        responsible: both"})}
    )
    assert check_forms(directory) == []


# --- drafts --------------------------------------------------------------------------


@dataclass
class World:
    db: Database
    jem_review: str
    wso_review: str
    field_office_interview: str
    wso_officer_interview: str


@pytest.fixture
def world(db: Database) -> World:
    office = ag.create_field_office(db, name="Atlanta", code="ATL", state="GA")
    agency = ag.create_agency(db, name="Bexley County Sheriff's Office", state="GA",
                              field_office_id=office.id)  # fmt: skip
    ag.create_agreement(db, agency_id=agency.id, model="JEM", signed_on="2023-01-10")
    ag.create_agreement(db, agency_id=agency.id, model="WSO", signed_on="2024-03-01")
    wso_officer = ag.add_officer(db, agency_id=agency.id, name="Zoë Hartmann", model="WSO")
    jem = reviews.schedule_review(db, agency_id=agency.id, kind="jem_inspection",
                                  planned_start="2026-10-05")  # fmt: skip
    reviews.start_review(db, jem.id)
    wso = reviews.schedule_review(db, agency_id=agency.id, kind="wso_review",
                                  planned_start="2026-10-20")  # fmt: skip
    reviews.start_review(db, wso.id)
    field_office = interviews.start_interview(db, review_id=jem.id, role="field_office_leadership",
                                              interviewee_name="Deputy FOD")  # fmt: skip
    officer = interviews.start_interview(db, review_id=wso.id, role="officer",
                                         officer_id=wso_officer.id)  # fmt: skip
    return World(db, jem.id, wso.id, field_office.id, officer.id)


@pytest.mark.parametrize(
    ("review", "key"),
    [
        ("wso_review", "request_form.returned"),
        ("wso_review", "revocation.log_maintained"),
        ("wso_review", "revocation.destroyed_and_logged"),
        ("wso_review", "communication.ice_reviews_ongoing"),
        ("jem_review", "case_documents.i213_reviewed"),
        ("jem_review", "ice_oversight.monitors_training"),
    ],
)
def test_draft_from_item_takes_ice_from_the_item(world, review, key):
    draft = findings.draft_from_item(world.db, review_id=getattr(world, review), item_key=key)
    assert draft.responsible == ResponsibleParty.ICE


def test_draft_from_item_takes_lea_and_both_from_the_item(world):
    lea = findings.draft_from_item(world.db, review_id=world.wso_review,
                                   item_key="complaints.explained_at_service")  # fmt: skip
    both = findings.draft_from_item(world.db, review_id=world.jem_review,
                                    item_key="steering_committee.charter_on_file")  # fmt: skip
    assert (lea.responsible, both.responsible) == (ResponsibleParty.LEA, ResponsibleParty.BOTH)


def test_draft_from_answer_takes_the_questions_responsible(world):
    ice_answer = interviews.record_interview_answer(
        world.db, interview_id=world.field_office_interview,
        question_key="training.monitoring", value="not_understood",
    )  # fmt: skip
    lea_answer = interviews.record_interview_answer(
        world.db, interview_id=world.wso_officer_interview,
        question_key="duties.when_served", value="partial",
    )  # fmt: skip
    ice = findings.draft_from_answer(world.db, interview_answer_id=ice_answer.id)
    lea = findings.draft_from_answer(world.db, interview_answer_id=lea_answer.id)
    assert (ice.responsible, lea.responsible) == (ResponsibleParty.ICE, ResponsibleParty.LEA)


# --- storage and sync ------------------------------------------------------------------


def test_a_finding_of_both_round_trips_through_a_database_file(world, tmp_path: Path):
    finding = findings.add_finding(
        world.db, review_id=world.jem_review, kind="area_of_concern", topic="steering-committee",
        responsible="both", item_key="steering_committee.publicly_advertised",
    )  # fmt: skip
    path = Path(world.db.path)
    world.db.close()
    reopened = open_database(path, user="Another Inspector", daily_backup=False)
    try:
        with reopened.read() as s:
            row = s.get(Finding, finding.id)
            assert row is not None and row.responsible is ResponsibleParty.BOTH
            stored = s.execute(text("SELECT responsible FROM finding WHERE id = :id"),
                               {"id": finding.id}).scalar_one()  # fmt: skip
        assert stored == "both"
        assert ResponsibleParty.BOTH.label == "ICE and LEA"
        changed = findings.update_finding(reopened, finding.id, responsible="ice")
        assert changed.responsible is ResponsibleParty.ICE
    finally:
        reopened.close()


def test_the_sync_server_accepts_both_and_refuses_other_values():
    validation.check_fields(0, "finding", {"responsible": "both"})
    validation.check_fields(0, "corrective_action", {"owner": "both"})
    with pytest.raises(ProblemError) as caught:
        validation.check_fields(3, "finding", {"responsible": "xyz"})
    assert "responsible" in str(caught.value.detail)
