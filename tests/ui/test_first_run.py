"""First run: a new database offers the demo or an empty start and records the name."""

from __future__ import annotations

import pytest

from inspector_app.store.database import open_database
from inspector_app.store.models import Agency
from inspector_app.store.queries import count_rows
from inspector_app.ui.first_run import FirstRunDialog, needs_first_run
from inspector_app.ui.qt import QDialog, QDialogButtonBox
from tests.conftest import DEMO_TODAY

pytestmark = pytest.mark.gui


@pytest.fixture
def new_db(tmp_path):  # noqa: ANN001
    database = open_database(tmp_path / "new.db", daily_backup=False)
    yield database
    database.close()


def _ok(dialog: FirstRunDialog):  # noqa: ANN202
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


def test_new_database_needs_first_run_and_demo_does_not(new_db, demo_db):  # noqa: ANN001
    assert needs_first_run(new_db)
    assert not needs_first_run(demo_db)


def test_empty_start_records_the_name(qtbot, new_db, tmp_path):  # noqa: ANN001
    dialog = FirstRunDialog(new_db, today=DEMO_TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.demo_choice.isChecked()  # the demo is offered first
    dialog.name_edit.clear()
    assert not _ok(dialog).isEnabled()  # no name, no start
    assert "name" in dialog.message.text()
    dialog.name_edit.insert("Inés Carvalho")  # QTest cannot type non-ASCII keys
    dialog.empty_choice.setChecked(True)
    with qtbot.waitSignal(dialog.accepted):
        _ok(dialog).click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert new_db.user == "Inés Carvalho"
    with new_db.read() as s:
        assert count_rows(s, Agency) == 0
    assert not needs_first_run(new_db)  # an empty start is not asked again
    new_db.close()
    reopened = open_database(tmp_path / "new.db", daily_backup=False)
    assert reopened.user == "Inés Carvalho"  # the name is kept in the file
    reopened.close()


@pytest.mark.slow
def test_demo_start_seeds_in_background(qtbot, new_db):  # noqa: ANN001
    dialog = FirstRunDialog(new_db, today=DEMO_TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.name_edit.setText("Marcus Oyelaran")
    with qtbot.waitSignal(dialog.accepted, timeout=60000):
        _ok(dialog).click()
        assert not dialog.buttons.isEnabled()  # the dialog waits for the worker
    with new_db.read() as s:
        assert count_rows(s, Agency) == 7
    assert new_db.get_meta("inspector_name") == "Marcus Oyelaran"
    assert new_db.user == "Marcus Oyelaran"


def _fail_midway(monkeypatch: pytest.MonkeyPatch) -> None:
    """seed_demo fails after agencies and officers are written, before the reviews."""
    from inspector_app.services import demo as demo_mod

    def fail(*_a: object, **_k: object) -> None:
        raise RuntimeError("disk trouble")

    monkeypatch.setattr(demo_mod, "_completed_jem_inspection", fail)


def _empty_and_no_temp(db) -> None:  # noqa: ANN001
    with db.read() as s:
        assert count_rows(s, Agency) == 0
    assert needs_first_run(db)
    assert not [p for p in db.path.parent.iterdir() if p.name.startswith(".")]


@pytest.mark.slow
def test_failed_demo_load_leaves_the_database_empty(qtbot, new_db, monkeypatch):  # noqa: ANN001
    _fail_midway(monkeypatch)
    dialog = FirstRunDialog(new_db, today=DEMO_TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.name_edit.setText("Marcus Oyelaran")
    _ok(dialog).click()
    qtbot.waitUntil(lambda: bool(dialog.error), timeout=60000)
    assert "disk trouble" in dialog.message.text()
    assert dialog.buttons.isEnabled()  # the user can try again or start empty
    _empty_and_no_temp(new_db)
    monkeypatch.undo()
    with qtbot.waitSignal(dialog.accepted, timeout=60000):
        _ok(dialog).click()  # a second try loads the whole demo
    with new_db.read() as s:
        assert count_rows(s, Agency) == 7


@pytest.mark.slow
def test_demo_database_created_at_start_is_all_or_nothing(qtbot, new_db, monkeypatch):  # noqa: ANN001
    from inspector_app.ui import first_run

    warnings: list[str] = []
    monkeypatch.setattr(first_run.QMessageBox, "warning",
                        lambda _parent, _title, text: warnings.append(text))  # fmt: skip
    _fail_midway(monkeypatch)
    assert not first_run.seed_with_progress(new_db)
    assert len(warnings) == 1 and "disk trouble" in warnings[0]
    _empty_and_no_temp(new_db)  # the next start offers the demo again
    monkeypatch.undo()
    assert first_run.seed_with_progress(new_db)
    with new_db.read() as s:
        assert count_rows(s, Agency) == 7
    assert not needs_first_run(new_db)
