"""An answer is durable when record_answer returns, even if the process is SIGKILLed.

A child records answers and prints each one after the call returns; we kill it at
random moments, reusing the same database file, and check that every printed answer
is in the database with its value, with a change-log entry, and that the file is
intact. The same runs on an encrypted (SQLCipher) database: each writer signs in with
a passphrase file, the checks read the file with the data key, and afterwards no file
under the data folder holds the notes' canary sentence or a plaintext SQLite header.
"""

from __future__ import annotations

import json
import os
import queue
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlcipher3.dbapi2 as sqlcipher  # type: ignore[import-untyped]

from inspector_app.services import agencies as ag
from inspector_app.services import reviews
from inspector_app.services.encryption import encrypt_database
from inspector_app.store import crypto
from inspector_app.store.database import open_database
from tests.reliability.answer_writer import NOTE_CANARY, note_for

WRITER = Path(__file__).with_name("answer_writer.py")
KILLS = 60
TIMEOUT = 30.0
USER, PASS = "Auditor", "durability-pass-1"  # no spaces: the request is split on them

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(os, "fork"), reason="the writer is forked (POSIX only)"),
]


def prepare(path: Path) -> str:
    """A started JEM inspection in a new database; returns the review id."""
    db = open_database(path, user="Test Inspector", daily_backup=False)
    agency = ag.create_agency(db, name="Dunmore County Detention Center", state="NC")
    ag.create_agreement(db, agency_id=agency.id, model="JEM", signed_on="2024-04-01")
    review = reviews.schedule_review(db, agency_id=agency.id, kind="jem_inspection",
                                     planned_start="2026-10-05")  # fmt: skip
    reviews.start_review(db, review.id)
    db.close()
    return review.id


class Server:
    """The fork server's stdout, read on a thread so every wait has a timeout."""

    def __init__(self, cwd: Path):
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(
            [sys.executable, str(WRITER), "--fork-server"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, text=True, env=env, cwd=cwd,
        )  # fmt: skip
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put("EOF")

    def next(self) -> str:
        try:
            line = self.lines.get(timeout=TIMEOUT)
        except queue.Empty:
            raise AssertionError("the writer stopped answering") from None
        assert line != "EOF", "the fork server died"
        return line

    def request(self, *words: str) -> None:
        self.proc.stdin.write(" ".join(words) + "\n")
        self.proc.stdin.flush()

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=TIMEOUT)


def one_run(server: Server, db: Path, review_id: str, seed: int, delay: float,
            key: str | None = None) -> list[tuple]:  # fmt: skip
    """Start a writer, kill it `delay` seconds after READY; return what it printed."""
    server.request("go", str(db), review_id, str(seed), *([key] if key else []))
    pid = None
    printed: list[tuple] = []
    killed = False
    while True:
        line = server.next()
        word, *rest = line.split()
        if word == "PID":
            pid = int(rest[0])
        elif word == "READY":
            assert pid is not None
            time.sleep(delay)
            os.kill(pid, signal.SIGKILL)
            killed = True
        elif word == "ANS":
            printed.append(tuple(rest))
        elif word == "DONE":
            assert int(rest[0]) == pid and killed
            assert int(rest[1]) == -signal.SIGKILL  # it really was killed, not finished
            return printed
        elif word != "ALL":
            raise AssertionError(f"unexpected output from the writer: {line!r}")


def connect(db: Path, data_key: bytes | None) -> sqlite3.Connection:
    """The stdlib's sqlite3 for a plaintext file, sqlcipher3 keyed for an encrypted one."""
    if data_key is None:
        return sqlite3.connect(db)
    con = sqlcipher.connect(str(db))
    con.execute(crypto.sqlcipher_pragma(data_key))
    return con


def stored(db: Path, review_id: str, data_key: bytes | None = None) -> dict[str, tuple[str, str]]:
    con = connect(db, data_key)
    try:
        rows = con.execute(
            "SELECT item_key, value, note FROM checklist_response WHERE review_id = ?",
            (review_id,),
        ).fetchall()
    finally:
        con.close()
    return {key: (value, note) for key, value, note in rows}


def encrypt(db: Path, folder: Path) -> tuple[bytes, str]:
    """Encrypt the prepared database; (data key, the writers' KEY argument)."""
    data_key = encrypt_database(db, name=USER, passphrase=PASS)
    passfile = folder / "passphrase.txt"  # outside the data folder
    passfile.write_text(PASS + "\n", encoding="utf-8")
    return data_key, f"passphrase={USER}:{passfile}"


def kill_repeatedly(tmp_path: Path, db: Path, review_id: str, data_key: bytes | None,
                    key: str | None) -> list[tuple]:  # fmt: skip
    """KILLS writers, each SIGKILLed; every printed answer checked after each kill."""
    rng = random.Random(int(os.environ.get("DURABILITY_SEED", "287")))
    server = Server(tmp_path)
    all_printed: list[tuple] = []
    try:
        assert server.next() == "SERVER"
        for run in range(KILLS):
            printed = one_run(server, db, review_id, seed=run,
                              delay=rng.uniform(0.005, 0.080), key=key)  # fmt: skip
            now = stored(db, review_id, data_key)
            for item_key, value, token in printed:
                assert now.get(item_key) == (value, note_for(token)), f"run {run}: {item_key} lost"
            all_printed.extend(printed)
    finally:
        server.close()
    return all_printed


def check_file_and_logs(db: Path, data_key: bytes | None, all_printed: list[tuple]) -> None:
    """The file is intact; each printed answer has its change-log and audit entries."""
    con = connect(db, data_key)
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        if data_key is not None:
            assert con.execute("PRAGMA cipher_integrity_check").fetchall() == []
        logged = set()
        for (payload,) in con.execute(
            "SELECT payload FROM change_log WHERE table_name = 'checklist_response'"
        ):
            p = json.loads(payload)
            logged.add((p["item_key"], p["value"], p["note"]))
        audits = con.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'record_answer'"
        ).fetchone()[0]
    finally:
        con.close()
    missing = [(k, v, note_for(t)) for k, v, t in all_printed
               if (k, v, note_for(t)) not in logged]  # fmt: skip
    assert missing == []
    # Each answer is one transaction: its change-log and audit entries commit together.
    assert audits == len(logged) >= len(all_printed)


def assert_no_plaintext_under(folder: Path) -> None:
    """No file under the data folder (database, -wal, -shm, journal, backups, temporary
    files) holds a note's canary sentence or a plaintext SQLite header."""
    canaries = [NOTE_CANARY.encode(), b"SQLite format 3"]
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert any(p.suffix == ".db" for p in files)  # the database itself is among them
    for f in files:
        data = f.read_bytes()
        for canary in canaries:
            assert canary not in data, f"{canary[:20]!r} in {f.relative_to(folder)}"


@pytest.mark.parametrize("encrypted", [False, True], ids=["plaintext", "encrypted"])
def test_printed_answers_survive_sigkill(tmp_path: Path, encrypted: bool) -> None:
    folder = tmp_path / "data"
    db = folder / "field.db"
    review_id = prepare(db)
    data_key, key = encrypt(db, tmp_path) if encrypted else (None, None)
    all_printed = kill_repeatedly(tmp_path, db, review_id, data_key, key)

    print(f"{KILLS} kills, {len(all_printed)} printed answers checked")
    # Guard against a test that passes because nothing was written before the kills.
    assert len(all_printed) >= KILLS // 2, f"only {len(all_printed)} answers in {KILLS} runs"
    check_file_and_logs(db, data_key, all_printed)
    # The database opens cleanly (quick_check, key check) after the last kill.
    open_database(db, data_key=data_key, daily_backup=False).close()
    if encrypted:
        assert_no_plaintext_under(folder)
