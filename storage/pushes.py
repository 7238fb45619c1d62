"""What to push, worked out from the database: new-call recipients, due reminders, digests.

Everything here is a query or a pure function of the database's state and the time, so a
restart, a second process or a changed deadline all go through the same code, and the outbox's
unique key (chat, kind, subject) makes running it twice harmless.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.models import (
    Call,
    CallMute,
    CallStatus,
    Chat,
    ChatKind,
    DeadlineChange,
    Event,
    KeywordAlert,
    NotifyMode,
    Outbox,
    OutboxStatus,
    Rsvp,
    Subscription,
)
from storage.outbox import Claimed, current_telegram_id

QuietHours = tuple[int, int] | None
OSLO = ZoneInfo("Europe/Oslo")


def in_quiet(moment: datetime, quiet: QuietHours, tz: tzinfo) -> bool:
    """Whether ``moment`` falls in the quiet hours (start inclusive, end exclusive), local time."""
    if quiet is None:
        return False
    start, end = quiet
    hour = moment.astimezone(tz).hour
    if start > end:  # over midnight, e.g. 21-07
        return hour >= start or hour < end
    return start <= hour < end


def _local(day_: datetime, hour: int, tz: tzinfo) -> datetime:
    return datetime.combine(day_.date(), time(hour)).replace(tzinfo=tz).astimezone(UTC)


def quiet_end(moment: datetime, quiet: QuietHours, tz: tzinfo) -> datetime:
    """``moment``, or when the quiet hours it falls in are over (held back, never earlier)."""
    if quiet is None or not in_quiet(moment, quiet, tz):
        return moment
    start, end = quiet
    local = moment.astimezone(tz).replace(tzinfo=None)
    day_ = local + timedelta(days=1) if start > end and local.hour >= start else local
    return _local(day_, end, tz)


def before_quiet(moment: datetime, quiet: QuietHours, tz: tzinfo) -> datetime:
    """``moment``, or one hour before the quiet hours it falls in began (moved earlier, never later)."""
    if quiet is None or not in_quiet(moment, quiet, tz):
        return moment
    start, end = quiet
    local = moment.astimezone(tz).replace(tzinfo=None)
    day_ = local - timedelta(days=1) if start > end and local.hour < end else local
    begin = datetime.combine(day_.date(), time(start)) - timedelta(hours=1)
    return begin.replace(tzinfo=tz).astimezone(UTC)


# ------------------------------------------------------------------------------------------------
# Who gets what
# ------------------------------------------------------------------------------------------------

KIND_NEW_CALL = "new_call"
KIND_DEADLINE_CHANGED = "deadline_changed"
KIND_REMINDER = "reminder"
KIND_DIGEST = "digest"
KIND_WEEKLY = "weekly_overview"
KIND_EVENT_REMINDER = "event_reminder"

LIVE_STATUSES = (CallStatus.OPEN, CallStatus.PLANNED, CallStatus.ROLLING)


@dataclass(frozen=True)
class PushPolicy:
    """The configured defaults, and the two things storage may not import: the quiet-hours parser
    and the keyword matcher (``feeds.topics.matches_keyword``)."""

    tz: tzinfo
    default_quiet: QuietHours
    default_reminder_days: tuple[int, ...]
    default_digest_hour: int
    parse_quiet: Callable[[str], QuietHours]
    matches_keyword: Callable[[str, str], bool]

    def quiet_for(self, chat: Chat) -> QuietHours:
        if chat.quiet_hours is None:
            return self.default_quiet
        try:
            return self.parse_quiet(chat.quiet_hours)
        except ValueError:
            return self.default_quiet

    def reminder_days_for(self, chat: Chat) -> tuple[int, ...]:
        days = chat.reminder_days if chat.reminder_days is not None else self.default_reminder_days
        return tuple(sorted({int(d) for d in days if 0 <= int(d) <= 365}))

    def digest_hour_for(self, chat: Chat) -> int:
        return chat.digest_hour if chat.digest_hour is not None else self.default_digest_hour


def deadline_end(call: Call) -> datetime | None:
    """The last moment a call is open: the deadline, or the end of its day when it has no time."""
    if call.deadline_at is None:
        return None
    if call.deadline_has_time:
        return call.deadline_at
    day_ = call.deadline_at.astimezone(OSLO).date() + timedelta(days=1)
    return datetime.combine(day_, time(0)).replace(tzinfo=OSLO).astimezone(UTC) - timedelta(seconds=1)


def call_text(call: Call) -> str:
    """What keyword alerts look in: title, summary and source."""
    return f"{call.title}\n{call.summary or ''}\n{call.source_name or ''}"


def reminder_key(call: Call) -> str:
    if call.rolling or call.deadline_at is None:
        return "rolling" if call.rolling else "none"
    return call.deadline_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


async def _load_calls(session: AsyncSession, where: Any) -> list[Call]:
    query = select(Call).options(selectinload(Call.topics)).where(where).order_by(Call.id)
    return list((await session.execute(query)).scalars().unique())


async def _chats(session: AsyncSession, ids: Iterable[int]) -> dict[int, Chat]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await session.execute(select(Chat).where(Chat.id.in_(wanted)))
    return {c.id: c for c in rows.scalars()}


async def recipients(
    session: AsyncSession, calls: Sequence[Call], policy: PushPolicy
) -> dict[int, dict[int, datetime]]:
    """For each call: the active chats that follow one of its topics or a matching keyword,
    with the time they started following it (the earliest such subscription or alert)."""
    result: dict[int, dict[int, datetime]] = {call.id: {} for call in calls}
    if not calls:
        return result
    topic_ids = {t.id for call in calls for t in call.topics}
    by_topic: dict[int, list[tuple[int, datetime]]] = {}
    if topic_ids:
        rows = await session.execute(
            select(Subscription.topic_id, Subscription.chat_id, Subscription.created_at)
            .join(Chat, Chat.id == Subscription.chat_id)
            .where(Subscription.topic_id.in_(sorted(topic_ids)), Chat.active.is_(True))
        )
        for topic_id, chat_id, created in rows.tuples():
            by_topic.setdefault(topic_id, []).append((chat_id, created))
    alerts = (
        (
            await session.execute(
                select(KeywordAlert.chat_id, KeywordAlert.keyword, KeywordAlert.created_at)
                .join(Chat, Chat.id == KeywordAlert.chat_id)
                .where(Chat.active.is_(True))
            )
        )
        .tuples()
        .all()
    )
    for call in calls:
        found = result[call.id]
        for topic in call.topics:
            for chat_id, created in by_topic.get(topic.id, []):
                if chat_id not in found or created < found[chat_id]:
                    found[chat_id] = created
        if alerts:
            text = call_text(call)
            for chat_id, keyword, created in alerts:
                if (chat_id not in found or created < found[chat_id]) and policy.matches_keyword(
                    text, keyword
                ):
                    found[chat_id] = created
    return result


async def _muted(session: AsyncSession, call_ids: Iterable[int]) -> set[tuple[int, int]]:
    ids = sorted(set(call_ids))
    if not ids:
        return set()
    rows = await session.execute(select(CallMute.chat_id, CallMute.call_id).where(CallMute.call_id.in_(ids)))
    return set(rows.tuples().all())


@dataclass(frozen=True)
class Notice:
    call: Call
    chat: Chat


async def new_call_notices(
    session: AsyncSession, call_ids: Iterable[int], policy: PushPolicy, *, now: datetime
) -> list[Notice]:
    """Who is told of new calls at once: members with instant notices who followed a matching
    topic or keyword when the call was first seen. Calls already closed or past are left out."""
    ids = sorted(set(call_ids))
    if not ids:
        return []
    calls = await _load_calls(session, and_(Call.id.in_(ids), Call.status.in_(LIVE_STATUSES)))
    calls = [c for c in calls if (end := deadline_end(c)) is None or end > now]
    found = await recipients(session, calls, policy)
    chats = await _chats(session, (cid for per in found.values() for cid in per))
    muted = await _muted(session, ids)
    notices = []
    for call in calls:
        for chat_id, since in sorted(found[call.id].items()):
            chat = chats[chat_id]
            if since > call.first_seen_at or (chat_id, call.id) in muted:
                continue
            if chat.notify_mode != NotifyMode.INSTANT:
                continue
            notices.append(Notice(call, chat))
    return notices


async def told_of(session: AsyncSession, call: Call) -> list[Chat]:
    """The chats that were told of a call: its notice, a reminder or a digest that held it."""
    subjects = or_(
        and_(Outbox.kind == KIND_NEW_CALL, Outbox.subject == f"call:{call.id}"),
        and_(Outbox.kind == KIND_REMINDER, Outbox.subject.like(f"call:{call.id}:%")),
    )
    direct = set(
        (
            await session.execute(
                select(Outbox.chat_id).where(subjects, Outbox.status == OutboxStatus.SENT).distinct()
            )
        ).scalars()
    )
    digests = await session.execute(
        select(Outbox.chat_id, Outbox.payload).where(
            Outbox.kind == KIND_DIGEST,
            Outbox.status == OutboxStatus.SENT,
            Outbox.created_at >= call.first_seen_at,
        )
    )
    for chat_id, payload in digests.tuples():
        if call.id in (payload or {}).get("call_ids", []):
            direct.add(chat_id)
    muted = {chat_id for chat_id, _ in await _muted(session, [call.id])}
    chats = await _chats(session, direct - muted)
    return [c for c in chats.values() if c.active]


async def pending_rows(session: AsyncSession, kind: str, subject: str) -> list[Outbox]:
    """Queued rows not sent yet (to re-render a notice whose call changed before it went out)."""
    query = select(Outbox).where(
        Outbox.kind == kind, Outbox.subject == subject, Outbox.status == OutboxStatus.PENDING
    )
    return list((await session.execute(query)).scalars())


CALL_KINDS = (KIND_NEW_CALL, KIND_REMINDER, KIND_DEADLINE_CHANGED)
CANCELLED_CLOSED = "utlysningen er stengt"
CANCELLED_DEADLINE = "fristen er endret"
CANCELLED_EXPIRED = "fristen er ute"
CANCELLED_MUTED = "ikke interessert"
CANCELLED_UNFOLLOWED = "mottakeren følger ikke lenger emnene eller søkeordene"
CANCELLED_DIGEST_MODE = "mottakeren har valgt sammendrag i stedet"
CANCELLED_NO_CHAT = "mottakeren finnes ikke lenger"
CANCELLED_DIGEST_EMPTY = "ingen av utlysningene i sammendraget er aktuelle lenger"
QUIET_HELD = "holdt tilbake til de stille timene er over"


async def cancel_pending(
    session: AsyncSession, call_ids: Iterable[int], *, kinds: Sequence[str], reason: str
) -> int:
    """Cancel the queued, not yet sent pushes of these kinds about these calls, with the reason.

    A closed call is not announced or reminded of; a reminder with an old deadline is not sent.
    Rows already claimed by a sender are left to it (at most the one in flight goes out).
    """
    ids = sorted(set(call_ids))
    if not ids:
        return 0
    about = or_(*(or_(Outbox.subject == f"call:{cid}", Outbox.subject.like(f"call:{cid}:%")) for cid in ids))
    result = await session.execute(
        update(Outbox)
        .where(Outbox.kind.in_(list(kinds)), Outbox.status == OutboxStatus.PENDING, about)
        .values(status=OutboxStatus.CANCELLED, last_error=reason)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def cancel_claimed(session: AsyncSession, row_id: int, *, reason: str) -> None:
    """The sender decided not to send a claimed row after all (its call closed, its deadline passed)."""
    await session.execute(
        update(Outbox)
        .where(Outbox.id == row_id)
        .values(status=OutboxStatus.CANCELLED, last_error=reason, claimed_by=None)
        .execution_options(synchronize_session=False)
    )


async def following(
    session: AsyncSession,
    chat_ids: Iterable[int],
    calls: Sequence[Call],
    policy: PushPolicy,
    *,
    muted: set[tuple[int, int]] | None = None,
) -> set[tuple[int, int]]:
    """The (chat, call) pairs where the chat follows one of the call's topics or a matching keyword
    now and has not muted the call. Three queries, whatever the number of chats and calls."""
    chats = sorted(set(chat_ids))
    if not chats or not calls:
        return set()
    topic_ids = sorted({t.id for call in calls for t in call.topics})
    topics_of: dict[int, set[int]] = {}
    if topic_ids:
        rows = await session.execute(
            select(Subscription.chat_id, Subscription.topic_id).where(
                Subscription.chat_id.in_(chats), Subscription.topic_id.in_(topic_ids)
            )
        )
        for chat_id, topic_id in rows.tuples():
            topics_of.setdefault(chat_id, set()).add(topic_id)
    keywords_of: dict[int, list[str]] = {}
    rows_kw = await session.execute(
        select(KeywordAlert.chat_id, KeywordAlert.keyword).where(KeywordAlert.chat_id.in_(chats))
    )
    for chat_id, keyword in rows_kw.tuples():
        keywords_of.setdefault(chat_id, []).append(keyword)
    if muted is None:
        muted = await _muted(session, (c.id for c in calls))
    found: set[tuple[int, int]] = set()
    for call in calls:
        call_topics = {t.id for t in call.topics}
        text: str | None = None
        for chat_id in chats:
            if (chat_id, call.id) in muted:
                continue
            if call_topics & topics_of.get(chat_id, set()):
                found.add((chat_id, call.id))
                continue
            if keywords_of.get(chat_id):
                text = text if text is not None else call_text(call)
                if any(policy.matches_keyword(text, k) for k in keywords_of[chat_id]):
                    found.add((chat_id, call.id))
    return found


async def unwanted(session: AsyncSession, rows: Sequence[Claimed], policy: PushPolicy) -> dict[int, str]:
    """Of claimed pushes about one call, the ones their recipient no longer wants, with the reason.

    Checked just before sending: the chat is gone (its data deleted), muted the call («Ikke
    interessert»), follows none of its topics or keywords any more, or (a new-call notice) chose a
    daily or weekly digest meanwhile; or the call was closed or removed. One batch of rows costs
    six queries, not six per row.
    """
    about = [r for r in rows if r.kind in CALL_KINDS and isinstance(r.payload.get("call_id"), int)]
    if not about:
        return {}
    chats = await _chats(session, (r.chat_id for r in about))
    calls = await _load_calls(session, Call.id.in_(sorted({int(r.payload["call_id"]) for r in about})))
    muted = await _muted(session, (c.id for c in calls))
    wanted = await following(session, chats, calls, policy, muted=muted)
    live = {c.id for c in calls if c.status in LIVE_STATUSES}
    reasons: dict[int, str] = {}
    for row in about:
        chat = chats.get(row.chat_id)
        call_id = int(row.payload["call_id"])
        if chat is None:
            reasons[row.id] = CANCELLED_NO_CHAT
        elif call_id not in live:
            reasons[row.id] = CANCELLED_CLOSED
        elif (row.chat_id, call_id) in muted:
            reasons[row.id] = CANCELLED_MUTED
        elif (row.chat_id, call_id) not in wanted:
            reasons[row.id] = CANCELLED_UNFOLLOWED
        elif row.kind == KIND_NEW_CALL and chat.notify_mode != NotifyMode.INSTANT:
            reasons[row.id] = CANCELLED_DIGEST_MODE
    return reasons


async def follow_quiet_hours(session: AsyncSession, *, now: datetime, policy: PushPolicy) -> int:
    """Rows held back for the quiet hours (``QUIET_HELD``) follow the chat's quiet hours as they are
    now: released at once when they no longer hold them (changed or switched off), or at the new
    end when it comes earlier. (A row whose new quiet hours end later is held longer by the sender
    when it comes due.) Returns how many rows were moved earlier."""
    held = and_(
        Outbox.status == OutboxStatus.PENDING,
        Outbox.last_error == QUIET_HELD,
        Outbox.next_attempt_at > now,
    )
    rows = await session.execute(
        select(Outbox.chat_id, Chat.quiet_hours, func.max(Outbox.next_attempt_at))
        .join(Chat, Chat.id == Outbox.chat_id)
        .where(held)
        .group_by(Outbox.chat_id, Chat.quiet_hours)
    )
    moved = 0
    for chat_id, quiet_text, latest in rows.tuples():
        quiet = policy.default_quiet
        if quiet_text is not None:
            try:
                quiet = policy.parse_quiet(quiet_text)
            except ValueError:
                quiet = policy.default_quiet
        release = quiet_end(now, quiet, policy.tz)
        if latest is None or release >= latest:
            continue
        result = await session.execute(
            update(Outbox)
            .where(held, Outbox.chat_id == chat_id, Outbox.next_attempt_at > release)
            .values(next_attempt_at=release)
            .execution_options(synchronize_session=False)
        )
        moved += int(getattr(result, "rowcount", 0) or 0)
    return moved


async def load_calls(session: AsyncSession, call_ids: Iterable[int]) -> list[Call]:
    """These calls with their topics (those that still exist)."""
    ids = sorted(set(call_ids))
    return await _load_calls(session, Call.id.in_(ids)) if ids else []


async def load_call(session: AsyncSession, call_id: int) -> Call | None:
    found = await _load_calls(session, Call.id == call_id)
    return found[0] if found else None


# ------------------------------------------------------------------------------------------------
# Deadline reminders
# ------------------------------------------------------------------------------------------------


def reminder_moment(call: Call, days: int, chat: Chat, policy: PushPolicy) -> datetime | None:
    """When the ``days``-before reminder goes out, in UTC.

    With a time of day: the same wall-clock time ``days`` days earlier in Norwegian time (so the
    changes to and from summer time do not shift it). A whole-day deadline: the member's digest
    hour on that day. Either way moved earlier, never later, out of the quiet hours.
    """
    if call.deadline_at is None:
        return None
    local = call.deadline_at.astimezone(policy.tz)
    if call.deadline_has_time:
        naive = local.replace(tzinfo=None) - timedelta(days=days)
    else:
        naive = datetime.combine(local.date() - timedelta(days=days), time(policy.digest_hour_for(chat)))
    moment = naive.replace(tzinfo=policy.tz).astimezone(UTC)
    return before_quiet(moment, policy.quiet_for(chat), policy.tz)


@dataclass(frozen=True)
class ReminderDue:
    call: Call
    chat: Chat
    days: int
    at: datetime

    @property
    def subject(self) -> str:
        return f"call:{self.call.id}:{reminder_key(self.call)}:{self.days}"


async def _deadline_set_at(session: AsyncSession, call_ids: Iterable[int]) -> dict[int, datetime]:
    ids = sorted(set(call_ids))
    if not ids:
        return {}
    rows = await session.execute(
        select(DeadlineChange.call_id, func.max(DeadlineChange.changed_at))
        .where(DeadlineChange.call_id.in_(ids))
        .group_by(DeadlineChange.call_id)
    )
    return {call_id: at for call_id, at in rows.tuples() if at is not None}


async def due_reminders(session: AsyncSession, *, now: datetime, policy: PushPolicy) -> list[ReminderDue]:
    """The reminders due now, worked out from the database.

    For each open call with a deadline still ahead, and each active chat that follows it and has
    not muted it: of the chat's lead times whose moment has come, the latest one, provided that
    moment came after the chat could have known of the deadline (the call first seen, the
    deadline last changed, the chat started following). Earlier lead times that were missed are
    not sent late: the latest reminder says how many days are left.
    """
    longest = max(
        [*policy.default_reminder_days, 0, *await _custom_reminder_days(session)],
    )
    horizon = now + timedelta(days=longest + 2)
    calls = await _load_calls(
        session,
        and_(
            Call.status.in_((CallStatus.OPEN, CallStatus.PLANNED)),
            Call.rolling.is_(False),
            Call.deadline_at.is_not(None),
            Call.deadline_at <= horizon,
            Call.deadline_at >= now - timedelta(days=1),
        ),
    )
    calls = [c for c in calls if (end := deadline_end(c)) is not None and end > now]
    found = await recipients(session, calls, policy)
    chats = await _chats(session, (cid for per in found.values() for cid in per))
    muted = await _muted(session, (c.id for c in calls))
    changed = await _deadline_set_at(session, (c.id for c in calls))
    due: list[ReminderDue] = []
    for call in calls:
        known = max(call.first_seen_at, changed.get(call.id, call.first_seen_at))
        for chat_id, since in found[call.id].items():
            if (chat_id, call.id) in muted:
                continue
            chat = chats[chat_id]
            earliest = max(known, since)
            for days in policy.reminder_days_for(chat):  # smallest lead first: the latest moment
                at = reminder_moment(call, days, chat, policy)
                if at is None or at > now:
                    continue
                if at >= earliest:
                    due.append(ReminderDue(call, chat, days, at))
                break
    return due


async def _custom_reminder_days(session: AsyncSession) -> list[int]:
    rows = await session.execute(select(Chat.reminder_days).where(Chat.reminder_days.is_not(None)))
    return [int(d) for days in rows.scalars() for d in (days or []) if 0 <= int(d) <= 365]


# ------------------------------------------------------------------------------------------------
# Digests and the weekly overview
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestDue:
    chat: Chat
    mode: str
    scheduled: datetime
    start: datetime
    calls: list[Call]

    @property
    def subject(self) -> str:
        return f"digest:{self.mode}:{self.scheduled.strftime('%Y-%m-%dT%H')}"


def last_digest_time(now: datetime, mode: str, hour: int, tz: tzinfo) -> datetime:
    """The latest scheduled digest moment at or before ``now`` (weekly: Mondays), in UTC."""
    local = now.astimezone(tz)
    day_ = local.date()
    while True:
        moment = datetime.combine(day_, time(hour)).replace(tzinfo=tz).astimezone(UTC)
        if moment <= now and (mode != NotifyMode.WEEKLY or day_.weekday() == 0):
            return moment
        day_ -= timedelta(days=1)


async def due_digests(session: AsyncSession, *, now: datetime, policy: PushPolicy) -> list[DigestDue]:
    """Digests due now: for each member on daily or weekly, what was first seen since the last one."""
    chats = list(
        (
            await session.execute(
                select(Chat).where(
                    Chat.active.is_(True), Chat.notify_mode.in_((NotifyMode.DAILY, NotifyMode.WEEKLY))
                )
            )
        ).scalars()
    )
    if not chats:
        return []
    plans: dict[int, tuple[datetime, datetime]] = {}
    for chat in chats:
        scheduled = last_digest_time(now, chat.notify_mode, policy.digest_hour_for(chat), policy.tz)
        span = timedelta(days=7 if chat.notify_mode == NotifyMode.WEEKLY else 1)
        plans[chat.id] = (scheduled, scheduled - span)
    done = set(
        (
            await session.execute(
                select(Outbox.chat_id, Outbox.subject).where(
                    Outbox.kind == KIND_DIGEST, Outbox.chat_id.in_([c.id for c in chats])
                )
            )
        )
        .tuples()
        .all()
    )
    earliest = min(start for _, start in plans.values())
    calls = await _load_calls(
        session,
        and_(Call.first_seen_at >= earliest, Call.first_seen_at < now, Call.status.in_(LIVE_STATUSES)),
    )
    calls = [c for c in calls if (end := deadline_end(c)) is None or end > now]
    found = await recipients(session, calls, policy)
    result = []
    for chat in chats:
        scheduled, start = plans[chat.id]
        subject = DigestDue(chat, chat.notify_mode, scheduled, start, []).subject
        if (chat.id, subject) in done:
            continue
        picked = [
            c
            for c in calls
            if start <= c.first_seen_at < scheduled
            and chat.id in found[c.id]
            and found[c.id][chat.id] <= c.first_seen_at
        ]
        if picked:
            picked.sort(key=lambda c: (deadline_end(c) or datetime.max.replace(tzinfo=UTC), c.id))
            result.append(DigestDue(chat, chat.notify_mode, scheduled, start, picked))
    return result


def weekly_overview_moment(now: datetime, tz: tzinfo, hour: int = 8) -> datetime | None:
    """This Monday's overview moment if it has come (and it is still Monday), else None."""
    local = now.astimezone(tz)
    if local.weekday() != 0:
        return None
    moment = datetime.combine(local.date(), time(hour)).replace(tzinfo=tz).astimezone(UTC)
    return moment if moment <= now else None


async def deadlines_between(session: AsyncSession, start: datetime, end: datetime) -> list[Call]:
    """Open calls whose deadline falls from ``start`` (whole days count to their end) to ``end``."""
    calls = await _load_calls(
        session,
        and_(
            Call.status.in_((CallStatus.OPEN, CallStatus.PLANNED)),
            Call.rolling.is_(False),
            Call.deadline_at.is_not(None),
            Call.deadline_at >= start - timedelta(days=1),
            Call.deadline_at <= end,
        ),
    )
    calls = [c for c in calls if (e := deadline_end(c)) is not None and e >= start]
    calls.sort(key=lambda c: (c.deadline_at or start, c.id))
    return calls


async def group_chat(session: AsyncSession, telegram_id: int, *, now: datetime) -> Chat:
    """The network group's chat row (following recorded migrations), created when missing."""
    current = await current_telegram_id(session, telegram_id)
    chat = (await session.execute(select(Chat).where(Chat.telegram_id == current))).scalar_one_or_none()
    if chat is None:
        chat = Chat(telegram_id=current, kind=ChatKind.SUPERGROUP, name="", in_group=True, created_at=now)
        session.add(chat)
        await session.flush()
    return chat


# ------------------------------------------------------------------------------------------------
# Event reminders
# ------------------------------------------------------------------------------------------------

EVENT_LEADS = (("hour", timedelta(hours=1)), ("day", timedelta(days=1)))


@dataclass(frozen=True)
class EventReminderDue:
    event: Event
    chat: Chat
    lead: str
    at: datetime

    @property
    def subject(self) -> str:
        starts = self.event.starts_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")
        return f"event:{self.event.id}:{starts}:{self.lead}"


def event_reminder_moment(starts_at: datetime, lead: str, quiet: QuietHours, tz: tzinfo) -> datetime:
    """A day before (same wall-clock time) or an hour before; out of the quiet hours: a day-before
    reminder is moved earlier, an hour-before one waits for the quiet hours to end if that is still
    in time, else it too is moved earlier."""
    if lead == "day":
        local = starts_at.astimezone(tz).replace(tzinfo=None) - timedelta(days=1)
        return before_quiet(local.replace(tzinfo=tz).astimezone(UTC), quiet, tz)
    moment = starts_at - timedelta(hours=1)
    held = quiet_end(moment, quiet, tz)
    if held <= starts_at - timedelta(minutes=15):
        return held
    return before_quiet(moment, quiet, tz)


async def due_event_reminders(
    session: AsyncSession, *, now: datetime, policy: PushPolicy
) -> list[EventReminderDue]:
    """Reminders for events that start within a day: to those who said yes and to the followers
    of the event's topics (not to those who said no); only the latest lead time that has come."""
    events = list(
        (
            await session.execute(
                select(Event)
                .options(selectinload(Event.topics))
                .where(
                    Event.cancelled.is_(False),
                    Event.starts_at > now,
                    Event.starts_at <= now + timedelta(days=1, hours=2),
                )
            )
        )
        .scalars()
        .unique()
    )
    if not events:
        return []
    ids = [e.id for e in events]
    answers: dict[int, dict[int, str]] = {}
    for event_id, chat_id, answer in (
        await session.execute(select(Rsvp.event_id, Rsvp.chat_id, Rsvp.answer).where(Rsvp.event_id.in_(ids)))
    ).tuples():
        answers.setdefault(event_id, {})[chat_id] = answer
    topic_ids = sorted({t.id for e in events for t in e.topics})
    followers: dict[int, set[int]] = {}
    if topic_ids:
        for topic_id, chat_id in (
            await session.execute(
                select(Subscription.topic_id, Subscription.chat_id).where(
                    Subscription.topic_id.in_(topic_ids)
                )
            )
        ).tuples():
            followers.setdefault(topic_id, set()).add(chat_id)
    wanted: dict[int, set[int]] = {}
    for event in events:
        said = answers.get(event.id, {})
        chosen = {cid for cid, a in said.items() if a == "yes"}
        for topic in event.topics:
            chosen |= {cid for cid in followers.get(topic.id, set()) if said.get(cid) != "no"}
        wanted[event.id] = chosen
    chats = await _chats(session, (cid for ids_ in wanted.values() for cid in ids_))
    due = []
    for event in events:
        for chat_id in sorted(wanted[event.id]):
            chat = chats.get(chat_id)
            if chat is None or not chat.active:
                continue
            for lead, _ in EVENT_LEADS:  # the hour before first: the latest moment
                at = event_reminder_moment(event.starts_at, lead, policy.quiet_for(chat), policy.tz)
                if at > now:
                    continue
                if at >= event.created_at:
                    due.append(EventReminderDue(event, chat, lead, at))
                break
    return due


# ------------------------------------------------------------------------------------------------
# "Ikke interessert"
# ------------------------------------------------------------------------------------------------


async def mute_call(session: AsyncSession, *, telegram_id: int, call_id: int, now: datetime) -> bool:
    """The chat wants nothing more about this call; False if the chat or call is unknown.

    Reminders already queued but not sent are cancelled too.
    """
    chat = (await session.execute(select(Chat).where(Chat.telegram_id == telegram_id))).scalar_one_or_none()
    call = await session.get(Call, call_id)
    if chat is None or call is None:
        return False
    exists = (
        await session.execute(
            select(CallMute.id).where(CallMute.chat_id == chat.id, CallMute.call_id == call_id)
        )
    ).scalar_one_or_none()
    if exists is None:
        session.add(CallMute(chat_id=chat.id, call_id=call_id, created_at=now))
    await session.execute(
        update(Outbox)
        .where(
            Outbox.chat_id == chat.id,
            Outbox.status == OutboxStatus.PENDING,
            or_(
                and_(Outbox.kind == KIND_REMINDER, Outbox.subject.like(f"call:{call_id}:%")),
                and_(Outbox.kind == KIND_DEADLINE_CHANGED, Outbox.subject.like(f"call:{call_id}:%")),
            ),
        )
        .values(status=OutboxStatus.CANCELLED, last_error=CANCELLED_MUTED)
        .execution_options(synchronize_session=False)
    )
    await session.flush()
    return True


async def unmute_call(session: AsyncSession, *, telegram_id: int, call_id: int) -> bool:
    chat = (await session.execute(select(Chat).where(Chat.telegram_id == telegram_id))).scalar_one_or_none()
    if chat is None:
        return False
    row = (
        await session.execute(
            select(CallMute).where(CallMute.chat_id == chat.id, CallMute.call_id == call_id)
        )
    ).scalar_one_or_none()
    if row is not None:
        await session.delete(row)
        await session.flush()
    return True
