"""Every button press is checked on the server before any handler sees it (group -2).

A modified client can send any callback data under any message. Telegram tells us which message
the button sat under, with its real keyboard, so:

- *forged or stale data*: data that is not one of the buttons under that message (or, in a group,
  a message the bot cannot see any more) gets the polite «utløpt» answer and an audit entry
  (``button_refused``), and nothing else happens;
- *who pressed it, where*: in a group, a button under the bot's answer to someone (``/frister``,
  ``/emner``) may be pressed by that person, the group's administrators and the coordinators;
  personal actions (RSVP, «Legg i kalender», «Vi søker») act only for the one who pressed, for anyone.

The handlers keep their own checks (coordinators, administrators) on top of this.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Message, Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, CallbackQueryHandler, ContextTypes

from bot import texts
from handlers.auth import is_coordinator, is_group_admin
from handlers.common import answer, services
from handlers.registry import Command
from storage import audit

log = logging.getLogger(__name__)

HANDLER_GROUP = -2
COMMANDS: list[Command] = []
ACTION_REFUSED = "button_refused"
# Buttons that act only for the person who pressed them (and never rewrite the shared message's
# text): anyone in the group may press them. RSVP, «Legg i kalender», «Vi søker» (the presser's
# municipality; handlers.applications checks who may).
PERSONAL_PREFIXES = ("ev:y:", "ev:n:", "ev:ics:", "push:ics:", "ap:")


def buttons_of(message: Any) -> set[str]:
    """The callback data of every button under a message (empty when it has none)."""
    markup = getattr(message, "reply_markup", None)
    rows = getattr(markup, "inline_keyboard", None) or ()
    return {str(b.callback_data) for row in rows for b in row if getattr(b, "callback_data", None)}


def forged(message: Any, data: str, *, group: bool) -> bool:
    """Whether ``data`` cannot have come from a button under ``message``.

    In a group the message must be one the bot can see and the data one of its buttons. In a
    private chat (where a press acts for the presser alone) only a keyboard that is shown and
    lacks the data gives it away.
    """
    if not isinstance(message, Message):
        return group  # too old to be seen, or an inline message
    shown = buttons_of(message)
    if not shown:
        return group
    return data not in shown


def owner_of(message: Any) -> int | None:
    """The person a message of the bot answers (its reply), if any."""
    replied = getattr(message, "reply_to_message", None)
    person = getattr(replied, "from_user", None)
    if person is None or person.is_bot:
        return None
    return int(person.id)


async def refuse_forged(update: Update, context: ContextTypes.DEFAULT_TYPE, reason: str) -> None:
    """The polite «utløpt» answer, an audit entry and a log line; nothing else happens."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    data = str(query.data if query else "")[:64]
    await answer(update, texts.BUTTON_EXPIRED, alert=True)
    svc = services(context)
    async with svc.session() as session:
        await audit.record(
            session,
            actor_id=user.id if user else None,
            action=ACTION_REFUSED,
            detail={"chat": chat.id if chat else None, "data": data, "reason": reason},
            at=svc.now(),
        )
    log.warning("refused a button press (%s) in chat %s", reason, chat.id if chat else None)


async def guard(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop a forged, stale or someone else's button press before any handler runs."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or user is None:
        return
    data = str(query.data or "")
    group = chat is not None and chat.type != "private"
    if forged(query.message, data, group=group):
        await refuse_forged(update, context, "not_on_message")
        raise ApplicationHandlerStop
    if not group or chat is None or data.startswith(PERSONAL_PREFIXES):
        return
    owner = owner_of(query.message)
    if owner is None or owner == user.id:
        return
    if await is_group_admin(context, chat.id, user.id) or await is_coordinator(context, user.id):
        return
    await answer(update, texts.BUTTON_NOT_YOURS, alert=True)
    raise ApplicationHandlerStop


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [CallbackQueryHandler(guard)]
