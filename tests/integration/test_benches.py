"""Benchmarks are not tests, but they must keep working: run each at a tiny size."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

BENCH = Path(__file__).resolve().parents[2] / "bench"

TINY = {
    "autosave.py": ["--n", "20"],
    "report.py": ["--tiny"],
    "open_review.py": ["--items", "20", "--findings", "3", "--files", "2", "--runs", "1"],
    "schedule.py": ["--agreements", "20", "--years", "3", "--runs", "1"],
    "summary.py": ["--scale", "0.01", "--repeat", "1", "--imports", "1"],
    "sync.py": ["--quick"],
}


@pytest.mark.parametrize("script", sorted(TINY))
def test_bench_runs_and_prints_a_ratio(script: str, tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", INSPECTOR_DATA_DIR=str(tmp_path))
    done = subprocess.run(
        [sys.executable, str(BENCH / script), *TINY[script]],
        capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "ratio" in done.stdout.lower()


def test_make_history_writes_a_csv(tmp_path: Path) -> None:
    out = tmp_path / "h.csv"
    done = subprocess.run(
        [sys.executable, str(BENCH / "make_history.py"), str(out), "--scale", "0.005"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert out.read_text(encoding="utf-8").startswith("review_ref,")
