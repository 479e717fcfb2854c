"""officer credential steps and training waiver, request form send-by date, pinned
interview guides (issue 12)

Revision ID: e5b2c8a4f1d3
Revises: d7a3f5c1b8e2
Create Date: 2026-12-14 09:00:00.000000

- officer: each step of the credential revocation process of June 2022 (revoked,
  destroyed, logged with the log's reference), and the waiver of the revocation that
  follows a missed annual recertification (OIG-18-77 appendix A);
- info_request.send_by: when the request form goes out (42 days before the visit);
  request forms not sent yet get it from their review's planned start;
- review.interview_forms: the interview guides pinned when the review started.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "e5b2c8a4f1d3"
down_revision = "d7a3f5c1b8e2"
branch_labels = None
depends_on = None

SEND_DAYS_BEFORE_VISIT = 42  # services.info_requests.REQUEST_SEND_DAYS_BEFORE_VISIT when shipped


def upgrade() -> None:
    with op.batch_alter_table("info_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("send_by", sa.Date(), nullable=True))

    with op.batch_alter_table("officer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("credential_revoked_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("credential_destroyed_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("credential_logged_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("credential_log_ref", sqlmodel.sql.sqltypes.AutoString(),
                                      nullable=False, server_default=""))  # fmt: skip
        batch_op.add_column(sa.Column("training_waiver_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("training_waiver_note", sqlmodel.sql.sqltypes.AutoString(),
                                      nullable=False, server_default=""))  # fmt: skip

    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("interview_forms", sa.JSON(), server_default="{}", nullable=False)
        )

    op.execute(
        "UPDATE info_request SET send_by = (SELECT date(review.planned_start, "
        f"'-{SEND_DAYS_BEFORE_VISIT} days') FROM review WHERE review.id = info_request.review_id) "
        "WHERE sent_on IS NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.drop_column("interview_forms")

    with op.batch_alter_table("officer", schema=None) as batch_op:
        batch_op.drop_column("training_waiver_note")
        batch_op.drop_column("training_waiver_on")
        batch_op.drop_column("credential_log_ref")
        batch_op.drop_column("credential_logged_on")
        batch_op.drop_column("credential_destroyed_on")
        batch_op.drop_column("credential_revoked_on")

    with op.batch_alter_table("info_request", schema=None) as batch_op:
        batch_op.drop_column("send_by")
