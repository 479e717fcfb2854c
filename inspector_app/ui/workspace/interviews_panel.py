"""Interviews: pick the interviewee, go through the guide's questions, then the next.

For the WSO standardized interview every officer gets the same questions; each
officer's answers are stored with that officer's interview. JEM reviews offer the
guides for field-office leadership, LEA leadership, officers and detainees.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from inspector_app.domain.enums import IntervieweeRole, ProgramModel, ReviewKind
from inspector_app.domain.forms import FormDefinition
from inspector_app.services import forms, interviews
from inspector_app.services.errors import ServiceError
from inspector_app.services.review_views import InterviewData, Officer

from ..qt import (
    QAbstractItemView,
    QComboBox,
    QFont,
    QFontMetrics,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStandardItem,
    QStandardItemModel,
    QStyle,
    Qt,
    QUndoStack,
    QVBoxLayout,
    QWidget,
    Signal,
)
from .checklist_model import COL_ANSWER, COL_EXTRA, COL_FINDINGS, Answer, ChecklistModel
from .checklist_panel import ChecklistPanel
from .entries import FormLayout, Section, sections_of_form
from .item_detail import ItemDetail, show_following_keys, wire_keys
from .targets import InterviewTarget


class InterviewsPanel(QWidget):
    sig_error = Signal(object)
    sig_raise_finding = Signal(object, str)  # target, question key

    def __init__(self, ctx, review_id: str, stack: QUndoStack,  # noqa: ANN001
                 attachments: Callable[[], list], parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.ctx, self.review_id, self.stack = ctx, review_id, stack
        self._attachments = attachments
        self.interviews: list[InterviewData] = []
        self.officers: list[Officer] = []
        self.findings_by_answer: dict[str, list[int]] = {}
        self.current_id: str | None = None
        self.target: InterviewTarget | None = None
        # Given each answer row this panel writes (the workspace shows it at once).
        self.on_saved: Callable[[Any], None] = lambda _row: None
        self.read_only = False
        self.program = ProgramModel.JEM

        # choosing the next interviewee
        self.role = QComboBox(self)
        self.role.setObjectName("interview_role")
        self.officer = QComboBox(self)
        self.officer.setObjectName("interview_officer")
        self.officer.setEditable(True)  # type to search the agency's officers
        self.officer.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.name = QLineEdit(self)
        self.name.setObjectName("interviewee_name")
        self.name.setPlaceholderText("Interviewee's name or title")
        self.start_button = QPushButton("Start interview", self)
        self.start_button.setObjectName("start_interview")
        self.start_button.clicked.connect(self.start_interview)
        self.role.currentIndexChanged.connect(self._on_role)

        # interviews done or under way
        self.list_model = QStandardItemModel(self)
        self.list = QListView(self)
        self.list.setObjectName("interview_list")
        self.list.setModel(self.list_model)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.selectionModel().currentChanged.connect(
            lambda cur, _prev: self.show_interview(cur.data(Qt.ItemDataRole.UserRole))
        )

        # the current interview's questions
        self.title = QLabel(self)
        self.title.setObjectName("interview_title")
        self.model = ChecklistModel(self)
        self.questions = ChecklistPanel(self.model, self)
        self.detail = ItemDetail(self)
        self.complete_button = QPushButton("Complete interview", self)
        self.complete_button.setObjectName("complete_interview")
        self.next_button = QPushButton("Complete and interview the next officer", self)
        self.next_button.setObjectName("next_officer")
        self.complete_button.clicked.connect(lambda: self.complete(next_officer=False))
        self.next_button.clicked.connect(lambda: self.complete(next_officer=True))

        view = self.questions.view
        view.sig_answer.connect(self._on_answer)
        view.sig_note_requested.connect(lambda _k: self.detail.focus_note())
        view.sig_current.connect(self._on_current)
        wire_keys(view, self.detail, self.ctx.sig_status.emit)
        self.detail.sig_error.connect(self.sig_error)
        self.detail.sig_raise_finding.connect(
            lambda key: self.sig_raise_finding.emit(self.target, key)
        )
        self.model.sig_progress.connect(lambda *_: self._update_list_texts())

        chooser = QHBoxLayout()
        chooser.addWidget(QLabel("Interview:", self))
        chooser.addWidget(self.role)
        chooser.addWidget(self.officer, 1)
        chooser.addWidget(self.name, 1)
        chooser.addWidget(self.start_button)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel("<b>Interviews</b>", left))
        left_layout.addWidget(self.list, 1)
        middle = QWidget(self)
        mid_layout = QVBoxLayout(middle)
        mid_layout.setContentsMargins(0, 0, 0, 0)
        mid_layout.addWidget(self.title)
        mid_layout.addWidget(self.questions, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.complete_button)
        buttons.addWidget(self.next_button)
        mid_layout.addLayout(buttons)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(left)
        split.addWidget(middle)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 3)
        split.setStretchFactor(2, 2)
        split.setSizes([160, 560, 380])
        split.setChildrenCollapsible(False)
        # The questions are read, not skimmed: wrapped over as many lines as they need and
        # never narrower than about 30 characters (at 1024 pixels they shrank to about 6).
        qview = self.questions.view
        qview.setUniformRowHeights(False)  # a guide has a few dozen questions, not 300
        qview.setWordWrap(True)
        qview.setTextElideMode(Qt.TextElideMode.ElideNone)
        qview.header().setMinimumSectionSize(60)
        for col, width in ((COL_ANSWER, 96), (COL_EXTRA, 64), (COL_FINDINGS, 56)):
            qview.header().resizeSection(col, width)
        middle.setMinimumWidth(qview.fontMetrics().averageCharWidth() * 30 + 96 + 64 + 56 + 40)
        left.setMinimumWidth(120)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(chooser)
        layout.addWidget(split, 1)

    # -- data -------------------------------------------------------------------------

    def set_review(self, kind: str, officers: list[Officer]) -> None:
        self.program = ProgramModel.WSO if kind == ReviewKind.WSO_REVIEW else ProgramModel.JEM
        self.officers = [o for o in officers if o.model == self.program and o.status == "active"]
        self.role.blockSignals(True)
        self.role.clear()
        for form in forms.registry().interview_forms(self.program):
            assert form.interviewee_role is not None, "an interview form names its interviewee"
            role = IntervieweeRole(form.interviewee_role)
            self.role.addItem(f"{role.label} ({form.title})", role.value)
        self.role.blockSignals(False)
        self._on_role()

    def set_interviews(
        self, interviews_: list[InterviewData], findings_by_answer: dict[str, list[int]]
    ) -> None:
        current = self.current_id  # before clear(): emptying the list changes the current row
        self.interviews = interviews_
        self.findings_by_answer = findings_by_answer
        self.list_model.clear()
        for data in interviews_:
            item = QStandardItem()
            item.setData(data.interview.id, Qt.ItemDataRole.UserRole)
            self.list_model.appendRow(item)
        self._update_list_texts()
        self._fill_officers()
        if current and any(d.interview.id == current for d in interviews_):
            self._select_in_list(current)
            self._reload_current()
        elif interviews_:
            self._select_in_list(interviews_[-1].interview.id)
        else:
            self.show_interview(None)

    def update_answer(
        self, interview_id: str, key: str, value: str | None, note: str, rev: int | None = None
    ) -> None:
        """One answer changed (by this window or another): update the view, not everything."""
        if interview_id == self.current_id:
            self.model.set_answer(key, value, note, rev)
            self.detail.refresh()

    def set_findings_by_answer(self, findings_by_answer: dict[str, list[int]]) -> None:
        self.findings_by_answer = findings_by_answer
        if self.current_id:
            self.model.set_findings(self._per_key(findings_by_answer))

    def refresh_files(self) -> None:
        if self.target:
            self.model.set_files(self._file_counts())
            self.detail.refresh()

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        for w in (self.role, self.officer, self.name):
            w.setEnabled(not read_only)
        self.detail.set_read_only(read_only)
        self._update_buttons()

    def _update_buttons(self) -> None:
        data = self.current()
        editable = not self.read_only
        is_officer = self.role.currentData() == IntervieweeRole.OFFICER.value
        self.start_button.setEnabled(editable and (not is_officer or self.officer.count() > 0))
        self.complete_button.setEnabled(
            editable and data is not None and not data.interview.completed
        )
        self.next_button.setEnabled(
            editable and data is not None and data.interview.interviewee_role == "officer"
            and not data.interview.completed and bool(self._remaining_officers())
        )  # fmt: skip

    # -- the current interview ---------------------------------------------------------------

    def current(self) -> InterviewData | None:
        return next((d for d in self.interviews if d.interview.id == self.current_id), None)

    def _per_key(self, per_answer: dict[str, list[int]]) -> dict[str, list[int]]:
        data = self.current()
        if data is None:
            return {}
        return {k: per_answer[a.id] for k, a in data.answers.items() if a.id in per_answer}

    def _file_counts(self) -> dict[str, int]:
        data = self.current()
        if data is None:
            return {}
        by_answer: dict[str, int] = {}
        for a in self._attachments():
            if a.interview_answer_id:
                by_answer[a.interview_answer_id] = by_answer.get(a.interview_answer_id, 0) + 1
        return {k: by_answer[a.id] for k, a in data.answers.items() if a.id in by_answer}

    def _form(self, data: InterviewData) -> FormDefinition:
        return forms.form_of(data.interview.form_id, data.interview.form_version)

    def show_interview(self, interview_id: str | None) -> None:
        self.detail.flush_note()
        self.current_id = interview_id
        data = self.current()
        if data is None:
            self.target = None
            self.model.load([], {}, {}, {})
            self.detail.set_target(None, self.ctx.db.attachments_dir)
            self.title.setText("Start an interview above.")
            self._update_buttons()
            return
        self.target = InterviewTarget(
            self.ctx.db, data.interview.id, self.review_id, self.model, self.stack,
            self.sig_error.emit, lambda: {k: a.id for k, a in (self.current() or data).answers.items()},
            self._attachments,
        )  # fmt: skip
        self.target.read_only = self.read_only
        self.target.on_saved = self.on_saved
        self.detail.set_target(self.target, self.ctx.db.attachments_dir)
        self._reload_current(keep_key=False)
        self.questions.view.move_entry(1)  # another interviewee: start at the first question
        self.questions.view.scrollToTop()

    def _reload_current(self, keep_key: bool = True) -> None:
        data = self.current()
        if data is None:
            return
        form = self._form(data)
        answers = {k: Answer(a.value, a.note, a.rev) for k, a in data.answers.items()}
        key = self.questions.view.current_key() if keep_key else None
        sections = sections_of_form(form)
        # a question whose show_if does not hold is not shown (nor counted, nor asked
        # for on completing), as on the checklist; it shows once its answer is given
        self.model.load(sections, answers, self._file_counts(),
                        self._per_key(self.findings_by_answer), FormLayout.of(form))  # fmt: skip
        self._fit_answer_column(sections)
        if key:
            self.questions.view.select_key(key)
        role = IntervieweeRole(data.interview.interviewee_role).label
        done = " — completed" if data.interview.completed else ""
        self.title.setText(f"<b>{data.interview.interviewee_name}</b> ({role}), {form.title}{done}")
        self._update_buttons()

    def _fit_answer_column(self, sections: list[Section]) -> None:
        """The answer column as wide as the guide's longest answer ("Partly understood",
        bold when it fails) or a section's "12 / 18": never cut to "Partly …"."""
        view = self.questions.view
        bold = QFont(view.font())
        bold.setBold(True)
        metrics = QFontMetrics(bold)
        texts = [e.label(v) for s in sections for e in s.entries for v in e.values or ()]
        texts += [f"{len(s.entries)} / {len(s.entries)}" for s in sections]
        widest = max((metrics.horizontalAdvance(t) for t in texts), default=0)
        margin = 2 * view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 16
        view.header().resizeSection(COL_ANSWER, max(96, widest + margin))

    def _on_current(self, key: str | None) -> None:
        entry = self.model.entry(self.model.index_of(key)) if key else None
        show_following_keys(self.detail, entry, self._where(key))

    def _where(self, key: str | None) -> str:
        data = self.current()
        if not key or data is None:
            return ""
        section = self._form(data).section_of(key)
        return f"{data.interview.interviewee_name} · {section.title}"

    def _on_answer(self, key: str, value: str | None) -> None:
        if self.read_only or self.target is None:
            self.sig_error.emit(ServiceError("this review is final: answers cannot be changed"))
            return
        self.target.set_value(key, value)

    # -- starting and completing -------------------------------------------------------------

    def _interviewed(self) -> set[str]:
        return {d.interview.officer_id for d in self.interviews if d.interview.officer_id}

    def _remaining_officers(self) -> list[Officer]:
        done = self._interviewed()
        return [o for o in self.officers if o.id not in done]

    def _fill_officers(self) -> None:
        self.officer.clear()
        for o in self._remaining_officers():
            self.officer.addItem(f"{o.name} ({o.credential_number})" if o.credential_number
                                 else o.name, o.id)  # fmt: skip
        self._on_role()

    def _on_role(self) -> None:
        is_officer = self.role.currentData() == IntervieweeRole.OFFICER.value
        self.officer.setVisible(is_officer)
        self.name.setVisible(not is_officer)
        line = self.officer.lineEdit()
        assert line is not None, "the officer box is editable"
        line.setPlaceholderText(
            "every officer has been interviewed" if self.officer.count() == 0 else "officer"
        )
        self._update_buttons()

    def start_interview(self) -> str | None:
        role = self.role.currentData()
        if role is None:
            return None
        self.detail.flush_note()
        officer_id = self.officer.currentData() if role == IntervieweeRole.OFFICER.value else None
        if role == IntervieweeRole.OFFICER.value and officer_id is None:
            self.sig_error.emit(ServiceError("officer: choose the officer to interview"))
            return None
        try:
            interview = interviews.start_interview(
                self.ctx.db, review_id=self.review_id, role=role, officer_id=officer_id,
                interviewee_name=self.name.text(),
            )  # fmt: skip
        except ServiceError as exc:
            self.sig_error.emit(exc)
            return None
        self.name.clear()
        self.current_id = interview.id  # the change signal reloads the list and selects it
        self._select_in_list(interview.id)
        self.questions.view.setFocus()
        return interview.id

    def complete(self, *, next_officer: bool) -> None:
        data = self.current()
        if data is None:
            return
        self.detail.flush_note()
        if not self._confirm_unanswered():
            return
        try:
            interviews.complete_interview(self.ctx.db, data.interview.id)
        except ServiceError as exc:
            self.sig_error.emit(exc)
            return
        if next_officer and self._remaining_officers():
            self.role.setCurrentIndex(self.role.findData(IntervieweeRole.OFFICER.value))
            self.officer.setCurrentIndex(0)
            self.start_interview()

    def _confirm_unanswered(self) -> bool:
        """With questions left unanswered, ask before completing (No: back to them)."""
        done, total = self.model.progress()
        left = total - done
        if left <= 0:
            return True
        questions = "1 question is" if left == 1 else f"{left} questions are"
        answer = QMessageBox.question(
            self, "Complete interview",
            f"{questions} unanswered ({done} of {total} answered). Complete the interview "
            "anyway?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )  # fmt: skip
        return answer == QMessageBox.StandardButton.Yes

    # -- list ---------------------------------------------------------------------------------

    def _select_in_list(self, interview_id: str) -> None:
        for row in range(self.list_model.rowCount()):
            item = self.list_model.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == interview_id:
                index = self.list_model.indexFromItem(item)
                if self.list.currentIndex() != index:
                    self.list.setCurrentIndex(index)
                elif self.current_id != interview_id or self.target is None:
                    self.show_interview(interview_id)
                return

    def _update_list_texts(self) -> None:
        by_id = {d.interview.id: d for d in self.interviews}
        for row in range(self.list_model.rowCount()):
            item = self.list_model.item(row)
            data = by_id.get(item.data(Qt.ItemDataRole.UserRole))
            if data is None:
                continue
            if data.interview.id == self.current_id:
                done, total = self.model.progress()
            else:
                values = {k: a.value for k, a in data.answers.items()}
                done, total = interviews.interview_progress(self._form(data), values)
            mark = "  ✓" if data.interview.completed else ""
            role = IntervieweeRole(data.interview.interviewee_role).label
            item.setText(f"{data.interview.interviewee_name}\n{role} · {done}/{total}{mark}")
