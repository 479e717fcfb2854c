"""The review workspace: header, checklist with item detail, interviews, findings.

Everything is autosaved by the service call that makes it (there is no Save
button); the window reads the review once (services.review_views) and then
refreshes only what a change names (ctx.sig_changed, see live_updates.py), so
answering stays instant.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Callable
from html import escape
from typing import Any

from inspector_app.domain.enums import (
    FindingKind,
    ProgramModel,
    ResponsibleParty,
    ReviewKind,
    ReviewMode,
    ReviewStatus,
)
from inspector_app.domain.rules import FindingCounts, follow_up_due, requires_follow_up
from inspector_app.services import findings, lifecycle, reviews
from inspector_app.services.errors import ServiceError
from inspector_app.services.findings import FindingDraft
from inspector_app.services.review_read import WorkspaceReview, workspace_review
from inspector_app.services.review_views import Officer

from ..errors import error_text
from ..formatting import today_of
from ..qt import (
    QAction,
    QEvent,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QModelIndex,
    QObject,
    QPushButton,
    QSplitter,
    Qt,
    QTabWidget,
    QTimer,
    QToolBar,
    QUndoStack,
    QVBoxLayout,
    QWidget,
    Signal,
)
from .checklist_model import Answer, ChecklistModel
from .checklist_panel import ChecklistPanel
from .entries import FormLayout, Section, sections_of_findings, sections_of_form
from .finding_editor import FindingEditor
from .findings_panel import FindingsPanel
from .interviews_panel import InterviewsPanel
from .item_detail import ItemDetail, show_following_keys, wire_keys
from .lifecycle_actions import add_lifecycle_actions
from .live_updates import LiveUpdates
from .repeats import RepeatControls
from .targets import ChecklistTarget, Target
from .undo import ServiceCommand

_BANNER_STYLE = (
    "QLabel { background: #fff4ce; border: 1px solid #e0b100; border-radius: 3px; "
    "padding: 6px; color: #5c4400; }"
)
# the training requirement a lapsed officer's training finding cites, by program
TRAINING_CITATION = {
    ProgramModel.JEM: "287(g) JEM MOA, Training of personnel",
    ProgramModel.WSO: "287(g) WSO MOA, Training",
}
_ERROR_STYLE = (
    "QLabel { background: #fde7e9; border: 1px solid #c42b1c; border-radius: 3px; "
    "padding: 4px; color: #8a1c12; }"
)


def _stack_action(parent: QWidget, text: str, slot: Callable[[], None], enabled: Any,
                  described: Any) -> QAction:  # fmt: skip
    """Undo or Redo of an undo stack, with a fixed text and the command in its tooltip."""
    action = QAction(text, parent)
    action.setEnabled(False)
    action.setToolTip(text)
    action.triggered.connect(slot)
    enabled.connect(action.setEnabled)
    described.connect(lambda what: action.setToolTip(f"{text} {what}" if what else text))
    return action


class ReviewWorkspace(LiveUpdates, QWidget):
    sig_title_changed = Signal(str)

    def __init__(self, ctx, review_id: str, parent: QWidget | None = None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.ctx = ctx
        self.review_id = review_id
        self.undo_stack = QUndoStack(self)
        self.finding_editor: FindingEditor | None = None
        self.read_only = False
        self._closed = False
        self.setObjectName("review_workspace")

        self.header = QLabel(self)
        self.header.setObjectName("workspace_header")
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setWordWrap(True)
        self.state = QLabel(self)
        self.state.setObjectName("workspace_state")
        self.toolbar = QToolBar(self)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.banner = QLabel(self)
        self.banner.setObjectName("follow_up_banner")
        self.banner.setStyleSheet(_BANNER_STYLE)
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.error = QLabel(self)
        self.error.setObjectName("workspace_error")
        self.error.setStyleSheet(_ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        self.start_bar = QWidget(self)
        start_layout = QHBoxLayout(self.start_bar)
        start_layout.setContentsMargins(0, 0, 0, 0)
        start_layout.addWidget(QLabel("This review is planned. Start it to pin the checklist "
                                      "and begin answering.", self.start_bar))  # fmt: skip
        self.start_button = QPushButton("Start review now", self.start_bar)
        self.start_button.clicked.connect(self._on_start)
        start_layout.addWidget(self.start_button)
        start_layout.addStretch(1)

        # checklist tab
        self.model = ChecklistModel(self)
        self.checklist = ChecklistPanel(self.model, self)
        self.detail = ItemDetail(self)
        self.target: Target = ChecklistTarget(
            ctx.db, review_id, self.model, self.undo_stack, self.show_error,
            lambda: self.data.attachments if self.data else [],
        )  # fmt: skip
        self.target.on_saved = self._saved_response  # shown without reading it back
        # add, remove and reorder the instances of a repeated section (e.g. case files)
        self.repeats = RepeatControls(self.checklist.view, self.model, self.target,
                                      ctx.sig_status.emit, self.checklist)  # fmt: skip
        panel_layout = self.checklist.layout()
        assert isinstance(panel_layout, QVBoxLayout)
        panel_layout.insertWidget(1, self.repeats)
        self.repeats.attach_shortcuts(self)
        self.detail.set_target(self.target, ctx.db.attachments_dir)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.checklist)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([680, 440])

        self.tabs = QTabWidget(self)
        self.tabs.addTab(split, "Checklist")
        # the commands beside the tabs, not on a row of their own: on a 600-pixel screen
        # that row is two more findings; every command is also in the Review menu
        self.tabs.setCornerWidget(self.toolbar, Qt.Corner.TopRightCorner)
        # built on first use: most of the time is spent on the checklist
        self._interviews: InterviewsPanel | None = None
        self._officers: list[Officer] = []
        self._interviews_placeholder = QWidget(self)
        self.tabs.addTab(self._interviews_placeholder, "Interviews")
        self.tabs.currentChanged.connect(lambda index: index == 1 and self.interviews)
        self.findings = FindingsPanel(self)
        body = QSplitter(Qt.Orientation.Vertical, self)
        body.addWidget(self.tabs)
        body.addWidget(self.findings)
        # the findings keep a share of a short screen (at 600 pixels: 4 rows, not 2)
        body.setStretchFactor(0, 3)
        body.setStretchFactor(1, 2)
        body.setSizes([520, 220])

        head = QHBoxLayout()
        head.addWidget(self.header, 1)
        head.addWidget(self.state, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(head)
        layout.addWidget(self.start_bar)
        layout.addWidget(self.banner)
        layout.addWidget(self.error)
        layout.addWidget(body, 1)

        self._build_actions()
        view = self.checklist.view
        view.sig_answer.connect(self._on_key_answer)
        view.sig_note_requested.connect(lambda _key: self.detail.focus_note())
        view.sig_current.connect(self._on_current)
        wire_keys(view, self.detail, self.ctx.sig_status.emit)
        self.detail.sig_raise_finding.connect(lambda key: self.raise_finding(self.target, key))
        self.detail.sig_error.connect(self.show_error)
        self.findings.sig_new.connect(self.new_finding)
        self.findings.sig_edit.connect(self.open_finding)
        self.findings.sig_remove.connect(self.remove_finding)
        self.findings.sig_training_finding.connect(self.raise_training_finding)
        self.lapsed: list[lifecycle.OfficerTraining] = []
        # officers' training is read after the first paint: the checklist comes first (a
        # zero timer started before the paint would run before it, in the same event pass)
        self._training_timer = QTimer(self)
        self._training_timer.setSingleShot(True)
        self._training_timer.setInterval(0)
        self._training_timer.timeout.connect(self._check_training)
        self._painted = False
        self.checklist.view.viewport().installEventFilter(self)
        # Set by reload when the first item is to be chosen once the window is shown: choosing
        # it makes the tree lay out all its rows, and before the window has its final size
        # that layout would be done again at the first paint.
        self._select_first_on_show = False
        ctx.sig_changed.connect(self._on_changed)

        self.data: WorkspaceReview | None = None
        self._revs: dict[str, int] = {}  # row id -> revision shown (live_updates.py)
        self.reload()
        view.setFocus()

    @property
    def interviews(self) -> InterviewsPanel:
        """The Interviews tab, built the first time it is needed."""
        if self._interviews is None:
            panel = InterviewsPanel(
                self.ctx, self.review_id, self.undo_stack,
                lambda: self.data.attachments if self.data else [], self,
            )  # fmt: skip
            panel.sig_error.connect(self.show_error)
            panel.sig_raise_finding.connect(self.raise_finding)
            panel.on_saved = self._saved_interview_answer
            self._interviews = panel
            current = self.tabs.currentIndex()
            self.tabs.blockSignals(True)
            self.tabs.removeTab(1)
            self.tabs.insertTab(1, panel, "Interviews")
            self.tabs.setTabVisible(1, not self.is_focus)
            self.tabs.setCurrentIndex(current)
            self.tabs.blockSignals(False)
            self._interviews_placeholder.deleteLater()
            self._fill_interviews()
            panel.set_read_only(self.read_only)
        return self._interviews

    def _fill_interviews(self) -> None:
        if self._interviews is None or self.data is None or self.is_focus:
            return
        self._interviews.set_review(self.data.review.kind, self._officers)
        self._interviews.set_interviews(self.data.interviews, self._findings_by_answer())

    # -- actions ------------------------------------------------------------------------

    def _build_actions(self) -> None:
        # "Undo" and "Redo" keep their width: the command's own text ("Undo answer No
        # (case_documents[1].i213_complete)") would widen the corner toolbar until it pushed
        # the Checklist and Interviews tabs out of view; it is the buttons' tooltip instead
        # (and the text of the Edit menu's entries).
        self.undo_action = _stack_action(self, "Undo", self.undo_stack.undo,
                                         self.undo_stack.canUndoChanged,
                                         self.undo_stack.undoTextChanged)  # fmt: skip
        self.redo_action = _stack_action(self, "Redo", self.undo_stack.redo,
                                         self.undo_stack.canRedoChanged,
                                         self.undo_stack.redoTextChanged)  # fmt: skip
        self.undo_action.setShortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.Undo))
        redo_keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)
        if QKeySequence("Ctrl+Shift+Z") not in redo_keys:  # not standard on every platform
            redo_keys.append(QKeySequence("Ctrl+Shift+Z"))
        self.redo_action.setShortcuts(redo_keys)
        for action in (self.undo_action, self.redo_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)
            self.toolbar.addAction(action)
        self.toolbar.addSeparator()
        find = QAction("Find item", self)
        find.setShortcut(QKeySequence(QKeySequence.StandardKey.Find))
        find.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.triggered.connect(self.focus_search)
        self.addAction(find)
        self.report_action = self.toolbar.addAction("Report…", self._report)
        self.report_action.setObjectName("report")
        self.lifecycle_actions = add_lifecycle_actions(self, self.toolbar)
        self.raise_action = self._command("Raise finding from item…", "Ctrl+Shift+F",
                                          lambda: self.current_detail.raise_finding())  # fmt: skip
        self.attach_action = self._command("Attach files to item…", "Ctrl+Shift+A",
                                           lambda: self.current_detail.attach_files())  # fmt: skip
        self.new_finding_action = self._command("New finding…", "Ctrl+Shift+N", self.new_finding)
        self._command("", "Ctrl+R", self._report, self.report_action)

    def _command(self, text: str, keys: str, slot, action: QAction | None = None) -> QAction:  # noqa: ANN001
        """A workspace command with its shortcut (working anywhere in the workspace)."""
        if action is None:
            action = QAction(text, self)
            action.triggered.connect(slot)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(action)
        return action

    def review_actions(self) -> list[QAction | None]:
        """The Review menu (main window): every command of the review, None a separator."""
        lifecycle_ = [a.action for a in self.lifecycle_actions.values() if a.action.isVisible()]
        return [
            self.raise_action, self.attach_action, self.new_finding_action, None,
            self.report_action, *lifecycle_,
        ]  # fmt: skip

    @property
    def current_detail(self) -> ItemDetail:
        """The item detail of the tab shown (the checklist's or the interview's)."""
        return self.interviews.detail if self.tabs.currentIndex() == 1 else self.detail

    def showEvent(self, event) -> None:  # noqa: ANN001, N802
        # A main window with its own Undo (a QUndoGroup holding our stack) owns Ctrl+Z;
        # two actions on one shortcut would make Qt run neither.
        hosted = hasattr(self.window(), "undo_group")
        for action in (self.undo_action, self.redo_action):
            if hosted:
                action.setShortcuts([])
        if self._select_first_on_show:
            self._select_first_item()
        super().showEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if not self._painted and event.type() == QEvent.Type.Paint:
            self._painted = True
            watched.removeEventFilter(self)
            self._training_timer.start()  # runs once this paint is done
        return super().eventFilter(watched, event)

    def _report(self) -> None:
        from ..reports_view import show_report  # imported on use: it loads QtPdf

        kind = "focus_review" if self.is_focus else "inspection"
        self.detail.flush_note()
        show_report(self.ctx, self, kind, self.review_id)

    # -- contract ---------------------------------------------------------------------------

    def help_text(self) -> str:
        return self.current_detail.help_text()

    def focus_search(self) -> None:
        if self.tabs.currentIndex() == 1:
            self.interviews.questions.focus_search()
        else:
            self.checklist.focus_search()

    def shutdown(self) -> None:
        """Save a note being typed and stop listening; everything else is saved already."""
        if self._closed:
            return
        self.detail.flush_note()
        if self._interviews is not None:
            self._interviews.detail.flush_note()
        self._closed = True
        with contextlib.suppress(RuntimeError, TypeError):  # already disconnected
            self.ctx.sig_changed.disconnect(self._on_changed)
        panel = self._interviews
        for task in (self.detail.attach_task, panel.detail.attach_task if panel else None):
            if task is not None and not task.done.is_set():
                task.cancel()
                task.done.wait(5)

    def closeEvent(self, event) -> None:  # noqa: ANN001, N802
        self.shutdown()
        super().closeEvent(event)

    def select_finding(self, finding_id: str) -> None:
        self.findings.select_finding(finding_id)

    # -- loading ----------------------------------------------------------------------------

    @property
    def is_focus(self) -> bool:
        return self.data is not None and self.data.review.kind == ReviewKind.FOCUS_REVIEW

    def reload(self) -> None:
        """Read the review (services.review_read): on open and after bulk changes."""
        key = self.checklist.view.current_key()
        data, officers = workspace_review(self.ctx.db, self.review_id)
        if data is None:
            self.header.setText("This review no longer exists.")
            self.setEnabled(False)
            return
        self.data = data
        self._remember_revs()
        form_layout = self._form_layout()
        self.model.load(
            self._sections(),
            {k: Answer(r.value, r.note, r.rev) for k, r in data.responses.items()},
            self._file_counts(), self._findings_by_item(), form_layout,
        )  # fmt: skip
        self.tabs.setTabVisible(1, not self.is_focus)
        self.findings.setVisible(not self.is_focus)
        if not self.is_focus:
            self._officers = officers
            self.detail.officer_names = self._officer_names(officers)
            self._fill_interviews()
        self._show_findings()
        self._show_review()
        self.repeats.set_form(form_layout.form if form_layout else None,
                              self.read_only or data.review.status == ReviewStatus.PLANNED)  # fmt: skip
        if self._painted:
            self._training_timer.start()
        if not (key and self.checklist.view.select_key(key)):
            self._select_first_on_show = not self.isVisible()
            if not self._select_first_on_show:
                self._select_first_item()

    def _officer_names(self, officers: list[Officer]) -> list[str]:
        """The officer picker's names: the agency's officers of this review's program."""
        mine = [o.name for o in officers if o.model == self.program]
        return sorted(mine or [o.name for o in officers])

    def _select_first_item(self) -> None:
        self._select_first_on_show = False
        view = self.checklist.view
        current = view.currentIndex()
        if current.isValid() and current.parent().isValid():
            return  # an item was chosen before the window was shown (select_key): keep it
        # Qt may have made the first section's title current on its own: start from the top
        view.setCurrentIndex(QModelIndex())
        # the first item, with its section's title above it: the view starts at the top
        view.move_entry(1, scroll=False)
        view.scrollToTop()

    def _sections(self) -> list[Section]:
        data = self.loaded
        review = data.review
        if review.kind == ReviewKind.FOCUS_REVIEW:
            parent = data.parent
            when = (parent.end_date or parent.start_date) if parent else None
            title = "Findings of the " + (
                f"{ReviewKind(parent.kind).label} of {when:%B %d, %Y}" if parent and when
                else "inspection followed up"
            )  # fmt: skip
            return sections_of_findings(data.parent_findings, title)
        if not review.form_id:
            return []
        return sections_of_form(reviews.form_for(review))

    def _form_layout(self) -> FormLayout | None:
        """A checklist with conditional items or repeats: its rows follow the answers."""
        review = self.loaded.review
        if review.kind == ReviewKind.FOCUS_REVIEW or not review.form_id:
            return None
        return FormLayout.of(reviews.form_for(review))

    def _file_counts(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for a in self.loaded.attachments:
            if a.item_key and not a.interview_answer_id:
                counts[a.item_key] += 1
        return dict(counts)

    def _findings_by_item(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = defaultdict(list)
        for f in self.loaded.findings:
            if f.item_key:
                out[f.item_key].append(f.number)
        return dict(out)

    def _findings_by_answer(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = defaultdict(list)
        for f in self.loaded.findings:
            if f.interview_answer_id:
                out[f.interview_answer_id].append(f.number)
        return dict(out)

    def title(self) -> str:
        data = self.data
        if data is None:
            return ""
        return f"{data.agency.name} — {ReviewKind(data.review.kind).label}"

    def _show_review(self) -> None:
        data = self.loaded
        review = data.review
        self.read_only = review.status == ReviewStatus.FINAL
        kind = ReviewKind(review.kind).label
        form = f"{review.form_id} v{review.form_version}" if review.form_id else "no checklist yet"
        if review.kind == ReviewKind.FOCUS_REVIEW:
            form = f"{len(data.parent_findings)} findings followed up"
        start = review.start_date or review.planned_start
        end = review.end_date or review.planned_end
        dates = f"{start:%b %d, %Y}" if start else "not scheduled"
        if end and end != start:
            dates += f" – {end:%b %d, %Y}"
        if review.due_date:
            dates += f" (due {review.due_date:%b %d, %Y})"
        team = ", ".join(review.team) or review.lead_inspector or "—"
        place = f"{escape(data.agency.name)} ({escape(data.agency.state)})"
        if data.field_office:
            place += f" · {escape(data.field_office.name)} field office"
        self.header.setText(
            f"<span style='font-size:14pt'><b>{place}</b></span><br>"
            f"<b>{escape(kind)}</b> · {escape(ReviewMode(review.mode).label)} · "
            f"form {escape(form)} · {escape(dates)}<br>Team: {escape(team)}"
            + (f" (lead {escape(review.lead_inspector)})" if review.lead_inspector else "")
        )
        status = ReviewStatus(review.status).label
        if self.read_only:
            status = f"Final — locked (read-only){f', revision {review.revision}' if review.revision else ''}"
        color = "#8a1c12" if self.read_only else "#1b4f8a"
        self.state.setText(
            f"<span style='color:{color}; font-weight:bold; border:1px solid {color}; "
            f"padding:3px'>{escape(status)}</span>"
        )
        self.start_bar.setVisible(review.status == ReviewStatus.PLANNED)
        self.target.read_only = self.read_only
        if self.read_only:
            # nothing of a final review can be undone: Undo and Redo are disabled (here and
            # in the window's Edit menu), and Ctrl+Z moves no history
            self.undo_stack.clear()
        self.detail.set_read_only(self.read_only or review.status == ReviewStatus.PLANNED)
        if self._interviews is not None:
            self._interviews.set_read_only(self.read_only)
        self.findings.set_read_only(self.read_only)
        for action in self.lifecycle_actions.values():
            action.update(self)
        self.sig_title_changed.emit(self.title())

    def _show_findings(self) -> None:
        counts = self.findings.set_findings(self.loaded.findings)
        self._show_banner(counts)

    def _show_banner(self, counts: FindingCounts) -> None:
        review = self.loaded.review
        if self.is_focus or not requires_follow_up(counts):
            self.banner.hide()
            return
        end = review.end_date or review.start_date or review.planned_end
        due = follow_up_due(counts, end) if end else None
        self.banner.setText(
            f"⚠ {counts.counted_for_follow_up} deficiencies and areas of concern: a focus "
            "review will be required within 6 months"
            + (f" (due by {due:%B %d, %Y})." if due else ".")
        )
        self.banner.show()

    @property
    def program(self) -> ProgramModel:
        return (
            ProgramModel.WSO
            if self.loaded.review.kind == ReviewKind.WSO_REVIEW
            else ProgramModel.JEM
        )

    def _check_training(self) -> None:
        """Offer a training finding when officers' training had lapsed when the review began."""
        if self._closed or self.data is None or self.is_focus:
            self.lapsed = []
        else:
            review = self.data.review
            as_of = review.start_date or review.planned_start or today_of(self.ctx)
            self.lapsed = [
                t for t in lifecycle.lapsed_officers(self.ctx.db, review.agency_id, as_of)
                if t.officer.model == self.program
            ]  # fmt: skip
        self.findings.set_lapsed_training([t.officer.name for t in self.lapsed])

    # -- user actions -------------------------------------------------------------------------

    def show_error(self, exc: BaseException | str) -> None:
        """One line under the header: a message, a known error, or a logged bug."""
        text = exc if isinstance(exc, str) else error_text(exc, "review workspace")
        self.error.setText(text)
        self.error.show()
        self.ctx.sig_status.emit(text)

    def clear_error(self) -> None:
        self.error.hide()

    def _saved_response(self, row) -> None:  # noqa: ANN001
        self.clear_error()  # a value saved: an error about an earlier try is over
        self.apply_response(row)

    def _saved_interview_answer(self, row) -> None:  # noqa: ANN001
        self.clear_error()
        self._apply_interview_answer(row)

    def _on_current(self, key: str | None) -> None:
        self.clear_error()
        entry = self.model.entry(self.model.index_of(key)) if key else None
        where = ""
        if key and self.data:
            if self.is_focus:
                where = self.model.sections[0].title if self.model.sections else ""
            elif self.data.review.form_id:
                where = reviews.form_for(self.data.review).section_of(key).title
        show_following_keys(self.detail, entry, where)

    def _on_key_answer(self, key: str, value: str | None) -> None:
        if self.read_only:
            self.show_error(ServiceError("This review is final and locked; answers cannot be "
                                         "changed (record an amendment to change it)."))  # fmt: skip
            return
        self.clear_error()
        self.target.set_value(key, value)

    def _on_start(self) -> None:
        try:
            reviews.start_review(self.ctx.db, self.review_id)
        except ServiceError as exc:
            self.show_error(exc)

    def raise_finding(self, target: Target, key: str) -> FindingEditor | None:
        """Open the finding editor prefilled from the item or answer (topic, citation, kind)."""
        try:
            draft = target.finding_draft(key)
        except ServiceError as exc:
            self.show_error(exc)
            return None
        return self._open_editor(FindingEditor(self.ctx, self, draft=draft))

    def raise_training_finding(self) -> FindingEditor | None:
        """A deficiency naming the officers whose training has lapsed, for the LEA to fix."""
        if not self.lapsed:
            return None
        draft = FindingDraft(
            review_id=self.review_id, kind=FindingKind.DEFICIENCY.value, topic="training",
            responsible=ResponsibleParty.LEA.value, citation=TRAINING_CITATION[self.program],
            description=lifecycle.training_finding_text(self.lapsed),
        )  # fmt: skip
        return self._open_editor(FindingEditor(self.ctx, self, draft=draft))

    def new_finding(self) -> FindingEditor:
        return self._open_editor(FindingEditor(self.ctx, self, review_id=self.review_id))

    def open_finding(self, finding_id: str) -> FindingEditor:
        return self._open_editor(
            FindingEditor(self.ctx, self, finding_id=finding_id, read_only=self.read_only)
        )

    def _open_editor(self, editor: FindingEditor) -> FindingEditor:
        self.finding_editor = editor
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.accepted.connect(lambda: self._select_saved(editor))
        editor.destroyed.connect(lambda *_: setattr(self, "finding_editor", None))
        editor.open()  # window-modal, without a nested event loop
        return editor

    def _select_saved(self, editor: FindingEditor) -> None:
        if editor.finding_id:
            self.select_finding(editor.finding_id)

    def remove_finding(self, finding_id: str) -> None:
        """Remove a finding (a tombstone), undoable like answers."""
        db = self.ctx.db

        def apply(removed: bool) -> None:
            (findings.remove_finding if removed else findings.restore_finding)(db, finding_id)

        self.undo_stack.push(ServiceCommand("remove finding", apply, False, True,
                                            on_error=self.show_error))  # fmt: skip
