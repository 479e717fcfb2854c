"""Generate a history CSV for the import and summary benchmarks.

Full size: 20 fiscal years and 1,000 LEAs, about 20,000 inspections (each LEA is
inspected about once a year) with their findings and focus reviews: roughly 100,000
rows. `--scale 0.01` makes a tiny file for CI. Deterministic for a given seed.

    .venv/bin/python bench/make_history.py /tmp/history.csv [--scale 1.0] [--seed 287]
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from inspector_app.domain.forms import load_topics  # noqa: E402
from inspector_app.paths import forms_dir  # noqa: E402
from inspector_app.services.history_csv import COLUMNS  # noqa: E402

STATES = ["GA", "NC", "SC", "TX", "FL", "AL", "TN", "VA", "AZ", "OK", "LA", "WY"]
FIRST_FY = 2006
YEARS = 20
LEAS = 1000
# Weights roughly after GAO tables 2 and 3 (training and complaints lead deficiencies,
# interpreter services lead areas of concern).
DEFICIENCY_WEIGHTS = {
    "training": 40,
    "complaints": 27,
    "steering-committee": 15,
    "statistics": 10,
    "information-security": 12,
    "detainers": 14,
    "processing": 10,
    "citizenship-claims": 4,
    "authorization": 12,
    "other": 5,
}
CONCERN_WEIGHTS = {
    "interpreter": 44,
    "complaints": 12,
    "training": 10,
    "steering-committee": 10,
    "processing": 12,
    "detainers": 8,
    "information-security": 6,
    "other": 5,
}


def rows(scale: float, seed: int):  # noqa: ANN201
    rng = random.Random(seed)
    topics = set(load_topics(forms_dir()))
    dw = {t: w for t, w in DEFICIENCY_WEIGHTS.items() if t in topics}
    cw = {t: w for t, w in CONCERN_WEIGHTS.items() if t in topics}
    leas = max(2, int(LEAS * scale))
    finding_no = 0
    for n in range(leas):
        name = f"County {n:04d} Sheriff's Office"
        state = STATES[n % len(STATES)]
        model = "WSO" if n % 3 == 2 else "JEM"
        for fy in range(FIRST_FY, FIRST_FY + YEARS):
            if rng.random() < 0.02:
                continue  # a year without an inspection now and then
            start = date(fy - 1, 10, 1) + timedelta(days=rng.randint(0, 330))
            end = start + timedelta(days=rng.randint(0, 3))
            ref = f"L{n:04d}-{fy}"
            base = [
                ref,
                name,
                state,
                model,
                "inspection",
                start.isoformat(),
                end.isoformat(),
                "site_visit",
                "",
            ]
            k = rng.choices([0, 1, 2, 3, 4, 5, 6, 7], [16, 14, 14, 12, 12, 11, 11, 10])[0]
            findings = []
            for _ in range(k):
                finding_no += 1
                kind = rng.choices(["deficiency", "area_of_concern", "best_practice"], [6, 3, 1])[0]
                pool = dw if kind != "area_of_concern" else cw
                topic = rng.choices(list(pool), list(pool.values()))[0]
                fref = f"F{finding_no:07d}"
                findings.append((fref, kind))
                yield base + [
                    fref,
                    kind,
                    topic,
                    rng.choice(["lea", "lea", "lea", "ice"]),
                    f"Finding {fref} on {topic}",
                    "",
                ]
            if not findings:
                yield base + ["", "", "", "", "", ""]
            counted = [f for f in findings if f[1] != "best_practice"]
            if len(counted) >= 4 and rng.random() < 0.85:
                fstart = end + timedelta(days=rng.randint(60, 180))
                fbase = [
                    f"{ref}-FR",
                    name,
                    state,
                    model,
                    "focus_review",
                    fstart.isoformat(),
                    fstart.isoformat(),
                    rng.choice(["desk_review", "site_visit"]),
                    ref,
                ]
                for fref, _kind in counted:
                    outcome = "resolved" if rng.random() < 0.8 else "unresolved"
                    yield fbase + [fref, "", "", "", "", outcome]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out", type=Path)
    p.add_argument("--scale", type=float, default=1.0, help="share of the 1,000 LEAs (0.01 for CI)")
    p.add_argument("--seed", type=int, default=287)
    args = p.parse_args(argv)
    n = 0
    with args.out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for row in rows(args.scale, args.seed):
            w.writerow(row)
            n += 1
    print(f"{args.out}: {n} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
