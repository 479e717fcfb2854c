"""Autosave latency: one checklist answer through services.reviews.record_answer,
against a raw sqlite3 upsert + commit with the same pragmas, measured in the same run.

    python bench/autosave.py [--n 2000]

The two paths are interleaved answer by answer, so that both meet the same disk and
CPU conditions. Prints the median and p99 of each and their ratios (services / raw).
Machines here are shared and noisy: compare ratios between runs, not absolute times.
Target: median under 2 ms and a ratio under 3x.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from inspector_app.services import agencies as ag
from inspector_app.services import reviews
from inspector_app.store.database import BUSY_TIMEOUT_MS, open_database

RAW_TABLE = """
CREATE TABLE checklist_response (
    id TEXT PRIMARY KEY, rev INTEGER NOT NULL, updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL, device_id TEXT NOT NULL, deleted INTEGER NOT NULL,
    review_id TEXT NOT NULL, item_key TEXT NOT NULL, value TEXT, note TEXT NOT NULL,
    answered_by TEXT NOT NULL, answered_at TEXT, UNIQUE (review_id, item_key)
)"""
RAW_UPSERT = """
INSERT INTO checklist_response (id, rev, updated_at, updated_by, device_id, deleted,
    review_id, item_key, value, note, answered_by, answered_at)
VALUES (?, 1, ?, 'Bench', 'dev', 0, ?, ?, ?, '', 'Bench', ?)
ON CONFLICT (review_id, item_key) DO UPDATE SET
    value = excluded.value, rev = rev + 1, updated_at = excluded.updated_at,
    answered_at = excluded.answered_at"""


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def workload(n: int, keys: list[tuple[str, list[str]]], seed: int = 287) -> list[tuple[str, str]]:
    """The same sequence of (item, value) for both paths: an inspector working through."""
    rng = random.Random(seed)
    return [(key, rng.choice(values)) for key, values in (rng.choice(keys) for _ in range(n))]


class ServicesPath:
    """A started JEM inspection in a new database; one answer = one record_answer call."""

    def __init__(self, folder: Path, data_key: bytes | None = None, name: str = "services.db"):
        self.db = open_database(folder / name, user="Bench", daily_backup=False,
                                data_key=data_key)  # fmt: skip
        agency = ag.create_agency(self.db, name="Alder County Sheriff's Office", state="GA")
        ag.create_agreement(self.db, agency_id=agency.id, model="JEM", signed_on="2024-01-01")
        review = reviews.schedule_review(self.db, agency_id=agency.id, kind="jem_inspection")
        self.review = reviews.start_review(self.db, review.id)
        form = reviews.form_for(self.review)
        self.keys = [
            (i.key, i.valid_values())
            for s in form.sections
            if not s.repeat
            for i in s.items
            if i.valid_values()
        ]  # a repeated section: per case file

    def answer(self, key: str, value: str) -> None:
        reviews.record_answer(self.db, review_id=self.review.id, item_key=key, value=value)

    def close(self) -> None:
        self.db.close()


class RawPath:
    """The same answers as a hand-written upsert + commit on a plain sqlite3 connection."""

    def __init__(self, folder: Path):
        self.con = sqlite3.connect(folder / "raw.db", isolation_level=None)
        self.con.execute("PRAGMA journal_mode=WAL")
        self.con.execute("PRAGMA foreign_keys=ON")
        self.con.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        self.con.execute("PRAGMA synchronous=FULL")
        self.con.execute(RAW_TABLE)
        self.review_id = str(uuid.uuid4())

    def answer(self, key: str, value: str) -> None:
        now = time.strftime("%Y-%m-%dT%H:%M:%S")
        self.con.execute("BEGIN IMMEDIATE")
        self.con.execute(RAW_UPSERT, (str(uuid.uuid4()), now, self.review_id, key, value, now))
        self.con.execute("COMMIT")

    def close(self) -> None:
        self.con.close()


def measure(folder: Path, n: int) -> tuple[list[float], list[float]]:
    """Alternate the two paths answer by answer, so both see the same disk and CPU load."""
    services, raw = ServicesPath(folder), RawPath(folder)
    s_times, r_times = [], []
    try:
        for key, value in workload(n, services.keys):
            for path, times in ((services, s_times), (raw, r_times)):
                t0 = time.perf_counter()
                path.answer(key, value)
                times.append(time.perf_counter() - t0)
    finally:
        services.close()
        raw.close()
    return s_times, r_times


def unlock_and_open(folder: Path) -> tuple[ServicesPath, float]:
    """An encrypted database: sign-in (Argon2id) + keyed open of an existing file, timed."""
    from datetime import UTC, datetime

    from inspector_app.store.keyfile import KeyFile, keyfile_path

    path = folder / "encrypted.db"
    _, key = KeyFile.create(keyfile_path(path), "Bench", "bench-pass", frozenset({"inspector"}))
    open_database(path, daily_backup=False, data_key=key).close()  # created and migrated
    t0 = time.perf_counter()
    key = KeyFile.load(keyfile_path(path)).unlock("Bench", "bench-pass", datetime.now(UTC))
    open_database(path, daily_backup=False, data_key=key).close()
    unlock_s = time.perf_counter() - t0
    return ServicesPath(folder, key, "encrypted.db"), unlock_s


def measure_encrypted(folder: Path, n: int) -> tuple[list[float], list[float], float]:
    """Plaintext and encrypted record_answer, interleaved; and the unlock time."""
    plain = ServicesPath(folder, None, "plain.db")
    encrypted, unlock_s = unlock_and_open(folder)
    p_times, e_times = [], []
    try:
        for key, value in workload(n, plain.keys):
            for path, times in ((plain, p_times), (encrypted, e_times)):
                t0 = time.perf_counter()
                path.answer(key, value)
                times.append(time.perf_counter() - t0)
    finally:
        plain.close()
        encrypted.close()
    return p_times, e_times, unlock_s


def report_encrypted(n: int) -> None:
    with tempfile.TemporaryDirectory(prefix="inspector-bench-") as tmp:
        plain, enc, unlock_s = measure_encrypted(Path(tmp), n)
    ms = 1000.0
    p_med, e_med = statistics.median(plain) * ms, statistics.median(enc) * ms
    p_p99, e_p99 = percentile(plain, 0.99) * ms, percentile(enc, 0.99) * ms
    print(f"autosave with encryption (SQLCipher), n={n}")
    print(f"  plaintext record_answer: median {p_med:7.3f} ms   p99 {p_p99:7.3f} ms")
    print(f"  encrypted record_answer: median {e_med:7.3f} ms   p99 {e_p99:7.3f} ms")
    print(f"  ratio encrypted/plain  : median {e_med / p_med:6.2f}x     p99 {e_p99 / p_p99:6.2f}x")
    print(f"  unlock (Argon2id) + open: {unlock_s:.3f} s")
    ok = e_med / p_med < 1.5 and unlock_s < 1.0
    print(f"  target (ratio < 1.5x, unlock < 1 s): {'met' if ok else 'MISSED'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="answers to record (default 2000)")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("--n must be at least 1")
    with tempfile.TemporaryDirectory(prefix="inspector-bench-") as tmp:
        services, raw = measure(Path(tmp), args.n)
    ms = 1000.0
    s_med, s_p99 = statistics.median(services) * ms, percentile(services, 0.99) * ms
    r_med, r_p99 = statistics.median(raw) * ms, percentile(raw, 0.99) * ms
    print(f"autosave, n={args.n} answers (same items and values on both paths)")
    print(f"  services.record_answer : median {s_med:7.3f} ms   p99 {s_p99:7.3f} ms")
    print(f"  raw sqlite3 upsert     : median {r_med:7.3f} ms   p99 {r_p99:7.3f} ms")
    print(f"  ratio services/raw     : median {s_med / r_med:6.2f}x     p99 {s_p99 / r_p99:6.2f}x")
    ok = s_med < 2.0 and s_med / r_med < 3.0
    print(f"  target (median < 2 ms and ratio < 3x): {'met' if ok else 'MISSED'}")
    report_encrypted(args.n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
