"""Commands that talk to the central service: sync, conflicts (docs/sync.md)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from typing import Any

from inspector_app.services.sync import (
    ConflictRow,
    SyncProgress,
    open_conflicts,
    resolve_conflict,
    sync,
)

from .common import CliError, mark_completed, open_db, out


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("sync", parents=[common],
                       help="send your changes to the central service and get everyone else's")  # fmt: skip
    p.add_argument("--server", metavar="URL", help="the service (first sync only)")
    p.add_argument("--token", metavar="TOKEN",
                   help="the enrollment token from your administrator (first sync only)")  # fmt: skip
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_sync)

    p = sub.add_parser("conflicts", parents=[common], help="changes the service kept aside")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_conflicts)
    inner = p.add_subparsers(dest="conflicts_command", metavar="resolve")
    r = inner.add_parser("resolve", parents=[common], help="keep one version of a conflict")
    r.add_argument("conflict_id", metavar="CONFLICT_ID")
    r.add_argument("--keep", choices=("server", "client"), required=True,
                   help="server: the value the row shows now; client: the other device's")  # fmt: skip
    r.set_defaults(func=cmd_resolve)


def _progress(p: SyncProgress) -> None:
    sys.stderr.write(f"{p.message}\n")


def _value(v: Any) -> str:
    text = json.dumps(v, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:59] + "…"


def _line(c: ConflictRow) -> str:
    return (f"{c.id[:8]}  {c.what}: {c.field} ({c.reason}) - kept {_value(c.server_value)}, "
            f"{c.client_user or 'another device'} wrote {_value(c.client_value)}")  # fmt: skip


def _jsonable(c: ConflictRow) -> dict[str, Any]:
    d = asdict(c)
    d["created_at"] = c.created_at.isoformat()
    return d


def cmd_sync(args: argparse.Namespace) -> int:
    db = open_db(args, must_exist=False)
    try:
        report = sync(db, server=args.server, token=args.token,
                      progress=None if args.json else _progress)  # fmt: skip
    finally:
        db.close()
    mark_completed(args, "the sync")
    if args.json:
        d = asdict(report)
        d["new_conflicts"] = [_jsonable(c) for c in report.new_conflicts]
        out(json.dumps(d, indent=2, default=str))
        return 0
    out(f"synced with {report.server}: pushed {report.pushed:,}, pulled {report.pulled:,}, "
        f"blobs up {report.blobs_up:,}, down {report.blobs_down:,} ({report.seconds:.1f} s)")  # fmt: skip
    if report.held_back:
        out(f"{report.held_back:,} changes to other field offices' records stay on this "
            "laptop: your account may not send them")  # fmt: skip
    if report.new_conflicts:
        out(f"{len(report.new_conflicts)} new conflicts "
            "(settle with 'inspector-app conflicts resolve ID --keep server|client'):")  # fmt: skip
        for c in report.new_conflicts:
            out("  " + _line(c))
    return 0


def cmd_conflicts(args: argparse.Namespace) -> int:
    db = open_db(args)
    try:
        rows = open_conflicts(db)
    finally:
        db.close()
    if args.json:
        out(json.dumps([_jsonable(c) for c in rows], indent=2, default=str))
        return 0
    if not rows:
        out("no open conflicts")
    for c in rows:
        out(_line(c))
    return 0


def cmd_resolve(args: argparse.Namespace) -> int:
    db = open_db(args)
    try:
        text = args.conflict_id.strip().lower()
        found = [c for c in open_conflicts(db) if c.id.startswith(text)] if text else []
        if not found:
            raise CliError(f"no open conflict with id {args.conflict_id!r}; "
                           "list them with 'inspector-app conflicts'")  # fmt: skip
        if len(found) > 1:
            raise CliError(f"conflict id {args.conflict_id!r} is ambiguous; give more characters")
        resolve_conflict(db, found[0].id, args.keep, found[0].rev)
    finally:
        db.close()
    mark_completed(args, f"the resolution of conflict {found[0].id[:8]}")
    out(f"conflict {found[0].id[:8]} resolved: kept the {args.keep}'s version")
    return 0
