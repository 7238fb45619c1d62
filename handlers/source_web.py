"""«Legg til kilde» for a `web` source: the coordinator's CSS selectors, tried at once, and a preview
of what they find before anything is saved (``handlers.source_add`` runs the rest of the steps)."""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import ContextTypes

from bot import texts
from feeds.items import FeedItem
from feeds.web import Selectors, check_selector, with_selectors
from handlers.conversation import draft
from handlers.coordinator import cancel_row, keyboard, message_text, pressed, say, services_of
from handlers.source_cards import ADD
from handlers.source_checks import plain_reason, try_source

ADD_SELECTORS = "kilde:velgere"
WEB_OK = "wok"
PREVIEW_SHOWN = 3
_KEYS = {
    "utlysning": "items",
    "utlysninger": "items",
    "element": "items",
    "items": "items",
    "tittel": "title",
    "title": "title",
    "lenke": "link",
    "link": "link",
    "frist": "date",
    "dato": "date",
    "date": "date",
}


def read_selectors(text: str) -> Selectors | str:
    """The selectors of a message ("utlysning: .card" per line; a lone line is the items' selector),
    or what is wrong with it (Norwegian, HTML-escaped)."""
    found: dict[str, str] = {}
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines:
        head, colon, rest = line.partition(":")
        key = _KEYS.get(head.strip().lower()) if colon else None
        if key is None and len(lines) == 1:
            key, rest = "items", line
        if key is None:
            return texts.KI_WEB_BAD_LINE.format(line=html.escape(line[:80]))
        problem = check_selector(rest.strip())
        if problem:
            return html.escape(problem)
        found[key] = rest.strip()
    if "items" not in found:
        return texts.KI_WEB_NO_ITEMS
    return Selectors(found["items"], found.get("title", ""), found.get("link", ""), found.get("date", ""))


def _deadline(item: FeedItem) -> str:
    if item.deadline is None:
        return texts.KI_WEB_NO_DEADLINE
    if item.deadline.rolling or item.deadline.at is None:
        return texts.KI_WEB_ROLLING
    return texts.format_datetime(item.deadline.at, has_time=item.deadline.has_time)


def preview(items: list[FeedItem]) -> str:
    """What the selectors found: how many, and the first few with title, deadline and link."""
    examples = "\n".join(
        texts.KI_WEB_EXAMPLE.format(
            title=html.escape(item.title[:120]),
            deadline=html.escape(_deadline(item)),
            link=html.escape(item.url or ""),
        )
        for item in items[:PREVIEW_SHOWN]
    )
    return texts.KI_WEB_PREVIEW.format(found=len(items), examples=examples)


async def ask_selectors(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    await say(update, context, texts.KI_WEB_ASK + texts.CANCEL_HINT, keyboard([cancel_row(ADD)]))
    return ADD_SELECTORS


async def add_selectors(update: Update, context: ContextTypes.DEFAULT_TYPE, draft_key: str) -> str:
    """The selectors: tried on the page at once; a preview (or why nothing was found), nothing saved."""
    data = draft(context, draft_key)
    selectors = read_selectors(message_text(update))
    if isinstance(selectors, str):
        await say(update, context, selectors, keyboard([cancel_row(ADD)]))
        return ADD_SELECTORS
    url = with_selectors(data.get("page", data.get("url", "")), selectors)
    data.setdefault("page", data.get("url", ""))
    await say(update, context, texts.KI_ADD_TRYING)
    trial = await try_source(services_of(context), "web", url)
    if not trial.ok:
        reason = html.escape(plain_reason(trial.reason or ""))
        await say(update, context, texts.KI_WEB_NOTHING.format(reason=reason), keyboard([cancel_row(ADD)]))
        return ADD_SELECTORS
    data["url"] = url
    buttons = [[(texts.BTN_KI_WEB_OK, f"{ADD}:{WEB_OK}")], cancel_row(ADD)]
    await say(update, context, preview(trial.items), keyboard(buttons))
    return ADD_SELECTORS


async def web_ok(update: Update, context: ContextTypes.DEFAULT_TYPE, draft_key: str) -> bool:
    """«Ja, bruk disse»: True when the selectors were tried and found something (then ask the name)."""
    await pressed(update)
    data = draft(context, draft_key)
    if "#foui:" not in str(data.get("url", "")):
        return False
    await say(update, context, texts.KI_WEB_ASK_NAME + texts.CANCEL_HINT, keyboard([cancel_row(ADD)]))
    return True
