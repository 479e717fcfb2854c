"""Every folder comes from inspector_app.paths; INSPECTOR_DATA_DIR moves them all."""

from __future__ import annotations

from pathlib import Path

from inspector_app import paths


def test_data_dir_honours_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("INSPECTOR_DATA_DIR", str(tmp_path / "elsewhere"))
    assert paths.data_dir() == tmp_path / "elsewhere"
    assert paths.default_db_path() == tmp_path / "elsewhere" / "inspector.db"


def test_demo_database_lives_in_its_own_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("INSPECTOR_DATA_DIR", str(tmp_path))
    demo, real = paths.demo_db_path(), paths.default_db_path()
    assert demo.parent == tmp_path / "demo"
    assert demo.parent != real.parent and demo.name != real.name
    # Backups and attachments sit beside each database, so they never mix either.
    assert demo.parent / "backups" != real.parent / "backups"


def test_without_override_the_platform_user_data_folder_is_used(monkeypatch):
    monkeypatch.delenv("INSPECTOR_DATA_DIR", raising=False)
    from platformdirs import user_data_dir

    expected = Path(user_data_dir(paths.APP_NAME, paths.APP_AUTHOR))
    assert paths.data_dir() == expected  # only computed, nothing is created here


def test_tests_never_point_at_the_real_data_folder():
    from platformdirs import user_data_dir

    real = Path(user_data_dir(paths.APP_NAME, paths.APP_AUTHOR))
    assert paths.data_dir() != real


def test_forms_and_resources_are_found_in_the_checkout():
    assert (paths.forms_dir() / "jem_inspection.v1.yaml").is_file()
    assert paths.resources_dir().parent == paths.project_root()


def test_cli_default_database_follows_the_data_folder(tmp_path, monkeypatch):
    import argparse

    from inspector_app.cli.common import db_path

    monkeypatch.setenv("INSPECTOR_DATA_DIR", str(tmp_path))
    assert db_path(argparse.Namespace(db=None, demo=False)) == tmp_path / "inspector.db"
    assert db_path(argparse.Namespace(db=None, demo=True)) == tmp_path / "demo" / (
        "inspector-demo.db"
    )
    assert db_path(argparse.Namespace(db="x/y.db", demo=True)) == Path("x/y.db")
