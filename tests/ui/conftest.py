"""Fixtures for the desktop-shell tests: settings in an ini file, app contexts, windows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from inspector_app.store.database import Database
from inspector_app.ui.context import AppContext
from inspector_app.ui.qt import QSettings
from tests.conftest import DEMO_TODAY


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    return tmp_path / "s.ini"


@pytest.fixture
def settings(settings_path: Path) -> QSettings:
    """Never the user's registry or config: an ini file under tmp_path."""
    return QSettings(str(settings_path), QSettings.Format.IniFormat)


def make_ctx(db: Database, settings: QSettings | None = None) -> AppContext:
    ctx = AppContext(db, settings)
    ctx.today = DEMO_TODAY  # due states are judged against the demo's own "today"
    return ctx


@pytest.fixture
def demo_ctx(demo_db: Database, settings: QSettings, qapp) -> Iterator[AppContext]:  # noqa: ANN001
    ctx = make_ctx(demo_db, settings)
    yield ctx
    ctx.close()


def wait_loaded(qtbot, *pages) -> None:  # noqa: ANN001
    """Wait until each list page has finished its background load."""
    for page in pages:
        qtbot.waitUntil(lambda p=page: p.loaded_once and p._task.done.is_set(), timeout=5000)


@pytest.fixture
def open_window(qtbot) -> Iterator[Callable]:  # noqa: ANN001
    """Build a MainWindow shown offscreen; closed (and its loads finished) at the end."""
    from inspector_app.ui.main_window import MainWindow

    windows: list[MainWindow] = []

    def _open(ctx: AppContext, settings: QSettings) -> MainWindow:
        window = MainWindow(ctx, settings)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        wait_loaded(qtbot, window.agencies, window.reviews, window.findings)
        windows.append(window)
        return window

    yield _open
    for window in windows:
        if window.isVisible():
            window.close()
