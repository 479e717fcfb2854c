"""How an open review workspace follows changes (ctx.sig_changed, one Changes per action).

Rules, cheapest first:
- a bulk change reloads the whole review once;
- officers' training changed: the lapsed-training offer is checked again;
- nothing of this review: nothing to do;
- a row this window already holds at the revision written (its own answer, applied
  from the row the service returned) is not read back;
- any other row of this review (another window, another instance, undo) is read
  alone: one answer, one interview answer, one finding. Lists with no single-row
  read (attachments, interviews) are read for this review only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from inspector_app.domain.rules import FindingCounts
from inspector_app.services import review_views as rv
from inspector_app.services.review_read import Response, WorkspaceReview
from inspector_app.store.changes import Changes, RowChange

if TYPE_CHECKING:
    from ..context import AppContext
    from ..qt import QTimer
    from .checklist_model import ChecklistModel
    from .interviews_panel import InterviewsPanel
    from .item_detail import ItemDetail

# table -> the method that takes its rows, in the order they are applied
_BY_TABLE = {
    "checklist_response": "_take_responses",
    "interview_answer": "_take_interview_answers",
    "interview": "_take_interviews",
    "finding": "_take_findings",
    "attachment": "_take_attachments",
}


class LiveUpdates:
    """Mixed into ReviewWorkspace: apply a Changes to what the window shows."""

    if TYPE_CHECKING:  # what ReviewWorkspace provides
        ctx: AppContext
        review_id: str
        data: WorkspaceReview | None
        model: ChecklistModel
        detail: ItemDetail
        _closed: bool
        _revs: dict[str, int]
        _training_timer: QTimer
        _interviews: InterviewsPanel | None

        def reload(self) -> None: ...
        def _fill_interviews(self) -> None: ...
        def _show_findings(self) -> None: ...
        def _show_review(self) -> None: ...
        def _show_banner(self, counts: FindingCounts) -> None: ...
        def _file_counts(self) -> dict[str, int]: ...
        def _findings_by_item(self) -> dict[str, list[int]]: ...
        def _findings_by_answer(self) -> dict[str, list[int]]: ...

    @property
    def loaded(self) -> WorkspaceReview:
        """The review as read (reload); only asked for once it was found."""
        assert self.data is not None, "the review was read (reload found it)"
        return self.data

    def _on_changed(self, changes: Changes) -> None:
        if self._closed or self.data is None:
            return
        if changes.everything:
            self.reload()
            return
        if changes.training:
            self._training_timer.start()
        if not changes.touches_review(self.review_id):
            return
        if changes.rows_of("review", self.review_id) and self._take_review():
            return  # the review was read again in full
        for table, method in _BY_TABLE.items():
            rows = [r for r in changes.rows_of(table, self.review_id) if not self._holds(r)]
            if rows:
                getattr(self, method)(rows)

    def _holds(self, row: RowChange) -> bool:
        """This window already shows the row at the revision written."""
        return self._revs.get(row.row_id, -1) >= row.rev > 0

    # -- applying rows -----------------------------------------------------------------

    def apply_response(self, row: Any) -> None:
        """A checklist row as written (by this window's target, or read after a change)."""
        self._revs[row.id] = row.rev
        gone = row.deleted
        if gone:  # the workspace holds live answers only
            self.loaded.responses.pop(row.item_key, None)
        else:
            self.loaded.responses[row.item_key] = Response.of(row)
        self.model.set_answer(row.item_key, None if gone else row.value,
                              "" if gone else row.note, row.rev)  # fmt: skip
        if self.detail.entry and self.detail.entry.key == row.item_key:
            self.detail.refresh()

    def _take_responses(self, rows: list[RowChange]) -> None:
        for change in rows:
            row = rv.checklist_response(self.ctx.db, change.row_id)
            if row is not None:
                self.apply_response(row)

    def _take_interview_answers(self, rows: list[RowChange]) -> None:
        for change in rows:
            row = rv.interview_answer(self.ctx.db, change.row_id)
            if row is not None:
                self._apply_interview_answer(row)

    def _apply_interview_answer(self, row: Any) -> None:
        self._revs[row.id] = row.rev
        for data in self.loaded.interviews:
            if data.interview.id == row.interview_id:
                data.answers[row.question_key] = row
        if self._interviews is not None:
            self._interviews.update_answer(row.interview_id, row.question_key, row.value,
                                           row.note, row.rev)  # fmt: skip

    def _take_interviews(self, _rows: list[RowChange]) -> None:
        data = rv.review_data(self.ctx.db, self.review_id)
        if data is not None:
            self.loaded.interviews = data.interviews
            self._remember_revs()
            self._fill_interviews()

    def _take_findings(self, rows: list[RowChange]) -> None:
        by_id = {f.id: f for f in self.loaded.findings}
        for change in rows:
            row = rv.finding(self.ctx.db, change.row_id)
            by_id.pop(change.row_id, None)
            if row is not None and not row.deleted:
                by_id[row.id] = row
                self._revs[row.id] = row.rev
        self.loaded.findings = sorted(by_id.values(), key=lambda f: f.number)
        self._show_findings()
        self.model.set_findings(self._findings_by_item())
        if self._interviews is not None:
            self._interviews.set_findings_by_answer(self._findings_by_answer())

    def _take_attachments(self, _rows: list[RowChange]) -> None:
        self.loaded.attachments = rv.review_attachments(self.ctx.db, self.review_id)
        self.model.set_files(self._file_counts())
        self.detail.refresh()
        if self._interviews is not None:
            self._interviews.refresh_files()

    def _take_review(self) -> bool:
        """Read the review row again; True if that meant reading everything (new form)."""
        review = rv.review(self.ctx.db, self.review_id)
        if review is None:
            return False
        old = self.loaded.review
        self.loaded.review = review
        if (review.form_id, review.form_version) != (old.form_id, old.form_version):
            self.reload()
            return True
        self._show_review()
        self._show_banner(FindingCounts.of(f.kind for f in self.loaded.findings if f.kind))
        return False

    def _remember_revs(self) -> None:
        """The revision of every row shown, after a full read."""
        data = self.loaded
        revs = {r.id: r.rev for r in data.responses.values()}
        revs.update((f.id, f.rev) for f in data.findings)
        revs.update((a.id, a.rev) for i in data.interviews for a in i.answers.values())
        self._revs = revs
