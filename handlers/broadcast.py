"""What announcements and tips share: how they look, their buttons, who gets them, saving and queueing."""

from __future__ import annotations

import html
import re
from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from bot import texts
from bot.services import Services
from bot.texts.i18n import current_language
from handlers.coordinator import keyboard, services_of
from storage import announcements, audit
from storage.announcements import Audience
from storage.models import Announcement
from storage.topics import topics_by_slug

KR = "kr"  # the correct/withdraw buttons under what was sent (handlers.corrections answers them)
MAX_TEXT = 3800  # room for the heading and "(rettet)" within Telegram's 4096


# ---- rendering --------------------------------------------------------------------------------
def announcement_text(text_html: str) -> str:
    return texts.ANNOUNCEMENT_FORMAT.format(text=text_html)


def framed(kind: str, text_html: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """An announcement's or tip's frame kept as texts' names, so each copy is framed in its
    recipient's language when it is sent (``bot.push.localize``)."""
    if kind == "announcement":
        spec = texts.deferred("ANNOUNCEMENT_FORMAT", text=text_html)
    elif kind == "tip":
        extra = extra or {}
        url, names = extra.get("link"), str(extra.get("topic_names") or "")
        link = texts.deferred("TIP_LINK", url=html.escape(url), url_text=html.escape(url[:80])) if url else ""
        spec = texts.deferred(
            "TIP_FORMAT", text=text_html, link=link, topics=names or texts.deferred("NO_TOPICS")
        )
    else:
        return {}
    return {"i18n": spec, "lang": current_language()}


def audience_label(audience: Audience, topic_names: str) -> str:
    if audience.topics:
        template = texts.AUDIENCE_GROUP_TOPICS if audience.group else texts.AUDIENCE_TOPICS
        return template.format(topics=topic_names)
    if audience.group and audience.members:
        return texts.AUDIENCE_BOTH
    return texts.AUDIENCE_GROUP if audience.group else texts.AUDIENCE_MEMBERS


def tip_text(text_html: str, url: str | None, topic_names: str) -> str:
    """The tip as it arrives (``topic_names`` already escaped)."""
    link = texts.TIP_LINK.format(url=html.escape(url), url_text=html.escape(url[:80])) if url else ""
    return texts.TIP_FORMAT.format(text=text_html, link=link, topics=topic_names or texts.NO_TOPICS)


def manage_markup(announcement_id: int) -> Any:
    return keyboard(
        [
            [
                (texts.BTN_CORRECT, f"{KR}:edit:{announcement_id}"),
                (texts.BTN_WITHDRAW, f"{KR}:wd:{announcement_id}"),
            ]
        ]
    )


def excerpt(text_html: str, limit: int = 60) -> str:
    """A short plain excerpt of an HTML text (escaped again for display)."""
    plain = html.unescape(re.sub(r"<[^>]+>", "", text_html)).replace("\n", " ").strip()
    return html.escape(plain if len(plain) <= limit else plain[: limit - 1] + "…")


def typed_html(update: Update) -> str:
    """The message with its formatting as safe HTML (PTB escapes the text and converts entities)."""
    message = update.effective_message
    return message.text_html.strip() if message is not None and message.text else ""


def correction_payload(item: Announcement, text_html: str) -> str:
    """The corrected copy: the same layout as the original, marked "(rettet)"."""
    if item.kind == "tip":
        extra = item.audience or {}
        body = tip_text(text_html, extra.get("link"), str(extra.get("topic_names") or ""))
    else:
        body = announcement_text(text_html)
    return texts.ANNOUNCEMENT_CORRECTED.format(text=body)


def correction_i18n(item: Announcement, text_html: str) -> dict[str, Any]:
    """The corrected copy as texts' names (each reader's copy is corrected in their language), and
    the language the corrected text is written in now; {} for what has no frame."""
    extra = item.audience or {}
    frame = framed(item.kind, text_html, {"link": extra.get("link"), "topic_names": extra.get("topic_names")})
    if not frame:
        return {}
    return {"i18n": texts.deferred("ANNOUNCEMENT_CORRECTED", text=frame["i18n"]), "lang": frame["lang"]}


# ---- audience and sending ---------------------------------------------------------------------
async def recipients(context: ContextTypes.DEFAULT_TYPE, audience: Audience) -> tuple[list[int], str]:
    """Who would get it now (chat db ids), and the audience in words for the confirmation."""
    services = services_of(context)
    async with services.session() as session:
        chat_ids, _ = await announcements.audience_chat_ids(
            session,
            audience,
            group_telegram_id=services.settings.group_chat_id,
            now=services.now(),
            coordinator_ids=services.settings.coordinator_ids,
        )
        names = ", ".join(t.name for t in await topics_by_slug(session, audience.topics))
    return chat_ids, audience_label(audience, html.escape(names))


async def publish(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    *,
    kind: str,
    text_html: str,
    payload_text: str,
    audience: Audience,
    pin: bool,
    extra: dict[str, Any] | None = None,
) -> tuple[int, int]:
    """Save the announcement (or tip) and queue one copy per recipient; returns (id, copies)."""
    services = services_of(context)
    user = update.effective_user
    now = services.now()
    async with services.session() as session:
        chat_ids, group_id = await announcements.audience_chat_ids(
            session,
            audience,
            group_telegram_id=services.settings.group_chat_id,
            now=now,
            coordinator_ids=services.settings.coordinator_ids,
        )
        item = await announcements.create_announcement(
            session,
            kind=kind,
            author_id=user.id if user else None,
            text_html=text_html,
            audience=audience,
            pin=pin,
            now=now,
            extra=extra,
        )
        queued = await announcements.enqueue_copies(
            session,
            item,
            chat_ids,
            payload={"text": payload_text, **framed(kind, text_html, extra)},
            now=now,
            pin_chat_id=group_id,
        )
        await audit.record(
            session,
            actor_id=user.id if user else None,
            action=f"{kind}_sent",
            detail={"announcement_id": item.id, "copies": queued, "audience": audience.as_dict()},
            at=now,
        )
    _wake_sender(services)
    return item.id, queued


def _wake_sender(services: Services) -> None:
    """Tell a running sender there is work, so it does not wait for its next poll."""
    sender = services.extras.get("sender")
    wake = getattr(sender, "wake", None)
    if callable(wake):
        wake()
