#!/usr/bin/env python3
"""Set-up and everyday commands, using nothing but Python 3.11's standard library.

    python3 dev.py app      # install on first use, then open the app on the demo database
    python3 dev.py test     # install, then run ruff, the import contract, mypy and every test
    python3 dev.py bundle   # build the one-folder app (PyInstaller) in dist/, then self-test it

The virtual environment lives in .venv/ beside this file and is (re)installed only
when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")


def _run(cmd: list[str], **kw) -> int:
    return subprocess.call(cmd, cwd=ROOT, **kw)


def ensure_installed(extras: str) -> None:
    """Create .venv and install the project (editable) when pyproject.toml changed."""
    if sys.version_info < (3, 11):  # noqa: UP036  (this file runs before the venv exists)
        sys.exit(f"dev.py: Python 3.11 or newer is needed (this is {sys.version.split()[0]})")
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]
    stamp = VENV / f".installed-{extras or 'app'}-{digest}"
    if stamp.exists():
        return
    if not PY.exists():
        print("dev.py: creating .venv ...", flush=True)
        venv.create(VENV, with_pip=True)
    target = f".[{extras}]" if extras else "."
    print(f"dev.py: installing {target} into .venv (first run takes a minute) ...", flush=True)
    rc = _run([str(PY), "-m", "pip", "install", "-q", "--disable-pip-version-check", "-e", target])
    if rc != 0:
        sys.exit(f"dev.py: installing the project failed (pip exit {rc}); see the messages above")
    for old in VENV.glob(f".installed-{extras or 'app'}-*"):
        old.unlink()
    stamp.touch()


def cmd_app(args: list[str]) -> int:
    ensure_installed("")
    return _run([str(PY), "-m", "inspector_app", "--demo", *args])


def cmd_test(args: list[str]) -> int:
    ensure_installed("test")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    steps = [
        ("ruff", [str(BIN / "ruff"), "check", "."]),
        ("import contract", [str(BIN / "lint-imports")]),
        ("mypy", [str(BIN / "mypy")]),  # files and settings: [tool.mypy] in pyproject.toml
        ("tests", [str(PY), "-m", "pytest", "-q", *args]),
    ]
    for name, cmd in steps:
        print(f"dev.py: {name} ...", flush=True)
        rc = _run(cmd, env=env)
        if rc == 5 and name == "tests":
            print("dev.py: pytest collected no tests: that is a failure", file=sys.stderr)
            return 1
        if rc != 0:
            print(f"dev.py: {name} failed (exit {rc})", file=sys.stderr)
            return rc
    return 0


BUNDLE_LIMIT_MB = 300


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def cmd_bundle(args: list[str]) -> int:
    """PyInstaller (the 'bundle' extra) builds build_installer.spec into dist/inspector-app/;
    the frozen app's --self-test must print OK, and the folder must stay under 300 MB."""
    ensure_installed("bundle")
    print("dev.py: building dist/inspector-app with PyInstaller (a few minutes) ...", flush=True)
    rc = _run([str(BIN / "pyinstaller"), "--noconfirm", "--log-level", "ERROR",
               *args, "build_installer.spec"])  # fmt: skip
    if rc != 0:
        print(f"dev.py: PyInstaller failed (exit {rc})", file=sys.stderr)
        return rc
    folder = ROOT / "dist" / "inspector-app"
    exe = folder / ("inspector-app.exe" if os.name == "nt" else "inspector-app")
    size = folder_size(folder) / 1e6
    print(f"dev.py: bundle {folder}: {size:.0f} MB (limit {BUNDLE_LIMIT_MB} MB)", flush=True)
    if size >= BUNDLE_LIMIT_MB:
        print(f"dev.py: the bundle is {size:.0f} MB, over {BUNDLE_LIMIT_MB} MB", file=sys.stderr)
        return 1
    print(f"dev.py: {exe.name} --self-test ...", flush=True)
    rc = _run([str(exe), "--self-test"])
    if rc != 0:
        print(f"dev.py: the bundle's self-test failed (exit {rc})", file=sys.stderr)
        return rc
    return window_smoke(exe)


def window_smoke(exe: Path) -> int:
    """The frozen app opens its window (offscreen) on a new demo database and quits
    after the first paint: the Qt plugins and libraries it carries work."""
    import tempfile
    import time

    with tempfile.TemporaryDirectory(prefix="inspector-bundle-") as tmp:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", INSPECTOR_QUIT_AFTER_PAINT="1",
                   INSPECTOR_DATA_DIR=tmp, XDG_CONFIG_HOME=tmp)  # fmt: skip
        print(f"dev.py: {exe.name} --demo (offscreen, quits after the first paint) ...", flush=True)
        rc = _run([str(exe), "--demo"], env=env)  # the first start creates the demo
        started = time.monotonic()
        rc = rc or _run([str(exe), "--demo"], env=env)
        seconds = time.monotonic() - started
    if rc != 0:
        print(f"dev.py: the bundle's window did not open (exit {rc})", file=sys.stderr)
        return rc
    print(f"dev.py: the bundle's window opened and painted; second start {seconds:.2f} s")
    return 0


COMMANDS = {"app": cmd_app, "test": cmd_test, "bundle": cmd_bundle}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__.strip())
        return 2
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
