"""Start-up: from starting the process to the first painted main window, on the demo.

    .venv/bin/python bench/startup.py [--runs 7] [--frozen dist/inspector-app/inspector-app]

Each run starts a new process with INSPECTOR_QUIT_AFTER_PAINT=1 (the app writes the
wall-clock time of its first paint to stderr and quits); the figure is that time minus
the moment just before the process was started. Peak memory is the child's own
ru_maxrss (os.wait4). QT_QPA_PLATFORM=offscreen unless a display is chosen.

Baseline, in the same run and interleaved run by run: a bare PySide6 window, a
2-column QTableWidget filled with the agencies' names and states read through
SQLAlchemy from the same database file, shown, first paint, quit.

Printed: the medians of both, the ratio app/baseline (median of the run-by-run
ratios) and both peak memories. Targets: under 1 s, ratio under 2x, under 150 MiB.
Bytecode is compiled first (compileall), as an installed app has it: with
PYTHONDONTWRITEBYTECODE=1 every changed module would be compiled on every start.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_MS, TARGET_RATIO, TARGET_MIB = 1000.0, 2.0, 150.0

BASELINE = r"""
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QTableWidget, QTableWidgetItem
from sqlalchemy import create_engine, text

class Quit(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            app.removeEventFilter(self)
            sys.stderr.write(f"first paint at {time.time():.6f}\n")
            QTimer.singleShot(0, app.quit)
        return False

app = QApplication([sys.argv[0]])
engine = create_engine(f"sqlite:///{sys.argv[1]}")
with engine.connect() as conn:
    rows = conn.execute(text("SELECT name, state FROM agency ORDER BY name")).all()
window = QMainWindow()
table = QTableWidget(len(rows), 2, window)
table.setHorizontalHeaderLabels(["Agency", "State"])
for r, (name, state) in enumerate(rows):
    table.setItem(r, 0, QTableWidgetItem(name))
    table.setItem(r, 1, QTableWidgetItem(state))
window.setCentralWidget(table)
window.resize(1280, 800)
filt = Quit()
app.installEventFilter(filt)
window.show()
sys.exit(app.exec())
"""


def run_once(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(ms from start to first paint, peak MiB) of one process."""
    started = time.time()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    painted = [line for line in err.splitlines() if "first paint at " in line]
    if proc.returncode != 0 or not painted:
        raise SystemExit(f"startup bench: {cmd[0]} exited {proc.returncode}: {err.strip()}")
    at = float(painted[-1].rsplit(" ", 1)[1])
    return (at - started) * 1000, usage.ru_maxrss / 1024


def make_demo(folder: Path) -> Path:
    from inspector_app.services.demo_file import create_demo_database

    path = folder / "startup-demo.db"
    create_demo_database(path, user="Bench Inspector")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--frozen", metavar="EXE", help="time this frozen app instead")
    args = parser.parse_args()
    compileall.compile_dir(ROOT / "inspector_app", quiet=1)
    with tempfile.TemporaryDirectory(prefix="startup-bench-") as tmp:
        db = make_demo(Path(tmp))
        env = dict(os.environ, INSPECTOR_QUIT_AFTER_PAINT="1", INSPECTOR_DATA_DIR=tmp,
                   HOME=tmp, XDG_CONFIG_HOME=tmp)  # fmt: skip
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        app_cmd = [args.frozen] if args.frozen else [sys.executable, "-m", "inspector_app"]
        app_cmd += ["--db", str(db), "--user", "Bench Inspector"]
        base_cmd = [sys.executable, "-c", BASELINE, str(db)]
        run_once(app_cmd, env), run_once(base_cmd, env)  # warm-up: the file cache
        app, base = [], []
        for _ in range(args.runs):
            app.append(run_once(app_cmd, env))
            base.append(run_once(base_cmd, env))
    report(app, base, "frozen app" if args.frozen else "app")
    return 0


def report(app: list[tuple[float, float]], base: list[tuple[float, float]], what: str) -> None:
    app_ms = statistics.median(a for a, _ in app)
    base_ms = statistics.median(b for b, _ in base)
    ratio = statistics.median(a / b for (a, _), (b, _) in zip(app, base, strict=True))
    app_mib, base_mib = max(m for _, m in app), max(m for _, m in base)
    print(f"{what}: start to first paint: median {app_ms:.0f} ms "
          f"(min {min(a for a, _ in app):.0f}, max {max(a for a, _ in app):.0f}) "
          f"over {len(app)} runs")  # fmt: skip
    print(f"baseline (PySide6 window, 2-column QTableWidget via SQLAlchemy): median "
          f"{base_ms:.0f} ms (min {min(b for b, _ in base):.0f}, "
          f"max {max(b for b, _ in base):.0f})")  # fmt: skip
    print(f"ratio {what}/baseline: {ratio:.2f}x (target < {TARGET_RATIO:.0f}x)")
    print(f"peak memory: {what} {app_mib:.0f} MiB, baseline {base_mib:.0f} MiB "
          f"(target < {TARGET_MIB:.0f} MiB)")  # fmt: skip
    verdict = [f"time {'ok' if app_ms < TARGET_MS else 'over'} (< {TARGET_MS:.0f} ms)",
               f"ratio {'ok' if ratio < TARGET_RATIO else 'over'}",
               f"memory {'ok' if app_mib < TARGET_MIB else 'over'}"]  # fmt: skip
    print("targets: " + ", ".join(verdict))


if __name__ == "__main__":
    raise SystemExit(main())
