"""Performance measures: each names its numerator and denominator; figures counted by hand."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from inspector_app.analytics.measures import measures
from inspector_app.services import agencies as ag
from inspector_app.services import corrective_actions as ca
from inspector_app.services.history_import import import_history
from inspector_app.store.models import Agency, Finding

HAND_BUILT = Path(__file__).parents[1] / "data" / "history" / "hand_built.csv"
KEYS = {"key", "name", "numerator", "denominator", "value", "numerator_label", "denominator_label"}


@pytest.fixture
def program(db):
    """The hand-built history plus agreements, officers, training and corrective actions."""
    import_history(db, HAND_BUILT)
    with db.read() as s:
        by_name = {a.name: a.id for a in s.exec(select(Agency))}
        findings = {f.source_ref.removeprefix("history:"): f.id for f in s.exec(select(Finding))}
    alder, cedar, nunez = (by_name["Alder County Sheriff's Office"], by_name["Cedar County Jail"],
                           by_name["Núñez Township Police"])  # fmt: skip
    jem = ag.create_agreement(db, agency_id=alder, model="JEM", signed_on="2020-01-01")
    ag.create_agreement(db, agency_id=cedar, model="JEM", signed_on="2020-01-01")
    ag.create_agreement(db, agency_id=nunez, model="WSO", signed_on="2025-01-01")  # after FY2024
    # JEM officers on 2024-09-30: José current; Ana's online training lapsed.
    jose = ag.add_officer(db, agency_id=alder, name="José Núñez", model="JEM", agreement_id=jem.id)
    ag.add_training(db, officer_id=jose.id, kind="initial_course", completed_on="2023-06-01")
    ag.add_training(db, officer_id=jose.id, kind="annual_online", completed_on="2024-05-01")
    ana = ag.add_officer(db, agency_id=alder, name="Ana Ríos", model="JEM", agreement_id=jem.id)
    ag.add_training(db, officer_id=ana.id, kind="initial_course", completed_on="2021-01-01")
    ag.add_training(db, officer_id=ana.id, kind="annual_online", completed_on="2022-01-01")
    # Corrective actions of FY2024 deficiencies: D1 on time, D3 late, D4 still open.
    ca.add_action(db, finding_id=findings["D1"], action="Train", due_on="2024-01-31",
                  status="done", completed_on="2024-01-15")  # fmt: skip
    ca.add_action(db, finding_id=findings["D3"], action="Poster", due_on="2024-01-31",
                  status="done", completed_on="2024-02-20")  # fmt: skip
    ca.add_action(db, finding_id=findings["D4"], action="Send data", due_on="2024-12-31")
    return db


def _by_key(result: dict) -> dict[str, dict]:
    return {m["key"]: m for m in result["measures"]}


def test_each_measure_names_numerator_and_denominator(program):
    with program.read() as s:
        result = measures(s, 2024)
    assert result["fiscal_year"] == 2024
    assert result["field_office"] is None  # not narrowed: every field office
    for m in result["measures"]:
        assert set(m) == KEYS
        assert m["numerator_label"] and m["denominator_label"]
        assert m["value"] == (m["numerator"] / m["denominator"] if m["denominator"] else None)


def test_measures_counted_by_hand(program):
    with program.read() as s:
        m = _by_key(measures(s, 2024))
    assert (m["training_jem"]["numerator"], m["training_jem"]["denominator"]) == (1, 2)
    assert m["training_wso"]["denominator"] == 0 and m["training_wso"]["value"] is None
    # D1 on time, D3 late; D4's action is open past its due date (2024-12-31): late too.
    assert (m["remediated_on_time"]["numerator"], m["remediated_on_time"]["denominator"]) == (1, 3)
    assert (m["lea_with_findings"]["numerator"], m["lea_with_findings"]["denominator"]) == (2, 3)
    # FR1 is final (an imported review): 1 of 1 focus reviews of FY2024 inspections complete.
    assert (m["focus_completion"]["numerator"], m["focus_completion"]["denominator"]) == (1, 1)
    assert (m["focus_resolution"]["numerator"], m["focus_resolution"]["denominator"]) == (3, 4)
    # Active agreements on 2024-09-30: Alder JEM (last review I1 ended 2023-10-17: within 24
    # months) and Cedar JEM (I4 2024-09-01); Núñez WSO was signed later.
    reviewed = m["reviewed_within_two_years"]
    assert (reviewed["numerator"], reviewed["denominator"]) == (2, 2)


def test_two_years_without_review_is_counted_against(program):
    with program.read() as s:
        m = _by_key(measures(s, 2026))
    # On 2026-09-30 Alder's last review (I5) ended 2024-10-01: within 24 months; Cedar's
    # last (I4, 2024-09-01) is older than 24 months; Núñez WSO (I2 2024-09-30) is exactly
    # 24 months before: due that very day, so not yet overdue.
    reviewed = m["reviewed_within_two_years"]
    assert (reviewed["numerator"], reviewed["denominator"]) == (2, 3)


def test_top_topics_against_the_year_before(program):
    with program.read() as s:
        top = measures(s, 2024)["top_topics"]
    assert [(t["topic"], t["count"]) for t in top[:3]] == [
        ("training", 2), ("complaints", 2), ("interpreter", 2)]  # fmt: skip
    training = top[0]
    # FY2023 (I6): training 2, authorization 1, complaints 1.
    assert (training["previous"], training["change"], training["previous_rank"]) == (2, 0, 1)
    assert len(top) == 4  # statistics is the fourth and last topic with findings


def test_officer_active_at_year_end_counts_even_if_revoked_later(program):
    with program.read() as s:
        before = _by_key(measures(s, 2024))["training_jem"]["denominator"]
    with program.read() as s:
        from inspector_app.store.models import Officer

        ana = s.exec(select(Officer).where(Officer.name == "Ana Ríos")).one()
    ag.set_officer_status(
        program,
        ana.id,
        status="revoked",
        reason="left",
        on=date(2025, 3, 1),
        credential_retrieved=True,
    )
    with program.read() as s:
        assert _by_key(measures(s, 2024))["training_jem"]["denominator"] == before
        assert _by_key(measures(s, 2025))["training_jem"]["denominator"] == before - 1
