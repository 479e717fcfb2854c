"""One sync: hello -> enroll (first time) -> files up -> outbox -> pull -> done."""

from __future__ import annotations

import contextlib
import socket
import time
from datetime import UTC, datetime

import httpx

from inspector_app.domain.sync import PROTOCOL, Enrolled, EnrollRequest, Hello, PullResponse
from inspector_app.store.changes import Changes
from inspector_app.store.database import Database

from .. import audit
from ..uow import audit_component
from .apply import PULL_LIMIT, apply_page, download_blob, needed_blobs
from .bundles import public_key
from .client import SyncClient
from .push import missing_on_server, outbox_summary, push_outbox, upload_blob
from .rows import last_seq, pending_count
from .status import conflict_rows, open_conflict_ids
from .types import (
    META_CURSOR,
    META_LAST_SUCCESS,
    META_OFFICE,
    META_ROLE,
    META_SERVER,
    META_TOKEN,
    META_USER,
    CancelledFn,
    ProgressFn,
    SyncError,
    SyncReport,
)
from .types import SyncProgress as P

WRITERS = ("inspector", "supervisor")


class _Run:
    """The state of one sync (counts for the report, the callbacks)."""

    def __init__(self, db: Database, progress: ProgressFn | None) -> None:
        self.db = db
        self.progress = progress or (lambda _p: None)
        self.pushed = self.pulled = self.up = self.down = 0
        self.started = time.monotonic()

    def say(self, phase: str, done: int, total: int | None, message: str) -> None:
        self.progress(P(phase, done, total, message))

    def waiting(self) -> int:
        with self.db.read() as s:
            return pending_count(s.connection())


def _client(db: Database, server: str, token: str, cancelled: CancelledFn | None,
            run: _Run) -> SyncClient:  # fmt: skip
    try:
        return SyncClient(server, token, cancelled=cancelled,
                          unreachable_note=lambda: f"{run.waiting():,} changes still waiting")  # fmt: skip
    except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError) as exc:
        raise SyncError(f"{server!r} is not a server address ({exc}); give e.g. "
                        "https://sync.example.gov") from None  # fmt: skip


def _check_url(server: str) -> str:
    server = server.strip().rstrip("/")
    if not server.startswith(("http://", "https://")):
        raise SyncError(f"{server!r} is not a server address; give e.g. https://sync.example.gov")
    return server


def enroll(db: Database, server: str, token: str, run: _Run,
           cancelled: CancelledFn | None) -> None:  # fmt: skip
    """First sync with a server: trade the one-time enrollment token for a device token."""
    client = _client(db, server, "", cancelled, run)
    try:
        body = EnrollRequest(token=token, device_id=db.device_id,
                             device_name=socket.gethostname()[:200],
                             public_key=public_key(db))  # it signs this laptop's bundles  # fmt: skip
        got = client.post("/v1/enroll", body, Enrolled)
    finally:
        client.close()
    previous = db.get_meta(META_SERVER)
    for key, value in ((META_SERVER, server), (META_TOKEN, got.device_token),
                       (META_USER, got.user), (META_ROLE, got.role),
                       (META_OFFICE, got.field_office)):  # fmt: skip
        db.set_meta(key, value)
    if previous and previous != server:
        db.set_meta(META_CURSOR, "0")  # another server: everything it has is new here
    if not db.get_meta("inspector_name"):
        db.set_meta("inspector_name", got.user)
    db.user = db.user or got.user


def _hello(client: SyncClient) -> None:
    hello = client.get("/v1/hello", Hello)
    if hello.protocol != PROTOCOL:
        raise SyncError(f"{client.server} speaks sync protocol {hello.protocol}, this "
                        f"Inspector {PROTOCOL}; update Inspector or the server")  # fmt: skip
    if hello.upgrade_required:
        raise SyncError(hello.message or f"{client.server} needs a newer Inspector; update it")


def _upload(db: Database, client: SyncClient, run: _Run, hashes: list[str]) -> None:
    missing = missing_on_server(client, hashes)
    for i, sha in enumerate(missing):
        run.say("upload", i, len(missing), f"Uploading file {i + 1:,} of {len(missing):,}")
        upload_blob(db, client, sha)
        run.up += 1


def _push(db: Database, client: SyncClient, run: _Run, up_to: int, office: str | None,
          total: int) -> None:  # fmt: skip
    run.say("push", 0, total, f"Pushing {total:,} changes")

    def batch_done(done: int) -> None:
        run.pushed = done
        run.say("push", done, total, f"Pushed {done:,} of {total:,} changes")

    push_outbox(db, client, up_to, office, batch_done)


def _pull(db: Database, client: SyncClient, run: _Run) -> None:
    cursor = int(db.get_meta(META_CURSOR, "0") or 0)
    while True:
        run.say("pull", run.pulled, None, f"Pulling changes ({run.pulled:,} so far)")
        page = client.get("/v1/pull", PullResponse, params={"after": cursor, "limit": PULL_LIMIT})
        blobs = needed_blobs(db, page)
        for i, sha in enumerate(blobs):
            run.say("download", i, len(blobs), f"Downloading file {i + 1:,} of {len(blobs):,}")
            client.check_cancelled()
            download_blob(db, client, sha)
            run.down += 1
        run.pulled += apply_page(db, page)
        cursor = page.cursor
        if not page.more:
            return


def _exchange(db: Database, client: SyncClient, run: _Run) -> None:
    run.say("connect", 0, None, f"Connecting to {client.server}")
    _hello(client)
    role = db.get_meta(META_ROLE)
    if role == "admin":
        raise SyncError("an admin account manages the server and does not sync data; "
                        "enroll this laptop with an inspector's token")  # fmt: skip
    if role in WRITERS:
        office = (db.get_meta(META_OFFICE) or "").upper() or None
        with db.read() as s:
            up_to = last_seq(s.connection())
        total, hashes = outbox_summary(db, up_to, office)
        _upload(db, client, run, hashes)
        _push(db, client, run, up_to, office, total)
        _send_audit_head(db, client)
    _pull(db, client, run)


def _send_audit_head(db: Database, client: SyncClient) -> None:
    """The audit chain head, after the push: the server refuses (409, one line) a head
    that contradicts one this laptop reported before (docs/security.md)."""
    head = audit.head_report(db)
    client.post("/v1/audit-heads", head, audit.HeadAnswer)
    audit.remember_synced_head(db, (head.entry_id, head.hash))


def sync(
    db: Database, *, server: str | None = None, token: str | None = None,
    progress: ProgressFn | None = None, cancelled: CancelledFn | None = None,
) -> SyncReport:  # fmt: skip
    """Send the outbox and bring back what others changed (docs/sync.md)."""
    run = _Run(db, progress)
    known = db.get_meta(META_SERVER)
    target = _check_url(server) if server else known
    if not target:
        raise SyncError("this laptop has never synced: give --server URL and --token TOKEN "
                        "(the enrollment token from your administrator)")  # fmt: skip
    if token:
        enroll(db, target, token, run, cancelled)
    elif target != known:
        raise SyncError(f"this laptop is enrolled with {known}, not {target}; give --token "
                        "to enroll with the new server")  # fmt: skip
    before = open_conflict_ids(db)
    client = _client(db, target, db.get_meta(META_TOKEN), cancelled, run)
    try:
        with audit_component("sync"):
            _exchange(db, client, run)
    finally:
        client.close()
        if run.pulled or run.pushed:
            with contextlib.suppress(Exception):
                db.notify(Changes.bulk("sync"))
    db.set_meta(META_LAST_SUCCESS, datetime.now(UTC).isoformat())
    new = [c for c in conflict_rows(db) if c.id not in before]
    held_back = run.waiting() if db.get_meta(META_ROLE) in WRITERS else 0
    return SyncReport(server=target, pushed=run.pushed, pulled=run.pulled, blobs_up=run.up,
                      blobs_down=run.down, new_conflicts=new,
                      seconds=round(time.monotonic() - run.started, 3),
                      held_back=held_back)  # fmt: skip
