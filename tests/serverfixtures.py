"""Fixtures for tests of the central sync service (inspector_app/server).

Use them from a conftest.py or a test module:

    from tests.serverfixtures import pg_server, running_server, server_db_url  # noqa: F401

- `pg_server` (session): a throwaway PostgreSQL 15 cluster; `.new_database()` gives the
  `postgresql+psycopg://` URL of a fresh, empty database on every call. Skipped, loudly,
  when the PostgreSQL binaries are missing.
- `server_db_url`: parametrized over "sqlite" and "postgresql", a fresh URL per test.
- `running_server(db_url, tmp_path)`: a context manager running
  `python -m inspector_app serve` as a real subprocess; yields a `ServerProc`.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest


def _pg_bin() -> Path:
    """The newest installed PostgreSQL server binaries (Debian's layout), or 15's path."""
    if "INSPECTOR_PG_BIN" in os.environ:
        return Path(os.environ["INSPECTOR_PG_BIN"])
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
                   key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)  # fmt: skip
    return found[-1].parent if found else Path("/usr/lib/postgresql/15/bin")


PG_BIN = _pg_bin()
ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 20.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- PostgreSQL ----------------------------------------------------------------------


class PgCluster:
    """A PostgreSQL cluster in a temporary folder, listening on a loopback port."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="inspector-pg-"))
        self.data = self.dir / "data"
        self.sockets = self.dir / "sock"
        self.log = self.dir / "pg.log"
        self.port = free_port()
        self.superuser = "postgres"
        self._runas: list[str] = []
        self._count = 0
        if os.geteuid() == 0:  # initdb refuses root: run the cluster as an unprivileged user
            user = _unprivileged_user()
            pw = pwd.getpwnam(user)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
            self._runas = ["runuser", "-u", user, "--"]
        self.sockets_made = False

    def _run(self, *cmd: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self._runas, *cmd], capture_output=True, text=True, timeout=60, cwd=self.dir
        )

    def start(self) -> None:
        self._run("mkdir", "-p", str(self.sockets))
        init = self._run(
            str(PG_BIN / "initdb"), "-D", str(self.data), "-U", self.superuser,
            "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        if init.returncode != 0:
            raise RuntimeError(f"initdb failed: {init.stderr.strip() or init.stdout.strip()}")
        opts = (
            f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200"
        )
        start = self._run(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
            "-o", opts, "-w", "-t", "30", "start",
        )  # fmt: skip
        if start.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(f"pg_ctl start failed: {start.stderr.strip()} {log[-2000:]}")

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)

    def admin_url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.superuser}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """The URL of a new, empty database on this cluster."""
        import psycopg

        self._count += 1
        name = f"inspector_{os.getpid()}_{self._count}"
        with psycopg.connect(self.admin_url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://{self.superuser}@127.0.0.1:{self.port}/{name}"


def _unprivileged_user() -> str:
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    pytest.skip("PostgreSQL tests SKIPPED: running as root and no unprivileged user exists")
    raise AssertionError  # unreachable


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgCluster]:
    """A throwaway PostgreSQL 15 cluster for the whole session."""
    if not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_ctl").exists():
        pytest.skip(
            f"PostgreSQL tests SKIPPED: no PostgreSQL 15 binaries in {PG_BIN} "
            "(install postgresql-15 or set INSPECTOR_PG_BIN)"
        )
    cluster = PgCluster()
    try:
        cluster.start()
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        cluster.stop()
        pytest.skip(f"PostgreSQL tests SKIPPED: the test cluster did not start: {exc}")
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def server_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database URL for the server, on each back end."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'server.db'}"
    cluster: PgCluster = request.getfixturevalue("pg_server")
    return cluster.new_database()


# --- the server as a real process ---------------------------------------------------------


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return env


def run_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`python -m inspector_app ARGS` as a subprocess (text output captured)."""
    return subprocess.run(
        [sys.executable, "-m", "inspector_app", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=_env(),
        cwd=ROOT,
    )


class ServerProc:
    """`inspector-app serve` running in a subprocess on 127.0.0.1."""

    def __init__(self, db_url: str, tmp_path: Path, tls: tuple[Path, Path] | None = None) -> None:
        self.db_url = db_url
        self.port = free_port()
        self.tls = tls  # (certificate, key) files: serve HTTPS
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self._log_dir = tmp_path
        self._n = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.stderr_path = tmp_path / "server-stderr-0.log"

    def start(self) -> None:
        self._n += 1
        self.stderr_path = self._log_dir / f"server-stderr-{self._n}.log"
        out = open(self._log_dir / f"server-stdout-{self._n}.log", "wb")  # noqa: SIM115
        err = open(self.stderr_path, "wb")  # noqa: SIM115
        cmd = [
            sys.executable, "-m", "inspector_app", "serve", "--db", self.db_url,
            "--host", "127.0.0.1", "--port", str(self.port),
        ]  # fmt: skip
        if self.tls:
            cmd += ["--tls-cert", str(self.tls[0]), "--tls-key", str(self.tls[1])]
        self.proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=_env(), cwd=ROOT)
        out.close()
        err.close()
        self._wait_ready()

    def _trust(self) -> ssl.SSLContext | bool:
        return ssl.create_default_context(cafile=str(self.tls[0])) if self.tls else True

    def stderr(self) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")
        except OSError:
            return ""

    def _wait_ready(self) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(
                    f"the server exited ({self.proc.returncode}) before answering:\n"
                    + self.stderr()
                )
            try:
                answer = httpx.get(self.url + "/v1/hello", timeout=1.0,
                                   verify=self._trust())  # fmt: skip
                if answer.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.kill()
        pytest.fail(
            f"the server did not answer /v1/hello within {START_TIMEOUT} s:\n" + self.stderr()
        )

    def kill(self) -> None:
        """SIGKILL: no clean shutdown."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def restart(self) -> None:
        """Kill the server and start it again on the same port and database."""
        self.kill()
        self.start()

    def add_user(self, name: str, role: str, office: str | None = None) -> str:
        """`server user add`; returns the one-time enrollment token (its last line)."""
        args = ["server", "user", "add", name, "--role", role, "--db", self.db_url]
        if office:
            args += ["--field-office", office]
        done = run_cli(*args)
        if done.returncode != 0:
            pytest.fail(f"server user add failed ({done.returncode}): {done.stderr}")
        return done.stdout.strip().splitlines()[-1]


@contextlib.contextmanager
def running_server(
    db_url: str, tmp_path: Path, tls: tuple[Path, Path] | None = None
) -> Iterator[ServerProc]:
    """Run `python -m inspector_app serve --db URL` until the block ends."""
    server = ServerProc(db_url, tmp_path, tls)
    server.start()
    try:
        yield server
    finally:
        server.stop()
