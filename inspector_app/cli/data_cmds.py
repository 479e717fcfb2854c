"""Commands about the database itself: demo, status, agencies, reviews."""

from __future__ import annotations

import argparse
import json

from inspector_app.services import lookup, review_views
from inspector_app.services.demo_file import TargetHoldsData, create_demo_database
from inspector_app.services.encryption import encrypt_database, is_encrypted

from .common import CliError, db_path, mark_completed, open_db, out, read_passphrase


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("demo", parents=[common], help="create a database filled with demo data")
    p.add_argument("--force", action="store_true", help="add demo data even if not empty")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("status", parents=[common], help="what the database holds")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("reviews", parents=[common], help="list reviews with their ids")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_reviews)


def cmd_demo(args: argparse.Namespace) -> int:
    """Built beside the target and renamed into place: Ctrl-C or a full disk changes nothing."""
    path = db_path(args)
    # --passphrase-file: an encrypted demo database (the demo built, then encrypted in
    # place before the command returns: no plaintext copy is left).
    passphrase = read_passphrase(args, "Passphrase: ") if args.passphrase_file else None
    if passphrase is not None and (is_encrypted(path) or not args.user):
        raise CliError(f"{path}: an encrypted demo needs --user NAME and a new file")
    try:
        summary = create_demo_database(path, user=getattr(args, "user", None) or "",
                                       force=args.force)  # fmt: skip
    except TargetHoldsData:
        raise CliError(f"{path}: already holds data; use another --db or add --force") from None
    if passphrase is not None:
        encrypt_database(path, name=args.user, passphrase=passphrase)
    mark_completed(args, f"the demo database {path}")
    out(f"Demo data written to {path}: {summary.agencies} agencies, {summary.officers} officers, "
        f"{summary.reviews} reviews, {summary.findings} findings, {summary.interviews} interviews")  # fmt: skip
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    db = open_db(args)
    try:
        n = lookup.counts(db)
        info = {
            "database": str(db.path),
            "agencies": n.agencies,
            "reviews": n.reviews,
            "findings": n.findings,
            "changes_waiting": n.changes_waiting,
            "open_conflicts": n.open_conflicts,
            "last_sync": n.last_sync.isoformat(timespec="seconds") if n.last_sync else None,
            "inspector": db.user,
        }
    finally:
        db.close()
    if args.json:
        out(json.dumps(info, indent=2))
    else:
        for k, v in info.items():
            out(f"{k.replace('_', ' '):16} {v}")
    return 0


def cmd_reviews(args: argparse.Namespace) -> int:
    db = open_db(args)
    try:
        rows = review_views.review_rows(db)
    finally:
        db.close()
    if args.json:
        out(json.dumps([
            {"id": r.review.id, "agency": r.agency_name, "state": r.agency_state,
             "kind": r.review.kind, "status": r.review.status,
             "start": r.review.start_date.isoformat() if r.review.start_date else None,
             "deficiencies": r.deficiencies, "areas_of_concern": r.areas_of_concern,
             "best_practices": r.best_practices} for r in rows], indent=2))  # fmt: skip
        return 0
    for r in rows:
        when = r.review.start_date or r.review.planned_start or r.review.due_date
        day = when.isoformat() if when else ""
        out(f"{r.review.id[:8]}  {r.review.kind:15} {r.review.status:12} {day:10}  "
            f"{r.agency_name} ({r.agency_state})  D{r.deficiencies} A{r.areas_of_concern} "
            f"B{r.best_practices}")  # fmt: skip
    return 0
