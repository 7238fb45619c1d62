"""Sources meet the real web: calls' facts, the call watch, source drift (issue 12)

Revision ID: i12_sources
Revises: i14_membership
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "i12_sources"
down_revision: str | None = "i14_membership"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("facts", sa.JSON(), nullable=True))
    op.create_table(
        "call_watch",
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("material", sa.JSON(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_call_watch_call_id_calls"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("call_id", name=op.f("pk_call_watch")),
    )
    op.create_table(
        "source_drift",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("baseline_found", sa.Integer(), nullable=False),
        sa.Column("baseline_fresh", sa.Integer(), nullable=False),
        sa.Column("baseline_dated", sa.Integer(), nullable=False),
        sa.Column("baseline_shape", sa.JSON(), nullable=False),
        sa.Column("alarm", sa.String(length=32), nullable=True),
        sa.Column("alarm_text", sa.Text(), nullable=False),
        sa.Column("alarm_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_source_drift_source_id_sources"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("source_id", name=op.f("pk_source_drift")),
    )


def downgrade() -> None:
    op.drop_table("source_drift")
    op.drop_table("call_watch")
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_column("facts")
