"""/soknader: the calls the member's municipality considers or applies for; coordinators get the
network's view (which municipalities are on which calls, and open calls nobody has looked at,
soonest deadline first). /milepeler: the coordinators' default milestones for new plans."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from bot import texts
from bot.config import Settings
from bot.push.apply_render import WORDS, network_summary, weeks_text
from handlers.auth import is_coordinator
from handlers.common import args_of, edit, esc, is_private, keyboard, reply, services, shorten
from handlers.coordinator import refuse
from handlers.errors import friendly
from handlers.registry import COORDINATOR, PRIVATE, Command
from storage.applications import Contact, contact_of, marked_calls, network_calls, unmarked_calls
from storage.models import Call
from storage.plans import default_milestones, set_default_milestones
from storage.rules.applications import parse_milestones

PREFIX = "sk:"
TITLE_MAX = 120


def short_deadline(call: Call, now: datetime, settings: Settings) -> str:
    if call.rolling:
        return texts.DEADLINE_ROLLING_SHORT
    if call.deadline_at is None:
        return texts.DEADLINE_NONE_SHORT
    today = now.astimezone(settings.tz).date()
    return texts.format_datetime(call.deadline_at, has_time=False, tz=settings.tz, weekday=False, today=today)


def render_mine(me: Contact, marked: list[tuple[Call, str]], now: datetime, settings: Settings) -> str:
    municipality = esc(me.municipality)
    if not marked:
        return texts.SOKNADER_NONE.format(municipality=municipality)
    lines = [texts.SOKNADER_HEADER.format(municipality=municipality, count=len(marked))]
    for call, status in marked:
        lines.append(
            texts.SOKNADER_ITEM.format(
                title=esc(shorten(call.title, TITLE_MAX)),
                status=esc(texts.tr(WORDS[status])),
                deadline=esc(short_deadline(call, now, settings)),
                number=call.id,
            )
        )
    return "\n".join(lines)


async def render_network(context: ContextTypes.DEFAULT_TYPE) -> str:
    svc = services(context)
    now = svc.now()
    async with svc.session() as session:
        marked = await network_calls(session, now)
        untouched, total = await unmarked_calls(session, now)
    blocks = []
    if marked:
        lines = [texts.NETWORK_VIEW_HEADER.format(count=len(marked))]
        for item in marked:
            lines.append(
                texts.NETWORK_VIEW_ITEM.format(
                    title=esc(shorten(item.call.title, TITLE_MAX)),
                    deadline=esc(short_deadline(item.call, now, svc.settings)),
                    summary=network_summary(item.statuses),
                    number=item.call.id,
                )
            )
        blocks.append("\n".join(lines))
    else:
        blocks.append(texts.NETWORK_VIEW_NONE)
    if untouched:
        lines = [texts.UNMARKED_HEADER.format(count=total)]
        for call in untouched:
            lines.append(
                texts.UNMARKED_ITEM.format(
                    deadline=esc(short_deadline(call, now, svc.settings)),
                    title=esc(shorten(call.title, TITLE_MAX)),
                    number=call.id,
                )
            )
        if total > len(untouched):
            lines.append(texts.UNMARKED_MORE.format(count=total - len(untouched)))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


async def _view(context: ContextTypes.DEFAULT_TYPE, user_id: int, want: str | None) -> tuple[str, Any] | None:
    """The text and buttons for ``want`` ("m": my municipality, "n": the network); None: refused."""
    svc = services(context)
    async with svc.session() as session:
        me = await contact_of(session, user_id)
        marked = await marked_calls(session, me.municipality, svc.now()) if me is not None else []
    coordinator = await is_coordinator(context, user_id)
    if me is None and not coordinator:
        return None
    network = coordinator and (want != "m" or me is None)
    if network:
        text = await render_network(context)
    else:
        assert me is not None
        text = render_mine(me, marked, svc.now(), svc.settings)
    rows: list[list[tuple[str, str]]] = []
    if coordinator and me is not None:
        rows.append(
            [(texts.BTN_MY_MUNICIPALITY, f"{PREFIX}m")]
            if network
            else [(texts.BTN_WHOLE_NETWORK, f"{PREFIX}n")]
        )
    return text, keyboard(rows)


@friendly
async def soknader(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/soknader: what the municipality works on (coordinators: the whole network)."""
    user = update.effective_user
    if user is None:
        return
    if not is_private(update):
        await reply(update, context, texts.SOKNADER_PRIVATE)
        return
    view = await _view(context, user.id, None)
    if view is None:
        await reply(update, context, texts.SOKNADER_NOT_CONTACT)
        return
    await reply(update, context, *view)


@friendly
async def soknader_switch(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """ "Min kommune" / "Hele nettverket" under /soknader (checked again: a coordinator only)."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    want = (query.data or "").removeprefix(PREFIX)
    view = await _view(context, user.id, want if want in ("m", "n") else None)
    if view is None or (want == "n" and not await is_coordinator(context, user.id)):
        await query.answer(texts.SOKNADER_NOT_CONTACT, show_alert=True)
        return
    await query.answer()
    await edit(update, context, *view)


@friendly
async def milepeler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/milepeler [6 Forankring; 3 Partnere; 1 Godkjenning | standard]: the default milestones."""
    user = update.effective_user
    if user is None:
        return
    if not await is_coordinator(context, user.id):
        await refuse(update, context, "milepeler")
        return
    words = args_of(context)
    raw = " ".join(words)
    message = update.effective_message
    if message is not None and message.text and "\n" in message.text:
        raw = message.text.partition(" ")[2]
    svc = services(context)
    async with svc.session() as session:
        if raw.strip().lower() in texts.RESET_WORDS:
            await set_default_milestones(session, None)
            await reply(update, context, texts.MILEPELER_RESET)
            return
        if raw.strip():
            try:
                milestones = parse_milestones(raw)
            except ValueError as error:
                await reply(update, context, texts.MILEPELER_BAD.format(reason=esc(str(error))))
                return
            await set_default_milestones(session, milestones)
            await reply(update, context, texts.MILEPELER_SAVED)
            return
        current = await default_milestones(session)
    items = "\n".join(
        texts.MILEPELER_ITEM.format(weeks=weeks_text(m.weeks), label=html.escape(m.label)) for m in current
    )
    await reply(update, context, texts.MILEPELER_SHOW.format(items=items))


COMMANDS = [
    Command("soknader", texts.CMD_SOKNADER, frozenset({PRIVATE}), soknader),
    Command("milepeler", texts.CMD_MILEPELER, frozenset({COORDINATOR}), milepeler),
]


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [CallbackQueryHandler(soknader_switch, pattern=f"^{PREFIX}[mn]$")]
