"""The laptop's sync API types (docs/sync.md, "The laptop's sync API")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from inspector_app.domain.errors import KnownError


class SyncError(KnownError):
    """A sync that could not go on (server unreachable, refused, ...): one line."""


class SyncCancelled(KnownError):
    """The user cancelled; what the server had acknowledged is kept."""


@dataclass(frozen=True)
class SyncProgress:
    """Handed to the progress callback, from the sync's thread."""

    phase: str  # "connect" | "upload" | "push" | "pull" | "download"
    done: int
    total: int | None  # None: not known yet
    message: str  # one line for a status bar, e.g. "Pushing 500 of 2,310 changes"


@dataclass(frozen=True)
class ConflictRow:
    id: str
    rev: int  # pass back as base_rev when resolving
    table: str
    row_id: str
    what: str  # a person's name for the row: "review 1a2b3c4d, item 2.3"
    field: str  # the column, or "*" / "deleted"
    server_value: Any  # what the row shows now
    client_value: Any  # the other device's value
    reason: str  # "same field" | "deleted" | "final" | "edited"
    client_user: str
    created_at: datetime


@dataclass(frozen=True)
class SyncReport:
    server: str
    pushed: int  # change-log entries the server acknowledged
    pulled: int  # row versions applied from the server
    blobs_up: int
    blobs_down: int
    new_conflicts: list[ConflictRow]
    seconds: float
    # Waiting changes to rows of another field office than the user's: the server would
    # refuse them, so they stay on this laptop (a demo laptop holds two offices' rows).
    held_back: int = 0


@dataclass(frozen=True)
class SyncStatus:
    server: str  # "" when this laptop was never enrolled
    user: str
    role: str
    last_success: datetime | None
    waiting: int  # change-log entries not yet acknowledged
    open_conflicts: int


ProgressFn = Callable[[SyncProgress], None]
CancelledFn = Callable[[], bool]

# meta keys (docs/sync.md)
META_SERVER = "sync.server"
META_TOKEN = "sync.token"
META_CURSOR = "sync.cursor"
META_LAST_SUCCESS = "sync.last_success"
META_USER = "sync.user"
META_ROLE = "sync.role"
META_OFFICE = "sync.field_office"
