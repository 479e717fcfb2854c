"""The finding editor offers LEA, ICE and both; a draft's party (from the form item) is
preselected, and a finding of both is saved and shown again when reopened."""

from __future__ import annotations

import pytest

from inspector_app.domain.enums import FindingKind, ResponsibleParty
from inspector_app.services import findings, reviews
from inspector_app.services.review_views import finding as load_finding
from inspector_app.ui.workspace import FindingEditor
from tests.ui.workspace_helpers import agency_id, ctx  # noqa: F401

pytestmark = pytest.mark.gui


def _started_jem(db) -> str:  # noqa: ANN001
    review = reviews.schedule_review(db, agency_id=agency_id(db, "Dunmore"), kind="jem_inspection")
    reviews.start_review(db, review.id)
    return review.id


def _offered(editor: FindingEditor) -> list[tuple[str, str]]:
    box = editor.responsible
    return [(box.itemData(i), box.itemText(i)) for i in range(box.count())]


def test_editor_offers_the_three_parties_with_labels(ctx, qtbot) -> None:  # noqa: ANN001, F811
    editor = FindingEditor(ctx, review_id=_started_jem(ctx.db))
    qtbot.addWidget(editor)
    assert _offered(editor) == [
        ("lea", "LEA (its officers or jail)"),
        ("ice", "ICE (field office / supervisors)"),
        ("both", "Both ICE and the LEA"),
    ]


def test_a_finding_of_both_is_saved_and_reopened_as_both(ctx, qtbot) -> None:  # noqa: ANN001, F811
    review_id = _started_jem(ctx.db)
    draft = findings.draft_from_item(ctx.db, review_id=review_id,
                                     item_key="steering_committee.publicly_advertised")  # fmt: skip
    editor = FindingEditor(ctx, draft=draft)
    qtbot.addWidget(editor)
    assert editor.responsible.currentData() == "both"  # the item names both
    editor.responsible.setCurrentIndex(editor.responsible.findData("ice"))
    editor.responsible.setCurrentIndex(editor.responsible.findData("both"))
    assert editor.save() is True
    saved = load_finding(ctx.db, editor.finding_id)
    assert saved is not None and saved.responsible is ResponsibleParty.BOTH
    assert saved.kind == FindingKind(draft.kind)

    again = FindingEditor(ctx, finding_id=saved.id)
    qtbot.addWidget(again)
    assert again.responsible.currentData() == "both"
    assert again.responsible.currentText() == "Both ICE and the LEA"


def test_a_draft_from_an_ice_item_preselects_ice(ctx, qtbot) -> None:  # noqa: ANN001, F811
    review_id = _started_jem(ctx.db)
    draft = findings.draft_from_item(ctx.db, review_id=review_id,
                                     item_key="case_documents.i213_reviewed")  # fmt: skip
    editor = FindingEditor(ctx, draft=draft)
    qtbot.addWidget(editor)
    assert editor.responsible.currentData() == "ice"
    assert editor.save() is True
    saved = load_finding(ctx.db, editor.finding_id)
    assert saved is not None and saved.responsible is ResponsibleParty.ICE
