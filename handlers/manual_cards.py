"""A deadline entered by hand as shown and read: its card, its pick-list button, the typed deadline."""

from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import ContextTypes

from bot import texts
from handlers.common import answer, edit
from handlers.conversation import date_in_past, topic_names
from handlers.coordinator import cancel_row, keyboard, message_text, say, services_of
from handlers.paging import nav_row, page_note, page_of
from handlers.typed_dates import parse_typed_datetime
from storage import manual, truth
from storage.models import Call
from storage.rules.deadline_truth import DeadlineState

MAX_TITLE = 300
MAX_SOURCE = 120


# ---- rendering (plain functions) --------------------------------------------------------------
def render_card(
    *,
    title: str,
    deadline_at: datetime,
    has_time: bool,
    source: str,
    topics: str,
    url: str | None,
    now: datetime,
    tz: ZoneInfo,
) -> str:
    """One call as the coordinator sees it before and after saving (topics already escaped)."""
    link = texts.CALL_CARD_LINK.format(url=html.escape(url), url_text=html.escape(url[:80])) if url else ""
    return texts.CALL_CARD.format(
        title=html.escape(title),
        deadline=format_when(deadline_at, has_time, tz, now),
        days_left=texts.format_days_left(texts.days_left(deadline_at, now, tz)),
        source=html.escape(source),
        topics=topics,
        link=link,
    )


def format_when(at: datetime, has_time: bool, tz: ZoneInfo, now: datetime) -> str:
    return texts.format_datetime(at, has_time=has_time, tz=tz, today=now.astimezone(tz).date())


def call_card(call: Call, now: datetime, tz: ZoneInfo) -> str:
    assert call.deadline_at is not None
    return render_card(
        title=call.title,
        deadline_at=call.deadline_at,
        has_time=call.deadline_has_time,
        source=call.source_name,
        topics=topic_names(call.topics),
        url=call.url,
        now=now,
        tz=tz,
    )


def call_button_label(call: Call, tz: ZoneInfo) -> str:
    when = (
        texts.format_date(call.deadline_at.astimezone(tz).date(), weekday=False) if call.deadline_at else ""
    )
    title = call.title if len(call.title) <= 40 else call.title[:39] + "…"
    return f"{title} · {when}"


async def read_deadline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> tuple[datetime, bool] | None:
    """Parse the typed deadline; tell the person clearly when it cannot be used."""
    services = services_of(context)
    typed = message_text(update)
    now = services.now()
    tz = services.settings.tz
    parsed = parse_typed_datetime(typed, now=now, tz=tz)
    if parsed is None:
        await say(update, context, texts.DATE_NOT_UNDERSTOOD.format(text=html.escape(typed[:100])))
        return None
    if parsed.ends_at <= now:
        await say(update, context, date_in_past(parsed.at, parsed.has_time, tz, now))
        return None
    return parsed.at, parsed.has_time


def editable_card(call: Call, now: datetime, tz: ZoneInfo) -> str:
    """A call as the coordinator sees it in /endrefrist: a hand-entered one's card, or a polled one's."""
    if call.manual and call.deadline_at is not None:
        return call_card(call, now, tz)
    if call.rolling:
        deadline = texts.DEADLINE_ROLLING
    elif call.deadline_at is None:
        deadline = texts.DEADLINE_NONE
    else:
        deadline = format_when(call.deadline_at, call.deadline_has_time, tz, now)
    return texts.EF_CARD_POLLED.format(
        title=html.escape(call.title),
        deadline=html.escape(deadline),
        source=html.escape(call.source_name or "–"),
        waiting=texts.EF_CARD_WAITING if call.deadline_state == DeadlineState.WAITING else "",
    )


def editable_label(call: Call, tz: ZoneInfo) -> str:
    """A pick-list button: ⚠️ in front of a deadline that waits for a coordinator."""
    label = call_button_label(call, tz)
    if call.rolling:
        label += texts.DEADLINE_ROLLING
    return (texts.EF_WAITING_MARK if call.deadline_state == DeadlineState.WAITING else "") + label


async def pick_editable(
    update: Update, context: ContextTypes.DEFAULT_TYPE, prefix: str, words: str, page: int = 0
) -> bool:
    """/endrefrist's list: deadlines waiting for a coordinator first, then the others by deadline;
    10 a page (◀ ▶ send ``<prefix>:pg:<n>``)."""
    services = services_of(context)
    async with services.session() as session:
        calls = await truth.editable_calls(session, words=words, limit=200)
    if not calls:
        await say(
            update, context, texts.EF_NO_MATCH.format(words=html.escape(words)) if words else texts.EF_NONE
        )
        return False
    tz = services.settings.tz
    shown, page, pages = page_of(calls, page)
    rows = [[(editable_label(c, tz), f"{prefix}:c:{c.id}")] for c in shown]
    await _show_page(update, context, texts.EF_PICK, rows, prefix, page, pages)
    return True


async def _show_page(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    prompt: str,
    rows: list[list[tuple[str, str]]],
    prefix: str,
    page: int,
    pages: int,
) -> None:
    rows = [*rows, nav_row(f"{prefix}:pg:", page, pages), cancel_row(prefix)]
    text = f"{prompt}\n{page_note(page, pages)}".strip()
    if update.callback_query is not None:
        await answer(update)
        await edit(update, context, text, keyboard(rows))
    else:
        await say(update, context, text, keyboard(rows))


async def pick_list(
    update: Update, context: ContextTypes.DEFAULT_TYPE, prefix: str, prompt: str, page: int = 0
) -> bool:
    """The deadlines entered by hand as buttons, 10 a page (◀ ▶ send ``<prefix>:pg:<n>``)."""
    services = services_of(context)
    async with services.session() as session:
        calls = await manual.list_manual_calls(session, limit=200)
    if not calls:
        await say(update, context, texts.EF_NONE)
        return False
    tz = services.settings.tz
    shown, page, pages = page_of(calls, page)
    rows = [[(call_button_label(c, tz), f"{prefix}:c:{c.id}")] for c in shown]
    await _show_page(update, context, prompt, rows, prefix, page, pages)
    return True
