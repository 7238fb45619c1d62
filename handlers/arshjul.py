"""/arshjul: the next 12 months, month by month: announced deadlines and the rounds expected from
earlier years ("forventet", never a deadline); the /frister section of rounds expected soon; the
coordinators' `/nyfrist forventet ...`; and the timeline picture behind /frister's «Vis som bilde».
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from bot import texts
from bot.calendar import arshjul
from bot.calendar.timeline import WEEKS
from bot.texts.i18n import use_language
from handlers import pictures
from handlers.common import answer, args_of, current_chat, esc, reply, services, shorten
from handlers.errors import friendly
from handlers.frister_query import day_bounds
from handlers.registry import Command
from storage import arshjul as arshjul_store
from storage import audit, deadlines, members
from storage.models import Call
from storage.rules.arshjul import Expected

log = logging.getLogger(__name__)

TIMELINE = "tl:bilde"
PER_MONTH = 8
FRISTER_MONTHS = 3  # /frister shows the rounds expected within this many months
FRISTER_MAX = 5
TITLE_MAX = 120


def month_name(month: int) -> str:
    return texts.MONTHS[month - 1]


def _seen(e: Expected) -> str:
    if e.by_coordinator:
        return texts.ARSHJUL_BY_COORDINATOR
    if not e.seen:
        return ""
    dates = ", ".join(f"{month_name(d.month)} {d.year}" for d in e.seen[-3:])
    return texts.ARSHJUL_BASIS.format(dates=dates)


def expected_item(e: Expected) -> str:
    return texts.ARSHJUL_EXPECTED.format(
        title=esc(shorten(e.title, TITLE_MAX)), source=esc(shorten(e.source, 60)), basis=_seen(e)
    )


def frister_section(expected: Sequence[Expected]) -> str:
    """The short section under /frister: what is expected soon (or nothing)."""
    if not expected:
        return ""
    lines = [texts.FRISTER_EXPECTED_HEADER]
    for e in expected[:FRISTER_MAX]:
        lines.append(
            texts.FRISTER_EXPECTED_ITEM.format(
                title=esc(shorten(e.title, TITLE_MAX)),
                source=esc(shorten(e.source, 60)),
                month=f"{month_name(e.month)} {e.year}",
            )
        )
    lines.append(texts.FRISTER_EXPECTED_MORE)
    return "\n".join(lines)


async def soon_expected(session: Any, context: ContextTypes.DEFAULT_TYPE, now: datetime) -> list[Expected]:
    """The rounds expected within FRISTER_MONTHS months (for /frister)."""
    svc = services(context)
    return await arshjul.expected(
        session, now=now, tz=svc.settings.tz, months=FRISTER_MONTHS, cache=svc.extras
    )


def expected_until(context: ContextTypes.DEFAULT_TYPE) -> datetime | None:
    """When the expected rounds ``soon_expected`` last read are read afresh (their cache's age)."""
    hit = services(context).extras.get(arshjul.CACHE_KEY)
    return hit[1] + arshjul.FRESH if isinstance(hit, tuple) and len(hit) == 3 else None


def render_arshjul(calls: Sequence[Call], expected: Sequence[Expected], today: date, tz: ZoneInfo) -> str:
    """Twelve months, each with its deadlines (at most PER_MONTH) and its expected rounds."""
    blocks = [texts.ARSHJUL_HEADER]
    year, month = today.year, today.month
    for _ in range(arshjul.MONTHS_AHEAD):
        lines = [texts.ARSHJUL_MONTH.format(month=month_name(month).capitalize(), year=year)]
        inside = [
            c
            for c in calls
            if c.deadline_at is not None
            and (d := c.deadline_at.astimezone(tz).date()).year == year
            and d.month == month
        ]
        for call in inside[:PER_MONTH]:
            assert call.deadline_at is not None
            day = call.deadline_at.astimezone(tz).date()
            lines.append(
                texts.ARSHJUL_DEADLINE.format(
                    day=day.day, month_short=month_name(month)[:3], title=esc(shorten(call.title, TITLE_MAX))
                )
            )
        if len(inside) > PER_MONTH:
            lines.append(texts.ARSHJUL_MORE.format(count=len(inside) - PER_MONTH))
        lines.extend(expected_item(e) for e in expected if (e.year, e.month) == (year, month))
        if len(lines) == 1:
            lines.append(texts.ARSHJUL_EMPTY_MONTH)
        blocks.append("\n".join(lines))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return "\n\n".join(blocks)


@friendly
async def arshjul_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/arshjul: the next 12 months, month by month."""
    svc = services(context)
    now, tz = svc.now(), svc.settings.tz
    today = now.astimezone(tz).date()
    async with svc.session() as session:
        chat = await current_chat(session, update, now)
        topic_ids = await members.subscribed_topic_ids(session, chat.id) or None
        day_start, _ = day_bounds(now, None, tz)
        first = date(today.year, today.month, 1)
        end = date(first.year + 1, first.month, 1)
        until = datetime.combine(end, datetime.min.time(), tz) - timedelta(seconds=1)
        page = await deadlines.upcoming(
            session, now=now, day_start=day_start, until=until, topic_ids=topic_ids, limit=500
        )
        expected = await arshjul.expected(session, now=now, tz=tz, cache=svc.extras)
    await reply(update, context, render_arshjul(page.calls, expected, today, tz))


# ---- the timeline picture ---------------------------------------------------------------------


@friendly
async def timeline_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """«Vis som bilde» under /frister: the next 8 weeks' deadlines as a picture, drawn off the loop."""
    svc = services(context)
    if update.effective_chat is None:
        return
    marks, scope = await pictures.deadline_marks(update, context, everything=False)
    await answer(update)
    picture = await pictures.draw(svc, marks, svc.now().astimezone(svc.settings.tz).date())
    await pictures.send_picture(
        update, context, picture, texts.TIMELINE_CAPTION.format(weeks=WEEKS, scope=scope)
    )


# ---- /nyfrist forventet (coordinators) --------------------------------------------------------


def parse_expected(words: Sequence[str], today: date) -> tuple[str, str, int | None, int | None] | str:
    """``[måned [år] | ikke] Kilde: Tittel`` -> (source, title, year, month), or the text to answer."""
    if not words:
        return texts.EXPECTED_USAGE
    rest = list(words)
    year: int | None = None
    month: int | None = None
    first = rest.pop(0).casefold().rstrip(".,")
    if first != "ikke":
        with use_language("nb"):  # typed in Norwegian (as the usage says), whatever the reader's language
            names = [m.casefold() for m in texts.MONTHS]
        matches = [
            i + 1 for i, m in enumerate(names) if m == first or (len(first) >= 3 and m.startswith(first))
        ]
        if len(matches) != 1:
            return texts.EXPECTED_BAD_MONTH.format(word=html.escape(first))
        month = matches[0]
        if rest and rest[0].isdigit() and len(rest[0]) == 4:
            year = int(rest.pop(0))
        else:
            year = today.year if month >= today.month else today.year + 1
        if (year, month) < (today.year, today.month):
            return texts.EXPECTED_PAST.format(month=month_name(month), year=year)
    source, colon, title = " ".join(rest).partition(":")
    if not colon or not source.strip() or not title.strip() or len(title) > 500 or len(source) > 200:
        return texts.EXPECTED_USAGE
    return " ".join(source.split()), " ".join(title.split()), year, month


async def nyfrist_forventet(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/nyfrist forventet ...`: a coordinator adds or corrects an expected round (checked by the caller)."""
    svc = services(context)
    now = svc.now()
    parsed = parse_expected(args_of(context)[1:], now.astimezone(svc.settings.tz).date())
    if isinstance(parsed, str):
        await reply(update, context, parsed)
        return
    source, title, year, month = parsed
    user = update.effective_user
    async with svc.session() as session:
        await arshjul_store.set_correction(
            session, source=source, title=title, year=year, month=month, now=now
        )
        await audit.record(
            session,
            actor_id=user.id if user else None,
            action="arshjul.expected",
            detail={"source": source, "title": title, "year": year, "month": month},
            at=now,
        )
    svc.extras.pop(arshjul.CACHE_KEY, None)  # shown at once
    if month is None or year is None:
        await reply(update, context, texts.EXPECTED_CANCELLED.format(title=esc(title), source=esc(source)))
        return
    text = texts.EXPECTED_SAVED.format(
        title=esc(title), source=esc(source), month=month_name(month), year=year
    )
    await reply(update, context, text)


COMMANDS = [Command("arshjul", texts.CMD_ARSHJUL, callback=arshjul_command)]


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [CallbackQueryHandler(timeline_button, pattern=f"^{TIMELINE}$")]
