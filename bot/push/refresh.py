"""Checks just before sending: a queued push is screened (still wanted?) and written again when
it was written on an earlier day (``Sender(refresh=..., screen=...)``)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.push.milestone_checks import refresh_milestone
from bot.push.render import (
    WEEKLY_DAYS,
    local_day,
    policy_for,
    render_digest_calls,
    render_event_reminder,
    render_new_call,
    render_reminder,
    render_weekly,
)
from bot.services import Services
from bot.texts.i18n import current_language
from storage.claims import Claimed
from storage.conditions import conditions_of
from storage.digests import deadlines_between
from storage.events import get_event
from storage.following import following, load_call, load_calls
from storage.membership import members_among
from storage.notices import unwanted
from storage.rules.applications import KIND_MILESTONE
from storage.rules.audience import LIVE_STATUSES
from storage.rules.kinds import (
    CALL_KINDS,
    CANCELLED_CLOSED,
    CANCELLED_DEADLINE,
    CANCELLED_DIGEST_EMPTY,
    CANCELLED_EXPIRED,
    KIND_DIGEST,
    KIND_EVENT_REMINDER,
    KIND_NEW_CALL,
    KIND_REMINDER,
    KIND_WEEKLY,
)
from storage.rules.membership import CANCELLED_NOT_MEMBER, members_only
from storage.rules.reminders import deadline_end, reminder_key

log = logging.getLogger(__name__)


def written_for(payload: dict[str, Any], today: str) -> bool:
    """Whether a payload reads right today and in the current (the recipient's) language."""
    return payload.get("rendered_on") in (None, today) and payload.get("lang", current_language()) == (
        current_language()
    )


async def refresh_payload(
    session: AsyncSession, services: Services, chat_id: int, kind: str, payload: dict[str, Any]
) -> dict[str, Any] | str:
    """A queued push, checked just before the sender sends it (``Sender(refresh=...)``).

    Returns the reason not to send it (the call closed or removed, its deadline over, or changed
    after this reminder or change notice was written; a digest none of whose calls is still open), or
    the payload: written again when it was written on an earlier day, so a notice, a digest or «Ukas
    frister» held over night does not say "i morgen" on the day itself, and a new-call notice written
    for a deadline that moved since. A push about a call costs one query (its deadline is checked);
    other same-day payloads cost none.
    """
    now = services.now()
    settings = services.settings
    today = local_day(now, settings)
    if kind == KIND_DIGEST:
        if written_for(payload, today):
            return payload
        return await _refresh_digest(session, services, chat_id, payload)
    if kind == KIND_WEEKLY:
        if written_for(payload, today):
            return payload
        calls = await deadlines_between(session, now, now + timedelta(days=WEEKLY_DAYS))
        return {**payload, **render_weekly(calls, now, settings)}
    if kind == KIND_EVENT_REMINDER:
        return await _refresh_event_reminder(session, services, payload)
    if kind == KIND_MILESTONE:
        return await refresh_milestone(session, services, payload, now)
    call_id = payload.get("call_id")
    if kind not in CALL_KINDS or not isinstance(call_id, int):
        return payload
    call = None
    moved = False
    written = payload.get("deadline_key")
    if written is not None:  # (payloads queued before deadlines were written into them have none)
        call = await load_call(session, call_id)
        if call is None:
            return CANCELLED_CLOSED
        # The deadline moved after this was written (the change's fan-out cancels or rewrites such
        # rows right after the poll; this catches one claimed in between): a reminder or a change
        # notice for a deadline that is no longer the call's is not sent; a new-call notice is
        # written again below with the deadline as it is now.
        moved = written != reminder_key(call)
        if moved and kind != KIND_NEW_CALL:
            return CANCELLED_DEADLINE
    expires = payload.get("expires_at")
    if not moved and isinstance(expires, str) and datetime.fromisoformat(expires) <= now:
        return CANCELLED_EXPIRED
    if not moved and written_for(payload, today):
        return payload
    if call is None:
        call = await load_call(session, call_id)
    if call is None or call.status not in LIVE_STATUSES:
        return CANCELLED_CLOSED
    end = deadline_end(call)
    if end is not None and end <= now:
        return CANCELLED_EXPIRED
    if kind == KIND_NEW_CALL:
        reading = (await conditions_of(session, [call.id])).get(call.id)
        return render_new_call(call, now, settings, reading.data if reading else None)
    if kind == KIND_REMINDER:
        return render_reminder(call, now, settings)
    return payload


async def _refresh_event_reminder(
    session: AsyncSession, services: Services, payload: dict[str, Any]
) -> dict[str, Any] | str:
    """An event reminder in the recipient's language (the event as it is now)."""
    event_id = payload.get("event_id")
    if payload.get("lang", current_language()) == current_language() or not isinstance(event_id, int):
        return payload
    event = await get_event(session, event_id)
    if event is None:
        return payload
    return {**payload, **render_event_reminder(event, str(payload.get("lead") or "day"), services.settings)}


async def _refresh_digest(
    session: AsyncSession, services: Services, chat_id: int, payload: dict[str, Any]
) -> dict[str, Any] | str:
    """A digest written on an earlier day (held by quiet hours, retries or a stopped bot), as it
    should read now: calls closed, past their deadline, muted or no longer followed are left out
    (nothing left: not sent), and the days left are counted from today."""
    now = services.now()
    ids = [i for i in payload.get("call_ids") or [] if isinstance(i, int)]
    calls = [
        c
        for c in await load_calls(session, ids)
        if c.status in LIVE_STATUSES and ((end := deadline_end(c)) is None or end > now)
    ]
    wanted = await following(session, [chat_id], calls, policy_for(services.settings))
    calls = [c for c in calls if (chat_id, c.id) in wanted]
    if not calls:
        return CANCELLED_DIGEST_EMPTY
    order = {call_id: index for index, call_id in enumerate(ids)}
    calls.sort(key=lambda c: order.get(c.id, len(order)))
    mode = str(payload.get("digest_mode") or "daily")
    return {**payload, **render_digest_calls(mode, calls, now, services.settings)}


async def screen_claimed(
    session: AsyncSession, services: Services, rows: Sequence[Claimed]
) -> dict[int, str]:
    """Of a claimed batch, the pushes about a call their recipient no longer wants (unsubscribed,
    muted, switched to a digest, deleted their data), and the network's own material to someone
    who is not (or no longer) a member, with the reason (``Sender(screen=...)``)."""
    reasons = await unwanted(session, rows, policy_for(services.settings))
    reasons.update(await not_for_members(session, services, rows))
    return reasons


async def not_for_members(
    session: AsyncSession, services: Services, rows: Sequence[Claimed]
) -> dict[int, str]:
    """The claimed rows for members only whose chat is neither a member's nor the network's group
    (one query per batch)."""
    settings = services.settings
    private = [r for r in rows if members_only(r.kind) and not r.is_group]
    groups = [r for r in rows if members_only(r.kind) and r.is_group]
    members = await members_among(
        session, (r.chat_id for r in private), coordinator_ids=settings.coordinator_ids
    )
    reasons = {r.id: CANCELLED_NOT_MEMBER for r in private if r.chat_id not in members}
    network_group = settings.group_chat_id
    if network_group is not None:
        reasons.update({r.id: CANCELLED_NOT_MEMBER for r in groups if r.telegram_id != network_group})
    return reasons
