"""Small reads the CLI and the main window need: ids from prefixes, counts, titles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from inspector_app.store.database import Database
from inspector_app.store.models import Agency, Finding, Review, SyncFields
from inspector_app.store.queries import count_live, get_live, live, pending_changes, resolve_id

from .sync.status import count_open_conflicts
from .sync.types import META_LAST_SUCCESS

# The record kinds a user can name by id (or id prefix) on the command line.
RECORD_KINDS: dict[str, type[SyncFields]] = {"review": Review, "agency": Agency,
                                             "finding": Finding}  # fmt: skip


def ids_matching(db: Database, kind: str, text: str) -> list[str]:
    """Ids of live `kind` records that equal or start with `text` (like git)."""
    with db.read() as s:
        return resolve_id(s, RECORD_KINDS[kind], text)


def changes_waiting(db: Database) -> int:
    """Outbox entries not yet accepted by the central service."""
    with db.read() as s:
        return pending_changes(s)


@dataclass(frozen=True)
class Counts:
    agencies: int
    reviews: int
    findings: int
    changes_waiting: int
    open_conflicts: int = 0
    last_sync: datetime | None = None  # the last successful sync (None: never)


def _last_sync(db: Database) -> datetime | None:
    text = db.get_meta(META_LAST_SUCCESS)
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def counts(db: Database) -> Counts:
    with db.read() as s:
        return Counts(count_live(s, Agency), count_live(s, Review), count_live(s, Finding),
                      pending_changes(s), count_open_conflicts(s), _last_sync(db))  # fmt: skip


def has_agencies(db: Database) -> bool:
    with db.read() as s:
        return bool(live(s, Agency))


@dataclass(frozen=True)
class ReviewTitle:
    kind: str
    agency_name: str | None


def review_title(db: Database, review_id: str) -> ReviewTitle | None:
    """A live review's kind and its agency's name (None if the review is gone)."""
    with db.read() as s:
        review = get_live(s, Review, review_id)
        if review is None:
            return None
        agency = s.get(Agency, review.agency_id)
        return ReviewTitle(review.kind, agency.name if agency else None)
