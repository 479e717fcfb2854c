"""Encrypting a database and changing a passphrase (docs/security.md)."""

from __future__ import annotations

import argparse

from inspector_app.services.encryption import (
    change_passphrase,
    check_new_passphrase,
    encrypt_database,
    is_encrypted,
)

from .common import CliError, db_path, mark_completed, out, read_passphrase


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "encrypt", parents=[common],
        help="encrypt a plaintext database and its files in place (the first account: "
        "--user, roles inspector and admin)",
    )  # fmt: skip
    p.set_defaults(func=cmd_encrypt)

    p = sub.add_parser("change-passphrase", parents=[common],
                       help="change --user's passphrase (old from --passphrase-file)")  # fmt: skip
    p.add_argument("--new-passphrase-file", metavar="FILE",
                   help="the new passphrase: the file's first line (else asked twice)")  # fmt: skip
    p.set_defaults(func=cmd_change_passphrase)


def _new_passphrase(args: argparse.Namespace, option: str) -> str:
    first = read_passphrase(args, "New passphrase: ", option=option)
    if getattr(args, option, None) is None and option == "new_passphrase_file":
        again = read_passphrase(args, "Same again: ", option=option)
        if again != first:
            raise CliError("the two passphrases differ; nothing was changed")
    check_new_passphrase(first)  # before anything is read or written
    return first


def cmd_encrypt(args: argparse.Namespace) -> int:
    path = db_path(args)
    if not path.exists():
        raise CliError(f"{path}: no database here; nothing to encrypt")
    if is_encrypted(path):
        raise CliError(f"{path}: already encrypted; use 'inspector-app change-passphrase'")
    if not args.user:
        raise CliError("give --user NAME: the first account of the encrypted database")
    passphrase = _new_passphrase(args, "passphrase_file")
    encrypt_database(path, name=args.user, passphrase=passphrase)
    mark_completed(args, f"the encryption of {path}")
    out(f"Encrypted {path} and its files; sign in as {args.user} "
        f"(key file {path.name}.keys beside it: back it up with the database)")  # fmt: skip
    return 0


def cmd_change_passphrase(args: argparse.Namespace) -> int:
    path = db_path(args)
    if not is_encrypted(path):
        raise CliError(f"{path}: not encrypted; encrypt it with 'inspector-app encrypt'")
    if not args.user:
        raise CliError("give --user NAME: whose passphrase to change")
    old = read_passphrase(args, f"Current passphrase for {args.user}: ")
    new = _new_passphrase(args, "new_passphrase_file")
    change_passphrase(path, args.user, old, new)
    mark_completed(args, f"the new passphrase of {args.user}")
    out(f"Passphrase changed for {args.user}")
    return 0
