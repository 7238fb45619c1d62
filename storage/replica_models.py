"""The tables that let several bot processes share one database: who is polling a source right now
(a lease with an expiry), and the conversations and drafts in progress (python-telegram-bot's
persistence), so a restart or another replica continues a coordinator's half-written announcement.

Imported by ``storage/__init__.py`` (the tables join ``Base.metadata``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base
from storage.types import utcnow


class SourceLease(Base):
    """A source being polled by ``holder`` until ``expires_at`` (a crashed poller's lease expires)."""

    __tablename__ = "source_leases"

    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[datetime] = mapped_column()


class BotState(Base):
    """One piece of conversation state: a conversation's step for one chat and person
    (kind "conversation", name = the conversation, key = "[chat, user]"), or one person's drafts
    (kind "user", key = their Telegram id). ``data`` is JSON."""

    __tablename__ = "bot_state"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    data: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


__all__ = ["BotState", "SourceLease"]
