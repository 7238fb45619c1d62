"""The named values kept in the database's string columns: chat kinds, notify modes, call and outbox states."""

from __future__ import annotations


class ChatKind:
    PRIVATE = "private"
    GROUP = "group"
    SUPERGROUP = "supergroup"
    CHANNEL = "channel"


class NotifyMode:
    INSTANT = "instant"
    DAILY = "daily"
    WEEKLY = "weekly"


class CallStatus:
    OPEN = "open"
    PLANNED = "planned"
    ROLLING = "rolling"
    CLOSED = "closed"
    REMOVED = "removed"


class OutboxStatus:
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"
