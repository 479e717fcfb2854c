"""A whole inspection through the window, then everything found again after a restart.

Demo database -> Ctrl+N starts a JEM inspection -> answers by keyboard (1 yes, 2 no,
3 n/a) -> a note typed after Enter -> a photo attached -> deficiencies raised from
items until the follow-up banner shows at the 4th deficiency or area of concern ->
window closed -> a new Database, AppContext and MainWindow on the same file show it all.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector_app.domain.enums import FindingKind
from inspector_app.services import reviews
from inspector_app.store.database import open_database
from inspector_app.store.files import blob_path
from inspector_app.store.models import Agency
from inspector_app.store.queries import live, load_review
from inspector_app.ui.qt import QApplication, QFileDialog, QSettings, Qt, QTimer
from tests.ui.conftest import make_ctx

pytestmark = [pytest.mark.gui, pytest.mark.slow]


def _fill_new_review(window, agency_id: str) -> None:  # noqa: ANN001
    dialog = getattr(window, "new_review_dialog", None)
    if dialog is None or not dialog.isVisible():
        QTimer.singleShot(20, lambda: _fill_new_review(window, agency_id))
        return
    dialog.agency.setCurrentIndex(dialog.agency.findData(agency_id))
    dialog.kind.setCurrentIndex(dialog.kind.findData("jem_inspection"))
    assert dialog.submit(), "the new-review dialog refused the input"


def _raise(qtbot, workspace, key: str, kind: FindingKind, text: str) -> None:  # noqa: ANN001
    assert workspace.checklist.view.select_key(key)
    workspace.detail.raise_button.click()
    editor = workspace.finding_editor
    assert editor is not None and editor.topic.currentData()  # prefilled from the item
    editor.kind_buttons[kind].setChecked(True)
    editor.description.setPlainText(text)
    assert editor.save()


def _waiting(window) -> int:  # noqa: ANN001
    return int(window.sync_status_text().split(" · ")[1].split()[0].replace(",", ""))


def test_inspection_survives_a_restart(qtbot, demo_db_path: Path, tmp_path: Path, open_window,
                                       monkeypatch):  # noqa: ANN001  # fmt: skip
    settings_path = tmp_path / "s.ini"
    db = open_database(demo_db_path, daily_backup=False)
    settings = QSettings(str(settings_path), QSettings.Format.IniFormat)
    ctx = make_ctx(db, settings)
    window = open_window(ctx, settings)
    with db.read() as s:
        fallon = next(a for a in live(s, Agency) if a.name.startswith("Fallon"))

    # Ctrl+N: the dialog is modal, so it is filled from the event loop it runs.
    QTimer.singleShot(0, lambda: _fill_new_review(window, fallon.id))
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    workspace = window.current_workspace()
    assert workspace is not None, "the new review did not open"
    review_id = workspace.review_id
    with db.read() as s:
        review = load_review(s, review_id).review
    assert review.agency_id == fallon.id and review.status == "in_progress"
    form = reviews.form_for(review)
    keys = [item.key for item in form.items()][:6]  # six yes/no/n-a items of the facility tour
    values = {k: form.item(k).valid_values() for k in keys}
    assert all(v and len(v) == 3 for v in values.values()), values

    # Answers by keyboard: each digit answers and moves to the next item.
    view = workspace.checklist.view
    window.activateWindow()  # back from the modal dialog
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    view.setFocus()
    assert view.select_key(keys[0])
    before = _waiting(window)
    for digit in "123222":  # one key per item, in form order
        qtbot.keyClick(view, getattr(Qt.Key, f"Key_{digit}"))
    expected = {key: values[key][int(d) - 1] for key, d in zip(keys, "123222", strict=True)}
    assert {k: workspace.model.answer(k).value for k in keys} == expected
    qtbot.waitUntil(lambda: _waiting(window) > before, timeout=3000)  # the status bar follows

    # A note typed after Enter (saved when the window closes at the latest).
    assert view.select_key(keys[1])
    qtbot.keyClick(view, Qt.Key.Key_Return)
    note_widget = QApplication.focusWidget()
    assert note_widget is workspace.detail.note
    qtbot.keyClicks(note_widget, "Two officers processed without credentials")

    # A photo attached to the item.
    photo = tmp_path / "processing-area.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 not much of a photo \xff\xd9")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(photo)], ""))
    assert view.select_key(keys[1])  # leaving the note flushes it too
    workspace.detail.attach_button.click()
    qtbot.waitUntil(lambda: any(a.filename == photo.name for a in _attachments(db, review_id)),
                    timeout=10000)  # fmt: skip

    # Deficiencies and an area of concern from the failed items; the banner at the 4th.
    failed = [k for k in keys if expected[k] == "no"]
    assert len(failed) == 4
    for n, key in enumerate(failed, start=1):
        kind = FindingKind.AREA_OF_CONCERN if n == 4 else FindingKind.DEFICIENCY
        assert workspace.banner.isHidden()
        _raise(qtbot, workspace, key, kind, f"Finding {n}: {form.item(key).prompt}")
    qtbot.waitUntil(lambda: not workspace.banner.isHidden(), timeout=3000)
    assert "focus review" in workspace.banner.text()
    window.close()
    ctx.close()
    db.close()

    # A new Database on the same file, a new context and window: everything is there.
    db2 = open_database(demo_db_path, daily_backup=False)
    settings2 = QSettings(str(settings_path), QSettings.Format.IniFormat)
    ctx2 = make_ctx(db2, settings2)
    again = open_window(ctx2, settings2)
    ws = again.current_workspace()
    assert ws is not None and ws.review_id == review_id  # the last review reopened
    assert {k: ws.model.answer(k).value for k in keys} == expected
    assert ws.model.answer(keys[1]).note == "Two officers processed without credentials"
    assert not ws.banner.isHidden()
    shown = [r for r in again.findings.model.rows if r.review_id == review_id]
    assert sorted(r.kind for r in shown) == ["area_of_concern"] + ["deficiency"] * 3
    with db2.read() as s:
        data = load_review(s, review_id)
    assert {k: data.responses[k].value for k in keys} == expected
    assert data.responses[keys[1]].note == "Two officers processed without credentials"
    assert [a.filename for a in data.attachments] == [photo.name]
    assert blob_path(db2.attachments_dir, data.attachments[0].sha256).read_bytes() == (
        photo.read_bytes()
    )
    assert sorted(f.item_key for f in data.findings) == sorted(failed)
    again.close()
    ctx2.close()
    db2.close()


def _attachments(db, review_id: str):  # noqa: ANN001, ANN202
    with db.read() as s:
        return load_review(s, review_id).attachments
