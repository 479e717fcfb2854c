"""What every subcommand shares: opening the database and failing in one line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from inspector_app import paths
from inspector_app.store.database import Database, open_database
from inspector_app.store.models import SyncFields
from inspector_app.store.queries import resolve_id


class CliError(Exception):
    """A user error: printed as one line on stderr, exit status 2."""


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
    return open_database(path, user=getattr(args, "user", None) or "")


def resolve(db: Database, model: type[SyncFields], text: str, what: str) -> str:
    """Turn an id or unique id prefix into the full id, or fail in one line."""
    with db.read() as s:
        ids = resolve_id(s, model, text)
    if not ids:
        raise CliError(f"no {what} with id {text!r}; list them with 'inspector-app reviews'")
    if len(ids) > 1:
        raise CliError(f"{what} id {text!r} is ambiguous; give more characters")
    return ids[0]


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")
