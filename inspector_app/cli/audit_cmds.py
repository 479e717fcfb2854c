"""The audit trail for an auditor (docs/security.md, "The audit trail (CJIS 5.4.1)"):
`audit verify` recomputes the hash chain and names the first bad entry (exit 0 intact,
1 broken); `audit export --since DATE --out FILE.csv` writes every column."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from inspector_app.services import audit
from inspector_app.services.uow import ZERO_HASH, audit_component

from .common import mark_completed, open_db, out


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("audit", parents=[common], help="verify or export the audit trail")
    inner = p.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    v = inner.add_parser("verify", parents=[common],
                         help="recompute the hash chain; exit 1 naming the first bad entry")  # fmt: skip
    v.set_defaults(func=cmd_verify)
    e = inner.add_parser("export", parents=[common], help="the entries since a date, as CSV")
    e.add_argument("--since", type=_date, required=True, metavar="DATE",
                   help="first day (YYYY-MM-DD, UTC)")  # fmt: skip
    e.add_argument("--out", type=Path, required=True, metavar="FILE.csv")
    e.set_defaults(func=cmd_export)


def cmd_verify(args: argparse.Namespace) -> int:
    db = open_db(args)
    try:
        report = audit.verify_chain(db)
    finally:
        db.close()
    if report.ok:
        ident, digest = report.head or (0, ZERO_HASH)
        out(f"audit trail intact: {report.entries:,} entries; head entry {ident}, {digest}")
        return 0
    out(f"audit trail BROKEN at entry {report.first_bad}: {report.problem} "
        f"({report.entries:,} entries verify before it)")  # fmt: skip
    return 1


def cmd_export(args: argparse.Namespace) -> int:
    db = open_db(args)
    try:
        with audit_component("cli"):
            count = audit.export_csv(db, args.since, args.out)
            audit.record_event(db, "export", "success", "audit_log", "", file=str(args.out),
                               since=args.since, entries=count)  # fmt: skip
    finally:
        db.close()
    mark_completed(args, "the export")
    out(f"{count:,} audit entries since {args.since} written to {args.out}")
    return 0
