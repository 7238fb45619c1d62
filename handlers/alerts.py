"""/varsle <ord>: personal keyword alerts; /varsle alone lists them with buttons to remove."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from bot import texts
from handlers.common import (
    answer,
    args_of,
    current_chat,
    deep_link,
    edit,
    esc,
    is_private,
    keyboard,
    reply,
    services,
    shorten,
)
from handlers.errors import (
    KeywordTooLong,
    KeywordTooShort,
    PrivateOnly,
    TooManyAlerts,
    UserError,
    friendly,
    text_for,
)
from handlers.paging import nav_row, page_arg, page_note, page_of
from handlers.registry import PRIVATE, Command
from storage import members
from storage.models import KeywordAlert

PREFIX = "va:"


def alert_list(alerts: Sequence[KeywordAlert], page: int = 0) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page (``handlers.paging``) of the alerts, each with its ❌ button."""
    if not alerts:
        return texts.ALERTS_NONE, None
    shown, page, pages = page_of(alerts, page)
    rows = [[(texts.ALERT_BUTTON.format(keyword=a.keyword), f"{PREFIX}d:{a.id}")] for a in shown]
    rows.append(nav_row(f"{PREFIX}p:", page, pages))
    head = f"{texts.ALERTS_LIST} {page_note(page, pages)}".strip()
    lines = [head, "", *(f"🔔 {esc(a.keyword)}" for a in shown)]
    return "\n".join(lines), keyboard(rows)


def keywords_from(words: Sequence[str]) -> tuple[list[str], list[tuple[str, UserError]]]:
    """'/varsle kunstig intelligens, velferdsteknologi' -> two alerts; and the words refused, with why."""
    found: list[str] = []
    refused: list[tuple[str, UserError]] = []
    for part in " ".join(words).split(","):
        keyword = members.normalise_keyword(part)
        if not keyword:
            continue
        if len(keyword) < members.MIN_KEYWORD:
            refused.append((keyword, KeywordTooShort(members.MIN_KEYWORD)))
        elif len(keyword) > members.MAX_KEYWORD:
            refused.append((keyword, KeywordTooLong(members.MAX_KEYWORD)))
        else:
            found.append(keyword)
    return list(dict.fromkeys(found)), refused


def _private_only(context: ContextTypes.DEFAULT_TYPE) -> PrivateOnly:
    link = deep_link(context, "varsle")
    return PrivateOnly(texts.ALERTS_PRIVATE_ONLY, link, keyboard([[(texts.BTN_OPEN_PRIVATE, f"url:{link}")]]))


async def show(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The person's alerts, each with a button to remove it."""
    svc = services(context)
    async with svc.session() as session:
        chat = await current_chat(session, update, svc.now())
        alerts = await members.list_alerts(session, chat.id)
    text, markup = alert_list(alerts)
    await reply(update, context, text, markup)


@friendly
async def varsle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Add a keyword alert, or list them when no word is given."""
    if not is_private(update):
        raise _private_only(context)
    words = args_of(context)
    if not words:
        await show(update, context)
        return
    keywords, refused = keywords_from(words)
    if not keywords:
        if refused:
            raise refused[0][1]
        await show(update, context)
        return
    svc = services(context)
    lines: list[str] = []
    async with svc.session() as session:
        chat = await current_chat(session, update, svc.now())
        have = await members.count_alerts(session, chat.id)
        for keyword in keywords:
            if have >= members.MAX_ALERTS:
                if not lines:
                    raise TooManyAlerts(members.MAX_ALERTS)
                lines.append(texts.ALERT_TOO_MANY.format(max=members.MAX_ALERTS))
                break
            if await members.add_alert(session, chat.id, keyword):
                have += 1
                lines.append(texts.ALERT_ADDED.format(keyword=esc(keyword)))
            else:
                lines.append(texts.ALERT_EXISTS.format(keyword=esc(keyword)))
    for keyword, error in refused:  # the good words are kept; the others are named, with why
        lines.append(texts.ALERT_REFUSED.format(keyword=esc(shorten(keyword, 40)), reason=text_for(error)))
    await reply(update, context, "\n".join(lines))


@friendly
async def alert_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Remove the alert whose button was pressed."""
    query = update.callback_query
    assert query is not None and query.data is not None
    svc = services(context)
    alert_id = int(query.data.removeprefix(f"{PREFIX}d:") or 0)
    async with svc.session() as session:
        chat = await current_chat(session, update, svc.now())
        removed = await members.remove_alert(session, chat.id, alert_id)
        alerts = await members.list_alerts(session, chat.id)
    # answer() reads HTML (a keyword such as "<b>ki</b>" is text, so it is escaped)
    await answer(update, texts.ALERT_REMOVED.format(keyword=esc(removed)) if removed else texts.ALERT_GONE)
    text, markup = alert_list(alerts)
    await edit(update, context, text, markup)


async def alert_page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """◀ ▶ under the list of alerts."""
    query = update.callback_query
    assert query is not None
    svc = services(context)
    async with svc.session() as session:
        chat = await current_chat(session, update, svc.now())
        alerts = await members.list_alerts(session, chat.id)
    await answer(update)
    text, markup = alert_list(alerts, page_arg(query.data))
    await edit(update, context, text, markup)


COMMANDS = [Command("varsle", texts.CMD_VARSLE, scopes=frozenset({PRIVATE}), callback=varsle)]


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CallbackQueryHandler(alert_button, pattern=rf"^{PREFIX}d:\d+$"),
        CallbackQueryHandler(alert_page, pattern=rf"^{PREFIX}p:\d+$"),
    ]
