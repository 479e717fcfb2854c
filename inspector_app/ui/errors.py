"""Known errors vs bugs, for every UI handler.

A known error (`KNOWN_ERRORS`: anything deriving from domain.errors.KnownError, i.e.
DatabaseProblem, ServiceError, FormError, plus OSError for files) is shown as its one
line. Anything else is a bug: its traceback goes to the log file in the data folder
and the user sees a short "unexpected error, logged to <file>".
"""

from __future__ import annotations

import logging
from pathlib import Path

from inspector_app import paths
from inspector_app.domain.errors import KnownError

# What a handler may catch and show as is. OSError: a file could not be read/written.
KNOWN_ERRORS: tuple[type[BaseException], ...] = (KnownError, OSError)

log = logging.getLogger("inspector_app")


def log_path() -> Path:
    return paths.data_dir() / "logs" / "errors.log"


def setup_logging() -> Path | None:
    """Log warnings and errors to errors.log in the data folder (once per process).
    Returns the file, or None when it cannot be written (then nothing is logged)."""
    path = log_path()
    for h in log.handlers:
        if isinstance(h, logging.FileHandler) and Path(h.baseFilename) == path:
            return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, encoding="utf-8", delay=True)
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("--- %(asctime)s %(levelname)s %(name)s\n%(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.WARNING)
    return path


def is_known(exc: BaseException) -> bool:
    return isinstance(exc, KNOWN_ERRORS)


def log_unexpected(exc: BaseException, context: str = "") -> Path | None:
    """Write a bug's traceback to the log; returns the log file (None if unwritable)."""
    path = setup_logging()
    log.error("unexpected error%s", f" ({context})" if context else "", exc_info=exc)
    return path


def error_text(exc: BaseException, context: str = "") -> str:
    """The one line to show: a known error's message; a bug is logged first."""
    if is_known(exc):
        return str(exc)
    # a worker has logged it already (tasks.Task.run)
    logged = exc.logged_to if hasattr(exc, "logged_to") else log_unexpected(exc, context)
    where = f", logged to {logged}" if logged else ""
    return f"Unexpected error ({type(exc).__name__}){where}"
