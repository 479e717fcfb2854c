"""Shared fixtures. Every test works under tmp_path; none touches the real data folder."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

# Qt must never look for a display in tests; the data folder is redirected too.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from inspector_app.store.database import Database, open_database  # noqa: E402

DEMO_TODAY = date(2026, 11, 2)  # fixed so demo-based assertions do not drift with the calendar


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Point the default data folder at a temporary one for every test."""
    monkeypatch.setenv("INSPECTOR_DATA_DIR", str(tmp_path_factory.mktemp("data")))


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A new, empty database file."""
    database = open_database(tmp_path / "inspector.db", user="Test Inspector")
    yield database
    database.close()


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from inspector_app.services.demo import seed_demo

    path = tmp_path_factory.mktemp("demo-template") / "demo.db"
    database = open_database(path, user="Dana Whitfield", daily_backup=False)
    seed_demo(database, today=DEMO_TODAY)
    database.close()
    return path


def copy_database(src: Path, dst: Path) -> Path:
    """Copy a closed database file together with its attachments folder."""
    shutil.copy2(src, dst)
    files = src.parent / f"{src.stem}-files"
    if files.exists():
        shutil.copytree(files, dst.parent / f"{dst.stem}-files")
    return dst


@pytest.fixture
def demo_db_path(tmp_path: Path, _demo_template: Path) -> Path:
    """A private copy of the demo database (seeded once per test session)."""
    return copy_database(_demo_template, tmp_path / "demo.db")


@pytest.fixture
def demo_db(demo_db_path: Path) -> Iterator[Database]:
    database = open_database(demo_db_path, user="Dana Whitfield", daily_backup=False)
    yield database
    database.close()


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ARG001
    """Say loudly when the PostgreSQL half of the sync suite did not run: a quiet 's'
    among hundreds of dots would let the national back end go untested unnoticed."""
    skipped = terminalreporter.stats.get("skipped", [])
    postgres = [r for r in skipped if "PostgreSQL" in str(r.longrepr)]
    if postgres:
        terminalreporter.write_sep("!", "PostgreSQL NOT TESTED", red=True, bold=True)
        terminalreporter.write_line(
            f"{len(postgres)} PostgreSQL test(s) were skipped: {postgres[0].longrepr[2]}. "
            "Install the server binaries (Debian: apt-get install postgresql); .ci/run does.",
            red=True,
        )
