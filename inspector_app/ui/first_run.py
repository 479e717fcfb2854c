"""First start on a new, empty database: demo data or an empty start, and who you are.

The inspector's name is recorded in the database (meta "inspector_name") and stamped
on every change from then on. The demo is built in a worker with progress, in a file
beside the database that replaces it only once complete (services.demo_file): a failed
or cancelled load leaves the database as it was.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from datetime import date

from inspector_app.services.agency_list import has_agencies  # SQL: no table models
from inspector_app.store.database import Database

from .qt import (
    QDialog,
    QDialogButtonBox,
    QEventLoop,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)
from .tasks import Task, run_with_progress

FIRST_RUN_DONE = "first_run_done"


def needs_first_run(db: Database) -> bool:
    """A database nobody has set up: no agencies and the first-run questions never answered."""
    if db.get_meta(FIRST_RUN_DONE):
        return False
    return not has_agencies(db)


def _default_name() -> str:
    try:
        return getpass.getuser().replace(".", " ").title()
    except (OSError, KeyError, ImportError):  # no login name here; the user types one
        return ""


def record_name(db: Database, name: str) -> None:
    db.user = name.strip()
    db.set_meta("inspector_name", db.user)


class FirstRunDialog(QDialog):
    """Asks demo-or-empty and the inspector's name; accepted once the database is ready."""

    def __init__(self, db: Database, parent: QWidget | None = None, *, today: date | None = None):
        super().__init__(parent)
        self.db = db
        self.today = today
        self.task: Task | None = None
        self.error: str = ""
        self.setWindowTitle("Welcome to Inspector")
        self.setMinimumWidth(460)
        intro = QLabel(
            f"<b>{db.path.name}</b> is a new database.<br>"
            "You can explore the app with demo data (fictional agencies, a finished JEM "
            "inspection and a WSO review with officer interviews) or start empty.",
            self,
        )
        intro.setWordWrap(True)
        self.demo_choice = QRadioButton("Load the &demo data", self)
        self.empty_choice = QRadioButton("Start &empty", self)
        self.demo_choice.setChecked(True)
        self.name_edit = QLineEdit(db.user or _default_name(), self)
        self.name_edit.setPlaceholderText("Your name, as it should appear on changes and reports")
        self.name_edit.setAccessibleName("Inspector name")
        self.name_edit.textChanged.connect(self._update_ok)
        self.message = QLabel(self)
        self.message.setObjectName("fieldError")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.demo_choice)
        layout.addWidget(self.empty_choice)
        layout.addSpacing(8)
        name_label = QLabel("Your &name:", self)
        name_label.setBuddy(self.name_edit)
        layout.addWidget(name_label)
        layout.addWidget(self.name_edit)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self._update_ok()

    def _update_ok(self) -> None:
        ok = bool(self.name_edit.text().strip())
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)
        self.message.setText("" if ok else "Enter your name to continue.")

    def accept(self) -> None:
        name = self.name_edit.text().strip()
        if not name:
            self._update_ok()
            return
        record_name(self.db, name)
        if not self.demo_choice.isChecked():
            self._finish()
            return
        self.buttons.setEnabled(False)
        db, today = self.db, self.today
        from inspector_app.services.demo_file import create_demo_database  # on first use

        self.task = run_with_progress(
            self, "Loading the demo data",
            lambda report: create_demo_database(db.path, user=db.user, today=today,
                                                progress=report, replacing=db),
            lambda _summary: self._finish(), self._on_error,
        )  # fmt: skip

    def _finish(self) -> None:
        self.db.set_meta(FIRST_RUN_DONE, "1")
        super().accept()

    def _on_error(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.error = f"The demo data could not be loaded: {exc}"
        self.message.setText(self.error)

    def reject(self) -> None:
        if self.task is not None and not self.task.done.is_set():
            self.task.cancel()
            self.task.done.wait(10)
        super().reject()


def seed_with_progress(db: Database, parent: QWidget | None = None) -> bool:
    """Fill an empty demo database, showing progress; True when it worked.

    All or nothing: a failed or cancelled run leaves the database empty, to be filled
    on the next start."""
    loop = QEventLoop()
    outcome: dict[str, BaseException | None] = {}

    def done(_summary: object) -> None:
        outcome["error"] = None
        loop.quit()

    def failed(exc: BaseException) -> None:
        outcome["error"] = exc
        loop.quit()

    def job(report: Callable[[int, str], None]) -> object:
        from inspector_app.services.demo_file import create_demo_database  # on first use

        return create_demo_database(db.path, user=db.user, progress=report, replacing=db)

    task = run_with_progress(parent, "Creating the demo database", job, done, failed)
    task.signals.cancelled.connect(loop.quit)
    loop.exec()
    error = outcome.get("error", "cancelled")
    if error is None:
        db.set_meta(FIRST_RUN_DONE, "1")
        return True
    QMessageBox.warning(parent, "Demo data", f"The demo data could not be created: {error}")
    return False


def ensure_ready(db: Database, parent: QWidget | None = None) -> bool:
    """Run the first-run questions if needed and make sure we know who is signed in."""
    if needs_first_run(db):
        return FirstRunDialog(db, parent).exec() == QDialog.DialogCode.Accepted
    if not db.user:
        name, ok = QInputDialog.getText(parent, "Who is signed in?",
                                        "Your name, as it should appear on changes:",
                                        text=_default_name())  # fmt: skip
        if not ok or not name.strip():
            return False
        record_name(db, name)
    return True
