"""The main window: navigation on the left, the current view on the right.

Views: Agencies, Reviews, Due, Findings, Reports, Program, Conflicts, an agency's page,
and one page per open review workspace. Menus hold every command with its shortcut; the
status bar shows the database file, the signed-in inspector and the sync state (last
sync, changes waiting, open conflicts as a link to the Conflicts view) with a Sync
button (F9, File > Sync now).
Geometry, splitter sizes and the open reviews come back on the next start (QSettings).
Closing loses nothing: the services save every change as it is made.

Start-up in two steps (issue 14). The constructor builds what the first paint shows:
the navigation, the menus, the status bar and the current page. With `deferred=True`
(the app's start) and the Agencies list as that page, everything else (the Reviews,
Findings and agency pages, sync, the security actions, File > New, the sync status)
is built by `finish_start` from the event loop right after the first paint; that step
imports the services that need the SQLModel table models, which the Agencies list
(services.agency_list) does not. Anything that needs them earlier calls finish_start.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inspector_app import __version__
from inspector_app.domain.enums import ReviewKind
from inspector_app.services.encryption import is_encrypted
from inspector_app.store.database import Database, open_database
from inspector_app.store.errors import DatabaseProblem

from .agencies_view import AgenciesView
from .context import AppContext
from .errors import error_text
from .qt import (
    QAction,
    QApplication,
    QEvent,
    QFileDialog,
    QKeySequence,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QObject,
    QPushButton,
    QSettings,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    Qt,
    QTimer,
    QToolButton,
    QUndoGroup,
    QVBoxLayout,
    QWidget,
)
from .screen_size import fit_to_screen
from .tasks import Task
from .widgets import ListPage

if TYPE_CHECKING:  # imported by finish_start (or on first use), after the first paint
    from inspector_app.services.sync import SyncReport, SyncStatus

    from .agency_page import AgencyPage
    from .findings_view import FindingRow, FindingsView
    from .reviews_view import ReviewsView
    from .sign_in_dialog import Clock
    from .sync_action import SyncRunner
    from .window_security import WindowSecurity
    from .workspace import NewReviewDialog, ReviewWorkspace

SETTINGS_ORG, SETTINGS_APP = "287g-Oversight", "Inspector"
NAV = [("agencies", "Agencies"), ("reviews", "Reviews"), ("due", "Due"),
       ("findings", "Findings"), ("reports", "Reports"), ("program", "Program"),
       ("conflicts", "Conflicts")]  # fmt: skip


class Actions:
    """Action ids (Spyder style): one place naming every command of the window."""

    NEW_REVIEW = "new_review"
    OPEN_DATABASE = "open_database"
    SYNC = "sync"
    CLOSE_REVIEW = "close_review"
    QUIT = "quit"
    UNDO = "undo"
    REDO = "redo"
    FIND = "find"
    HELP = "help"
    ABOUT = "about"


def _due_view(ctx: AppContext, parent: QWidget) -> QWidget:
    from .due_view import DueView  # the pages below the first are imported when first shown

    return DueView(ctx, parent)


def _reports_view(ctx: AppContext, parent: QWidget) -> QWidget:
    from .reports_view import ReportsView  # signing (pyhanko), QtPdf

    return ReportsView(ctx, parent)


def _program_view(ctx: AppContext, parent: QWidget) -> QWidget:
    from .program_view import ProgramView  # analytics (pandas), reports (reportlab), QtCharts

    return ProgramView(ctx, parent)


def _conflicts_view(ctx: AppContext, parent: QWidget) -> QWidget:
    from .conflicts_view import ConflictsView

    return ConflictsView(ctx, parent)


LAZY_PAGES = {
    "due": _due_view, "reports": _reports_view, "program": _program_view,
    "conflicts": _conflicts_view,
}  # fmt: skip
FINISH_START_MS = 2000  # a window not painted by then (hidden) is finished anyway
INTEGRITY_CHECK_MS = 30 * 60 * 1000  # the full check: seconds on a large file, so in a worker
# The first check soon after start: the daily backup checks the first open of a day only.
FIRST_INTEGRITY_CHECK_MS = 2 * 60 * 1000


def sync_status(db: Database) -> SyncStatus:
    """services.sync.sync_status, imported on the first call (not before the first paint)."""
    from inspector_app.services.sync import sync_status as read_status

    return read_status(db)


def default_settings() -> QSettings:
    return QSettings(SETTINGS_ORG, SETTINGS_APP)


class _AfterFirstPaint(QObject):
    """Runs the window's finish_start once its first paint pass is over (a timer of 0
    started earlier would run before it), or after FINISH_START_MS at the latest."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        app = QApplication.instance()
        assert app is not None  # a window exists
        app.installEventFilter(self)
        QTimer.singleShot(FINISH_START_MS, window.finish_start)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if (event.type() == QEvent.Type.Paint and isinstance(watched, QWidget)
                and watched.window() is self._window):  # fmt: skip
            app = QApplication.instance()
            assert app is not None
            app.removeEventFilter(self)
            QTimer.singleShot(0, self._window.finish_start)  # after this paint pass
        return False


_WINDOWS: list[MainWindow] = []  # windows opened by "Open database…" stay alive here


class MainWindow(QMainWindow):
    # Built by finish_start: the pages and helpers the first paint does not show.
    reviews: ReviewsView
    findings: FindingsView
    agency_page: AgencyPage
    sync_runner: SyncRunner
    security: WindowSecurity

    def __init__(self, ctx: AppContext, settings: QSettings | None = None, *,
                 clock: Clock | None = None, deferred: bool = False):  # fmt: skip
        super().__init__()
        self.ctx = ctx
        self.settings = settings or ctx.settings or default_settings()
        self.owns_database = False  # set by launch: closing the window closes the database
        self.workspaces: dict[str, ReviewWorkspace] = {}
        self.commands: dict[str, QAction] = {}
        self.help_window: Any = None  # the one help window (ui.help_window), built on F1
        self.new_review_dialog: NewReviewDialog | None = None  # while New review is open
        self._current_key = "agencies"
        self._clock = clock
        self.started = False  # finish_start has run
        self.closed = False
        self.setWindowTitle(f"Inspector — {ctx.db.path.name}")

        self.stack = QStackedWidget(self)
        # The lists load in workers; the other pages are built when first shown (see page()).
        self.agencies = AgenciesView(ctx, self.stack)
        self.pages: dict[str, QWidget] = {"agencies": self.agencies}
        self.stack.addWidget(self.agencies)

        self.nav = QListWidget(self)
        self.nav.setObjectName("nav")
        for i, (key, label) in enumerate(NAV, start=1):
            item = QListWidgetItem(label, self.nav)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setToolTip(f"{label} (Ctrl+{i})")
        # As tall as its entries (whatever the style's padding), never stretched.
        self.nav.setSizeAdjustPolicy(QListWidget.SizeAdjustPolicy.AdjustToContents)
        self.nav.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.nav.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Selection, not the current item, drives navigation: a list gaining focus sets a
        # current item by itself, which must not switch pages.
        self.nav.itemSelectionChanged.connect(self._on_nav)
        self.nav.itemClicked.connect(
            lambda item: self.show_page(item.data(Qt.ItemDataRole.UserRole))
        )
        self.open_label = QLabel("Open reviews", self)
        self.open_label.setObjectName("navHeader")
        self.open_list = QListWidget(self)
        self.open_list.setObjectName("openReviews")
        self.open_list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        # Long agency names wrap inside the sidebar instead of scrolling sideways.
        self.open_list.setWordWrap(True)
        self.open_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.open_list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.open_list.customContextMenuRequested.connect(self._on_open_list_menu)
        self.open_list.itemSelectionChanged.connect(self._on_open_item)
        left = QWidget(self)
        left.setObjectName("sidebar")
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(6, 10, 6, 6)
        left_layout.addWidget(self.nav)
        left_layout.addWidget(self.open_label)
        left_layout.addWidget(self.open_list, 1)
        left_layout.addStretch(0)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setCollapsible(1, False)
        self.splitter.setSizes([220, 1060])
        self.setCentralWidget(self.splitter)

        self.undo_group = QUndoGroup(self)
        self._build_menus()
        self._build_status_bar()
        ctx.sig_open_review.connect(self.open_review)
        ctx.sig_open_agency.connect(self.show_agency)
        ctx.sig_status.connect(lambda text: self.statusBar().showMessage(text, 6000))
        self._status_timer = QTimer(self)
        self._status_timer.setSingleShot(True)
        self._status_timer.setInterval(100)
        self._status_timer.timeout.connect(self.refresh_status)
        ctx.sig_changed.connect(lambda _change: self._status_timer.start())
        self._integrity_task: Task | None = None
        self._integrity_timer = QTimer(self)
        self._integrity_timer.setInterval(FIRST_INTEGRITY_CHECK_MS)
        self._integrity_timer.timeout.connect(self._scheduled_integrity_check)
        self._integrity_timer.start()
        self._update_open_label()
        self._restore_geometry()
        if deferred and self._first_view_is_agencies():
            self.show_page("agencies")
            _AfterFirstPaint(self)
        else:
            self.finish_start()

    def finish_start(self) -> None:
        """Build what the first paint does not show (once; see the module's docstring)."""
        if self.started or self.closed:
            return
        self.started = True
        from .agency_page import AgencyPage
        from .findings_view import FindingsView
        from .record_dialogs import add_record_menu
        from .reviews_view import ReviewsView
        from .sign_in_dialog import utc_now
        from .sync_action import SyncRunner
        from .window_security import WindowSecurity

        ctx = self.ctx
        self.reviews = ReviewsView(ctx, self.stack)
        self.findings = FindingsView(ctx, self.stack)
        self.agency_page = AgencyPage(ctx, self.stack)
        for key, page in (("reviews", self.reviews), ("findings", self.findings),
                          ("agency", self.agency_page)):  # fmt: skip
            self.pages[key] = page
            self.stack.addWidget(page)
        self.reviews.new_button.clicked.connect(self.new_review)
        self.agency_page.sig_back.connect(lambda: self.show_page("agencies"))
        self.findings.sig_activated.connect(self._on_finding_activated)
        self.sync_runner = SyncRunner(ctx, self)
        self.sync_runner.sig_running.connect(self._on_sync_running)
        self.sync_runner.sig_synced.connect(self._on_synced)
        self.security = WindowSecurity(self, self, self._clock or utc_now)
        # File > New and Import roster after New review; the security actions before Quit.
        self._into_file_menu(self._after_new_review, lambda part: add_record_menu(
            self, part, lambda: (self.agency_page.agency_id
                                 if self._current_key == "agency" else None)))  # fmt: skip
        self._into_file_menu(self._before_quit, self.security.add_actions)
        self.security.menu = self.file_menu
        self.statusBar().insertPermanentWidget(0, self.security.label)
        self.refresh_status()
        self._restore_pages()

    def _into_file_menu(self, before: QAction, add: Callable[[QMenu], None]) -> None:
        """What `add` puts in a menu, moved into File before `before`."""
        part = QMenu(self)  # never shown; it owns the submenus `add` makes
        add(part)
        for action in part.actions():
            part.removeAction(action)
            self.file_menu.insertAction(before, action)

    # --- construction ------------------------------------------------------------------
    def _action(self, key: str, text: str, slot: Any, *shortcuts: Any) -> QAction:
        action = QAction(text, self)
        if shortcuts:
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
        action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work wherever the focus is in the window
        self.commands[key] = action
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = self.file_menu = bar.addMenu("&File")
        file_menu.addAction(self._action(Actions.NEW_REVIEW, "&New review…", self.new_review,
                                         QKeySequence.StandardKey.New))  # fmt: skip
        # File > New and the security actions are added here by finish_start.
        self._after_new_review = self._action(Actions.OPEN_DATABASE, "&Open database…",
                                              self.choose_database)  # fmt: skip
        file_menu.addAction(self._after_new_review)
        file_menu.addSeparator()
        sync_action = self._action(Actions.SYNC, "&Sync now", self.sync_now, "F9")
        sync_action.setToolTip("Send this laptop's changes to the server and bring back "
                               "everyone else's (F9)")  # fmt: skip
        sync_action.setIconText("Sync")
        file_menu.addAction(sync_action)
        file_menu.addAction(self._action(Actions.CLOSE_REVIEW, "&Close review",
                                         self.close_current_review, "Ctrl+W"))  # fmt: skip
        file_menu.addSeparator()
        quit_action = self._before_quit = self._action(Actions.QUIT, "&Quit", self.close, "Ctrl+Q")
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        file_menu.addAction(quit_action)

        edit_menu = bar.addMenu("&Edit")
        undo = self.undo_group.createUndoAction(self, "&Undo")
        undo.setShortcuts([QKeySequence("Ctrl+Z")])
        redo = self.undo_group.createRedoAction(self, "&Redo")
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        for key, action in ((Actions.UNDO, undo), (Actions.REDO, redo)):
            self.addAction(action)
            self.commands[key] = action
            edit_menu.addAction(action)
        edit_menu.addSeparator()
        edit_menu.addAction(self._action(Actions.FIND, "&Find", self.focus_search, "Ctrl+F"))

        view_menu = bar.addMenu("&View")
        for i, (key, label) in enumerate(NAV, start=1):
            view_menu.addAction(self._action(f"view_{key}", label,
                                             lambda _=False, k=key: self.show_page(k),
                                             f"Ctrl+{i}"))  # fmt: skip

        # the open review's commands with their shortcuts (ReviewWorkspace.review_actions),
        # never hidden behind a toolbar's overflow on a small screen
        self.review_menu = bar.addMenu("&Review")
        self.review_menu.aboutToShow.connect(self._fill_review_menu)
        self._fill_review_menu()

        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self._action(Actions.HELP, "&Help", self.show_help,
                                         "F1"))  # fmt: skip
        help_menu.addAction(self._action(Actions.ABOUT, "&About Inspector", self.show_about))

    def _fill_review_menu(self) -> None:
        menu = self.review_menu
        menu.clear()  # the workspace owns its actions: only removed here
        workspace = self.current_workspace()
        if workspace is None:
            menu.addAction("Open a review to use its commands").setEnabled(False)
            return
        for action in workspace.review_actions():
            if action is None:
                menu.addSeparator()
            else:
                menu.addAction(action)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.db_label = QLabel(self)
        self.user_label = QLabel(self)
        self.sync_label = QLabel(self)
        self.sync_label.setObjectName("syncStatus")
        # "· 2 conflicts": a link-like button to the Conflicts view, hidden when none.
        self.conflicts_button = QPushButton(self)
        self.conflicts_button.setObjectName("conflictsLink")
        self.conflicts_button.setFlat(True)
        self.conflicts_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.conflicts_button.setStyleSheet(
            "QPushButton#conflictsLink { color: #a4262c; text-decoration: underline; "
            "border: none; padding: 0 2px; font-weight: bold; }"
        )
        self.conflicts_button.setToolTip("Show the open conflicts (Ctrl+7)")
        self.conflicts_button.clicked.connect(lambda: self.show_page("conflicts"))
        self.sync_button = QToolButton(self)
        self.sync_button.setObjectName("syncButton")
        self.sync_button.setDefaultAction(self.commands[Actions.SYNC])
        self.sync_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for widget in (self.db_label, self.user_label, self.sync_label, self.conflicts_button,
                       self.sync_button):  # fmt: skip
            bar.addPermanentWidget(widget)  # finish_start puts the security label first
        db = self.ctx.db
        self.db_label.setText(db.path.name)
        self.db_label.setToolTip(str(db.path))
        self.user_label.setText(f"Signed in: {db.user or 'unknown'}")  # roles: finish_start
        self.conflicts_button.setVisible(False)

    def refresh_status(self) -> None:
        if not self.started:
            return  # finish_start refreshes
        from .conflict_text import last_sync_text, plural, waiting_text

        db = self.ctx.db
        self.db_label.setText(db.path.name)
        self.db_label.setToolTip(str(db.path))
        self.user_label.setText(self.security.user_text())
        self.security.refresh()
        status = sync_status(db)
        self.sync_label.setText(f"{last_sync_text(status.last_success)} · "
                                f"{waiting_text(status.waiting)}")  # fmt: skip
        self.sync_label.setToolTip(self._sync_tooltip(status))
        self.conflicts_button.setText(f"· {plural(status.open_conflicts, 'conflict')}")
        self.conflicts_button.setVisible(status.open_conflicts > 0)

    @staticmethod
    def _sync_tooltip(status: SyncStatus) -> str:
        if not status.server:
            return ("Not connected to a server yet: changes are kept on this computer. "
                    "Sync now (F9) asks for the server and your enrollment token.")  # fmt: skip
        who = f" as {status.user} ({status.role})" if status.user else ""
        return f"Syncs with {status.server}{who}. Changes are kept here until the next sync."

    def sync_status_text(self) -> str:
        """The whole sync part of the status bar as one line (what a person reads)."""
        text = self.sync_label.text()
        if self.conflicts_button.isVisibleTo(self):
            text += " " + self.conflicts_button.text()
        return text

    # --- sync ---------------------------------------------------------------------------
    def sync_now(self) -> None:
        self.finish_start()
        self.sync_runner.start()

    def _on_sync_running(self, running: bool) -> None:
        self.commands[Actions.SYNC].setEnabled(not running)
        if not running:
            self.refresh_status()

    def _on_synced(self, report: SyncReport) -> None:
        self.refresh_status()
        if report.new_conflicts:
            self.show_page("conflicts")

    def _scheduled_integrity_check(self) -> None:
        self._integrity_timer.setInterval(INTEGRITY_CHECK_MS)  # after the first: every 30 min
        self.check_integrity()

    def check_integrity(self) -> Task | None:
        """The scheduled full integrity check, off the GUI thread. Damage stops all writes
        (Database.check_integrity) and is shown until the window closes."""
        if self._integrity_task is not None and not self._integrity_task.done.is_set():
            return None  # the previous check is still running
        task = Task(lambda _report: self.ctx.db.check_integrity())
        task.signals.failed.connect(self._on_integrity_failed)
        self._integrity_task = task.start(self.ctx.pool)
        return task

    def _on_integrity_failed(self, exc: BaseException) -> None:
        message = (
            str(exc)
            if isinstance(exc, DatabaseProblem)
            else f"Integrity check failed: {error_text(exc)}"
        )
        self.statusBar().showMessage(message)  # no timeout: it stays
        self.problem_box = QMessageBox(QMessageBox.Icon.Warning, "The database is damaged",
                                       message, parent=self)  # fmt: skip
        self.problem_box.setWindowModality(Qt.WindowModality.NonModal)
        self.problem_box.show()

    # --- navigation --------------------------------------------------------------------
    def current_key(self) -> str:
        """'agencies', 'reviews', ..., 'agency', or 'review:<id>'."""
        return self._current_key

    def current_workspace(self) -> ReviewWorkspace | None:
        widget = self.stack.currentWidget()
        return next((w for w in self.workspaces.values() if w is widget), None)

    def _set_page(self, key: str, widget: QWidget) -> None:
        self._current_key = key
        self.stack.setCurrentWidget(widget)
        stack = getattr(widget, "undo_stack", None) if key.startswith("review:") else None
        # PySide6's stubs leave out None (Qt's nullptr: no stack active), which Qt takes.
        self.undo_group.setActiveStack(stack)  # type: ignore[arg-type]
        # A workspace has its own Find (Ctrl+F within it); one shortcut on two actions
        # would make Qt run neither, so the window's steps aside there.
        self.commands[Actions.FIND].setShortcuts(
            [] if stack is not None else [QKeySequence("Ctrl+F")]
        )
        title = self.ctx.db.path.name
        if key.startswith("review:"):
            item = self._open_item(key.split(":", 1)[1])
            title = f"{item.text()} — {title}" if item else title
        self.setWindowTitle(f"Inspector — {title}")

    def page(self, key: str) -> QWidget:
        """A navigation page, built on first use: Due, Reports and Program read the
        database as they are built, which would otherwise all happen at start-up."""
        if key not in self.pages and not self.started:
            self.finish_start()  # Reviews, Findings and the agency page
        if key not in self.pages:
            widget = LAZY_PAGES[key](self.ctx, self.stack)
            self.stack.addWidget(widget)
            self.pages[key] = widget
        return self.pages[key]

    def show_page(self, key: str) -> None:
        self._set_page(key, self.page(key))
        nav_key = "agencies" if key == "agency" else key
        for row in range(self.nav.count()):
            if self.nav.item(row).data(Qt.ItemDataRole.UserRole) == nav_key:
                self.nav.blockSignals(True)
                self.nav.setCurrentRow(row)
                self.nav.blockSignals(False)
        self.open_list.blockSignals(True)
        self.open_list.clearSelection()
        self.open_list.blockSignals(False)

    def _on_nav(self) -> None:
        selected = self.nav.selectedItems()
        if selected:
            self.show_page(selected[0].data(Qt.ItemDataRole.UserRole))

    def show_agency(self, agency_id: str) -> None:
        self.finish_start()
        self.agency_page.show_agency(agency_id)
        self.show_page("agency")

    def _open_item(self, review_id: str) -> QListWidgetItem | None:
        for row in range(self.open_list.count()):
            item = self.open_list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == review_id:
                return item
        return None

    def _review_title(self, review_id: str) -> str | None:
        from inspector_app.services.lookup import review_title

        from .reviews_view import kind_label

        review = review_title(self.ctx.db, review_id)
        if review is None:
            return None
        short = review.agency_name or "?"
        try:
            kind = ReviewKind(review.kind).label
        except ValueError:
            kind = kind_label(review.kind)
        return f"{short} — {kind.split(' ')[0] if kind.startswith(('JEM', 'WSO')) else kind}"

    def open_review(self, review_id: str) -> QWidget | None:
        """Show the review's workspace, opening it first if needed."""
        self.finish_start()
        if review_id not in self.workspaces:
            from .workspace import ReviewWorkspace

            title = self._review_title(review_id)
            if title is None:
                self.statusBar().showMessage("That review no longer exists.", 6000)
                return None
            workspace = ReviewWorkspace(self.ctx, review_id, self.stack)
            self.workspaces[review_id] = workspace
            self.stack.addWidget(workspace)
            stack = getattr(workspace, "undo_stack", None)
            if stack is not None:
                self.undo_group.addStack(stack)
            item = QListWidgetItem(title, self.open_list)
            item.setData(Qt.ItemDataRole.UserRole, review_id)
            item.setToolTip(title)
            signal = getattr(workspace, "sig_title_changed", None)
            if signal is not None:
                signal.connect(lambda text, rid=review_id: self._on_title(rid, text))
            self._update_open_label()
        workspace = self.workspaces[review_id]
        self._set_page(f"review:{review_id}", workspace)
        self.nav.blockSignals(True)
        self.nav.clearSelection()
        self.nav.blockSignals(False)
        self.open_list.blockSignals(True)
        listed = self._open_item(review_id)
        assert listed is not None  # added to the list with the workspace
        self.open_list.setCurrentItem(listed)
        self.open_list.blockSignals(False)
        return workspace

    def _on_title(self, review_id: str, text: str) -> None:
        item = self._open_item(review_id)
        if item is not None and text:
            item.setText(text)
            item.setToolTip(text)
            if self._current_key == f"review:{review_id}":
                self.setWindowTitle(f"Inspector — {text} — {self.ctx.db.path.name}")

    def _on_open_item(self) -> None:
        selected = self.open_list.selectedItems()
        if selected:
            self.open_review(selected[0].data(Qt.ItemDataRole.UserRole))

    def _on_open_list_menu(self, pos: Any) -> None:
        item = self.open_list.itemAt(pos)
        if item is None:
            return
        menu = QMenu(self)
        menu.addAction(
            "Close review", lambda: self.close_review(item.data(Qt.ItemDataRole.UserRole))
        )
        menu.popup(self.open_list.viewport().mapToGlobal(pos))

    def close_current_review(self) -> None:
        if self._current_key.startswith("review:"):
            self.close_review(self._current_key.split(":", 1)[1])

    def close_review(self, review_id: str) -> None:
        workspace = self.workspaces.pop(review_id, None)
        if workspace is None:
            return
        self._shutdown(workspace)
        stack = getattr(workspace, "undo_stack", None)
        if stack is not None:
            self.undo_group.removeStack(stack)
        item = self._open_item(review_id)
        if item is not None:
            self.open_list.takeItem(self.open_list.row(item))
        was_current = self.stack.currentWidget() is workspace
        self.stack.removeWidget(workspace)
        workspace.deleteLater()
        self._update_open_label()
        if was_current:
            self.show_page("reviews")

    def _update_open_label(self) -> None:
        has_open = self.open_list.count() > 0
        self.open_label.setVisible(has_open)
        self.open_list.setVisible(has_open)

    def _on_finding_activated(self, row: FindingRow) -> None:
        workspace = self.open_review(row.review_id)
        for name in ("show_finding", "select_finding"):
            method = getattr(workspace, name, None)
            if callable(method):
                method(row.id)
                break

    # --- commands ----------------------------------------------------------------------
    def new_review(self) -> None:
        self.finish_start()
        from .workspace import NewReviewDialog

        agency_id = self.agency_page.agency_id if self._current_key == "agency" else None
        dialog = NewReviewDialog(self.ctx, self, agency_id=agency_id)
        self.new_review_dialog = dialog  # tests drive the open dialog through this
        try:
            if dialog.exec() and dialog.created_review_id:
                self.open_review(dialog.created_review_id)
        finally:
            self.new_review_dialog = None
            dialog.deleteLater()

    def focus_search(self) -> None:
        widget = self.stack.currentWidget()
        method = getattr(widget, "focus_search", None)
        if callable(method):
            method()

    def show_help(self) -> None:
        """F1: the help window (one, not modal) at the topic of the current view."""
        from .help_window import show_help  # imported on the first F1, not at start-up

        self.help_window = show_help(self, self.help_window)

    def show_about(self) -> None:
        QMessageBox.about(
            self, "About Inspector",
            f"<b>Inspector {__version__}</b><p>Offline oversight inspections of 287(g) "
            "agreements: JEM inspections, WSO internal oversight reviews, findings, reports and "
            f"follow-up.</p><p>Database: {self.ctx.db.path}</p>",
        )  # fmt: skip

    def choose_database(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open database", str(self.ctx.db.path.parent),
            "Inspector databases (*.db);;All files (*)",
        )  # fmt: skip
        if path:
            self.switch_database(Path(path))

    def switch_database(self, path: Path) -> MainWindow | None:
        """Open another database in a new window and close this one."""
        if Path(path).resolve() == self.ctx.db.path.resolve():
            return self
        try:
            db = self._open_other(Path(path))
        except DatabaseProblem as exc:
            QMessageBox.warning(self, "Cannot open the database", str(exc))
            return None
        if db is None:  # Quit at the sign-in dialog: this window stays
            return None
        from .first_run import ensure_ready

        if not ensure_ready(db, self):
            db.close()
            return None
        window = self.open_window(db)
        self.close()
        return window

    def open_window(self, db: Database, clock: Clock | None = None) -> MainWindow:
        """A new window that owns `db`, kept alive in _WINDOWS, shown."""
        window = MainWindow(AppContext(db, self.settings), self.settings, clock=clock)
        window.owns_database = True
        _WINDOWS.append(window)
        window.show()
        return window

    def _open_other(self, path: Path) -> Database | None:
        """Another database: an encrypted one after its sign-in dialog (None: Quit)."""
        if is_encrypted(path):
            from .sign_in_dialog import sign_in_interactively

            return sign_in_interactively(path, self.ctx.db.user or "", self)
        return open_database(path)

    # --- settings and closing ----------------------------------------------------------
    def _restore_geometry(self) -> None:
        s = self.settings
        geometry = s.value("main/geometry")
        if geometry:
            self.restoreGeometry(geometry)
            fit_to_screen(self, self.width(), self.height())  # saved on a larger screen
        else:
            fit_to_screen(self, 1280, 800)
        splitter = s.value("main/splitter")
        if splitter:
            self.splitter.restoreState(splitter)

    def wait_first_view(self, timeout_s: float = 5.0) -> None:
        """Block until the current list has its rows, delivered (before the first show:
        the first paint shows the data, not an empty table)."""
        page = self.stack.currentWidget()
        if isinstance(page, ListPage):
            page.wait_idle(timeout_s)
            QApplication.sendPostedEvents(None, QEvent.Type.MetaCall)  # the queued result

    def _first_view_is_agencies(self) -> bool:
        """The window comes back on the Agencies list, with no review open beside it."""
        s = self.settings
        current = str(s.value("main/current", "agencies") or "agencies")
        opened = str(s.value("main/open_reviews", "") or "")
        return current == "agencies" and not opened.strip(",")

    def _restore_pages(self) -> None:
        s = self.settings
        opened = str(s.value("main/open_reviews", "") or "")
        for review_id in filter(None, opened.split(",")):
            self.open_review(review_id)
        current = str(s.value("main/current", "agencies") or "agencies")
        if current.startswith("review:") and current[7:] in self.workspaces:
            self.open_review(current[7:])
        elif current.startswith("agency:"):
            self.show_agency(current[7:])
        elif (current in self.pages or current in LAZY_PAGES) and current != "agency":
            self.show_page(current)
        else:
            self.show_page("agencies")

    def save_settings(self) -> None:
        s = self.settings
        s.setValue("main/geometry", self.saveGeometry())
        s.setValue("main/splitter", self.splitter.saveState())
        s.setValue("main/open_reviews", ",".join(self.workspaces))
        current = self._current_key
        if current == "agency" and self.started and self.agency_page.agency_id:
            current = f"agency:{self.agency_page.agency_id}"
        s.setValue("main/current", current)
        s.sync()

    @staticmethod
    def _shutdown(workspace: QWidget) -> None:
        method = getattr(workspace, "shutdown", None)
        if callable(method):
            method()

    def closeEvent(self, event: Any) -> None:  # noqa: N802
        self.closed = True
        self.save_settings()
        if self.started:
            self.security.shutdown()
            self.sync_runner.shutdown()  # a running sync stops before the database closes
        self._integrity_timer.stop()
        if self._integrity_task is not None:
            self._integrity_task.done.wait(30)  # the database closes below
        for workspace in list(self.workspaces.values()):
            self._shutdown(workspace)
        for page in self.pages.values():
            if isinstance(page, ListPage):
                page.wait_idle()
            elif callable(shutdown := getattr(page, "shutdown", None)):
                shutdown()
        super().closeEvent(event)
        if self.owns_database:
            self.ctx.close()
            self.ctx.db.close()
        if self in _WINDOWS:
            _WINDOWS.remove(self)
