"""Known database conditions, each with a one-line message for the user.

Anything else raised by SQLite is a bug and surfaces as one (qutebrowser sorts its
SQLite errors the same way).
"""

from __future__ import annotations

from pathlib import Path


class DatabaseProblem(Exception):
    """A condition the user can act on. str() is the one line to show."""

    def __init__(self, path: Path | str, message: str):
        self.path = Path(path)
        super().__init__(f"{path}: {message}")


class NotADatabase(DatabaseProblem):
    def __init__(self, path: Path | str):
        super().__init__(
            path, "not an Inspector database (not a SQLite file); choose another file with --db"
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
    def __init__(self, path: Path | str):
        super().__init__(path, "the disk is full; free some space and try again")


class CannotOpen(DatabaseProblem):
    def __init__(self, path: Path | str, detail: str):
        super().__init__(
            path, f"cannot open the database ({detail}); check the path and permissions"
        )


def classify(path: Path | str, exc: BaseException) -> DatabaseProblem | None:
    """Map a sqlite3 / SQLAlchemy error to a known problem, or None for a bug."""
    text = str(getattr(exc, "orig", exc)).lower()
    if "database is locked" in text or "database is busy" in text:
        return DatabaseLocked(path)
    if "disk is full" in text or "database or disk is full" in text:
        return DiskFull(path)
    if "file is not a database" in text:
        return NotADatabase(path)
    if "malformed" in text or "disk image" in text:
        return CorruptDatabase(path)
    if "unable to open" in text or "readonly" in text or "read-only" in text:
        return CannotOpen(path, text)
    return None
