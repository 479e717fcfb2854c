"""`import history FILE.csv`: load earlier reviews and findings, all or nothing.

Exits 2 listing every bad row as `FILE:LINE: column: message`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .common import open_db, out

EXIT_BAD_FILE = 2


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("import", parents=[common], help="import data from files")
    kinds = p.add_subparsers(dest="import_kind", metavar="KIND", required=True)
    h = kinds.add_parser("history", parents=[common],
                         help="load past reviews and findings from a CSV (all or nothing)")  # fmt: skip
    h.add_argument("file", metavar="FILE.csv", type=Path)
    h.add_argument("--check", action="store_true", help="only check the file; write nothing")
    h.set_defaults(func=cmd_import_history)


def cmd_import_history(args: argparse.Namespace) -> int:
    from inspector_app.services.history_import import (
        HistoryImportError,
        check_history,
        import_history,
    )

    db = open_db(args, must_exist=False)
    try:
        if args.check:
            parsed = check_history(db, args.file)
            if parsed.errors:
                sys.stderr.write("\n".join(parsed.errors) + "\n")
                return EXIT_BAD_FILE
            out(f"{args.file}: {parsed.rows} rows, no problems found")
            return 0
        try:
            result = import_history(db, args.file)
        except HistoryImportError as exc:
            sys.stderr.write("\n".join(exc.errors) + "\n")
            sys.stderr.write(f"inspector-app: {len(exc.errors)} problem(s) in {args.file}; "
                             "nothing was imported\n")  # fmt: skip
            return EXIT_BAD_FILE
    finally:
        db.close()
    out(f"{args.file}: {result.describe()}")
    return 0
