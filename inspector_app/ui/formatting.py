"""Small display helpers shared by the pages: the app's today, dates, due colours."""

from __future__ import annotations

from datetime import date
from typing import Any

from inspector_app.domain.calendar import DueState

DUE_COLOURS = {DueState.OVERDUE: "#f6d5d5", DueState.DUE_SOON: "#fcefc7"}
DUE_LABELS = {DueState.OVERDUE: "overdue", DueState.DUE_SOON: "due soon", DueState.OK: ""}


def today_of(ctx: Any) -> date:
    """The app's "today" (tests pin it on the context to the demo's date)."""
    return getattr(ctx, "today", None) or date.today()


def fmt_date(day: date | None) -> str:
    return day.isoformat() if day else ""
