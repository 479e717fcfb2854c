"""`inspector-app report KIND REVIEW_ID --out FILE.pdf`: render a review's PDF report.

Kinds: inspection, focus-review, request-form, closeout. The report is also kept in
the database as an artifact with its SHA-256, so a later copy can be checked.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from inspector_app.domain.enums import ReportKind
from inspector_app.services import report_service

from .analytics_cmds import register_report_kinds
from .common import CliError, mark_completed, open_db, out, resolve

COMMANDS = {
    "inspection": (ReportKind.INSPECTION, "inspection report of a JEM inspection or WSO review"),
    "focus-review": (ReportKind.FOCUS_REVIEW, "focus review report (each finding resolved or not)"),
    "request-form": (ReportKind.REQUEST_FORM, "WSO internal oversight review request form"),
    "closeout": (ReportKind.CLOSEOUT, "corrective-action closeout memo (all findings closed)"),
}


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("report", help="render a review's PDF report")
    kinds = p.add_subparsers(dest="report_kind", metavar="KIND")
    for name, (kind, help_text) in COMMANDS.items():
        c = kinds.add_parser(name, parents=[common], help=help_text)
        c.add_argument("review_id", metavar="REVIEW_ID", help="review id or a unique prefix")
        c.add_argument("--out", "-o", type=Path, required=True, metavar="FILE.pdf")
        c.set_defaults(func=cmd_report, kind=kind)
    register_report_kinds(kinds, common)  # annual, wso-summary: program-wide reports


def cmd_report(args: argparse.Namespace) -> int:
    target: Path = args.out.expanduser()
    if not target.parent.is_dir():  # before opening anything: nothing to undo
        raise CliError(f"{target.parent}: no such folder for --out; create it or choose another")
    if target.is_dir():
        raise CliError(f"{target}: is a folder; give --out a file name ending in .pdf")
    db = open_db(args)
    try:
        review_id = resolve(db, "review", args.review_id, "review")
        try:
            rendered = report_service.render_to_file(db, args.kind, review_id, target)
        except report_service.CloseoutBlocked as exc:
            for line in exc.blockers:
                sys.stderr.write(f"inspector-app: open finding: {line}\n")
            return 2
    finally:
        db.close()
    mark_completed(args, f"the report {target}")
    out(f"{target}: {report_service.REPORT_LABELS[args.kind].lower()}, {rendered.pages} page(s), "
        f"sha256 {rendered.sha256}")  # fmt: skip
    if rendered.changed_since_final:  # written, but it must not pass for a final report
        sys.stderr.write(f"inspector-app: warning: review {review_id[:8]} changed since it was "
                         "finalized; the report says so on every page and is not final: "
                         + "; ".join(rendered.changed_since_final[:3]) + "\n")  # fmt: skip
    return 0
