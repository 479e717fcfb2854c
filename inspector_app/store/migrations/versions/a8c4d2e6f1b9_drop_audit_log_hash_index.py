"""audit_log.hash is no longer indexed: nothing looks an entry up by its hash

Revision ID: a8c4d2e6f1b9
Revises: f3a9c1d2b7e4
Create Date: 2026-12-02 12:00:00.000000

The chain is read in id order (audit verify, the chain head at finalize and at sync);
the index on hash was written by every audited action (a random place in a b-tree: 1.3
of the 15 pages an autosave wrote, bench/autosave.py) and read by none. A plain DROP
INDEX: the table is not copied.
"""

from alembic import op

revision = "a8c4d2e6f1b9"
down_revision = "f3a9c1d2b7e4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_audit_log_hash", table_name="audit_log")


def downgrade() -> None:
    op.create_index("ix_audit_log_hash", "audit_log", ["hash"], unique=False)
