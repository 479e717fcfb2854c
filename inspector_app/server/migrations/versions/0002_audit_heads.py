"""Audit chain heads reported by laptops, and the findings of contradicting ones.

Revision ID: 0002_audit_heads
Revises: 0001_server_tables
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_audit_heads"
down_revision = "0001_server_tables"
branch_labels = None
depends_on = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "audit_heads",
        sa.Column("id", SEQ, primary_key=True, autoincrement=True),
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("entry_id", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("user", sa.String(200), nullable=False),
        sa.Column("received_at", TS, nullable=False),
        sa.UniqueConstraint("device_id", "entry_id", name="uq_audit_heads_device_entry"),
    )
    op.create_table(
        "audit_head_findings",
        sa.Column("id", SEQ, primary_key=True, autoincrement=True),
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("entry_id", sa.BigInteger, nullable=False),
        sa.Column("known_hash", sa.String(64), nullable=False),
        sa.Column("reported_hash", sa.String(64), nullable=False),
        sa.Column("user", sa.String(200), nullable=False),
        sa.Column("received_at", TS, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("audit_head_findings")
    op.drop_table("audit_heads")
