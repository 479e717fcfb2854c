"""A push: a batch of changes applied in one transaction, all or nothing
(docs/sync.md, "Push, on the server")."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.engine import Connection

from inspector_app.domain.sync import (
    BLOB_TABLES,
    Change,
    ChangeResult,
    FieldConflict,
    MergeOutcome,
    PushResponse,
    merge_change,
)

from . import bulk
from .auth import Caller
from .offices import parent_ref, review_ref
from .problems import conflict, forbidden
from .rowstore import Key, RowCache, RowState, _chunks, natural_key
from .storage import blobs, changes, devices, json_once, write_tx
from .validation import MODELS, check_fields, new_row

_STAMPS = ("updated_at", "updated_by", "device_id")


def push(engine: Engine, caller: Caller, batch: list[Change]) -> PushResponse:
    with write_tx(engine) as conn:
        pusher = Pusher(conn, caller)
        pusher.prefetch(batch)
        results = [pusher.apply(i, change) for i, change in enumerate(batch)]
        pusher.flush()
        conn.execute(
            update(devices).where(devices.c.id == caller.device_id).values(last_seen=_now())
        )
    return PushResponse.model_construct(results=[_result(r) for r in results])


def _result(r: dict[str, Any]) -> ChangeResult:
    """A result made by this batch is built as the model says (constructed, not checked
    again: checking every row's dict was a twentieth of a push); a receipt read back is
    checked."""
    if "_dup_of" in r:
        return ChangeResult.model_validate({**r["_dup_of"], "status": "duplicate"})
    if r.get("status") == "duplicate":
        return ChangeResult.model_validate(r)
    return ChangeResult.model_construct(**r)


def _now() -> datetime:
    return datetime.now(UTC)


class Pusher:
    def __init__(self, conn: Connection, caller: Caller) -> None:
        self.conn, self.caller = conn, caller
        self.rows = RowCache(conn)
        self.receipts: dict[str, dict[str, Any]] = {}
        self.new_receipts: list[dict[str, Any]] = []
        self.blobs: set[str] = set()
        self.pending: list[tuple[dict[str, Any], list[tuple[RowState, dict[str, Any]]]]] = []
        self.received_at = _now()

    # --- prefetch: a few IN queries for the whole batch ---------------------------------

    def prefetch(self, batch: list[Change]) -> None:
        self.receipts.update(bulk.receipts_of(self.conn, sorted({c.change_id for c in batch})))
        self._rows_of_receipts()
        self.rows.load((c.table, c.row_id) for c in batch)
        self.rows.load_natural(
            (c.table, nk) for c in batch if (nk := natural_key(c.table, c.fields)) is not None
        )
        merged = [self._overlay(c) for c in batch]
        self.rows.load(ref for c, f in zip(batch, merged, strict=True) for ref in _refs(c.table, f))
        grand = [s for s in self.rows.known.values() if s is not None and s.table == "interview"]
        self.rows.load(ref for s in grand if (ref := review_ref("interview", s.fields)))
        self._load_blobs({str(f["sha256"]) for c, f in zip(batch, merged, strict=True)
                          if c.table in BLOB_TABLES and f.get("sha256")})  # fmt: skip

    def _rows_of_receipts(self) -> None:
        """A receipt keeps no copy of its row when its change wrote one: the row is the
        `changes` version at the receipt's seq (read back for duplicates only)."""
        wanted = {int(r["seq"]): r for r in self.receipts.values() if "row" not in r}
        for part in _chunks(sorted(wanted)):
            query = select(changes.c.seq, changes.c.fields).where(changes.c.seq.in_(part))
            for found in self.conn.execute(query):
                wanted[int(found.seq)]["row"] = dict(found.fields)

    def _overlay(self, change: Change) -> dict[str, Any]:
        state = self.rows.known.get((change.table, change.row_id))
        return {**(state.fields if state else {}), **change.fields}

    def _load_blobs(self, hashes: set[str]) -> None:
        for part in _chunks(sorted(hashes)):
            query = select(blobs.c.sha256).where(blobs.c.sha256.in_(part), blobs.c.complete)
            self.blobs.update(r.sha256 for r in self.conn.execute(query))

    # --- one change ---------------------------------------------------------------------

    def apply(self, index: int, change: Change) -> dict[str, Any]:
        seen = self.receipts.get(change.change_id)
        if seen is not None:
            return {"_dup_of": seen} if "_pending" in seen else {**seen, "status": "duplicate"}
        check_fields(index, change.table, change.fields)
        state = self._target(change)
        after = {**(state.fields if state else {}), **change.fields}
        office = self._office(index, change.table, after)
        self._authorize(index, change, state, office)
        self._check_blob(index, change.table, after)
        review_final = self._review_final(change.table, state, after)
        outcome = merge_change(
            state.fields if state else None,
            state.rev if state else 0,
            {k: (str(v[0]), int(v[1])) for k, v in (state.writers if state else {}).items()},
            change,
            self.caller.device_id,
            review_is_final=review_final,
        )
        return self._record(index, change, state, office, outcome)

    def _target(self, change: Change) -> RowState | None:
        state = self.rows.get((change.table, change.row_id))
        if state is None:
            state = self.rows.by_key(change.table, change.fields)
        return state

    def _office(self, index: int, table: str, fields: dict[str, Any]) -> str:
        if table == "field_office":
            return str(fields.get("code") or "")
        ref = parent_ref(table, fields)
        if ref is None:
            return self.caller.field_office
        parent = self.rows.get(ref)
        if parent is None:
            raise conflict(
                f"change {index} ({table}): its parent {ref[0]} {ref[1]} is not on the server "
                "(push the parent first)",
                "parent",
            )
        return parent.office

    def _authorize(self, index: int, change: Change, state: RowState | None, office: str) -> None:
        offices = {office} | ({state.office} if state else set())
        foreign = sorted(o for o in offices if o != self.caller.field_office)
        if foreign:
            raise forbidden(
                f"change {index} ({change.table} {change.row_id}): the row belongs to field "
                f"office {foreign[0]!r}, not {self.caller.field_office!r}"
            )

    def _check_blob(self, index: int, table: str, fields: dict[str, Any]) -> None:
        sha = fields.get("sha256")
        if table in BLOB_TABLES and sha and sha not in self.blobs:
            self._load_blobs({str(sha)})
            if sha not in self.blobs:
                raise conflict(
                    f"change {index} ({table}): file {sha} is not on the server (upload it first)",
                    "blob",
                )

    def _review_of(self, table: str, fields: dict[str, Any]) -> RowState | None:
        if table == "interview_answer" and fields.get("interview_id"):
            interview = self.rows.get(("interview", str(fields["interview_id"])))
            ref = review_ref("interview", interview.fields) if interview else None
        else:
            ref = review_ref(table, fields)
        return self.rows.get(ref) if ref else None

    def _review_final(self, table: str, state: RowState | None, after: dict[str, Any]) -> bool:
        if table == "review":
            return state is not None and state.fields.get("status") == "final"
        review = self._review_of(table, after)
        return review is not None and review.fields.get("status") == "final"

    # --- writing the outcome --------------------------------------------------------------

    def _record(
        self,
        index: int,
        change: Change,
        state: RowState | None,
        office: str,
        outcome: MergeOutcome,
    ) -> dict[str, Any]:
        set_fields = dict(outcome.set_fields)
        deleting = change.op == "delete" and outcome.status != "conflict"
        if deleting and (state is None or not state.deleted):
            set_fields["deleted"] = True
        new_versions: list[tuple[RowState, dict[str, Any]]] = []
        wrote = state is None or bool(set_fields)
        if wrote:
            state = self._write(index, change, state, office, set_fields)
            new_versions.append((state, self._version(change.change_id, state)))
        assert state is not None  # merge_change only leaves a missing row alone by writing it
        made = [self._conflict_row(change, state, c) for c in outcome.conflicts]
        new_versions += [(c, self._version(change.change_id, c)) for c in made]
        result: dict[str, Any] = {
            "change_id": change.change_id,
            "status": outcome.status,
            "seq": None,
            "table": change.table,
            "row_id": state.row_id,
            "rev": state.rev,
            "row": state.fields,  # never changed in place: a write makes a new dict
            "conflicts": [c.row_id for c in made],
            "_pending": True,
            "_wrote": wrote,
        }
        self.receipts[change.change_id] = result
        self.pending.append((result, new_versions))
        return result

    def _stamps(self, change: Change) -> dict[str, Any]:
        stamps: dict[str, Any] = {
            "updated_at": change.made_at.isoformat(),
            "updated_by": change.made_by or self.caller.user,
            "device_id": self.caller.device_id,
        }
        stamps.update({k: change.fields[k] for k in _STAMPS if k in change.fields})
        return stamps

    def _write(
        self,
        index: int,
        change: Change,
        state: RowState | None,
        office: str,
        set_fields: dict[str, Any],
    ) -> RowState:
        old_key = state.natural_key if state else None
        if state is None:
            fields = new_row(index, change.table, change.row_id, {**set_fields})
            state = RowState(change.table, change.row_id, 0, {}, office)
        else:
            fields = {**state.fields, **set_fields}
        state.rev += 1
        state.fields = {**fields, **self._stamps(change), "id": state.row_id, "rev": state.rev}
        state.office = office
        for column in set_fields:
            state.writers[column] = [self.caller.device_id, state.rev]
        self.rows.put(state, old_key)
        return state

    def _conflict_row(self, change: Change, state: RowState, found: FieldConflict) -> RowState:
        now = self.received_at.isoformat()
        review = state if state.table == "review" else self._review_of(state.table, state.fields)
        fields: dict[str, Any] = {
            "id": str(uuid.uuid4()), "rev": 1, "updated_at": now, "updated_by": "server",
            "device_id": "server", "deleted": False, "table_name": state.table,
            "row_id": state.row_id, "field": found.field, "server_value": found.current,
            "client_value": found.incoming, "reason": found.reason,
            "review_id": review.row_id if review else None,
            "client_device": self.caller.device_id,
            "client_user": change.made_by or self.caller.user, "resolved": False,
            "resolved_by": "", "resolved_at": None, "resolution": "", "created_at": now,
        }  # fmt: skip
        columns = MODELS["sync_conflict"].model_fields
        fields = {k: v for k, v in fields.items() if k in columns or k in ("id", "rev")}
        row = RowState("sync_conflict", fields["id"], 1, fields, state.office)
        self.rows.put(row, None)
        return row

    def _version(self, change_id: str, state: RowState) -> dict[str, Any]:
        op = "insert" if state.rev == 1 else ("delete" if state.deleted else "update")
        return {
            "change_id": change_id,
            "table_name": state.table,
            "row_id": state.row_id,
            "rev": state.rev,
            "op": op,
            "fields": state.fields,
            "office": state.office,
            "device_id": self.caller.device_id,
            "user_name": self.caller.user,
            "received_at": self.received_at,
        }

    # --- the end of the batch --------------------------------------------------------------

    def flush(self) -> None:
        with json_once():  # a row's fields go to `rows` and to `changes`: one JSON text
            self._flush()

    def _flush(self) -> None:
        made = [pair for _, pairs in self.pending for pair in pairs]
        seqs = _append_versions(self.conn, [v for _, v in made])
        for (state, _), seq in zip(made, seqs, strict=True):
            state.last_seq = seq
        position = 0
        for result, pairs in self.pending:
            if result.pop("_wrote"):
                result["seq"] = seqs[position]  # the changed row's version (not a conflict's)
            position += len(pairs)
            result.pop("_pending", None)
        self.rows.flush()
        fresh = [{"change_id": r["change_id"], "result": _receipt(r)} for r, _ in self.pending]
        if fresh:
            bulk.insert_receipts(self.conn, fresh)


def _append_versions(conn: Connection, versions: list[dict[str, Any]]) -> list[int]:
    """Insert the versions into `changes`; their seqs, in order (bulk.append_versions)."""
    return bulk.append_versions(conn, versions) if versions else []


def _receipt(result: dict[str, Any]) -> dict[str, Any]:
    """What a receipt keeps: the result, without the row when `changes` holds it (seq)."""
    if result["seq"] is None:
        return result
    return {k: v for k, v in result.items() if k != "row"}


def _refs(table: str, fields: dict[str, Any]) -> list[Key]:
    refs = [r for r in (parent_ref(table, fields), review_ref(table, fields)) if r]
    if table == "interview_answer" and fields.get("interview_id"):
        refs.append(("interview", str(fields["interview_id"])))
    return refs
