"""Database files written all or nothing: built in a folder beside the target, then
renamed into place.

A demo (or a first import into a new file) takes seconds; Ctrl-C, a full disk or a
cancelled progress dialog in the middle must not leave a half-filled database that a
rerun then refuses as "already holds data". So the new file is built in a temporary
folder `.<stem>-building-*` beside the target, with its own `<stem>-files/` folder, and
only a complete file is renamed over the target. On any failure the temporary folder
is removed and the target is as it was.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TypeVar

from inspector_app.store.database import Database, backup_to, open_database
from inspector_app.store.errors import DatabaseProblem, DiskFull, classify
from inspector_app.store.models import Agency
from inspector_app.store.queries import count_rows

from .demo import DemoSummary, Progress, seed_demo
from .errors import ServiceError

T = TypeVar("T")


class TargetHoldsData(ServiceError):
    """The target already holds data and the caller did not ask to add to it."""

    def __init__(self, path: Path):
        self.path = path
        super().__init__(f"{path}: already holds data; choose a new or empty database")


class TargetInUse(ServiceError):
    def __init__(self, path: Path):
        self.path = path
        super().__init__(f"{path}: is open in another program (its -wal file is there); "
                         "close it and try again")  # fmt: skip


def _has_data(db: Database) -> bool:
    with db.read() as s:
        return bool(count_rows(s, Agency))


def holds_data(path: Path) -> bool:
    """True when `path` is an Inspector database with agencies in it."""
    if not path.exists():
        return False
    db = open_database(path, daily_backup=False)
    try:
        return _has_data(db)
    finally:
        db.close()


class NotAFolder(ServiceError):
    def __init__(self, blocker: Path, path: Path):
        self.path = path
        super().__init__(f"{blocker}: is a file, not a folder, so {path.name} cannot be "
                         "made inside it; choose another path")  # fmt: skip


def _check_parents(path: Path) -> None:
    """The nearest existing folder above `path` must be a folder (not a plain file)."""
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise NotAFolder(parent, path)
            return


def _missing_parents(path: Path) -> list[Path]:
    """The folders above `path` that do not exist yet, deepest first."""
    return [p for p in path.parents if not p.exists()]


def _files_dir(db_path: Path) -> Path:
    return db_path.parent / f"{db_path.stem}-files"


def _copy_into(source: Database, temp: Path) -> None:
    """Start from a consistent copy of `source` (and its attachments) to add to it."""
    backup_to(source.engine, temp)
    if source.attachments_dir.is_dir():
        shutil.copytree(source.attachments_dir, _files_dir(temp))


def _swap_into_place(temp: Path, path: Path, work: Path) -> None:
    """Rename the built file and its -files folder over the target; undo on failure."""
    if path.with_name(path.name + "-wal").exists():
        raise TargetInUse(path)
    new_files, target_files, old_files = _files_dir(temp), _files_dir(path), work / "replaced-files"
    done: list[str] = []
    try:
        if target_files.exists():
            os.rename(target_files, old_files)
            done.append("old")
        if new_files.exists():
            os.rename(new_files, target_files)
            done.append("new")
        os.replace(temp, path)  # the one step that makes the new database real
    except BaseException:
        if "new" in done:
            os.rename(target_files, new_files)
        if "old" in done:
            os.rename(old_files, target_files)
        raise


def _build_in(temp: Path, path: Path, build: Callable[[Database], T], user: str) -> T:
    """Run `build` on the file being built; its problems name the target, not the temp."""
    try:
        db = open_database(temp, user=user, daily_backup=False)
        try:
            return build(db)
        finally:
            db.close()  # the last connection closing folds the -wal into the file
    except DiskFull as exc:
        raise DiskFull(path) from exc
    except DatabaseProblem as exc:
        message = str(exc).removeprefix(f"{temp}: ")
        raise DatabaseProblem(path, message) from exc
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise DiskFull(path) from exc
        raise
    except Exception as exc:  # SQLite's own "database or disk is full" and the like
        problem = classify(path, exc) if _from_sqlite(exc) else None
        if problem is not None:
            raise problem from exc
        raise


def _from_sqlite(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.Error) or isinstance(getattr(exc, "orig", None), sqlite3.Error)


def _rebind(db: Database) -> None:
    """Point an open Database at the new file at its path, as opening it would: opened
    without a name, it is signed in as the name the new file records (the demo's
    inspector), as the next start would be."""
    fresh = open_database(db.path, user=db.user, daily_backup=False)
    for f in dataclasses.fields(db):
        if f.name not in ("path", "user", "listeners"):
            setattr(db, f.name, getattr(fresh, f.name))
    db.user = db.user or fresh.user


def build_database(
    path: Path | str,
    build: Callable[[Database], T],
    *,
    user: str = "",
    add_to_existing: bool = False,
    replacing: Database | None = None,
) -> T:
    """Run `build` on a new database and rename it to `path` only once `build` returned.

    With `add_to_existing`, `build` works on a copy of the file at `path` instead.
    `replacing` is a Database already open on `path` (the desktop's first run): its
    connections are closed before the rename and reopen on the new file afterwards.
    """
    path = Path(path).expanduser()
    _check_parents(path)
    created = _missing_parents(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{path.stem}-building-", dir=path.parent))
    try:
        temp = work / path.name
        if add_to_existing and path.exists():
            source = replacing or open_database(path, daily_backup=False)
            try:
                _copy_into(source, temp)
            finally:
                if replacing is None:
                    source.close()
        result = _build_in(temp, path, build, user)
        if replacing is not None:
            replacing.close()
        _swap_into_place(temp, path, work)
        if replacing is not None:
            _rebind(replacing)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        for folder in created:
            with contextlib.suppress(OSError):  # only folders made here, and only if empty
                folder.rmdir()
        raise
    shutil.rmtree(work, ignore_errors=True)
    return result


def create_demo_database(
    path: Path | str,
    *,
    user: str = "",
    today: date | None = None,
    progress: Progress | None = None,
    force: bool = False,
    replacing: Database | None = None,
) -> DemoSummary:
    """Write the demo program to `path`, all or nothing.

    Refuses (TargetHoldsData) a file that already holds data unless `force`, which adds
    the demo to a copy of it. Ctrl-C or an error leaves `path` as it was.
    """
    path = Path(path).expanduser()
    existing = _has_data(replacing) if replacing is not None else holds_data(path)
    if existing and not force:
        raise TargetHoldsData(path)
    return build_database(
        path, lambda db: seed_demo(db, today=today, progress=progress),
        user=user, add_to_existing=existing, replacing=replacing,
    )  # fmt: skip
