"""The "Vi søker" buttons: a municipality's status on a call, partner answers, the plan back from
the deadline, the coordinators' help and the "Detaljer" button.

Every press is checked on the server: the presser must be an approved FoUI contact (their
registered municipality is the one marked), a partner answer must come from one of the two people
asked, a plan needs the municipality to apply. Replies that concern only the presser (the
requirements, the plan offer) go to their private chat.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from bot import texts
from bot.push.apply_render import PHRASES, STATUS_CODES, render_plan_offer, required_partners
from bot.push.milestone_checks import cancel_plan_reminders
from bot.push.partners import ask_for_help, ask_partners, introduce
from handlers.call_detail import show_detail
from handlers.common import NO_PREVIEW, answer, edit_markup, esc, keyboard, services
from handlers.registry import Command
from storage import audit
from storage.applications import contact_of, set_status, status_of
from storage.conditions import conditions_of
from storage.following import load_call
from storage.models import Call
from storage.partners import answer as answer_intro
from storage.partners import get_intro, side_of
from storage.plans import default_milestones, make_plan, stop_plan
from storage.rules.applications import ACTIVE, APPLYING
from storage.rules.audience import LIVE_STATUSES
from storage.rules.reminders import deadline_end

log = logging.getLogger(__name__)

PATTERN = re.compile(r"^ap:(?:s:(\d+):([vsx])|v:(\d+)|p:(\d+):([yn])|m:(\d+):([yn])|h:(\d+))$")
ACTION_STATUS = "application.status"

COMMANDS: list[Command] = []


def _open(call: Call | None, now: datetime) -> bool:
    """Can the call still be marked: live, and its deadline not over?"""
    end = deadline_end(call) if call is not None else None
    return call is not None and call.status in LIVE_STATUSES and (end is None or end > now)


def ticked(markup: InlineKeyboardMarkup | None, call_id: int, chosen: str) -> InlineKeyboardMarkup | None:
    """The same buttons with the municipality's status ticked."""
    if markup is None:
        return None
    labels = {"v": texts.BUTTON_CONSIDER, "s": texts.BUTTON_APPLY, "x": texts.BUTTON_NOT_RELEVANT}
    prefix = f"ap:s:{call_id}:"
    rows = []
    for row in markup.inline_keyboard:
        new_row = []
        for b in row:
            data = b.callback_data if isinstance(b.callback_data, str) else ""
            if data.startswith(prefix):
                code = data.removeprefix(prefix)
                label = labels[code]
                text = texts.BUTTON_CHOSEN.format(label=label) if STATUS_CODES[code] == chosen else label
                b = InlineKeyboardButton(text, callback_data=data)
            new_row.append(b)
        rows.append(new_row)
    return InlineKeyboardMarkup(rows)


async def tell(context: ContextTypes.DEFAULT_TYPE, user_id: int, text: str, markup: Any = None) -> None:
    """A message to the presser's private chat (a person who never started the bot is skipped)."""
    try:
        await context.bot.send_message(
            user_id, text, parse_mode=ParseMode.HTML, reply_markup=markup, link_preview_options=NO_PREVIEW
        )
    except TelegramError as error:
        log.info("could not write to %s in private: %s", user_id, error)


async def mark(update: Update, context: ContextTypes.DEFAULT_TYPE, call_id: int, status: str) -> None:
    """ "Vi vurderer" / "Vi søker" / "Ikke aktuelt" for the presser's municipality."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    svc = services(context)
    now = svc.now()
    offer = notice = None
    async with svc.session() as session:
        me = await contact_of(session, user.id)
        if me is None:
            await answer(update, texts.AP_NOT_CONTACT, alert=True)
            return
        call = await load_call(session, call_id)
        if call is None:
            await answer(update, texts.AP_CALL_GONE, alert=True)
            return
        if not _open(call, now):
            await answer(update, texts.AP_CALL_CLOSED, alert=True)
            return
        old = await set_status(session, call_id, me, status, now)
        if old == status:
            await answer(update, texts.AP_UNCHANGED.format(municipality=me.municipality))
            return
        await audit.record(
            session,
            actor_id=user.id,
            action=ACTION_STATUS,
            detail={"call_id": call_id, "municipality": me.municipality, "status": status},
            at=now,
        )
        stopped = await stop_plan(session, call_id, me.municipality, now) if old == APPLYING else None
        if stopped is not None:
            await cancel_plan_reminders(session, stopped.id)
        if status in ACTIVE:
            await ask_partners(session, svc, call, me, status)
            reading = (await conditions_of(session, [call_id])).get(call_id)
            requirements, evidence = required_partners(reading.data if reading else None)
            if requirements and old not in ACTIVE:
                notice = texts.REQ_NOTICE.format(
                    requirements=esc(texts.REQ_JOIN.join(requirements)),
                    evidence=texts.COND_EVIDENCE.format(sentence=esc(evidence)) if evidence else "",
                )
        if status == APPLYING and call.deadline_at is not None and not call.rolling:
            offer = render_plan_offer(call, await default_milestones(session), now, svc.settings)
    text = texts.AP_SET.format(municipality=me.municipality, phrase=texts.tr(PHRASES[status]))
    await answer(update, text + (texts.AP_PLAN_STOPPED if stopped is not None else ""))
    message = update.effective_message
    if chat.type == "private" and message is not None and message.reply_markup is not None:
        await edit_markup(update, context, ticked(message.reply_markup, call_id, status))
    if notice:
        await tell(context, user.id, notice, keyboard([[(texts.REQ_HELP_BUTTON, f"ap:h:{call_id}")]]))
    if offer:
        await tell(context, user.id, offer[0], keyboard(offer[1]))


async def partner_answer(
    update: Update, context: ContextTypes.DEFAULT_TYPE, intro_id: int, yes: bool
) -> None:
    """ "Ja, sett oss i kontakt" / "Nei takk": only from one of the two people asked."""
    user = update.effective_user
    assert user is not None
    svc = services(context)
    async with svc.session() as session:
        me = await contact_of(session, user.id)
        intro = await get_intro(session, intro_id)
        if intro is None:
            await answer(update, texts.PARTNER_GONE, alert=True)
            return
        if me is None or side_of(intro, me.chat.id) is None:
            await answer(update, texts.PARTNER_NOT_YOURS, alert=True)
            return
        if intro.introduced_at is not None:
            await answer(update, texts.PARTNER_ALREADY)
            return
        await answer_intro(session, intro, me.chat.id, yes)
        done = False
        if yes:
            call = await load_call(session, intro.call_id)
            done = call is not None and await introduce(session, svc, intro, call)
    reply = texts.PARTNER_DECLINED if not yes else texts.PARTNER_INTRODUCED if done else texts.PARTNER_WAITING
    await answer(update, reply, alert=not yes or not done)
    await edit_markup(update, context, None)


async def plan_answer(update: Update, context: ContextTypes.DEFAULT_TYPE, call_id: int, yes: bool) -> None:
    """ "Ja, lag planen": a plan for the presser's municipality, which must apply for the call."""
    user = update.effective_user
    assert user is not None
    svc = services(context)
    if not yes:
        await answer(update, texts.PLAN_DECLINED)
        await edit_markup(update, context, None)
        return
    async with svc.session() as session:
        me = await contact_of(session, user.id)
        if me is None:
            await answer(update, texts.AP_NOT_CONTACT, alert=True)
            return
        call = await load_call(session, call_id)
        if call is None:
            await answer(update, texts.AP_CALL_GONE, alert=True)
            return
        status = await status_of(session, call_id, me.municipality)
        if status is None or status.status != APPLYING:
            await answer(update, texts.PLAN_NOT_APPLYING, alert=True)
            return
        if call.deadline_at is None or call.rolling or not _open(call, svc.now()):
            await answer(update, texts.PLAN_NO_DEADLINE, alert=True)
            return
        milestones = await default_milestones(session)
        _plan, made = await make_plan(session, call_id, me.municipality, me.chat.id, milestones, svc.now())
    await answer(update, texts.PLAN_MADE if made else texts.PLAN_EXISTS)
    await edit_markup(update, context, None)


async def help_request(update: Update, context: ContextTypes.DEFAULT_TYPE, call_id: int) -> None:
    """ "Be koordinatorene om hjelp": once per person and call."""
    user = update.effective_user
    assert user is not None
    svc = services(context)
    async with svc.session() as session:
        me = await contact_of(session, user.id)
        call = await load_call(session, call_id)
        if me is None or call is None:
            await answer(update, texts.AP_NOT_CONTACT if me is None else texts.AP_CALL_GONE, alert=True)
            return
        reading = (await conditions_of(session, [call_id])).get(call_id)
        requirements, _ = required_partners(reading.data if reading else None)
        told, reachable = await ask_for_help(session, svc, call, me, requirements)
    await answer(
        update,
        texts.REQ_HELP_SENT if told else texts.REQ_HELP_ALREADY if reachable else texts.REQ_HELP_NOBODY,
        alert=not told,
    )


async def apply_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Route a press of one of the "Vi søker" buttons."""
    query = update.callback_query
    if query is None or update.effective_user is None or update.effective_chat is None:
        return
    m = PATTERN.match(query.data or "")
    if m is None:
        return
    if m.group(1):
        await mark(update, context, int(m.group(1)), STATUS_CODES[m.group(2)])
    elif m.group(3):
        await show_detail(update, context, int(m.group(3)))
    elif m.group(4):
        await partner_answer(update, context, int(m.group(4)), m.group(5) == "y")
    elif m.group(6):
        await plan_answer(update, context, int(m.group(6)), m.group(7) == "y")
    else:
        await help_request(update, context, int(m.group(8)))


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [CallbackQueryHandler(apply_button, pattern=PATTERN)]
