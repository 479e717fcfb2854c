"""Argument parsing and the one place where errors become one line and exit status 2.

Each group of subcommands lives in its own module `cli/*_cmds.py` with
`register(subparsers, common)`; modules are found by name, so adding a command
touches no shared file.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from inspector_app import __version__
from inspector_app.domain.errors import KnownError
from inspector_app.domain.forms import FormError
from inspector_app.services.uow import audit_component
from inspector_app.store.database import DRIVER_ERRORS
from inspector_app.store.errors import classify

from .common import GLOBALS, db_path


def command_modules() -> list[str]:
    here = Path(__file__).parent
    return sorted(f"{__package__}.{p.stem}" for p in here.glob("*_cmds.py"))


EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2 (argparse prints usage too)
        sys.stderr.write(f"inspector-app: {message} (see --help)\n")
        raise SystemExit(EXIT_USAGE)


def _global_options(parser: argparse.ArgumentParser, *, sub_level: bool) -> None:
    """--db, --demo and --user, accepted before or after the command.

    The copies after the command store under their own names with no default, so
    they can neither overwrite nor silently contradict the ones before it.
    """
    extra: dict = {"default": argparse.SUPPRESS} if sub_level else {}
    suffix = "_sub" if sub_level else ""
    parser.add_argument("--db", metavar="PATH", dest="db" + suffix,
                        help="database file (default: your data folder)", **extra)  # fmt: skip
    parser.add_argument("--demo", action="store_true", dest="demo" + suffix,
                        help="use the demo database", **extra)  # fmt: skip
    parser.add_argument("--user", metavar="NAME", dest="user" + suffix,
                        help="inspector name recorded with changes", **extra)  # fmt: skip
    parser.add_argument("--passphrase-file", metavar="FILE", dest="passphrase_file" + suffix,
                        help="an encrypted database's passphrase: the file's first line "
                        "(or INSPECTOR_PASSPHRASE_FILE; else asked)", **extra)  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, sub_level=True)
    parser = _Parser(
        prog="inspector-app",
        description="287(g) oversight inspections: offline reviews, findings and reports.",
    )
    _global_options(parser, sub_level=False)
    parser.add_argument("--version", action="version", version=f"inspector-app {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in command_modules():
        importlib.import_module(name).register(sub, common)
    return parser


def merge_globals(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Fold the after-the-command copies into args.db / args.demo / args.user."""
    for name in GLOBALS:
        if not hasattr(args, name + "_sub"):
            continue
        value = getattr(args, name + "_sub")
        delattr(args, name + "_sub")
        before = getattr(args, name, None)
        if before not in (None, False) and before != value:
            parser.error(f"--{name} is given twice with different values "
                         f"({before!r} and {value!r}); give it once")  # fmt: skip
        setattr(args, name, value)
    if args.db is not None and not args.db.strip():
        parser.error("--db: give a file path")
    if args.db is not None and args.demo:
        parser.error("--demo and --db cannot be used together: --demo means the demo "
                     "database in your data folder")  # fmt: skip


def _os_problem(exc: OSError) -> str | None:
    """One line for a file problem the user can fix, or None for a bug."""
    if exc.errno == errno.ENOSPC:
        where = f" writing {exc.filename}" if exc.filename else ""
        return f"disk full{where}; free some space and try again"
    if exc.errno == errno.ENAMETOOLONG:
        name = f"{str(exc.filename)[:60]}...: " if exc.filename else ""
        return f"{name}a file or folder name is too long; choose a shorter path"
    if exc.filename is None:
        return None
    if isinstance(exc, PermissionError) or exc.errno == errno.EROFS:
        return f"{exc.filename}: cannot write here (permission denied); choose another path"
    if isinstance(exc, NotADirectoryError | FileNotFoundError):
        return (f"{exc.filename}: no such file or folder, or it cannot be made there; "
                "check the path or choose another")  # fmt: skip
    if isinstance(exc, FileExistsError):
        return f"{exc.filename}: a file is in the way of a folder; choose another path"
    if isinstance(exc, IsADirectoryError):
        return f"{exc.filename}: is a folder; give a file name"
    return None


def _sqlite_problem(args: argparse.Namespace, exc: Exception) -> str | None:
    """A disk-full or locked database reported by SQLite in the middle of a command."""
    if not isinstance(exc, DRIVER_ERRORS) and not isinstance(getattr(exc, "orig", None),
                                                             DRIVER_ERRORS):  # fmt: skip
        return None
    problem = classify(db_path(args), exc)
    return str(problem) if problem is not None else None


def _interrupted(args: argparse.Namespace) -> str:
    done = getattr(args, "completed", None)
    if done:
        return f"interrupted after {done} was saved; that change is complete"
    return "interrupted; nothing was changed by the unfinished step"


def _log_bug(args: argparse.Namespace, exc: BaseException) -> None:
    """A bug goes to the log file too, when one is configured (the traceback on stderr
    is gone once the terminal closes). Without a handler nothing is logged, so Python's
    last-resort handler does not print the traceback a second time."""
    log = logging.getLogger(__name__)
    if log.hasHandlers():
        log.error("bug in command %r", getattr(args, "command", None), exc_info=exc)


def run(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    merge_globals(parser, args)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        with audit_component("cli"):  # every audit entry of a command names the CLI
            return int(args.func(args) or 0)
    except KnownError as exc:
        # Form file problems start with their own FILE:LINE; the rest name the app.
        sys.stderr.write(f"{exc}\n" if isinstance(exc, FormError) else f"inspector-app: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write(f"inspector-app: {_interrupted(args)}\n")
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:
        line = _os_problem(exc)
        if line is None:
            _log_bug(args, exc)
            raise
        sys.stderr.write(f"inspector-app: {line}\n")
        return EXIT_USAGE
    except Exception as exc:
        line = _sqlite_problem(args, exc)
        if line is None:
            _log_bug(args, exc)
            raise  # a genuine bug: keep the traceback
        sys.stderr.write(f"inspector-app: {line}\n")
        return EXIT_USAGE


def main(argv: Sequence[str] | None = None) -> int:
    return run(argv)
