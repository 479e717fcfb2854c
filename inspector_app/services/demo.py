"""Realistic demo data, written through the services (so the change and audit logs
look as they do in real use). Dates are relative to `today` so that due and overdue
states stay meaningful whenever the demo is created. The agencies are fictional.

Accented names (José Núñez, ...) are here on purpose: every screen and report must
print them correctly.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from inspector_app.domain.calendar import add_months, fiscal_year
from inspector_app.domain.enums import (
    AnswerType,
    FindingKind,
    IntervieweeRole,
    ProgramModel,
    ReviewKind,
    TrainingKind,
)
from inspector_app.domain.training import WSO_COURSE_HOURS
from inspector_app.store.database import Database
from inspector_app.store.models import Agency, Agreement, Officer

from . import agencies as ag
from . import attachments, findings, interviews, reviews
from .demo_data import DEMO_INSPECTOR, TEAM, bad_value, good_value, photo
from .demo_lifecycle import extend_demo

Progress = Callable[[int, str], None]

# name, state, county, models, field office index
AGENCIES = [
    ("Alder County Sheriff's Office", "GA", "Alder", ("JEM",), 0),
    ("Bexley County Sheriff's Office", "GA", "Bexley", ("JEM", "WSO"), 0),
    ("Cedar County Sheriff's Office", "GA", "Cedar", ("WSO",), 0),
    ("Dunmore County Detention Center", "NC", "Dunmore", ("JEM",), 0),
    ("Elk Ridge County Sheriff's Department", "SC", "Elk Ridge", ("WSO",), 0),
    ("Fallon County Sheriff's Office", "TX", "Fallon", ("JEM", "WSO"), 1),
    ("Granite Bay County Jail", "TX", "Granite Bay", ("WSO",), 1),
]

OFFICER_NAMES = [
    "José Núñez", "María Fernández-López", "Renée Dubois", "Tomás Ibáñez", "Lucía Peña",
    "Daniel O'Connor", "Keisha Washington", "Bjørn Halvorsen", "Amélie Côté", "Chen Wei",
    "Samuel Adeyemi", "Zoë Hartmann", "Raúl Gutiérrez", "Priya Raman", "Jonah Whitaker",
    "Éloïse Marchand", "Marcus Bell", "Ana Sofía Ríos", "Trevor McAllister", "Nguyễn Thị Lan",
    "Hannah Kowalski", "Diego Alarcón", "Grace Thompson", "Ömer Yılmaz", "Carla Benítez",
    "Patrick Doyle", "Fatima Haddad", "Luis Ángel Ortega",
]  # fmt: skip


@dataclass
class DemoSummary:
    agencies: int = 0
    officers: int = 0
    reviews: int = 0
    findings: int = 0
    interviews: int = 0
    notes: list[str] = field(default_factory=list)


def seed_demo(
    db: Database, *, today: date | None = None, progress: Progress | None = None
) -> DemoSummary:
    """Fill an empty database with the demo program. Returns what was created."""
    today = today or date.today()
    rng = random.Random(287)
    summary = DemoSummary()
    step = progress or (lambda _p, _m: None)
    db.user = db.user or DEMO_INSPECTOR
    db.set_meta("inspector_name", db.user)

    step(2, "Field offices")
    offices = [
        ag.create_field_office(db, name="Atlanta", code="ATL", state="GA",
                               poc_name="Marisol Peña", poc_email="marisol.pena@example.gov"),
        ag.create_field_office(db, name="Houston", code="HOU", state="TX",
                               poc_name="Gregory Lindqvist", poc_email="g.lindqvist@example.gov"),
    ]  # fmt: skip

    step(5, "Agencies and agreements")
    names = iter(OFFICER_NAMES)
    agencies: dict[str, Agency] = {}
    agreements: dict[tuple[str, str], Agreement] = {}
    officers: dict[str, list[Officer]] = {}
    for i, (name, state, county, models, office) in enumerate(AGENCIES):
        agency = ag.create_agency(
            db, name=name, state=state, county=county, field_office_id=offices[office].id,
            contact_name=f"Jail Administrator, {county} County",
        )  # fmt: skip
        agencies[name] = agency
        summary.agencies += 1
        officers[name] = []
        for model in models:
            # Fallon County's JEM agreement is old and never inspected: overdue on purpose.
            signed = today - timedelta(days=(900 if name.startswith("Fallon") else 400 + 90 * i))
            agreements[(name, model)] = ag.create_agreement(
                db, agency_id=agency.id, model=model, signed_on=signed,
                moa_number=f"287G-{state}-{2018 + i}-{model}",
            )  # fmt: skip
            for _ in range(2 if len(models) > 1 else 3):
                officer = ag.add_officer(
                    db, agency_id=agency.id, name=next(names), model=model,
                    credential_number=f"{model[0]}{state}{1000 + 37 * summary.officers}",
                )  # fmt: skip
                summary.officers += 1
                officers[name].append(officer)
                _train(db, officer, model, today, lapsed=(summary.officers % 6 == 0), rng=rng)
        step(5 + 4 * i, name)

    step(35, "Warrants served")
    for (_name, model), agreement in agreements.items():
        if model != ProgramModel.WSO:
            continue
        first = date(fiscal_year(today) - 3, 10, 1)
        signed = agreement.signed_on.replace(day=1)
        month = first
        while month <= today:
            count = rng.randint(0, 14)  # drawn for every month: the rest of the demo stays put
            if month >= signed:  # none is accepted for a month before the MOA was signed
                ag.record_warrants(db, agreement_id=agreement.id, year=month.year,
                                   month=month.month, count=count)  # fmt: skip
            month = add_months(month, 1)

    step(50, "A completed JEM inspection")
    alder = agencies["Alder County Sheriff's Office"]
    _completed_jem_inspection(db, alder, today, summary)

    step(70, "A WSO review with officer interviews")
    cedar = agencies["Cedar County Sheriff's Office"]
    _wso_review_with_interviews(db, cedar, officers[cedar.name], today, summary)

    step(90, "Planned reviews")
    for name, kind, days in [
        ("Dunmore County Detention Center", ReviewKind.JEM_INSPECTION, 12),
        ("Elk Ridge County Sheriff's Department", ReviewKind.WSO_REVIEW, 45),
    ]:
        reviews.schedule_review(
            db, agency_id=agencies[name].id, kind=kind, lead_inspector=DEMO_INSPECTOR, team=TEAM,
            planned_start=today + timedelta(days=days),
            planned_end=today + timedelta(days=days + 2),
        )  # fmt: skip
        summary.reviews += 1
    extend_demo(db, today)
    step(100, "Done")
    return summary


def _train(
    db: Database, officer: Officer, model: str, today: date, *, lapsed: bool, rng: random.Random
) -> None:
    if model == ProgramModel.JEM:
        initial = today - timedelta(days=rng.randint(800, 1500))
        ag.add_training(db, officer_id=officer.id, kind=TrainingKind.INITIAL_COURSE,
                        completed_on=initial, hours=160)  # fmt: skip
        if lapsed:  # online training 15 months ago, refresher never: shows as lapsed
            ag.add_training(db, officer_id=officer.id, kind=TrainingKind.ANNUAL_ONLINE,
                            completed_on=today - timedelta(days=460), hours=4)  # fmt: skip
            return
        ag.add_training(db, officer_id=officer.id, kind=TrainingKind.ANNUAL_ONLINE,
                        completed_on=today - timedelta(days=rng.randint(20, 300)), hours=4)  # fmt: skip
        ag.add_training(db, officer_id=officer.id, kind=TrainingKind.REFRESHER,
                        completed_on=today - timedelta(days=rng.randint(30, 600)), hours=40)  # fmt: skip
    elif not lapsed:
        completed = today - timedelta(days=rng.randint(60, 700))
        rng.choice([1.5, 4, 6, 8])  # drawn as before, so the rest of the demo stays put
        ag.add_training(db, officer_id=officer.id, kind=TrainingKind.WSO_COURSE,
                        completed_on=completed, hours=WSO_COURSE_HOURS)  # fmt: skip


# Findings for the completed JEM inspection: (topic, kind, responsible, description).
# Findings for the completed JEM inspection: (checklist item it comes from, topic, kind,
# responsible party, description). The item is answered "no" in the demo checklist.
JEM_FINDINGS = [
    ("training.annual_online", "training", FindingKind.DEFICIENCY, "lea",
     "Two designated officers had not completed annual online training in the last 12 months "
     "and continued to process detainers."),
    ("ice_oversight.monitors_training", "training", FindingKind.DEFICIENCY, "ice",
     "The ICE field supervisor did not track officers' training dates and did not suspend "
     "the authority of officers whose training had lapsed."),
    ("complaints.poster_spanish", "complaints", FindingKind.AREA_OF_CONCERN, "lea",
     "The complaint poster in the 287(g) processing area was displayed in English only; "
     "the Spanish poster was missing."),
    ("interpreter.documented", "interpreter", FindingKind.AREA_OF_CONCERN, "lea",
     "Interpreter use during processing was not documented in 4 of 12 files reviewed."),
    ("steering_committee.meeting_held", "steering-committee", FindingKind.DEFICIENCY, "both",
     "No steering-committee meeting was held or advertised in the last fiscal year; "
     "no agenda or minutes were sent to ICE."),
    (None, "information-security", FindingKind.BEST_PRACTICE, "lea",
     "Credentials and ICE equipment are logged in and out daily in a locked cabinet, "
     "with the log reviewed weekly by the jail administrator."),
]  # fmt: skip


def _completed_jem_inspection(
    db: Database, agency: Agency, today: date, summary: DemoSummary
) -> None:
    start = today - timedelta(days=40)
    review = reviews.schedule_review(
        db, agency_id=agency.id, kind=ReviewKind.JEM_INSPECTION, lead_inspector=DEMO_INSPECTOR,
        team=TEAM, planned_start=start, planned_end=start + timedelta(days=2),
    )  # fmt: skip
    review = reviews.start_review(db, review.id, on=start, form_version=1)  # the demo shows v1
    summary.reviews += 1
    form = reviews.form_for(review)
    keys = {item.key for item in form.items()}
    failing = {key for key, *_ in JEM_FINDINGS if key in keys}
    for item in form.items():
        value = bad_value(item) if item.key in failing else good_value(item)
        if value is not None:
            reviews.record_answer(db, review_id=review.id, item_key=item.key, value=value)
    for key, topic, kind, responsible, text in JEM_FINDINGS:
        item_key = key if key in failing else None
        citation = form.item(item_key).citation if item_key else "287(g) MOA"
        finding = findings.add_finding(
            db, review_id=review.id, kind=kind, topic=topic, responsible=responsible,
            citation=citation, description=text, item_key=item_key,
            evidence="Observed on site; see attached photo." if topic == "complaints" else "",
        )  # fmt: skip
        summary.findings += 1
        if topic == "complaints":
            attachments.add_attachment(
                db, source=photo("Processing area: English poster only", (70, 90, 120)),
                filename="processing-area-poster.jpg", review_id=review.id, finding_id=finding.id,
                item_key=item_key, caption="Processing area wall, day 1",
            )  # fmt: skip
    reviews.update_review(
        db, review.id, end_date=start + timedelta(days=2),
        summary="Facility tour, review of 40 case files and 12 training records, interviews "
                "with field-office leadership, the jail administrator and 3 designated officers.",
    )  # fmt: skip
    reviews.set_review_status(db, review.id, "report_draft")


# The second officer interviewed hesitates on these questions (the demo's gap).
WSO_INTERVIEW_GAPS = {
    "duties.when_served": "Hesitated; first described serving before release, then corrected.",
    "duties.ice_contact": "Named the jail supervisor, not the ICE deportation officer.",
}


def _wso_review_with_interviews(db: Database, agency: Agency, officers: list[Officer],
                                today: date, summary: DemoSummary) -> None:  # fmt: skip
    start = today - timedelta(days=8)
    review = reviews.schedule_review(
        db, agency_id=agency.id, kind=ReviewKind.WSO_REVIEW, lead_inspector=DEMO_INSPECTOR,
        team=TEAM[:2], planned_start=start, planned_end=start + timedelta(days=1),
    )  # fmt: skip
    review = reviews.start_review(db, review.id, on=start)
    summary.reviews += 1
    form = reviews.form_for(review)
    for n, item in enumerate(form.items()):
        value = good_value(item)
        if n % 7 == 3 and item.fail_values:
            value = bad_value(item)
        if value is not None:
            reviews.record_answer(db, review_id=review.id, item_key=item.key, value=value,
                                  note="Checked against the documents received." if n % 5 == 0 else None)  # fmt: skip
    gap_answer = None
    for k, officer in enumerate(officers[:3]):
        interview = interviews.start_interview(
            db, review_id=review.id, role=IntervieweeRole.OFFICER, officer_id=officer.id, on=start
        )
        summary.interviews += 1
        iform = interviews.interview_form(ProgramModel.WSO, IntervieweeRole.OFFICER)
        for question in iform.items():
            value = good_value(question)
            if k == 1 and question.key in WSO_INTERVIEW_GAPS and question.fail_values:
                value = (
                    "partial"
                    if question.answer == AnswerType.UNDERSTANDING
                    else bad_value(question)
                )
            if value is None:
                continue
            answer = interviews.record_interview_answer(
                db, interview_id=interview.id, question_key=question.key, value=value,
                note=WSO_INTERVIEW_GAPS.get(question.key) if value == "partial" else None,
            )  # fmt: skip
            if question.key == "duties.when_served" and value == "partial":
                gap_answer = answer
        interviews.complete_interview(db, interview.id)
    if gap_answer is not None:
        draft = findings.draft_from_answer(db, interview_answer_id=gap_answer.id)
        findings.add_finding(
            db, review_id=review.id, kind=FindingKind.AREA_OF_CONCERN, topic=draft.topic or "other",
            responsible="lea", citation=draft.citation,
            description="One of three WSOs could not say when a warrant may be served "
                        "(it must be at release from criminal custody).",
            interview_answer_id=gap_answer.id,
        )  # fmt: skip
        summary.findings += 1
