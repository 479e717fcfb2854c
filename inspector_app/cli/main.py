"""Argument parsing and the one place where errors become one line and exit status 2.

Each group of subcommands lives in its own module `cli/*_cmds.py` with
`register(subparsers, common)`; modules are found by name, so adding a command
touches no shared file.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path

from inspector_app import __version__
from inspector_app.domain.forms import FormError
from inspector_app.services.errors import ServiceError
from inspector_app.store.errors import DatabaseProblem

from .common import CliError


def command_modules() -> list[str]:
    here = Path(__file__).parent
    return sorted(f"{__package__}.{p.stem}" for p in here.glob("*_cmds.py"))


EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2 (argparse prints usage too)
        sys.stderr.write(f"inspector-app: {message} (see --help)\n")
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="PATH", help="database file (default: your data folder)")
    common.add_argument("--demo", action="store_true", help="use the demo database")
    common.add_argument("--user", metavar="NAME", help="inspector name recorded with changes")
    parser = _Parser(
        prog="inspector-app",
        description="287(g) oversight inspections: offline reviews, findings and reports.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"inspector-app {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in command_modules():
        importlib.import_module(name).register(sub, common)
    return parser


def run(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except (CliError, ServiceError, DatabaseProblem) as exc:
        sys.stderr.write(f"inspector-app: {exc}\n")
        return EXIT_USAGE
    except FormError as exc:
        sys.stderr.write(f"{exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write("inspector-app: interrupted; nothing was changed by the unfinished step\n")
        return 130
    except BrokenPipeError:
        return 0


def main(argv: Sequence[str] | None = None) -> int:
    return run(argv)
