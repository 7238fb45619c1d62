"""Expected failures, named, and the one place that turns them into words for the person.

A handler raises, say, ``UnknownTopic``; ``@friendly`` catches it and answers with the text from
``text_for``. Anything else is a bug and goes to the Application's error handler.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot import texts
from handlers.common import answer, esc, reply

log = logging.getLogger(__name__)


class UserError(Exception):
    """Something the person can put right; ``markup`` are buttons that help."""

    markup: InlineKeyboardMarkup | None = None


@dataclass
class UnknownArgument(UserError):
    """/frister got a word that is neither a topic, a source, a number nor 'alle'."""

    arg: str
    topics: Sequence[str]
    sources: Sequence[str]


@dataclass
class BadDays(UserError):
    maximum: int


@dataclass
class UnknownTopic(UserError):
    query: str
    topics: Sequence[tuple[str, str]]  # (the word to write, name)


@dataclass
class MissingTopic(UserError):
    command: str
    markup: InlineKeyboardMarkup | None = None


@dataclass
class NotGroupAdmin(UserError):
    """A group member who is not an administrator tried to change the group's settings."""

    link: str


@dataclass
class PrivateOnly(UserError):
    """Something personal asked for in the group; ``text`` names what and ``link`` opens a chat."""

    text: str
    link: str
    markup: InlineKeyboardMarkup | None = field(default=None)


@dataclass
class KeywordTooShort(UserError):
    minimum: int


@dataclass
class KeywordTooLong(UserError):
    maximum: int


@dataclass
class TooManyAlerts(UserError):
    maximum: int


@dataclass
class SearchTooShort(UserError):
    minimum: int


@dataclass
class Expired(UserError):
    """A button whose message no longer matches what is stored."""


def text_for(error: UserError) -> str:
    """The HTML text a person sees for an expected failure."""
    match error:
        case UnknownArgument():
            return texts.FRISTER_BAD_ARG.format(
                arg=esc(error.arg),
                topics=", ".join(f"<code>{esc(t)}</code>" for t in error.topics),
                sources=", ".join(esc(s) for s in error.sources) or texts.FRISTER_NO_SOURCES,
            )
        case BadDays():
            return texts.FRISTER_BAD_DAYS.format(max=error.maximum)
        case UnknownTopic():
            lines = "\n".join(
                texts.TOPIC_LIST_LINE.format(word=esc(word), name=esc(name)) for word, name in error.topics
            )
            return texts.TOPIC_UNKNOWN.format(query=esc(error.query), topics=lines)
        case MissingTopic():
            return texts.TOPIC_USAGE.format(command=esc(error.command))
        case NotGroupAdmin():
            return texts.NOT_GROUP_ADMIN.format(link=esc(error.link))
        case PrivateOnly():
            return error.text.format(link=esc(error.link))
        case KeywordTooShort():
            return texts.ALERT_TOO_SHORT.format(min=error.minimum)
        case KeywordTooLong():
            return texts.ALERT_TOO_LONG.format(max=error.maximum)
        case TooManyAlerts():
            return texts.ALERT_TOO_MANY.format(max=error.maximum)
        case SearchTooShort():
            return texts.SEARCH_TOO_SHORT.format(min=error.minimum)
        case Expired():
            return texts.FRISTER_EXPIRED
    return texts.ERROR_GENERIC


def short_text_for(error: UserError) -> str:
    """The few words shown on a button press (a callback answer holds at most 200 characters)."""
    if isinstance(error, NotGroupAdmin):
        return texts.NOT_GROUP_ADMIN_SHORT
    return text_for(error)


Handler = TypeVar("Handler", bound=Callable[[Update, Any], Coroutine[Any, Any, Any]])


def friendly(handler: Handler) -> Handler:
    """Answer a ``UserError`` with its text: as a reply to a command, as an alert on a button."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Any:
        try:
            return await handler(update, context)
        except UserError as error:
            log.info("%s: %s", handler.__name__, type(error).__name__)
            if update.callback_query is not None:
                await answer(update, short_text_for(error), alert=True)
            else:
                await reply(update, context, text_for(error), error.markup)
            return None

    return cast(Handler, wrapper)
