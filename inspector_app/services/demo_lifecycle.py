"""Demo data for the review lifecycle, added after services.demo.seed_demo's program:

- Bexley County: a JEM inspection five months ago, finalized with 5 deficiencies and
  areas of concern (and a best practice) and evidence photos (so a photo changed behind
  the app's back shows in `verify` and in its report), so its focus review is planned
  and due soon;
  corrective actions in every state (done on time, done late, in progress, overdue,
  planned); one finding disputed by the program office;
- Elk Ridge County: the request form of its planned WSO review, sent and partly
  answered (documents attached);
- a suspended officer (credential retrieved) and a revoked one (not retrieved);
- the current fiscal year's JEM plan, accepted.
Fallon County's JEM agreement (never inspected) is the overdue agreement.
Everything goes through the services, so the audit log shows it as real use would.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

from sqlmodel import select

from inspector_app.domain.calendar import fiscal_year
from inspector_app.domain.enums import ActionStatus, FindingKind, ReviewKind
from inspector_app.store.database import Database
from inspector_app.store.models import Agency, Officer, Review

from . import agencies as ag
from . import attachments, findings, info_requests, lifecycle, reviews, schedule
from . import corrective_actions as ca
from .demo_data import DEMO_INSPECTOR, TEAM, bad_value, good_value, photo

BEXLEY_FINDINGS = [
    ("complaints", FindingKind.DEFICIENCY, "lea",
     "Two complaints against designated officers were not reported to the ICE field office."),
    ("detainers", FindingKind.DEFICIENCY, "lea",
     "Three detainers (I-247A) were lodged without the required probable-cause box checked."),
    ("training", FindingKind.DEFICIENCY, "ice",
     "The field supervisor did not suspend an officer whose annual online training lapsed."),
    ("interpreter", FindingKind.AREA_OF_CONCERN, "lea",
     "Interpreter services were offered but their use was not documented in the case files."),
    ("steering-committee", FindingKind.AREA_OF_CONCERN, "lea",
     "The steering committee met once in two years; minutes were not sent to ICE."),
    ("information-security", FindingKind.BEST_PRACTICE, "lea",
     "PII in the processing area is kept in a locked cabinet with a sign-out log."),
]  # fmt: skip
# Evidence photos of the Bexley inspection: finding topic (None: the checklist item of
# the interpreter finding), file name, caption, colour.
BEXLEY_PHOTOS = [
    ("complaints", "complaint-log.jpg", "Complaint log: two entries never sent to ICE",
     (120, 70, 60)),
    ("detainers", "detainer-i247a.jpg", "I-247A with the probable-cause box left blank",
     (60, 80, 120)),
    ("information-security", "pii-cabinet.jpg", "Locked PII cabinet and sign-out log",
     (50, 110, 70)),
    (None, "interpreter-log.jpg", "Processing desk: no interpreter field on the form",
     (110, 100, 50)),
]  # fmt: skip


def _pdf(title: str) -> bytes:
    """A one-page PDF standing in for a document the LEA sent."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=letter)
    c.setTitle(title)
    c.drawString(72, 720, title)
    c.drawString(72, 700, "Document provided by the LEA for the WSO internal oversight review.")
    c.showPage()
    c.save()
    return buf.getvalue()


def _agency(db: Database, prefix: str) -> Agency:
    with db.read() as s:
        return s.exec(select(Agency).where(Agency.name.startswith(prefix))).one()


def _finalized_inspection(db: Database, agency: Agency, today: date) -> Review:
    start = today - timedelta(days=160)
    review = reviews.schedule_review(
        db, agency_id=agency.id, kind=ReviewKind.JEM_INSPECTION, lead_inspector=DEMO_INSPECTOR,
        team=TEAM, planned_start=start, planned_end=start + timedelta(days=2),
    )  # fmt: skip
    review = reviews.start_review(db, review.id, on=start, form_version=1)  # the demo shows v1
    form = reviews.form_for(review)
    failing = {t for t, k, *_ in BEXLEY_FINDINGS if k is not FindingKind.BEST_PRACTICE}
    item_of: dict[str, str] = {}
    for item in form.items():
        value = good_value(item)
        if item.topic in failing and item.topic not in item_of and item.fail_values:
            value, item_of[item.topic] = bad_value(item), item.key
        if value is not None:
            reviews.record_answer(db, review_id=review.id, item_key=item.key, value=value)
    added = {}
    for topic, kind, responsible, text in BEXLEY_FINDINGS:
        key = item_of.get(topic) if responsible == "lea" else None
        added[topic] = findings.add_finding(
            db, review_id=review.id, kind=kind, topic=topic, responsible=responsible,
            citation=form.item(key).citation if key else "287(g) MOA", description=text,
            item_key=key,
        )  # fmt: skip
    for photo_topic, name, caption, color in BEXLEY_PHOTOS:
        finding = added[photo_topic] if photo_topic else None
        attachments.add_attachment(
            db, source=photo(caption, color), filename=name, review_id=review.id,
            finding_id=finding.id if finding else None,
            item_key=finding.item_key if finding else item_of.get("interpreter"), caption=caption,
        )  # fmt: skip
    reviews.update_review(
        db, review.id, end_date=start + timedelta(days=2),
        summary="Facility tour, 35 case files and 8 training records reviewed; interviews with "
                "field-office leadership, the jail commander and two designated officers.",
    )  # fmt: skip
    reviews.set_review_status(db, review.id, "report_draft")
    return lifecycle.finalize_review(db, review.id).review


def _actions(db: Database, review: Review, today: date) -> None:
    with db.read() as s:
        from inspector_app.store import queries

        data = queries.load_review(s, review.id)
    assert data is not None  # the review was just made
    by_topic = {f.topic: f for f in data.findings}
    end = review.end_date or today
    plans = [
        ("complaints", "Report both complaints to the field office; train staff on the "
         "reporting rule", "lea", end + timedelta(days=60), end + timedelta(days=45)),
        ("detainers", "Re-review all detainers of the last 6 months with the field supervisor",
         "lea", end + timedelta(days=60), end + timedelta(days=95)),
        ("training", "Field supervisor to keep a training tracker and suspend lapsed officers",
         "ice", end + timedelta(days=120), None),
        ("interpreter", "Add an interpreter-use field to the processing checklist", "lea",
         today - timedelta(days=10), None),
        ("steering-committee", "Hold and advertise a steering committee meeting", "lea",
         today + timedelta(days=75), None),
    ]  # fmt: skip
    for n, (topic, text, owner, due, done) in enumerate(plans):
        status = ActionStatus.IN_PROGRESS if n == 2 else ActionStatus.PLANNED
        action = ca.add_action(db, finding_id=by_topic[topic].id, action=text, owner=owner,
                               due_on=due, status=status, today=today)  # fmt: skip
        if done is not None:
            ca.complete_action(db, action.id, completed_on=done, today=today,
                               evidence="Memo from the jail commander with the records attached.")  # fmt: skip
    lifecycle.dispute_finding(
        db,
        by_topic["steering-committee"].id,
        "The program office holds that a meeting in year two satisfies the MOA; under review.",
    )


def _request_form(db: Database, agency: Agency, today: date) -> None:
    with db.read() as s:
        review = s.exec(
            select(Review).where(
                Review.agency_id == agency.id, Review.kind == ReviewKind.WSO_REVIEW
            )  # fmt: skip
        ).first()
    if review is None:
        return
    request = info_requests.create_request(db, review_id=review.id)
    info_requests.mark_sent(db, request.id, on=today - timedelta(days=12))
    view = info_requests.request_of(db, review.id, today)
    assert view is not None  # the request was just made
    for n, item in enumerate(view.items[:4]):
        info_requests.receive_item(
            db,
            item.id,
            on=today - timedelta(days=6 - n),
            source=_pdf(item.description),
            filename=f"elk-ridge-document-{n + 1}.pdf",
        )


def _officers(db: Database, today: date) -> None:
    with db.read() as s:
        officers = list(s.exec(select(Officer).order_by(Officer.name)))
    bexley = _agency(db, "Bexley")
    granite = _agency(db, "Granite Bay")
    first = next(o for o in officers if o.agency_id == bexley.id and o.model == "JEM")
    ag.set_officer_status(db, first.id, status="suspended", on=today - timedelta(days=20),
                          reason="Misconduct complaint under investigation; authority suspended "
                                 "until it is resolved.", credential_retrieved=True)  # fmt: skip
    other = next(o for o in officers if o.agency_id == granite.id)
    ag.set_officer_status(db, other.id, status="revoked", on=today - timedelta(days=45),
                          reason="Left the agency.", credential_retrieved=False)  # fmt: skip


def extend_demo(db: Database, today: date | None = None) -> None:
    """Add the lifecycle demo (see the module docstring) to a seeded demo database."""
    today = today or date.today()
    bexley = _agency(db, "Bexley")
    review = _finalized_inspection(db, bexley, today)
    _actions(db, review, today)
    _request_form(db, _agency(db, "Elk Ridge"), today)
    _officers(db, today)
    schedule.save_plan(db, fiscal_year(today), accept=True)
