"""Issue 12 error 6: a WSO officer interview uses the guide pinned to the review when it
started, not the latest version shipped since (service level, real SQLite file)."""

from __future__ import annotations

import pytest

from inspector_app.domain.forms import FormRegistry
from inspector_app.services import agencies as ag
from inspector_app.services import forms, interviews, reviews


@pytest.fixture
def started_wso_review(db):
    agency = ag.create_agency(db, name="Wso County SO", state="GA")
    ag.create_agreement(db, agency_id=agency.id, model="WSO", signed_on="2024-01-01")
    officers = [ag.add_officer(db, agency_id=agency.id, name=n, model="WSO") for n in "AB"]
    review = reviews.schedule_review(db, agency_id=agency.id, kind="wso_review",
                                     planned_start="2026-10-20")  # fmt: skip
    return reviews.start_review(db, review.id), officers


def _with_a_newer_officer_guide(monkeypatch: pytest.MonkeyPatch) -> int:
    shipped = forms.registry()
    current = interviews.interview_form("WSO", "officer")
    newer = current.model_copy(update={"version": current.version + 1})
    registry = FormRegistry([*shipped.all(), newer], shipped.topics)
    monkeypatch.setattr(forms, "registry", lambda directory=None: registry)
    return current.version


def test_interviews_use_the_guide_pinned_when_the_review_started(db, started_wso_review,
                                                                 monkeypatch):  # fmt: skip
    review, (a, b) = started_wso_review
    assert review.interview_forms.get("wso_officer_interview") is not None
    pinned = _with_a_newer_officer_guide(monkeypatch)
    first = interviews.start_interview(db, review_id=review.id, role="officer", officer_id=a.id)
    second = interviews.start_interview(db, review_id=review.id, role="officer", officer_id=b.id)
    assert (first.form_version, second.form_version) == (pinned, pinned)
    # A review started now pins the newer guide.
    other = reviews.schedule_review(db, agency_id=review.agency_id, kind="wso_review",
                                    planned_start="2026-12-01")  # fmt: skip
    other = reviews.start_review(db, other.id)
    assert other.interview_forms["wso_officer_interview"] == pinned + 1
