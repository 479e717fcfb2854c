"""The WSO request form: defaults, sending, documents received, overdue flag."""

from __future__ import annotations

from datetime import date

import pytest

from inspector_app.services import agencies as ag
from inspector_app.services import info_requests as ir
from inspector_app.services import reviews
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
