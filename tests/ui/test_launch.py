"""Starting the app: no display, a bad database, unexpected errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from inspector_app.ui import launch as launch_mod
from inspector_app.ui.qt import QMessageBox

ROOT = Path(__file__).resolve().parents[2]


def test_no_display_is_one_line_and_exit_2(tmp_path: Path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}  # fmt: skip
    env["INSPECTOR_DATA_DIR"] = str(tmp_path / "data")
    db = tmp_path / "x.db"
    proc = subprocess.run(
        [sys.executable, "-m", "inspector_app", "--db", str(db)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "no display" in lines[0]
    assert "inspector-app --help" in lines[0]
    assert "python -m inspector_app.ui.gallery OUTDIR" in lines[0]
    assert "Traceback" not in proc.stderr
    assert not db.exists()  # nothing was created for a window that could not open


def test_display_detection():
    assert not launch_mod.has_display({}, "linux")
    assert launch_mod.has_display({"DISPLAY": ":0"}, "linux")
    assert launch_mod.has_display({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert launch_mod.has_display({"QT_QPA_PLATFORM": "offscreen"}, "linux")
    assert launch_mod.has_display({}, "win32")


@pytest.mark.gui
def test_bad_database_is_a_message_and_exit_2(qapp, tmp_path, monkeypatch, capsys):  # noqa: ANN001
    bad = tmp_path / "notes.db"
    bad.write_text("these are my notes, not a database")
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, _title, text: shown.append(text))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # launch installs its own
    assert launch_mod.launch(["--db", str(bad)]) == 2
    assert len(shown) == 1 and "not an Inspector database" in shown[0]
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(bad) in err[0] and "Traceback" not in err[0]
    assert bad.read_text() == "these are my notes, not a database"  # untouched


@pytest.mark.gui
def test_unexpected_error_dialog_with_details_and_log(qapp, monkeypatch, capsys):  # noqa: ANN001
    boxes: list[QMessageBox] = []

    def fake_exec(box: QMessageBox) -> int:
        boxes.append(box)
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    try:
        raise KeyError("missing-thing")
    except KeyError as exc:
        launch_mod.show_unexpected(type(exc), exc, exc.__traceback__)
    box = boxes[0]
    assert "missing-thing" in box.text()
    assert "Traceback" in box.detailedText()  # folded away behind "Show Details…"
    log = launch_mod.log_path()
    assert str(log) in box.informativeText()
    assert "KeyError: 'missing-thing'" in log.read_text()
    assert os.environ["INSPECTOR_DATA_DIR"] in str(log)  # never the real data folder
    assert capsys.readouterr().err.count("\n") == 1


@pytest.mark.gui
def test_known_problem_escaping_a_handler_is_one_line(qapp, monkeypatch, capsys):  # noqa: ANN001
    from inspector_app.store.errors import DiskFull

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: shown.append(text))
    exc = DiskFull("/tmp/x.db")
    launch_mod.show_unexpected(type(exc), exc, None)
    assert shown == [str(exc)]
    assert not launch_mod.log_path().exists()
    assert capsys.readouterr().err == f"inspector-app: {exc}\n"
