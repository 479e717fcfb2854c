"""What a hostile tester found in the command line: options that were silently ignored,
half-written databases, untrue interrupt messages and tracebacks for foreseeable
conditions. Each test is written from what the user sees."""

from __future__ import annotations

import contextlib
import errno
import gc
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from inspector_app.__main__ import is_gui_invocation
from inspector_app.cli.main import run
from inspector_app.services import demo as demo_mod
from inspector_app.store.models import Review
from inspector_app.store.queries import resolve_id

HISTORY = Path(__file__).parents[1] / "data" / "history"


def one_line(err: str, *needles: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def status(path: Path, capsys: pytest.CaptureFixture) -> dict:
    capsys.readouterr()
    assert run(["status", "--db", str(path), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# --- 1. --db, --demo and --user before the command --------------------------------------


def test_global_options_before_the_command_are_used(demo_db_path, capsys):
    assert run(["--db", str(demo_db_path), "--user", "Ana Ruiz", "status", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["database"] == str(demo_db_path)
    assert info["agencies"] == 7
    assert info["inspector"] == "Ana Ruiz"
    default = Path(os.environ["INSPECTOR_DATA_DIR"]) / "inspector.db"
    assert not default.exists()  # the default database was never touched


@pytest.mark.slow
def test_demo_with_db_before_the_command_writes_there(tmp_path, capsys):
    target = tmp_path / "x.db"
    assert run(["--db", str(target), "demo"]) == 0
    assert status(target, capsys)["agencies"] == 7
    assert not (Path(os.environ["INSPECTOR_DATA_DIR"]) / "inspector.db").exists()


def test_same_option_in_both_places_must_agree(demo_db_path, tmp_path, capsys):
    db = str(demo_db_path)
    assert run(["--db", db, "status", "--db", db]) == 0  # the same value twice is fine
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_:
        run(["--db", db, "status", "--db", str(tmp_path / "other.db")])
    assert exit_.value.code == 2
    one_line(capsys.readouterr().err, "--db", "twice")


@pytest.mark.parametrize("argv", [["--db", "", "status"], ["status", "--db", ""]])
def test_empty_db_path_is_refused(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        run(argv)
    assert exit_.value.code == 2
    one_line(capsys.readouterr().err, "--db: give a file path")


@pytest.mark.parametrize("argv", [["--demo", "status", "--db", "x.db"],
                                  ["--db", "x.db", "status", "--demo"]])  # fmt: skip
def test_demo_and_db_together_are_refused(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        run(argv)
    assert exit_.value.code == 2
    one_line(capsys.readouterr().err, "--demo", "--db")


def test_db_alone_still_opens_the_window_but_an_empty_one_does_not():
    assert is_gui_invocation(["--db", "x.db"])
    assert is_gui_invocation(["--demo"])
    assert not is_gui_invocation(["--db", "x.db", "status"])
    assert not is_gui_invocation(["--db", ""])  # the command line refuses it in one line
    assert not is_gui_invocation(["--db="])


# --- 2. demo all or nothing --------------------------------------------------------------


def _interrupt_midway(monkeypatch: pytest.MonkeyPatch, exc: BaseException) -> None:
    """Make seed_demo fail after agencies and officers are written, before the reviews."""

    def fail(*_a: object, **_k: object) -> None:
        raise exc

    monkeypatch.setattr(demo_mod, "_completed_jem_inspection", fail)


@pytest.mark.slow
def test_interrupted_demo_leaves_nothing_and_a_rerun_works(tmp_path, capsys, monkeypatch):
    target = tmp_path / "new" / "field.db"
    _interrupt_midway(monkeypatch, KeyboardInterrupt())
    assert run(["demo", "--db", str(target)]) == 130
    one_line(capsys.readouterr().err, "interrupted", "nothing was changed")
    assert not target.exists()
    assert leftovers(tmp_path) == []  # no half-filled file, no -files folder, no temp folder
    monkeypatch.undo()
    assert run(["demo", "--db", str(target)]) == 0  # not "already holds data"
    assert status(target, capsys)["agencies"] == 7
    assert {"field-files", "field.db"} <= set(leftovers(target.parent))
    assert not [n for n in leftovers(target.parent) if n.startswith(".")]


@pytest.mark.slow
def test_demo_on_a_full_disk_says_so_and_leaves_nothing(tmp_path, capsys, monkeypatch):
    target = tmp_path / "field.db"
    _interrupt_midway(monkeypatch, OSError(errno.ENOSPC, "No space left on device", "x.jpg"))
    assert run(["demo", "--db", str(target)]) == 2
    assert re.search("disk (is )?full", one_line(capsys.readouterr().err, str(target)))
    assert leftovers(tmp_path) == []


@pytest.mark.slow
def test_demo_force_adds_all_or_nothing(tmp_path, capsys, monkeypatch):
    from inspector_app.services.agencies import create_agency
    from inspector_app.store.database import opened

    target = tmp_path / "mine.db"
    with opened(target, user="Ana Ruiz") as db:
        create_agency(db, name="Lorne County Jail", state="OR")
    before = status(target, capsys)
    _interrupt_midway(monkeypatch, KeyboardInterrupt())
    assert run(["demo", "--db", str(target), "--force"]) == 130
    assert status(target, capsys) == before  # not one demo row slipped in
    monkeypatch.undo()
    assert run(["demo", "--db", str(target), "--force"]) == 0
    after = status(target, capsys)
    assert (before["agencies"], after["agencies"]) == (1, 8)
    assert after["reviews"] > 0
    assert run(["demo", "--db", str(target), "--force"]) == 2  # the demo is there already
    assert status(target, capsys) == after


def test_demo_into_a_database_with_data_is_refused_unchanged(demo_db_path, capsys):
    before = status(demo_db_path, capsys)
    assert run(["demo", "--db", str(demo_db_path)]) == 2
    one_line(capsys.readouterr().err, "already holds data", "--force")
    assert status(demo_db_path, capsys) == before


@pytest.mark.slow
def test_ctrl_c_during_demo_in_a_real_process(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    target = tmp_path / "d.db"
    env = dict(os.environ, INSPECTOR_DATA_DIR=str(data), QT_QPA_PLATFORM="offscreen")
    proc = subprocess.Popen([sys.executable, "-m", "inspector_app", "demo", "--db", str(target)],
                            env=env, stderr=subprocess.PIPE, text=True)  # fmt: skip
    deadline = time.monotonic() + 60
    while not [p for p in tmp_path.iterdir() if p.name != "data"]:  # writing has started
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.02)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("the demo finished before the signal arrived")
    assert proc.returncode == 130, err
    one_line(err, "interrupted")
    assert leftovers(tmp_path) == ["data"]


# --- 3. import history into a new file ---------------------------------------------------


@pytest.mark.slow
def test_failed_import_into_a_new_path_creates_nothing(tmp_path, capsys):
    target = tmp_path / "sub" / "new.db"
    assert run(["import", "history", "--db", str(target), str(HISTORY / "bad.csv")]) == 2
    assert "nothing was imported" in capsys.readouterr().err
    assert leftovers(tmp_path) == []


@pytest.mark.slow
def test_check_on_a_new_path_creates_nothing(tmp_path, capsys):
    target = tmp_path / "sub" / "new.db"
    argv = ["import", "history", "--check", "--db", str(target), str(HISTORY / "good.csv")]
    assert run(argv) == 0
    assert "no problems found" in capsys.readouterr().out
    assert leftovers(tmp_path) == []


@pytest.mark.slow
def test_import_into_a_new_path_then_interrupt_after_the_commit(tmp_path, capsys, monkeypatch):
    from inspector_app.cli import import_cmds

    target = tmp_path / "sub" / "new.db"

    def interrupted_print(_text: str = "") -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(import_cmds, "out", interrupted_print)  # Ctrl-C as the result prints
    assert run(["import", "history", "--db", str(target), str(HISTORY / "good.csv")]) == 130
    line = one_line(capsys.readouterr().err, "interrupted")
    assert "nothing was changed" not in line
    assert "saved" in line
    monkeypatch.undo()
    assert status(target, capsys)["reviews"] > 0  # the data is in, as the message says


# --- 4. id prefixes and fiscal years ----------------------------------------------------


def test_like_wildcards_are_not_id_prefixes(demo_db_path, demo_db, tmp_path, capsys):
    with demo_db.read() as s:
        review_id = s.exec(select(Review.id)).first()
        assert resolve_id(s, Review, "_" + review_id[1:8]) == []
        assert resolve_id(s, Review, review_id[:4] + "%") == []
    for text in ("%" + review_id[2:6], "_" + review_id[1:8]):
        assert run(["finalize", text, "--db", str(demo_db_path)]) == 2
        one_line(capsys.readouterr().err, "no review with id", "0-9, a-f")


@pytest.mark.parametrize("argv", [["plan", "--fy", "0"], ["due", "--fy", "99999"],
                                  ["summary", "--fy", "12"], ["measures", "--fy", "3000"]])  # fmt: skip
def test_implausible_fiscal_years_are_refused(argv, demo_db_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        run([*argv, "--db", str(demo_db_path)])
    assert exit_.value.code == 2
    one_line(capsys.readouterr().err, "fiscal year")


# --- 5. one line instead of a traceback --------------------------------------------------


def test_measures_for_a_year_before_any_review(demo_db_path, capsys):
    assert run(["measures", "--fy", "2024", "--db", str(demo_db_path)]) == 0
    assert "Agreements reviewed within two years" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["demo"], ["import", "history", str(HISTORY / "good.csv")]])
def test_a_new_database_under_a_plain_file_is_one_line(argv, tmp_path, capsys):
    (tmp_path / "plain").write_text("x")
    assert run([*argv, "--db", str(tmp_path / "plain" / "sub" / "new.db")]) == 2
    one_line(capsys.readouterr().err, str(tmp_path / "plain"), "not a folder")
    assert leftovers(tmp_path) == ["plain"]


def test_wso_summary_into_an_impossible_folder(demo_db_path, capsys):
    assert run(["report", "wso-summary", "--fy", "2026", "--out", "/proc/x",
                "--db", str(demo_db_path)]) == 2  # fmt: skip
    one_line(capsys.readouterr().err, "/proc/x")


def test_annual_report_into_a_missing_folder(demo_db_path, tmp_path, capsys):
    out = tmp_path / "no" / "such" / "annual.pdf"
    assert run(["report", "annual", "--fy", "2026", "--out", str(out),
                "--db", str(demo_db_path)]) == 2  # fmt: skip
    one_line(capsys.readouterr().err, str(tmp_path / "no"))
    assert not (tmp_path / "no").exists()


@contextlib.contextmanager
def full_disk(folder: Path) -> Iterator[Path]:
    """A 200 KB tmpfs at `folder`, filled to the last byte (root only)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root")
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(folder)],
                             capture_output=True)  # fmt: skip
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount tmpfs: {mounted.stderr!r}")
    try:
        with contextlib.suppress(OSError), (folder / "filler").open("wb") as fh:
            while True:
                fh.write(b"x" * 4096)
                fh.flush()
        yield folder
    finally:
        gc.collect()  # a failed command's connections die with its exception
        if subprocess.run(["umount", str(folder)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.mark.slow
def test_commands_on_a_full_disk_say_disk_full(demo_db_path, demo_db, tmp_path, capsys):
    with demo_db.read() as s:
        review_id = s.exec(select(Review.id).where(Review.status == "final")).first()
    with full_disk(tmp_path / "full") as full:
        db = ["--db", str(demo_db_path)]
        argvs = [
            ["report", "inspection", review_id, "--out", str(full / "r.pdf"), *db],
            ["report", "annual", "--fy", "2026", "--out", str(full / "a.pdf"), *db],
            ["report", "wso-summary", "--fy", "2026", "--out", str(full / "wso"), *db],
            ["demo", "--db", str(full / "d.db")],
            ["import", "history", "--db", str(full / "h.db"), str(HISTORY / "good.csv")],
        ]
        for argv in argvs:
            assert run(argv) == 2, argv
            assert re.search("disk (is )?full", one_line(capsys.readouterr().err))
            assert leftovers(full) == ["filler"], argv
