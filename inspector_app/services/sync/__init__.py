"""The laptop side of sync (docs/sync.md): `sync` sends the outbox to the central
service and brings back what others changed; conflicts the service kept aside are
listed and resolved here."""

from typing import TYPE_CHECKING, Any

from .status import open_conflicts, resolve_conflict, sync_status
from .types import (
    ConflictRow,
    SyncCancelled,
    SyncError,
    SyncProgress,
    SyncReport,
    SyncStatus,
)

__all__ = [
    "ConflictRow", "SyncCancelled", "SyncError", "SyncProgress", "SyncReport", "SyncStatus",
    "open_conflicts", "resolve_conflict", "sync", "sync_status", "sync",
]  # fmt: skip

if TYPE_CHECKING:
    from .run import sync


def __getattr__(name: str) -> Any:
    """`sync` (and with it httpx) is imported on first use: not at the app's start."""
    if name == "sync":
        from .run import sync

        return sync
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
