"""The lifecycle dialogs driven like a user would, over the demo database."""

from __future__ import annotations

from inspector_app.services import corrective_actions as ca
from inspector_app.services import info_requests as ir
from inspector_app.services import lifecycle, reviews
from inspector_app.store import queries
from inspector_app.store.models import Officer
from inspector_app.ui import lifecycle_dialogs as ld
from inspector_app.ui.fy_plan_dialog import FyPlanDialog
from inspector_app.ui.qt import QDate, Qt
from tests.ui.conftest import make_ctx


def _review(db, prefix, kind):
    with db.read() as s:
        return next(r.review for r in queries.list_reviews(s)
                    if r.agency_name.startswith(prefix) and r.review.kind == kind)  # fmt: skip


def _findings(db, review_id):
    with db.read() as s:
        return queries.load_review(s, review_id).findings


def test_finalize_dialog_lists_what_is_missing_then_finalizes(qtbot, demo_db):
    ctx = make_ctx(demo_db)
    alder = _review(demo_db, "Alder", "jem_inspection")
    item = next(i for i in reviews.form_for(alder).items() if i.required)
    reviews.record_answer(demo_db, review_id=alder.id, item_key=item.key, value=None)
    dialog = ld.FinalizeDialog(ctx, None, alder.id)
    qtbot.addWidget(dialog)
    assert not dialog.finalize_button.isEnabled()
    assert len(dialog.missing_items) == 1 and dialog.missing_items[0].text == item.prompt
    assert "cannot be finalized yet" in dialog.intro.text()
    reviews.record_answer(demo_db, review_id=alder.id, item_key=item.key, value="yes")
    dialog = ld.FinalizeDialog(ctx, None, alder.id)
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.finalize_button, Qt.MouseButton.LeftButton)
    assert dialog.result_.review.status == "final"
    assert dialog.result_.content_hash in dialog.intro.text()
    assert "focus review" in dialog.intro.text() and "2027-03-25" in dialog.intro.text()
    ctx.close()


def test_amend_dialog_requires_a_reason(qtbot, demo_db):
    ctx = make_ctx(demo_db)
    bexley = _review(demo_db, "Bexley", "jem_inspection")
    dialog = ld.AmendDialog(ctx, None, bexley.id)
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.error.text() == "reason: is required" and dialog.result_ is None
    dialog.reason.setPlainText("Typo in F-1")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.result_.revision == 1 and dialog.result_.status == "report_draft"
    ctx.close()


def test_corrective_actions_dialog_adds_and_completes_late(qtbot, demo_db, tmp_path):
    ctx = make_ctx(demo_db)
    bexley = _review(demo_db, "Bexley", "jem_inspection")
    f = _findings(demo_db, bexley.id)[0]
    dialog = ld.CorrectiveActionsDialog(ctx, None, f.id)
    qtbot.addWidget(dialog)
    before = dialog.model.rowCount()
    dialog.action.setText("Post the complaint procedure in Spanish")
    dialog.due.setDate(QDate(2026, 10, 1))
    owners = [dialog.owner.itemText(i) for i in range(dialog.owner.count())]
    assert owners == ["LEA", "ICE field office", "ICE and LEA"]  # 'both' was shown as LEA
    dialog.owner.setCurrentIndex(2)
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert dialog.model.rowCount() == before + 1 and dialog.error.text() == ""
    row = next(r for r in range(dialog.model.rowCount())
               if dialog.model.item(r, 0).text().startswith("Post the"))  # fmt: skip
    assert dialog.model.item(row, 1).text() == "ICE and LEA"
    dialog.table.selectRow(row)
    dialog.completed.setDate(QDate(2026, 10, 15))
    qtbot.mouseClick(dialog.done_button, Qt.MouseButton.LeftButton)
    row = next(r for r in range(dialog.model.rowCount())
               if dialog.model.item(r, 0).text().startswith("Post the"))  # fmt: skip
    assert dialog.model.item(row, 5).text() == "LATE"
    action_id = dialog.model.item(row, 0).data(ld.ID_ROLE)
    assert next(a for a in ca.actions_of(demo_db, f.id) if a.id == action_id).on_time is False
    evidence = tmp_path / "poster.jpg"
    evidence.write_bytes(b"jpeg")
    dialog.attach_file(action_id, str(evidence))
    assert "Attached poster.jpg" in dialog.closeout.text()
    dialog.action.setText("")  # refused with a one-line message, no traceback
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert dialog.error.text() == "action: is required"
    ctx.close()


def test_dispute_dialog_marks_and_clears(qtbot, demo_db):
    ctx = make_ctx(demo_db)
    bexley = _review(demo_db, "Bexley", "jem_inspection")
    f = _findings(demo_db, bexley.id)[0]
    dialog = ld.DisputeDialog(ctx, None, f.id)
    qtbot.addWidget(dialog)
    dialog.disputed.setChecked(True)
    dialog.note.setPlainText("ERO reads clause 7 differently")
    dialog._on_save()
    assert dialog.result_.disputed and dialog.result_.dispute_note.startswith("ERO")
    dialog = ld.DisputeDialog(ctx, None, f.id)
    qtbot.addWidget(dialog)
    assert dialog.disputed.isChecked()
    dialog.disputed.setChecked(False)
    dialog._on_save()
    assert not _findings(demo_db, bexley.id)[0].disputed
    assert lifecycle.verify_review(demo_db, bexley.id).matches
    ctx.close()


def test_officer_dialog_suspends_with_credential_answer(qtbot, demo_db):
    ctx = make_ctx(demo_db)
    with demo_db.read() as s:
        officer = next(o for o in queries.live(s, Officer) if o.status == "active")
    dialog = ld.OfficerStatusDialog(ctx, None, officer.id)
    qtbot.addWidget(dialog)
    dialog.status.setCurrentIndex(dialog.status.findData("suspended"))
    dialog.reason.setPlainText("Complaint under investigation")
    dialog._on_save()
    assert "credential_retrieved" in dialog.error.text()  # must say whether it was retrieved
    dialog.credential.setCurrentIndex(dialog.credential.findData(True))
    dialog._on_save()
    assert dialog.result_.status == "suspended" and dialog.result_.credential_retrieved is True
    ctx.close()


def test_info_request_dialog_receives_a_document(qtbot, demo_db, tmp_path):
    ctx = make_ctx(demo_db)
    elk = _review(demo_db, "Elk Ridge", "wso_review")
    dialog = ld.InfoRequestDialog(ctx, None, elk.id)
    qtbot.addWidget(dialog)
    assert "4 of" in dialog.state.text()
    item = ir.request_of(demo_db, elk.id).items[5]
    doc = tmp_path / "complaints.pdf"
    doc.write_bytes(b"%PDF-1.4 complaints")
    dialog.receive(item.id, str(doc))
    assert "5 of" in dialog.state.text()
    assert dialog.model.item(5, 3).text() == "complaints.pdf"
    ctx.close()


def test_fy_plan_dialog_warns_when_a_due_lea_is_left_out(qtbot, demo_db):
    ctx = make_ctx(demo_db)
    dialog = FyPlanDialog(ctx, None, 2027)
    qtbot.addWidget(dialog)
    assert "Accepted." in dialog.summary.text()  # the demo accepted FY2027
    first = dialog.model.item(0, 0)
    assert first.checkState() == Qt.CheckState.Checked
    first.setCheckState(Qt.CheckState.Unchecked)
    assert "would pass two years" in dialog.summary.text()
    qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    assert dialog.result_ is not None and len(dialog.result_.gaps) == 1
    ctx.close()


def test_fy_plan_accepted_elsewhere_meanwhile_is_not_overwritten(qtbot, demo_db):
    """Two supervisors have the plan open; the second Accept is refused with who saved
    first, keeps the ticks, and a second press keeps them deliberately."""
    from inspector_app.services import schedule

    ctx = make_ctx(demo_db)
    dialog = FyPlanDialog(ctx, None, 2027)
    qtbot.addWidget(dialog)
    first = dialog.model.item(0, 0)
    agreement = first.data(ld.ID_ROLE)
    first.setCheckState(Qt.CheckState.Unchecked)  # mine: leave the first LEA out
    schedule.save_plan(demo_db, 2027, notes={agreement: "moved up by the field office"})
    qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    assert dialog.result_ is None and "was changed by" in dialog.error.text()
    assert first.checkState() == Qt.CheckState.Unchecked  # my choice is still shown
    assert agreement in {r.agreement_id for r in schedule.fy_plan(demo_db, 2027).included}
    qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)  # deliberately mine
    assert dialog.result_ is not None
    assert agreement not in {r.agreement_id for r in schedule.fy_plan(demo_db, 2027).included}
    ctx.close()


def test_review_menu_entries_open_existing_dialogs():
    from inspector_app.ui.workspace.lifecycle_actions import _ACTIONS

    assert [text for text, _fn, _when, _keys in _ACTIONS] == [
        "Finalize…", "Amend…", "Corrective actions…", "Dispute…", "Request form…"]  # fmt: skip
    assert all(callable(fn) and getattr(ld, fn.__name__) is fn for _t, fn, _w, _k in _ACTIONS)
    keys = [k for _t, _fn, _w, k in _ACTIONS]
    assert len(set(keys)) == len(keys) and all(k.startswith("Ctrl+Shift+") for k in keys)


def test_finalize_dialog_offers_the_focus_review_mode(qtbot, demo_db):
    """Issue 12 error 6: desk review or site visit, proposed by the findings (the Alder
    inspection's missing Spanish complaint poster needs a site visit), the user's choice."""
    ctx = make_ctx(demo_db)
    alder = _review(demo_db, "Alder", "jem_inspection")
    dialog = ld.FinalizeDialog(ctx, None, alder.id)
    qtbot.addWidget(dialog)
    assert dialog.focus_mode.currentData() == "site_visit"
    dialog.focus_mode.setCurrentIndex(dialog.focus_mode.findData("desk_review"))
    qtbot.mouseClick(dialog.finalize_button, Qt.MouseButton.LeftButton)
    assert dialog.result_.focus_review.mode == "desk_review"
    assert "Desk review" in dialog.intro.text() or "desk review" in dialog.intro.text()
    ctx.close()
