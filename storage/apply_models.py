"""The models of "Kan vi søke?" and "Vi søker": what a call's text says about who may apply, each
municipality's status on a call, partner introductions, plans back from the deadline, and the
members' preference for calls their municipality can use.

Imported by ``storage/__init__.py``, so every ``storage`` import registers these tables in
``Base.metadata`` (the migrations and the schema test compare against it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base
from storage.types import utcnow


class CallConditions(Base):
    """What a call's own text says about who may apply and on what terms (``feeds.eligibility``).

    ``verdict``: kan_soke | kan_delta | ikke | ukjent (for a municipality); ``data``: the whole
    reading with its evidence sentences (``feeds.eligibility.Conditions.to_dict``).
    """

    __tablename__ = "call_conditions"

    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True)
    verdict: Mapped[str] = mapped_column(String(16), default="ukjent", index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    text_hash: Mapped[str] = mapped_column(String(64), default="")
    extracted_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApplicationStatus(Base):
    """A municipality's status on a call: vurderer | soker | ikke_aktuelt, set by one of its contacts."""

    __tablename__ = "application_statuses"
    __table_args__ = (UniqueConstraint("call_id", "municipality"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    municipality: Mapped[str] = mapped_column(String(100), index=True)
    status: Mapped[str] = mapped_column(String(16))
    # The contact who set it last (personal data: deleted with the person).
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class PartnerIntro(Base):
    """Two municipalities on the same call, asked whether their contacts want to be put in touch.

    ``chat_a_id`` < ``chat_b_id``; an answer is "yes" or "no"; ``introduced_at`` is set once, when
    both said yes and each was sent the other's name, municipality and Telegram contact.
    """

    __tablename__ = "partner_intros"
    __table_args__ = (UniqueConstraint("call_id", "chat_a_id", "chat_b_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    chat_a_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), index=True)
    chat_b_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), index=True)
    municipality_a: Mapped[str] = mapped_column(String(100))
    municipality_b: Mapped[str] = mapped_column(String(100))
    answer_a: Mapped[str | None] = mapped_column(String(8))
    answer_b: Mapped[str | None] = mapped_column(String(8))
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    introduced_at: Mapped[datetime | None] = mapped_column()


class ApplicationPlan(Base):
    """A municipality's internal milestones back from a call's deadline ("Vi søker").

    ``milestones``: [[weeks before the deadline, label], ...] as they were when the plan was made.
    Stopped (``stopped_at``) when the municipality's status changes from "Vi søker".
    """

    __tablename__ = "application_plans"
    __table_args__ = (UniqueConstraint("call_id", "municipality"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    municipality: Mapped[str] = mapped_column(String(100))
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), index=True)
    milestones: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    stopped_at: Mapped[datetime | None] = mapped_column()


class MilestoneDefault(Base):
    """The coordinators' default milestones for new plans (none stored: the built-in defaults)."""

    __tablename__ = "milestone_defaults"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    weeks: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)


class ApplyPreference(Base):
    """A member's choice: only calls their municipality can apply for or take part in (None: default)."""

    __tablename__ = "apply_preferences"

    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), primary_key=True)
    only_eligible: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
