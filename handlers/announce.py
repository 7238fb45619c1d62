"""/kunngjoring: write, choose the audience, preview exactly as it arrives, send through the outbox;
for 24 hours, correct (every delivered copy edited) or withdraw (every copy deleted).
/kunngjoringer lists what was sent in the last day, with the same buttons. Tips use the same machinery."""

from __future__ import annotations

import asyncio
import html
import logging
import re
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import texts
from bot.services import Services
from handlers import registry
from handlers.coordinator import (
    END,
    action_row,
    answer,
    ask_topics,
    button_step,
    callback_arg,
    cancel_row,
    conversation,
    coordinator_only,
    draft,
    drop_draft,
    fits,
    fresh_draft,
    keyboard,
    pressed,
    say,
    services_of,
    show_preview,
    stale_button,
    text_step,
    toggle_topic,
    topics_chosen,
)
from storage import announcements, audit
from storage.announcements import Audience
from storage.models import Announcement, OutboxStatus
from storage.topics import topics_by_slug

log = logging.getLogger(__name__)

TEXT, AUDIENCE, TOPICS, PIN, CONFIRM = (
    "kunngjoring:tekst",
    "kunngjoring:mottakere",
    "kunngjoring:emner",
    "kunngjoring:feste",
    "kunngjoring:bekreft",
)
FIX_TEXT, FIX_CONFIRM, WITHDRAW_CONFIRM = "retting:tekst", "retting:bekreft", "tilbaketrekking:bekreft"
KU, KR = "ku", "kr"
DRAFT, DRAFT_FIX = "draft:kunngjoring", "draft:retting"
MAX_TEXT = 3800  # room for the heading and "(rettet)" within Telegram's 4096
INLINE_COPIES = 25  # more copies than this are edited or deleted in the background
IN_FLIGHT_CHECKS = 5


# ---- rendering --------------------------------------------------------------------------------
def announcement_text(text_html: str) -> str:
    return texts.ANNOUNCEMENT_FORMAT.format(text=text_html)


def audience_label(audience: Audience, topic_names: str) -> str:
    if audience.topics:
        template = texts.AUDIENCE_GROUP_TOPICS if audience.group else texts.AUDIENCE_TOPICS
        return template.format(topics=topic_names)
    if audience.group and audience.members:
        return texts.AUDIENCE_BOTH
    return texts.AUDIENCE_GROUP if audience.group else texts.AUDIENCE_MEMBERS


def audience_keyboard() -> InlineKeyboardMarkup:
    """The audiences to choose from (and «Avbryt»)."""
    return keyboard(
        [
            [(texts.BTN_AUD_GROUP, f"{KU}:a:group"), (texts.BTN_AUD_MEMBERS, f"{KU}:a:members")],
            [(texts.BTN_AUD_BOTH, f"{KU}:a:both")],
            [(texts.BTN_AUD_TOPICS, f"{KU}:a:topics")],
            cancel_row(KU),
        ]
    )


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


# ---- the copies: edit or delete every delivered one ---------------------------------------------
async def change_copy(bot: Bot, chat_id: int, message_id: int, text: str | None) -> bool:
    """Edit (``text``) or delete (None) one copy; a 429 waits and tries once more. True when done."""
    for attempt in range(2):
        try:
            if text is None:
                await bot.delete_message(chat_id, message_id)
            else:
                await bot.edit_message_text(text, chat_id, message_id, parse_mode=ParseMode.HTML)
            return True
        except RetryAfter as exc:
            if attempt:
                return False
            delay = exc.retry_after
            await asyncio.sleep(delay.total_seconds() if hasattr(delay, "total_seconds") else float(delay))
        except BadRequest as exc:
            reason = str(exc).lower()
            if "not modified" in reason or "not found" in reason:
                return True  # already as wanted, or the person deleted it
            log.warning("could not change copy %s in chat %s: %s", message_id, chat_id, exc)
            return False
        except Forbidden as exc:
            log.info("copy %s in chat %s that blocked the bot: %s", message_id, chat_id, exc)
            return False
        except TelegramError as exc:
            log.warning("could not change copy %s in chat %s: %s", message_id, chat_id, exc)
            return False
    return False


async def apply_to_copies(
    bot: Bot, services: Services, announcement_id: int, *, text: str | None
) -> tuple[int, int]:
    """Edit (``text``) or delete (None) every delivered copy; returns (done, failed).

    Copies the sender is sending right now are waited for a little and then handled too.
    Calls are spaced by the configured global rate, so a big group of copies keeps the limits.
    """
    interval = 1.0 / services.settings.send_rate_global
    handled: set[int] = set()
    done = failed = 0
    for check in range(IN_FLIGHT_CHECKS):
        async with services.session() as session:
            copies = await announcements.copies(session, announcement_id)
        todo = [c for c in copies if c.message_id is not None and c.outbox_id not in handled]
        for copy in todo:
            handled.add(copy.outbox_id)
            ok = await change_copy(bot, copy.telegram_chat_id, int(copy.message_id or 0), text)
            done, failed = (done + 1, failed) if ok else (done, failed + 1)
            if len(todo) > 1:
                await asyncio.sleep(interval)
        if not any(c.status == OutboxStatus.SENDING for c in copies):
            break
        await asyncio.sleep(2.0 * (check + 1))
    return done, failed


def _delivered(copies: list[announcements.Copy]) -> int:
    return sum(1 for c in copies if c.message_id is not None)


# ---- /kunngjoring -----------------------------------------------------------------------------
@coordinator_only
async def kunngjoring(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """/kunngjoring: write an announcement."""
    fresh_draft(context, DRAFT)
    await say(update, context, texts.KU_ASK_TEXT)
    return TEXT


def typed_html(update: Update) -> str:
    """The message with its formatting as safe HTML (PTB escapes the text and converts entities)."""
    message = update.effective_message
    return message.text_html.strip() if message is not None and message.text else ""


async def ku_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The text, formatting kept."""
    text_html = typed_html(update)
    if not await fits(update, context, text_html, MAX_TEXT):
        return TEXT
    draft(context, DRAFT)["text"] = text_html
    await say(update, context, texts.KU_ASK_AUDIENCE, audience_keyboard())
    return AUDIENCE


async def ku_audience(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The audience: the group, all members, both, or topics."""
    await pressed(update)
    choice = callback_arg(update)
    data = draft(context, DRAFT)
    if choice == "topics":
        await ask_topics(update, context, DRAFT, KU, texts.KU_ASK_TOPICS)
        return TOPICS
    data["audience"] = Audience(
        group=choice in ("group", "both"), members=choice in ("members", "both")
    ).as_dict()
    return await _ask_pin_or_preview(update, context)


async def ku_topic(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """Toggle one topic."""
    await toggle_topic(update, context, DRAFT, KU)
    return TOPICS


async def ku_topics_done(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """Topics chosen."""
    topics = await topics_chosen(update, context, DRAFT)
    if topics is None:
        return TOPICS
    draft(context, DRAFT)["audience"] = Audience(topics=tuple(topics)).as_dict()
    return await _ask_pin_or_preview(update, context)


async def _ask_pin_or_preview(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    data = draft(context, DRAFT)
    if Audience.from_dict(data["audience"]).group:
        rows = [[(texts.BTN_PIN_YES, f"{KU}:pin:yes"), (texts.BTN_PIN_NO, f"{KU}:pin:no")]]
        await say(update, context, texts.KU_ASK_PIN, keyboard(rows))
        return PIN
    data["pin"] = False
    return await _preview(update, context)


async def ku_pin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """Pin it in the group, or not."""
    await pressed(update)
    draft(context, DRAFT)["pin"] = callback_arg(update) == "yes"
    return await _preview(update, context)


async def recipients(context: ContextTypes.DEFAULT_TYPE, audience: Audience) -> tuple[list[int], str]:
    """Who would get it now (chat db ids), and the audience in words for the confirmation."""
    services = services_of(context)
    async with services.session() as session:
        chat_ids, _ = await announcements.audience_chat_ids(
            session, audience, group_telegram_id=services.settings.group_chat_id, now=services.now()
        )
        names = ", ".join(t.name for t in await topics_by_slug(session, audience.topics))
    return chat_ids, audience_label(audience, html.escape(names))


async def _preview(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    data = draft(context, DRAFT)
    audience = Audience.from_dict(data["audience"])
    chat_ids, label = await recipients(context, audience)
    if not chat_ids:
        await say(update, context, texts.KU_NO_RECIPIENTS, audience_keyboard())
        return AUDIENCE
    await show_preview(
        update,
        context,
        texts.KU_PREVIEW,
        announcement_text(data["text"]),
        texts.KU_CONFIRM.format(audience=label, recipients=texts.recipients(len(chat_ids))),
        keyboard([action_row(KU, texts.BTN_SEND, "send")]),
    )
    return CONFIRM


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
            session, audience, group_telegram_id=services.settings.group_chat_id, now=now
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
            session, item, chat_ids, payload={"text": payload_text}, now=now, pin_chat_id=group_id
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


async def ku_send(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Send: into the outbox, one copy per recipient."""
    await pressed(update)
    data = draft(context, DRAFT)
    announcement_id, queued = await publish(
        update,
        context,
        kind="announcement",
        text_html=data["text"],
        payload_text=announcement_text(data["text"]),
        audience=Audience.from_dict(data["audience"]),
        pin=bool(data.get("pin")),
    )
    drop_draft(context, DRAFT)
    await say(
        update,
        context,
        texts.KU_QUEUED.format(recipients=texts.recipients(queued)),
        manage_markup(announcement_id),
    )
    return END


async def ku_not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """A photo or file where text was expected."""
    await say(update, context, texts.KU_TEXT_ONLY)
    return TEXT


# ---- correcting and withdrawing -----------------------------------------------------------------
async def _changeable(context: ContextTypes.DEFAULT_TYPE, announcement_id: int) -> Announcement | None:
    services = services_of(context)
    async with services.session() as session:
        item = await announcements.get_announcement(session, announcement_id)
    if item is None or not announcements.can_change(item, services.now()):
        return None
    return item


@coordinator_only
async def kunngjoringer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/kunngjoringer: what was sent in the last 24 hours, to correct or withdraw."""
    services = services_of(context)
    tz = services.settings.tz
    async with services.session() as session:
        items = await announcements.editable_announcements(session, now=services.now())
    if not items:
        await say(update, context, texts.KR_NONE)
        return
    await say(update, context, texts.KR_LIST)
    for item in items:
        when = f"{item.created_at.astimezone(tz):%H:%M}"
        await say(
            update,
            context,
            texts.KR_LIST_LINE.format(when=when, excerpt=excerpt(item.text_html)),
            manage_markup(item.id),
        )


@coordinator_only
async def kr_edit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | int:
    """'Rett': ask for the corrected text."""
    await answer(update)
    announcement_id = int(callback_arg(update))
    if await _changeable(context, announcement_id) is None:
        await say(update, context, texts.KR_TOO_LATE)
        return END
    fresh_draft(context, DRAFT_FIX)["id"] = announcement_id
    await say(update, context, texts.KR_ASK_TEXT)
    return FIX_TEXT


def correction_payload(item: Announcement, text_html: str) -> str:
    """The corrected copy: the same layout as the original, marked "(rettet)"."""
    if item.kind == "tip":
        from handlers.tips import tip_text

        extra = item.audience or {}
        body = tip_text(text_html, extra.get("link"), str(extra.get("topic_names") or ""))
    else:
        body = announcement_text(text_html)
    return texts.ANNOUNCEMENT_CORRECTED.format(text=body)


async def kr_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | int:
    """The corrected text: preview, then confirm."""
    text_html = typed_html(update)
    if not await fits(update, context, text_html, MAX_TEXT):
        return FIX_TEXT
    data = draft(context, DRAFT_FIX)
    item = await _changeable(context, int(data["id"]))
    if item is None:
        await say(update, context, texts.KR_TOO_LATE)
        return END
    data["text"] = text_html
    data["payload"] = correction_payload(item, text_html)
    async with services_of(context).session() as session:
        count = len(await announcements.copies(session, item.id))
    await show_preview(
        update,
        context,
        texts.KR_PREVIEW,
        data["payload"],
        texts.KR_CONFIRM.format(copies=texts.copies(count)),
        keyboard([action_row(KR, texts.BTN_CORRECT_CONFIRM, "fixok")]),
    )
    return FIX_CONFIRM


async def _run_on_copies(
    update: Update, context: ContextTypes.DEFAULT_TYPE, announcement_id: int, text: str | None
) -> tuple[int, int, bool]:
    """Edit or delete the copies: at once when few, in the background when many."""
    services = services_of(context)
    async with services.session() as session:
        delivered = _delivered(await announcements.copies(session, announcement_id))
    if delivered <= INLINE_COPIES:
        done, failed = await apply_to_copies(context.bot, services, announcement_id, text=text)
        return done, failed, False
    context.application.create_task(
        apply_to_copies(context.bot, services, announcement_id, text=text),
        update=update,
        name=f"copies:{announcement_id}",
    )
    return delivered, 0, True


async def kr_fix_confirm(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Correct: pending copies get the new text, delivered copies are edited."""
    await pressed(update)
    data = draft(context, DRAFT_FIX)
    services = services_of(context)
    user = update.effective_user
    now = services.now()
    async with services.session() as session:
        item = await announcements.get_announcement(session, int(data["id"]))
        if item is None or not announcements.can_change(item, now):
            await say(update, context, texts.KR_TOO_LATE)
            return END
        await announcements.mark_corrected(session, item, data["text"], now)
        pending = await announcements.set_pending_text(session, item.id, data["payload"])
        await audit.record(
            session,
            actor_id=user.id if user else None,
            action="announcement_corrected",
            detail={"announcement_id": item.id},
            at=now,
        )
    done, failed, background = await _run_on_copies(update, context, item.id, data["payload"])
    drop_draft(context, DRAFT_FIX)
    reply = texts.KR_CORRECTED.format(edited=texts.copies(done), pending=pending)
    reply += texts.KR_FAILED_PART.format(failed=texts.copies(failed)) if failed else ""
    reply += texts.KR_BACKGROUND if background else ""
    await say(update, context, reply)
    return END


@coordinator_only
async def kr_withdraw(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | int:
    """'Trekk tilbake': ask to confirm."""
    await answer(update)
    item = await _changeable(context, int(callback_arg(update)))
    if item is None:
        await say(update, context, texts.KR_TOO_LATE)
        return END
    async with services_of(context).session() as session:
        count = len(await announcements.copies(session, item.id))
    rows = [action_row(KR, texts.BTN_WITHDRAW_CONFIRM, f"wdok:{item.id}")]
    await say(
        update,
        context,
        texts.KR_WITHDRAW_CONFIRM.format(count=texts.copies(count), excerpt=excerpt(item.text_html, 200)),
        keyboard(rows),
    )
    return WITHDRAW_CONFIRM


async def kr_withdraw_confirm(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Withdraw: pending copies are stopped, delivered copies deleted."""
    await pressed(update)
    services = services_of(context)
    user = update.effective_user
    now = services.now()
    announcement_id = int(callback_arg(update))
    async with services.session() as session:
        item = await announcements.get_announcement(session, announcement_id)
        if item is None or not announcements.can_change(item, now):
            await say(update, context, texts.KR_TOO_LATE)
            return END
        await announcements.mark_withdrawn(session, item, now)
        cancelled = await announcements.cancel_pending(session, item.id)
        await audit.record(
            session,
            actor_id=user.id if user else None,
            action="announcement_withdrawn",
            detail={"announcement_id": item.id},
            at=now,
        )
    done, failed, background = await _run_on_copies(update, context, announcement_id, None)
    reply = texts.KR_WITHDRAWN.format(deleted=texts.copies(done), cancelled=cancelled)
    reply += texts.KR_FAILED_PART.format(failed=texts.copies(failed)) if failed else ""
    reply += texts.KR_BACKGROUND if background else ""
    await say(update, context, reply)
    return END


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    """The /kunngjoring conversation, and correcting/withdrawing as a second one."""
    return [
        conversation(
            "kunngjoring",
            KU,
            [CommandHandler("kunngjoring", kunngjoring)],
            {
                TEXT: [
                    *text_step(ku_text),
                    MessageHandler(~filters.TEXT & ~filters.COMMAND, coordinator_only(ku_not_text)),
                ],
                AUDIENCE: button_step(KU, ku_audience, "a:"),
                TOPICS: [*button_step(KU, ku_topic, "t:"), *button_step(KU, ku_topics_done, "done$")],
                PIN: button_step(KU, ku_pin, "pin:"),
                CONFIRM: button_step(KU, ku_send, "send$"),
            },
        ),
        conversation(
            "retting",
            KR,
            [
                CallbackQueryHandler(kr_edit, pattern=rf"^{KR}:edit:\d+$"),
                CallbackQueryHandler(kr_withdraw, pattern=rf"^{KR}:wd:\d+$"),
            ],
            {
                FIX_TEXT: text_step(kr_text),
                FIX_CONFIRM: button_step(KR, kr_fix_confirm, "fixok$"),
                WITHDRAW_CONFIRM: button_step(KR, kr_withdraw_confirm, r"wdok:\d+$"),
            },
        ),
        CallbackQueryHandler(stale_button, pattern=rf"^({KU}|{KR}):"),
    ]


COORD = frozenset({registry.COORDINATOR})
COMMANDS = [
    registry.Command("kunngjoring", "Send en kunngjøring", COORD),
    registry.Command(
        "kunngjoringer", "Rett eller trekk tilbake det du har sendt", COORD, callback=kunngjoringer
    ),
]
