"""No lost updates in the editors: each one saves from the revision it loaded.

Every test opens an editor, changes the row behind its back through the service (as
another window or another instance on the same file would), saves, and checks what the
user sees: the editor stays open with their text, says who changed it and when, shows
the other change, and did not overwrite it; then "Keep mine" saves deliberately.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from inspector_app.services import agencies as ag
from inspector_app.services import corrective_actions as ca
from inspector_app.services import findings, forms, interviews, reviews
from inspector_app.services import info_requests as ir
from inspector_app.store import queries
from inspector_app.store.database import Database, open_database
from inspector_app.store.models import (
    ChecklistResponse,
    CorrectiveAction,
    Finding,
    InfoRequest,
    InterviewAnswer,
    Officer,
)
from inspector_app.ui.lifecycle_dialogs import (
    CorrectiveActionsDialog,
    InfoRequestDialog,
    OfficerStatusDialog,
)
from inspector_app.ui.qt import Qt
from inspector_app.ui.workspace import FindingEditor
from tests.ui.workspace_helpers import agency_id, ctx, open_ws  # noqa: F401

pytestmark = pytest.mark.gui

OTHER = "Sam Ortiz"
CHANGED_BY = rf"was changed by {OTHER} (at|on \S+ at) \d\d:\d\d after you opened it"


@pytest.fixture
def other(demo_db_path: Path) -> Iterator[Database]:
    """A second instance of the app on the same file, used by another inspector."""
    database = open_database(demo_db_path, user=OTHER, daily_backup=False)
    yield database
    database.close()


def _started_jem(db: Database) -> str:
    review = reviews.schedule_review(db, agency_id=agency_id(db, "Dunmore"), kind="jem_inspection")
    reviews.start_review(db, review.id)
    return review.id


def _get(db: Database, model: type, ident: str):  # noqa: ANN202
    with db.read() as s:
        return queries.get_live(s, model, ident)


def _click(qtbot, button) -> None:  # noqa: ANN001
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


# --- the finding editor (the defect) ---------------------------------------------------


@pytest.fixture
def finding(ctx) -> Finding:  # noqa: ANN001, F811
    review_id = _started_jem(ctx.db)
    return findings.add_finding(ctx.db, review_id=review_id, kind="deficiency", topic="training",
                                citation="MOA 4", description="Roster missing")  # fmt: skip


@pytest.mark.parametrize("behind", ["other instance", "other window"])
def test_finding_editor_keeps_my_text_and_their_change(ctx, other, finding, qtbot, behind):  # noqa: ANN001, F811
    editor = FindingEditor(ctx, finding_id=finding.id)
    qtbot.addWidget(editor)
    editor.show()
    editor.citation.setText("MOA 5, Training")  # a citation-only edit
    # meanwhile the description is rewritten elsewhere
    elsewhere = other if behind == "other instance" else ctx.db
    findings.update_finding(elsewhere, finding.id, description="Roster missing for 3 officers")

    assert editor.save() is False
    assert editor.isVisible() and editor.result() == 0  # still open
    who = OTHER if behind == "other instance" else "Dana Whitfield"
    message = editor.stale.message.text()
    assert message.startswith(f"finding F-{finding.number} was changed by {who} ")
    assert "after you opened it; your text is kept" in message
    assert editor.stale.isVisible()
    assert "Roster missing for 3 officers" in editor.stale.theirs.text()  # their change shown
    assert "MOA 4" not in editor.stale.theirs.text()  # only what they changed
    assert editor.citation.text() == "MOA 5, Training"  # my text is intact
    stored = _get(ctx.db, Finding, finding.id)
    assert (stored.description, stored.citation) == ("Roster missing for 3 officers", "MOA 4")

    _click(qtbot, editor.stale.keep_button)  # "Keep mine": saved over theirs, deliberately
    stored = _get(ctx.db, Finding, finding.id)
    assert (stored.description, stored.citation) == ("Roster missing", "MOA 5, Training")
    assert stored.updated_by == "Dana Whitfield" and not editor.isVisible()


def test_finding_editor_load_theirs_then_save(ctx, other, finding, qtbot):  # noqa: ANN001, F811
    editor = FindingEditor(ctx, finding_id=finding.id)
    qtbot.addWidget(editor)
    editor.show()
    editor.citation.setText("MOA 5")
    findings.update_finding(other, finding.id, description="Rewritten by Sam")
    assert editor.save() is False
    _click(qtbot, editor.stale.load_button)
    assert editor.stale.isHidden()
    assert editor.description.toPlainText() == "Rewritten by Sam"
    assert editor.citation.text() == "MOA 4"
    editor.evidence.setPlainText("Roster of 2026-10-02")
    assert editor.save() is True  # from their revision now
    stored = _get(ctx.db, Finding, finding.id)
    assert (stored.description, stored.evidence) == ("Rewritten by Sam", "Roster of 2026-10-02")


# --- notes on checklist items and interview answers -----------------------------------


def _an_item(review_id: str) -> str:
    return next(iter(forms.registry().for_review_kind("jem_inspection").items())).key


def _type_note(qtbot, ws, text: str) -> None:  # noqa: ANN001
    ws.detail.focus_note()
    ws.detail.note.selectAll()
    qtbot.keyClicks(ws.detail.note, text)


def test_note_refused_when_the_item_was_saved_elsewhere(ctx, other, open_ws, qtbot):  # noqa: ANN001, F811
    review_id = _started_jem(ctx.db)
    key = _an_item(review_id)
    ws = open_ws(review_id)
    ws.checklist.view.select_key(key)
    _type_note(qtbot, ws, "Poster in English only")
    reviews.set_note(other, review_id=review_id, item_key=key, note="Spanish poster seen")
    ws.detail.flush_note()

    detail = ws.detail
    assert detail.stale.isVisible()
    assert detail.stale.message.text().startswith(f"item {key} ")
    assert re.search(CHANGED_BY, detail.stale.message.text())
    assert "Spanish poster seen" in detail.stale.theirs.text()
    assert detail.note.toPlainText() == "Poster in English only"
    assert detail.note_state.text() == "Not saved"
    assert ws.error.isHidden()  # the bar says it, beside the note
    with ctx.db.read() as s:
        row = s.get(ChecklistResponse, queries.load_review(s, review_id).responses[key].id)
    assert row.note == "Spanish poster seen"

    # typing on does not autosave over theirs while the choice is pending
    qtbot.keyClicks(detail.note, " (checked twice)")
    detail.flush_note()
    assert _note(ctx.db, review_id, key) == "Spanish poster seen"

    _click(qtbot, detail.stale.keep_button)
    assert _note(ctx.db, review_id, key) == "Poster in English only (checked twice)"
    assert detail.stale.isHidden() and detail.note_state.text() == "Saved"


def _note(db: Database, review_id: str, key: str) -> str:
    with db.read() as s:
        return queries.load_review(s, review_id).responses[key].note


def test_moving_on_keeps_a_refused_note_until_chosen(ctx, other, open_ws, qtbot):  # noqa: ANN001, F811
    review_id = _started_jem(ctx.db)
    items = list(forms.registry().for_review_kind("jem_inspection").items())
    key, next_key = items[0].key, items[1].key
    ws = open_ws(review_id)
    ws.checklist.view.select_key(key)
    _type_note(qtbot, ws, "Mine")
    reviews.set_note(other, review_id=review_id, item_key=key, note="Theirs")
    ws.checklist.view.select_key(next_key)  # the note is flushed on the way: refused
    assert ws.detail.stale.isVisible()
    assert f"({key}) Mine" in ws.detail.stale.theirs.text()  # my text, in the bar
    ws.checklist.view.select_key(key)  # back: my text is in the note again
    assert ws.detail.note.toPlainText() == "Mine"
    _click(qtbot, ws.detail.stale.load_button)
    assert ws.detail.note.toPlainText() == "Theirs" and ws.detail.stale.isHidden()
    assert _note(ctx.db, review_id, key) == "Theirs"


def test_own_answer_while_typing_a_note_is_not_a_conflict(ctx, open_ws, qtbot):  # noqa: ANN001, F811
    review_id = _started_jem(ctx.db)
    key = _an_item(review_id)
    ws = open_ws(review_id)
    ws.checklist.view.select_key(key)
    _type_note(qtbot, ws, "Typed first")
    button = next(iter(ws.detail.answer_buttons.values()))
    _click(qtbot, button)  # an answer button does not take focus: the note stays dirty
    ws.detail.flush_note()
    assert ws.detail.stale.isHidden()
    assert _note(ctx.db, review_id, key) == "Typed first"


def test_interview_note_refused_when_saved_elsewhere(ctx, other, open_ws, qtbot):  # noqa: ANN001, F811
    review = reviews.schedule_review(ctx.db, agency_id=agency_id(ctx.db, "Elk Ridge"),
                                     kind="wso_review")  # fmt: skip
    reviews.start_review(ctx.db, review.id)
    with ctx.db.read() as s:
        officer = next(o for o in queries.live(s, Officer) if o.model == "WSO"
                       and o.agency_id == review.agency_id)  # fmt: skip
    iv = interviews.start_interview(ctx.db, review_id=review.id, role="officer",
                                    officer_id=officer.id)  # fmt: skip
    question = next(q for q in interviews.interview_form("WSO", "officer").items()
                    if q.answer == "understanding")  # fmt: skip
    answer = interviews.record_interview_answer(ctx.db, interview_id=iv.id,
                                                question_key=question.key, value="partial")  # fmt: skip
    ws = open_ws(review.id)
    ws.tabs.setCurrentIndex(1)
    panel = ws.interviews
    panel.questions.view.select_key(question.key)
    panel.detail.focus_note()
    qtbot.keyClicks(panel.detail.note, "Unsure of the 48-hour rule")
    interviews.record_interview_answer(other, interview_id=iv.id, question_key=question.key,
                                       value="not_understood", note="Sam's note")  # fmt: skip
    panel.detail.flush_note()
    assert panel.detail.stale.isVisible()
    assert panel.detail.stale.message.text().startswith(f"question {question.key} ")
    assert "Sam&#x27;s note" in panel.detail.stale.theirs.text() or (
        "Sam's note" in panel.detail.stale.theirs.text())  # fmt: skip
    assert panel.detail.note.toPlainText() == "Unsure of the 48-hour rule"
    stored = _get(ctx.db, InterviewAnswer, answer.id)
    assert (stored.value, stored.note) == ("not_understood", "Sam's note")
    _click(qtbot, panel.detail.stale.keep_button)
    assert _get(ctx.db, InterviewAnswer, answer.id).note == "Unsure of the 48-hour rule"


# --- lifecycle dialogs -------------------------------------------------------------------


def test_corrective_action_edit_refused_then_kept(ctx, other, finding, qtbot):  # noqa: ANN001, F811
    action = ca.add_action(ctx.db, finding_id=finding.id, action="Send the roster",
                           due_on="2026-12-01", today=ctx_today())  # fmt: skip
    dialog = CorrectiveActionsDialog(ctx, None, finding.id)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.table.selectRow(0)
    dialog.action.setText("Send the signed roster")
    ca.update_action(other, action.id, evidence="Memo from the jail", today=ctx_today())
    _click(qtbot, dialog.save_button)
    assert re.search(CHANGED_BY, dialog.stale.message.text())
    assert dialog.stale.isVisible() and "Memo from the jail" in dialog.stale.theirs.text()
    assert dialog.action.text() == "Send the signed roster"
    stored = _get(ctx.db, CorrectiveAction, action.id)
    assert (stored.action, stored.evidence) == ("Send the roster", "Memo from the jail")
    _click(qtbot, dialog.stale.keep_button)
    assert _get(ctx.db, CorrectiveAction, action.id).action == "Send the signed roster"
    assert dialog.stale.isHidden()


def test_officer_status_refused_then_load_theirs(ctx, other, qtbot):  # noqa: ANN001, F811
    with ctx.db.read() as s:
        officer = next(o for o in queries.live(s, Officer) if o.status == "active")
    dialog = OfficerStatusDialog(ctx, None, officer.id)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.status.setCurrentIndex(dialog.status.findData("suspended"))
    dialog.reason.setPlainText("Training lapsed")
    dialog.credential.setCurrentIndex(dialog.credential.findData(True))
    ag.set_officer_status(other, officer.id, status="revoked", reason="Left the agency",
                          credential_retrieved=True)  # fmt: skip
    dialog._on_save()
    assert dialog.stale.isVisible() and dialog.result() == 0
    assert re.search(CHANGED_BY, dialog.stale.message.text())
    assert "Left the agency" in dialog.stale.theirs.text()
    assert dialog.reason.toPlainText() == "Training lapsed"
    assert _get(ctx.db, Officer, officer.id).status == "revoked"
    _click(qtbot, dialog.stale.load_button)
    assert dialog.reason.toPlainText() == "Left the agency"
    assert dialog.status.currentData() == "revoked"
    dialog.reason.setPlainText("Left the agency; credential returned")
    dialog._on_save()  # from their revision now
    assert dialog.result() == 1
    assert _get(ctx.db, Officer, officer.id).status_reason == "Left the agency; credential returned"


def test_request_form_edit_refused_then_kept(ctx, other, qtbot):  # noqa: ANN001, F811
    review = reviews.schedule_review(ctx.db, agency_id=agency_id(ctx.db, "Elk Ridge"),
                                     kind="wso_review", planned_start="2027-01-20")  # fmt: skip
    request = ir.create_request(ctx.db, review_id=review.id, poc_name="Marisol")
    dialog = InfoRequestDialog(ctx, None, review.id)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.poc_name.setText("Marisol Peña")
    ir.update_request(other, request.id, poc_email="poc@example.gov")
    _click(qtbot, dialog.save_button)
    assert re.search(CHANGED_BY, dialog.stale.message.text())
    assert "poc@example.gov" in dialog.stale.theirs.text()
    assert dialog.poc_name.text() == "Marisol Peña"
    assert _get(ctx.db, InfoRequest, request.id).poc_name == "Marisol"
    _click(qtbot, dialog.stale.keep_button)
    stored = _get(ctx.db, InfoRequest, request.id)
    assert stored.poc_name == "Marisol Peña"


def ctx_today():  # noqa: ANN201
    from tests.conftest import DEMO_TODAY

    return DEMO_TODAY


def test_the_conflict_bar_does_not_squeeze_the_editor(ctx, other, finding, qtbot):  # noqa: ANN001, F811
    """The bar adds height: the dialog grows (within the screen) instead of clipping the
    kind definitions beside the radio buttons, as it did at 1366x768."""
    from inspector_app.ui.qt import QLabel

    editor = FindingEditor(ctx, finding_id=finding.id)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    findings.update_finding(other, finding.id, description="Rewritten by Sam")
    assert editor.save() is False
    qtbot.waitUntil(lambda: editor.stale.isVisible())
    qtbot.wait(50)  # let the layout settle
    definitions = [w for w in editor.findChildren(QLabel) if w.wordWrap() and w.text() in
                   {k.definition for k in editor.kind_buttons}]  # fmt: skip
    assert len(definitions) == 3
    for label in definitions:
        assert label.height() >= label.heightForWidth(label.width()), label.text()
    assert editor.height() <= editor.screen().availableGeometry().height()


def test_dispute_refused_then_kept(ctx, other, finding, qtbot):  # noqa: ANN001, F811
    """Two people at the program office dispute the same finding: the second keeps their
    note, is told who saved first, and can deliberately keep theirs."""
    from inspector_app.services import lifecycle
    from inspector_app.ui.lifecycle_dialogs import DisputeDialog

    dialog = DisputeDialog(ctx, None, finding.id)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.disputed.setChecked(True)
    dialog.note.setPlainText("The MOA allows a 30-day grace period")
    lifecycle.dispute_finding(other, finding.id, "Training was complete per PALMS")
    dialog._on_save()
    assert dialog.stale.isVisible() and dialog.result() == 0
    assert re.search(CHANGED_BY, dialog.stale.message.text())
    assert "Training was complete per PALMS" in dialog.stale.theirs.text()
    assert dialog.note.toPlainText() == "The MOA allows a 30-day grace period"  # kept
    assert _get(ctx.db, Finding, finding.id).dispute_note == "Training was complete per PALMS"
    _click(qtbot, dialog.stale.keep_button)
    assert dialog.result() == 1
    assert _get(ctx.db, Finding, finding.id).dispute_note == "The MOA allows a 30-day grace period"
