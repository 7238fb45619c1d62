"""The domain, as SQLAlchemy 2 typed models.

Every schema change is an Alembic revision in storage/migrations/versions; a test checks
that these models and the migrations agree.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false, true

# The named column values live with the pure rules; importable from here as before.
from storage.rules.values import CallStatus as CallStatus
from storage.rules.values import ChatKind as ChatKind
from storage.rules.values import NotifyMode as NotifyMode
from storage.rules.values import OutboxStatus as OutboxStatus
from storage.types import UTCDateTime, utcnow

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


class Chat(Base):
    """A recipient: a member's private chat (id == the person's user id) or a group."""

    __tablename__ = "chats"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    kind: Mapped[str] = mapped_column(String(16), default=ChatKind.PRIVATE)
    name: Mapped[str] = mapped_column(String(200), default="")
    username: Mapped[str | None] = mapped_column(String(64))
    municipality: Mapped[str | None] = mapped_column(String(100))
    # The language the person or group chose with /sprak (nb, nn, en); None: the default (the
    # person's Telegram client's language, below; a group's FOUI_LANGUAGE).
    language: Mapped[str | None] = mapped_column(String(8))
    # The bot's language for the person's Telegram client (derived from its language_code, which is
    # not kept itself).
    client_language: Mapped[str | None] = mapped_column(String(8))
    notify_mode: Mapped[str] = mapped_column(String(16), default=NotifyMode.INSTANT)
    digest_hour: Mapped[int | None] = mapped_column(Integer)
    # Reminder lead times in days, e.g. [14, 3, 1]; None means the configured default.
    reminder_days: Mapped[list[Any] | None] = mapped_column(JSON)
    # Quiet hours as "21-07"; None means the configured default, "" means none.
    quiet_hours: Mapped[str | None] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    inactive_reason: Mapped[str | None] = mapped_column(String(200))
    in_group: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set when the person was seen leaving (or being removed from) the network's group; cleared when
    # they join again. Coordinators' pushes (announcements, tips, events) skip such members.
    left_group_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column()

    subscriptions: Mapped[list[Subscription]] = relationship(
        back_populates="chat", cascade="all, delete-orphan", passive_deletes=True
    )
    keyword_alerts: Mapped[list[KeywordAlert]] = relationship(
        back_populates="chat", cascade="all, delete-orphan", passive_deletes=True
    )


class Topic(Base):
    __tablename__ = "topics"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    keywords: Mapped[list[Any]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Subscription(Base):
    """A chat follows a topic."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("chat_id", "topic_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), index=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    chat: Mapped[Chat] = relationship(back_populates="subscriptions")
    topic: Mapped[Topic] = relationship()


class KeywordAlert(Base):
    """A personal keyword alert ("/varsle velferdsteknologi")."""

    __tablename__ = "keyword_alerts"
    __table_args__ = (UniqueConstraint("chat_id", "keyword"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), index=True)
    keyword: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    chat: Mapped[Chat] = relationship(back_populates="keyword_alerts")


class Source(Base):
    """A place the bot polls for calls, with its health."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    topics: Mapped[list[Any]] = mapped_column(JSON, default=list)
    interval_minutes: Mapped[float] = mapped_column(Float, default=60.0)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(200))
    last_polled_at: Mapped[datetime | None] = mapped_column()
    next_poll_at: Mapped[datetime | None] = mapped_column()
    last_success_at: Mapped[datetime | None] = mapped_column()
    last_error_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    items_found: Mapped[int] = mapped_column(Integer, default=0)
    failing_reported_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Call(Base):
    """A funding call (utlysning) or a manual deadline, with its deadline."""

    __tablename__ = "calls"
    __table_args__ = (
        Index("ix_calls_deadline_status", "deadline_at", "status"),
        # /frister's rolling calls ("løpende"), newest first: a partial index of just those.
        Index(
            "ix_calls_rolling_seen",
            "first_seen_at",
            "id",
            postgresql_where=text("rolling IS true OR status = 'rolling'"),
            sqlite_where=text("rolling IS 1 OR status = 'rolling'"),  # as SQLAlchemy writes it there
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"), index=True)
    key: Mapped[str] = mapped_column(String(2000), unique=True)
    source_name: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(1000))
    url: Mapped[str | None] = mapped_column(String(2000))
    summary: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None] = mapped_column()
    deadline_at: Mapped[datetime | None] = mapped_column()
    deadline_has_time: Mapped[bool] = mapped_column(Boolean, default=False)
    rolling: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default=CallStatus.OPEN, index=True)
    manual: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Deadline truth (storage.rules.deadline_truth): whose word the deadline above stands on, the label
    # or sentence it came from, and what the source said at the last poll (the deadline above stays a
    # coordinator's when one confirmed or set it).
    deadline_state: Mapped[str] = mapped_column(String(16), default="certain", server_default="certain")
    deadline_evidence: Mapped[str] = mapped_column(Text, default="", server_default="")
    deadline_waiting_since: Mapped[datetime | None] = mapped_column()
    deadline_decided_by: Mapped[int | None] = mapped_column(BigInteger)
    deadline_decided_at: Mapped[datetime | None] = mapped_column()
    source_deadline_at: Mapped[datetime | None] = mapped_column()
    source_deadline_has_time: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    source_rolling: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Label/value pairs the source's adapter read off the page (feeds.items.FeedItem.facts).
    facts: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    source: Mapped[Source | None] = relationship()
    topics: Mapped[list[Topic]] = relationship(secondary="call_topics", order_by="Topic.position")


class CallTopic(Base):
    __tablename__ = "call_topics"

    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True)


class DeadlineChange(Base):
    """A recorded change of a call's deadline."""

    __tablename__ = "deadline_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    old_deadline_at: Mapped[datetime | None] = mapped_column()
    new_deadline_at: Mapped[datetime | None] = mapped_column()
    old_rolling: Mapped[bool] = mapped_column(Boolean, default=False)
    new_rolling: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # False while the new deadline waits for a coordinator: members are told once it is confirmed.
    told: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    old_has_time: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class CallMute(Base):
    """'Ikke interessert': no reminders or changes for this call to this chat."""

    __tablename__ = "call_mutes"
    __table_args__ = (UniqueConstraint("chat_id", "call_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), index=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Event(Base):
    """A webinar or gathering (samling)."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime | None] = mapped_column()
    location: Mapped[str] = mapped_column(String(500), default="")
    video_url: Mapped[str | None] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # iCalendar's SEQUENCE: raised each time the time or place changes, so a calendar that holds the
    # event replaces its copy; changed_at (LAST-MODIFIED) is the last change of any kind.
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    changed_at: Mapped[datetime | None] = mapped_column()

    topics: Mapped[list[Topic]] = relationship(secondary="event_topics", order_by="Topic.position")


class EventTopic(Base):
    __tablename__ = "event_topics"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True)


class Rsvp(Base):
    __tablename__ = "rsvps"
    __table_args__ = (UniqueConstraint("event_id", "chat_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), index=True)
    answer: Mapped[str] = mapped_column(String(8))  # "yes" | "no"
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Announcement(Base):
    """An announcement or tip written by a coordinator."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="announcement")  # announcement | tip
    author_id: Mapped[int | None] = mapped_column(BigInteger)
    text_html: Mapped[str] = mapped_column(Text)
    audience: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    pin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column()
    withdrawn_at: Mapped[datetime | None] = mapped_column()


class Outbox(Base):
    """A message to push. (chat_id, kind, subject) is unique: the database refuses a duplicate."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("chat_id", "kind", "subject"),
        Index("ix_outbox_status_next", "status", "next_attempt_at"),
        # The sender's claim reads due rows through this partial index, in order, a window at a
        # time: its cost does not depend on how many rows were sent before or on stale statistics.
        Index(
            "ix_outbox_pending_due",
            "next_attempt_at",
            "id",
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_at: Mapped[datetime | None] = mapped_column()
    sent_at: Mapped[datetime | None] = mapped_column()
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    chat: Mapped[Chat] = relationship()


class OutboxKey(Base):
    """The key (chat, kind, subject) of an outbox row that was pruned after
    ``FOUI_OUTBOX_RETENTION_DAYS``: ``enqueue`` still refuses to queue it again, and who was told
    of a call is still known (a digest's calls are kept as ``told:call:<id>``)."""

    __tablename__ = "outbox_keys"
    __table_args__ = (Index("ix_outbox_keys_kind_subject", "kind", "subject"),)

    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    subject: Mapped[str] = mapped_column(String(200), primary_key=True)
    done_at: Mapped[datetime] = mapped_column(default=utcnow)


class Registration(Base):
    """A member's registration as FoUI contact for a municipality."""

    __tablename__ = "registrations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), unique=True)
    municipality: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | approved | rejected
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    decided_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The personal invite link to the group made when the registration was approved (one person,
    # expiring; revoked when used).
    invite_link: Mapped[str | None] = mapped_column(String(200))
    invite_expires_at: Mapped[datetime | None] = mapped_column()

    chat: Mapped[Chat] = relationship()


class AuditLog(Base):
    """Who did what. actor_id is cleared when a member deletes their data."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
