"""Program figures (issue 12, error 4) on a real database, through the services.

OPR's figures are final JEM inspections only: a WSO review is in the WSO figures, a
planned, in-progress or draft review in none (only on the "not final" line). A
deficiency whose corrective action is open past its due date is remediated late.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from inspector_app.services import agencies as ag
from inspector_app.services import corrective_actions as ca
from inspector_app.services import findings, reviews
from inspector_app.services.history_import import import_history
from inspector_app.services.program_reports import program_data
from inspector_app.store.models import Agency, Finding

HAND_BUILT = Path(__file__).parents[1] / "data" / "history" / "hand_built.csv"


def _agency(db, name: str) -> str:
    with db.read() as s:
        return s.exec(select(Agency.id).where(Agency.name == name)).one()


def _review_with_deficiencies(db, agency_id: str, kind: str, start: str, n: int) -> str:
    r = reviews.schedule_review(db, agency_id=agency_id, kind=kind, planned_start=start)
    reviews.start_review(db, r.id, on=start)
    for _ in range(n):
        findings.add_finding(db, review_id=r.id, kind="deficiency", topic="training",
                             description="Lapsed training")  # fmt: skip
    return r.id


@pytest.fixture
def program(db):
    import_history(db, HAND_BUILT)  # FY2024: I1, I3, I4 final JEM; I2 final WSO
    cedar = _agency(db, "Cedar County Jail")
    nunez = _agency(db, "Núñez Township Police")
    ag.create_agreement(db, agency_id=cedar, model="JEM", signed_on="2020-01-01")
    ag.create_agreement(db, agency_id=nunez, model="WSO", signed_on="2020-01-01")
    # a JEM inspection still in progress and one in report draft, both in FY2024
    _review_with_deficiencies(db, cedar, "jem_inspection", "2024-05-01", 5)
    draft = _review_with_deficiencies(db, cedar, "jem_inspection", "2024-06-01", 2)
    reviews.set_review_status(db, draft, "report_draft")
    # a WSO review in progress with findings
    _review_with_deficiencies(db, nunez, "wso_review", "2024-07-01", 3)
    return db


def test_opr_figures_are_final_jem_inspections_only(program):
    s = program_data(program, 2024).summary
    assert s["model"] is None
    assert s["inspections"] == 3  # I1, I3, I4: not I2 (WSO), not the two JEM drafts
    assert s["agencies_inspected"] == 2
    assert (s["deficiencies"], s["areas_of_concern"], s["best_practices"]) == (4, 3, 1)
    assert s["deficiencies_by_topic"]["training"] == 2
    assert s["not_final"] == {"inspections": 2, "agencies": 1}
    assert set(s["by_responsible"]) == {"lea", "ice", "both"}


def test_wso_reviews_have_their_own_figures(program):
    s = program_data(program, 2024, "WSO").summary
    assert s["inspections"] == 1 and s["deficiencies"] == 0  # I2; the draft is left out
    assert s["not_final"]["inspections"] == 1


def test_trend_and_annual_tables_leave_drafts_and_wso_out(program):
    data = program_data(program, 2024)
    row = data.trend.set_index("Fiscal year").loc[2024]
    assert (row["Inspections"], row["Deficiencies"]) == (3, 4)
    fy23 = data.trend.set_index("Fiscal year").loc[2023]
    assert fy23["Inspections"] == 0  # I6 is a WSO review


def test_late_deficiencies_count_as_late(program):
    with program.read() as s:
        ids = {f.source_ref.removeprefix("history:"): f.id for f in s.exec(select(Finding))
               if f.source_ref}  # fmt: skip
    ca.add_action(program, finding_id=ids["D1"], action="Train", due_on="2024-01-31",
                  status="done", completed_on="2024-01-15")  # fmt: skip
    ca.add_action(program, finding_id=ids["D3"], action="Poster", due_on="2024-01-31")
    ca.add_action(program, finding_id=ids["D4"], action="Data", due_on="2030-01-31")
    from inspector_app.analytics.measures import load_inputs, measures

    with program.read() as s:
        inputs = load_inputs(s, 2024)
    m = {x["key"]: x for x in measures(inputs, 2024, today=date(2025, 6, 1))["measures"]}
    # D1 on time; D3 open past its due date: late; D4 open, not yet due: pending.
    assert (m["remediated_on_time"]["numerator"], m["remediated_on_time"]["denominator"]) == (1, 2)
    m = {x["key"]: x for x in measures(inputs, 2024, today=date(2024, 1, 20))["measures"]}
    assert (m["remediated_on_time"]["numerator"], m["remediated_on_time"]["denominator"]) == (1, 1)
