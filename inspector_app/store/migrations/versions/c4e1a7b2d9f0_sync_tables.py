"""sync tables: sync_base (the agreed version of each synced row) and sync_conflict

Revision ID: c4e1a7b2d9f0
Revises: 8f803633833d
Create Date: 2026-11-30 10:00:00.000000
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = 'c4e1a7b2d9f0'
down_revision = '8f803633833d'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sync_base',
    sa.Column('table_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('row_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('table_name', 'row_id')
    )
    op.create_table('sync_conflict',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('device_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('table_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('row_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('field', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('server_value', sa.JSON(), nullable=True),
    sa.Column('client_value', sa.JSON(), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('review_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('client_device', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('client_user', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('resolved', sa.Boolean(), nullable=False),
    sa.Column('resolution', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('resolved_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('resolved_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sync_conflict', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sync_conflict_deleted'), ['deleted'], unique=False)
        batch_op.create_index(batch_op.f('ix_sync_conflict_row_id'), ['row_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sync_conflict', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sync_conflict_row_id'))
        batch_op.drop_index(batch_op.f('ix_sync_conflict_deleted'))

    op.drop_table('sync_conflict')
    op.drop_table('sync_base')
