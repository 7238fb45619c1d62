"""The coordinators' answers to "Stemmer fristen?": Riktig, Løpende, Ingen frist (Endre frist goes on
in /endrefrist, ``handlers.manual_edit``). Every press is checked on the server for coordinator rights."""

from __future__ import annotations

import html
import logging
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from bot import texts
from bot.push.confirm import PREFIX, after_answer, reading_text
from bot.push.wake import wake_sender
from handlers.coordinator import answer, close_buttons, coordinator_only, say, services_of
from storage import audit, truth
from storage.rules.deadline_truth import Reading

log = logging.getLogger(__name__)

ACTIONS = {"ok": "deadline_confirmed", "roll": "deadline_set_rolling", "none": "deadline_set_none"}


def parse(data: str) -> tuple[str, int, str] | None:
    """ "frist:ok:12:29000000d" -> ("ok", 12, "29000000d")."""
    parts = data.split(":")
    if len(parts) != 4 or parts[0] != PREFIX or parts[1] not in ACTIONS or not parts[2].isdigit():
        return None
    return parts[1], int(parts[2]), parts[3]


@coordinator_only
async def check_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A coordinator pressed Riktig, Løpende or Ingen frist under a question about a deadline."""
    query = update.callback_query
    parsed = parse(str(query.data or "")) if query is not None else None
    if parsed is None:
        await answer(update)
        return
    action, call_id, key = parsed
    services = services_of(context)
    user = update.effective_user
    user_id = user.id if user else None
    now = services.now()
    queued = 0
    async with services.session() as session:
        if action == "ok":
            result = await truth.confirm(session, call_id, key=key, by=user_id, now=now)
        else:
            wanted = Reading(rolling=True) if action == "roll" else Reading()
            result = await truth.override(session, call_id, wanted, by=user_id, now=now, key=key)
        if isinstance(result, truth.Answer):
            queued = await after_answer(session, services, result)
            await audit.record(
                session,
                actor_id=user_id,
                action=ACTIONS[action],
                detail={"call_id": call_id, "reading": key},
                at=now,
            )
            deadline = reading_text(result.now, services.settings)
        else:
            call = await truth.get_call(session, call_id)
            deadline = reading_text(truth.effective(call), services.settings) if call is not None else ""
    if queued:
        wake_sender(services)
    if not isinstance(result, truth.Answer):
        reply = {
            truth.GONE: texts.CHECK_GONE,
            truth.DONE: texts.CHECK_ALREADY.format(deadline=html.escape(deadline)),
        }.get(result, texts.CHECK_STALE)
        await answer(update, reply, alert=True)
        await close_buttons(update)
        return
    name = html.escape(user.full_name) if user and user.full_name else texts.CHECK_SOMEONE
    template = texts.CHECK_DONE_OK if action == "ok" else texts.CHECK_DONE_SET
    outcome = template.format(name=name, deadline=html.escape(deadline))
    if queued:
        outcome += texts.CHECK_MEMBERS_TOLD
    await answer(update)
    await close_buttons(update)
    await say(update, context, outcome)
    log.info("call %s: deadline %s by coordinator %s", call_id, ACTIONS[action], user_id)


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [CallbackQueryHandler(check_answer, pattern=rf"^{PREFIX}:(?:ok|roll|none):\d+:\w+$")]
