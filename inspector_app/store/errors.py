"""Known database conditions, each with a one-line message for the user.

Anything else raised by SQLite is a bug and surfaces as one (qutebrowser sorts its
SQLite errors the same way).
"""

from __future__ import annotations

import shutil
from pathlib import Path


class DatabaseProblem(Exception):
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


def classify(path: Path | str, exc: BaseException) -> DatabaseProblem | None:
    """Map a sqlite3 / SQLAlchemy error to a known problem, or None for a bug."""
    text = str(getattr(exc, "orig", exc)).lower()
    if "database is locked" in text or "database is busy" in text:
        return DatabaseLocked(path)
    if "disk is full" in text or "database or disk is full" in text:
        return DiskFull(path)
    if "disk i/o error" in text:
        return DiskFull(path) if _nearly_full(Path(path)) else DiskError(path)
    if "file is not a database" in text:
        return NotADatabase(path)
    if "malformed" in text or "disk image" in text:
        return CorruptDatabase(path)
    if "unable to open" in text or "readonly" in text or "read-only" in text:
        return CannotOpen(path, text)
    return None
