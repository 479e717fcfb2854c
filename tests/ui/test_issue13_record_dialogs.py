"""Issue 13 defect 5: from an empty database, the dialogs add a field office, an agency,
an agreement, an officer and a training record; refusals are one red line."""

from __future__ import annotations

from datetime import date

import pytest

from inspector_app.services import records
from inspector_app.ui.qt import QDate
from inspector_app.ui.record_dialogs import (
    AgencyDialog,
    AgreementDialog,
    FieldOfficeDialog,
    ImportRosterDialog,
    OfficerDialog,
    TrainingDialog,
)
from tests.ui.conftest import make_ctx

pytestmark = pytest.mark.gui


@pytest.fixture
def empty_ctx(db, qapp):  # noqa: ANN001, ANN201
    ctx = make_ctx(db)
    yield ctx
    ctx.close()


def test_start_empty_and_add_every_record(empty_ctx, qtbot, tmp_path):  # noqa: ANN001
    ctx = empty_ctx
    office = FieldOfficeDialog(ctx)
    qtbot.addWidget(office)
    assert not office.submit()
    assert office.error.text() == "code, name: required"
    office.code.setText("atl")
    office.name.setText("Atlanta")
    office.poc_email.setText("marisol.pena@example.gov")
    assert office.submit() and office.result_.code == "ATL"

    agency = AgencyDialog(ctx)
    qtbot.addWidget(agency)
    assert agency.office.currentData() == office.result_.id
    assert not agency.submit() and agency.error.text() == "name, state: required"
    agency.name.setText("Elk Ridge County Sheriff's Department")
    agency.state.setText("sc")
    assert agency.submit()
    agency_id = agency.result_.id

    moa = AgreementDialog(ctx, agency_id=agency_id)
    qtbot.addWidget(moa)
    moa.model.setCurrentIndex(moa.model.findData("WSO"))
    moa.signed_on.setDate(QDate(2018, 1, 1))
    assert not moa.submit() and "before the WSO model began" in moa.error.text()
    moa.signed_on.setDate(QDate(2021, 3, 1))
    assert moa.submit()

    officer = OfficerDialog(ctx, agency_id=agency_id)
    qtbot.addWidget(officer)
    assert officer.agreement.count() == 1
    officer.name.setText("José Núñez")
    officer.credential.setText("W-100")
    assert officer.submit()

    training = TrainingDialog(ctx, agency_id=agency_id)
    qtbot.addWidget(training)
    assert [training.course.itemData(i) for i in range(training.course.count())] == ["wso_course"]
    training.completed_on.setDate(QDate(2024, 2, 1))
    training.hours.setText("8")
    assert training.submit()
    assert training.result_.completed_on == date(2024, 2, 1)

    roster = tmp_path / "roster.csv"
    roster.write_text("name,model\n,WSO\nAna Ríos,WSO\n", encoding="utf-8")
    imp = ImportRosterDialog(ctx, agency_id=agency_id)
    qtbot.addWidget(imp)
    imp.path.setText(str(roster))
    assert not imp.submit()
    assert imp.problems.toPlainText() == f"{roster}:2: name: required"
    assert "nothing was imported" in imp.error.text()
    assert [c.text for c in records.officer_choices(ctx.db, agency_id)] == [
        "José Núñez (WSO, W-100)"
    ]
