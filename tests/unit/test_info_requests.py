"""The WSO request form: defaults, sending, documents received, overdue flag."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from inspector_app.services import agencies as ag
from inspector_app.services import info_requests as ir
from inspector_app.services import reviews, schedule
from inspector_app.services.errors import Conflict, Invalid
from inspector_app.store.files import read_blob


@pytest.fixture
def wso_review(db):
    office = ag.create_field_office(db, name="Atlanta", poc_name="Marisol Peña",
                                    poc_email="marisol@example.gov")  # fmt: skip
    agency = ag.create_agency(db, name="Test County SO", state="GA", field_office_id=office.id)
    ag.create_agreement(db, agency_id=agency.id, model="WSO", signed_on="2024-01-01")
    ag.create_agreement(db, agency_id=agency.id, model="JEM", signed_on="2024-01-01")
    return reviews.schedule_review(db, agency_id=agency.id, kind="wso_review",
                                   planned_start="2027-01-20")  # fmt: skip


def test_request_defaults_to_field_office_poc_and_three_weeks_before(db, wso_review):
    request = ir.create_request(db, review_id=wso_review.id, items=["Officer list", "MOA"])
    assert request.poc_name == "Marisol Peña" and request.due_on == date(2026, 12, 30)
    view = ir.request_of(db, wso_review.id, date(2026, 12, 1))
    assert [i.description for i in view.items] == ["Officer list", "MOA"]
    assert view.state == "draft"
    with pytest.raises(Conflict):
        ir.create_request(db, review_id=wso_review.id)
    full = ir.create_request  # the default list is used when none is given
    assert len(ir.DEFAULT_REQUEST_ITEMS) >= 5 and full


def test_only_wso_reviews_get_a_request_form(db, wso_review):
    jem = reviews.schedule_review(db, agency_id=wso_review.agency_id, kind="jem_inspection",
                                  planned_start="2027-01-20")  # fmt: skip
    with pytest.raises(Invalid, match="WSO"):
        ir.create_request(db, review_id=jem.id)


def test_sent_received_overdue_and_complete(db, wso_review):
    request = ir.create_request(db, review_id=wso_review.id, items=["Officer list", "MOA"])
    ir.mark_sent(db, request.id, on="2026-12-05")
    assert ir.request_of(db, wso_review.id, date(2026, 12, 6)).state == "sent"
    assert ir.request_of(db, wso_review.id, date(2026, 12, 20)).state == "due_soon"
    first, second = ir.request_of(db, wso_review.id, date(2026, 12, 6)).items
    ir.receive_item(db, first.id, on="2026-12-10", source=b"%PDF-1.4 officers",
                    filename="officers.pdf")  # fmt: skip
    view = ir.request_of(db, wso_review.id, date(2026, 12, 31))
    assert view.received == 1 and view.state == "overdue"  # due 12-30, MOA missing
    [attachment] = view.files[first.id]
    assert attachment.filename == "officers.pdf" and attachment.mime_type == "application/pdf"
    assert read_blob(db.attachments_dir, attachment.sha256) == b"%PDF-1.4 officers"
    ir.receive_item(db, second.id, on="2027-01-02")
    assert ir.request_of(db, wso_review.id, date(2027, 1, 3)).state == "complete"
    ir.unreceive_item(db, second.id)
    assert ir.request_of(db, wso_review.id, date(2027, 1, 3)).state == "overdue"


def test_receiving_an_unreadable_file_names_it(db, wso_review, tmp_path):
    request = ir.create_request(db, review_id=wso_review.id, items=["MOA"])
    item = ir.request_of(db, wso_review.id).items[0]
    with pytest.raises(Invalid, match="missing.pdf"):
        ir.receive_item(db, item.id, source=tmp_path / "missing.pdf")
    assert ir.request_of(db, wso_review.id).items[0].received_on is None
    assert request.id


def test_demo_request_form_is_sent_and_partly_answered(demo_db):
    from inspector_app.services import schedule

    [item] = [i for i in schedule.due_items(demo_db, date(2026, 11, 2))
              if i.category == schedule.Category.REQUEST_FORM]  # fmt: skip
    total = len(ir.DEFAULT_REQUEST_ITEMS)
    assert item.state == "sent" and f"4 of {total} documents received" in item.detail


# --- issue 12 error 5: planning a WSO review drafts its request form ----------------------


def test_planning_a_wso_review_drafts_its_request_form_due_for_sending(db):
    office = ag.create_field_office(db, name="Atlanta", poc_name="Marisol Peña",
                                    poc_email="marisol@example.gov")  # fmt: skip
    agency = ag.create_agency(db, name="Wso County SO", state="GA", field_office_id=office.id)
    ag.create_agreement(db, agency_id=agency.id, model="WSO", signed_on="2024-01-01")
    review = reviews.schedule_review(db, agency_id=agency.id, kind="wso_review",
                                     planned_start="2027-01-10")  # fmt: skip
    view = ir.request_of(db, review.id, date(2026, 11, 1))
    assert view is not None and view.state == "draft"
    r = view.request
    assert (r.poc_name, r.poc_email) == ("Marisol Peña", "marisol@example.gov")
    assert r.send_by == date(2026, 11, 29)  # 42 days before the visit
    assert r.due_on == date(2026, 12, 20)  # documents three weeks before it
    assert len(view.items) == len(ir.DEFAULT_REQUEST_ITEMS)

    def due(today):
        return [i for i in schedule.due_items(db, today) if i.category == "request_form"]

    [item] = due(date(2026, 11, 1))
    assert (item.due, item.state, item.owner) == (date(2026, 11, 29), "draft", "Marisol Peña")
    assert item.title == "WSO review request form: send it"
    assert due(date(2026, 11, 30))[0].state == "overdue"  # not sent by its send-by date
    ir.mark_sent(db, r.id, on="2026-11-25")
    [sent] = due(date(2026, 11, 30))
    assert (sent.due, sent.state) == (date(2026, 12, 20), "sent")  # now the documents
    first = view.items[0]
    ir.receive_item(db, first.id, on="2026-12-01")
    assert f"1 of {len(view.items)} documents received" in due(date(2026, 12, 2))[0].detail


def test_send_days_are_configurable_and_a_legacy_review_without_a_form_is_listed(db):
    agency = ag.create_agency(db, name="Wso County SO", state="GA")
    ag.create_agreement(db, agency_id=agency.id, model="WSO", signed_on="2024-01-01")
    review = reviews.schedule_review(db, agency_id=agency.id, kind="wso_review",
                                     planned_start="2027-01-10", request_send_days=60)  # fmt: skip
    assert ir.request_of(db, review.id).request.send_by == date(2026, 11, 11)
    with pytest.raises(Invalid, match="send_days_before"):
        reviews.schedule_review(db, agency_id=agency.id, kind="wso_review",
                                planned_start="2027-03-10", request_send_days=0)  # fmt: skip
    # A form deleted (or never drafted, before this version): the review still shows.
    with db.write() as s:
        s.execute(text("UPDATE info_request SET deleted = 1"))
        s.commit()
    [item] = [i for i in schedule.due_items(db, date(2026, 11, 1)) if i.category == "request_form"]
    assert (item.ref_id, item.due) == (review.id, date(2026, 11, 29))
    assert item.title == "WSO review request form: none yet"
