"""What every handler needs: replies in HTML that never exceed Telegram's limit, edits, keyboards.

``reply`` splits a long text into several messages (the buttons go under the last one);
``edit`` keeps to one message. A person who has blocked the bot is logged and marked inactive,
never an error.
"""

from __future__ import annotations

import difflib
import html
import logging
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import MessageLimit, ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.services import Services, get_services
from bot.texts import markup
from storage import members
from storage.models import Chat

log = logging.getLogger(__name__)

MAX_TEXT = int(MessageLimit.MAX_TEXT_LENGTH)  # 4096
MAX_CAPTION = int(MessageLimit.CAPTION_LENGTH)  # 1024
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
_TAG = re.compile(r"<[^>]+>")

Button = tuple[str, str]  # (text, callback_data) or (text, "url:https://...")


# ---- context ---------------------------------------------------------------------------------


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return get_services(context)


def now(context: ContextTypes.DEFAULT_TYPE) -> datetime:
    return get_services(context).now()


def args_of(context: ContextTypes.DEFAULT_TYPE) -> list[str]:
    return [a for a in (context.args or []) if a.strip()]


def is_private(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type == "private"


def deep_link(context: ContextTypes.DEFAULT_TYPE, payload: str) -> str:
    """https://t.me/<bot>?start=<payload>: opens a private chat with the bot."""
    return f"https://t.me/{context.bot.username}?start={payload}"


def display_name(update: Update) -> str:
    user = update.effective_user
    return user.first_name if user is not None and user.first_name else ""


async def current_chat(session: Any, update: Update, when: datetime) -> Chat:
    """The database row of the chat the update came from (registered if it is new)."""
    chat = update.effective_chat
    if chat is None:
        raise ValueError("update without a chat")
    if chat.type == "private":
        user = update.effective_user
        name = user.full_name if user is not None else (chat.first_name or "")
        username = user.username if user is not None else chat.username
    else:
        name, username = chat.title or "", chat.username
    return await members.touch_chat(
        session, chat.id, kind=chat.type, name=name, username=username, now=when, active=True
    )


# ---- text ------------------------------------------------------------------------------------


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def strip_html(text: str) -> str:
    """Plain text from our simple HTML (tags dropped, entities decoded)."""
    return html.unescape(_TAG.sub("", text))


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def split_html(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split at paragraph, line, then word boundaries so that each part fits ``limit`` as Telegram
    counts it, never inside a tag or an entity (``bot.texts.markup.split_html``)."""
    return markup.split_html(text, limit)


def fit(text: str, limit: int = MAX_TEXT) -> str:
    """One message's worth: the first part of ``split_html`` when the text is too long."""
    return split_html(text, limit)[0]


# ---- keyboards -------------------------------------------------------------------------------


def keyboard(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup | None:
    """Inline buttons from (text, callback_data) pairs; data "url:<address>" makes a link button."""
    built = [
        [
            InlineKeyboardButton(text, url=data[4:])
            if data.startswith("url:")
            else InlineKeyboardButton(text, callback_data=data)
            for text, data in row
        ]
        for row in rows
        if row
    ]
    return InlineKeyboardMarkup(built) if built else None


# ---- sending ---------------------------------------------------------------------------------


def forget_chat(context: ContextTypes.DEFAULT_TYPE, telegram_id: int) -> None:
    """Drop a chat from the chat tracker's memory (``handlers.track``): its next update is written."""
    seen = get_services(context).extras.get("seen_chats")
    if isinstance(seen, dict):
        seen.pop(telegram_id, None)


async def _blocked(context: ContextTypes.DEFAULT_TYPE, chat_id: int, error: TelegramError) -> None:
    """The person blocked the bot (or the bot left the group): log it and stop pushing to them."""
    log.warning("chat %s cannot be reached (%s); marking it inactive", chat_id, error)
    svc = get_services(context)
    forget_chat(context, chat_id)  # the chat tracker's next update for it revives it
    try:
        async with svc.session() as session:
            await members.set_inactive(session, chat_id, members.BLOCKED)
    except Exception:
        log.exception("could not mark chat %s inactive", chat_id)


async def reply(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> Message | None:
    """Answer in the update's chat in HTML; long texts become several messages (buttons last)."""
    chat = update.effective_chat
    if chat is None:
        return None
    parts = split_html(text)
    reply_to = None
    message = update.effective_message
    if chat.type != "private" and message is not None and update.callback_query is None:
        reply_to = ReplyParameters(message.message_id, allow_sending_without_reply=True)
    sent: Message | None = None
    try:
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            sent = await context.bot.send_message(
                chat.id,
                part,
                parse_mode=ParseMode.HTML,
                link_preview_options=NO_PREVIEW,
                reply_markup=markup if last else None,
                reply_parameters=reply_to if index == 0 else None,
            )
    except Forbidden as error:
        await _blocked(context, chat.id, error)
        return None
    return sent


async def edit(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Replace the text and buttons of the message a button sits under."""
    query = update.callback_query
    if query is None or query.message is None:
        await reply(update, context, text, markup)
        return
    try:
        await context.bot.edit_message_text(
            fit(text),
            chat_id=query.message.chat.id,
            message_id=query.message.message_id,
            parse_mode=ParseMode.HTML,
            link_preview_options=NO_PREVIEW,
            reply_markup=markup,
        )
    except Forbidden as error:
        await _blocked(context, query.message.chat.id, error)
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise


async def edit_markup(
    update: Update, context: ContextTypes.DEFAULT_TYPE, markup: InlineKeyboardMarkup | None
) -> None:
    """Replace only the buttons under the message a button sits under."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    try:
        await context.bot.edit_message_reply_markup(
            chat_id=query.message.chat.id, message_id=query.message.message_id, reply_markup=markup
        )
    except Forbidden as error:
        await _blocked(context, query.message.chat.id, error)
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise


async def answer(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    """Answer a button press (Telegram shows a spinner until we do); never fails."""
    query = update.callback_query
    if query is None:
        return
    try:
        await query.answer(strip_html(text)[:200] if text else None, show_alert=alert)
    except TelegramError as error:
        log.info("could not answer callback query: %s", error)


async def send_document(
    update: Update, context: ContextTypes.DEFAULT_TYPE, filename: str, content: bytes, caption: str
) -> Message | None:
    chat = update.effective_chat
    if chat is None:
        return None
    try:
        return await context.bot.send_document(
            chat.id,
            document=content,
            filename=filename,
            caption=fit(caption, MAX_CAPTION),
            parse_mode=ParseMode.HTML,
        )
    except Forbidden as error:
        await _blocked(context, chat.id, error)
        return None


# ---- forgiving matching ----------------------------------------------------------------------


class Named(Protocol):
    @property
    def slug(self) -> str: ...
    @property
    def name(self) -> str: ...


T = TypeVar("T", bound=Named)


def _fold(text: str) -> str:
    return " ".join(text.casefold().replace("æ", "ae").replace("ø", "o").replace("å", "a").split())


def topic_word(topic: Named) -> str:
    """The short word for a topic as a person writes it: "næring" for the slug "naering".

    The part of the name that folds to the slug (it is what ``match_topic`` finds), else the slug.
    """
    name = topic.name.casefold()
    for start in range(len(name)):
        if start and name[start - 1].isalnum():
            continue  # only where a word begins
        for end in range(start + 1, len(name) + 1):
            folded = _fold(name[start:end])
            if folded == topic.slug:
                return name[start:end]
            if not topic.slug.startswith(folded):
                break
    return topic.slug


def match_topic(query: str, topics: Sequence[T], *, fuzzy: bool = True) -> T | None:
    """The topic a person most likely meant: slug or name, any case, a prefix or a near-miss.

    "helse" finds "Helse, omsorg og velferdsteknologi"; "digitalisring" finds digitalisering.
    """
    q = _fold(query)
    if not q:
        return None
    for topic in topics:
        if q in (_fold(topic.slug), _fold(topic.name)):
            return topic
    starts = [t for t in topics if _fold(t.slug).startswith(q) or _fold(t.name).startswith(q)]
    if len(starts) == 1 and len(q) >= 2:  # one letter is too little to go on
        return starts[0]
    words = [t for t in topics if any(w.strip(",.").startswith(q) for w in _fold(t.name).split())]
    if len(words) == 1 and len(q) >= 3:
        return words[0]
    if not fuzzy:
        return None
    candidates: dict[str, T] = {}
    for topic in topics:
        candidates.setdefault(_fold(topic.slug), topic)
        candidates.setdefault(_fold(topic.name), topic)
        for word in _fold(topic.name).split():
            word = word.strip(",.")
            if len(word) >= 4:
                candidates.setdefault(word, topic)
    close = difflib.get_close_matches(q, list(candidates), n=3, cutoff=0.75)
    found = {id(candidates[c]): candidates[c] for c in close}
    if len(found) == 1 or (close and len(q) >= 4):
        return candidates[close[0]]
    return None


# Short names people use for the funding bodies.
NAME_ALIASES = {
    "rff": "regionale forskningsfond",
    "nfr": "forskningsradet",
    "sf": "statsforvalteren",
    "fylket": "fylkeskommune",
}


def names_source(title: str, source: str) -> bool:
    """Whether a call's title already names its source ("Midler (Trøndelag fylkeskommune)", "(RFF Trøndelag)")."""
    folded_title, folded_source = _fold(title), _fold(source)
    if not folded_source:
        return False
    if folded_source in folded_title:
        return True
    words = set(re.findall(r"\w+", folded_title))
    return any(short in words and long in folded_source for short, long in NAME_ALIASES.items())


def match_name(query: str, names: Sequence[str], *, fuzzy: bool = True) -> str | None:
    """A source name from part of it, a common short name or a near-miss ("forskningsrådet", "rff")."""
    q = _fold(query)
    q = NAME_ALIASES.get(q, q)
    if not q:
        return None
    folded = {_fold(n): n for n in names}
    if q in folded:
        return folded[q]
    contains = [n for f, n in folded.items() if q in f]
    if len(contains) == 1:
        return contains[0]
    initials = [n for f, n in folded.items() if "".join(w[0] for w in f.split() if w) == q]
    if len(initials) == 1:
        return initials[0]
    if not fuzzy:
        return None
    close = difflib.get_close_matches(q, list(folded), n=1, cutoff=0.8)
    return folded[close[0]] if close else None
