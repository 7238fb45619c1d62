"""registrations: the personal invite link to the group; events.description as HTML (issue 14)

Revision ID: i14_membership
Revises: i15_applications
"""

import html
import re
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "i14_membership"
down_revision: str | None = "i15_applications"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _rewrite_descriptions(convert: Callable[[str], str]) -> None:
    events = sa.table("events", sa.column("id", sa.Integer), sa.column("description", sa.Text))
    connection = op.get_bind()
    rows = connection.execute(sa.select(events.c.id, events.c.description)).all()
    for event_id, description in rows:
        if description:
            connection.execute(
                events.update().where(events.c.id == event_id).values(description=convert(description))
            )


def upgrade() -> None:
    # Event descriptions keep the coordinator's formatting from now on, as safe HTML: the plain
    # descriptions saved before are escaped once, so they read exactly as they did.
    _rewrite_descriptions(lambda text: html.escape(text, quote=False))
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("invite_link", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("invite_expires_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    _rewrite_descriptions(lambda text: html.unescape(re.sub(r"<[^>]+>", "", text)))
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_column("invite_expires_at")
        batch_op.drop_column("invite_link")
