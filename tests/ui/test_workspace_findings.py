"""Findings: raised from an item (prefilled), the follow-up banner at the 4th
deficiency or area of concern, and the editor's refusals."""

from __future__ import annotations

import pytest

from inspector_app.domain.enums import FindingKind
from inspector_app.services import findings, forms, reviews
from inspector_app.store import queries
from inspector_app.store.models import Finding
from inspector_app.ui.qt import Qt
from inspector_app.ui.workspace import FindingEditor
from tests.ui.workspace_helpers import agency_id, ctx, open_ws  # noqa: F401

pytestmark = pytest.mark.gui


def _started_jem(db) -> str:  # noqa: ANN001
    review = reviews.schedule_review(db, agency_id=agency_id(db, "Dunmore"), kind="jem_inspection")
    reviews.start_review(db, review.id)
    return review.id


def _live_findings(db, review_id: str) -> list[Finding]:  # noqa: ANN001
    with db.read() as s:
        return queries.live(s, Finding, Finding.review_id == review_id)


def test_raise_deficiency_from_item_and_banner_at_four(ctx, open_ws, qtbot) -> None:  # noqa: ANN001, F811
    review_id = _started_jem(ctx.db)
    ws = open_ws(review_id)
    form = forms.registry().for_review_kind("jem_inspection")
    item = next(i for i in form.items() if i.on_failure == FindingKind.DEFICIENCY and i.fail_values)
    view = ws.checklist.view
    view.select_key(item.key)
    qtbot.keyClick(view, Qt.Key.Key_2)  # "no"
    view.select_key(item.key)
    qtbot.mouseClick(ws.detail.raise_button, Qt.MouseButton.LeftButton)
    editor = ws.finding_editor
    assert editor is not None and editor.isVisible()
    assert editor.kind() is FindingKind.DEFICIENCY  # the item's suggested kind
    assert editor.topic.currentData() == item.topic
    assert editor.citation.text() == item.citation
    assert editor.description.toPlainText() == item.prompt
    editor.evidence.setPlainText("Seen on day 1")
    qtbot.mouseClick(editor.buttons.buttons()[0], Qt.MouseButton.LeftButton)  # Save
    saved = _live_findings(ctx.db, review_id)
    assert [(f.kind, f.topic, f.item_key, f.evidence) for f in saved] == [
        ("deficiency", item.topic, item.key, "Seen on day 1")
    ]
    qtbot.waitUntil(lambda: ws.findings.model.rowCount() == 1)  # shown once the change arrives
    assert "Deficiencies: <b>1</b>" in ws.findings.counts.text()
    assert ws.model.index_of(item.key, 3).data() == "F-1"
    assert ws.banner.isHidden()

    def add(kind: str) -> None:
        findings.add_finding(ctx.db, review_id=review_id, kind=kind, topic="training",
                             description=f"a {kind}")  # fmt: skip
        n = len(_live_findings(ctx.db, review_id))
        qtbot.waitUntil(lambda: ws.findings.model.rowCount() == n)  # the change arrives queued

    add("area_of_concern")
    add("deficiency")  # 3 counted: no banner yet
    assert ws.banner.isHidden()
    add("best_practice")  # best practices never count
    assert ws.banner.isHidden()
    assert "Best practices: <b>1</b>" in ws.findings.counts.text()
    add("area_of_concern")  # the 4th deficiency or area of concern
    assert not ws.banner.isHidden()
    assert "focus review will be required within 6 months" in ws.banner.text()
    assert ws.banner.text().startswith("⚠ 4 deficiencies and areas of concern")

    # removing one (undoable) takes the banner away again; undo brings both back
    ws.findings.select_finding(saved[0].id)
    qtbot.mouseClick(ws.findings.remove_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ws.banner.isHidden())
    assert len(_live_findings(ctx.db, review_id)) == 4
    ws.undo_stack.undo()
    qtbot.waitUntil(lambda: not ws.banner.isHidden())
    assert len(_live_findings(ctx.db, review_id)) == 5


def test_editor_refuses_without_kind_or_topic(ctx, qtbot) -> None:  # noqa: ANN001, F811
    review_id = _started_jem(ctx.db)
    editor = FindingEditor(ctx, review_id=review_id)
    qtbot.addWidget(editor)
    editor.show()
    editor.description.setPlainText("Posters missing")
    assert editor.save() is False
    assert not editor.kind_error.isHidden() and "Choose a kind" in editor.kind_error.text()
    assert not editor.topic_error.isHidden() and "topic" in editor.topic_error.text()
    assert _live_findings(ctx.db, review_id) == []

    editor.kind_buttons[FindingKind.AREA_OF_CONCERN].setChecked(True)
    assert editor.save() is False
    assert editor.kind_error.isHidden()
    assert not editor.topic_error.isHidden()
    assert _live_findings(ctx.db, review_id) == []

    editor.topic.setCurrentIndex(editor.topic.findData("complaints"))
    assert editor.save() is True
    assert [(f.kind, f.topic, f.description) for f in _live_findings(ctx.db, review_id)] == [
        ("area_of_concern", "complaints", "Posters missing")
    ]


def test_editor_shows_definitions_and_attaches_evidence(ctx, qtbot, tmp_path, monkeypatch) -> None:  # noqa: ANN001, F811
    from inspector_app.ui.qt import QFileDialog

    review_id = _started_jem(ctx.db)
    editor = FindingEditor(ctx, review_id=review_id)
    qtbot.addWidget(editor)
    texts = [w.text() for w in editor.findChildren(type(editor.kind_error))]
    for kind in FindingKind:
        assert kind.definition in texts
    doc = tmp_path / "training-log.pdf"
    doc.write_bytes(b"%PDF-1.4 not really")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(doc)], ""))
    qtbot.mouseClick(editor.attach_button, Qt.MouseButton.LeftButton)
    assert editor.files.names() == ["training-log.pdf"]
    editor.kind_buttons[FindingKind.DEFICIENCY].setChecked(True)
    editor.topic.setCurrentIndex(editor.topic.findData("training"))
    assert editor.save()
    with ctx.db.read() as s:
        data = queries.load_review(s, review_id)
    assert [(a.filename, a.finding_id) for a in data.attachments] == [
        ("training-log.pdf", editor.finding_id)
    ]


def test_lapsed_training_offered_as_a_finding(ctx, open_ws, qtbot) -> None:  # noqa: ANN001, F811
    from tests.ui.workspace_helpers import review_of

    # Alder's inspection began on 2026-09-23, when José Núñez's training had lapsed
    review = review_of(ctx.db, "Alder", "jem_inspection")
    ws = open_ws(review.id)
    notice = ws.findings.training_notice
    qtbot.waitUntil(notice.isVisible, timeout=3000)
    assert ws.findings.training_text.text() == "⚠ 1 officer's training has lapsed: José Núñez"
    qtbot.mouseClick(ws.findings.training_button, Qt.MouseButton.LeftButton)
    editor = ws.finding_editor
    assert editor is not None and editor.isVisible()
    assert editor.kind() is FindingKind.DEFICIENCY
    assert editor.topic.currentData() == "training"
    assert editor.responsible.currentData() == "lea"
    assert editor.citation.text() == "287(g) JEM MOA, Training of personnel"
    description = editor.description.toPlainText()
    assert description.startswith("1 designated officer did not meet the training requirements")
    assert "- José Núñez: annual online training overdue" in description
    before = len(_live_findings(ctx.db, review.id))
    qtbot.mouseClick(editor.buttons.buttons()[0], Qt.MouseButton.LeftButton)  # Save
    saved = _live_findings(ctx.db, review.id)
    assert len(saved) == before + 1
    assert any(f.topic == "training" and "José Núñez" in f.description for f in saved)


def test_training_notice_names_officers_of_the_reviews_program_only(ctx, open_ws, qtbot) -> None:  # noqa: ANN001, E501, F811
    from tests.ui.workspace_helpers import review_of

    # Bexley: a JEM officer and a WSO officer had lapsed; its JEM inspection is final
    ws = open_ws(review_of(ctx.db, "Bexley", "jem_inspection", "final").id)
    qtbot.waitUntil(ws.findings.training_notice.isVisible, timeout=3000)
    assert ws.findings.training_text.text() == "⚠ 1 officer's training has lapsed: Tomás Ibáñez"
    assert not ws.findings.training_button.isEnabled()  # a final review takes no new finding
