"""Every CLI command against hostile input: bad files, bad arguments, a full disk.

The promise checked for every case: the command either does its work (exit 0, or 1 for
`verify` saying "changed") or refuses with exit status 2 and ONE line on stderr, never
a Python traceback; and a database it refused, or that a read-only command looked at,
is byte-for-byte what it was, with nothing written beside it.

Commands run in this process (through the same entry point as `inspector-app`), so
hypothesis can try hundreds of cases in seconds; `test_real_process_*` runs a few of
them as real processes to show that the entry point itself prints no traceback either.
The number of cases tried is printed in the terminal summary (tests/reliability/conftest.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspector_app.__main__ import main as entry_point
from tests.reliability.cases import count_case

pytestmark = pytest.mark.slow

HISTORY = Path(__file__).parents[1] / "data" / "history" / "good.csv"
SETTINGS = settings(
    max_examples=100, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip

# Commands that only read the database: after any outcome its bytes are unchanged.
READ_COMMANDS: list[list[str]] = [
    ["status"], ["status", "--json"], ["reviews"], ["reviews", "--json"], ["due"],
    ["due", "--json"], ["plan", "--fy", "2026"], ["summary", "--fy", "2026"],
    ["measures", "--fy", "2026"], ["measures", "--fy", "2024"], ["verify", "0"],
]  # fmt: skip
# Commands that may write: unchanged unless they succeed.
WRITE_COMMANDS: list[list[str]] = [
    ["finalize", "0"], ["demo"], ["import", "history", str(HISTORY)],
    ["plan", "--fy", "2027", "--accept"],
]  # fmt: skip


@dataclass
class Outcome:
    argv: list[str]
    code: int
    stdout: str
    stderr: str
    crash: BaseException | None = None

    def describe(self) -> str:
        crash = f"\nraised {self.crash!r}" if self.crash else ""
        return f"{self.argv} -> exit {self.code}\nstderr: {self.stderr!r}{crash}"


def run_cli(argv: list[str]) -> Outcome:
    """Run `inspector-app ARGV` in this process, as the console script would."""
    count_case()
    out, err = io.StringIO(), io.StringIO()
    crash: BaseException | None = None
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = int(entry_point(list(argv)) or 0)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
        except BaseException as exc:  # noqa: BLE001 - any escape is what we look for
            crash, code = exc, -1
    return Outcome(list(argv), code, out.getvalue(), err.getvalue(), crash)


def assert_refused(o: Outcome) -> None:
    """Exit 2 with one line on stderr and no traceback."""
    assert o.crash is None, o.describe()
    assert o.code == 2, o.describe()
    lines = o.stderr.strip().splitlines()
    assert len(lines) == 1, o.describe()
    assert "Traceback" not in o.stderr, o.describe()


def assert_no_crash(o: Outcome, *, allowed: tuple[int, ...] = (0, 1, 2)) -> None:
    assert o.crash is None, o.describe()
    assert "Traceback" not in o.stderr, o.describe()
    assert o.code in allowed, o.describe()
    if o.code == 2:
        assert len(o.stderr.strip().splitlines()) >= 1, o.describe()


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file under `folder` (backups aside) with the SHA-256 of its bytes."""
    result = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file() and "backups" not in p.relative_to(folder).parts:
            result[str(p.relative_to(folder))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return result


@contextlib.contextmanager
def workdir() -> Iterator[Path]:
    # hypothesis runs many examples per test: each gets its own folder, not tmp_path.
    with tempfile.TemporaryDirectory(prefix="bad-input-") as d:
        yield Path(d)


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory, _demo_template: Path) -> Path:
    return _demo_template


def copy_demo(template: Path, folder: Path, name: str = "demo.db") -> Path:
    from tests.conftest import copy_database

    return copy_database(template, folder / name)


def first_review_id(path: Path) -> str:
    with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?immutable=1", uri=True)) as con:
        return con.execute("SELECT id FROM review ORDER BY id LIMIT 1").fetchone()[0]


# --------------------------------------------------------------------------- bad files


def _foreign_sqlite(path: Path, with_version_table: bool, rows: int) -> None:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE contacts (name TEXT, phone TEXT)")
    con.executemany("INSERT INTO contacts VALUES (?, ?)", [(f"n{i}", "555") for i in range(rows)])
    if with_version_table:
        con.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
    con.commit()
    con.close()


BAD_FILE_KINDS = [
    "random", "truncated", "flipped", "foreign", "foreign_with_version", "no_version_row",
    "empty_version_table", "directory",
]  # fmt: skip


def make_bad_file(kind: str, template: Path, folder: Path, rnd: random.Random) -> Path:
    path = folder / "bad.db"
    if kind == "random":
        size = rnd.choice([1, 15, 16, 100, 4096, 70_000])
        path.write_bytes(b"SQLite format 3\x00"[: rnd.randint(0, 16)] + rnd.randbytes(size))
    elif kind == "truncated":
        data = template.read_bytes()
        path.write_bytes(data[: rnd.randint(1, len(data) - 1)])
    elif kind == "flipped":
        data = bytearray(template.read_bytes())
        for _ in range(rnd.randint(1, 4)):
            data[rnd.randrange(len(data))] ^= 1 << rnd.randrange(8)
        path.write_bytes(bytes(data))
    elif kind in ("foreign", "foreign_with_version"):
        _foreign_sqlite(path, kind == "foreign_with_version", rnd.randint(0, 50))
    elif kind in ("no_version_row", "empty_version_table"):
        shutil.copy2(template, path)
        con = sqlite3.connect(path)
        if kind == "no_version_row":
            con.execute("DELETE FROM alembic_version")
        else:
            con.execute("DROP TABLE alembic_version")
            con.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        con.commit()
        con.close()
    elif kind == "directory":
        path.mkdir()
    return path


def _is_intact(path: Path) -> bool:
    """What SQLite itself says of the file (read-only, nothing written)."""
    try:
        with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?immutable=1", uri=True)) as con:
            return con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    except sqlite3.Error:
        return False


@SETTINGS
@given(
    kind=st.sampled_from(BAD_FILE_KINDS),
    command=st.sampled_from(READ_COMMANDS + WRITE_COMMANDS),
    seed=st.integers(0, 2**32 - 1),
    db_first=st.booleans(),
)
def test_bad_database_files_are_refused_and_left_alone(demo_file, kind, command, seed, db_first):
    with workdir() as folder:
        rnd = random.Random(seed)
        path = make_bad_file(kind, demo_file, folder, rnd)
        if kind == "flipped" and _is_intact(path):
            return  # a flip SQLite cannot see (free space, a text byte): not damage
        before = fingerprint(folder)
        argv = ["--db", str(path), *command] if db_first else [*command, "--db", str(path)]
        outcome = run_cli(argv)
        assert_refused(outcome)
        assert fingerprint(folder) == before, f"{outcome.describe()}\nfiles changed"


@pytest.mark.parametrize("special", ["/dev/null", "fifo", "under_a_file", "empty_name"])
def test_paths_that_are_not_files_are_refused(tmp_path: Path, special: str):
    if special == "fifo":
        target = tmp_path / "pipe.db"
        os.mkfifo(target)
    elif special == "under_a_file":
        (tmp_path / "plain").write_text("x")
        target = tmp_path / "plain" / "inspector.db"
    elif special == "empty_name":
        target = ""
    else:
        target = Path(special)
    before = fingerprint(tmp_path)
    for command in (["status"], ["demo"], ["import", "history", str(HISTORY)]):
        assert_refused(run_cli([*command, "--db", str(target)]))
    assert not Path("/dev/null-journal").exists()
    assert fingerprint(tmp_path) == before


@pytest.mark.parametrize("blocker", ["backups", "demo-files"])
def test_a_plain_file_where_a_folder_belongs_is_refused(demo_file, tmp_path, blocker):
    path = copy_demo(demo_file, tmp_path)
    target = tmp_path / blocker
    if target.is_dir():
        shutil.rmtree(target)
    target.write_text("not a folder")
    rid = first_review_id(path)
    for command in (["status"], ["report", "inspection", rid, "--out", str(tmp_path / "r.pdf")]):
        outcome = run_cli([*command, "--db", str(path)])
        assert_refused(outcome)
        assert blocker in outcome.stderr


# ------------------------------------------------------------------ bad arguments

ODD_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["%", "_", "%d", "__", "' OR 1=1 --", "\x00", "../../etc", "-", "--",
                     "０１２", "9" * 400, " ", ""]),
)  # fmt: skip
BAD_YEARS = st.one_of(
    st.integers(-10**6, 10**6).map(str),
    st.sampled_from(["0", "99999", "1e3", "２０２４", "2024.5", "", "-1", "nan"]),
    st.text(max_size=8),
)  # fmt: skip
BAD_DATES = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["0000-01-01", "9999-12-31", "2026-02-30", "２０２６-０１-０１", "today"]),
)  # fmt: skip


def _bad_out(folder: Path, choice: int) -> str:
    (folder / "plainfile").write_text("x")
    return [
        "/proc/inspector-test/x.pdf", str(folder / "plainfile" / "x.pdf"),
        str(folder / "missing" / "x.pdf"), str(folder), "", str(folder / ("n" * 300 + ".pdf")),
    ][choice]  # fmt: skip


def argv_strategy(review_id: str, folder: Path) -> st.SearchStrategy[list[str]]:
    rid = st.one_of(ODD_TEXT, st.just(review_id[:6]))
    out = st.integers(0, 5).map(lambda i: _bad_out(folder, i))
    kinds = st.sampled_from(["inspection", "focus-review", "request-form", "closeout"])
    return st.one_of(
        st.tuples(st.just("verify"), rid).map(list),
        st.tuples(st.just("finalize"), rid).map(list),
        st.tuples(st.just("report"), kinds, rid, st.just("--out"), out).map(list),
        st.tuples(
            st.just("report"),
            st.sampled_from(["annual", "wso-summary"]),
            st.just("--fy"),
            BAD_YEARS,
            st.just("--out"),
            out,
        ).map(list),  # fmt: skip
        st.tuples(
            st.sampled_from(["summary", "measures", "plan", "due"]), st.just("--fy"), BAD_YEARS
        ).map(list),  # fmt: skip
        st.tuples(st.just("due"), st.just("--today"), BAD_DATES).map(list),
        st.tuples(
            st.just("summary"), st.just("--fy"), st.just("2026"), st.just("--model"), ODD_TEXT
        ).map(list),  # fmt: skip
        st.lists(ODD_TEXT, min_size=1, max_size=3),
    )


@SETTINGS
@given(data=st.data())
def test_bad_arguments_get_one_line_and_leave_the_database_alone(demo_file, data):
    with workdir() as folder:
        path = copy_demo(demo_file, folder)
        args = data.draw(argv_strategy(first_review_id(path), folder))
        if not args or args[0] in ("", "--demo", "--db", "--user") or args[0].startswith("-"):
            args = ["status", *args]  # never only global options: that would open the window
        before = fingerprint(folder)
        outcome = run_cli([*args, "--db", str(path)])
        assert_no_crash(outcome)
        if outcome.code == 2 and args[0] not in ("import",):
            assert len(outcome.stderr.strip().splitlines()) == 1, outcome.describe()
        if outcome.code != 0:
            assert fingerprint(folder) == before, f"{outcome.describe()}\nfiles changed"


@pytest.mark.parametrize("pattern", ["%", "_", "%d", "_" * 8, "%%"])
def test_like_wildcards_never_pick_a_review(demo_file, tmp_path, pattern):
    path = copy_demo(demo_file, tmp_path)
    before = fingerprint(tmp_path)
    outcome = run_cli(["finalize", pattern, "--db", str(path)])
    assert_refused(outcome)
    assert fingerprint(tmp_path) == before


# ------------------------------------------------------------------------- bad CSVs


def _csv_mutations(text: str) -> st.SearchStrategy[bytes]:
    lines = text.splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    return st.one_of(
        st.binary(max_size=2000),
        st.tuples(st.integers(1, len(text) - 1)).map(lambda t: text[: t[0]].encode()),
        st.lists(st.sampled_from(rows), max_size=8).map(lambda r: (header + "".join(r)).encode()),
        st.tuples(st.sampled_from(rows), st.integers(0, 14), ODD_TEXT).map(
            lambda t: (header + _replace_field(t[0], t[1], t[2])).encode("utf-8", "replace")
        ),
        st.sampled_from([
            b"", b"\xef\xbb\xbf", header.encode() + b'R1,"unterminated\n', header.encode(),
            header.encode() + rows[0].replace("2023-11-06", "0000-01-01").encode(),
            header.encode() + rows[0].replace("2023-11-06", "\uff12\uff10\uff12\uff13-11-06").encode(),
        ]),
    )  # fmt: skip


def _replace_field(row: str, index: int, value: str) -> str:
    fields = row.rstrip("\r\n").split(",")
    fields[index % len(fields)] = value.replace("\n", " ")
    return ",".join(fields) + "\n"


@SETTINGS
@given(data=st.data())
def test_bad_history_files_are_refused_whole(demo_file, data):
    payload = data.draw(_csv_mutations(HISTORY.read_text(encoding="utf-8")))
    with workdir() as folder:
        path = copy_demo(demo_file, folder)
        csv_file = folder / "history.csv"
        csv_file.write_bytes(payload)
        before = fingerprint(folder)
        for extra in (["--check"], []):
            outcome = run_cli(["import", "history", str(csv_file), *extra, "--db", str(path)])
            assert_no_crash(outcome, allowed=(0, 2))
            if outcome.code == 2:
                for line in outcome.stderr.strip().splitlines():
                    assert line.startswith((str(csv_file), "inspector-app:")), outcome.describe()
                assert fingerprint(folder) == before, f"{outcome.describe()}\nfiles changed"
            elif extra:
                assert fingerprint(folder) == before, "--check wrote to the database"


def test_a_huge_field_is_named_with_its_line(demo_file, tmp_path):
    path = copy_demo(demo_file, tmp_path)
    text = HISTORY.read_text(encoding="utf-8").splitlines()
    csv_file = tmp_path / "huge.csv"
    csv_file.write_text(
        text[0] + "\n" + text[1].replace("Officers lacked", "x" * 10_000_000) + "\n"
    )
    outcome = run_cli(["import", "history", str(csv_file), "--db", str(path)])
    assert_no_crash(outcome, allowed=(2,))
    assert f"{csv_file}:2" in outcome.stderr
    assert "no data rows" not in outcome.stderr


def test_import_into_a_new_path_creates_nothing_when_it_fails(tmp_path):
    csv_file = tmp_path / "bad.csv"
    csv_file.write_bytes(b"not,a,history,file\n1,2,3,4\n")
    target = tmp_path / "new" / "inspector.db"
    for extra in (["--check"], []):
        assert_no_crash(run_cli(["import", "history", str(csv_file), *extra, "--db", str(target)]),
                        allowed=(2,))  # fmt: skip
        assert not target.parent.exists()
    assert_no_crash(run_cli(["import", "history", str(HISTORY), "--check", "--db", str(target)]),
                    allowed=(0,))  # fmt: skip
    assert not target.parent.exists(), "--check created the database"


# ----------------------------------------------------------------------- a full disk


@contextlib.contextmanager
def small_disk(size_kb: int) -> Iterator[Path]:
    mount = Path(tempfile.mkdtemp(prefix="inspector-full-"))
    rc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(mount)],
                        capture_output=True)  # fmt: skip
    if rc.returncode != 0:
        mount.rmdir()
        pytest.skip(f"cannot mount a tmpfs here ({rc.stderr.decode().strip()})")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)
        mount.rmdir()


def fill(folder: Path) -> None:
    """Take every free byte of the disk `folder` is on."""
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        with contextlib.suppress(OSError):
            while True:
                os.write(fd, b"\0" * 65536)
        with contextlib.suppress(OSError):
            while True:
                os.write(fd, b"\0" * 512)
    finally:
        os.close(fd)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0, reason="mounting needs root (CI is)")
def test_a_full_disk_is_one_line_and_loses_nothing(demo_file):
    size_kb = demo_file.stat().st_size // 1024 + 3000
    with small_disk(size_kb) as disk:
        path = copy_demo(demo_file, disk)
        rid = first_review_id(path)
        fill(disk)
        before = fingerprint(disk)
        commands = [
            ["report", "inspection", rid, "--out", str(disk / "r.pdf")],
            ["finalize", rid[:8]],
            ["import", "history", str(HISTORY)],
            ["report", "annual", "--fy", "2026", "--out", str(disk / "a.pdf")],
            ["demo", "--force"],
        ]
        for command in commands:
            outcome = run_cli([*command, "--db", str(path)])
            assert_no_crash(outcome, allowed=(0, 2))
            if outcome.code == 2:
                assert "disk" in outcome.stderr.lower() and "full" in outcome.stderr.lower(), (
                    outcome.describe()
                )
                assert len(outcome.stderr.strip().splitlines()) == 1, outcome.describe()
            current = fingerprint(disk)
            current.pop("filler", None)
            expected = dict(before)
            expected.pop("filler", None)
            if outcome.code == 2:
                assert current == expected, f"{outcome.describe()}\nfiles changed on a full disk"
            before = fingerprint(disk)
        assert not [p for p in disk.rglob("*") if p.name.endswith(".tmp")], "temporary files left"
        assert (
            not [p for p in (disk / "backups").glob("*") if p.stat().st_size == 0]
            if (disk / "backups").exists()
            else True
        ), "an empty backup was left"


# ----------------------------------------------------------------- as real processes


@pytest.mark.parametrize(
    "argv",
    [
        ["--db", "/dev/null", "status"],
        ["status", "--db", "{foreign}"],
        ["measures", "--fy", "2024", "--db", "{demo}"],
        ["due", "--fy", "99999", "--db", "{demo}"],
        ["report", "wso-summary", "--fy", "2026", "--out", "/proc/x", "--db", "{demo}"],
    ],
)
def test_real_process_prints_no_traceback(demo_file, tmp_path, argv):
    demo = copy_demo(demo_file, tmp_path)
    foreign = tmp_path / "foreign.db"
    _foreign_sqlite(foreign, True, 3)
    argv = [a.format(demo=demo, foreign=foreign) for a in argv]
    count_case()
    proc = subprocess.run(
        [sys.executable, "-m", "inspector_app", *argv], capture_output=True, text=True,
        timeout=120, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
    )  # fmt: skip
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode in (0, 2), proc.stderr
    if proc.returncode == 2:
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
