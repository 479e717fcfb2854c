"""How many single-byte flips of a real database get past opening it.

    .venv/bin/python bench/damaged_files.py [--flips 300] [--seed 287] [--db demo.db]

Setup: the demo database (built here with the demo data, or --db PATH, a closed file).
Each flip: a fresh copy in its own folder with one byte at a random offset XORed with a
random non-zero value. Then, on that copy:
  damaged   : PRAGMA integrity_check on a read-only connection is not "ok" (or fails)
  open      : open_database(copy, daily_backup=False) returns (the check at every open)
  open+daily: open_database(copy) returns, as on the first open of a day (its daily
              backup runs the full integrity check first)
  backup    : after a plain open, db.backup() wrote a copy of a damaged file
A flip in unused bytes (free space in a page, the header's reserved area) can be truly
harmless: "accepted" counts those too, "accepted damaged" only the ones that matter.
The ratio printed is accepted-damaged / damaged (lower is better; 0 is the goal).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from inspector_app.store.database import open_database  # noqa: E402
from inspector_app.store.errors import DatabaseProblem  # noqa: E402


def demo_database(folder: Path) -> Path:
    from inspector_app.services.demo import seed_demo

    path = folder / "demo.db"
    db = open_database(path, user="Dana Whitfield", daily_backup=False)
    seed_demo(db, today=date(2026, 11, 2))
    db.close()
    return path


def integrity_ok(path: Path) -> bool:
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?immutable=1", uri=True)
        con.text_factory = lambda b: b.decode("utf-8", "replace")  # damage garbles text
        try:
            return [r[0] for r in con.execute("PRAGMA integrity_check")] == ["ok"]
        finally:
            con.close()
    except (sqlite3.Error, UnicodeDecodeError):  # a garbled name in SQLite's own message
        return False


def flipped_copy(src: bytes, folder: Path, rng: random.Random) -> Path:
    data = bytearray(src)
    data[rng.randrange(len(data))] ^= rng.randrange(1, 256)
    folder.mkdir()
    path = folder / "copy.db"
    path.write_bytes(bytes(data))
    return path


def try_open(path: Path, *, daily: bool, backup: bool = False) -> tuple[bool, bool, bool]:
    """(opened, backup written, a known one-line problem rather than a traceback)."""
    try:
        db = open_database(path, daily_backup=daily)
    except DatabaseProblem:
        return False, False, True
    except Exception:  # noqa: BLE001  (counted: a traceback for the user)
        return False, False, False
    wrote = False
    try:
        if backup:
            try:
                db.backup()
                wrote = True
            except DatabaseProblem:
                pass
    finally:
        db.close()
    return True, wrote, True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flips", type=int, default=300)
    parser.add_argument("--seed", type=int, default=287)
    parser.add_argument("--db", type=Path, help="a closed demo database (default: build one)")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    counts = dict.fromkeys(
        ("damaged", "open", "open_damaged", "daily", "daily_damaged", "backup_damaged",
         "tracebacks"), 0,
    )  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        src = args.db if args.db else demo_database(work)
        original = src.read_bytes()
        for n in range(args.flips):
            path = flipped_copy(original, work / f"f{n}", rng)
            damaged = not integrity_ok(path)
            again = path.with_name("again.db")
            shutil.copy2(path, again)
            opened, wrote, known = try_open(path, daily=False, backup=True)
            opened_daily, _, known_daily = try_open(again, daily=True)
            counts["damaged"] += damaged
            counts["open"] += opened
            counts["open_damaged"] += opened and damaged
            counts["daily"] += opened_daily
            counts["daily_damaged"] += opened_daily and damaged
            counts["backup_damaged"] += wrote and damaged
            counts["tracebacks"] += (not known) + (not known_daily)
            shutil.rmtree(path.parent)
        truncated = work / "cut" / "copy.db"
        truncated.parent.mkdir()
        truncated.write_bytes(original[:-1])
        cut_opened, _, _ = try_open(truncated, daily=False)
    c, flips = counts, args.flips
    print(f"{flips} single-byte flips of {src.name} ({len(original)} bytes), seed {args.seed}")
    print(f"  integrity_check fails          : {c['damaged']}")
    print(
        f"  accepted at open               : {c['open']} (damaged among them: {c['open_damaged']})"
    )
    print(f"  accepted at first open of a day: {c['daily']} (damaged: {c['daily_damaged']})")
    print(f"  backups written of damaged     : {c['backup_damaged']}")
    print(f"  tracebacks instead of one line : {c['tracebacks']}")
    print(f"  copy cut short by one byte     : {'accepted' if cut_opened else 'refused'}")
    ratio = c["open_damaged"] / c["damaged"] if c["damaged"] else 0.0
    print(f"ratio accepted-damaged/damaged at open: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
