"""The live calendar subscription: ``/kalender/<token>.ics`` on the bot's HTTP server.

``make_feed_app`` builds the callable the composition root mounts under ``/kalender/`` (the web wing
calls it as ``(path_tail, request_headers) -> (status, headers, body)``; the two wings never import
each other). Each request reads the chat's feed fresh from the database: its topics' deadlines,
the events it signed up for and its municipality's "Vi søker" milestones. The answer carries an
ETag (the content's hash) and an honest Last-Modified (when the content last changed), so a
calendar's polling costs a 304. The data is read on the event loop and rendered in a thread (a feed
of 500 deadlines takes about a third of a second of CPU), and a feed asked for again within a minute
is answered from memory: no one holding a link can keep the bot busy. Tokens are never logged.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from zoneinfo import ZoneInfo

from icalendar import Event as IcsEvent
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import texts
from bot.calendar.events import event_component
from bot.calendar.feed_cache import Built, FeedCache
from bot.calendar.ics import call_event, finish, new_calendar, work_alarm
from bot.config import Settings
from storage import calendar_feeds, members, membership
from storage.db import session_scope
from storage.models import Chat, ChatKind, Event
from storage.rules.applications import milestone_due

log = logging.getLogger(__name__)

Response = tuple[int, dict[str, str], bytes]
FeedApp = Callable[[str, Mapping[str, str]], Awaitable[Response]]
CALENDAR_TYPE = "text/calendar; charset=utf-8"
MAX_AGE = 900  # clients may keep an answer 15 minutes before asking again


def public_links(base_url: str, token: str) -> tuple[str, str]:
    """The subscription's webcal:// link and its https:// form under FOUI_PUBLIC_URL."""
    https = f"{base_url.rstrip('/')}/kalender/{token}.ics"
    return "webcal://" + https.split("://", 1)[1], https


@dataclass(frozen=True)
class FeedData:
    """What one chat's feed holds, read from the database (rendered apart, off the event loop)."""

    name: str
    tz_name: str
    domain: str
    now: datetime
    calls: list[calendar_feeds.FeedCall]
    events: Sequence[Event]
    link: bool
    milestones: list[calendar_feeds.FeedMilestone]


async def gather_feed(
    session: AsyncSession, chat: Chat, *, now: datetime, tz_name: str, coordinator_ids: Sequence[int] = ()
) -> FeedData:
    """Read one chat's feed. Meeting links are the network's own: a group's feed has them, a
    person's only while they are a member (asked on each build, so someone who left loses them)."""
    private = chat.kind == ChatKind.PRIVATE
    name = texts.CALENDAR_FEED_NAME if private else texts.CALENDAR_FEED_NAME_GROUP.format(group=chat.name)
    topic_ids = await members.subscribed_topic_ids(session, chat.id) or None
    calls = await calendar_feeds.feed_calls(session, topic_ids=topic_ids, now=now)
    events = await calendar_feeds.feed_events(session, chat, now=now)
    link = not private or (
        bool(events)
        and await membership.is_member_now(session, chat.telegram_id, coordinator_ids=coordinator_ids)
    )
    milestones = await calendar_feeds.feed_milestones(session, chat, now=now)
    domain = await calendar_feeds.uid_domain(session)
    return FeedData(name, tz_name, domain, now, calls, events, link, milestones)


def render_feed(data: FeedData) -> bytes:
    """The feed's bytes, which only change when its content does (CPU work: run it in a thread)."""
    tz, tz_name, domain, now = ZoneInfo(data.tz_name), data.tz_name, data.domain, data.now
    calendar = new_calendar(data.name, tz_name)
    sequences: dict[int, tuple[int, datetime]] = {}
    for item in data.calls:
        sequences[item.call.id] = (item.sequence, item.last_modified)
        event = call_event(
            item.call,
            now=now,
            tz_name=tz_name,
            domain=domain,
            sequence=item.sequence,
            last_modified=item.last_modified,
        )
        if event is not None:
            calendar.add_component(event)
    for ev in data.events:
        calendar.add_component(event_component(ev, now=now, link=data.link, domain=domain, tz_name=tz_name))
    for m in data.milestones:
        if m.call.deadline_at is None:
            continue
        sequence, changed = sequences.get(m.call.id, (0, m.call.last_changed_at))
        calendar.add_component(_milestone_event(m, tz, domain, sequence, max(changed, m.made_at)))
    return finish(calendar)


async def build_feed(
    session: AsyncSession, chat: Chat, *, now: datetime, tz_name: str, coordinator_ids: Sequence[int] = ()
) -> bytes:
    """One chat's calendar: read on the event loop, rendered in a thread."""
    data = await gather_feed(session, chat, now=now, tz_name=tz_name, coordinator_ids=coordinator_ids)
    return await asyncio.to_thread(render_feed, data)


def _milestone_event(
    m: calendar_feeds.FeedMilestone, tz: ZoneInfo, domain: str, sequence: int, changed: datetime
) -> IcsEvent:
    assert m.call.deadline_at is not None
    day = milestone_due(m.call.deadline_at, m.weeks, tz).date()
    title = " ".join(m.call.title.split())
    stamp = changed.astimezone(UTC).replace(microsecond=0)
    event = IcsEvent()
    event.add("uid", f"milestone-{m.plan_id}-{m.weeks}@{domain}")
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    event.add("sequence", sequence)
    event.add("summary", texts.CALENDAR_MILESTONE.format(label=m.label, title=title))
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    if m.call.url:
        event.add("url", m.call.url)
    alarm_text = texts.CALENDAR_MILESTONE_ALARM.format(label=m.label, title=title)
    event.add_component(work_alarm(None, day, tz, alarm_text))
    return event


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def not_modified(headers: Mapping[str, str], etag: str, changed: datetime) -> bool:
    """RFC 9110: If-None-Match decides when present; otherwise If-Modified-Since."""
    match = _header(headers, "if-none-match")
    if match is not None:
        tags = [t.strip().removeprefix("W/") for t in match.split(",")]
        return "*" in tags or etag in tags
    since = _header(headers, "if-modified-since")
    if since is None:
        return False
    try:
        when = parsedate_to_datetime(since)
    except (TypeError, ValueError, IndexError):
        return False
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return changed.replace(microsecond=0) <= when


def _text(status: int, body: str, **extra: str) -> Response:
    headers = {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store", **extra}
    return status, headers, body.encode("utf-8")


def make_feed_app(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> FeedApp:
    """The callable to mount under ``/kalender/``: ``await app(path_tail, headers)``. A feed asked for
    again within a minute is answered from memory (``FeedCache``)."""
    cache = FeedCache()

    async def calendar_feed(path_tail: str, request_headers: Mapping[str, str]) -> Response:
        token = path_tail.strip("/").removesuffix(".ics")
        if not calendar_feeds.plausible_token(token):
            return _text(404, texts.FEED_NOT_FOUND)
        now = clock()
        try:
            async with session_scope(sessions) as session:
                found = await calendar_feeds.by_token(session, token)
                if found is None:
                    log.info("calendar feed: an unknown or renewed link was asked for")
                    return _text(404, texts.FEED_NOT_FOUND)
                feed, chat = found
                key = (feed.id, feed.token_hash)
                built = cache.get(key, now)
                if built is None:
                    body = await build_feed(
                        session,
                        chat,
                        now=now,
                        tz_name=settings.timezone,
                        coordinator_ids=settings.coordinator_ids,
                    )
                    digest = hashlib.sha256(body).hexdigest()
                    changed = await calendar_feeds.record_body(session, feed, digest, now)
                    built = Built(now, digest, changed, body)
                    cache.put(key, built)
                body, digest, changed = built.body, built.digest, built.changed
        except Exception:
            log.exception("calendar feed: could not build a feed")
            return _text(503, texts.FEED_UNAVAILABLE, **{"Retry-After": "300"})
        etag = f'"{digest[:40]}"'
        headers = {
            "ETag": etag,
            "Last-Modified": format_datetime(changed.astimezone(UTC), usegmt=True),
            "Cache-Control": f"private, max-age={MAX_AGE}",
        }
        if not_modified(request_headers, etag, changed):
            return 304, headers, b""
        headers["Content-Type"] = CALENDAR_TYPE
        headers["Content-Disposition"] = 'inline; filename="foui-kalender.ics"'
        return 200, headers, body

    return calendar_feed
