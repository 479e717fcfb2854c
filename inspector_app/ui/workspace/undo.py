"""Undo for answers, notes, files and captions: each command is plain data (what to
write, before and after) applied through the same service call as the original action,
so undoing changes the database, with its own change-log and audit entries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from inspector_app.services.errors import ServiceError
from inspector_app.store.errors import DatabaseProblem

from ..qt import QUndoCommand

NOTE_MERGE_ID = 287  # consecutive note saves on one item undo as one step


class ServiceCommand(QUndoCommand):
    """Set something from `old` to `new` with `apply(value)`; undo applies `old` again."""

    def __init__(
        self, text: str, apply: Callable[[Any], None], old: Any, new: Any, *,
        on_error: Callable[[Exception], None], merge_key: str | None = None,
        done: bool = False,
    ) -> None:  # fmt: skip
        """``done``: the change is made already (saved before the push, so that a refusal
        is the caller's to show): pushing it does not write it again."""
        super().__init__(text)
        self.apply, self.old, self.new = apply, old, new
        self.on_error = on_error
        self.merge_key = merge_key
        self.failed = False
        self._pushed_done = done

    def _run(self, value: Any) -> bool:
        try:
            self.apply(value)
        except (ServiceError, DatabaseProblem) as exc:
            self.failed = True
            self.on_error(exc)
            return False
        return True

    def redo(self) -> None:
        if self._pushed_done:
            self._pushed_done = False
            return
        if not self._run(self.new):
            self.setObsolete(True)  # a refused first push is dropped from the stack

    def undo(self) -> None:
        self._run(self.old)

    def id(self) -> int:
        return NOTE_MERGE_ID if self.merge_key else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802
        if not isinstance(other, ServiceCommand) or other.merge_key != self.merge_key:
            return False
        if other.failed or self.failed:
            return False  # a refused save never becomes what undo/redo write
        self.new = other.new
        return True
