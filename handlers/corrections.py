"""Correcting or withdrawing a sent announcement or tip for 24 hours: /kunngjoringer and every copy."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import Bot, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import CallbackQueryHandler, ContextTypes, ConversationHandler

from bot import texts
from bot.services import Services
from bot.texts.book import language_book
from bot.texts.i18n import current_language, use_language
from handlers.broadcast import (
    KR,
    MAX_TEXT,
    correction_i18n,
    correction_payload,
    excerpt,
    manage_markup,
    typed_html,
)
from handlers.conversation import (
    button_step,
    conversation,
    draft,
    drop_draft,
    edit_text_step,
    fits,
    fresh_draft,
    text_step,
)
from handlers.coordinator import (
    END,
    action_row,
    answer,
    callback_arg,
    coordinator_only,
    keyboard,
    pressed,
    preview_row,
    say,
    services_of,
    show_preview,
)
from storage import announcements, audit
from storage.models import Announcement, OutboxStatus

log = logging.getLogger(__name__)

FIX_TEXT, FIX_CONFIRM, WITHDRAW_CONFIRM = "retting:tekst", "retting:bekreft", "tilbaketrekking:bekreft"
DRAFT_FIX = "draft:retting"
INLINE_COPIES = 25  # more copies than this are edited or deleted in the background
IN_FLIGHT_CHECKS = 5


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
    bot: Bot,
    services: Services,
    announcement_id: int,
    *,
    text: str | None,
    spec: dict[str, Any] | None = None,
) -> tuple[int, int]:
    """Edit (``text``; with ``spec``, written in each copy's reader's language) or delete (None)
    every delivered copy; returns (done, failed).

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
            ok = await change_copy(
                bot,
                copy.telegram_chat_id,
                int(copy.message_id or 0),
                await _in_language(services, copy, text, spec),
            )
            done, failed = (done + 1, failed) if ok else (done, failed + 1)
            if len(todo) > 1:
                await asyncio.sleep(interval)
        if not any(c.status == OutboxStatus.SENDING for c in copies):
            break
        await asyncio.sleep(2.0 * (check + 1))
    return done, failed


async def _in_language(
    services: Services, copy: announcements.Copy, text: str | None, spec: dict[str, Any] | None
) -> str | None:
    """The corrected text as this copy's reader reads it."""
    if text is None or spec is None:
        return text
    language = await language_book(services).for_telegram_chat(copy.telegram_chat_id)
    if language == current_language():
        return text
    with use_language(language):
        return texts.render_deferred(spec)


def _delivered(copies: list[announcements.Copy]) -> int:
    return sum(1 for c in copies if c.message_id is not None)


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
    data["i18n"] = correction_i18n(item, text_html)
    async with services_of(context).session() as session:
        count = len(await announcements.copies(session, item.id))
    await show_preview(
        update,
        context,
        texts.KR_PREVIEW,
        data["payload"],
        texts.KR_CONFIRM.format(copies=texts.copies(count)),
        keyboard([preview_row(KR, texts.BTN_CORRECT_CONFIRM, "fixok")]),
    )
    return FIX_CONFIRM


async def _run_on_copies(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    announcement_id: int,
    text: str | None,
    spec: dict[str, Any] | None = None,
) -> tuple[int, int, bool]:
    """Edit or delete the copies: at once when few, in the background when many."""
    services = services_of(context)
    async with services.session() as session:
        delivered = _delivered(await announcements.copies(session, announcement_id))
    if delivered <= INLINE_COPIES:
        done, failed = await apply_to_copies(context.bot, services, announcement_id, text=text, spec=spec)
        return done, failed, False
    context.application.create_task(
        apply_to_copies(context.bot, services, announcement_id, text=text, spec=spec),
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
        pending = await announcements.set_pending_text(session, item.id, data["payload"], data.get("i18n"))
        await audit.record(
            session,
            actor_id=user.id if user else None,
            action="announcement_corrected",
            detail={"announcement_id": item.id},
            at=now,
        )
    spec = (data.get("i18n") or {}).get("i18n")
    done, failed, background = await _run_on_copies(update, context, item.id, data["payload"], spec)
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


def build_conversation() -> ConversationHandler[Any]:
    """Correcting and withdrawing, as a conversation started by the buttons (announce registers it)."""
    return conversation(
        "retting",
        KR,
        [
            CallbackQueryHandler(kr_edit, pattern=rf"^{KR}:edit:\d+$"),
            CallbackQueryHandler(kr_withdraw, pattern=rf"^{KR}:wd:\d+$"),
        ],
        {
            FIX_TEXT: text_step(kr_text),
            FIX_CONFIRM: [
                *button_step(KR, kr_fix_confirm, "fixok$"),
                *edit_text_step(KR, DRAFT_FIX, texts.ASK_NEW_TEXT, FIX_TEXT),
            ],
            WITHDRAW_CONFIRM: button_step(KR, kr_withdraw_confirm, r"wdok:\d+$"),
        },
    )
