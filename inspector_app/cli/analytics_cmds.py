"""Program analytics: fiscal-year summary, performance measures, and the
annual / WSO-summary reports.

Each takes `--field-office CODE` to narrow its figures to one field office's agencies
(an unknown code is one line naming the codes that exist, exit 2).

The two report kinds join the `report` group owned by cli/report_cmds.py through
`register_report_kinds(report_subparsers, common)`, since argparse cannot register the
same subcommand twice.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from .common import CliError, fy_arg, mark_completed, open_db, out

FIELD_OFFICE_HELP = ("only the agencies of this field office (its code, e.g. ATL; any case); "
                     "default: every field office")  # fmt: skip


def _field_office_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--field-office", metavar="CODE", help=FIELD_OFFICE_HELP)


def _field_office(args: argparse.Namespace) -> str | None:
    """The --field-office code given, or None (also for a namespace built without it)."""
    code: str | None = getattr(args, "field_office", None)
    return code


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("summary", parents=[common], help="fiscal-year summary of the program")
    p.add_argument("--fy", type=fy_arg, required=True, metavar="YEAR")
    p.add_argument("--model", type=str.upper, choices=["JEM", "WSO"],
                   help="default: OPR's figures, final JEM inspections only")  # fmt: skip
    _field_office_option(p)
    p.add_argument("--json", action="store_true")
    p.add_argument("--narrative", action="store_true",
                   help="print the year in brief (plain text for a briefing) instead")  # fmt: skip
    p.set_defaults(func=cmd_summary)

    p = sub.add_parser("measures", parents=[common], help="performance measures for a fiscal year")
    p.add_argument("--fy", type=fy_arg, required=True, metavar="YEAR")
    p.add_argument("--json", action="store_true")
    _field_office_option(p)
    p.set_defaults(func=cmd_measures)


def register_report_kinds(report_subparsers: argparse._SubParsersAction,
                          common: argparse.ArgumentParser) -> None:  # fmt: skip
    """Add `report annual` and `report wso-summary` to the reports engineer's group."""
    p = report_subparsers.add_parser("annual", parents=[common],
                                     help="annual program report for a fiscal year (PDF)")  # fmt: skip
    p.add_argument("--fy", type=fy_arg, required=True, metavar="YEAR")
    p.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    _field_office_option(p)
    p.set_defaults(func=cmd_report_annual)
    p = report_subparsers.add_parser(
        "wso-summary", parents=[common],
        help="annual WSO summary: one PDF per WSO-partner LEA and one Excel workbook",
    )  # fmt: skip
    p.add_argument("--fy", type=fy_arg, required=True, metavar="YEAR")
    p.add_argument("--out", type=Path, required=True, metavar="DIR")
    _field_office_option(p)
    p.set_defaults(func=cmd_report_wso_summary)


def cmd_summary(args: argparse.Namespace) -> int:
    from inspector_app.analytics.loader import find_field_office, load_frames
    from inspector_app.analytics.summary import format_summary, summary

    if getattr(args, "narrative", False):
        return _narrative(args)
    db = open_db(args)
    try:
        with db.read() as s:
            office = find_field_office(s, _field_office(args))
            data = summary(load_frames(s, args.fy, office=office), args.fy, args.model)
    finally:
        db.close()
    out(json.dumps(data, indent=2) if args.json else format_summary(data))
    return 0


def _narrative(args: argparse.Namespace) -> int:
    """`summary --narrative`: the annual report's year in brief, as plain text."""
    from inspector_app.services.program_reports import annual_narrative

    if args.model == "WSO" or args.json:
        raise CliError("--narrative is OPR's year in brief: without --model WSO or --json")
    db = open_db(args)
    try:
        text = annual_narrative(db, args.fy, _field_office(args))
    finally:
        db.close()
    out(text)
    return 0


def cmd_measures(args: argparse.Namespace) -> int:
    from inspector_app.analytics.loader import find_field_office
    from inspector_app.analytics.measures import format_measures, load_inputs, measures

    db = open_db(args)
    try:
        with db.read() as s:
            office = find_field_office(s, _field_office(args))
            data = measures(load_inputs(s, args.fy, office), args.fy)
    finally:
        db.close()
    out(json.dumps(data, indent=2) if args.json else format_measures(data))
    return 0


def cmd_report_annual(args: argparse.Namespace) -> int:
    from inspector_app.analytics.loader import field_office_key
    from inspector_app.services.program_reports import write_annual_report

    if args.out.exists() and args.out.is_dir():
        raise CliError(f"{args.out}: is a folder; give a file name ending in .pdf")
    db = open_db(args)
    try:
        result = write_annual_report(db, args.fy, args.out, field_office=_field_office(args))
    finally:
        db.close()
    mark_completed(args, f"the report {result.path}")
    code = _field_office(args)
    office = f" (field office {field_office_key(code)})" if code else ""
    out(f"Annual report FY{args.fy}{office} written to {result.path} ({result.pages} pages); "
        f"the year in brief in {result.narrative}")  # fmt: skip
    return 0


def cmd_report_wso_summary(args: argparse.Namespace) -> int:
    from inspector_app.services.program_reports import write_wso_summaries

    if args.out.exists() and not args.out.is_dir():
        raise CliError(f"{args.out}: is a file; give a folder for the PDFs and the workbook")
    new_folder = not args.out.exists()
    db = open_db(args)
    try:
        result = write_wso_summaries(db, args.fy, args.out, field_office=_field_office(args))
    except BaseException:
        if new_folder:  # made by this run: a failed run leaves no folder of half the PDFs
            shutil.rmtree(args.out, ignore_errors=True)
        raise
    finally:
        db.close()
    mark_completed(args, f"the WSO summaries in {args.out}")
    out(f"WSO summaries FY{args.fy}: {len(result.pdfs)} PDFs and {result.workbook.name} "
        f"written to {args.out}")  # fmt: skip
    return 0
