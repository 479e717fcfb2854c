"""What every subcommand shares: opening the database and failing in one line."""

from __future__ import annotations

import argparse
import getpass
import os
import re
import sys
from pathlib import Path

from inspector_app import paths
from inspector_app.domain.errors import KnownError
from inspector_app.services.accounts import sign_in
from inspector_app.services.encryption import is_encrypted
from inspector_app.services.lookup import ids_matching
from inspector_app.store.database import Database, open_database

GLOBALS = ("db", "demo", "user", "passphrase_file")  # accepted before or after the command
PASSPHRASE_ENV = "INSPECTOR_PASSPHRASE_FILE"
_ID_TEXT = re.compile(r"[0-9a-f-]+")
FY_RANGE = (1990, 2100)


class CliError(KnownError):
    """A user error: printed as one line on stderr, exit status 2."""


def fy_arg(text: str) -> int:
    """argparse type of every --fy: a plausible fiscal year, or a one-line refusal."""
    try:
        year = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a year (e.g. 2024)") from None
    if not FY_RANGE[0] <= year <= FY_RANGE[1]:
        raise argparse.ArgumentTypeError(
            f"{year} is not a plausible fiscal year ({FY_RANGE[0]}-{FY_RANGE[1]})"
        )
    return year


def mark_completed(args: argparse.Namespace, what: str) -> None:
    """Record that the command's change is saved, so Ctrl-C from here on says so."""
    args.completed = what


def db_path(args: argparse.Namespace) -> Path:
    if getattr(args, "db", None):
        return Path(args.db)
    if getattr(args, "demo", False):
        return paths.demo_db_path()
    return paths.default_db_path()


def open_db(args: argparse.Namespace, *, must_exist: bool = True) -> Database:
    path = db_path(args)
    if must_exist and not path.exists():
        raise CliError(
            f"{path}: no database here; create one with 'inspector-app demo --db {path}' "
            "or start the app"
        )
    user = getattr(args, "user", None) or ""
    if not is_encrypted(path):
        return open_database(path, user=user)
    # Sign in: the passphrase opens the user's key slot; a wrong one, a locked or an
    # unknown account is one line (exit 2) and nothing is written to the database.
    if not user:
        raise CliError(f"{path}: encrypted: sign in with --user NAME (and the passphrase)")
    passphrase = read_passphrase(args, f"Passphrase for {user}: ")
    return sign_in(path, user, passphrase)


def _first_line(path: str, what: str) -> str:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"{path}: cannot read the {what} ({getattr(exc, 'strerror', None) or exc})"
                       ) from None  # fmt: skip
    line = text.splitlines()[0] if text else ""
    if not line:
        raise CliError(f"{path}: the {what} is empty; its first line is the passphrase")
    return line


def read_passphrase(
    args: argparse.Namespace, prompt: str, *, option: str = "passphrase_file"
) -> str:
    """--passphrase-file FILE (first line, without its newline), else the file named by
    INSPECTOR_PASSPHRASE_FILE, else asked on a terminal (getpass), else a one-line error."""
    given = getattr(args, option, None)
    if given:
        return _first_line(given, "passphrase file")
    if option == "passphrase_file" and os.environ.get(PASSPHRASE_ENV):
        return _first_line(os.environ[PASSPHRASE_ENV], f"passphrase file ({PASSPHRASE_ENV})")
    if sys.stdin.isatty():
        try:
            answer = getpass.getpass(prompt)
        except EOFError:
            answer = ""
        if answer:
            return answer
        raise CliError("no passphrase given")
    flag = "--" + option.replace("_", "-")
    raise CliError(f"a passphrase is needed: give {flag} FILE or set {PASSPHRASE_ENV} "
                   "(no terminal to ask on)")  # fmt: skip


def resolve(db: Database, kind: str, text: str, what: str) -> str:
    """Turn an id or unique id prefix into the full id, or fail in one line."""
    if not _ID_TEXT.fullmatch(text.strip().lower()):
        raise CliError(f"no {what} with id {text!r}: ids are made of 0-9, a-f and '-'; "
                       "list them with 'inspector-app reviews'")  # fmt: skip
    ids = ids_matching(db, kind, text)
    if not ids:
        raise CliError(f"no {what} with id {text!r}; list them with 'inspector-app reviews'")
    if len(ids) > 1:
        raise CliError(f"{what} id {text!r} is ambiguous; give more characters")
    return ids[0]


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")
