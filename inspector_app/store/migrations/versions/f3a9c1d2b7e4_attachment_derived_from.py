"""attachment.derived_from: a marked-up copy names the photo it was drawn on (issue 13)

Revision ID: f3a9c1d2b7e4
Revises: e5b2c8a4f1d3
Create Date: 2026-12-15 09:00:00.000000

A markup (arrows, circles, text) is saved as a new attachment; the photo it was drawn
on is kept as it was (evidence is never altered) and the copy names it here.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "f3a9c1d2b7e4"
down_revision = "e5b2c8a4f1d3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("derived_from", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_column("derived_from")
