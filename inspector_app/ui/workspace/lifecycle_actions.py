"""Workspace actions for the follow-up cycle (finalize, amend, corrective actions,
dispute), provided by ui/lifecycle_dialogs.py when it is installed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..qt import QAction, QToolBar

# (action text, candidate function names in lifecycle_dialogs, when it applies)
#   when: "open" = not final, "final" = final only, "finding" = on the selected finding,
#   "wso" = WSO reviews only (the request form sent ahead of the review)
_ACTIONS = [
    ("Finalize…", ("finalize_review", "finalize_review_dialog"), "open"),
    ("Amend…", ("amend_review", "amend_review_dialog"), "final"),
    ("Corrective actions…", ("corrective_actions", "corrective_actions_dialog"), "finding"),
    ("Dispute…", ("dispute_finding", "dispute_finding_dialog"), "finding"),
    ("Request form…", ("info_request_dialog",), "wso"),
]


@dataclass
class LifecycleAction:
    action: QAction
    when: str

    def update(self, ws: Any) -> None:
        final = ws.read_only
        if self.when == "wso":
            self.action.setVisible(ws.data is not None and ws.data.review.kind == "wso_review")
            return
        self.action.setVisible(not ws.is_focus or self.when in ("open", "final"))
        self.action.setEnabled({"open": not final, "final": final, "finding": True}[self.when])


def _call(fn: Callable[..., Any], ws: Any, when: str) -> None:
    ws.detail.flush_note()
    try:
        if when == "finding":
            rows = ws.findings.table.selectionModel().selectedRows()
            if not rows:
                ws.show_error(Exception("Choose a finding in the findings list first."))
                return
            fn(ws.ctx, ws, rows[0].data(256))  # Qt.UserRole = the finding id
        else:
            fn(ws.ctx, ws, ws.review_id)
    except Exception as exc:  # noqa: BLE001  (a dialog's refusal is shown, never a traceback)
        ws.show_error(exc)


_missing: list[bool] = []  # a failed import is not cached by Python; remember it here


def add_lifecycle_actions(ws: Any, toolbar: QToolBar) -> dict[str, LifecycleAction]:
    if _missing:
        return {}
    try:
        from .. import lifecycle_dialogs
    except ImportError:
        _missing.append(True)
        return {}
    out: dict[str, LifecycleAction] = {}
    for text, names, when in _ACTIONS:
        fn = next((getattr(lifecycle_dialogs, n) for n in names
                   if callable(getattr(lifecycle_dialogs, n, None))), None)  # fmt: skip
        if fn is None:
            continue
        action = toolbar.addAction(text, lambda f=fn, w=when: _call(f, ws, w))
        out[text] = LifecycleAction(action, when)
    return out
