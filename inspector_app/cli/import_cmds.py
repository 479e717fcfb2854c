"""`import history FILE.csv`: load earlier reviews and findings, all or nothing.

Exits 2 listing every bad row as `FILE:LINE: column: message`.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from inspector_app.store.database import open_database

from .common import db_path, mark_completed, open_db, out

EXIT_BAD_FILE = 2


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    # --db and friends on the leaf only (or before the command): one place per level.
    p = sub.add_parser("import", help="import data from files")
    kinds = p.add_subparsers(dest="import_kind", metavar="KIND", required=True)
    h = kinds.add_parser("history", parents=[common],
                         help="load past reviews and findings from a CSV (all or nothing)")  # fmt: skip
    h.add_argument("file", metavar="FILE.csv", type=Path)
    h.add_argument("--check", action="store_true", help="only check the file; write nothing")
    h.set_defaults(func=cmd_import_history)
    from inspector_app.services.roster_import import HELP as ROSTER_COLUMNS

    r = kinds.add_parser(
        "roster", parents=[common], formatter_class=argparse.RawDescriptionHelpFormatter,
        help="load an agency's officers and training dates from CSV or .xlsx (all or nothing)",
        description="Load an agency's officer roster with training dates, all or nothing: "
                    "every bad row is reported as FILE:LINE: column: problem (exit 2, "
                    "nothing written).",
        epilog="columns (header row; order free):\n" + ROSTER_COLUMNS,
    )  # fmt: skip
    r.add_argument("file", metavar="FILE.csv|FILE.xlsx", type=Path)
    r.add_argument("--agency", required=True, metavar="NAME_OR_ID",
                   help="the agency (its id or a prefix of it, or its name or part of it)")  # fmt: skip
    r.add_argument("--check", action="store_true", help="only check the file; write nothing")
    r.set_defaults(func=cmd_import_roster)


def cmd_import_roster(args: argparse.Namespace) -> int:
    from inspector_app.services.records import agencies_matching
    from inspector_app.services.roster_import import check_roster, import_roster

    from .common import CliError

    db = open_db(args)
    try:
        found = agencies_matching(db, args.agency)
        if len(found) != 1:
            names = "; ".join(c.text for c in found[:5])
            raise CliError(f"--agency {args.agency!r} matches {len(found)} agencies"
                           + (f" ({names}); give more of the name or the id" if found else ""))  # fmt: skip
        agency = found[0]
        parsed = check_roster(db, agency.id, args.file)
        if parsed.errors:
            sys.stderr.write("\n".join(parsed.errors) + "\n")
            sys.stderr.write(f"inspector-app: {len(parsed.errors)} problem(s) in {args.file}; "
                             "nothing was imported\n")  # fmt: skip
            return EXIT_BAD_FILE
        if args.check:
            out(f"{args.file}: {len(parsed.rows)} rows for {agency.text}, no problems found")
            return 0
        result = import_roster(db, agency.id, args.file)
    finally:
        db.close()
    out(f"{args.file}: {agency.text}: {result.describe()}")
    return 0


def cmd_import_history(args: argparse.Namespace) -> int:
    from inspector_app.services.history_import import HistoryImportError

    try:
        if args.check:
            return _check(args)
        result = _import(args)
    except HistoryImportError as exc:
        sys.stderr.write("\n".join(exc.errors) + "\n")
        sys.stderr.write(f"inspector-app: {len(exc.errors)} problem(s) in {args.file}; "
                         "nothing was imported\n")  # fmt: skip
        return EXIT_BAD_FILE
    mark_completed(args, f"the import of {args.file}")
    out(f"{args.file}: {result.describe()}")
    return 0


def _check(args: argparse.Namespace) -> int:
    """Check the file against the database, or an empty throwaway one if there is none yet."""
    from inspector_app.services.history_import import check_history

    path = db_path(args)
    if path.exists():
        db = open_db(args)
        try:
            parsed = check_history(db, args.file)
        finally:
            db.close()
    else:  # --check creates nothing
        with tempfile.TemporaryDirectory(prefix="inspector-check-") as tmp:
            db = open_database(Path(tmp) / "check.db", daily_backup=False)
            try:
                parsed = check_history(db, args.file)
            finally:
                db.close()
    if parsed.errors:
        sys.stderr.write("\n".join(parsed.errors) + "\n")
        return EXIT_BAD_FILE
    differ = parsed.differences
    if differ:  # what an import would leave unapplied, said before it is run
        out("\n".join(differ))
        out(f"{args.file}: {parsed.rows} rows, no problems found; {len(differ)} value(s) differ "
            "from what was imported before and would not be applied")  # fmt: skip
        return 0
    out(f"{args.file}: {parsed.rows} rows, no problems found")
    return 0


def _import(args: argparse.Namespace):  # noqa: ANN202  (ImportResult, imported lazily)
    from inspector_app.services.demo_file import build_database
    from inspector_app.services.history_import import import_history

    path = db_path(args)
    if not path.exists():  # a new file appears only once the import succeeded
        return build_database(path, lambda db: import_history(db, args.file),
                              user=getattr(args, "user", None) or "")  # fmt: skip
    db = open_db(args)
    try:
        return import_history(db, args.file)
    finally:
        db.close()
