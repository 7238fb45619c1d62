"""The models of the calendar wing: personal calendar subscriptions, the deployment's own id for
iCalendar UIDs, and the coordinators' expected rounds of recurring schemes (the årshjul).

Imported by ``storage/__init__.py``, so every ``storage`` import registers these tables in
``Base.metadata`` (the migrations and the schema test compare against it).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base
from storage.types import utcnow


class CalendarFeed(Base):
    """A chat's calendar subscription (a member's or a group's). Only the token's SHA-256 is stored.

    ``body_hash``/``changed_at``: the feed's content hash when last served and when it last changed
    (the ETag and the honest Last-Modified of the next answer). Deleted with the chat.
    """

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    body_hash: Mapped[str] = mapped_column(String(64), default="")
    changed_at: Mapped[datetime | None] = mapped_column()


class Deployment(Base):
    """One row: this deployment's random id, so two regions' calendars never share a UID."""

    __tablename__ = "deployment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid_domain: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ExpectedRound(Base):
    """A coordinator's word on a recurring scheme's next round: expected in ``year``/``month``, or
    not expected at all (``month`` None), overriding what the årshjul recognised for that scheme."""

    __tablename__ = "expected_rounds"
    __table_args__ = (UniqueConstraint("source_name", "scheme_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_name: Mapped[str] = mapped_column(String(200))
    scheme_key: Mapped[str] = mapped_column(String(500))
    title: Mapped[str] = mapped_column(String(1000))
    year: Mapped[int | None] = mapped_column(Integer)
    month: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
