"""Commands of the review lifecycle: due, plan, finalize, verify."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

import argparse
import json
import sys
from dataclasses import asdict
from datetime import date

from inspector_app.domain.calendar import fiscal_year
from inspector_app.services import lifecycle, schedule

from .common import FY_RANGE, CliError, fy_arg, mark_completed, open_db, out, resolve

EXIT_CHANGED = 1

_STATE_LABEL = {
    "ok": "due", "due_soon": "DUE SOON", "overdue": "OVERDUE", "draft": "not sent",
    "sent": "sent", "complete": "complete", "done_on_time": "done on time",
    "done_late": "done LATE",
}  # fmt: skip
_SECTIONS = [
    (schedule.Category.AGREEMENT, "Reviews due (every active agreement)"),
    (schedule.Category.REQUEST_FORM, "WSO request forms"),
    (schedule.Category.FOCUS_REVIEW, "Focus reviews"),
    (schedule.Category.CORRECTIVE_ACTION, "Corrective actions"),
    (schedule.Category.TRAINING, "Officers' annual recertification and revocation"),
]


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("due", parents=[common],
                       help="what is due, due soon or overdue (reviews, forms, actions)")  # fmt: skip
    p.add_argument("--fy", type=fy_arg, metavar="YEAR",
                   help="only open items due in or before fiscal year YEAR")  # fmt: skip
    p.add_argument("--json", action="store_true")
    p.add_argument("--today", metavar="YYYY-MM-DD", help="compute as of this day")
    p.set_defaults(func=cmd_due)

    p = sub.add_parser("plan", parents=[common], help="the fiscal-year JEM inspection plan")
    p.add_argument("--fy", type=fy_arg, metavar="YEAR", help="fiscal year (default: next one)")
    p.add_argument("--accept", action="store_true", help="accept the plan as shown")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_plan)

    p = sub.add_parser("finalize", parents=[common],
                       help="finalize (lock) a review; lists what is missing")  # fmt: skip
    p.add_argument("review_id", metavar="REVIEW_ID")
    p.add_argument("--focus-mode", metavar="MODE",
                   help="if a focus review follows: desk_review or site_visit "
                        "(default: as the findings call for)")  # fmt: skip
    p.set_defaults(func=cmd_finalize)

    p = sub.add_parser("verify", parents=[common],
                       help="check a final review against its stored content hash")  # fmt: skip
    p.add_argument("review_id", metavar="REVIEW_ID")
    p.set_defaults(func=cmd_verify)


def _today(args: argparse.Namespace) -> date:
    if not getattr(args, "today", None):
        return date.today()
    try:
        day = date.fromisoformat(args.today)
    except ValueError:
        raise CliError(f"--today: {args.today!r} is not a date (YYYY-MM-DD)") from None
    if not FY_RANGE[0] <= day.year <= FY_RANGE[1]:  # deadlines run into later years
        raise CliError(f"--today: {day} is not a plausible day ({FY_RANGE[0]}-{FY_RANGE[1]})")
    return day


def _jsonable(item: DataclassInstance) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in asdict(item).items()}


def cmd_due(args: argparse.Namespace) -> int:
    today = _today(args)
    db = open_db(args)
    try:
        items = schedule.due_items(db, today)
    finally:
        db.close()
    if args.fy:
        items = schedule.in_fiscal_year(items, args.fy)
    if args.json:
        out(json.dumps([_jsonable(i) for i in items], indent=2, ensure_ascii=False))
        return 0
    scope = f" (FY{args.fy})" if args.fy else ""
    out(f"Due as of {today.isoformat()}{scope}")
    for category, title in _SECTIONS:
        rows = [i for i in items if i.category == category]
        out()
        out(f"{title}: {len(rows)}")
        for i in rows:
            when = i.due.isoformat() if i.due else "no date"
            label = _STATE_LABEL.get(i.state, i.state)
            model = f"{i.model} " if category == schedule.Category.AGREEMENT else ""
            titled = (schedule.Category.CORRECTIVE_ACTION, schedule.Category.TRAINING)
            what = i.title if category in titled else ""
            out(f"  {when:10}  {label:13} {i.agency_name} ({i.agency_state})  {model}{what}"
                f"  [{i.detail}]")  # fmt: skip
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    year = args.fy or fiscal_year(date.today()) + 1
    db = open_db(args)
    try:
        plan = (schedule.save_plan(db, year, accept=True) if args.accept
                else schedule.fy_plan(db, year))  # fmt: skip
    finally:
        db.close()
    if args.accept:
        mark_completed(args, f"the FY{year} plan")
    if args.json:
        out(json.dumps({"fiscal_year": year, "accepted": plan.accepted,
                        "rows": [_jsonable(r) for r in plan.rows]}, indent=2, ensure_ascii=False))  # fmt: skip
        return 0
    state = "accepted" if plan.accepted else "proposed (accept with --accept)"
    out(f"FY{year} JEM inspection plan, {state}: {len(plan.included)} of {len(plan.rows)} LEAs")
    for r in plan.rows:
        mark = "x" if r.included else " "
        changed = "  (changed from proposal)" if r.included != r.proposed else ""
        out(f"  [{mark}] {r.due.isoformat()}  {r.agency_name} ({r.agency_state})  "
            f"{r.reason}{changed}")  # fmt: skip
    for r in plan.gaps:
        out(f"  warning: {r.agency_name} is left out but due {r.due.isoformat()}: "
            "it will pass two years")  # fmt: skip
    return 0


def cmd_finalize(args: argparse.Namespace) -> int:
    db = open_db(args)
    try:
        review_id = resolve(db, "review", args.review_id, "review")
        try:
            result = lifecycle.finalize_review(db, review_id, focus_mode=args.focus_mode)
        except lifecycle.FinalizeRefused as exc:
            out(f"Review {review_id[:8]} cannot be finalized yet; missing:")
            for line in exc.missing:
                out(f"  - {line}")
            # The list is the answer (stdout); the refusal itself is one line on stderr.
            sys.stderr.write(f"inspector-app: review {review_id[:8]} was not finalized: "
                             f"{lifecycle.count_missing(len(exc.missing))}, listed above\n")  # fmt: skip
            return 2
    finally:
        db.close()
    mark_completed(args, f"the finalization of review {review_id[:8]}")
    c = result.counts
    out(f"Review {review_id[:8]} is final (revision {result.review.revision}); "
        f"SHA-256 {result.content_hash}")  # fmt: skip
    out(f"  {c.deficiencies} deficiencies, {c.areas_of_concern} areas of concern, "
        f"{c.best_practices} best practices")  # fmt: skip
    if result.focus_review is not None and result.focus_review.due_date is not None:
        out(f"  focus review {result.focus_review.id[:8]} ({result.focus_review.mode.label}) "
            f"planned, due {result.focus_review.due_date.isoformat()}")  # fmt: skip
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    db = open_db(args)
    try:
        review_id = resolve(db, "review", args.review_id, "review")
        result = lifecycle.verify_review(db, review_id)
    finally:
        db.close()
    if result.stored is None:
        raise CliError(f"review {review_id[:8]} is not final ({result.status}); "
                       "nothing to verify")  # fmt: skip
    if result.matches:
        out(f"review {review_id[:8]}: matches (SHA-256 {result.stored})")
        return 0
    out(f"CHANGED: review {review_id[:8]} no longer matches the hash stored at finalization: "
        + "; ".join(result.differences))  # fmt: skip
    if not result.hash_matches:  # only evidence files changed: the two hashes are equal
        out(f"  stored   {result.stored}")
        out(f"  computed {result.computed}")
    return EXIT_CHANGED
