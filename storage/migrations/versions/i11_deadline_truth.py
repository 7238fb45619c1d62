"""Deadline truth: each call's deadline state, evidence and the source's last reading; changes told or not

Revision ID: i11_deadline_truth
Revises: 0002
Create Date: 2026-11-30 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "i11_deadline_truth"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("deadline_state", sa.String(length=16), server_default="certain", nullable=False)
        )
        batch_op.add_column(sa.Column("deadline_evidence", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(
            sa.Column("deadline_waiting_since", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("deadline_decided_by", sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column("deadline_decided_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("source_deadline_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("source_deadline_has_time", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("source_rolling", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("deadline_changes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("told", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(
            sa.Column("old_has_time", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    # The calls known so far keep their deadlines as before: the source said what they show, and a
    # deadline entered by hand stands on a coordinator's word.
    op.execute(
        "UPDATE calls SET source_deadline_at = deadline_at, source_deadline_has_time = deadline_has_time, "
        "source_rolling = rolling"
    )
    op.execute(sa.text("UPDATE calls SET deadline_state = 'set' WHERE manual = :yes").bindparams(yes=True))


def downgrade() -> None:
    with op.batch_alter_table("deadline_changes", schema=None) as batch_op:
        batch_op.drop_column("old_has_time")
        batch_op.drop_column("told")
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_column("source_rolling")
        batch_op.drop_column("source_deadline_has_time")
        batch_op.drop_column("source_deadline_at")
        batch_op.drop_column("deadline_decided_at")
        batch_op.drop_column("deadline_decided_by")
        batch_op.drop_column("deadline_waiting_since")
        batch_op.drop_column("deadline_evidence")
        batch_op.drop_column("deadline_state")
