"""Benchmark: the fiscal-year summary against one SQL aggregate query of the same counts.

Generates a history (bench/make_history.py: 20 fiscal years, 1,000 LEAs, about 20,000
inspections), imports it into a temporary database (target: within 6x of the baseline)
and imports it again (nothing new: the no-op re-import), each against a baseline measured
in the same run: the same file read with the csv module and its rows inserted into one
plain table with a single executemany, then times `analytics.summary.summary()` for one
fiscal year (loading included) against a single SQL query that counts inspections,
agencies inspected, agencies with findings, findings by kind and agencies requiring
follow-up. Prints both, their ratio and whether the summary's counts agree. Target for
the summary: under 1 s.

    .venv/bin/python bench/summary.py [--scale 1.0] [--fy 2020] [--repeat 5] [--imports 1]
                                      [--import-only]
"""

from __future__ import annotations

import argparse
import csv
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import make_history  # noqa: E402
from sqlalchemy import text  # noqa: E402

from inspector_app.analytics.summary import summary  # noqa: E402
from inspector_app.services.history_import import import_history  # noqa: E402
from inspector_app.store.database import open_database  # noqa: E402

# One aggregate over the year's inspections: the baseline the pandas summary is held to.
AGGREGATE = text("""
WITH insp AS (
    SELECT r.id, r.agency_id FROM review r
    WHERE r.deleted = 0 AND r.kind = 'jem_inspection' AND r.status = 'final'
      AND r.start_date BETWEEN :lo AND :hi  -- OPR's figures: final JEM inspections
), per AS (
    SELECT i.id, i.agency_id,
           SUM(f.kind = 'deficiency') AS d, SUM(f.kind = 'area_of_concern') AS a,
           SUM(f.kind = 'best_practice') AS b
    FROM insp i LEFT JOIN finding f ON f.review_id = i.id AND f.deleted = 0
    GROUP BY i.id, i.agency_id
)
SELECT COUNT(*), COUNT(DISTINCT agency_id),
       COUNT(DISTINCT CASE WHEN COALESCE(d, 0) + COALESCE(a, 0) > 0 THEN agency_id END),
       COALESCE(SUM(d), 0), COALESCE(SUM(a), 0), COALESCE(SUM(b), 0),
       COUNT(DISTINCT CASE WHEN COALESCE(d, 0) + COALESCE(a, 0) >= 4 THEN agency_id END)
FROM per
""")


def timed(fn, repeat: int) -> tuple[float, object]:  # noqa: ANN001
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def baseline_import(csv_path: Path, db_path: Path) -> float:
    """Seconds to read the CSV and insert its rows as they are into one plain table (WAL,
    one transaction): the floor of any import, without checks, ids, indexes or change log."""
    t0 = time.perf_counter()
    con = sqlite3.connect(db_path)
    try:
        con.execute("PRAGMA journal_mode=WAL")
        with csv_path.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            con.execute(f"CREATE TABLE raw ({', '.join(f'c{i} TEXT' for i in range(len(header)))})")
            marks = ", ".join("?" * len(header))
            with con:
                con.executemany(f"INSERT INTO raw VALUES ({marks})", reader)
    finally:
        con.close()
    return time.perf_counter() - t0


RATIO_TARGET = 6  # an import within 6x of the csv + executemany baseline (issue 15)
RATIOS: dict[str, list[float]] = {}  # per label, one ratio per run


def time_imports(csv_path: Path, tmp: Path, run: int):  # noqa: ANN201
    """One fresh import and one no-op re-import, each printed against the baseline."""
    rows = sum(1 for _ in csv_path.open(encoding="utf-8")) - 1
    base_s = baseline_import(csv_path, tmp / f"baseline{run}.db")
    db = open_database(tmp / f"bench{run}.db", user="bench", daily_backup=False)
    try:
        for label in ("import", "re-import"):
            t0, c0 = time.perf_counter(), time.process_time()
            result = import_history(db, csv_path)
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            RATIOS.setdefault(label, []).append(wall / base_s)
            target = (
                "" if label != "import" else
                f"; target < {RATIO_TARGET}x: {'met' if wall / base_s < RATIO_TARGET else 'NOT met'}"
            )  # fmt: skip
            print(f"{label}: {rows} rows in {wall:.2f} s (CPU {cpu:.2f} s); baseline (csv + one "
                  f"executemany) {base_s:.2f} s; ratio {wall / base_s:.1f}x{target}; "
                  f"{result.describe()}")  # fmt: skip
    except BaseException:
        db.close()
        raise
    return db


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scale", type=float, default=1.0, help="share of the 1,000 LEAs (0.01 for CI)")
    p.add_argument("--fy", type=int, default=2020)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--imports", type=int, default=1, help="import runs, each into a fresh db")
    p.add_argument("--import-only", action="store_true", help="skip the summary timing")
    args = p.parse_args(argv)
    # A fixed pure-Python loop, so figures from a loaded or slower machine can be compared.
    t0 = time.perf_counter()
    sum(i * i for i in range(2_000_000))
    print(f"machine: 2M-step Python loop in {time.perf_counter() - t0:.2f} s (compare runs by it)")
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "history.csv"
        make_history.main([str(csv_path), "--scale", str(args.scale)])
        for run in range(args.imports):
            db = time_imports(csv_path, Path(tmp), run)
            if run < args.imports - 1 or args.import_only:
                db.close()
        if args.imports > 1:  # a shared machine is noisy: the median of the runs
            print("; ".join(f"{label} median ratio {statistics.median(r):.1f}x of {len(r)}"
                            for label, r in RATIOS.items()))  # fmt: skip
        if args.import_only:
            return 0
        try:
            lo, hi = f"{args.fy - 1}-10-01", f"{args.fy}-09-30"

            def sql():  # noqa: ANN202
                with db.read() as s:
                    return s.connection().execute(AGGREGATE, {"lo": lo, "hi": hi}).one()

            def pandas_summary():  # noqa: ANN202
                with db.read() as s:
                    return summary(s, args.fy)

            sql()  # warm the page cache for both
            base_s, base = timed(sql, args.repeat)
            sum_s, got = timed(pandas_summary, args.repeat)
        finally:
            db.close()
    mine = (got["inspections"], got["agencies_inspected"], got["agencies_with_findings"],
            got["deficiencies"], got["areas_of_concern"], got["best_practices"],
            got["agencies_requiring_follow_up"])  # fmt: skip
    agree = tuple(int(x) for x in base) == mine
    print(f"summary FY{args.fy}: {sum_s * 1000:.1f} ms (median of {args.repeat}); "
          f"SQL aggregate baseline: {base_s * 1000:.1f} ms; ratio {sum_s / base_s:.1f}x; "
          f"target < 1000 ms: {'met' if sum_s < 1 else 'NOT met'}; counts agree: {agree}")  # fmt: skip
    print(f"  {got['inspections']} inspections, {got['deficiencies']} deficiencies, "
          f"{got['areas_of_concern']} areas of concern")  # fmt: skip
    return 0 if agree else 1


if __name__ == "__main__":
    raise SystemExit(main())
