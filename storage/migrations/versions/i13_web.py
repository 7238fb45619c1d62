"""replicas: source leases (one poller per source at a time) and conversation state (PTB persistence)

Revision ID: i13_web
Revises: i16_calendars
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "i13_web"
down_revision: str | None = "i16_calendars"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "source_leases",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=100), nullable=False),
        sa.Column("expires_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_source_leases_source_id_sources"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("source_id", name=op.f("pk_source_leases")),
    )
    op.create_table(
        "bot_state",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "name", "key", name=op.f("pk_bot_state")),
    )


def downgrade() -> None:
    op.drop_table("bot_state")
    op.drop_table("source_leases")
