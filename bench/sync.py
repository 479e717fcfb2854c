"""Sync push through the real stack, against a bare endpoint fed the same bytes.

    .venv/bin/python bench/sync.py [--reviews 200] [--answers 300] [--findings 10]
                                   [--photos 2] [--backends sqlite,postgresql]
                                   [--runs 5] [--quick] [--profile DIR]

Setup: a laptop database with --reviews reviews of one agency in one field office
(ATL), each scheduled and started through services.reviews, then filled in one unit of
work per review (services/uow.py: save_keyed for the answers, as record_answer writes
them; save for the findings and the photos): --answers answers, --findings findings and
--photos distinct photos (noise JPEGs made with Pillow, 30-60 KB). Every row is in the
change log exactly as the app writes it. The file is copied for each back end.

Per back end (a SQLite file; PostgreSQL 15 in a throwaway cluster, as
tests/serverfixtures.py starts it):
  figure   : services.sync.sync() against `python -m inspector_app serve` (subprocess,
             127.0.0.1), the push phase timed by the sync's progress callback: from
             "connect" to the first "pull" (hello, blob offer and uploads, outbox batches
             and their results kept locally). The client's transport records the bodies
             it POSTs to /v1/push and the blob bytes it PUTs.
  baseline : the same bytes POSTed/PUT with httpx to bench/sync_baseline.py (a bare
             FastAPI app, subprocess, same back end): json.loads + ONE executemany of
             one row per change into a plain table, one insert per blob - same run.
  Target: ratio under 3x.
Then: a no-op sync (nothing new either way; median of --runs, target under 100 ms),
and a full pull of everything into an empty laptop database (time, rows/s).

--quick: 5 small reviews, 3 no-op runs (the smoke run of tests/integration/test_benches.py).
--profile DIR: one more push per back end with the server under pyinstrument
(bench/sync_profile_server.py) and the client under pyinstrument in this process;
then a full pull into an empty laptop, also profiled. Text profiles and pyinstrument
sessions are written to DIR (`python -m pyinstrument --load DIR/FILE.pyisession -r html`).
Machines here are shared and noisy: compare ratios between runs, not absolute times.
Benchmarks never touch the real data folder: INSPECTOR_DATA_DIR is a temporary folder,
removed at the end with the PostgreSQL cluster (also on Ctrl-C).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
TMP = Path(tempfile.mkdtemp(prefix="inspector-bench-sync-"))
os.environ["INSPECTOR_DATA_DIR"] = str(TMP / "data")  # never the user's data folder
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from inspector_app.domain.enums import FindingKind  # noqa: E402
from inspector_app.services import agencies, reviews  # noqa: E402
from inspector_app.services.sync import SyncProgress, SyncReport, sync  # noqa: E402
from inspector_app.services.sync import run as sync_run  # noqa: E402
from inspector_app.services.sync.rows import pending_count  # noqa: E402
from inspector_app.services.uow import unit_of_work  # noqa: E402
from inspector_app.store.database import Database, open_database  # noqa: E402
from inspector_app.store.files import put_blob  # noqa: E402
from inspector_app.store.models import Attachment, ChecklistResponse, Finding, utcnow  # noqa: E402
from tests.serverfixtures import PG_BIN, PgCluster, free_port, run_cli  # noqa: E402

OFFICE = "ATL"
START_TIMEOUT = 30.0


# --- the laptop database -----------------------------------------------------------------


def photo(n: int) -> bytes:
    """A distinct JPEG of 30-60 KB (upscaled noise does not compress)."""
    from PIL import Image

    rng = random.Random(n)
    w, h = 112 + 16 * (n % 4), 84 + 12 * (n % 4)
    img = Image.frombytes("RGB", (w, h), rng.randbytes(w * h * 3)).resize((w * 2, h * 2))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=88)
    return buf.getvalue()


@dataclass
class Laptop:
    path: Path
    entries: int
    photos: int
    photo_bytes: int


def build_laptop(path: Path, n_reviews: int, n_answers: int, n_findings: int,
                 n_photos: int) -> Laptop:  # fmt: skip
    db = open_database(path, user="Bench Inspector", daily_backup=False)
    office = agencies.create_field_office(db, name="Atlanta", code=OFFICE, state="GA")
    agency = agencies.create_agency(db, name="Bench County Sheriff's Office", state="GA",
                                    field_office_id=office.id)  # fmt: skip
    agencies.create_agreement(db, agency_id=agency.id, model="JEM", signed_on=date(2024, 1, 1))
    keys = [f"s{i // 30}.item_{i:03d}" for i in range(n_answers)]
    made = size = 0
    for r in range(n_reviews):
        review = reviews.schedule_review(db, agency_id=agency.id, kind="jem_inspection",
                                         planned_start=date(2025, 1, 1) + timedelta(days=r))  # fmt: skip
        review = reviews.start_review(db, review.id)
        with unit_of_work(db, "bench_fill_review") as uow:
            for i, key in enumerate(keys):
                uow.save_keyed(
                    ChecklistResponse, {"review_id": review.id, "item_key": key},
                    {"value": ("no", "yes", "yes", "na")[i % 4], "answered_by": uow.user,
                     "answered_at": utcnow(), "deleted": False,
                     **({"note": f"Seen on site, item {i + 1}."} if i % 3 == 0 else {})},
                    review_id=review.id, previous=None,
                )  # fmt: skip
            for n in range(n_findings):
                finding = Finding(
                    review_id=review.id, number=n + 1, kind=FindingKind.DEFICIENCY,
                    topic="training", item_key=keys[(n * 7) % len(keys)] if keys else None,
                    citation=f"287(g) JEM MOA, clause {n + 1}",
                    description=f"Finding {n + 1} of review {r + 1}: the requirement was not met.",
                )  # fmt: skip
                uow.save(finding, review_id=review.id)
            for k in range(n_photos):
                data = photo(made)
                made, size = made + 1, size + len(data)
                attachment = Attachment(
                    sha256=put_blob(db.attachments_dir, data), filename=f"photo-{r + 1}-{k + 1}.jpg",
                    size=len(data), mime_type="image/jpeg", review_id=review.id,
                    item_key=keys[k] if keys else None,
                )  # fmt: skip
                uow.save(attachment, review_id=review.id)
    with db.read() as s:
        entries = pending_count(s.connection())
    db.close()
    return Laptop(path, entries, made, size)


def copy_laptop(laptop: Laptop, dest: Path) -> Path:
    """A copy of the (closed) laptop file and its attachments folder."""
    dest.mkdir(parents=True, exist_ok=True)
    for f in laptop.path.parent.glob(laptop.path.name + "*"):
        shutil.copy2(f, dest / f.name)
    files = laptop.path.parent / f"{laptop.path.stem}-files"
    shutil.copytree(files, dest / files.name)
    return dest / laptop.path.name


# --- processes --------------------------------------------------------------------------


class Service:
    """A subprocess answering HTTP on 127.0.0.1 (the service, the baseline, ...)."""

    def __init__(self, cmd: list[str], port: int, ready_path: str, log: Path) -> None:
        self.cmd, self.port, self.ready_path, self.log = cmd, port, ready_path, log
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Service:
        env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(self.cmd, stdout=out, stderr=subprocess.STDOUT,
                                         env=env, cwd=ROOT)  # fmt: skip
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.cmd[1:3]} exited: {self.log.read_text()[-2000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.url + self.ready_path, timeout=1.0).status_code == 200:
                    return self
            time.sleep(0.1)
        self.__exit__()
        raise RuntimeError(f"{self.cmd[1:3]} did not answer: {self.log.read_text()[-2000:]}")

    def __exit__(self, *_exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # a profiled server writes its profile
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def serve(db_url: str, log: Path) -> Service:
    port = free_port()
    cmd = [sys.executable, "-m", "inspector_app", "serve", "--db", db_url,
           "--host", "127.0.0.1", "--port", str(port)]  # fmt: skip
    return Service(cmd, port, "/v1/hello", log)


def add_user(db_url: str, name: str) -> str:
    done = run_cli("server", "user", "add", name, "--role", "inspector",
                   "--field-office", OFFICE, "--db", db_url)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"server user add failed: {done.stderr.strip()}")
    return done.stdout.strip().splitlines()[-1]


# --- the client, recorded ----------------------------------------------------------------


@dataclass
class Recorded:
    pushes: list[bytes] = field(default_factory=list)  # bodies POSTed to /v1/push
    blobs: list[tuple[str, bytes]] = field(default_factory=list)  # PUT /v1/blobs/{sha}


class _Recorder(httpx.BaseTransport):
    """The client's transport, noting the push bodies and blob bytes it sends."""

    def __init__(self, log: Recorded) -> None:
        self.inner, self.log = httpx.HTTPTransport(), log

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "POST" and path == "/v1/push":
            self.log.pushes.append(request.content)
        elif request.method == "PUT" and path.startswith("/v1/blobs/"):
            self.log.blobs.append((path.rsplit("/", 1)[1], request.content))
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


@contextlib.contextmanager
def recording(log: Recorded) -> Iterator[None]:
    original = sync_run.SyncClient

    class RecordingClient(original):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["transport"] = _Recorder(log)
            super().__init__(*args, **kwargs)

    sync_run.SyncClient = RecordingClient  # type: ignore[misc]
    try:
        yield
    finally:
        sync_run.SyncClient = original  # type: ignore[misc]


class Phases:
    """The first moment each phase of a sync was reported."""

    def __init__(self) -> None:
        self.first: dict[str, float] = {}

    def __call__(self, p: SyncProgress) -> None:
        self.first.setdefault(p.phase, time.perf_counter())


@dataclass
class Timed:
    report: SyncReport
    phases: Phases
    end: float

    def span(self, a: str, b: str | None) -> float:
        return (self.end if b is None else self.phases.first[b]) - self.phases.first[a]


def timed_sync(db: Database, **kwargs: Any) -> Timed:
    phases = Phases()
    report = sync(db, progress=phases, **kwargs)
    return Timed(report, phases, time.perf_counter())


# --- the baseline -----------------------------------------------------------------------


def run_baseline(db_url: str, rec: Recorded, log: Path) -> tuple[float, float]:
    """(files s, changes s): the recorded bytes into bench/sync_baseline.py."""
    port = free_port()
    cmd = [sys.executable, str(BENCH / "sync_baseline.py"), "--db", db_url, "--port", str(port)]
    with Service(cmd, port, "/hello", log) as bare, httpx.Client(base_url=bare.url,
                                                                  timeout=300) as http:  # fmt: skip
        http.get("/hello").raise_for_status()
        t0 = time.perf_counter()
        for sha, data in rec.blobs:
            http.put(f"/blob/{sha}", content=data,
                     headers={"Content-Type": "application/octet-stream"}).raise_for_status()  # fmt: skip
        t1 = time.perf_counter()
        for body in rec.pushes:
            http.post("/push", content=body,
                      headers={"Content-Type": "application/json"}).raise_for_status()  # fmt: skip
        t2 = time.perf_counter()
    return t1 - t0, t2 - t1


# --- one back end -------------------------------------------------------------------------


def bench_backend(name: str, new_url: Callable[[], str], laptop: Laptop, work: Path,
                  runs: int) -> None:  # fmt: skip
    work.mkdir(parents=True)
    server_url, bare_url = new_url(), new_url()
    token = add_user(server_url, "bench-inspector")
    reader_token = add_user(server_url, "bench-reader")
    db = open_database(copy_laptop(laptop, work / "laptop"), user="Bench Inspector",
                       daily_backup=False)  # fmt: skip
    rec = Recorded()
    try:
        with serve(server_url, work / "serve.log") as server:
            with recording(rec):
                first = timed_sync(db, server=server.url, token=token)
            noop = []
            for _ in range(runs):
                t0 = time.perf_counter()
                again = sync(db)
                noop.append(time.perf_counter() - t0)
                if again.pushed or again.pulled:
                    raise RuntimeError(f"the no-op sync moved rows: {again}")
            fresh = open_database(work / "fresh" / "laptop.db", user="Bench Reader",
                                  daily_backup=False)  # fmt: skip
            try:
                full = timed_sync(fresh, server=server.url, token=reader_token)
            finally:
                fresh.close()
    finally:
        db.close()
    files_b, changes_b = run_baseline(bare_url, rec, work / "baseline.log")
    _print(name, laptop, rec, first, files_b, changes_b, noop, full)


def _print(name: str, laptop: Laptop, rec: Recorded, first: Timed, files_b: float,
           changes_b: float, noop: list[float], full: Timed) -> None:  # fmt: skip
    push = first.span("connect", "pull")
    files = first.span("connect", "push")
    changes = first.span("push", "pull")
    base = files_b + changes_b
    json_mb = sum(map(len, rec.pushes)) / 1e6
    blob_mb = sum(len(d) for _, d in rec.blobs) / 1e6
    r = first.report
    print(f"\n== {name}: {r.pushed:,} outbox entries pushed (of {laptop.entries:,}), "
          f"{r.blobs_up} photos ({blob_mb:.1f} MB), {json_mb:.1f} MB of push JSON in "
          f"{len(rec.pushes)} requests")  # fmt: skip
    print(f"  sync() push phase       : {push:8.2f} s  (files {files:6.2f} s + changes "
          f"{changes:7.2f} s)  {r.pushed / push:8,.0f} changes/s")  # fmt: skip
    print(f"  baseline, same bytes    : {base:8.2f} s  (files {files_b:6.2f} s + changes "
          f"{changes_b:7.2f} s)  {r.pushed / base:8,.0f} changes/s")  # fmt: skip
    ratio = push / base
    print(f"  ratio sync/baseline     : {ratio:8.2f}x (files {files / files_b:5.2f}x, changes "
          f"{changes / changes_b:5.2f}x)   target < 3x: {'met' if ratio < 3 else 'MISSED'}")  # fmt: skip
    print(f"  rest of that first sync : {first.span('pull', None):8.2f} s  (pull: its own "
          f"versions come back and are skipped; {r.pulled:,} applied)")  # fmt: skip
    med = statistics.median(noop) * 1000
    print(f"  no-op sync              : {med:8.1f} ms (median of {len(noop)}; min "
          f"{min(noop) * 1000:.1f}, max {max(noop) * 1000:.1f})   target < 100 ms: "
          f"{'met' if med < 100 else 'MISSED'}")  # fmt: skip
    f = full.report
    pull_s = full.span("pull", None)
    print(f"  full pull, empty laptop : {pull_s:8.2f} s  {f.pulled:,} rows ({f.pulled / pull_s:,.0f} "
          f"rows/s), {f.blobs_down} files; whole sync with enrollment {f.seconds:.2f} s")  # fmt: skip
    if f.pulled != r.pushed or f.blobs_down != laptop.photos:
        print(f"  WARNING: pulled {f.pulled:,} rows and {f.blobs_down} files, expected "
              f"{r.pushed:,} and {laptop.photos}")  # fmt: skip


# --- profiling --------------------------------------------------------------------------


def profile_backend(name: str, new_url: Callable[[], str], laptop: Laptop, work: Path,
                    out: Path) -> None:  # fmt: skip
    """One push with the server and the client under pyinstrument."""
    from pyinstrument import Profiler

    work.mkdir(parents=True)
    out.mkdir(parents=True, exist_ok=True)
    server_url = new_url()
    token = add_user(server_url, "bench-inspector")
    db = open_database(copy_laptop(laptop, work / "laptop"), user="Bench Inspector",
                       daily_backup=False)  # fmt: skip
    port = free_port()
    server_out = out / f"server-{name}.txt"
    cmd = [sys.executable, str(BENCH / "sync_profile_server.py"), "--db", server_url,
           "--port", str(port), "--out", str(server_out)]  # fmt: skip
    profiler, puller = Profiler(interval=0.0005), Profiler(interval=0.0005)
    reader_token = add_user(server_url, "bench-reader")
    fresh = open_database(work / "fresh" / "laptop.db", user="Bench Reader", daily_backup=False)
    try:
        with Service(cmd, port, "/v1/hello", work / "profiled-serve.log") as server:
            phases = Phases()
            with profiler:
                sync(db, server=server.url, token=token, progress=phases)
            push = phases.first["pull"] - phases.first["connect"]
            with puller:
                pulled = sync(fresh, server=server.url, token=reader_token)
    finally:
        db.close()
        fresh.close()
    client_out, pull_out = out / f"client-{name}.txt", out / f"client-pull-{name}.txt"
    for prof, path in ((profiler, client_out), (puller, pull_out)):
        path.write_text(prof.output_text(unicode=False, color=False))
        if prof.last_session is not None:
            prof.last_session.save(str(path.with_suffix(".pyisession")))
    print(f"  profiled push on {name}: {push:.2f} s, full pull {pulled.seconds:.2f} s (slower "
          f"under the profilers); profiles in {out}: {client_out.name} (push), "
          f"{pull_out.name} (full pull), {server_out.name} (server, both)")  # fmt: skip


# --- main -----------------------------------------------------------------------------------


def _backends(wanted: list[str], stack: contextlib.ExitStack) -> dict[str, Callable[[], str]]:
    out: dict[str, Callable[[], str]] = {}
    for name in wanted:
        if name == "sqlite":
            counter = iter(range(1, 1000))
            out["SQLite"] = lambda c=counter: f"sqlite:///{TMP / f'server-{next(c)}.db'}"
        elif name == "postgresql":
            if not (PG_BIN / "initdb").exists():
                print(f"PostgreSQL SKIPPED: no PostgreSQL 15 binaries in {PG_BIN}")
                continue
            cluster = PgCluster()
            stack.callback(cluster.stop)
            cluster.start()
            out["PostgreSQL"] = cluster.new_database
        else:
            raise SystemExit(f"unknown back end {name!r} (sqlite, postgresql)")
    return out


def run(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    laptop = build_laptop(TMP / "source" / "laptop.db", args.reviews, args.answers,
                          args.findings, args.photos)  # fmt: skip
    print(f"setup: {args.reviews} reviews x ({args.answers} answers, {args.findings} findings, "
          f"{args.photos} photos) in field office {OFFICE}: {laptop.entries:,} outbox entries, "
          f"{laptop.photos} photos of {laptop.photo_bytes / 1e6:.1f} MB "
          f"({time.perf_counter() - t0:.1f} s)")  # fmt: skip
    with contextlib.ExitStack() as stack:
        backends = _backends(args.backends.split(","), stack)
        for name, new_url in backends.items():
            bench_backend(name, new_url, laptop, TMP / f"run-{name}", args.runs)
        if args.profile:
            print("\nprofiling (--profile):")
            for name, new_url in backends.items():
                profile_backend(name, new_url, laptop, TMP / f"profile-{name}", args.profile)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=200)
    parser.add_argument("--answers", type=int, default=300, help="answers per review")
    parser.add_argument("--findings", type=int, default=10, help="findings per review")
    parser.add_argument("--photos", type=int, default=2, help="photos per review")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--runs", type=int, default=5, help="no-op syncs (median)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 5 reviews of 30 answers, 3 findings, 1 photo; 3 no-op runs")  # fmt: skip
    parser.add_argument("--profile", type=Path, metavar="DIR", help="write profiles here")
    args = parser.parse_args()
    if args.quick:
        args.reviews, args.answers, args.findings, args.photos, args.runs = 5, 30, 3, 1, 3
    if args.reviews < 1 or args.runs < 1:
        parser.error("--reviews and --runs must be at least 1")

    def stop(_sig: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        return run(args)
    finally:
        shutil.rmtree(TMP, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
