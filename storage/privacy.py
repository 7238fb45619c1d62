"""Each person's own data: everything stored about them, as one export, and its deletion.

``export`` gathers what the bot stores about one Telegram user; it holds nothing about anyone else
(messages they received are listed by kind and time, not by content, since a coordinator's
notification names other people). ``delete_person`` removes the person's chat row with its settings,
subscriptions, keyword alerts, mutes, registration, RSVPs and queued messages, deletes queued
messages *about* them, and makes every record that must stay (the audit log, calls and events they
created, registrations they decided) anonymous.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import network_notices, network_setup
from storage.apply_privacy import delete_apply, export_apply
from storage.calendar_models import CalendarFeed
from storage.models import (
    Announcement,
    AuditLog,
    Call,
    CallMute,
    Chat,
    ChatKind,
    Event,
    KeywordAlert,
    Outbox,
    Registration,
    Rsvp,
    Subscription,
    Topic,
)
from storage.registry import NETWORK_KINDS

EXPORT_VERSION = 1
DELETED_ACTION = "privacy.deleted"
# Keys in an audit entry's detail that identify a person; when one of them names the person, it
# is removed together with the keys that describe them. Everything else (what was done) is kept.
IDENTIFYING_KEYS = frozenset({"user_id", "telegram_id", "chat_id", "member_id", "target_id", "command"})
DESCRIBING_KEYS = frozenset({"name", "username", "municipality", "role"})
# Entries about groups, not people (their chat ids are database ids).
GROUP_ACTIONS = frozenset({"chat_migrated"})


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


async def _private_chat(session: AsyncSession, telegram_id: int) -> Chat | None:
    query = select(Chat).where(Chat.telegram_id == telegram_id, Chat.kind == ChatKind.PRIVATE)
    return (await session.execute(query)).scalar_one_or_none()


async def export(session: AsyncSession, telegram_id: int, now: datetime) -> dict[str, Any]:
    """Everything stored about one person, as plain JSON-ready data."""
    data: dict[str, Any] = {
        "format": EXPORT_VERSION,
        "generated_at": now.isoformat(),
        "telegram_user_id": telegram_id,
    }
    chat = await _private_chat(session, telegram_id)
    if chat is not None:
        data["profile"] = {
            "name": chat.name,
            "username": chat.username,
            "municipality": chat.municipality,
            "language": chat.language,
            "client_language": chat.client_language,
            "active": chat.active,
            "inactive_reason": chat.inactive_reason,
            "in_group": chat.in_group,
            "left_group_at": _iso(chat.left_group_at),
            "created_at": _iso(chat.created_at),
            "last_seen_at": _iso(chat.last_seen_at),
        }
        data["settings"] = {
            "notify_mode": chat.notify_mode,
            "digest_hour": chat.digest_hour,
            "reminder_days": chat.reminder_days,
            "quiet_hours": chat.quiet_hours,
        }
        topics = await session.execute(
            select(Topic.slug, Topic.name, Subscription.created_at)
            .join(Subscription, Subscription.topic_id == Topic.id)
            .where(Subscription.chat_id == chat.id)
            .order_by(Topic.position, Topic.id)
        )
        data["subscriptions"] = [{"topic": s, "name": n, "since": _iso(at)} for s, n, at in topics.all()]
        alerts = await session.execute(
            select(KeywordAlert.keyword, KeywordAlert.created_at)
            .where(KeywordAlert.chat_id == chat.id)
            .order_by(KeywordAlert.keyword)
        )
        data["keyword_alerts"] = [{"keyword": k, "since": _iso(at)} for k, at in alerts.all()]
        feed = (await session.execute(select(CalendarFeed).where(CalendarFeed.chat_id == chat.id))).scalar()
        # The link itself is not stored (only a hash of its secret), so it cannot be shown.
        data["calendar_subscription"] = {"since": _iso(feed.created_at)} if feed is not None else None
        mutes = await session.execute(
            select(Call.title, Call.url, CallMute.created_at)
            .join(CallMute, CallMute.call_id == Call.id)
            .where(CallMute.chat_id == chat.id)
            .order_by(CallMute.created_at)
        )
        data["muted_calls"] = [{"call": t, "url": u, "since": _iso(at)} for t, u, at in mutes.all()]
        rsvps = await session.execute(
            select(Event.title, Event.starts_at, Rsvp.answer, Rsvp.updated_at)
            .join(Rsvp, Rsvp.event_id == Event.id)
            .where(Rsvp.chat_id == chat.id)
            .order_by(Event.starts_at)
        )
        data["rsvps"] = [
            {"event": t, "starts_at": _iso(s), "answer": a, "answered_at": _iso(at)}
            for t, s, a, at in rsvps.all()
        ]
        registration = (
            await session.execute(select(Registration).where(Registration.chat_id == chat.id))
        ).scalar_one_or_none()
        data["registration"] = (
            None
            if registration is None
            else {
                "municipality": registration.municipality,
                "role": registration.role,
                "status": registration.status,
                "requested_at": _iso(registration.created_at),
                "decided_at": _iso(registration.decided_at),
            }
        )
        messages = await session.execute(
            select(Outbox.kind, Outbox.status, Outbox.created_at, Outbox.sent_at)
            .where(Outbox.chat_id == chat.id)
            .order_by(Outbox.created_at, Outbox.id)
        )
        data.update(await export_apply(session, chat.id))
        data["messages_to_you"] = [
            {"kind": k, "status": s, "queued_at": _iso(q), "sent_at": _iso(at)}
            for k, s, q, at in messages.all()
        ]
    audit = await session.execute(
        select(AuditLog.action, AuditLog.at).where(AuditLog.actor_id == telegram_id).order_by(AuditLog.at)
    )
    data["audit_log"] = [{"action": a, "at": _iso(at)} for a, at in audit.all()]
    data["notices_about_you"] = await _notices_about(session, telegram_id)
    data["audit_entries_about_you"] = [
        {"action": entry.action, "at": _iso(entry.at), "detail": entry.detail}
        for entry in await _entries_naming(session, telegram_id)
    ]
    calls = await session.execute(
        select(Call.title, Call.first_seen_at).where(Call.created_by == telegram_id)
    )
    data["calls_you_added"] = [{"title": t, "added_at": _iso(at)} for t, at in calls.all()]
    events = await session.execute(
        select(Event.title, Event.created_at).where(Event.created_by == telegram_id)
    )
    data["events_you_added"] = [{"title": t, "added_at": _iso(at)} for t, at in events.all()]
    announcements = await session.execute(
        select(Announcement.kind, Announcement.created_at).where(Announcement.author_id == telegram_id)
    )
    data["announcements_you_wrote"] = [{"kind": k, "written_at": _iso(at)} for k, at in announcements.all()]
    data["coordinator"] = await network_setup.export_person(session, telegram_id)
    return data


async def _notices_about(session: AsyncSession, telegram_id: int) -> list[dict[str, Any]]:
    """What the coordinators were told about the person: each notice's kind, state, times and text
    (a grouped notice: the person's own line only)."""
    rows = await session.execute(
        select(Outbox.kind, Outbox.status, Outbox.created_at, Outbox.sent_at, Outbox.payload)
        .where(Outbox.kind.in_(NETWORK_KINDS), Outbox.subject.startswith(f"{telegram_id}:", autoescape=True))
        .order_by(Outbox.created_at, Outbox.id)
    )
    found = [
        {"kind": k, "status": st, "queued_at": _iso(q), "sent_at": _iso(at), "text": (p or {}).get("text")}
        for k, st, q, at, p in rows.tuples().all()
    ]
    for item in await network_notices.about_person(session, NETWORK_KINDS, telegram_id):
        found.append({**item, "queued_at": _iso(item["queued_at"]), "sent_at": _iso(item["sent_at"])})
    return found


async def _entries_naming(session: AsyncSession, telegram_id: int) -> list[AuditLog]:
    """Audit entries whose details name the person (an approval, a refused button, ...)."""
    token = re.compile(rf"(?<![0-9]){telegram_id}(?![0-9])")
    rows = (
        await session.execute(
            select(AuditLog)
            .where(
                cast(AuditLog.detail, String).contains(str(telegram_id), autoescape=True),
                AuditLog.action.not_in(GROUP_ACTIONS),
            )
            .order_by(AuditLog.at, AuditLog.id)
        )
    ).scalars()
    return [
        entry
        for entry in rows
        if any(
            k in IDENTIFYING_KEYS and (v == telegram_id or (isinstance(v, str) and token.search(v)))
            for k, v in (entry.detail or {}).items()
            if not isinstance(v, bool)
        )
    ]


@dataclass
class Deleted:
    """What ``delete_person`` removed or anonymised, per kind."""

    counts: dict[str, int] = field(default_factory=dict)

    @property
    def anything(self) -> bool:
        return any(self.counts.values())


def _rowcount(result: Any) -> int:
    return max(int(getattr(result, "rowcount", 0) or 0), 0)


def _anonymise_detail(detail: dict[str, Any], names_person: Callable[[Any], bool]) -> dict[str, Any] | None:
    """The detail without what identifies or describes the person; None if it does not name them."""
    found = [k for k, v in detail.items() if k in IDENTIFYING_KEYS and names_person(v)]
    if not found:
        return None
    return {k: v for k, v in detail.items() if k not in found and k not in DESCRIBING_KEYS}


async def delete_person(session: AsyncSession, telegram_id: int, now: datetime) -> Deleted:
    """Delete everything personal about one person; keep anonymous records only.

    Runs in the caller's transaction: all or nothing.
    """
    done = Deleted()
    counts = done.counts
    chat = await _private_chat(session, telegram_id)
    counts.update(await delete_apply(session, chat.id if chat is not None else None, telegram_id))
    counts.update(await network_setup.forget_person(session, telegram_id))
    if chat is not None:
        cid = chat.id
        for name, model in (
            ("subscriptions", Subscription),
            ("keyword_alerts", KeywordAlert),
            ("muted_calls", CallMute),
            ("rsvps", Rsvp),
            ("registration", Registration),
            ("calendar_subscription", CalendarFeed),
            ("messages_to_you", Outbox),
        ):
            result = await session.execute(delete(model).where(model.chat_id == cid))
            counts[name] = _rowcount(result)
        await session.execute(delete(Chat).where(Chat.id == cid))
        counts["profile"] = 1
        session.expunge(chat)
    # Queued messages about the person to others (a coordinator's notice naming them).
    prefix = f"{telegram_id}:"
    result = await session.execute(
        delete(Outbox).where(
            Outbox.kind.in_(NETWORK_KINDS), Outbox.subject.startswith(prefix, autoescape=True)
        )
    )
    counts["messages_about_you"] = _rowcount(result)
    counts["messages_about_you"] += await network_notices.forget_person(session, NETWORK_KINDS, telegram_id)
    # Records that stay, made anonymous.
    result = await session.execute(
        update(AuditLog).where(AuditLog.actor_id == telegram_id).values(actor_id=None)
    )
    counts["audit_entries_anonymised"] = _rowcount(result)
    counts["audit_entries_anonymised"] += await _anonymise_audit_details(session, telegram_id)
    for name, column in (
        ("calls_anonymised", Call.created_by),
        ("deadline_answers_anonymised", Call.deadline_decided_by),
        ("events_anonymised", Event.created_by),
        ("announcements_anonymised", Announcement.author_id),
        ("decisions_anonymised", Registration.decided_by),
    ):
        table = column.class_
        result = await session.execute(update(table).where(column == telegram_id).values({column.key: None}))
        counts[name] = _rowcount(result)
    session.add(
        AuditLog(
            actor_id=None,
            action=DELETED_ACTION,
            at=now,
            detail={k: v for k, v in counts.items() if v},
        )
    )
    await session.flush()
    return done


async def _anonymise_audit_details(session: AsyncSession, telegram_id: int) -> int:
    """Remove the person from audit details that name them (e.g. "approved user 1001")."""
    needle = str(telegram_id)

    token = re.compile(rf"(?<![0-9]){telegram_id}(?![0-9])")

    def names_person(value: Any) -> bool:
        if isinstance(value, bool):
            return False
        if isinstance(value, int):
            return value == telegram_id
        return isinstance(value, str) and token.search(value) is not None

    rows = (
        await session.execute(
            select(AuditLog).where(
                cast(AuditLog.detail, String).contains(needle, autoescape=True),
                AuditLog.action.not_in(GROUP_ACTIONS),
            )
        )
    ).scalars()
    changed = 0
    for entry in rows:
        cleaned = _anonymise_detail(dict(entry.detail or {}), names_person)
        if cleaned is not None:
            entry.detail = cleaned
            changed += 1
    await session.flush()
    return changed


async def count_personal_rows(session: AsyncSession, telegram_id: int) -> dict[str, int]:
    """How many rows still name the person, per table (for tests and the operator)."""
    chat_ids = select(Chat.id).where(Chat.telegram_id == telegram_id).scalar_subquery()
    counts: dict[str, int] = {}
    for name, query in (
        ("chats", select(func.count()).select_from(Chat).where(Chat.telegram_id == telegram_id)),
        (
            "registrations",
            select(func.count())
            .select_from(Registration)
            .where(or_(Registration.chat_id.in_(chat_ids), Registration.decided_by == telegram_id)),
        ),
        ("audit_log", select(func.count()).select_from(AuditLog).where(AuditLog.actor_id == telegram_id)),
        (
            "outbox_about",
            select(func.count())
            .select_from(Outbox)
            .where(
                Outbox.kind.in_(NETWORK_KINDS), Outbox.subject.startswith(f"{telegram_id}:", autoescape=True)
            ),
        ),
    ):
        counts[name] = int((await session.execute(query)).scalar_one())
    return counts
