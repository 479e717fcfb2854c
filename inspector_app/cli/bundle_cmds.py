"""Air-gapped transfer: bundle export / import / upload (services/sync/bundles.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

from inspector_app.services.sync.bundles import export_bundle, import_bundle, upload_bundle

from .common import CliError, mark_completed, open_db


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("bundle", parents=[common],
                       help="carry changes on approved media where no network is allowed")  # fmt: skip
    inner = p.add_subparsers(dest="bundle_command", metavar="export|import|upload",
                             required=True)  # fmt: skip
    e = inner.add_parser("export", parents=[common],
                         help="write every change waiting to be synced, with its files, to FILE")  # fmt: skip
    e.add_argument("--out", metavar="FILE", required=True, type=Path)
    e.set_defaults(func=cmd_export)
    i = inner.add_parser("import", parents=[common],
                         help="apply another laptop's bundle to this database (same merge as sync)")  # fmt: skip
    i.add_argument("file", metavar="FILE", type=Path)
    i.set_defaults(func=cmd_import)
    u = inner.add_parser("upload", parents=[common],
                         help="send a bundle to the server this laptop syncs with")  # fmt: skip
    u.add_argument("file", metavar="FILE", type=Path)
    u.set_defaults(func=cmd_upload)


def cmd_export(args: argparse.Namespace) -> int:
    out: Path = args.out
    if out.is_dir():
        raise CliError(f"{out}: is a folder; give a file name, e.g. {out / 'changes.bundle'}")
    if not out.parent.is_dir():
        raise CliError(f"{out.parent}: no such folder")
    db = open_db(args)
    try:
        report = export_bundle(db, out)
    finally:
        db.close()
    mark_completed(args, f"bundle {out}")
    print(f"wrote {report.path}: {report.changes:,} changes, {report.files:,} files, "
          f"{report.size:,} bytes (signed by this laptop)")  # fmt: skip
    print("the changes stay waiting until a sync or the server's import acknowledges them")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    db = open_db(args)
    try:
        report = import_bundle(db, args.file)
    finally:
        db.close()
    mark_completed(args, f"bundle import {args.file}")
    print(f"imported {report.path}, signed by {report.signed_by}: {report.applied:,} applied, "
          f"{report.unchanged:,} already here, {report.conflicts:,} new conflicts, "
          f"{report.files:,} files")  # fmt: skip
    if report.conflicts:
        print("see them with: inspector-app conflicts")
    return 0


def cmd_upload(args: argparse.Namespace) -> int:
    db = open_db(args)
    try:
        report = upload_bundle(db, args.file)
    finally:
        db.close()
    print(f"{report.server}: {report.changes:,} changes: {report.applied:,} applied, "
          f"{report.duplicates:,} already there, {report.conflicts:,} conflicts")  # fmt: skip
    return 0
