"""Errors a user can act on. str() is one line that names the field or record."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from inspector_app.domain.errors import KnownError


class ServiceError(KnownError):
    """Base of every refusal a service makes on purpose."""


class NotFound(ServiceError):
    def __init__(self, entity: str, ident: str):
        self.entity, self.ident = entity, ident
        super().__init__(f"no {entity} with id {ident!r}")


class Invalid(ServiceError):
    """A value the user gave is wrong; `field` names it so a form can show it beside it."""

    def __init__(self, field: str, message: str):
        self.field, self.message = field, message
        super().__init__(f"{field}: {message}")


class ReviewLocked(ServiceError):
    def __init__(self, review_id: str):
        self.review_id = review_id
        super().__init__(
            f"review {review_id[:8]} is final and locked; record an amendment with a reason to change it"
        )


class Conflict(ServiceError):
    """The action does not fit the record's current state."""


class StaleEdit(ServiceError):
    """Someone saved the row after the user opened it (its rev is past the user's base):
    nothing was written. Carries both versions so the form can show the other change
    and offer "Keep mine" (save again with `current_rev` as base) or "Load theirs"."""

    def __init__(
        self, what: str, *, by: str, at: datetime, base_rev: int, current_rev: int,
        current: dict[str, Any], attempted: dict[str, Any],
    ) -> None:  # fmt: skip
        self.what, self.by, self.at = what, by or "someone", at
        self.base_rev, self.current_rev = base_rev, current_rev
        self.current, self.attempted = current, attempted
        super().__init__(
            f"{what} was changed by {self.by} {_when(at)} after you opened it; your text is "
            "kept: review their change and save again"
        )

    def changed_fields(self) -> dict[str, Any]:
        """Their value of each field the user tried to set where the two differ."""
        return {
            k: v for k, v in self.current.items() if k in self.attempted and self.attempted[k] != v
        }


def _when(at: datetime) -> str:
    """'at 14:02' today, 'on 2026-11-02 at 14:02' otherwise, in local time."""
    local = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone()
    if local.date() == datetime.now().astimezone().date():
        return f"at {local:%H:%M}"
    return f"on {local:%Y-%m-%d} at {local:%H:%M}"
