"""chats: the language a person or group chose (none: follow the default), and the person's
Telegram client's language (issue 17)

Revision ID: i17_languages
Revises: i13_deployment (chained after the merge of main)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i17_languages"
down_revision: str | None = "i13_deployment"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("chats", schema=None) as batch_op:
        batch_op.alter_column("language", existing_type=sa.String(length=8), nullable=True)
        batch_op.add_column(sa.Column("client_language", sa.String(length=8), nullable=True))
    # Nobody could choose a language before: the stored "nb" was the default, not a choice.
    op.execute(sa.text("UPDATE chats SET language = NULL"))


def downgrade() -> None:
    op.execute(sa.text("UPDATE chats SET language = 'nb' WHERE language IS NULL"))
    with op.batch_alter_table("chats", schema=None) as batch_op:
        batch_op.drop_column("client_language")
        batch_op.alter_column("language", existing_type=sa.String(length=8), nullable=False)
