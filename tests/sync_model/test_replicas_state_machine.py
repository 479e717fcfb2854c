"""A model-based test of sync: three laptops (three database files) and one real
`serve` process, talking through the real HTTP stack, driven by a hypothesis
RuleBasedStateMachine.

Rules: answer an item, write an item's note, raise a finding, edit a finding's
description, delete a finding, restore a deleted finding, resolve an open conflict
(keep server or client) (each on a random replica, through the services the UI uses),
sync a replica, sync all three, sync a replica whose connection is cut after the server
answered its Nth request (the request was processed, its answer lost: once, or for the
rest of the sync; an httpx transport handed to the laptop's own SyncClient), and
SIGKILL the server right after it answered a sync's Nth request, then start it again
(in about one example in four: a restart costs ~1.7 s).

The server runs once per back end (module fixture); each example is its own field
office (three inspectors enrolled through the admin API, the office, an agency and a
started review made on replica 0 and synced to the others), so examples do not see
each other's rows.

At the end of every example each replica syncs three times (round robin), then:
- convergence: the three replicas hold the same rows (every content column of every
  field_office, agency, review, checklist_response, finding and sync_conflict row), and
  those are the server's rows of the office (read from the server's database);
- no two checklist_response rows share (review_id, item_key), on any replica or the
  server;
- nothing is lost: every note and finding description ever written (unique values
  "v17") is the current value of the field it was written to, or appears in a
  sync_conflict row (server_value or client_value), or was superseded: a replica
  changed the field while its local value was that one (it had seen it).

`pytest -s` prints, per back end, the duration and counts (values current / in a
conflict / superseded, cut syncs, examples with conflicts, examples where two live
findings of one review share a number: not asserted, reported to the lead).
SYNC_MODEL_EXAMPLES=N overrides the example counts for a quick run.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)
from pydantic_core import to_jsonable_python
from sqlalchemy import select

from inspector_app.domain.sync import SYNC_FIELDS
from inspector_app.server.storage import make_engine, read_tx
from inspector_app.server.storage import rows as server_rows
from inspector_app.services import agencies, findings, reviews
from inspector_app.services.sync import SyncError, open_conflicts, resolve_conflict, sync
from inspector_app.services.sync import client as sync_client
from inspector_app.services.sync import run as sync_run
from inspector_app.services.sync.rows import column_value, table_of
from inspector_app.store.database import Database, open_database
from tests.serverfixtures import ServerProc, running_server

pytestmark = pytest.mark.slow

TABLES = (
    "field_office",
    "agency",
    "agreement",
    "review",
    "checklist_response",
    "finding",
    "sync_conflict",
)
REPLICAS = 3
ITEMS = 2  # items of the review's checklist the rules touch
MAX_RESTARTS = 1  # per example: a restart costs about a second
EXAMPLES = {
    "sqlite": 150,
    "postgresql": 40,
}  # sqlite 200 -> 150: .ci/run now also builds the bundle
if os.environ.get("SYNC_MODEL_EXAMPLES"):  # a quick run while working on this file
    EXAMPLES = dict.fromkeys(EXAMPLES, int(os.environ["SYNC_MODEL_EXAMPLES"]))
STEPS = 10


# --- the server, once per back end ---------------------------------------------------------


@dataclass
class World:
    server: ServerProc
    admin: httpx.Client  # with an admin's device token
    template: Path  # an empty laptop database, copied for every replica
    work: Path
    offices: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    stats: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    engine: Any = None  # the server's database, read directly by the final check

    def add_inspector(self, name: str, office: str) -> str:
        answer = self.admin.post(
            "/v1/users", json={"name": name, "role": "inspector", "field_office": office}
        )
        assert answer.status_code == 200, answer.text
        return str(answer.json()["enrollment_token"])

    def count(self, what: str) -> None:
        self.stats[what] = self.stats.get(what, 0) + 1

    @contextlib.contextmanager
    def timed(self, what: str) -> Iterator[None]:
        started = time.monotonic()
        try:
            yield
        finally:
            self.seconds[what] = self.seconds.get(what, 0.0) + time.monotonic() - started


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    work = _fast_folder(tmp_path_factory, f"replicas-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{work / 'server.db'}"
    else:
        url = request.getfixturevalue("pg_server").new_database()
    template = work / "template.db"
    open_database(template, daily_backup=False).close()
    with (
        pytest.MonkeyPatch.context() as mp,
        running_server(url, work) as server,
        httpx.Client(base_url=server.url, timeout=30) as admin,
    ):
        mp.setattr(sync_client, "BACKOFF", (0.0, 0.0, 0.0))  # retries without sleeping
        mp.setattr(sync_run, "SyncClient", _plain_http_client)
        token = server.add_user("root", "admin")
        enrolled = admin.post("/v1/enroll", json={"token": token, "device_id": "admin-device"})
        assert enrolled.status_code == 200, enrolled.text
        admin.headers["Authorization"] = f"Bearer {enrolled.json()['device_token']}"
        yield World(server, admin, template, work)
    if work.parent == SHM:
        shutil.rmtree(work, ignore_errors=True)


SHM = Path("/dev/shm")


def _fast_folder(factory: pytest.TempPathFactory, name: str) -> Path:
    """A folder in memory when the system has one: a laptop commits with fsync
    (synchronous=FULL) and every sync writes a few times; on a disk that is most of an
    example's time. A SIGKILLed process loses nothing the page cache holds either way."""
    if SHM.is_dir() and os.access(SHM, os.W_OK):
        return Path(tempfile.mkdtemp(prefix=f"inspector-{name}-", dir=SHM))
    return factory.mktemp(name)


REAL_CLIENT = sync_run.SyncClient


def _plain_http_client(*args: Any, **kwargs: Any) -> sync_client.SyncClient:
    """The laptop's own SyncClient over a plain HTTP transport: the server is
    http://127.0.0.1, so the default transport's TLS context (certificates loaded on
    every sync, ~30 ms) is never used."""
    kwargs.setdefault("transport", httpx.HTTPTransport(verify=False))
    return REAL_CLIENT(*args, **kwargs)


# --- a connection that breaks after the server answered ------------------------------------


class CutTransport(httpx.BaseTransport):
    """Passes requests to the real transport; the answer to request number `at` (from 1)
    is read and then lost (httpx.ReadError): the server did the work, the laptop never
    hears of it. `down`: every later request fails to connect; else only that one fails.
    `on_cut` runs when the answer is lost (e.g. SIGKILL the server)."""

    def __init__(self, at: int, down: bool, on_cut: Callable[[], None] = lambda: None) -> None:
        self.inner = httpx.HTTPTransport(verify=False)
        self.at, self.down, self.on_cut = at, down, on_cut
        self.sent = 0
        self.cut = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.cut and self.down:
            raise httpx.ConnectError("connection refused (cut)", request=request)
        self.sent += 1
        response = self.inner.handle_request(request)
        if self.sent != self.at:
            return response
        response.read()
        response.close()
        self.cut = True
        self.on_cut()
        raise httpx.ReadError("connection reset after the server answered", request=request)

    def close(self) -> None:
        self.inner.close()


@contextlib.contextmanager
def cut_connection(transport: CutTransport) -> Iterator[None]:
    """sync() builds its SyncClient in run.py: hand it our transport (no code edited)."""
    real = sync_run.SyncClient

    def client(*args: Any, **kwargs: Any) -> sync_client.SyncClient:
        return REAL_CLIENT(*args, transport=transport, sleep=lambda _s: None, **kwargs)

    sync_run.SyncClient = client  # type: ignore[misc,assignment]
    try:
        yield
    finally:
        sync_run.SyncClient = real  # type: ignore[misc]


# --- reading rows -------------------------------------------------------------------------------


def _norm(table: str, name: str, value: Any) -> Any:
    """A column value comparable between a laptop and the server's JSON."""
    value = column_value(table_of(table), name, value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return to_jsonable_python(value)


def _content(table: str, row: dict[str, Any]) -> dict[str, Any]:
    columns = table_of(table).c
    return {k: _norm(table, k, v) for k, v in row.items() if k in columns and k not in SYNC_FIELDS}


def laptop_rows(db: Database) -> dict[str, dict[str, dict[str, Any]]]:
    out: dict[str, dict[str, dict[str, Any]]] = {}
    with db.read() as s:
        conn = s.connection()
        for table in TABLES:
            t = table_of(table)
            out[table] = {
                str(r["id"]): _content(table, dict(r)) for r in conn.execute(select(t)).mappings()
            }
    return out


def strings_in(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(strings_in(v) for v in [*value.keys(), *value.values()]))
    if isinstance(value, (list, tuple)):
        return set().union(*(strings_in(v) for v in value))
    return set()


# --- the machine ----------------------------------------------------------------------------------


class Replicas(RuleBasedStateMachine):
    world: World  # set on the subclass a test makes

    def __init__(self) -> None:
        super().__init__()
        self.dbs: list[Database] = []
        self.restarts = 0
        self.values = itertools.count(1)
        self.written: dict[str, tuple[str, str]] = {}  # value -> (kind, item key / finding id)
        self.superseded: set[str] = set()
        self.step_failed = False
        self.cuts: list[str] = []

    # -- set-up: a fresh office, three laptops, one started review everywhere --

    @initialize(may_crash=st.sampled_from([True, False, False, False]))
    def set_up(self, may_crash: bool) -> None:
        # a restart costs ~1.7 s (a new Python process): about one example in four may
        self.restarts = 0 if may_crash else MAX_RESTARTS
        with self.world.timed("set-up"):
            self._step(self._set_up)

    def _set_up(self) -> None:
        w = self.world
        n = next(w.offices)
        self.office = f"M{n}"
        folder = w.work / self.office
        folder.mkdir()
        for i in range(REPLICAS):
            path = folder / f"laptop{i}.db"
            shutil.copy2(w.template, path)
            with contextlib.closing(sqlite3.connect(path)) as conn, conn:
                conn.execute("UPDATE meta SET value=? WHERE key='device_id'", (uuid.uuid4().hex,))
            self.dbs.append(open_database(path, user=f"insp{i}", daily_backup=False))
        tokens = [w.add_inspector(f"{self.office}-i{i}", self.office) for i in range(REPLICAS)]
        db0 = self.dbs[0]
        office = agencies.create_field_office(db0, name=f"Office {n}", code=self.office)
        agency = agencies.create_agency(db0, name=f"Agency {n}", state="GA",
                                        field_office_id=office.id)  # fmt: skip
        agencies.create_agreement(db0, agency_id=agency.id, model="JEM", signed_on="2023-05-17")
        review = reviews.schedule_review(db0, agency_id=agency.id, kind="jem_inspection")
        self.review_id = reviews.start_review(db0, review.id).id
        form = reviews.form_for(reviews_review(db0, self.review_id))
        self.items = [
            i.key for i in form.items()
            if not any(i.validate_value(v) for v in ("yes", "no", "na"))
        ][:ITEMS]  # fmt: skip
        assert len(self.items) == ITEMS
        for db, token in zip(self.dbs, tokens, strict=True):
            sync(db, server=w.server.url, token=token)

    def teardown(self) -> None:
        try:
            if self.dbs and not self.step_failed:
                with self.world.timed("final"):
                    self.final_check()
        finally:
            for db in self.dbs:
                db.close()
            if self.dbs:
                shutil.rmtree(self.dbs[0].path.parent, ignore_errors=True)

    def _step(self, fn: Callable[[], None]) -> None:
        self.step_failed = True
        fn()
        self.step_failed = False

    # -- helpers --

    def _value(self, kind: str, target: str) -> str:
        value = f"v{next(self.values)}"
        self.written[value] = (kind, target)
        return value

    def _supersede(self, old: Any) -> None:
        if isinstance(old, str) and old in self.written:
            self.superseded.add(old)

    def _note_of(self, db: Database, item: str) -> Any:
        t = table_of("checklist_response")
        with db.read() as s:
            found = (
                s.connection()
                .execute(
                    select(t.c.note).where(t.c.review_id == self.review_id, t.c.item_key == item)
                )
                .first()
            )
        return None if found is None else found[0]

    def _findings(self, db: Database) -> list[tuple[str, str]]:
        """The replica's live findings: (id, description), in id order."""
        t = table_of("finding")
        with db.read() as s:
            found = (
                s.connection()
                .execute(
                    select(t.c.id, t.c.description)
                    .where(t.c.review_id == self.review_id, t.c.deleted == False)  # noqa: E712
                    .order_by(t.c.id)
                )
                .all()
            )
        return [(str(r[0]), str(r[1])) for r in found]

    # -- rules: edits --

    @rule(r=st.integers(0, REPLICAS - 1), item=st.integers(0, ITEMS - 1),
          value=st.sampled_from(["yes", "no", "na"]))  # fmt: skip
    def answer(self, r: int, item: int, value: str) -> None:
        self._step(lambda: reviews.record_answer(
            self.dbs[r], review_id=self.review_id, item_key=self.items[item], value=value))  # fmt: skip

    @rule(r=st.integers(0, REPLICAS - 1), item=st.integers(0, ITEMS - 1))
    def write_note(self, r: int, item: int) -> None:
        def go() -> None:
            key = self.items[item]
            self._supersede(self._note_of(self.dbs[r], key))
            note = self._value("note", key)
            reviews.set_note(self.dbs[r], review_id=self.review_id, item_key=key, note=note)

        self._step(go)

    @rule(r=st.integers(0, REPLICAS - 1))
    def raise_finding(self, r: int) -> None:
        def go() -> None:
            value = f"v{next(self.values)}"
            made = findings.add_finding(self.dbs[r], review_id=self.review_id, kind="deficiency",
                                        topic="training", description=value)  # fmt: skip
            self.written[value] = ("description", made.id)

        self._step(go)

    @rule(r=st.integers(0, REPLICAS - 1), pick=st.integers(0, 7))
    def edit_finding(self, r: int, pick: int) -> None:
        def go() -> None:
            live = self._findings(self.dbs[r])
            if not live:
                return
            finding_id, old = live[pick % len(live)]
            self._supersede(old)
            new = self._value("description", finding_id)
            findings.update_finding(self.dbs[r], finding_id, description=new)

        self._step(go)

    @rule(r=st.integers(0, REPLICAS - 1), pick=st.integers(0, 7))
    def delete_finding(self, r: int, pick: int) -> None:
        def go() -> None:
            live = self._findings(self.dbs[r])
            if live:
                findings.remove_finding(self.dbs[r], live[pick % len(live)][0])

        self._step(go)

    @rule(r=st.integers(0, REPLICAS - 1), pick=st.integers(0, 7))
    def restore_finding(self, r: int, pick: int) -> None:
        def go() -> None:
            t = table_of("finding")
            with self.dbs[r].read() as s:
                gone = s.connection().execute(
                    select(t.c.id).where(t.c.review_id == self.review_id, t.c.deleted == True)  # noqa: E712
                    .order_by(t.c.id)
                ).scalars().all()  # fmt: skip
            if gone:
                findings.restore_finding(self.dbs[r], str(gone[pick % len(gone)]))

        self._step(go)

    @rule(r=st.integers(0, REPLICAS - 1), pick=st.integers(0, 7),
          keep=st.sampled_from(["server", "client"]))  # fmt: skip
    def resolve_a_conflict(self, r: int, pick: int, keep: str) -> None:
        """Settle one of the replica's open conflicts; the value it replaces was seen."""

        def go() -> None:
            db = self.dbs[r]
            found = sorted(open_conflicts(db), key=lambda c: c.id)
            if not found:
                return
            c = found[pick % len(found)]
            if c.table == "checklist_response":
                t = table_of(c.table)
                with db.read() as s:
                    item = s.connection().execute(
                        select(t.c.item_key).where(t.c.id == c.row_id)).scalar()  # fmt: skip
                self._supersede(self._note_of(db, str(item)))
            elif c.table == "finding":
                self._supersede(dict(self._findings(db, live=False)).get(c.row_id))
            resolve_conflict(db, c.id, keep, c.rev)  # type: ignore[arg-type]
            self.world.count(f"resolved: keep {keep}")

        self._step(go)

    # -- rules: syncs, cut connections, crashes --

    @rule(r=st.integers(0, REPLICAS - 1))
    def sync_replica(self, r: int) -> None:
        self._step(lambda: self._sync(r))

    @rule()
    def sync_everyone(self) -> None:
        def go() -> None:
            for r in range(REPLICAS):
                self._sync(r)

        self._step(go)

    def _sync(self, r: int) -> None:
        try:
            sync(self.dbs[r])
        except SyncError as exc:
            raise AssertionError(f"replica {r}: a plain sync failed: {exc}") from exc

    @rule(r=st.integers(0, REPLICAS - 1), at=st.integers(1, 3), down=st.booleans())
    def sync_with_cut_connection(self, r: int, at: int, down: bool) -> None:
        """Request `at` (hello, push..., pull...) is processed, its answer lost."""

        def go() -> None:
            transport = CutTransport(at, down)
            self._cut_sync(r, transport)

        self._step(go)

    def _cut_sync(self, r: int, transport: CutTransport) -> None:
        try:
            with cut_connection(transport):
                sync(self.dbs[r])
        except SyncError as exc:
            assert transport.cut and "server unreachable" in str(exc), str(exc)
            self.world.count("cut: sync failed")
        else:
            self.world.count("cut: sync done" if transport.cut else "cut: after the end")

    @precondition(lambda self: self.restarts < MAX_RESTARTS)
    @rule(r=st.integers(0, REPLICAS - 1), at=st.integers(1, 3))
    def kill_server_during_sync(self, r: int, at: int) -> None:
        """SIGKILL the server right after it answered the sync's request `at`, then start
        it again (when the sync had fewer requests, the kill comes after it)."""

        def go() -> None:
            self.restarts += 1
            server = self.world.server
            transport = CutTransport(at, down=True, on_cut=server.kill)
            self._cut_sync(r, transport)
            with self.world.timed("restart"):
                server.restart()

        self._step(go)

    # -- the end of an example --

    def final_check(self) -> None:
        for _round in range(3):
            for r in range(REPLICAS):
                self._sync(r)
        on_laptops = [laptop_rows(db) for db in self.dbs]
        server = self.server_rows()
        for r in range(1, REPLICAS):
            for table in TABLES:
                assert on_laptops[r][table] == on_laptops[0][table], (
                    f"replica {r} and replica 0 differ in {table}: "
                    + _diff(on_laptops[0][table], on_laptops[r][table])
                )
        for table in TABLES:
            assert on_laptops[0][table] == server[table], (
                f"replica 0 and the server differ in {table}: "
                + _diff(server[table], on_laptops[0][table])
            )
        for where, rows in [("server", server), *((f"replica {i}", x) for i, x in
                                                   enumerate(on_laptops))]:  # fmt: skip
            keys = [(a["review_id"], a["item_key"]) for a in rows["checklist_response"].values()]
            assert len(keys) == len(set(keys)), f"{where}: duplicate checklist rows {sorted(keys)}"
        if server["sync_conflict"]:
            self.world.count("examples with conflicts")
        numbers = [f["number"] for f in server["finding"].values() if not f["deleted"]]
        if len(numbers) != len(set(numbers)):
            self.world.count("examples with two live findings of one number")  # see report
        self.check_nothing_lost(server)

    def check_nothing_lost(self, server: dict[str, dict[str, dict[str, Any]]]) -> None:
        notes = {a["item_key"]: a["note"] for a in server["checklist_response"].values()}
        descriptions = {i: f["description"] for i, f in server["finding"].items()}
        in_conflicts: set[str] = set()
        for c in server["sync_conflict"].values():
            in_conflicts |= strings_in(c["server_value"]) | strings_in(c["client_value"])
        lost = []
        for value, (kind, target) in self.written.items():
            current = notes.get(target) if kind == "note" else descriptions.get(target)
            if value == current:
                self.world.count("value: current")
            elif value in in_conflicts:
                self.world.count("value: in a conflict")
            elif value in self.superseded:
                self.world.count("value: superseded")
            else:
                lost.append(f"{value} ({kind} of {target[:8] if kind != 'note' else target}; "
                            f"now {current!r})")  # fmt: skip
        assert not lost, f"values lost: {lost}; conflicts: {list(server['sync_conflict'].values())}"

    def server_rows(self) -> dict[str, dict[str, dict[str, Any]]]:
        out: dict[str, dict[str, dict[str, Any]]] = {t: {} for t in TABLES}
        engine = self.world.engine
        query = select(server_rows).where(server_rows.c.office == self.office)
        with read_tx(engine) as conn:
            for row in conn.execute(query):
                if row.table_name in out:
                    out[row.table_name][row.row_id] = _content(row.table_name, dict(row.fields))
        return out


def reviews_review(db: Database, review_id: str) -> Any:
    from inspector_app.store.models import Review

    with db.read() as s:
        found = s.get(Review, review_id)
        assert found is not None
        return found


def _diff(expected: dict[str, dict[str, Any]], got: dict[str, dict[str, Any]]) -> str:
    lines = []
    for row_id in sorted(set(expected) | set(got)):
        a, b = expected.get(row_id), got.get(row_id)
        if a == b:
            continue
        if a is None or b is None:
            lines.append(f"{row_id[:8]}: only on {'the other' if a is None else 'the first'}")
            continue
        cols = {k: (a.get(k), b.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k)}
        lines.append(f"{row_id[:8]}: {cols}")
    return "; ".join(lines)


# --- the tests -----------------------------------------------------------------------------------


def test_three_replicas_converge_and_lose_nothing(world: World, request) -> None:
    backend = request.node.callspec.params["world"]
    world.engine = make_engine(world.server.db_url)
    machine = type("ReplicasOn" + backend.title(), (Replicas,), {"world": world})
    started = time.monotonic()
    try:
        run_state_machine_as_test(
            machine,
            settings=settings(
                max_examples=EXAMPLES[backend],
                stateful_step_count=STEPS,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                database=None,
            ),
        )
    finally:
        world.engine.dispose()
        print(f"\n{backend}: {EXAMPLES[backend]} examples in {time.monotonic() - started:.1f} s;"
              f" {world.stats}; seconds: { {k: round(v, 1) for k, v in world.seconds.items()} }")  # fmt: skip
