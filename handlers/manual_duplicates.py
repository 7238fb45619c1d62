"""/nyfrist never enters the same call twice by accident: a title like an open call's (any case,
any spacing), or the same link and deadline, gets a warning with «Åpne den» and «Legg inn likevel»."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from bot import texts
from handlers.conversation import drop_draft
from handlers.coordinator import END, callback_arg, cancel_row, keyboard, pressed, say, services_of
from handlers.manual_cards import editable_card
from storage import manual
from storage.following import load_call

DUP_NEXT = "dup_next"


async def warn_if_same(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    prefix: str,
    data: dict[str, Any],
    *,
    next_step: str,
    title: str | None = None,
    url: str | None = None,
    deadline_at: datetime | None = None,
) -> bool:
    """Warn (and return True) when an open call would be repeated; ``next_step`` is where
    «Legg inn likevel» goes on."""
    services = services_of(context)
    async with services.session() as session:
        found = await manual.same_calls(session, title=title, url=url, deadline_at=deadline_at)
    if not found:
        return False
    data[DUP_NEXT] = next_step
    call = found[0]
    template = texts.NF_DUPLICATE_TITLE if title else texts.NF_DUPLICATE_LINK
    card = editable_card(call, services.now(), services.settings.tz)
    rows = [
        [(texts.BTN_OPEN_EXISTING, f"{prefix}:open:{call.id}"), (texts.BTN_ADD_ANYWAY, f"{prefix}:dupok")],
        cancel_row(prefix),
    ]
    await say(update, context, template.format(card=card), keyboard(rows))
    return True


async def open_existing(update: Update, context: ContextTypes.DEFAULT_TYPE, draft_key: str) -> int:
    """«Åpne den»: the call that is there already, instead of a new one."""
    await pressed(update)
    services = services_of(context)
    async with services.session() as session:
        call = await load_call(session, int(callback_arg(update)))
    drop_draft(context, draft_key)
    if call is None:
        await say(update, context, texts.EF_GONE)
        return END
    await say(
        update,
        context,
        texts.NF_OPENED.format(card=editable_card(call, services.now(), services.settings.tz)),
    )
    return END
