"""/frister: the cache_generation row its cache is checked against, and a partial index of the
rolling calls (issue 18)

Revision ID: i18b_frister
Revises: i16b_event_sequence
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i18b_frister"
down_revision: str | None = "i16b_event_sequence"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Exactly as storage.deadlines writes the condition in each dialect, so that the planner uses it.
ROLLING = "rolling IS true OR status = 'rolling'"
ROLLING_SQLITE = "rolling IS 1 OR status = 'rolling'"


def upgrade() -> None:
    op.create_table(
        "cache_generation",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_cache_generation")),
    )
    op.create_index(
        "ix_calls_rolling_seen",
        "calls",
        ["first_seen_at", "id"],
        unique=False,
        postgresql_where=sa.text(ROLLING),
        sqlite_where=sa.text(ROLLING_SQLITE),
    )


def downgrade() -> None:
    op.drop_index("ix_calls_rolling_seen", table_name="calls")
    op.drop_table("cache_generation")
