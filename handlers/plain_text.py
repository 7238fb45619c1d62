"""Plain text in a private chat that no conversation took: never silence. Text that looks like a
search (a few words) is searched; anything else gets a short answer saying what the bot can do."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot import texts
from handlers.common import esc, reply, services
from handlers.search import SHOWN, render
from storage import deadlines

# At most this many words and characters read as a search ("velferdsteknologi", "helse frister").
SEARCH_WORDS = 4
SEARCH_CHARS = 60


def looks_like_search(text: str) -> bool:
    words = text.split()
    return (
        0 < len(words) <= SEARCH_WORDS
        and len(text) <= SEARCH_CHARS
        and not text.rstrip().endswith("?")
        and all(any(ch.isalnum() for ch in w) for w in words)
        and len("".join(words)) >= 3
    )


async def answer_plain_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Search for the text when it looks like a search and finds something; else say what works."""
    message = update.effective_message
    text = " ".join((message.text or "").split()) if message is not None else ""
    if looks_like_search(text):
        svc = services(context)
        now = svc.now()
        words, _ = deadlines.search_words(text.split())
        async with svc.session() as session:
            page = await deadlines.search(session, words, now=now, limit=SHOWN)
        if page.total:
            found = render(" ".join(words), page, now, svc.settings.tz)
            await reply(update, context, texts.PLAIN_TEXT_SEARCH.format(query=esc(text)) + "\n\n" + found)
            return
    await reply(update, context, texts.PLAIN_TEXT_HELP)
