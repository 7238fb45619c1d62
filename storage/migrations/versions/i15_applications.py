"""Kan vi søke? / Vi søker: call conditions, municipalities' statuses, partner introductions,
plans back from the deadline, milestone defaults, the members' eligibility preference

Revision ID: i15_applications
Revises: i11_deadline_truth
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "i15_applications"
down_revision: str | None = "i11_deadline_truth"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "call_conditions",
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("extracted_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_call_conditions_call_id_calls"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("call_id", name=op.f("pk_call_conditions")),
    )
    with op.batch_alter_table("call_conditions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_conditions_verdict"), ["verdict"], unique=False)

    op.create_table(
        "application_statuses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("municipality", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_application_statuses_call_id_calls"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["chat_id"], ["chats.id"], name=op.f("fk_application_statuses_chat_id_chats"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_statuses")),
        sa.UniqueConstraint(
            "call_id", "municipality", name=op.f("uq_application_statuses_call_id_municipality")
        ),
    )
    with op.batch_alter_table("application_statuses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_application_statuses_call_id"), ["call_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_application_statuses_chat_id"), ["chat_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_application_statuses_municipality"), ["municipality"], unique=False
        )

    op.create_table(
        "partner_intros",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("chat_a_id", sa.Integer(), nullable=False),
        sa.Column("chat_b_id", sa.Integer(), nullable=False),
        sa.Column("municipality_a", sa.String(length=100), nullable=False),
        sa.Column("municipality_b", sa.String(length=100), nullable=False),
        sa.Column("answer_a", sa.String(length=8), nullable=True),
        sa.Column("answer_b", sa.String(length=8), nullable=True),
        sa.Column("asked_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("introduced_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_partner_intros_call_id_calls"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["chat_a_id"], ["chats.id"], name=op.f("fk_partner_intros_chat_a_id_chats"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["chat_b_id"], ["chats.id"], name=op.f("fk_partner_intros_chat_b_id_chats"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_intros")),
        sa.UniqueConstraint(
            "call_id", "chat_a_id", "chat_b_id", name=op.f("uq_partner_intros_call_id_chat_a_id_chat_b_id")
        ),
    )
    with op.batch_alter_table("partner_intros", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partner_intros_call_id"), ["call_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_partner_intros_chat_a_id"), ["chat_a_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_partner_intros_chat_b_id"), ["chat_b_id"], unique=False)

    op.create_table(
        "application_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("municipality", sa.String(length=100), nullable=False),
        sa.Column("chat_id", sa.Integer(), nullable=False),
        sa.Column("milestones", sa.JSON(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("stopped_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_application_plans_call_id_calls"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["chat_id"], ["chats.id"], name=op.f("fk_application_plans_chat_id_chats"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_plans")),
        sa.UniqueConstraint(
            "call_id", "municipality", name=op.f("uq_application_plans_call_id_municipality")
        ),
    )
    with op.batch_alter_table("application_plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_application_plans_call_id"), ["call_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_application_plans_chat_id"), ["chat_id"], unique=False)

    op.create_table(
        "milestone_defaults",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("weeks", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestone_defaults")),
    )

    op.create_table(
        "apply_preferences",
        sa.Column("chat_id", sa.Integer(), nullable=False),
        sa.Column("only_eligible", sa.Boolean(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["chat_id"], ["chats.id"], name=op.f("fk_apply_preferences_chat_id_chats"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("chat_id", name=op.f("pk_apply_preferences")),
    )


def downgrade() -> None:
    op.drop_table("apply_preferences")
    op.drop_table("milestone_defaults")
    with op.batch_alter_table("application_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_plans_chat_id"))
        batch_op.drop_index(batch_op.f("ix_application_plans_call_id"))
    op.drop_table("application_plans")
    with op.batch_alter_table("partner_intros", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_intros_chat_b_id"))
        batch_op.drop_index(batch_op.f("ix_partner_intros_chat_a_id"))
        batch_op.drop_index(batch_op.f("ix_partner_intros_call_id"))
    op.drop_table("partner_intros")
    with op.batch_alter_table("application_statuses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_statuses_municipality"))
        batch_op.drop_index(batch_op.f("ix_application_statuses_chat_id"))
        batch_op.drop_index(batch_op.f("ix_application_statuses_call_id"))
    op.drop_table("application_statuses")
    with op.batch_alter_table("call_conditions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_conditions_verdict"))
    op.drop_table("call_conditions")
