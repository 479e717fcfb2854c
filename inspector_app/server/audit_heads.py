"""Audit chain heads (docs/security.md, "The audit trail"): at every sync a laptop
reports the last entry of its hash-chained audit trail (entry id and hash). The service
keeps every head each device reported; a head naming an entry id reported before with
another hash means the laptop's trail was rewritten after it synced: refused (409) and
kept as a finding for the program office (`audit_head_findings`)."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, Field
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Engine,
    Integer,
    String,
    Table,
    UniqueConstraint,
    insert,
    select,
)

from .auth import Caller
from .problems import ProblemError, forbidden
from .storage import metadata, write_tx

_SEQ = BigInteger().with_variant(Integer(), "sqlite")

audit_heads = Table(
    "audit_heads",
    metadata,
    Column("id", _SEQ, primary_key=True, autoincrement=True),
    Column("device_id", String(64), nullable=False),
    Column("entry_id", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),  # the laptop's clock
    Column("user", String(200), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("device_id", "entry_id", name="uq_audit_heads_device_entry"),
)

# Heads that contradicted one reported before: findings for the program office.
audit_head_findings = Table(
    "audit_head_findings",
    metadata,
    Column("id", _SEQ, primary_key=True, autoincrement=True),
    Column("device_id", String(64), nullable=False),
    Column("entry_id", BigInteger, nullable=False),
    Column("known_hash", String(64), nullable=False),
    Column("reported_hash", String(64), nullable=False),
    Column("user", String(200), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)


class AuditHead(BaseModel):
    """POST /v1/audit-heads: a laptop's audit chain head after a sync's push."""

    device_id: str = Field(min_length=1, max_length=64)
    entry_id: int = Field(ge=0)
    hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    at: datetime


class AuditHeadAccepted(BaseModel):
    device_id: str
    entry_id: int
    known: bool  # reported before (same hash)


def rewritten(device_id: str, entry_id: int) -> ProblemError:
    return ProblemError(
        409,
        f"the audit trail of device {device_id} was rewritten after it synced (entry {entry_id})",
        "audit_rewritten",
    )


def record_head(engine: Engine, caller: Caller, head: AuditHead) -> AuditHeadAccepted:
    """Keep the head; refuse (409, kept as a finding) one contradicting an earlier one."""
    if head.device_id != caller.device_id:
        raise forbidden(f"a device reports its own audit trail, not {head.device_id}'s")
    now = datetime.now(UTC)
    with write_tx(engine) as conn:
        known = conn.execute(
            select(audit_heads.c.hash).where(
                audit_heads.c.device_id == head.device_id, audit_heads.c.entry_id == head.entry_id
            )
        ).scalar_one_or_none()
        if known is None:
            conn.execute(insert(audit_heads).values(
                device_id=head.device_id, entry_id=head.entry_id, hash=head.hash,
                at=head.at, user=caller.user, received_at=now))  # fmt: skip
        elif known != head.hash:
            conn.execute(insert(audit_head_findings).values(
                device_id=head.device_id, entry_id=head.entry_id, known_hash=known,
                reported_hash=head.hash, user=caller.user, received_at=now))  # fmt: skip
    if known is not None and known != head.hash:  # the finding is committed first
        raise rewritten(head.device_id, head.entry_id)
    return AuditHeadAccepted(device_id=head.device_id, entry_id=head.entry_id,
                             known=known is not None)  # fmt: skip
