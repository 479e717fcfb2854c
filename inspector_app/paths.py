"""Every folder the app uses, resolved in one place.

Real data lives in the platform's user data folder (platformdirs); the demo database
lives in a `demo/` folder beside it so it never mixes with real work. `--db PATH`
overrides both, and tests always pass a path under tmp_path. The environment variable
INSPECTOR_DATA_DIR moves the whole data folder (used by the gallery and by CI).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "Inspector"
APP_AUTHOR = "287g-Oversight"


def data_dir() -> Path:
    override = os.environ.get("INSPECTOR_DATA_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, APP_AUTHOR))


def default_db_path() -> Path:
    return data_dir() / "inspector.db"


def demo_db_path() -> Path:
    return data_dir() / "demo" / "inspector-demo.db"


def project_root() -> Path:
    """Where forms/ and resources/ are: the checkout, or PyInstaller's bundle folder."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle)
    return Path(__file__).resolve().parents[1]


def resources_dir() -> Path:
    return project_root() / "resources"


def forms_dir() -> Path:
    return project_root() / "forms"
