"""outbox: a partial index of pending rows by due time for the claim; outbox_keys, the keys of
pruned rows (issue 18)

Revision ID: i18_scale
Revises: i17_languages
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "i18_scale"
down_revision: str | None = "i17_languages"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_outbox_pending_due",
        "outbox",
        ["next_attempt_at", "id"],
        unique=False,
        postgresql_where=sa.text("status = 'pending'"),
        sqlite_where=sa.text("status = 'pending'"),
    )
    op.create_table(
        "outbox_keys",
        sa.Column("chat_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("done_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["chat_id"], ["chats.id"], name=op.f("fk_outbox_keys_chat_id_chats"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("chat_id", "kind", "subject", name=op.f("pk_outbox_keys")),
    )
    op.create_index("ix_outbox_keys_kind_subject", "outbox_keys", ["kind", "subject"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_outbox_keys_kind_subject", table_name="outbox_keys")
    op.drop_table("outbox_keys")
    op.drop_index("ix_outbox_pending_due", table_name="outbox")
