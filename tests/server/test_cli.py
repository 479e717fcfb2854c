"""`inspector-app serve` and `inspector-app server user ...` as a user runs them."""

from __future__ import annotations

import pytest

from tests.serverfixtures import run_cli


@pytest.mark.slow
def test_user_add_prints_the_token_alone_on_its_last_line(tmp_path):
    db = str(tmp_path / "server.db")
    done = run_cli("server", "user", "add", "Ann Lee", "--role", "inspector",
                   "--field-office", "ATL", "--db", db)  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) >= 2 and "Ann Lee" in lines[0]
    token = lines[-1]
    assert token == token.strip() and " " not in token and len(token) >= 40
    listed = run_cli("server", "user", "list", "--db", db)
    assert "Ann Lee" in listed.stdout and "ATL" in listed.stdout
    again = run_cli("server", "user", "token", "Ann Lee", "--db", db)
    assert again.returncode == 0 and again.stdout.strip().splitlines()[-1] != token
    off = run_cli("server", "user", "disable", "Ann Lee", "--db", db)
    assert (
        off.returncode == 0 and "disabled" in run_cli("server", "user", "list", "--db", db).stdout
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["server", "user", "add", "Bo", "--role", "inspector"], "--db"),
        (["server", "user", "add", "Bo", "--role", "inspector", "--db", "{db}"], "field office"),
        (["server", "user", "add", "Bo", "--role", "boss", "--db", "{db}"], "boss"),
        (["server", "user", "disable", "Nobody", "--db", "{db}"], "Nobody"),
        (
            ["serve", "--db", "{db}", "--tls-cert", "{tmp}/no.pem", "--tls-key", "{tmp}/no.key"],
            "no.pem",
        ),
        (["serve", "--db", "postgresql+psycopg://x@127.0.0.1:1/none"], "cannot open"),
    ],
)
def test_errors_are_one_line_and_exit_2(tmp_path, args, words):
    filled = [a.format(db=tmp_path / "s.db", tmp=tmp_path) for a in args]
    done = run_cli(*filled)
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0] and "Traceback" not in done.stderr
