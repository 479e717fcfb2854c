"""Nothing the first view does not need is imported before the main window is painted:
pandas, openpyxl, ReportLab, the analytics and reports packages, pyhanko, httpx and
the Qt modules of charts and PDF load on first use (issue 14, start-up under a second).

Nor the SQLModel table models (and with them pydantic and the ORM), alembic, the sync
services or the sign-in dialog of an encrypted file: the Agencies list reads with SQL
(services.agency_list) and the main window builds the rest right after the first paint
(MainWindow.finish_start). That paint shows the demo's agencies, not an empty list."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import copy_database

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("pandas", "openpyxl", "reportlab", "inspector_app.analytics", "inspector_app.reports",
             "pyhanko", "httpx", "PySide6.QtCharts", "PySide6.QtPdf", "PySide6.QtPrintSupport",
             "inspector_app.store.models", "sqlmodel", "pydantic", "sqlalchemy.orm", "alembic",
             "inspector_app.services.sync", "inspector_app.ui.sign_in_dialog",
             "inspector_app.ui.workspace")  # fmt: skip

# The app as `python -m inspector_app` starts it; the hook prints at the first paint.
CHILD = """
import sys
from inspector_app.__main__ import main

def report():
    forbidden = {forbidden!r}
    loaded = sorted(m for m in sys.modules if m in forbidden or m.startswith(tuple(f + "." for f in forbidden)))
    print("LOADED AT FIRST PAINT:", " ".join(loaded) or "-", flush=True)
    from inspector_app.ui.main_window import MainWindow
    from inspector_app.ui.qt import QApplication
    window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow))
    names = [row.name for row in window.agencies.visible_rows()]
    print("AGENCIES AT FIRST PAINT:", len(names), names[:1], window.current_key(), flush=True)

import inspector_app.ui.first_paint as first_paint  # after main's import: no Qt yet
first_paint.HOOKS.append(report)
sys.exit(main(["--db", {db!r}, "--user", "Dana Whitfield"]))
"""


@pytest.mark.slow
def test_first_paint_imports_nothing_heavy(_demo_template: Path, tmp_path: Path) -> None:
    db = copy_database(_demo_template, tmp_path / "demo.db")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", INSPECTOR_QUIT_AFTER_PAINT="1",
               INSPECTOR_DATA_DIR=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path))  # fmt: skip
    code = CHILD.format(forbidden=FORBIDDEN, db=str(db))
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=180)  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("LOADED AT FIRST PAINT")]
    assert lines == ["LOADED AT FIRST PAINT: -"], done.stdout + done.stderr
    shown = [line for line in done.stdout.splitlines() if line.startswith("AGENCIES AT FIRST")]
    assert shown == ['AGENCIES AT FIRST PAINT: 7 ["Alder County Sheriff\'s Office"] agencies'], (
        done.stdout + done.stderr
    )
    assert "inspector-app: first paint at " in done.stderr
