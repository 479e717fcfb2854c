"""The fiscal-year summary against a hand-built history whose figures are counted by hand.

tests/data/history/hand_built.csv, FY2024 (2023-10-01 .. 2024-09-30):
  I1 Alder (GA, JEM) 2023-10-15: D1 training/lea, D2 training/ice, D3 complaints/lea,
     A1 interpreter/lea, B1 other/lea  -> 4 counted: follow-up; FR1 judges D1 D3 A1
     resolved, D2 unresolved
  I2 Núñez (TX, WSO) 2024-09-30 (last day of FY2024): no findings
  I3 Cedar (NC, JEM) 2024-03-01: A2 interpreter/ice, A3 complaints/lea
  I4 Cedar (NC, JEM) 2024-09-01: D4 statistics/lea       (second inspection, same agency)
  I5 Alder 2024-10-01: FY2025.  I6 Dunmore (SC, WSO) 2023-09-30: FY2023, 4 deficiencies;
     its focus review FR6 (2024-01-10) counts under FY2023.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector_app.analytics.loader import load_frames
from inspector_app.analytics.summary import detail, follow_up_status, summary, topic_table, trend
from inspector_app.services.history_import import import_history

HAND_BUILT = Path(__file__).parents[1] / "data" / "history" / "hand_built.csv"


@pytest.fixture
def history_db(db):
    import_history(db, HAND_BUILT)
    return db


def _zeros_except(s: dict, **counts: int) -> None:
    for code, n in s.items():
        assert n == counts.get(code.replace("-", "_"), 0), code


def test_fy2024_opr_figures(history_db):
    """Without a model: OPR's figures, JEM inspections only (I2, Núñez's WSO review, is not
    an OPR inspection)."""
    with history_db.read() as s:
        got = summary(s, 2024)
    assert got["fiscal_year"] == 2024 and got["model"] is None
    assert got["inspections"] == 3
    assert got["agencies_inspected"] == 2  # Cedar twice counts once
    assert got["agencies_with_findings"] == 2  # Alder, Cedar
    assert (got["deficiencies"], got["areas_of_concern"], got["best_practices"]) == (4, 3, 1)
    assert got["agencies_requiring_follow_up"] == 1
    _zeros_except(got["deficiencies_by_topic"], training=2, complaints=1, statistics=1)
    _zeros_except(got["areas_of_concern_by_topic"], interpreter=2, complaints=1)
    assert got["by_responsible"] == {
        "lea": {"deficiencies": 3, "areas_of_concern": 2},
        "ice": {"deficiencies": 1, "areas_of_concern": 1},
        "both": {"deficiencies": 0, "areas_of_concern": 0},
    }
    assert got["not_final"] == {"inspections": 0, "agencies": 0}
    assert got["follow_up"] == {
        "required": 1, "conducted": 1, "deficiencies_reviewed": 3, "deficiencies_resolved": 2,
        "areas_of_concern_reviewed": 1, "areas_of_concern_resolved": 1,
    }  # fmt: skip


def test_every_topic_code_is_listed_with_zeros(history_db):
    with history_db.read() as s:
        got = summary(s, 2024)
        topics = load_frames(s, 2024).topics
    assert list(got["deficiencies_by_topic"]) == topics
    assert list(got["areas_of_concern_by_topic"]) == topics
    assert got["deficiencies_by_topic"]["citizenship-claims"] == 0


def test_model_filter(history_db):
    with history_db.read() as s:
        jem, wso = summary(s, 2024, "JEM"), summary(s, 2024, "WSO")
    assert (jem["inspections"], jem["agencies_inspected"], jem["deficiencies"]) == (3, 2, 4)
    assert (wso["inspections"], wso["agencies_inspected"], wso["deficiencies"]) == (1, 1, 0)
    assert jem["model"] == "JEM"


def test_focus_reviews_count_under_the_year_of_the_inspection(history_db):
    with history_db.read() as s:
        fy23, fy25 = summary(s, 2023, "WSO"), summary(s, 2025)
    # FR6 took place in FY2024 but follows up I6 (a WSO review) of FY2023.
    assert fy23["inspections"] == 1 and fy23["follow_up"]["conducted"] == 1
    assert fy23["follow_up"]["deficiencies_reviewed"] == 2
    assert fy23["follow_up"]["deficiencies_resolved"] == 2
    assert fy25["inspections"] == 1 and fy25["deficiencies"] == 1
    assert fy25["follow_up"]["conducted"] == 0


def test_one_implementation_whatever_the_source(history_db):
    with history_db.read() as s:
        from_session = summary(s, 2024)
        from_frames = summary(load_frames(s), 2024)  # all years loaded
    assert from_session == from_frames


def test_drill_down_lists_the_rows_behind_a_number(history_db):
    with history_db.read() as s:
        frames = load_frames(s)
    with_findings = detail(frames, 2024, None, "agencies_with_findings")
    assert sorted(with_findings["agency"].unique()) == ["Alder County Sheriff's Office",
                                                        "Cedar County Jail"]  # fmt: skip
    ice_concerns = detail(frames, 2024, None, "by_responsible.ice.areas_of_concern")
    assert ice_concerns["description"].tolist() == [
        "Interpreter line not\nprovided by the field office"
    ]
    unresolved = detail(frames, 2024, None, "follow_up.deficiencies_reviewed")
    assert len(unresolved) == 3 and set(unresolved["status"]) == {"resolved", "unresolved"}
    training = detail(frames, 2024, None, "deficiencies_by_topic.training")
    assert len(training) == 2
    with pytest.raises(KeyError):
        detail(frames, 2024, None, "no_such_figure")


def test_annual_tables(history_db):
    with history_db.read() as s:
        frames = load_frames(s)
    t = trend(frames, 2025)
    assert t["Fiscal year"].tolist() == [2020, 2021, 2022, 2023, 2024, 2025]
    assert t.set_index("Fiscal year").loc[2024, "Agencies with findings"] == 2
    d = topic_table(frames, 2025, "deficiency")
    total = d[d["Responsible"] == "Total"].iloc[0]
    # OPR's tables: JEM inspections only (I6's four are a WSO review's, FY2023).
    assert (total["FY2023"], total["FY2024"], total["FY2025"], total["Total"]) == (0, 4, 1, 5)
    lea_training = d[(d["Responsible"] == "LEA") & (d["Topic"] == "training")].iloc[0]
    assert lea_training["Total"] == 2  # D1, D5
    fu = follow_up_status(frames, 2024)
    assert fu["Agency"].tolist() == ["Alder County Sheriff's Office"]
    assert (fu.iloc[0]["Judged"], fu.iloc[0]["Resolved"]) == (4, 3)
