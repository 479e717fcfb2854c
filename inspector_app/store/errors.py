"""Known database conditions, each with a one-line message for the user.

SQLite errors are sorted by their result code (`sqlite_errorcode`), not their
wording; anything not listed is a bug and surfaces as one (qutebrowser sorts its
SQLite errors the same way).
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from inspector_app.domain.errors import KnownError


class DatabaseProblem(KnownError):
    """A condition the user can act on. str() is the one line to show."""

    def __init__(self, path: Path | str, message: str):
        self.path = Path(path)
        super().__init__(f"{path}: {message}")


NOT_SQLITE = "not a SQLite file"
FOREIGN = "a SQLite file of another application"


class NotADatabase(DatabaseProblem):
    def __init__(self, path: Path | str, detail: str = NOT_SQLITE):
        super().__init__(
            path, f"not an Inspector database ({detail}); choose another file with --db"
        )


class NotAFolder(DatabaseProblem):
    """`backups` or `<name>-files` beside the database is a file, where a folder belongs."""

    def __init__(self, path: Path | str, holds: str):
        super().__init__(
            path,
            f"Inspector keeps {holds} in a folder of this name, but this is a file; "
            "rename or move it, then try again",
        )


class CorruptDatabase(DatabaseProblem):
    def __init__(self, path: Path | str, detail: str = ""):
        # quick_check reports many lines ("*** in database main ***", then one per
        # problem): the first problem is enough for a one-line message.
        lines = [ln.strip() for ln in detail.splitlines() if ln.strip() and "***" not in ln]
        detail = lines[0][:120] if lines else ""
        extra = f" ({detail})" if detail else ""
        super().__init__(
            path,
            f"the database is damaged{extra}; restore the latest backup from the "
            "backups/ folder beside it, or open another file with --db",
        )


class DamageFound(CorruptDatabase):
    """Damage found in an open database: writes stop, the last good backup is named."""

    def __init__(self, path: Path | str, detail: str, last_backup: Path | None):
        self.detail, self.last_backup = detail, last_backup
        lines = [ln.strip() for ln in detail.splitlines() if ln.strip() and "***" not in ln]
        extra = f" ({lines[0][:120]})" if lines else ""
        restore = (
            f"restore the last good backup, {last_backup}"
            if last_backup
            else "there is no backup of it; copy the file somewhere safe"
        )
        DatabaseProblem.__init__(
            self, path, f"the database is damaged{extra}; nothing more is saved to it; {restore}"
        )


class SchemaVersionMissing(DatabaseProblem):
    def __init__(self, path: Path | str, backups: Path):
        super().__init__(
            path,
            "the schema version of this Inspector database is missing or damaged; "
            f"restore the latest backup from {backups}",
        )


class FileGone(DatabaseProblem):
    def __init__(self, path: Path | str):
        super().__init__(
            path,
            "the database file was moved or deleted while open; nothing more is saved; "
            "put it back (or restore the latest backup) and open it again",
        )


class DatabaseTooNew(DatabaseProblem):
    def __init__(self, path: Path | str, revision: str):
        super().__init__(
            path,
            f"the database was written by a newer Inspector (schema {revision}); "
            "update the app before opening it",
        )


class DatabaseLocked(DatabaseProblem):
    def __init__(self, path: Path | str):
        super().__init__(path, "the database is busy in another program; close it and try again")


class DiskFull(DatabaseProblem):
    def __init__(self, path: Path | str, writing: str = ""):
        what = f" while writing {writing}" if writing else ""
        super().__init__(path, f"the disk is full{what}; free some space and try again")


class BackupFailed(DatabaseProblem):
    def __init__(self, path: Path | str, detail: str):
        super().__init__(
            path,
            f"could not write this backup ({detail}); the database itself is unchanged; "
            "check the backups folder and try again",
        )


class DiskError(DatabaseProblem):
    def __init__(self, path: Path | str):
        super().__init__(
            path,
            "the disk could not be read or written (disk I/O error); check the disk and its "
            "free space, then try again",
        )


class CannotOpen(DatabaseProblem):
    def __init__(self, path: Path | str, detail: str):
        super().__init__(
            path, f"cannot open the database ({detail}); check the path and permissions"
        )


def _nearly_full(path: Path) -> bool:
    """SQLite says "disk I/O error" when it cannot grow its -shm on a full disk."""
    try:
        return shutil.disk_usage(path.parent).free < 1024 * 1024
    except OSError:
        return False


def sqlite_code(exc: BaseException) -> int | None:
    """The primary SQLite result code of a sqlite3 error (or SQLAlchemy's wrapper of one).

    None when the error did not come from SQLite itself (e.g. a closed connection).
    Extended codes (SQLITE_IOERR_SHMSIZE, ...) keep the primary code in their low byte.
    """
    code = getattr(getattr(exc, "orig", exc), "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def _sqlite_text(exc: BaseException) -> str:
    return str(getattr(exc, "orig", exc))


_BY_CODE = {
    sqlite3.SQLITE_BUSY: "locked",
    sqlite3.SQLITE_LOCKED: "locked",
    sqlite3.SQLITE_FULL: "full",
    sqlite3.SQLITE_NOTADB: "notadb",
    sqlite3.SQLITE_CORRUPT: "corrupt",
    sqlite3.SQLITE_CANTOPEN: "cantopen",
    sqlite3.SQLITE_READONLY: "cantopen",
    sqlite3.SQLITE_PERM: "cantopen",
    sqlite3.SQLITE_IOERR: "ioerr",
}

# Only for errors that carry no code (raised by the driver, or by an older Python).
_BY_TEXT = (
    (("database is locked", "database is busy", "database table is locked"), "locked"),
    (("database or disk is full", "disk is full"), "full"),
    (("disk i/o error",), "ioerr"),
    (("file is not a database",), "notadb"),
    (("malformed", "disk image"), "corrupt"),
    (("unable to open", "readonly", "read-only"), "cantopen"),
)


def _kind(exc: BaseException) -> str | None:
    code = sqlite_code(exc)
    if code is not None:
        return _BY_CODE.get(code)
    text = _sqlite_text(exc).lower()
    return next((kind for needles, kind in _BY_TEXT if any(n in text for n in needles)), None)


def is_damage(exc: BaseException) -> bool:
    """The file is not a (whole) database: SQLITE_CORRUPT or SQLITE_NOTADB."""
    return _kind(exc) in ("corrupt", "notadb")


def classify(path: Path | str, exc: BaseException) -> DatabaseProblem | None:
    """Map a sqlite3 / SQLAlchemy error to a known problem, or None for a bug."""
    kind = _kind(exc)
    if kind == "locked":
        return DatabaseLocked(path)
    if kind == "full":
        return DiskFull(path)
    if kind == "notadb":
        return NotADatabase(path)
    if kind == "corrupt":
        return CorruptDatabase(path)
    if kind == "cantopen":
        return CannotOpen(path, _sqlite_text(exc))
    if kind == "ioerr":
        return _io_problem(Path(path), exc)
    return None


def _io_problem(path: Path, exc: BaseException) -> DatabaseProblem:
    """SQLITE_IOERR_*: a full disk shows up as one of these when SQLite cannot grow a file
    (its -shm at open, the -wal on commit), so free space decides; a file system that
    reports damage is a damaged database; anything else is the disk itself."""
    if _nearly_full(path):
        return DiskFull(path)
    extended = getattr(getattr(exc, "orig", exc), "sqlite_errorcode", None)
    if extended == sqlite3.SQLITE_IOERR_CORRUPTFS:
        return CorruptDatabase(path, "the file system reports damage")
    return DiskError(path)
