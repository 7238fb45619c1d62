"""events: sequence (iCalendar's SEQUENCE, raised when the time or place changes) and changed_at
(LAST-MODIFIED) (issue 16 point 2)

Revision ID: i16b_event_sequence
Revises: i18_scale
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "i16b_event_sequence"
down_revision: str | None = "i18_scale"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sequence", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("changed_at", storage.types.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("changed_at")
        batch_op.drop_column("sequence")
