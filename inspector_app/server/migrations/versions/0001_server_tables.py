"""The sync service's tables: users, enrollments, devices, rows, changes, receipts,
blobs, blob_chunks.

Revision ID: 0001_server_tables
Revises:
Create Date: 2026-05-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_server_tables"
down_revision = None
branch_labels = None
depends_on = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", SEQ, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("field_office", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False),
    )
    op.create_table(
        "enrollments",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", SEQ, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("used_at", TS, nullable=True),
    )
    op.create_table(
        "devices",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", SEQ, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("public_key", sa.String(200), nullable=False),
        sa.Column("enrolled_at", TS, nullable=False),
        sa.Column("last_seen", TS, nullable=True),
    )
    op.create_table(
        "rows",
        sa.Column("table_name", sa.String(64), primary_key=True),
        sa.Column("row_id", sa.String(64), primary_key=True),
        sa.Column("rev", sa.Integer, nullable=False),
        sa.Column("fields", sa.JSON, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("office", sa.String(64), nullable=False),
        sa.Column("writers", sa.JSON, nullable=False),
        sa.Column("natural_key", sa.Text, nullable=True),
        sa.Column("last_seq", sa.BigInteger, nullable=True),
        sa.UniqueConstraint("table_name", "natural_key", name="uq_rows_natural_key"),
    )
    op.create_table(
        "changes",
        sa.Column("seq", SEQ, primary_key=True, autoincrement=True),
        sa.Column("change_id", sa.String(64), nullable=False),
        sa.Column("table_name", sa.String(64), nullable=False),
        sa.Column("row_id", sa.String(64), nullable=False),
        sa.Column("rev", sa.Integer, nullable=False),
        sa.Column("op", sa.String(16), nullable=False),
        sa.Column("fields", sa.JSON, nullable=False),
        sa.Column("office", sa.String(64), nullable=False),
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("user_name", sa.String(200), nullable=False),
        sa.Column("received_at", TS, nullable=False),
    )
    op.create_index("ix_changes_office_seq", "changes", ["office", "seq"])
    op.create_table(
        "receipts",
        sa.Column("change_id", sa.String(64), primary_key=True),
        sa.Column("result", sa.JSON, nullable=False),
    )
    op.create_table(
        "blobs",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("complete", sa.Boolean, nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "blob_chunks",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("offset", sa.BigInteger, primary_key=True),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    for name in ("blob_chunks", "blobs", "receipts", "changes", "rows", "devices"):
        op.drop_table(name)
    op.drop_table("enrollments")
    op.drop_table("users")
