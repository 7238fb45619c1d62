"""The fan-out: new calls and changed deadlines queued in the outbox for those who follow them.

Every function here only queues (``storage.outbox.enqueue``); the sender delivers. The outbox's
unique key (chat, kind, subject) makes each of them safe to run again: a second poll, a restart
or another process queues nothing twice.

- New calls: ``notify_new_calls``, to members with instant notices who followed a matching topic or
  keyword when the call was first seen. A poll does not run it in its own transaction: ``on_ingest``
  (the hook the composition root hands to the poll wing) only notes a fan-out per new call
  (``storage.fanouts``), and ``bot.push.fanout_job`` runs it in transactions of its own once the
  poll has committed. Members on daily or weekly
  digests get ``bot.push.plan.plan_digests`` instead.
- Changed deadlines: ``notify_deadline_changes``, "Fristen er endret" to those who were told.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from bot.push.opening import notify_call_life
from bot.push.render import (
    policy_for,
    render_deadline_changed,
    render_new_call,
)
from bot.push.wake import wake_fanout_after_commit
from bot.services import Services
from storage import pushes
from storage.conditions import conditions_of
from storage.fanouts import FANOUT_NEW_CALL, queue_fanouts
from storage.following import load_call
from storage.models import Chat
from storage.notices import told_of
from storage.pushes_bulk import ChatRow, enqueue_group, new_call_audience
from storage.rules.kinds import (
    CALL_KINDS,
    CANCELLED_CLOSED,
    CANCELLED_DEADLINE,
    KIND_DEADLINE_CHANGED,
    KIND_NEW_CALL,
    KIND_REMINDER,
)
from storage.rules.policy import PushPolicy
from storage.rules.quiet import QUIET_HELD, quiet_end
from storage.rules.reminders import reminder_key

log = logging.getLogger(__name__)


async def notify_new_calls(session: AsyncSession, services: Services, call_ids: Iterable[int]) -> int:
    """Queue a notice of each new call for every instant-notice member and group that follows it.

    The notice is rendered once per call, and queued in batches of one statement each for the
    chats whose quiet hours hold it to the same moment (``storage.pushes_bulk.enqueue_group``):
    tens of thousands of followers cost a few dozen statements, not one round trip each."""
    now = services.now()
    policy = policy_for(services.settings)
    count = 0
    audience = await new_call_audience(session, call_ids, policy, now=now)
    readings = await conditions_of(session, {call.id for call, _ in audience})
    for call, chats in audience:
        if not chats:
            continue
        reading = readings.get(call.id)
        payload = render_new_call(call, now, services.settings, reading.data if reading else None)
        for (at, note), ids in _by_moment(chats, now, policy).items():
            count += await enqueue_group(
                session,
                ids,
                kind=KIND_NEW_CALL,
                subject=f"call:{call.id}",
                payload=payload,
                not_before=at,
                note=note,
            )
    if count:
        log.info("queued %d notices of new calls", count)
    return count


def _by_moment(
    chats: Iterable[ChatRow | Chat], now: datetime, policy: PushPolicy
) -> dict[tuple[datetime, str | None], list[int]]:
    """Chats grouped by when a message queued now may go to them (the end of their quiet hours),
    with the note that says it was held back."""
    moments: dict[str | None, datetime] = {}
    groups: dict[tuple[datetime, str | None], list[int]] = {}
    for chat in chats:
        if chat.quiet_hours not in moments:
            moments[chat.quiet_hours] = quiet_end(now, policy.quiet_from(chat.quiet_hours), policy.tz)
        at = moments[chat.quiet_hours]
        groups.setdefault((at, QUIET_HELD if at > now else None), []).append(chat.id)
    return groups


async def notify_deadline_changes(
    session: AsyncSession,
    services: Services,
    changes: Iterable[Any],
) -> int:
    """ "Fristen er endret" to those who were told of each call; notices not sent yet are rewritten.

    ``changes``: ``storage.calls.DeadlineChanged`` items or (call_id, old_at, new_at, old_rolling,
    new_rolling) tuples.
    """
    now = services.now()
    policy = policy_for(services.settings)
    count = 0
    for change in changes:
        if isinstance(change, tuple):
            call_id, old_at, _new_at, old_rolling, _new_rolling = change
        else:  # storage.calls.DeadlineChanged
            call_id, old_at, old_rolling = change.call_id, change.old_at, change.old_rolling
        call = await load_call(session, call_id)
        if call is None:
            continue
        # Reminders queued for the old deadline, and an earlier change not sent yet, are replaced.
        await pushes.cancel_pending(
            session,
            [call.id],
            kinds=(KIND_REMINDER, KIND_DEADLINE_CHANGED),
            reason=CANCELLED_DEADLINE,
        )
        reading = (await conditions_of(session, [call.id])).get(call.id)
        for row in await pushes.pending_rows(session, KIND_NEW_CALL, f"call:{call.id}"):
            row.payload = render_new_call(call, now, services.settings, reading.data if reading else None)
        payload = render_deadline_changed(call, old_at, old_rolling, services.settings, now)
        subject = f"call:{call.id}:{reminder_key(call)}"
        for (at, note), ids in _by_moment(await told_of(session, call), now, policy).items():
            count += await enqueue_group(
                session,
                ids,
                kind=KIND_DEADLINE_CHANGED,
                subject=subject,
                payload=payload,
                not_before=at,
                note=note,
            )
    return count


async def on_ingest(session: AsyncSession, result: Any, services: Services) -> None:
    """The ingest hook (``Services.ingest_hooks``, wired by ``bot.app``), in the poll's own
    transaction: closed calls' queued pushes cancelled, new calls' fan-outs noted (done after the
    commit by ``bot.push.fanout_job``), changed deadlines and opened or changed calls told."""
    new = list(getattr(result, "new", []) or [])
    changed = list(getattr(result, "deadline_changed", []) or [])
    closed = list(getattr(result, "closed", []) or [])
    if closed:
        cancelled = await pushes.cancel_pending(session, closed, kinds=CALL_KINDS, reason=CANCELLED_CLOSED)
        if cancelled:
            log.info("cancelled %d queued pushes about %d closed calls", cancelled, len(closed))
    if new and await queue_fanouts(session, new, FANOUT_NEW_CALL):  # done by bot.push.fanout_job
        wake_fanout_after_commit(session, services)
    if changed:
        await notify_deadline_changes(session, services, changed)
    opened_or_changed = await notify_call_life(session, services, result)  # bot.push.opening
    if new or changed or opened_or_changed:
        wake_after_commit(session, services)


def wake_after_commit(session: AsyncSession, services: Services) -> None:
    """Wake this process's sender once the transaction that queued rows has committed.

    Waking it before the commit would let it look, see nothing yet, and wait a whole
    ``FOUI_OUTBOX_POLL_SECONDS`` for rows that were already there.
    """
    from bot.push.wake import wake_sender

    def _wake(_session: Any) -> None:
        wake_sender(services)

    event.listen(session.sync_session, "after_commit", _wake, once=True)
