"""Child program for the SIGKILL durability test: records checklist answers in a loop.

    python answer_writer.py DB REVIEW_ID [SEED]     one writer (until killed)
    python answer_writer.py --fork-server           forks one writer per "go DB REVIEW SEED"

A writer opens the database, prints "READY", then records answers through
services.reviews.record_answer and prints "ANS <item_key> <value> <token>" only
AFTER the call has returned. Each line is one write() on an unbuffered pipe, so a
kill leaves whole lines. The token (also stored as the answer's note) makes every
write unique, so the test can find each one in the database and the change log.
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


def say(line: str) -> None:
    os.write(1, (line + "\n").encode())


def writer(db_path: str, review_id: str, seed: int) -> None:
    from inspector_app.services import reviews
    from inspector_app.store.database import open_database

    rng = random.Random(seed)
    db = open_database(db_path, user="Durability Test", daily_backup=False)
    with db.read() as s:
        from inspector_app.store.models import Review

        form = reviews.form_for(s.get(Review, review_id))
    items = [(i.key, i.valid_values()) for i in form.items() if i.valid_values()]
    start = rng.randrange(len(items))
    say("READY")
    for n in range(len(items)):
        key, allowed = items[(start + n) % len(items)]
        value = rng.choice(allowed)
        token = f"s{seed}-{n}"
        reviews.record_answer(db, review_id=review_id, item_key=key, value=value, note=token)
        say(f"ANS {key} {value} {token}")
    say("ALL")
    while True:  # every item answered once: wait for the kill
        time.sleep(1)


def fork_server() -> None:
    """Import everything once, then fork a writer for each request on stdin."""
    from inspector_app.services import forms, reviews  # noqa: F401  (warm imports)

    forms.registry()
    say("SERVER")
    for line in sys.stdin:
        parts = line.split()
        if not parts or parts[0] != "go":
            continue
        _, db_path, review_id, seed = parts
        pid = os.fork()
        if pid == 0:
            try:
                writer(db_path, review_id, int(seed))
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
        writer(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 0)
