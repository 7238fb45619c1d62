"""/koordinatorer: the coordinators see, add and remove each other in the chat (kept in the database).

Adding someone works the ways Telegram lets a bot learn a person's id: in a private chat the «Velg en
koordinator» button opens Telegram's own person picker (``request_users``); ``/koordinatorer legg til
@brukernavn`` finds someone who has written to the bot, and a mention of someone without a username
(picked from the list while typing) names them; in the group, ``/koordinatorer legg til`` as a reply
to the person's message. When FOUI_COORDINATOR_IDS is set, it decides, and the list
here only shows it. Every change is checked on the server: only a coordinator may make it.
"""

from __future__ import annotations

import html
import logging
from typing import Any

from telegram import (
    BotCommandScopeChat,
    KeyboardButton,
    KeyboardButtonRequestUsers,
    MessageEntity,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot import network, texts
from handlers import registry
from handlers.auth import is_coordinator
from handlers.common import answer, args_of, edit, keyboard, reply, services
from handlers.coordinator import refuse
from handlers.registry import Command
from handlers.setup import refresh_menus
from storage import audit, network_setup

log = logging.getLogger(__name__)

PICK_REQUEST_ID = 1313  # the request_users button's id: its answer is a coordinator to add
REMOVE_PREFIX = "koord:fjern:"
ADD_WORDS = {"legg", "til", "add", "leggtil"}
REMOVE_WORDS = {"fjern", "slett", "remove"}


def _name(person: Any, fallback: int) -> str:
    name = " ".join(p for p in (getattr(person, "first_name", None), getattr(person, "last_name", None)) if p)
    return name or (f"@{person.username}" if getattr(person, "username", None) else str(fallback))


async def _listing(update: Update, context: ContextTypes.DEFAULT_TYPE) -> tuple[str, Any]:
    svc = services(context)
    async with svc.session() as session:
        stored = await network_setup.list_coordinators(session)
    lines = [texts.KOORD_LIST_HEADER]
    rows: list[list[tuple[str, str]]] = []
    if network.coordinators_from_settings(svc):
        lines += [texts.KOORD_LINE_ID.format(id=i) for i in svc.settings.coordinator_ids]
        lines.append(texts.KOORD_FROM_SETTINGS)
    else:
        lines += [texts.KOORD_LINE.format(name=html.escape(c.name), id=c.telegram_id) for c in stored]
        if not stored:
            lines.append(texts.KOORD_NONE)
        rows = [
            [(texts.KOORD_BTN_REMOVE.format(name=c.name or c.telegram_id), f"{REMOVE_PREFIX}{c.telegram_id}")]
            for c in stored
        ]
    lines.append(texts.KOORD_ADMINS_TOO)
    return "\n".join(lines), keyboard(rows)


async def koordinatorer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/koordinatorer [legg til|fjern @navn|id]: list, add or remove coordinators."""
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    if user is None or chat is None or message is None:
        return
    if not await is_coordinator(context, user.id):
        await refuse(update, context, "koordinatorer")
        return
    words = [w.casefold() for w in args_of(context)]
    svc = services(context)
    if words and network.coordinators_from_settings(svc):
        await reply(update, context, texts.KOORD_FROM_SETTINGS)
        return
    action = (
        "add" if words and words[0] in ADD_WORDS else "remove" if words and words[0] in REMOVE_WORDS else None
    )
    target = next((w for w in args_of(context)[1:] if w.casefold() not in ADD_WORDS), None)
    mentioned = next(
        (e.user for e in message.entities if e.type == MessageEntity.TEXT_MENTION and e.user), None
    )
    if action is not None and mentioned is not None and not mentioned.is_bot:
        # A person without a @username, picked from the member list while typing: Telegram names them.
        if action == "add":
            await _add(update, context, mentioned.id, mentioned.full_name)
        else:
            await _remove(update, context, mentioned.id, mentioned.full_name)
        return
    if chat.type != "private":
        replied = message.reply_to_message
        person = replied.from_user if replied is not None else None
        if action == "add" and target is None and person is not None and not person.is_bot:
            await _add(update, context, person.id, person.full_name)
        elif action is not None and target is not None:
            await _by_word(update, context, action, target)
        else:
            await reply(update, context, texts.KOORD_REPLY_NEEDED)
        return
    if action is None:
        if words:
            await reply(update, context, texts.KOORD_USAGE)
            return
        text, markup = await _listing(update, context)
        await reply(update, context, text, markup)
        if not network.coordinators_from_settings(svc):
            picker = ReplyKeyboardMarkup(
                [[KeyboardButton(texts.KOORD_BTN_PICK, request_users=KeyboardButtonRequestUsers(
                    PICK_REQUEST_ID, user_is_bot=False, max_quantity=1, request_name=True, request_username=True
                ))]],
                resize_keyboard=True,
                one_time_keyboard=True,
            )  # fmt: skip
            await context.bot.send_message(
                chat.id,
                texts.KOORD_HOW_TO_ADD.format(button=texts.KOORD_BTN_PICK),
                parse_mode=ParseMode.HTML,
                reply_markup=picker,
            )
        return
    if target is None:
        await reply(update, context, texts.KOORD_USAGE)
        return
    await _by_word(update, context, action, target)


async def _by_word(update: Update, context: ContextTypes.DEFAULT_TYPE, action: str, word: str) -> None:
    svc = services(context)
    async with svc.session() as session:
        person = await network_setup.find_person(session, word)
    if person is None:
        await reply(
            update, context, texts.KOORD_NOT_FOUND.format(word=html.escape(word), button=texts.KOORD_BTN_PICK)
        )
        return
    if action == "add":
        await _add(update, context, person.telegram_id, person.name)
    else:
        await _remove(update, context, person.telegram_id, person.name)


async def _add(update: Update, context: ContextTypes.DEFAULT_TYPE, telegram_id: int, name: str) -> None:
    svc = services(context)
    actor = update.effective_user.id if update.effective_user else None
    async with svc.session() as session:
        added = await network_setup.add_coordinator(
            session, telegram_id, name=name, added_by=actor, now=svc.now()
        )
        if added:
            await audit.record(
                session,
                actor_id=actor,
                action="coordinator_added",
                detail={"user": telegram_id},
                at=svc.now(),
            )
    await network.load(svc)
    shown = html.escape(name or str(telegram_id))
    text = texts.KOORD_ADDED if added else texts.KOORD_ALREADY
    chat = update.effective_chat
    if chat is not None and chat.type == "private" and update.callback_query is None:
        await context.bot.send_message(
            chat.id, text.format(name=shown), parse_mode=ParseMode.HTML, reply_markup=ReplyKeyboardRemove()
        )
    else:
        await reply(update, context, text.format(name=shown))
    if added:
        log.info("user %s made user %s a coordinator", actor, telegram_id)
        await refresh_menus(context, [telegram_id])


async def _remove(update: Update, context: ContextTypes.DEFAULT_TYPE, telegram_id: int, name: str) -> bool:
    svc = services(context)
    actor = update.effective_user.id if update.effective_user else None
    async with svc.session() as session:
        ids = await network_setup.coordinator_ids(session)
        if telegram_id not in ids:
            await reply(
                update, context, texts.KOORD_NOT_ONE.format(name=html.escape(name or str(telegram_id)))
            )
            return False
        if len(ids) == 1:
            await reply(update, context, texts.KOORD_LAST)
            return False
        await network_setup.remove_coordinator(session, telegram_id)
        await audit.record(
            session, actor_id=actor, action="coordinator_removed", detail={"user": telegram_id}, at=svc.now()
        )
    await network.load(svc)
    log.info("user %s removed coordinator %s", actor, telegram_id)
    try:
        await context.bot.delete_my_commands(scope=BotCommandScopeChat(telegram_id))
    except TelegramError as exc:
        log.info("could not take the coordinators' menu from %s: %s", telegram_id, exc)
    if update.callback_query is None:
        await reply(update, context, texts.KOORD_REMOVED.format(name=html.escape(name or str(telegram_id))))
    return True


async def remove_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """❌ under the list: remove that coordinator (checked again on the server)."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    if not await is_coordinator(context, user.id) or network.coordinators_from_settings(services(context)):
        await refuse(update, context, "koordinatorer")
        return
    try:
        telegram_id = int(str(query.data).removeprefix(REMOVE_PREFIX))
    except ValueError:
        await answer(update, texts.BUTTON_EXPIRED, alert=True)
        return
    async with services(context).session() as session:
        names = {c.telegram_id: c.name for c in await network_setup.list_coordinators(session)}
    removed = await _remove(update, context, telegram_id, names.get(telegram_id, ""))
    name = html.escape(names.get(telegram_id) or str(telegram_id))
    await answer(update, texts.KOORD_REMOVED.format(name=name) if removed else None)
    if removed:
        text, markup = await _listing(update, context)
        await edit(update, context, text, markup)


async def users_shared(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The person picker's answer: add the chosen person (a coordinator's own picker only)."""
    message, user = update.effective_message, update.effective_user
    shared = message.users_shared if message is not None else None
    if shared is None or user is None or shared.request_id != PICK_REQUEST_ID:
        return
    if not await is_coordinator(context, user.id) or network.coordinators_from_settings(services(context)):
        await refuse(update, context, "koordinatorer")
        return
    for person in shared.users:
        await _add(update, context, person.user_id, _name(person, person.user_id))


COMMANDS: list[Command] = [
    Command("koordinatorer", texts.KOORD_DESCRIPTION, frozenset({registry.COORDINATOR}), koordinatorer),
]


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CallbackQueryHandler(remove_pressed, pattern=f"^{REMOVE_PREFIX}"),
        MessageHandler(filters.StatusUpdate.USERS_SHARED & filters.ChatType.PRIVATE, users_shared),
    ]
