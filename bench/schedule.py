"""The Due list over a large program, against one bare SQL query.

    .venv/bin/python bench/schedule.py [--agreements 1000] [--years 20] [--runs 7]

Setup: a temporary database with --agreements active agreements (one agency each,
JEM and WSO alternating), each reviewed every two years for --years years (final
reviews), plus a corrective action per agreement. Rows are inserted in bulk with one
session: this is fixture data, not something the app does.

Measured (median of --runs, after one warm-up each):
  figure   : services.schedule.due_items(db, today): every agreement's due date and
             state, request forms, focus reviews and corrective actions, as dataclasses
  baseline : one raw sqlite3 query computing the same last-review dates
             (max end date per agreement and review kind), rows fetched - same run
The two must agree on every last-review date (checked before timing).
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import select  # noqa: E402

from inspector_app.domain.calendar import add_months  # noqa: E402
from inspector_app.services import schedule  # noqa: E402
from inspector_app.store.database import open_database  # noqa: E402
from inspector_app.store.models import (  # noqa: E402
    Agency,
    Agreement,
    CorrectiveAction,
    Finding,
    Review,
)

TODAY = date(2026, 11, 2)
BASELINE_SQL = (
    "SELECT agreement_id, kind, max(end_date) FROM review WHERE deleted = 0 "
    "AND status != 'planned' AND end_date IS NOT NULL AND agreement_id IS NOT NULL "
    "GROUP BY agreement_id, kind"
)


def build(path: Path, agreements: int, years: int) -> None:
    db = open_database(path, user="bench", daily_backup=False)
    stages: list[list] = [[], [], [], [], []]  # parents first: no ORM relationships to order them
    for n in range(agreements):
        model = "JEM" if n % 2 == 0 else "WSO"
        kind = "jem_inspection" if model == "JEM" else "wso_review"
        agency = Agency(name=f"Agency {n:04}", state="GA")
        signed = TODAY - timedelta(days=365 * years + n % 700)
        agreement = Agreement(agency_id=agency.id, model=model, signed_on=signed)
        stages[0].append(agency)
        stages[1].append(agreement)
        end = add_months(signed, 3)
        last = None
        while end < TODAY:
            last = Review(agency_id=agency.id, agreement_id=agreement.id, kind=kind,
                          status="final", start_date=end - timedelta(days=2), end_date=end)  # fmt: skip
            stages[2].append(last)
            end = add_months(end, 24 - (n % 3))
        if last is not None:
            finding = Finding(review_id=last.id, number=1, kind="deficiency", topic="training")
            stages[3].append(finding)
            stages[4].append(CorrectiveAction(finding_id=finding.id, action="Train",
                                              due_on=last.end_date + timedelta(days=90)))  # fmt: skip
    with db.write() as s:
        for rows in stages:
            s.add_all(rows)
            s.flush()
        s.commit()
    db.close()


def median_ms(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--agreements", type=int, default=1000)
    p.add_argument("--years", type=int, default=20)
    p.add_argument("--runs", type=int, default=7)
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        t = time.perf_counter()
        build(path, args.agreements, args.years)
        db = open_database(path, user="bench", daily_backup=False)
        con = sqlite3.connect(path)
        try:
            with db.read() as s:
                reviews = s.exec(select(Review)).all()
            print(f"setup: {args.agreements} agreements, {len(reviews)} reviews over "
                  f"{args.years} years ({time.perf_counter() - t:.1f} s)")  # fmt: skip

            items = schedule.due_items(db, TODAY)
            ours = {(i.agreement_id, i.last_review_end) for i in items
                    if i.category == schedule.Category.AGREEMENT}  # fmt: skip
            raw = {(a, date.fromisoformat(d)) for a, _k, d in con.execute(BASELINE_SQL)}
            assert len(ours) == args.agreements and ours == raw, "results differ"

            figure = median_ms(lambda: schedule.due_items(db, TODAY), args.runs)
            baseline = median_ms(lambda: con.execute(BASELINE_SQL).fetchall(), args.runs)
        finally:
            con.close()
            db.close()
    print(f"figure   due_items (all categories, {len(items)} items): {figure:8.1f} ms")
    print(f"baseline one SQL query for last-review dates:        {baseline:8.1f} ms")
    print(f"ratio    {figure / baseline:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
