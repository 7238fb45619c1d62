"""/frister [emne | kilde | antall dager | alle]: the upcoming deadlines, soonest first.

Grouped "Denne uka", "Neste uke", then by week; rolling calls ("løpende") in a short section of
their own; paged with buttons. Defaults: the member's topics in a private chat, all topics in a
group, the next FOUI_FRISTER_DEFAULT_DAYS days. ``parse_args``, ``load`` and ``render`` are plain
functions (the terminal's ``foui-bot frister`` uses them too).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from bot import texts
from handlers.common import (
    MAX_TEXT,
    answer,
    args_of,
    current_chat,
    edit,
    esc,
    is_private,
    keyboard,
    match_name,
    match_topic,
    names_source,
    reply,
    services,
    shorten,
    topic_word,
)
from handlers.errors import BadDays, Expired, UnknownArgument, friendly
from handlers.registry import Command
from storage import deadlines, members
from storage import topics as topic_store
from storage.models import Call, CallStatus, Topic

PREFIX = "fr:"
PAGE_SIZE = 8
MAX_DAYS = 3650
ROLLING_SHOWN = 5
TITLE_MAX = 150
URL_MAX = 400

MINE, ALL, TOPIC = "m", "a", "t"
ALL_WORDS = {"alle", "alt", "all"}
DAY_WORDS = {"d", "dag", "dager", "dagar"}
# Any whole number (negative and huge ones too) is meant as days; parse_args checks the range.
_DAYS = re.compile(r"([-+−]?\d+)(d|dag|dager)?")


@dataclass(frozen=True)
class Query:
    """What to list: whose topics (mine, all, one topic), from which source, how many days ahead."""

    scope: str = ALL
    topic_id: int | None = None
    source: str | None = None
    days: int | None = 60  # None: every upcoming deadline
    page: int = 0

    def encode(self, page: int) -> str:
        """Callback data (at most 64 bytes): fr:<page>:<scope>:<days>:<source checksum>."""
        scope = f"{TOPIC}{self.topic_id}" if self.scope == TOPIC else self.scope
        source = source_key(self.source) if self.source else ""
        return f"{PREFIX}{page}:{scope}:{self.days or 0}:{source}"


def source_key(name: str) -> str:
    return format(zlib.crc32(name.encode()), "x")


def decode(data: str, sources: Sequence[str]) -> Query:
    """The Query in a button's callback data; Expired if it no longer makes sense."""
    try:
        page_s, scope_s, days_s, source_s = data.removeprefix(PREFIX).split(":")
        page, days = int(page_s), int(days_s)
    except ValueError:
        raise Expired() from None
    source = None
    if source_s:
        source = next((s for s in sources if source_key(s) == source_s), None)
        if source is None:
            raise Expired()
    if scope_s.startswith(TOPIC):
        if not scope_s[1:].isdigit():
            raise Expired()
        return Query(TOPIC, int(scope_s[1:]), source, days or None, max(page, 0))
    if scope_s not in (MINE, ALL):
        raise Expired()
    return Query(scope_s, None, source, days or None, max(page, 0))


def parse_args(
    words: Sequence[str],
    *,
    topics: Sequence[Topic],
    sources: Sequence[str],
    default_days: int,
    private: bool,
) -> Query:
    """The Query a person asked for; UnknownArgument (with the valid choices) or BadDays if not."""
    days: int | None = default_days
    explicit_days = False
    everything = False
    rest: list[str] = []
    for word in words:
        folded = word.casefold().strip(",.;")
        match = _DAYS.fullmatch(folded)
        if match:
            days = int(match.group(1).replace("−", "-"))
            if not 1 <= days <= MAX_DAYS:
                raise BadDays(MAX_DAYS)
            explicit_days = True
        elif folded in ALL_WORDS:
            everything = True
        elif folded in DAY_WORDS or not folded:
            continue
        else:
            rest.append(word)
    if everything and not explicit_days:
        days = None
    query = Query(MINE if private and not everything else ALL, None, None, days)
    if not rest:
        return query
    phrase = " ".join(rest)
    found = _topic_or_source(phrase, topics, sources)
    if found is not None:
        return _with(query, found)
    for word in rest:  # "helse forskningsrådet": a topic and a source
        found = _topic_or_source(word, topics, sources)
        if found is None:
            raise UnknownArgument(word, [topic_word(t) for t in topics], list(sources))
        query = _with(query, found)
    return query


def _topic_or_source(text: str, topics: Sequence[Topic], sources: Sequence[str]) -> Topic | str | None:
    """Close matches first (topic, then source), near-misses only after."""
    for fuzzy in (False, True):
        topic = match_topic(text, topics, fuzzy=fuzzy)
        if topic is not None:
            return topic
        source = match_name(text, sources, fuzzy=fuzzy)
        if source is not None:
            return source
    return None


def _with(query: Query, found: Topic | str) -> Query:
    if isinstance(found, str):
        return replace(query, source=found, scope=query.scope if query.scope == TOPIC else ALL)
    return replace(query, scope=TOPIC, topic_id=found.id)


@dataclass
class Listing:
    """One page of deadlines, ready to render."""

    query: Query
    total: int
    calls: Sequence[Call]
    rolling_total: int
    rolling: Sequence[Call]
    topic: Topic | None = None
    no_topics: bool = False  # "mine" asked, but the member follows none: showing all

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def day_bounds(now: datetime, days: int | None, tz: ZoneInfo) -> tuple[datetime, datetime | None]:
    """The start of today and the end of the last day of the window, in local time."""
    today = now.astimezone(tz).date()
    start = datetime.combine(today, time(0, 0), tz)
    if days is None:
        return start, None
    end = datetime.combine(today + timedelta(days=days), time(23, 59, 59), tz)
    return start, end


async def load(session: Any, query: Query, *, chat_id: int | None, now: datetime, tz: ZoneInfo) -> Listing:
    """Fetch one page of the listing (and the rolling calls on the first page)."""
    topic_ids: set[int] | None = None
    topic: Topic | None = None
    no_topics = False
    if query.scope == TOPIC and query.topic_id is not None:
        found = await topic_store.list_topics(session)
        topic = next((t for t in found if t.id == query.topic_id), None)
        if topic is None:
            raise Expired()
        topic_ids = {topic.id}
    elif query.scope == MINE and chat_id is not None:
        topic_ids = await members.subscribed_topic_ids(session, chat_id) or None
        no_topics = topic_ids is None
    day_start, until = day_bounds(now, query.days, tz)
    page = await deadlines.upcoming(
        session,
        now=now,
        day_start=day_start,
        until=until,
        topic_ids=topic_ids,
        source=query.source,
        offset=query.page * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    if page.total and query.page * PAGE_SIZE >= page.total:  # the list shrank since the button
        last = (page.total - 1) // PAGE_SIZE
        return await load(session, replace(query, page=last), chat_id=chat_id, now=now, tz=tz)
    rolling = deadlines.Page(0, [])
    if query.page == 0:
        rolling = await deadlines.rolling(
            session, topic_ids=topic_ids, source=query.source, limit=ROLLING_SHOWN
        )
    return Listing(query, page.total, page.calls, rolling.total, rolling.calls, topic, no_topics)


# ---- rendering -------------------------------------------------------------------------------


def week_label(deadline: date, today: date) -> str:
    """'Denne uka', 'Neste uke', or 'Uke 12 · 16.–22. mars'."""
    monday = today - timedelta(days=today.weekday())
    weeks = (deadline - monday).days // 7
    if weeks <= 0:
        return texts.FRISTER_THIS_WEEK
    if weeks == 1:
        return texts.FRISTER_NEXT_WEEK
    start = deadline - timedelta(days=deadline.weekday())
    end = start + timedelta(days=6)
    if start.month == end.month:
        dates = f"{start.day}.–{end.day}. {texts.MONTHS[end.month - 1]}"
    else:
        dates = f"{start.day}. {texts.MONTHS[start.month - 1]}–{end.day}. {texts.MONTHS[end.month - 1]}"
    if end.year != today.year:
        dates += f" {end.year}"
    return texts.FRISTER_WEEK.format(week=deadline.isocalendar().week, dates=dates)


def call_title(call: Call, *, link: bool = True) -> str:
    title = esc(shorten(call.title, TITLE_MAX))
    url = call.url or ""
    if link and url.startswith(("http://", "https://")) and len(url) <= URL_MAX:
        return texts.FRISTER_LINK.format(url=esc(url), title=title)
    return f"<b>{title}</b>"


def render_item(call: Call, now: datetime, tz: ZoneInfo, *, link: bool = True) -> str:
    assert call.deadline_at is not None
    title = call_title(call, link=link)
    if call.status == CallStatus.PLANNED:
        title += texts.FRISTER_PLANNED
    source = f"{esc(shorten(call.source_name, 60))} · " if call.source_name else ""
    today = now.astimezone(tz).date()
    deadline = texts.format_datetime(call.deadline_at, has_time=call.deadline_has_time, tz=tz, today=today)
    days = texts.format_days_left(texts.days_left(call.deadline_at, now, tz))
    text = texts.FRISTER_ITEM.format(title=title, source=source, deadline=deadline, days=days)
    if call.topics:
        text += texts.FRISTER_ITEM_TOPICS.format(
            topics=esc(shorten(texts.FRISTER_TOPICS_SEPARATOR.join(t.name for t in call.topics), 160))
        )
    return text


def scope_text(listing: Listing) -> str:
    query = listing.query
    if listing.topic is not None:
        scope = texts.FRISTER_SCOPE_TOPIC.format(topic=esc(listing.topic.name))
    elif query.scope == MINE and not listing.no_topics:
        scope = texts.FRISTER_SCOPE_MINE
    else:
        scope = texts.FRISTER_SCOPE_ALL
    if query.source:
        scope += " " + texts.FRISTER_SCOPE_SOURCE.format(source=esc(query.source))
    return scope


def window_text(query: Query) -> str:
    if query.days is None:
        return texts.FRISTER_WINDOW_ALL
    return texts.FRISTER_WINDOW_DAYS.format(days=query.days)


def render(listing: Listing, now: datetime, tz: ZoneInfo, *, private: bool) -> tuple[str, list[Any]]:
    """The HTML text and the button rows of one page; always within Telegram's 4,096 characters."""
    text = _render(listing, now, tz, link=True)
    if len(text) > MAX_TEXT:
        text = _render(listing, now, tz, link=False)
    return text, _buttons(listing, private=private)


def _render(listing: Listing, now: datetime, tz: ZoneInfo, *, link: bool) -> str:
    query = listing.query
    scope, window = scope_text(listing), window_text(query)
    if not listing.total and not listing.rolling_total:
        lines = [texts.FRISTER_NONE.format(scope=scope, window=window), "", texts.FRISTER_NONE_HINT]
        return "\n".join(lines)
    count = texts.FRISTER_COUNT_ONE if listing.total == 1 else texts.FRISTER_COUNT.format(count=listing.total)
    header = texts.FRISTER_HEADER.format(scope=scope, window=window) + f"\n{count}"
    if listing.pages > 1:
        header += " · " + texts.FRISTER_PAGE.format(page=query.page + 1, pages=listing.pages)
    blocks = [header]
    if listing.no_topics:
        blocks.append(f"<i>{texts.FRISTER_NO_TOPICS_HINT}</i>")
    if not listing.total:
        blocks.append(texts.FRISTER_NONE.format(scope=scope, window=window))
    today = now.astimezone(tz).date()
    current_label = None
    for call in listing.calls:
        assert call.deadline_at is not None
        label = week_label(call.deadline_at.astimezone(tz).date(), today)
        item = render_item(call, now, tz, link=link)
        if label != current_label:
            blocks.append(f"<b>{esc(label)}</b>\n{item}")
            current_label = label
        else:
            blocks.append(item)
    if listing.rolling:
        lines = [texts.FRISTER_ROLLING_HEADER]
        for call in listing.rolling:
            source = ""
            if call.source_name and not names_source(call.title, call.source_name):
                source = texts.FRISTER_ROLLING_SOURCE.format(source=esc(shorten(call.source_name, 60)))
            lines.append(texts.FRISTER_ROLLING_ITEM.format(title=call_title(call, link=link), source=source))
        more = listing.rolling_total - len(listing.rolling)
        if more > 0:
            lines.append(texts.FRISTER_ROLLING_MORE.format(count=more))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _buttons(listing: Listing, *, private: bool) -> list[list[tuple[str, str]]]:
    query = listing.query
    rows: list[list[tuple[str, str]]] = []
    paging = []
    if query.page > 0:
        paging.append((texts.BTN_PREV, query.encode(query.page - 1)))
    if query.page + 1 < listing.pages:
        paging.append((texts.BTN_NEXT, query.encode(query.page + 1)))
    rows.append(paging)
    if not listing.total and not listing.rolling_total:
        everything = Query(ALL, None, None, None)
        if query != everything:
            rows.append([(texts.BTN_ALL_DEADLINES, everything.encode(0))])
        if private:
            rows.append([(texts.BTN_PICK_TOPICS, "em:open")])
    elif private and listing.no_topics:
        rows.append([(texts.BTN_PICK_TOPICS, "em:open")])
    return [row for row in rows if row]


# ---- the handlers ----------------------------------------------------------------------------


@friendly
async def frister(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the upcoming deadlines."""
    svc = services(context)
    now, tz, private = svc.now(), svc.settings.tz, is_private(update)
    words = args_of(context)
    async with svc.session() as session:
        chat = await current_chat(session, update, now)
        topics = await topic_store.list_topics(session) if words else []
        needs_sources = any(not _DAYS.fullmatch(w.casefold()) for w in words)
        sources = await deadlines.source_names(session) if needs_sources else []
        query = parse_args(
            words,
            topics=topics,
            sources=sources,
            default_days=svc.settings.frister_default_days,
            private=private,
        )
        listing = await load(session, query, chat_id=chat.id, now=now, tz=tz)
    text, rows = render(listing, now, tz, private=private)
    await reply(update, context, text, keyboard(rows))


@friendly
async def frister_page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A paging button under a /frister answer."""
    callback = update.callback_query
    assert callback is not None and callback.data is not None
    svc = services(context)
    now, tz, private = svc.now(), svc.settings.tz, is_private(update)
    async with svc.session() as session:
        chat = await current_chat(session, update, now)
        sources = await deadlines.source_names(session) if not callback.data.endswith(":") else []
        query = decode(callback.data, sources)
        listing = await load(session, query, chat_id=chat.id, now=now, tz=tz)
    text, rows = render(listing, now, tz, private=private)
    await answer(update)
    await edit(update, context, text, keyboard(rows))


COMMANDS = [Command("frister", texts.CMD_FRISTER, callback=frister)]


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [CallbackQueryHandler(frister_page, pattern=f"^{PREFIX}")]
