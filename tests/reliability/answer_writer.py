"""Child program for the SIGKILL durability test: records checklist answers in a loop.

    python answer_writer.py DB REVIEW_ID [SEED [KEY]]   one writer (until killed)
    python answer_writer.py --fork-server               forks one writer per
                                                        "go DB REVIEW SEED [KEY]"

KEY opens an encrypted database: "data-key=FILE" (the data key in hex, first line of
FILE) or "passphrase=NAME:FILE" (signs in as NAME, the passphrase on FILE's first line,
as the CLI's --passphrase-file). Without it the database is opened as plaintext.

A writer opens the database, prints "READY", then records answers through
services.reviews.record_answer and prints "ANS <item_key> <value> <token>" only
AFTER the call has returned. Each line is one write() on an unbuffered pipe, so a
kill leaves whole lines. The token (also stored as the answer's note) makes every
write unique, so the test can find each one in the database and the change log; the
note stored is `note_for(token)`, a sentence the encrypted run looks for, as plaintext,
in every file under the data folder (it must find none).
Within one writer each item is answered at most once, so the last write before the
kill (committed but not yet printed) never hides a printed answer.

The fork server exists because starting Python with these imports takes seconds on
a busy machine; forking a ready process keeps 50+ kills within the time budget. It
never opens the database itself: each forked writer opens it afresh.
"""

from __future__ import annotations

import os
import random
import sys
import time

NOTE_CANARY = "Sally port log checked with Sgt. Inés Carvalho; durability token"


def note_for(token: str) -> str:
    """The note stored with an answer: the canary sentence and the answer's token."""
    return f"{NOTE_CANARY} {token}"


def say(line: str) -> None:
    os.write(1, (line + "\n").encode())


def first_line(path: str) -> str:
    with open(path, encoding="utf-8") as fh:
        return fh.readline().rstrip("\r\n")


def open_for_writing(db_path: str, key: str | None):  # noqa: ANN201  (a Database)
    """Plaintext, or encrypted with a data key or a passphrase file (see the docstring)."""
    from pathlib import Path

    from inspector_app.services import accounts
    from inspector_app.store.database import open_database

    if not key:
        return open_database(db_path, user="Durability Test", daily_backup=False)
    kind, _, where = key.partition("=")
    if kind == "data-key":
        data_key = bytes.fromhex(first_line(where))
        return open_database(db_path, user="Durability Test", daily_backup=False,
                             data_key=data_key)  # fmt: skip
    if kind == "passphrase":
        name, _, file = where.rpartition(":")
        return accounts.sign_in(Path(db_path), name, first_line(file), daily_backup=False)
    raise SystemExit(f"answer_writer: unknown key {key!r} (data-key=FILE or passphrase=NAME:FILE)")


def writer(db_path: str, review_id: str, seed: int, key: str | None = None) -> None:
    from inspector_app.services import reviews

    rng = random.Random(seed)
    db = open_for_writing(db_path, key)
    with db.read() as s:
        from inspector_app.store.models import Review

        form = reviews.form_for(s.get(Review, review_id))
    items = [(i.key, i.valid_values()) for s in form.sections if not s.repeat  # per case file
             for i in s.items if i.valid_values()]  # fmt: skip
    start = rng.randrange(len(items))
    say("READY")
    for n in range(len(items)):
        key, allowed = items[(start + n) % len(items)]
        value = rng.choice(allowed)
        token = f"s{seed}-{n}"
        reviews.record_answer(db, review_id=review_id, item_key=key, value=value,
                              note=note_for(token))  # fmt: skip
        say(f"ANS {key} {value} {token}")
    say("ALL")
    while True:  # every item answered once: wait for the kill
        time.sleep(1)


def fork_server() -> None:
    """Import everything once, then fork a writer for each request on stdin."""
    from inspector_app.services import accounts, forms, reviews  # noqa: F401  (warm imports)

    forms.registry()
    say("SERVER")
    for line in sys.stdin:
        parts = line.split()
        if not parts or parts[0] != "go":
            continue
        _, db_path, review_id, seed, *key = parts
        pid = os.fork()
        if pid == 0:
            try:
                writer(db_path, review_id, int(seed), key[0] if key else None)
            finally:
                os._exit(1)
        say(f"PID {pid}")
        _, status = os.waitpid(pid, 0)
        # Printed after the writer is gone, so all its lines come before this one.
        say(f"DONE {pid} {os.waitstatus_to_exitcode(status)}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--fork-server"]:
        fork_server()
    else:
        args = sys.argv[1:]
        writer(args[0], args[1], int(args[2]) if len(args) > 2 else 0,
               args[3] if len(args) > 3 else None)  # fmt: skip
