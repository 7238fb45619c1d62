"""/emner, /abonner and /avslutt: the topics a chat follows, with toggle buttons or by name.

In a group the topics belong to the group: only its administrators and the coordinators may
change them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from bot import texts
from handlers.auth import may_manage_chat
from handlers.common import (
    answer,
    args_of,
    current_chat,
    deep_link,
    edit,
    edit_markup,
    esc,
    is_private,
    keyboard,
    match_topic,
    reply,
    services,
    topic_word,
)
from handlers.errors import MissingTopic, NotGroupAdmin, UnknownTopic, friendly
from handlers.registry import Command
from storage import members
from storage import topics as topic_store
from storage.models import Topic

PREFIX = "em:"


def picker(topics: Sequence[Topic], selected: set[int]) -> InlineKeyboardMarkup | None:
    """One toggle button per topic (✅ when followed), then all/none and done."""
    rows: list[list[tuple[str, str]]] = [
        [
            (
                (texts.TOPIC_ON if t.id in selected else texts.TOPIC_OFF).format(name=t.name),
                f"{PREFIX}t:{t.id}",
            )
        ]
        for t in topics
    ]
    rows.append([(texts.BTN_TOPICS_ALL, f"{PREFIX}all"), (texts.BTN_TOPICS_NONE, f"{PREFIX}none")])
    rows.append([(texts.BTN_DONE, f"{PREFIX}done")])
    return keyboard(rows)


def summary(topics: Sequence[Topic], selected: set[int], *, group: bool) -> str:
    """What the chat follows now, one topic a line (the names hold commas themselves)."""
    names = [t.name for t in topics if t.id in selected]
    if not names:
        return texts.TOPICS_SUMMARY_NONE_GROUP if group else texts.TOPICS_SUMMARY_NONE
    template = texts.TOPICS_SUMMARY_GROUP if group else texts.TOPICS_SUMMARY_SOME
    lines = "\n".join(texts.TOPICS_SUMMARY_LINE.format(name=esc(name)) for name in names)
    return template.format(names=lines)


async def picker_for(update: Update, context: ContextTypes.DEFAULT_TYPE) -> InlineKeyboardMarkup | None:
    """The picker for the update's chat, as it stands."""
    svc = services(context)
    async with svc.session() as session:
        chat = await current_chat(session, update, svc.now())
        selected = await members.subscribed_topic_ids(session, chat.id)
        topics = await topic_store.list_topics(session)
    return picker(topics, selected)


async def _check_may_change(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None
    if not await may_manage_chat(context, chat.id, chat.type, user.id if user else None):
        raise NotGroupAdmin(deep_link(context, "emner"))


@friendly
async def emner(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the topics as toggle buttons."""
    text = texts.TOPICS_PRIVATE if is_private(update) else texts.TOPICS_GROUP
    await reply(update, context, text, await picker_for(update, context))


async def _by_name(update: Update, context: ContextTypes.DEFAULT_TYPE, command: str, on: bool) -> None:
    query = " ".join(args_of(context))
    if not query:
        raise MissingTopic(command, await picker_for(update, context))
    await _check_may_change(update, context)
    svc = services(context)
    group = not is_private(update)
    async with svc.session() as session:
        chat = await current_chat(session, update, svc.now())
        topics = await topic_store.list_topics(session)
        topic = match_topic(query, topics)
        if topic is None:
            raise UnknownTopic(query, [(topic_word(t), t.name) for t in topics])
        changed = await members.set_subscription(session, chat.id, topic.id, on)
    if on:
        template = texts.SUBSCRIBED_GROUP if group else texts.SUBSCRIBED
        template = template if changed else texts.ALREADY_SUBSCRIBED
    else:
        template = texts.UNSUBSCRIBED_GROUP if group else texts.UNSUBSCRIBED
        template = template if changed else texts.NOT_SUBSCRIBED
    await reply(update, context, template.format(name=esc(topic.name)))


@friendly
async def abonner(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Follow a topic by name: /abonner helse."""
    await _by_name(update, context, "abonner", True)


@friendly
async def avslutt(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop following a topic by name: /avslutt helse."""
    await _by_name(update, context, "avslutt", False)


@friendly
async def topic_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A press in the topic picker: toggle one, all, none, or done."""
    query = update.callback_query
    assert query is not None and query.data is not None
    action = query.data.removeprefix(PREFIX)
    if action == "open":
        await answer(update)
        text = texts.TOPICS_PRIVATE if is_private(update) else texts.TOPICS_GROUP
        await reply(update, context, text, await picker_for(update, context))
        return
    # "Ferdig" too: in a group it closes the picker for everyone, so it is the admins' to press.
    await _check_may_change(update, context)
    svc = services(context)
    notice: str | None = None
    async with svc.session() as session:
        chat = await current_chat(session, update, svc.now())
        topics = await topic_store.list_topics(session)
        if action.startswith("t:"):
            topic_id = int(action[2:])
            topic = next((t for t in topics if t.id == topic_id), None)
            if topic is not None:
                on = await members.toggle_subscription(session, chat.id, topic_id)
                template = texts.TOPIC_TOGGLED_ON if on else texts.TOPIC_TOGGLED_OFF
                notice = template.format(name=topic.name)
        elif action == "all":
            await members.set_all_subscriptions(session, chat.id, [t.id for t in topics])
        elif action == "none":
            await members.set_all_subscriptions(session, chat.id, [])
        selected = await members.subscribed_topic_ids(session, chat.id)
    await answer(update, notice)
    if action == "done":
        done = summary(topics, selected, group=not is_private(update))
        await edit(update, context, texts.TOPICS_DONE.format(summary=done))
    else:
        await edit_markup(update, context, picker(topics, selected))


COMMANDS = [
    Command("emner", texts.CMD_EMNER, callback=emner),
    Command("abonner", texts.CMD_ABONNER, callback=abonner),
    Command("avslutt", texts.CMD_AVSLUTT, callback=avslutt),
]


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [CallbackQueryHandler(topic_button, pattern=f"^{PREFIX}")]
