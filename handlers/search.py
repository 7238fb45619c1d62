"""/sok <ord>: search the calls, open and past."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import ContextTypes

from bot import texts
from handlers.common import args_of, esc, reply, services, shorten
from handlers.errors import SearchTooShort, friendly
from handlers.frister import call_title
from handlers.registry import Command
from storage import deadlines
from storage.models import Call, CallStatus

SHOWN = 10
MIN_QUERY = 2
OPEN = (CallStatus.OPEN, CallStatus.PLANNED, CallStatus.ROLLING)


def status_line(call: Call, now: datetime, tz: ZoneInfo) -> str:
    today = now.astimezone(tz).date()
    if call.status in OPEN and (call.rolling or call.status == CallStatus.ROLLING):
        return texts.SEARCH_ROLLING
    if call.deadline_at is None:
        return texts.SEARCH_NO_DEADLINE
    deadline = texts.format_datetime(call.deadline_at, has_time=call.deadline_has_time, tz=tz, today=today)
    days = texts.days_left(call.deadline_at, now, tz)
    if call.status in OPEN and days >= 0:
        return texts.SEARCH_OPEN.format(deadline=deadline, days=texts.format_days_left(days))
    return texts.SEARCH_CLOSED.format(deadline=deadline)


def render(query: str, page: deadlines.Page, now: datetime, tz: ZoneInfo) -> str:
    if not page.total:
        return texts.SEARCH_NONE.format(query=esc(query))
    count = texts.search_count(page.total)
    blocks = [texts.SEARCH_HEADER.format(query=esc(query), count=count)]
    for call in page.calls:
        source = f"{esc(shorten(call.source_name, 60))} · " if call.source_name else ""
        blocks.append(
            texts.SEARCH_ITEM.format(title=call_title(call), source=source, status=status_line(call, now, tz))
        )
    if page.total > len(page.calls):
        blocks.append(f"<i>{texts.SEARCH_SHOWING.format(shown=len(page.calls))}</i>")
    return "\n\n".join(blocks)


@friendly
async def sok(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Search open and past calls for every word given."""
    words = args_of(context)
    if not words:
        await reply(update, context, texts.SEARCH_USAGE)
        return
    used, trimmed = deadlines.search_words(words)
    query = " ".join(used)
    if len(query) < MIN_QUERY:
        raise SearchTooShort(MIN_QUERY)
    svc = services(context)
    now = svc.now()
    async with svc.session() as session:
        page = await deadlines.search(session, used, now=now, limit=SHOWN)
    text = render(query, page, now, svc.settings.tz)
    if trimmed:
        text += "\n\n" + texts.SEARCH_TRIMMED.format(
            words=texts.words_count(deadlines.MAX_SEARCH_WORDS),
            signs=texts.signs_count(deadlines.MAX_SEARCH_CHARS),
        )
    await reply(update, context, text)


COMMANDS = [Command("sok", texts.CMD_SOK, callback=sok)]
