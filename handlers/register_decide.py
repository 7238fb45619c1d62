"""The coordinators' approve/reject of a registration, and the member told the outcome."""

from __future__ import annotations

import logging
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import texts
from bot.texts.book import languages_for
from bot.texts.i18n import use_language
from handlers.auth import is_coordinator
from handlers.common import answer, edit, edit_markup, esc, keyboard, services
from handlers.invite import invite_markup, personal_invite, valid_days
from handlers.network import refuse_button, settle, username_part
from storage import audit, network_notices, outbox, registry
from storage.models import Registration

log = logging.getLogger(__name__)

DECIDE = "nw.d"
ACTION_APPROVED = "registration.approved"
ACTION_REJECTED = "registration.rejected"


def render_notice(name: str, username: str | None, registration: Registration) -> str:
    return texts.REG_NOTIFY.format(
        name=esc(name or "?"),
        username=username_part(username),
        municipality=esc(registration.municipality),
        role=esc(registration.role),
    )


def render_line(name: str, username: str | None, registration: Registration) -> str:
    """The request as one line of a grouped notice."""
    return texts.BATCH_REGISTRATION.format(
        name=esc(name or "?"),
        username=username_part(username),
        municipality=esc(registration.municipality),
        role=esc(registration.role),
    )


def decision_rows(registration: Registration) -> list[list[tuple[str, str]]]:
    """Approve/reject buttons for exactly this request (its id and token)."""
    key = f"{registration.id}:{registry.request_token(registration)}"
    return [[(texts.REG_APPROVE_BUTTON, f"{DECIDE}:a:{key}"), (texts.REG_REJECT_BUTTON, f"{DECIDE}:r:{key}")]]


def decision_markup(registration: Registration) -> InlineKeyboardMarkup | None:
    return keyboard(decision_rows(registration))


async def decide_registration(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A coordinator's approve/reject button (the coordinator is checked at every press)."""
    user = update.effective_user
    if user is None or not await is_coordinator(context, user.id):
        await refuse_button(update, context, "decide_registration")
        return
    data = str(update.callback_query.data if update.callback_query else "")
    _, verdict, raw_id, token = data.split(":")
    approve = verdict == "a"
    svc = services(context)
    async with svc.session() as session:
        registration = await registry.decide(
            session, int(raw_id), approve=approve, decided_by=user.id, now=svc.now(), token=token
        )
        if registration is None:
            member = None
        else:
            member = await registry.chat_of(session, registration)
            await audit.record(
                session,
                actor_id=user.id,
                action=ACTION_APPROVED if approve else ACTION_REJECTED,
                detail={
                    "registration_id": registration.id,
                    "user_id": member.telegram_id,
                    "municipality": registration.municipality,
                },
                at=svc.now(),
            )
            values = {"municipality": esc(registration.municipality)}
            payload: dict[str, Any] = {}
            reader = (await languages_for(svc, session, [member.id]))[member.id]
            link = None
            if approve and svc.settings.group_chat_id is not None and not member.in_group:
                link = await personal_invite(context, session, registration.id)
            with use_language(reader):  # the decision in the registrant's language, not the coordinator's
                if approve:
                    text = texts.REG_MEMBER_APPROVED.format(**values)
                    if svc.settings.group_chat_id is not None and not member.in_group:
                        markup = invite_markup(link) if link else None
                        if markup is not None:
                            text += "\n\n" + texts.REG_MEMBER_APPROVED_INVITE.format(days=valid_days())
                            payload["reply_markup"] = markup.to_dict()
                        else:
                            text += "\n\n" + texts.REG_MEMBER_APPROVED_NO_INVITE
                else:
                    text = texts.REG_MEMBER_REJECTED.format(**values)
            await network_notices.drop_item(session, registry.KIND_REGISTRATION, f"reg:{member.telegram_id}")
            await outbox.enqueue(
                session,
                chat_id=member.id,
                kind=registry.KIND_DECISION,
                subject=registry.subject_about(
                    member.telegram_id, registration.id, registry.request_token(registration)
                ),
                payload={"text": text, **payload},
            )
    if registration is None or member is None:
        await answer(update, texts.REG_ALREADY_DECIDED, alert=True)
        await edit_markup(update, context, None)
        return
    await answer(update)
    outcome = (texts.REG_DECIDED_APPROVED if approve else texts.REG_DECIDED_REJECTED).format(
        coordinator=esc(user.full_name)
    )
    settled = texts.BATCH_SETTLED.format(outcome=outcome.rstrip("."), name=esc(member.name or "?"))
    if not await settle(update, context, settled):
        await edit(
            update, context, render_notice(member.name, member.username, registration) + "\n\n" + outcome
        )
    group = svc.settings.group_chat_id
    if approve and group is not None and not member.in_group:
        await _let_in(context, group, member.telegram_id)


async def _let_in(context: ContextTypes.DEFAULT_TYPE, group: int, user_id: int) -> None:
    """Approve a join request the new contact may have waiting (Telegram says no if there is none)."""
    try:
        await context.bot.approve_chat_join_request(group, user_id)
        log.info("approved the waiting join request of a newly approved contact")
    except TelegramError as error:
        log.debug("no join request to approve for the new contact: %s", error)
