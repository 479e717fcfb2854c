"""`inspector-app forms check [DIR]`: validate form definitions."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from inspector_app.domain.forms import check_forms
from inspector_app.paths import forms_dir

from .common import CliError, out


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("forms", help="form definitions (checklists, interview guides)")
    forms_sub = p.add_subparsers(dest="forms_command", metavar="ACTION")
    c = forms_sub.add_parser("check", help="validate every definition in DIR (default: forms/)")
    c.add_argument("dir", nargs="?", type=Path, default=None)
    c.set_defaults(func=cmd_check)


def cmd_check(args: argparse.Namespace) -> int:
    directory = args.dir or forms_dir()
    if not directory.is_dir():
        raise CliError(f"{directory}: not a folder of form definitions")
    problems = check_forms(directory)
    for p in problems:
        sys.stderr.write(f"{p}\n")
    if problems:
        return 2
    count = len(list(directory.glob("*.v*.yaml")))
    out(f"{directory}: {count} form definitions OK")
    return 0
