"""One outbox row as Telegram messages: the payload sent (text split at paragraph boundaries, a
document, a pin), and the waiting rules for failures (backoff, Retry-After)."""

from __future__ import annotations

import base64
import logging
import warnings
from datetime import timedelta

from telegram import Bot, InlineKeyboardMarkup, InputFile, LinkPreviewOptions, Message
from telegram.constants import ParseMode
from telegram.error import RetryAfter, TelegramError

from storage.claims import Claimed

log = logging.getLogger(__name__)

MAX_TEXT = 4096
MAX_CAPTION = 1024
BACKOFF_BASE_SECONDS = 5.0
BACKOFF_MAX_SECONDS = 15 * 60.0


def backoff(attempts: int) -> float:
    """Seconds to wait after ``attempts`` failed tries: 5, 10, 20, ... up to 15 minutes."""
    return float(min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS))


def retry_after_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split a long HTML text at paragraph (then line) boundaries into parts of at most ``limit``."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for paragraph in text.split("\n\n"):
        candidate = f"{current}\n\n{paragraph}" if current else paragraph
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        while len(paragraph) > limit:
            cut = paragraph.rfind("\n", 0, limit)
            cut = cut if cut > 0 else limit
            parts.append(paragraph[:cut])
            paragraph = paragraph[cut:].lstrip("\n")
        current = paragraph
    if current:
        parts.append(current)
    return parts


async def send_payload(bot: Bot, row: Claimed) -> int | None:
    """Send one row's payload to its chat; returns Telegram's message id (the first, if split)."""
    payload = row.payload
    chat_id = row.telegram_id
    markup = payload.get("reply_markup")
    reply_markup = InlineKeyboardMarkup.de_json(markup, bot) if isinstance(markup, dict) else None
    preview = LinkPreviewOptions(is_disabled=True) if payload.get("disable_web_page_preview") else None
    document = payload.get("document")
    message: Message
    if isinstance(document, dict):
        content = base64.b64decode(document.get("content_b64") or "")
        caption = document.get("caption") or payload.get("text") or None
        message = await bot.send_document(
            chat_id,
            InputFile(content, filename=str(document.get("filename") or "fil")),
            caption=caption[:MAX_CAPTION] if caption else None,
            parse_mode=ParseMode.HTML if caption else None,
            reply_markup=reply_markup,
        )
        first_id = message.message_id
    else:
        parts = split_text(str(payload.get("text") or ""))
        first_id = None
        for index, part in enumerate(parts):
            message = await bot.send_message(
                chat_id,
                part,
                parse_mode=ParseMode.HTML,
                link_preview_options=preview,
                reply_markup=reply_markup if index == len(parts) - 1 else None,
            )
            first_id = first_id or message.message_id
    if payload.get("pin") and row.is_group and first_id is not None:
        try:
            await bot.pin_chat_message(chat_id, first_id, disable_notification=True)
        except TelegramError as exc:  # delivered all the same; a missing right is not a reason to resend
            log.warning("could not pin message %s in chat %s: %s", first_id, chat_id, exc)
    return first_id
