"""registrations: the personal invite link to the group (issue 14)

Revision ID: i14_membership
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "i14_membership"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("invite_link", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("invite_expires_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_column("invite_expires_at")
        batch_op.drop_column("invite_link")
