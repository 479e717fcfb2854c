"""audit chain (component, event, outcome, prev_hash, hash) and approvals

Revision ID: d7a3f5c1b8e2
Revises: c4e1a7b2d9f0
Create Date: 2026-12-07 09:00:00.000000

audit_log gets its new columns and its existing entries are chained in id order, as services.uow writes new ones
(docs/security.md, "The audit trail"), so that an upgraded file verifies. The hashing
is copied here on purpose: a migration must keep doing what it did when it shipped.
"""

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "d7a3f5c1b8e2"
down_revision = "c4e1a7b2d9f0"
branch_labels = None
depends_on = None

ZERO_HASH = "0" * 64
_EXACT = {"finalize_review": "finalize", "begin_amendment": "amend"}
_PREFIXES = (
    ("create_", "create"),
    ("add_", "create"),
    ("schedule_", "create"),
    ("start_", "create"),
    ("import_", "create"),
    ("remove_", "delete"),
    ("delete_", "delete"),
    ("render_", "report"),
    ("export_", "export"),
    ("print_", "print"),
)


def _event(action: str) -> str:
    if action in _EXACT:
        return _EXACT[action]
    return next((event for prefix, event in _PREFIXES if action.startswith(prefix)), "change")


def _at(stored: Any) -> str:
    """The stored instant as services.uow hashes it: ISO 8601 with +00:00."""
    value = stored if isinstance(stored, datetime) else datetime.fromisoformat(str(stored))
    value = value.replace(tzinfo=UTC) if value.utcoffset() is None else value.astimezone(UTC)
    return value.isoformat()


def _hash(entry: dict[str, Any]) -> str:
    text = json.dumps(entry, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _chain_existing() -> None:
    conn = op.get_bind()
    rows = conn.exec_driver_sql(
        "SELECT id, at, \"user\", device_id, action, entity, entity_id, detail "
        "FROM audit_log ORDER BY id").fetchall()  # fmt: skip
    prev = ZERO_HASH
    for ident, at, user, device, action, entity, entity_id, detail in rows:
        event = _event(action)
        entry = {
            "at": _at(at), "component": "app", "event": event, "user": user,
            "outcome": "success", "entity": entity, "entity_id": entity_id,
            "detail": json.loads(detail) if isinstance(detail, str) else detail,
            "device_id": device, "action": action, "prev_hash": prev,
        }  # fmt: skip
        digest = _hash(entry)
        conn.exec_driver_sql(
            "UPDATE audit_log SET event = ?, prev_hash = ?, hash = ? WHERE id = ?",
            (event, prev, digest, ident),
        )
        prev = digest


def upgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "component",
                sqlmodel.sql.sqltypes.AutoString(),
                nullable=False,
                server_default="app",
            )
        )
        batch_op.add_column(
            sa.Column(
                "event", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default="change"
            )
        )
        batch_op.add_column(
            sa.Column(
                "outcome",
                sqlmodel.sql.sqltypes.AutoString(),
                nullable=False,
                server_default="success",
            )
        )
        batch_op.add_column(
            sa.Column(
                "prev_hash",
                sqlmodel.sql.sqltypes.AutoString(length=64),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column(
                "hash",
                sqlmodel.sql.sqltypes.AutoString(length=64),
                nullable=False,
                server_default="",
            )
        )
        batch_op.create_index(batch_op.f("ix_audit_log_hash"), ["hash"], unique=False)
    _chain_existing()

    op.create_table(
        "approval",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("device_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("review_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("approved_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("approved_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("signer", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("artifact_sha256", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["review.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("approval", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_approval_deleted"), ["deleted"], unique=False)
        batch_op.create_index(batch_op.f("ix_approval_review_id"), ["review_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("approval", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_approval_review_id"))
        batch_op.drop_index(batch_op.f("ix_approval_deleted"))
    op.drop_table("approval")

    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_hash"))
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("outcome")
        batch_op.drop_column("event")
        batch_op.drop_column("component")
