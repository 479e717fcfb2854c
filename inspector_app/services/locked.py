"""The one rule every write to a review's content checks first."""

from __future__ import annotations

from typing import Protocol

from inspector_app.domain.enums import ReviewStatus

from .errors import ReviewLocked


class _HasStatus(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def status(self) -> ReviewStatus | str: ...


def ensure_editable(review: _HasStatus) -> None:
    """A final review is locked; only an amendment (services.lifecycle) may change it."""
    if review.status == ReviewStatus.FINAL:
        raise ReviewLocked(review.id)
