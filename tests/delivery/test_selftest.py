"""`inspector-app --self-test`: OK on a whole installation, the failed step otherwise."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

import inspector_app.services.demo_file  # noqa: F401  (binds forms_dir before any patch)
from inspector_app import paths, selftest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_self_test_passes_without_qt() -> None:
    code = ("import sys; from inspector_app.__main__ import main; rc = main(['--self-test']); "
            "print('qt loaded' if 'PySide6' in sys.modules else 'no qt'); sys.exit(rc)")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[-2:] == ["OK", "no qt"], done.stdout
    assert any("read report back" in line and "pages" in line for line in lines)


def test_self_test_names_the_failed_step(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(paths, "forms_dir", lambda: tmp_path / "no-forms")
    out = io.StringIO()
    assert selftest.main(out) == selftest.EXIT_PROBLEM
    last = out.getvalue().splitlines()[-1]
    assert last.startswith("self-test FAILED at forms and resources: FileNotFoundError:")
    assert "no-forms is missing" in last


def test_self_test_reports_a_failed_render(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(_db: object, _review_id: str) -> bytes:
        raise RuntimeError("no fonts")

    monkeypatch.setattr(selftest, "_render", broken)
    monkeypatch.setattr(selftest, "_jem_agency", lambda _db: "agency")
    monkeypatch.setattr(selftest, "_answer_review", lambda _db, _agency: ("review", 1))
    monkeypatch.setattr("inspector_app.services.demo_file.create_demo_database",
                        lambda path, user: None)  # fmt: skip
    out = io.StringIO()
    assert selftest.main(out) == selftest.EXIT_PROBLEM
    lines = out.getvalue().splitlines()
    assert lines[-1] == "self-test FAILED at render report: RuntimeError: no fonts"
    assert lines[-2].startswith("  ok: answer a review")
