"""Workspace actions for the follow-up cycle (finalize, amend, corrective actions,
dispute, the WSO request form), opening the dialogs of ui/lifecycle_dialogs.py."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import lifecycle_dialogs as dialogs
from ..qt import QAction, QKeySequence, Qt, QToolBar

# (action text, dialog function, when it applies, shortcut)
#   when: "open" = not final, "final" = final only, "finding" = on the selected finding,
#   "wso" = WSO reviews only (the request form sent ahead of the review)
# The shortcuts work anywhere in the workspace and are listed in the Review menu.
_ACTIONS = [
    ("Finalize…", dialogs.finalize_review_dialog, "open", "Ctrl+Shift+E"),
    ("Amend…", dialogs.amend_review_dialog, "final", "Ctrl+Shift+M"),
    ("Corrective actions…", dialogs.corrective_actions_dialog, "finding", "Ctrl+Shift+C"),
    ("Dispute…", dialogs.dispute_finding_dialog, "finding", "Ctrl+Shift+D"),
    ("Request form…", dialogs.info_request_dialog, "wso", "Ctrl+Shift+R"),
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
                ws.show_error("Choose a finding in the findings list first.")
                return
            fn(ws.ctx, ws, rows[0].data(256))  # Qt.UserRole = the finding id
        else:
            fn(ws.ctx, ws, ws.review_id)
    except Exception as exc:  # noqa: BLE001  (show_error logs a bug; a refusal is one line)
        ws.show_error(exc)


def add_lifecycle_actions(ws: Any, toolbar: QToolBar) -> dict[str, LifecycleAction]:
    out: dict[str, LifecycleAction] = {}
    for text, fn, when, keys in _ACTIONS:
        action = toolbar.addAction(text, functools.partial(_call, fn, ws, when))
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        ws.addAction(action)
        out[text] = LifecycleAction(action, when)
    return out
