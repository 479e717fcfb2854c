"""Accounts of an encrypted database (docs/security.md, "People and roles"): list, add,
disable, roles. Every command signs in (--user NAME and the passphrase) as an admin."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from inspector_app.services import accounts
from inspector_app.store.database import Database

from .common import CliError, mark_completed, open_db, out, read_passphrase

ROLE_HELP = "a role: inspector, supervisor, program-manager or admin (repeat for more)"


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("account", help="list, add or disable accounts, or set their roles "
                       "(an encrypted database; sign in as an admin)")  # fmt: skip
    actions = p.add_subparsers(dest="account_action", metavar="ACTION", required=True,
                               parser_class=type(p))  # fmt: skip

    a = actions.add_parser("list", parents=[common], help="every account, its roles and state")
    a.set_defaults(func=cmd_list)

    a = actions.add_parser("add", parents=[common], help="add an account with its roles")
    a.add_argument("name", metavar="NAME")
    a.add_argument("--role", action="append", required=True, metavar="ROLE", help=ROLE_HELP)
    a.add_argument("--new-passphrase-file", metavar="FILE",
                   help="the new account's passphrase (at least 12 characters): the file's "
                   "first line (else asked twice)")  # fmt: skip
    a.set_defaults(func=cmd_add)

    a = actions.add_parser("disable", parents=[common], help="stop an account signing in")
    a.add_argument("name", metavar="NAME")
    a.set_defaults(func=cmd_disable)

    a = actions.add_parser("roles", parents=[common], help="replace an account's roles")
    a.add_argument("name", metavar="NAME")
    a.add_argument("--role", action="append", required=True, metavar="ROLE", help=ROLE_HELP)
    a.set_defaults(func=cmd_roles)


def _admin_db(args: argparse.Namespace) -> Database:
    """Signed in, and an admin (refusals audited); a plaintext database has no accounts."""
    db = open_db(args)
    try:
        if db.roles is None:
            raise accounts.NoAccounts(db.path)
        accounts.require(db, "manage_accounts")
    except BaseException:
        db.close()
        raise
    return db


def _state(view: accounts.AccountView) -> str:
    if view.disabled:
        return "disabled"
    if view.locked_until is not None and view.locked_until > datetime.now(UTC):
        return f"locked until {view.locked_until:%Y-%m-%d %H:%M} UTC"
    return "active"


def cmd_list(args: argparse.Namespace) -> int:
    db = _admin_db(args)
    try:
        views = accounts.list_accounts(db)
    finally:
        db.close()
    width = max((len(v.name) for v in views), default=4)
    for v in views:
        out(f"{v.name:<{width}}  {', '.join(sorted(v.roles)):<38}  {_state(v)}  "
            f"(since {v.created_at:%Y-%m-%d})")  # fmt: skip
    return 0


def _new_passphrase(args: argparse.Namespace) -> str:
    prompt = f"Passphrase for the new account {args.name}: "
    first = read_passphrase(args, prompt, option="new_passphrase_file")
    if args.new_passphrase_file is None:
        again = read_passphrase(args, "Same again: ", option="new_passphrase_file")
        if again != first:
            raise CliError("the two passphrases differ; the account was not added")
    return first


def cmd_add(args: argparse.Namespace) -> int:
    db = _admin_db(args)
    try:
        accounts.add_account(db, args.name, _new_passphrase(args), args.role)
    finally:
        db.close()
    mark_completed(args, f"the account {args.name}")
    out(f"Added {args.name} ({', '.join(sorted(set(args.role)))})")
    return 0


def cmd_disable(args: argparse.Namespace) -> int:
    db = _admin_db(args)
    try:
        accounts.disable_account(db, args.name)
    finally:
        db.close()
    mark_completed(args, f"disabling {args.name}")
    out(f"Disabled {args.name}: the account can no longer sign in")
    return 0


def cmd_roles(args: argparse.Namespace) -> int:
    db = _admin_db(args)
    try:
        accounts.set_roles(db, args.name, args.role)
    finally:
        db.close()
    mark_completed(args, f"the roles of {args.name}")
    out(f"{args.name}: {', '.join(sorted(set(args.role)))}")
    return 0
