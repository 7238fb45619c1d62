"""network_setup and coordinators: the group connected with /oppsett, coordinators added in the chat (issue 13)

Revision ID: i13_deployment
Revises: i13_web
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "i13_deployment"
down_revision: str | None = "i13_web"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "network_setup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_telegram_id", sa.BigInteger(), nullable=True),
        sa.Column("group_title", sa.String(length=200), nullable=False),
        sa.Column("moved_from_telegram_id", sa.BigInteger(), nullable=True),
        sa.Column("connected_by", sa.BigInteger(), nullable=True),
        sa.Column("connected_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("code_created_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_setup")),
    )
    op.create_table(
        "coordinators",
        sa.Column("telegram_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("added_by", sa.BigInteger(), nullable=True),
        sa.Column("added_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("telegram_id", name=op.f("pk_coordinators")),
    )


def downgrade() -> None:
    op.drop_table("coordinators")
    op.drop_table("network_setup")
