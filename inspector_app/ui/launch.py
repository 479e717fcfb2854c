"""Starting the desktop app: options, display check, database, first run, main window.

Known conditions end in one line (and a message box once Qt is up) with exit status
2: no display, a database that cannot be opened. Anything unexpected later is shown
in a dialog with the details folded away and written to a log in the data folder.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from inspector_app import paths
from inspector_app.domain.errors import KnownError
from inspector_app.store.database import Database, open_database
from inspector_app.store.errors import DatabaseProblem

from .errors import log_path  # one log for the crash hook and the handlers

EXIT_PROBLEM = 2
NO_DISPLAY = (
    "inspector-app: no display found (DISPLAY and WAYLAND_DISPLAY are not set), so the "
    "window cannot open; the command line works without one (inspector-app --help), and "
    "'python -m inspector_app.ui.gallery OUTDIR' saves pictures of every view"
)


def parse_options(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="inspector-app", add_help=False)
    parser.add_argument("--db", metavar="PATH")
    parser.add_argument("--demo", action="store_true")
    parser.add_argument("--user", metavar="NAME")
    return parser.parse_args(argv)


def has_display(environ: dict[str, str] | os._Environ = os.environ,
                platform: str = sys.platform) -> bool:  # fmt: skip
    """On Linux a window needs X11 or Wayland, unless a Qt platform is chosen explicitly."""
    if not platform.startswith("linux"):
        return True
    return any(environ.get(k) for k in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def write_log(text: str) -> Path | None:
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(f"--- {datetime.now(UTC).isoformat(timespec='seconds')}\n{text}\n")
    except OSError:
        return None
    return path


def show_unexpected(exc_type: type[BaseException], exc: BaseException,
                    tb: TracebackType | None) -> None:  # fmt: skip
    """sys.excepthook: a dialog for the user, the traceback in the log (never lost)."""
    from .qt import QApplication, QMessageBox

    if isinstance(exc, KnownError):
        # A known condition escaped a handler: one line is all the user needs.
        sys.stderr.write(f"inspector-app: {exc}\n")
        if QApplication.instance() is not None:
            QMessageBox.warning(None, "Inspector", str(exc))
        return
    details = "".join(traceback.format_exception(exc_type, exc, tb))
    logged = write_log(details)
    sys.stderr.write(f"inspector-app: unexpected error: {exc_type.__name__}: {exc}"
                     f"{f' (logged to {logged})' if logged else ''}\n")  # fmt: skip
    if QApplication.instance() is None:
        return
    box = QMessageBox(QMessageBox.Icon.Critical, "Unexpected error",
                      f"Something went wrong: {exc_type.__name__}: {exc}")  # fmt: skip
    box.setInformativeText(
        "Your work up to the last change is saved. "
        + (f"The details were written to {logged}." if logged else "")
    )
    box.setDetailedText(details)  # folded away behind "Show Details…"
    box.exec()


def install_excepthook() -> None:
    sys.excepthook = show_unexpected


def _style_sheet() -> str:
    path = paths.resources_dir() / "style.qss"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


def make_application() -> object:
    from .qt import QApplication

    running = QApplication.instance()  # typed as the QCoreApplication it derives from
    app = (running if isinstance(running, QApplication)
           else QApplication([sys.argv[0] if sys.argv else "inspector-app"]))  # fmt: skip
    app.setApplicationName("Inspector")
    app.setOrganizationName("287g-Oversight")
    app.setStyle("Fusion")  # the same look on every platform; the style sheet is small
    app.setStyleSheet(_style_sheet())
    return app


def _open(path: Path, user: str) -> Database | None:
    """The database to work on: an encrypted one after signing in (None: Quit)."""
    from inspector_app.services.encryption import is_encrypted

    if is_encrypted(path):
        from .sign_in_dialog import sign_in_interactively  # accounts: the table models

        return sign_in_interactively(path, user)
    return open_database(path, user=user)


def launch(argv: list[str]) -> int:
    args = parse_options(argv)
    if not has_display():
        sys.stderr.write(NO_DISPLAY + "\n")
        return EXIT_PROBLEM
    from .system_libs import check_system_libraries  # before Qt: its xcb plugin aborts

    missing = check_system_libraries()
    if missing:
        sys.stderr.write(missing + "\n")
        return EXIT_PROBLEM
    app = make_application()
    install_excepthook()
    from .context import AppContext
    from .first_paint import quit_after_first_paint
    from .first_run import ensure_ready, needs_first_run, seed_with_progress
    from .main_window import MainWindow, default_settings
    from .qt import QMessageBox

    path = Path(args.db) if args.db else (paths.demo_db_path() if args.demo else
                                          paths.default_db_path())  # fmt: skip
    try:
        db = _open(path, args.user or "")
    except DatabaseProblem as exc:
        sys.stderr.write(f"inspector-app: {exc}\n")
        QMessageBox.critical(None, "Cannot open the database", str(exc))
        return EXIT_PROBLEM
    if db is None:  # Quit at the sign-in dialog
        return 0
    try:
        demo_to_seed = args.demo and needs_first_run(db)
        ready = seed_with_progress(db) if demo_to_seed else ensure_ready(db)
        if not ready:
            return 0
        settings = default_settings()
        ctx = AppContext(db, settings)
        # Deferred: what the first paint does not show is built right after it (issue 14).
        window = MainWindow(ctx, settings, deferred=True)
        window.owns_database = True
        window.wait_first_view()  # the first paint shows the rows, not an empty list
        quit_after_first_paint(app)  # INSPECTOR_QUIT_AFTER_PAINT=1: bench and smoke runs
        window.show()
        return int(app.exec())  # type: ignore[attr-defined]
    except DatabaseProblem as exc:
        sys.stderr.write(f"inspector-app: {exc}\n")
        QMessageBox.critical(None, "Database problem", str(exc))
        return EXIT_PROBLEM
    finally:
        db.close()
