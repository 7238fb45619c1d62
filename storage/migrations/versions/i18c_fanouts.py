"""fanouts: one durable row per call and kind of notice still to be fanned out to its followers,
written in the poll's transaction and done by a job of its own (issue 18)

Revision ID: i18c_fanouts
Revises: i18b_frister
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "i18c_fanouts"
down_revision: str | None = "i18b_frister"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fanouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("done_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_fanouts_call_id_calls"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fanouts")),
        sa.UniqueConstraint("call_id", "kind", name=op.f("uq_fanouts_call_id_kind")),
    )
    op.create_index(
        "ix_fanouts_pending",
        "fanouts",
        ["id"],
        unique=False,
        postgresql_where=sa.text("done_at IS NULL"),
        sqlite_where=sa.text("done_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_fanouts_pending", table_name="fanouts")
    op.drop_table("fanouts")
