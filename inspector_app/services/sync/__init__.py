"""The laptop side of sync (docs/sync.md): `sync` sends the outbox to the central
service and brings back what others changed; conflicts the service kept aside are
listed and resolved here."""

from .run import sync
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
