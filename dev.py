#!/usr/bin/env python3
"""Set-up and everyday commands, using nothing but Python 3.11's standard library.

    python3 dev.py app      # install on first use, then open the app on the demo database
    python3 dev.py test     # install, then run ruff, the import contract, mypy and every test

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


COMMANDS = {"app": cmd_app, "test": cmd_test}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__.strip())
        return 2
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
