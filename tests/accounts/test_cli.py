"""The CLI signed in through accounts.sign_in: finalize by a non-lead inspector, program
exports by an inspector, and `inspector-app account ...` (admin only): one line, exit 2,
nothing written; every entry a command writes is tagged "cli"."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector_app.cli.main import run
from inspector_app.services import lifecycle
from inspector_app.services.accounts import sign_in
from inspector_app.store.keyfile import KeyFile, keyfile_path

from .conftest import ADMIN, LEAD, MANAGER, OTHER, PASS, SUPERVISOR, Encrypted, audit_rows


def cli(enc: Encrypted, passfile: Path, user: str, *argv: str) -> int:
    return run([*argv, "--db", str(enc.path), "--user", user, "--passphrase-file", str(passfile)])


def one_line(capsys: pytest.CaptureFixture[str], *parts: str) -> None:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    for part in parts:
        assert part in err, err


def rows_of(enc: Encrypted) -> list[tuple[str, str, str, str, str]]:
    db = sign_in(enc.path, ADMIN, PASS, daily_backup=False)
    try:
        return audit_rows(db)
    finally:
        db.close()


def is_final(enc: Encrypted) -> bool:
    db = sign_in(enc.path, ADMIN, PASS, daily_backup=False)
    try:
        return lifecycle.verify_review(db, enc.draft_id).final
    finally:
        db.close()


def test_finalize_by_another_inspector_is_refused(
    enc: Encrypted, passfile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(enc, passfile, OTHER, "finalize", enc.draft_id) == 2
    one_line(capsys, "only the review's lead inspector (Dana Whitfield) or a supervisor",
             "Ian Other is neither")  # fmt: skip
    assert not is_final(enc)
    mine = [r for r in rows_of(enc) if r[1] == OTHER]
    assert [r[0] for r in mine] == ["sign-in", "permission"]
    assert {r[4] for r in mine} == {"cli"}
    assert mine[1][2:4] == ("failure", enc.draft_id)


def test_program_export_refused_for_an_inspector(
    enc: Encrypted, passfile: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "annual.pdf"
    assert cli(enc, passfile, LEAD, "report", "annual", "--fy", "2026", "--out", str(out)) == 2
    one_line(capsys, "only a program manager may export program reports")
    assert not out.exists()


def test_account_commands(
    enc: Encrypted, passfile: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(enc, passfile, ADMIN, "account", "list") == 0
    listing = capsys.readouterr().out
    assert "Ada Admin" in listing and "admin, inspector" in listing and "active" in listing
    new_pass = tmp_path / "new.txt"
    new_pass.write_text("a new long passphrase\n", encoding="utf-8")
    assert cli(enc, passfile, ADMIN, "account", "add", "Nia New", "--role", "inspector",
               "--role", "supervisor", "--new-passphrase-file", str(new_pass)) == 0  # fmt: skip
    assert "Added Nia New (inspector, supervisor)" in capsys.readouterr().out
    assert KeyFile.load(keyfile_path(enc.path)).account("Nia New").roles == {
        "inspector", "supervisor"}  # fmt: skip
    assert cli(enc, passfile, ADMIN, "account", "roles", "Nia New", "--role", "inspector") == 0
    assert cli(enc, passfile, ADMIN, "account", "disable", "Nia New") == 0
    capsys.readouterr()
    assert KeyFile.load(keyfile_path(enc.path)).account("Nia New").disabled
    events = [r[:2] + (r[4],) for r in rows_of(enc) if r[3] == "Nia New"]
    assert events == [("account", ADMIN, "cli"), ("permission", ADMIN, "cli"),
                      ("account", ADMIN, "cli")]  # fmt: skip


@pytest.mark.parametrize(
    ("user", "argv", "message"),
    [
        (SUPERVISOR, ("account", "list"), "only an admin may manage accounts"),
        (LEAD, ("account", "disable", OTHER), "only an admin may manage accounts"),
        (MANAGER, ("account", "roles", MANAGER, "--role", "admin"), "only an admin"),
        (ADMIN, ("account", "disable", ADMIN), "cannot disable their own account"),
        (ADMIN, ("account", "roles", ADMIN, "--role", "inspector"), "is the last admin"),
        (ADMIN, ("account", "roles", OTHER, "--role", "boss"), "unknown roles boss"),
        (ADMIN, ("account", "disable", "Nobody"), "no account named 'Nobody'"),
    ],
)
def test_account_refusals(
    enc: Encrypted,
    passfile: Path,
    capsys: pytest.CaptureFixture[str],
    user: str,
    argv: tuple[str, ...],
    message: str,
) -> None:
    keys_before = KeyFile.load(keyfile_path(enc.path)).accounts()
    assert cli(enc, passfile, user, *argv) == 2
    one_line(capsys, message)
    assert KeyFile.load(keyfile_path(enc.path)).accounts() == keys_before


def test_short_passphrase_refused(
    enc: Encrypted, passfile: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    short = tmp_path / "short.txt"
    short.write_text("elevenchars\n", encoding="utf-8")
    assert cli(enc, passfile, ADMIN, "account", "add", "Shorty", "--role", "inspector",
               "--new-passphrase-file", str(short)) == 2  # fmt: skip
    one_line(capsys, "at least 12 characters")
    assert "Shorty" not in {a.name for a in KeyFile.load(keyfile_path(enc.path)).accounts()}


def test_account_commands_on_a_plaintext_database(
    demo_db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["account", "list", "--db", str(demo_db_path)]) == 2
    one_line(capsys, "not encrypted, so it has no accounts")
