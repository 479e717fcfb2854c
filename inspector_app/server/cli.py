"""`inspector-app serve` and `inspector-app server user ...`: the central service's
command line. Every failure is one line on stderr and exit status 2."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from inspector_app.domain.sync import ROLES

from .problems import ProblemError


class _Failed(Exception):
    """A one-line failure of a command."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _Failed(f"{self.prog}: {message}")


def _parser() -> argparse.ArgumentParser:
    top = _Parser(prog="inspector-app", description="The Inspector sync service.")
    commands = top.add_subparsers(dest="command", required=True, parser_class=_Parser)
    serve = commands.add_parser("serve", help="run the sync service")
    serve.add_argument("--db", required=True, help="database URL, or a path (a SQLite file)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8750)
    serve.add_argument("--tls-cert", type=Path)
    serve.add_argument("--tls-key", type=Path)
    server = commands.add_parser("server", help="manage the service")
    user = server.add_subparsers(dest="what", required=True, parser_class=_Parser).add_parser(
        "user", help="users and enrollment tokens"
    )
    actions = user.add_subparsers(dest="action", required=True, parser_class=_Parser)
    add = actions.add_parser("add", help="add a user; prints a one-time enrollment token")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--field-office", default="")
    for name, text in (
        ("list", "list users"),
        ("disable", "disable a user"),
        ("token", "a new enrollment token for a user"),
    ):
        sub = actions.add_parser(name, help=text)
        if name != "list":
            sub.add_argument("name")
    for sub in (add, *(actions.choices[n] for n in ("list", "disable", "token"))):
        sub.add_argument("--db", required=True, help="database URL, or a path (a SQLite file)")
    return top


def _safe_url(db: str) -> str:
    try:
        return make_url(db).render_as_string(hide_password=True) if "://" in db else db
    except Exception:  # noqa: BLE001
        return "the database"


def _open(db: str) -> Engine:
    from .migrate import open_storage

    if not db.strip():
        raise _Failed("--db needs a database URL or a path")
    try:
        return open_storage(db)
    except SQLAlchemyError as exc:
        cause = getattr(exc, "orig", None) or exc
        first = str(cause).strip().splitlines()
        raise _Failed(f"cannot open {_safe_url(db)}: {first[0] if first else exc}") from None
    except Exception as exc:  # noqa: BLE001  (a bad URL, a missing driver...)
        raise _Failed(f"cannot open {_safe_url(db)}: {exc}") from None


def _serve(args: argparse.Namespace) -> int:
    for flag, path in (("--tls-cert", args.tls_cert), ("--tls-key", args.tls_key)):
        if path is not None and not path.is_file():
            raise _Failed(f"{flag}: no such file: {path}")
    if (args.tls_cert is None) != (args.tls_key is None):
        raise _Failed("--tls-cert and --tls-key go together")
    import uvicorn

    from .app import create_app

    _open(args.db).dispose()  # migrations and a reachable database, before listening
    app = create_app(args.db)
    scheme = "https" if args.tls_cert else "http"
    print(
        f"Inspector sync service listening on {scheme}://{args.host}:{args.port}/v1 "
        f"(database: {_safe_url(args.db)})",
        flush=True,
    )
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        ssl_certfile=str(args.tls_cert) if args.tls_cert else None,
        ssl_keyfile=str(args.tls_key) if args.tls_key else None,
        log_level="warning",
    )
    return 0


def _user(args: argparse.Namespace) -> int:
    from . import users

    engine = _open(args.db)
    try:
        if args.action == "add":
            added = users.add_user(
                engine,
                users.NewUser(name=args.name, role=args.role, field_office=args.field_office),
            )
            office = f", field office {added.user.field_office}" if added.user.field_office else ""
            print(f"Added {added.user.name} ({added.user.role}{office}).")
            print("One-time enrollment token (give it to the user; it is shown only once):")
            print(added.enrollment_token)
        elif args.action == "list":
            for u in users.list_users(engine):
                state = " (disabled)" if u.disabled else ""
                print(f"{u.name}\t{u.role}\t{u.field_office or '-'}{state}")
        elif args.action == "disable":
            print(f"Disabled {users.disable_user(engine, args.name).name}.")
        else:
            token = users.enrollment_token(engine, args.name)
            print(f"New one-time enrollment token for {token.user}:")
            print(token.enrollment_token)
    finally:
        engine.dispose()
    return 0


def main(argv: list[str]) -> int:
    try:
        args = _parser().parse_args(argv)
        return _serve(args) if args.command == "serve" else _user(args)
    except _Failed as exc:
        print(f"inspector-app: {exc}", file=sys.stderr)
    except ProblemError as exc:
        print(f"inspector-app: {exc.detail}", file=sys.stderr)
    except SQLAlchemyError as exc:
        print(f"inspector-app: database: {str(exc).splitlines()[0]}", file=sys.stderr)
    except OSError as exc:
        print(f"inspector-app: {exc}", file=sys.stderr)
    except KeyboardInterrupt:
        return 130
    return 2
