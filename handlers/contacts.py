"""/kontakter: the approved FoUI contacts (for approved members in the group, and coordinators);
/dekning: which municipalities have a contact (coordinators)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import ChatMember, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import texts
from handlers.auth import is_coordinator
from handlers.common import args_of, esc, is_private, reply, services
from handlers.coordinator import refuse
from handlers.network import municipality_list, private_only, username_part
from handlers.registry import COORDINATOR, PRIVATE, Command
from storage import registry
from storage.registry import Contact, Coverage, RegistrationStatus

log = logging.getLogger(__name__)

PRESENT = {ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER}


async def in_group_now(context: ContextTypes.DEFAULT_TYPE, group: int, user_id: int) -> bool | None:
    """Whether the person is in the group, asked of Telegram; None if Telegram cannot tell."""
    try:
        member = await context.bot.get_chat_member(group, user_id)
    except TelegramError as error:
        log.warning("getChatMember failed for the network group: %s", error)
        return None
    if member.status == ChatMember.RESTRICTED:
        return bool(getattr(member, "is_member", False))
    return member.status in PRESENT


async def contacts_refusal(context: ContextTypes.DEFAULT_TYPE, user_id: int) -> str | None:
    """Why this person may not see the contacts, or None if they may.

    Coordinators may; so may approved contacts who are in the network's group. Membership is asked
    of Telegram each time (the stored flag is the fallback when Telegram cannot answer).
    """
    if await is_coordinator(context, user_id):
        return None
    svc = services(context)
    async with svc.session() as session:
        registration = await registry.registration_of(session, user_id)
        if registration is None or registration.status == RegistrationStatus.REJECTED:
            return texts.CONTACTS_REFUSED_UNREGISTERED
        if registration.status != RegistrationStatus.APPROVED:
            return texts.CONTACTS_REFUSED_PENDING
        stored = (await registry.chat_of(session, registration)).in_group
    group = svc.settings.group_chat_id
    if group is None:
        return None
    live = await in_group_now(context, group, user_id)
    if live is not None and live != stored:
        async with svc.session() as session:
            await registry.set_in_group(session, user_id, live)
    member = stored if live is None else live
    return None if member else texts.CONTACTS_REFUSED_NOT_IN_GROUP


def render_contacts(contacts: Sequence[Contact]) -> str:
    """Contacts grouped by municipality (escaped HTML)."""
    lines = [texts.CONTACTS_HEADER.format(count=len(contacts))]
    current = None
    for contact in contacts:
        if contact.municipality != current:
            current = contact.municipality
            lines.append("")
            lines.append(texts.CONTACTS_MUNICIPALITY.format(municipality=esc(current)))
        template = texts.CONTACTS_LINE if contact.role else texts.CONTACTS_LINE_NO_ROLE
        lines.append(
            template.format(
                name=esc(contact.name or "?"),
                username=username_part(contact.username),
                role=esc(contact.role),
            )
        )
    return "\n".join(lines)


async def kontakter(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/kontakter [kommune]: the approved FoUI contacts, all or for one municipality."""
    user = update.effective_user
    if user is None:
        return
    if not is_private(update):
        await private_only(update, context, "kontakter")
        return
    refusal = await contacts_refusal(context, user.id)
    if refusal is not None:
        await reply(update, context, refusal)
        return
    query = " ".join(args_of(context))
    wanted: list[str] | None = None
    if query:
        wanted = municipality_list(context).find(query)
        if not wanted:
            await reply(update, context, texts.CONTACTS_NO_MATCH.format(query=esc(query[:100])))
            return
    async with services(context).session() as session:
        contacts = await registry.approved_contacts(session, wanted)
    if not contacts:
        text = (
            texts.CONTACTS_NONE_FOR.format(municipalities=esc(", ".join(wanted)))
            if wanted
            else texts.CONTACTS_NONE
        )
        await reply(update, context, text)
        return
    await reply(update, context, render_contacts(contacts))


def render_coverage(coverage: Coverage, total: int) -> str:
    """Municipalities with and without an approved contact, and what waits for approval."""
    lines = [texts.COVERAGE_HEADER.format(covered=len(coverage.covered), total=total)]
    if coverage.covered:
        lines += ["", texts.COVERAGE_WITH.format(count=len(coverage.covered))]
        lines += [
            texts.COVERAGE_ITEM_COUNT.format(municipality=esc(name), count=count)
            if count > 1
            else texts.COVERAGE_ITEM.format(municipality=esc(name))
            for name, count in coverage.covered.items()
        ]
    if coverage.uncovered:
        lines += ["", texts.COVERAGE_WITHOUT.format(count=len(coverage.uncovered))]
        lines += [
            texts.COVERAGE_ITEM_PENDING.format(municipality=esc(name), count=coverage.pending[name])
            if coverage.pending.get(name)
            else texts.COVERAGE_ITEM.format(municipality=esc(name))
            for name in coverage.uncovered
        ]
    else:
        lines += ["", texts.COVERAGE_ALL_COVERED]
    if coverage.unlisted:
        lines += ["", texts.COVERAGE_UNLISTED]
        lines += [
            texts.COVERAGE_ITEM_COUNT.format(municipality=esc(name), count=count)
            for name, count in coverage.unlisted.items()
        ]
    pending = sum(coverage.pending.values())
    if pending:
        lines += ["", texts.COVERAGE_PENDING_TOTAL.format(count=pending)]
    return "\n".join(lines)


async def dekning(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/dekning: which municipalities have a FoUI contact (coordinators only)."""
    user = update.effective_user
    if user is None:
        return
    if not await is_coordinator(context, user.id):
        await refuse(update, context, "dekning")
        return
    names = municipality_list(context).names
    async with services(context).session() as session:
        coverage = await registry.coverage(session, names)
    await reply(update, context, render_coverage(coverage, len(names)))


COMMANDS: list[Command] = [
    Command("kontakter", texts.CMD_KONTAKTER, frozenset({PRIVATE}), kontakter),
    Command("dekning", texts.CMD_DEKNING, frozenset({COORDINATOR}), dekning),
]
