"""/frister [emne | kilde | antall dager | alle]: the upcoming deadlines, soonest first.

Grouped "Denne uka", "Neste uke", then by week; rolling calls ("løpende") in a short section of
their own; paged with buttons. Defaults: the member's topics in a private chat, all topics in a
group, the next FOUI_FRISTER_DEFAULT_DAYS days. ``render`` here and ``parse_args``/``load`` (from
handlers.frister_query) are plain functions; the terminal's ``foui-bot frister`` uses them through this
module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from bot import texts
from bot.texts.i18n import current_language
from handlers import arshjul
from handlers.common import (
    MAX_TEXT,
    answer,
    args_of,
    current_chat,
    edit,
    esc,
    is_private,
    keyboard,
    names_source,
    reply,
    services,
    shorten,
)
from handlers.errors import friendly
from handlers.frister_cache import MAX_AGE, MAX_LISTABLE, FristerCache, View, frister_cache
from handlers.frister_cache import expires as answer_expires
from handlers.frister_cache import key as cache_key
from handlers.frister_query import (
    ALL,
    MINE,
    PREFIX,
    TOPIC,
    Listing,
    Query,
    day_bounds,
    decode,
    from_listable,
    load,
    parse_args,
)
from handlers.registry import Command
from storage import cache_generation, conditions, deadlines
from storage import topics as topic_store
from storage.models import Call, CallStatus
from storage.rules.deadline_truth import DeadlineState

TITLE_MAX = 150
URL_MAX = 400


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
    dates = texts.format_day_range(start, end, year=end.year != today.year)
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
    if call.deadline_state == DeadlineState.WAITING:
        text += texts.DEADLINE_UNCONFIRMED
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
        if listing.hidden:
            one = listing.hidden == 1
            lines.append(
                texts.FRISTER_HIDDEN_ONE if one else texts.FRISTER_HIDDEN.format(count=listing.hidden)
            )
        return "\n".join(lines)
    count = texts.frister_count(listing.total)
    header = texts.FRISTER_HEADER.format(scope=scope, window=window) + f"\n{count}"
    if listing.pages > 1:
        header += " · " + texts.FRISTER_PAGE.format(page=query.page + 1, pages=listing.pages)
    blocks = [header]
    if listing.hidden:
        one = listing.hidden == 1
        blocks.append(texts.FRISTER_HIDDEN_ONE if one else texts.FRISTER_HIDDEN.format(count=listing.hidden))
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
            item = texts.FRISTER_ROLLING_ITEM.format(title=call_title(call, link=link), source=source)
            lines.append(
                item + (texts.DEADLINE_UNCONFIRMED if call.deadline_state == DeadlineState.WAITING else "")
            )
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
    if listing.hidden:
        rows.append([(texts.BTN_SHOW_ALL_CALLS, replace(query, everything=True).encode(0))])
    elif listing.filtering and query.everything:
        rows.append([(texts.BTN_ONLY_ELIGIBLE, replace(query, everything=False).encode(0))])
    if not listing.total and not listing.rolling_total:
        everything = Query(ALL, None, None, None)
        if query != everything:
            rows.append([(texts.BTN_ALL_DEADLINES, everything.encode(0))])
        if private:
            rows.append([(texts.BTN_PICK_TOPICS, "em:open")])
    elif private and listing.no_topics:
        rows.append([(texts.BTN_PICK_TOPICS, "em:open")])
    return [row for row in rows if row]


def with_timeline(rows: list[Any], listing: Listing) -> list[Any]:
    """The «Vis som bilde» button (a picture of the next 8 weeks) under a list with deadlines."""
    return [*rows, [(texts.BTN_TIMELINE, arshjul.TIMELINE)]] if listing.total else rows


# ---- the handlers ----------------------------------------------------------------------------


@friendly
async def frister(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the upcoming deadlines (from ``handlers.frister_cache`` when nothing changed)."""
    svc = services(context)
    now, private = svc.now(), is_private(update)
    words = args_of(context)
    cache = frister_cache(svc.extras)
    async with svc.session() as session:
        cache.at(await cache_generation.read(session))
        view = await _view(session, update, cache, now, private=private)
        topics, sources = await _lookups(session, cache) if words else ([], [])
        query = parse_args(
            words,
            topics=topics,
            sources=sources,
            default_days=svc.settings.frister_default_days,
            private=private,
        )
        text, rows = await _answer(session, context, cache, query, view, now, private=private, command=True)
    await reply(update, context, text, keyboard(rows))


async def _answer(
    session: Any,
    context: ContextTypes.DEFAULT_TYPE,
    cache: FristerCache,
    query: Query,
    view: View,
    now: datetime,
    *,
    private: bool,
    command: bool,
) -> tuple[str, list[Any]]:
    """The text and buttons for ``query``: from the cache, else picked out of the calls kept in memory
    (or loaded when it reaches beyond them), rendered and kept. The command's first page carries the
    expected rounds; a paging button's does not (its own key)."""
    tz = services(context).settings.tz
    today = now.astimezone(tz).date()
    section_wanted = command and query.page == 0
    key = (*cache_key(query, view, private=private, language=current_language(), today=today), command)
    hit = cache.get(key, now)
    if hit is not None:
        return hit.text, hit.rows
    mine = view.topic_ids or frozenset()
    listing = None
    found = await _listable(session, context, cache, now, query)
    if found is not None:
        listing = from_listable(found, query, now=now, tz=tz, only_eligible=view.only_eligible, mine=mine)
    if listing is None:
        listing = await load(
            session, query, chat_id=view.chat_id, now=now, tz=tz, only_eligible=view.only_eligible, mine=mine
        )
    soon = await arshjul.soon_expected(session, context, now) if section_wanted else []
    text, rows = render(listing, now, tz, private=private)
    section = arshjul.frister_section(soon)
    text, rows = (f"{text}\n\n{section}" if section else text), with_timeline(rows, listing)
    day_end = datetime.combine(today + timedelta(days=1), time(0, 0), tz)
    until = answer_expires(listing, now, day_end)
    fresh = arshjul.expected_until(context) if section_wanted else None
    cache.keep(key, text, rows, now=now, expires=min(until, fresh) if until and fresh else until)
    return text, rows


async def _view(session: Any, update: Update, cache: FristerCache, now: datetime, *, private: bool) -> View:
    """The chat's database id, topics and setting: one query, once per generation (the chat tracker,
    ``handlers.track``, registered the chat before this update came here)."""
    chat = update.effective_chat
    assert chat is not None
    view = cache.view(chat.id)
    if view is None:
        found = await conditions.listing_view(session, chat.id)
        if found is None:  # not registered (the tracker could not write it): register it now
            found = ((await current_chat(session, update, now)).id, frozenset(), False)  # new: nothing yet
        chat_id, topic_ids, only = found
        view = View(chat_id, topic_ids or None, private and only)
        cache.keep_view(chat.id, view)
    return view


async def _listable(
    session: Any, context: ContextTypes.DEFAULT_TYPE, cache: FristerCache, now: datetime, query: Query
) -> deadlines.Listable | None:
    """Every call the default window lists, once per generation and day (None: the query reaches
    beyond it, or there are too many to keep)."""
    settings = services(context).settings
    if query.scope == TOPIC or query.days is None or query.days > settings.frister_default_days:
        return None
    day_start, until = day_bounds(now, settings.frister_default_days, settings.tz)
    kept = cache.listable
    if kept is None or kept[0] != day_start or now - kept[1] >= MAX_AGE:
        assert until is not None
        found = await deadlines.listable(session, day_start=day_start, until=until, limit=MAX_LISTABLE)
        kept = cache.listable = (day_start, now, found)
    return kept[2]


async def _lookups(session: Any, cache: FristerCache) -> tuple[Sequence[Any], Sequence[str]]:
    """The topics and source names the words are read against, once per generation."""
    if cache.lookups is None:
        cache.lookups = (await topic_store.list_topics(session), await deadlines.source_names(session))
    return cache.lookups


@friendly
async def frister_page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A paging button under a /frister answer: from the same cache, read as of now (a page asked for
    after a change is rendered afresh); data that makes no sense gets ``Expired``."""
    callback = update.callback_query
    assert callback is not None and callback.data is not None
    svc = services(context)
    now, private = svc.now(), is_private(update)
    cache = frister_cache(svc.extras)
    async with svc.session() as session:
        cache.at(await cache_generation.read(session))
        view = await _view(session, update, cache, now, private=private)
        sources = (await _lookups(session, cache))[1] if not callback.data.endswith(":") else []
        query = decode(callback.data, sources)
        text, rows = await _answer(session, context, cache, query, view, now, private=private, command=False)
    await answer(update)
    await edit(update, context, text, keyboard(rows))


COMMANDS = [Command("frister", texts.CMD_FRISTER, callback=frister)]


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [CallbackQueryHandler(frister_page, pattern=f"^{PREFIX}")]
