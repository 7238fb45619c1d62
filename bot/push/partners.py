"""Partner questions, introductions and requests for the coordinators' help, queued in the outbox.

- ``ask_partners``: when a municipality marks a call "Vi vurderer" or "Vi søker", its contact and
  the contact of every other municipality that already did are each asked, once per pair, whether
  they want to be put in touch.
- ``introduce``: when both said yes, each is sent the other's name, municipality and Telegram
  contact; the database marks the introduction made first, so it happens once.
- ``ask_for_help``: a contact asks the coordinators for help with partners a call requires.

The subjects start with the Telegram id of the person a message names (``/slettmeg`` deletes what
is still queued about them).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from bot.push.apply_render import render_help_request, render_partner_ask, render_partner_intro
from bot.push.fanout import wake_after_commit
from bot.push.render import policy_for
from bot.services import Services
from storage import members
from storage.applications import Contact, peers, status_of
from storage.apply_models import PartnerIntro
from storage.models import Call, Chat
from storage.outbox import enqueue_for
from storage.partners import ensure_intro, mark_introduced
from storage.rules.applications import KIND_HELP, KIND_PARTNER_ASK, KIND_PARTNER_INTRO

log = logging.getLogger(__name__)


async def ask_partners(
    session: AsyncSession, services: Services, call: Call, me: Contact, status: str
) -> int:
    """Ask this contact and each other active municipality's contact about an introduction (new pairs
    only); returns how many pairs were asked."""
    now = services.now()
    policy = policy_for(services.settings)
    pairs = 0
    for peer_chat, peer_municipality in await peers(session, call.id, me):
        intro = await ensure_intro(
            session, call.id, (me.chat, me.municipality), (peer_chat, peer_municipality), now
        )
        if intro is None:
            continue
        pairs += 1
        peer_status = await _status_word(session, call.id, peer_municipality)
        questions = (
            (peer_chat, me.chat.telegram_id, me.municipality, status),
            (me.chat, peer_chat.telegram_id, peer_municipality, peer_status or status),
        )
        for to, about, municipality, their_status in questions:
            await enqueue_for(
                session,
                to,
                kind=KIND_PARTNER_ASK,
                subject=f"{about}:ask:{intro.id}",
                payload=render_partner_ask(call, municipality, their_status, intro.id),
                now=now,
                policy=policy,
            )
    if pairs:
        wake_after_commit(session, services)
    return pairs


async def _status_word(session: AsyncSession, call_id: int, municipality: str) -> str | None:
    row = await status_of(session, call_id, municipality)
    return row.status if row is not None else None


async def introduce(session: AsyncSession, services: Services, intro: PartnerIntro, call: Call) -> bool:
    """Send each of the two contacts the other's name, municipality and Telegram contact, once."""
    now = services.now()
    if not await mark_introduced(session, intro.id, now):
        return False
    chat_a = await session.get(Chat, intro.chat_a_id)
    chat_b = await session.get(Chat, intro.chat_b_id)
    if chat_a is None or chat_b is None:  # cascades make this impossible; nothing is shared then
        return False
    policy = policy_for(services.settings)
    for to, other, municipality in (
        (chat_a, chat_b, intro.municipality_b),
        (chat_b, chat_a, intro.municipality_a),
    ):
        await enqueue_for(
            session,
            to,
            kind=KIND_PARTNER_INTRO,
            subject=f"{other.telegram_id}:intro:{intro.id}",
            payload=render_partner_intro(call, other.name, other.username, other.telegram_id, municipality),
            now=now,
            policy=policy,
        )
    wake_after_commit(session, services)
    log.info("introduced two municipalities on call %s", call.id)
    return True


async def ask_for_help(
    session: AsyncSession, services: Services, call: Call, me: Contact, requirements: Sequence[str]
) -> tuple[int, int]:
    """Tell the coordinators (their private chats, when they have started the bot) that a contact
    asks for help with the partners a call requires; returns (newly told, coordinators reachable)."""
    now = services.now()
    policy = policy_for(services.settings)
    payload = render_help_request(
        call, me.chat.name, me.chat.username, me.chat.telegram_id, me.municipality, requirements
    )
    told = reachable = 0
    for coordinator_id in sorted(services.settings.coordinator_ids):
        chat = await members.get_chat(session, coordinator_id)
        if chat is None or not chat.active:
            continue
        reachable += 1
        if await enqueue_for(
            session,
            chat,
            kind=KIND_HELP,
            subject=f"{me.chat.telegram_id}:help:{call.id}",
            payload=payload,
            now=now,
            policy=policy,
        ):
            told += 1
    if told:
        wake_after_commit(session, services)
    return told, reachable
