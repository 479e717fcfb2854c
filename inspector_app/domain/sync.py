"""The sync protocol's messages and its merge rule: what a laptop and the central
service say to each other (`/v1`), and how a change meets the row it edits.

Both sides import this module, so the wire format and the merge rule have one home.
The protocol is described for people in docs/sync.md.

The merge rule (`merge_change`) is pure: given the receiving side's current row, who
last wrote each of its fields, and an incoming change, it says which fields to set and
which become conflicts. Nothing is ever silently overwritten:

- a row the receiver does not have: the change's fields are the new row;
- an edit against a tombstone: a conflict (reason "deleted"), the row stays deleted;
- a change to the locked content of a final review: a conflict (reason "final"), it
  needs an amendment;
- otherwise field by field: a field whose current value is the change's base value,
  or was last written by the same device, takes the new value; a field that another
  device changed to something else since the base is a conflict (reason "same field")
  and keeps the receiver's value;
- a deletion of a row another device edited since the base is a conflict ("edited").

One exception, a rule of its own: the order answer of a repeated section (a checklist
response keyed ``<section>[]``, e.g. "1,3,2": the case files of a review, in order) is
merged, never a conflict, when both sides changed it or when the change carries no base
for it (an insert meeting a row the receiver has): `forms.layout.merge_order` keeps every
instance either side added, drops one a side removed, and keeps the receiver's order
(the other side's new instances at the end). Case files added on two laptops then stay
two case files (their numbers differ: `forms.layout.next_instance`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .content_hash import (
    ANSWER_FIELDS,
    ATTACHMENT_FIELDS,
    FINDING_FIELDS,
    INTERVIEW_ANSWER_FIELDS,
    INTERVIEW_FIELDS,
    REVIEW_FIELDS,
)
from .forms.layout import merge_order, order_section

PROTOCOL = 1  # the wire format's version; /v1 in every path
MAX_CHANGES_PER_PUSH = 1000
MAX_PULL_PAGE = 2000
MAX_BODY_BYTES = 32 * 1024 * 1024  # a push or a blob chunk; larger requests get 413
BLOB_CHUNK = 1024 * 1024  # what the client sends per upload request

# Tables whose rows sync, parents before children (the order a full push uses).
SYNC_TABLES: tuple[str, ...] = (
    "field_office", "agency", "agreement", "officer", "training_record", "warrant_count",
    "review", "checklist_response", "interview", "interview_answer", "finding",
    "corrective_action", "info_request", "info_request_item", "attachment",
    "report_artifact", "approval", "plan_entry", "sync_conflict",
)  # fmt: skip

# Rows matched by a natural key as well as by id: two devices answering the same item
# of the same review write one row, never two.
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "checklist_response": ("review_id", "item_key"),
    "interview_answer": ("interview_id", "question_key"),
}

# Rows whose `sha256` names a blob (file bytes) that must be present before the row.
BLOB_TABLES = frozenset({"attachment", "report_artifact"})

# Columns every syncable row has; the sync stamps them, merges never conflict on them.
SYNC_FIELDS = frozenset({"id", "rev", "updated_at", "updated_by", "device_id"})

# What a final review locks (the content hash's fields), by table. A finding's
# follow-up fields and corrective actions stay open: the follow-up cycle records them.
LOCKED_FIELDS: dict[str, frozenset[str]] = {
    "review": frozenset(REVIEW_FIELDS) - {"revision"},
    "checklist_response": frozenset(ANSWER_FIELDS) | {"deleted"},
    "interview": frozenset(INTERVIEW_FIELDS) | {"deleted"},
    "interview_answer": frozenset(INTERVIEW_ANSWER_FIELDS) | {"deleted"},
    "finding": frozenset(FINDING_FIELDS) | {"deleted"},
    "attachment": frozenset(ATTACHMENT_FIELDS) | {"deleted"},
}

# Columns that describe another column's value (who answered, when): they follow
# that column in a merge (take the incoming value when it does, else stay) and never
# make a conflict of their own.
COMPANIONS: dict[str, dict[str, str]] = {
    "checklist_response": {"answered_by": "value", "answered_at": "value"},
    "interview_answer": {"answered_by": "value", "answered_at": "value"},
}

Op = Literal["insert", "update", "delete"]
ChangeStatus = Literal["applied", "merged", "conflict", "duplicate"]
ConflictReason = Literal["same field", "deleted", "final", "edited"]
Role = Literal["inspector", "supervisor", "program-manager", "admin"]
ROLES: tuple[Role, ...] = ("inspector", "supervisor", "program-manager", "admin")

SCHEMA_HEADER = "X-Inspector-Schema"  # the client's database schema position


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Hello(_Message):
    server_version: str
    protocol: int = PROTOCOL
    schema_version: int  # the laptop schema position the server speaks
    upgrade_required: bool = False  # the asking client's schema is older: it may not write
    message: str = ""


class EnrollRequest(_Message):
    token: str = Field(min_length=8, max_length=200)
    device_id: str = Field(min_length=1, max_length=64)
    device_name: str = Field(default="", max_length=200)
    public_key: str = Field(default="", max_length=200)  # Ed25519, hex: signs bundles


class Enrolled(_Message):
    device_token: str
    user: str
    role: Role
    field_office: str  # a field office code; "" for national roles


class Me(_Message):
    user: str
    role: Role
    field_office: str
    device_id: str


class Change(_Message):
    """One row version from a laptop's change log.

    `fields` holds the columns this change set (all of them for an insert, or when the
    receiver may not have the row); `base` holds those columns' values in the version
    it was made from (empty for an insert). `base_rev` is the server revision that
    version had (0: the server has never had the row).
    """

    change_id: str = Field(min_length=1, max_length=64)
    table: str = Field(max_length=64)
    row_id: str = Field(min_length=1, max_length=64)
    op: Op
    base_rev: int = Field(ge=0)
    fields: dict[str, Any]
    base: dict[str, Any] = Field(default_factory=dict)
    made_at: datetime
    made_by: str = Field(default="", max_length=200)


class PushRequest(_Message):
    changes: list[Change] = Field(max_length=MAX_CHANGES_PER_PUSH)


class ChangeResult(_Message):
    change_id: str
    status: ChangeStatus
    seq: int | None  # the server sequence of the version it produced (None: nothing new)
    table: str
    row_id: str  # the row's id on the server (a natural-key match may name another id)
    rev: int  # the server revision of the row now
    row: dict[str, Any]  # the row on the server now, all columns
    conflicts: list[str] = Field(default_factory=list)  # ids of sync_conflict rows made


class PushResponse(_Message):
    results: list[ChangeResult]


class ServerChange(_Message):
    """One accepted row version, as a pull returns it (all columns of the row)."""

    seq: int
    table: str
    row_id: str
    rev: int
    op: Op
    row: dict[str, Any]


class PullResponse(_Message):
    changes: list[ServerChange]
    cursor: int  # pass as `after` for the next page
    more: bool


class BlobHashes(_Message):
    hashes: list[str] = Field(max_length=10000)


class MissingBlobs(_Message):
    missing: list[str]


class UploadState(_Message):
    sha256: str
    offset: int  # bytes the server holds so far; continue from here
    complete: bool


class Problem(_Message):
    """Every 4xx answer: one line for a person, and a code for a program."""

    detail: str
    code: str = ""


# --- the merge rule ---------------------------------------------------------------


@dataclass(frozen=True)
class FieldConflict:
    field: str  # a column name, or "*" when the whole change was kept aside
    current: Any  # the receiver's value (the one the row keeps)
    incoming: Any  # the change's value
    reason: ConflictReason


@dataclass
class MergeOutcome:
    status: ChangeStatus
    set_fields: dict[str, Any] = field(default_factory=dict)  # columns to write
    conflicts: list[FieldConflict] = field(default_factory=list)


def _content(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if k not in SYNC_FIELDS}


def locked_fields(table: str, review_is_final: bool, change: Change) -> frozenset[str]:
    """The columns of `change` a final review keeps as they are."""
    if not review_is_final:
        return frozenset()
    if table == "attachment" and change.fields.get("corrective_action_id"):
        return frozenset()  # follow-up evidence, not the report's
    return LOCKED_FIELDS.get(table, frozenset()) & set(change.fields)


def merge_change(
    current: dict[str, Any] | None,
    current_rev: int,
    writers: dict[str, tuple[str, int]],
    change: Change,
    device_id: str,
    *,
    review_is_final: bool = False,
) -> MergeOutcome:
    """How `change` (from device `device_id`) meets the receiver's `current` row.

    `writers` maps a column to the device that last wrote it and the revision it wrote
    (the server keeps this; a laptop importing a bundle passes {}). `review_is_final`:
    the row is, or belongs to, a review that is final on the receiver.
    """
    incoming = _content(change.fields)
    if current is None:
        return MergeOutcome("applied", incoming)
    if current.get("deleted"):
        if change.op == "delete" or incoming.get("deleted"):
            return MergeOutcome("merged")  # deleted on both sides: nothing to do
        if not _saw_the_deletion(writers, change, current_rev, device_id):
            return MergeOutcome(
                "conflict", {}, [FieldConflict("deleted", True, incoming, "deleted")]
            )
    locked = locked_fields(change.table, review_is_final, change)
    if locked and not (change.table == "review" and change.base_rev == current_rev):
        changed = {k: v for k, v in incoming.items() if current.get(k) != v}
        if changed.keys() & locked:
            return MergeOutcome("conflict", {}, [FieldConflict("*", None, changed, "final")])
    if change.base_rev == current_rev:
        return MergeOutcome("applied", incoming)
    return _merge_fields(current, writers, change, incoming, device_id)


def _saw_the_deletion(
    writers: dict[str, tuple[str, int]], change: Change, current_rev: int, device_id: str
) -> bool:
    """A restore (or edit) of a deleted row made by someone who knew it was deleted:
    from the tombstone's own revision, or by the device that deleted it."""
    writer = writers.get("deleted")
    return change.base_rev == current_rev or (writer is not None and writer[0] == device_id)


def _changed_elsewhere(
    name: str, writers: dict[str, tuple[str, int]], base_rev: int, device_id: str
) -> bool:
    writer = writers.get(name)
    return writer is not None and writer[0] != device_id and writer[1] > base_rev


def _merge_fields(
    current: dict[str, Any],
    writers: dict[str, tuple[str, int]],
    change: Change,
    incoming: dict[str, Any],
    device_id: str,
) -> MergeOutcome:
    if change.op == "delete":
        edited = [
            k for k in current
            if k not in SYNC_FIELDS and _changed_elsewhere(k, writers, change.base_rev, device_id)
        ]  # fmt: skip
        if edited:
            return MergeOutcome("conflict", {}, [FieldConflict("deleted", False, True, "edited")])
        return MergeOutcome("merged", incoming)
    out = MergeOutcome("merged")
    companions = COMPANIONS.get(change.table, {})
    for name, new in incoming.items():
        if name not in companions and current.get(name) != new:
            _merge_field(out, current, writers, change, name, new, device_id)
    for name, principal in companions.items():
        if name in incoming and principal in out.set_fields:
            out.set_fields[name] = incoming[name]
    if out.conflicts:
        out.status = "conflict"
    return out


def _merge_field(
    out: MergeOutcome, current: dict[str, Any], writers: dict[str, tuple[str, int]],
    change: Change, name: str, new: Any, device_id: str,
) -> None:  # fmt: skip
    """One column the change sets to a value the receiver does not have."""
    now = current.get(name)
    base_known = name in change.base
    clean = (base_known and change.base[name] == now) or not _was_changed(
        name, now, change, writers, device_id
    )
    merged = _merged_order(change, current, name, new, clean)
    if merged is not _NO_MERGE:
        if merged != now:
            out.set_fields[name] = merged
    elif clean:
        out.set_fields[name] = new
    else:
        out.conflicts.append(FieldConflict(name, now, new, "same field"))


_NO_MERGE = object()  # _merged_order: the ordinary rule applies


def is_order_answer(table: str, row: dict[str, Any]) -> bool:
    """Whether ``row`` of ``table`` is the order answer of a repeated section."""
    return (
        table == "checklist_response" and order_section(str(row.get("item_key") or "")) is not None
    )


def _merged_order(change: Change, current: dict[str, Any], name: str, new: Any, clean: bool) -> Any:
    """The merged value of an order answer both sides changed, or whose base the change
    does not carry (see the module's docstring); _NO_MERGE when the ordinary rule
    applies (another column, only one side changed it, or a value that is no order)."""
    if name != "value" or not is_order_answer(change.table, current):
        return _NO_MERGE
    if clean and name in change.base:
        return _NO_MERGE
    base, now = change.base.get(name), current.get(name)
    if not all(v is None or isinstance(v, str) for v in (base, now, new)):
        return _NO_MERGE
    try:
        return merge_order(base, now, new)
    except ValueError:
        return _NO_MERGE


def _was_changed(
    name: str,
    now: Any,
    change: Change,
    writers: dict[str, tuple[str, int]],
    device_id: str,
) -> bool:
    """Did someone else change column `name` since the change's base? With the
    writers known (the server), by who last wrote it; without (a bundle imported on a
    laptop), by comparing with the base value."""
    if writers:
        return _changed_elsewhere(name, writers, change.base_rev, device_id)
    return bool(change.base.get(name, now) != now)
