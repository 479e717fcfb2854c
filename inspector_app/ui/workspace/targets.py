"""Where an answer, a note, a file or a finding of one entry goes.

The checklist panel and the item detail are the same for a review's checklist, a
focus review and an interview; a target knows which service calls to make. Answers
and notes go through the undo stack (undo calls the service again with the old
value); files and findings are saved at once.

An answer is a whole value pressed on a key: the last write wins. A note is typed
text: it is saved from the revision the note editor started from, and a row saved by
someone else since is refused (StaleEdit) and handed back to the editor.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from inspector_app.services import attachments, findings, interviews, reviews
from inspector_app.services.errors import Invalid, StaleEdit
from inspector_app.services.findings import FindingDraft
from inspector_app.services.review_views import Attachment

from ..qt import QUndoStack
from ..tasks import Report
from .checklist_model import ChecklistModel
from .entries import value_label
from .undo import ServiceCommand

ErrorSink = Callable[[Exception], None]


class Target:
    """Shared behaviour: undoable answers and notes over one ChecklistModel."""

    what = "item"

    def __init__(self, db, model: ChecklistModel, stack: QUndoStack, on_error: ErrorSink) -> None:  # noqa: ANN001
        self.db, self.model, self.stack, self.on_error = db, model, stack, on_error
        self.read_only = False
        # Given each row a write returns, so the window shows it without reading it back.
        self.on_saved: Callable[[Any], None] = lambda _row: None

    # to implement
    def _write_value(self, key: str, value: str | None) -> None:
        raise NotImplementedError

    def _write_note(self, key: str, note: str, base_rev: int | None) -> None:
        raise NotImplementedError

    def attachments(self, key: str) -> list[Attachment]:
        raise NotImplementedError

    def _attach_to(self, key: str) -> dict[str, str | None]:
        raise NotImplementedError

    def attach_job(self, key: str, paths: list[Path]) -> Callable[[Report], int]:
        """A background job storing the files (hashing a large file takes a while).

        Where they belong is worked out now, on the GUI thread."""
        where = self._attach_to(key)

        def job(report: Report) -> int:
            for n, path in enumerate(paths):
                report(int(100 * n / len(paths)), f"Attaching {path.name}")
                attachments.add_attachment(self.db, source=path, review_id=where.get("review_id"),
                                           item_key=where.get("item_key"),
                                           interview_answer_id=where.get("interview_answer_id"))  # fmt: skip
            return len(paths)

        return job

    def draft(self, key: str) -> FindingDraft:
        raise NotImplementedError

    def finding_draft(self, key: str) -> FindingDraft:
        """The draft of a finding raised from the entry: what the note says was seen is
        the description, the question follows it as context."""
        draft = self.draft(key)
        note = self.model.answer(key).note.strip()
        if not note:
            return draft
        return dataclasses.replace(draft, description=f"{note}\n\n({draft.description})")

    # undoable edits
    def set_value(self, key: str, value: str | None) -> None:
        old = self.model.answer(key).value
        if old == value:
            return
        entry = self.model.entry(self.model.index_of(key))
        label = entry.label(value) if entry else value_label(value)
        text = f"answer {label or 'cleared'} ({key})"
        self.stack.push(
            ServiceCommand(
                text, lambda v: self._write_value(key, v), old, value, on_error=self.on_error
            )
        )

    def set_note(self, key: str, note: str, base_rev: int | None = None) -> StaleEdit | None:
        """Save a typed note from revision `base_rev` of the item's row; a refusal because
        someone saved the row since is returned (nothing saved), not reported."""
        old = self.model.answer(key).note
        if old == note:
            return None
        first = [base_rev]  # the edit itself; undo and redo start from what the model has
        stale: list[StaleEdit] = []

        def apply(value: str) -> None:
            self._write_note(key, value, first.pop() if first else self.model.answer(key).rev)

        def on_error(exc: Exception) -> None:
            if isinstance(exc, StaleEdit) and first == [] and not stale and not pushed:
                stale.append(exc)
            else:
                self.on_error(exc)

        pushed = False
        self.stack.push(
            ServiceCommand(
                f"note ({key})", apply, old, note, on_error=on_error, merge_key=f"{id(self)}:{key}"
            )  # fmt: skip
        )
        pushed = True
        return stale[0] if stale else None


class ChecklistTarget(Target):
    """A review's checklist items, or a focus review's earlier findings."""

    def __init__(self, db, review_id: str, model, stack, on_error,  # noqa: ANN001
                 all_attachments: Callable[[], list[Attachment]]) -> None:  # fmt: skip
        super().__init__(db, model, stack, on_error)
        self.review_id = review_id
        self._all_attachments = all_attachments

    def _write_value(self, key: str, value: str | None) -> None:
        self.on_saved(reviews.record_answer(self.db, review_id=self.review_id, item_key=key,
                                            value=value))  # fmt: skip

    def _write_note(self, key: str, note: str, base_rev: int | None) -> None:
        self.on_saved(reviews.set_note(self.db, review_id=self.review_id, item_key=key,
                                       note=note, base_rev=base_rev))  # fmt: skip

    def attachments(self, key: str) -> list[Attachment]:
        return [a for a in self._all_attachments() if a.item_key == key]

    def _attach_to(self, key: str) -> dict[str, str | None]:
        return {"review_id": self.review_id, "item_key": key}

    def draft(self, key: str) -> FindingDraft:
        return findings.draft_from_item(self.db, review_id=self.review_id, item_key=key)


class InterviewTarget(Target):
    """The questions of one interview; the answer rows are created on first write."""

    what = "question"

    def __init__(self, db, interview_id: str, review_id: str, model, stack, on_error,  # noqa: ANN001
                 answer_ids: Callable[[], dict[str, str]],
                 all_attachments: Callable[[], list[Attachment]]) -> None:  # fmt: skip
        super().__init__(db, model, stack, on_error)
        self.interview_id, self.review_id = interview_id, review_id
        self._answer_ids = answer_ids
        self._all_attachments = all_attachments

    def _write_value(self, key: str, value: str | None) -> None:
        self.on_saved(interviews.record_interview_answer(
            self.db, interview_id=self.interview_id, question_key=key, value=value))  # fmt: skip

    def _write_note(self, key: str, note: str, base_rev: int | None) -> None:
        self.on_saved(interviews.record_interview_answer(
            self.db, interview_id=self.interview_id, question_key=key,
            value=self.model.answer(key).value, note=note, base_rev=base_rev,
        ))  # fmt: skip

    def _answer_id(self, key: str, *, create: bool) -> str | None:
        answer_id = self._answer_ids().get(key)
        if answer_id is None and create:
            row = interviews.record_interview_answer(
                self.db, interview_id=self.interview_id, question_key=key,
                value=self.model.answer(key).value,
            )  # fmt: skip
            self.on_saved(row)
            answer_id = row.id
        return answer_id

    def attachments(self, key: str) -> list[Attachment]:
        answer_id = self._answer_ids().get(key)
        if answer_id is None:
            return []
        return [a for a in self._all_attachments() if a.interview_answer_id == answer_id]

    def _attach_to(self, key: str) -> dict[str, str | None]:
        return {"review_id": self.review_id,
                "interview_answer_id": self._answer_id(key, create=True)}  # fmt: skip

    def draft(self, key: str) -> FindingDraft:
        answer_id = self._answer_id(key, create=False)
        if answer_id is None or self.model.answer(key).value is None:
            raise Invalid("answer", "answer the question first, then raise a finding from it")
        return findings.draft_from_answer(self.db, interview_answer_id=answer_id)
