"""fanouts: a subject and a detail per fan-out, so one call can have several change fan-outs
("Fristen er endret", the grouped "Utlysningen er endret"), each noted once (issue 18)

Revision ID: i18d_fanout_subjects
Revises: i18c_fanouts
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i18d_fanout_subjects"
down_revision: str | None = "i18c_fanouts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("fanouts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject", sa.String(length=200), server_default="", nullable=False))
        batch_op.add_column(sa.Column("detail", sa.JSON(), nullable=True))
        batch_op.drop_constraint("uq_fanouts_call_id_kind", type_="unique")
        batch_op.create_unique_constraint("uq_fanouts_call_id_kind_subject", ["call_id", "kind", "subject"])


def downgrade() -> None:
    # The change fan-outs have no place in the older table: the pending ones are dropped (their
    # notices are then not told), the done ones are history.
    op.execute("DELETE FROM fanouts WHERE subject <> ''")
    with op.batch_alter_table("fanouts", schema=None) as batch_op:
        batch_op.drop_constraint("uq_fanouts_call_id_kind_subject", type_="unique")
        batch_op.create_unique_constraint("uq_fanouts_call_id_kind", ["call_id", "kind"])
        batch_op.drop_column("detail")
        batch_op.drop_column("subject")
