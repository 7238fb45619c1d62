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
- Changed deadlines: "Fristen er endret" to those who were told. A poll notes a fan-out per change
  (``note_deadline_changes``) and the job does it (``fan_out_changes``), with the grouped
  "Utlysningen er endret" noted by ``bot.push.opening``; a coordinator's answer or edit queues it
  at once (``notify_deadline_changes``). Both go through ``tell_deadline_changed``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from bot.push.opening import note_call_life, tell_call_changed
from bot.push.render import (
    policy_for,
    render_deadline_changed,
    render_new_call,
)
from bot.push.wake import wake_fanout_after_commit
from bot.services import Services
from storage import pushes
from storage.conditions import conditions_of
from storage.fanouts import (
    CHANGE_FANOUTS,
    FANOUT_DEADLINE_CHANGED,
    FANOUT_NEW_CALL,
    Fanout,
    pending_later,
    queue_fanout_items,
    queue_fanouts,
)
from storage.following import load_call
from storage.models import Call
from storage.notices import told_rows
from storage.pushes_bulk import by_moment, enqueue_group, new_call_audience
from storage.rules.kinds import (
    CALL_KINDS,
    CANCELLED_CLOSED,
    CANCELLED_DEADLINE,
    KIND_DEADLINE_CHANGED,
    KIND_NEW_CALL,
    KIND_REMINDER,
)
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
        for (at, note), ids in by_moment(chats, now, policy).items():
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


def _change_of(change: Any) -> tuple[int, datetime | None, bool]:
    """(call id, old deadline, old rolling) of a ``storage.calls.DeadlineChanged`` or a (call_id,
    old_at, new_at, old_rolling, new_rolling) tuple."""
    if isinstance(change, tuple):
        call_id, old_at, _new_at, old_rolling, _new_rolling = change
        return call_id, old_at, bool(old_rolling)
    return change.call_id, change.old_at, bool(change.old_rolling)


def deadline_subject(call: Call) -> str:
    """The outbox subject of a call's "Fristen er endret": one per new deadline."""
    return f"call:{call.id}:{reminder_key(call)}"


async def tell_deadline_changed(
    session: AsyncSession,
    services: Services,
    call: Call,
    *,
    subject: str,
    old_at: datetime | None,
    old_rolling: bool,
    tell: bool = True,
) -> int:
    """A call's deadline changed: reminders queued for the old deadline and an earlier "Fristen er
    endret" not sent yet are cancelled, new-call notices not sent yet show the new deadline (one
    statement each), and, when ``tell``, "Fristen er endret" is queued for those who were told of
    the call, one statement per batch of chats whose quiet hours end at the same moment. Returns
    how many rows were queued."""
    now = services.now()
    policy = policy_for(services.settings)
    await pushes.cancel_pending(
        session,
        [call.id],
        kinds=(KIND_REMINDER, KIND_DEADLINE_CHANGED),
        reason=CANCELLED_DEADLINE,
    )
    reading = (await conditions_of(session, [call.id])).get(call.id)
    await pushes.rewrite_pending(
        session,
        KIND_NEW_CALL,
        f"call:{call.id}",
        render_new_call(call, now, services.settings, reading.data if reading else None),
    )
    if not tell or (old_at == call.deadline_at and old_rolling == call.rolling):
        return 0  # told by a later change, or back where the members last heard it was
    payload = render_deadline_changed(call, old_at, old_rolling, services.settings, now)
    count = 0
    for (at, note), ids in by_moment(await told_rows(session, call), now, policy).items():
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


async def notify_deadline_changes(
    session: AsyncSession,
    services: Services,
    changes: Iterable[Any],
) -> int:
    """ "Fristen er endret" to those who were told of each call, queued in this transaction; notices
    not sent yet are rewritten. For a coordinator's answer or edit (one call); a poll notes a
    fan-out instead (``note_deadline_changes``).

    ``changes``: ``storage.calls.DeadlineChanged`` items or (call_id, old_at, new_at, old_rolling,
    new_rolling) tuples.
    """
    count = 0
    for change in changes:
        call_id, old_at, old_rolling = _change_of(change)
        call = await load_call(session, call_id)
        if call is None:
            continue
        count += await tell_deadline_changed(
            session, services, call, subject=deadline_subject(call), old_at=old_at, old_rolling=old_rolling
        )
    return count


async def note_deadline_changes(session: AsyncSession, services: Services, changes: Iterable[Any]) -> int:
    """In the poll's transaction: note a ``deadline_changed`` fan-out per changed deadline (its
    subject the new deadline's, its detail the old one), done by ``bot.push.fanout_job`` after the
    commit (``fan_out_changes``); returns how many were new."""
    items: list[tuple[int, str, dict[str, Any] | None]] = []
    for change in changes:
        call_id, old_at, old_rolling = _change_of(change)
        call = await session.get(Call, call_id)
        if call is None:
            continue
        detail = {"old_at": old_at.isoformat() if old_at else None, "old_rolling": old_rolling}
        items.append((call.id, deadline_subject(call), detail))
    noted = await queue_fanout_items(session, FANOUT_DEADLINE_CHANGED, items)
    if noted:
        wake_fanout_after_commit(session, services)
    return noted


async def fan_out_changes(session: AsyncSession, services: Services, fanout: Fanout) -> int:
    """Do a change fan-out (``deadline_changed`` or ``call_changed``) and this call's change
    fan-outs noted after it that are still pending, in one transaction and in the order they were
    noted, so no follower is sent a notice that a later one replaces: of several deadline changes
    only the last is told (from the deadline members last heard of), and a grouped "Utlysningen er
    endret" cancels the "Fristen er endret" queued with it before the sender can see it. Returns
    how many rows were queued."""
    later = await pending_later(session, fanout)
    batch = [fanout]
    for other in later:  # up to the next fan-out of another kind (a new-call or opening notice)
        if other.kind not in CHANGE_FANOUTS:
            break
        batch.append(other)
    call = await load_call(session, fanout.call_id)
    now = services.now()
    queued = 0
    carried: tuple[datetime | None, bool] | None = None  # a deadline change told by a later one
    for i, item in enumerate(batch):
        if item is not fanout:
            item.done_at = now
        if call is None:
            continue
        detail = item.detail or {}
        if item.kind == FANOUT_DEADLINE_CHANGED:
            if carried is None:
                old = detail.get("old_at")
                carried = (datetime.fromisoformat(old) if old else None, bool(detail.get("old_rolling")))
            tell = not any(o.kind == FANOUT_DEADLINE_CHANGED for o in batch[i + 1 :])
            queued += await tell_deadline_changed(
                session,
                services,
                call,
                subject=item.subject,
                old_at=carried[0],
                old_rolling=carried[1],
                tell=tell,
            )
            if tell:
                carried = None
        else:
            queued += await tell_call_changed(session, services, call, subject=item.subject, detail=detail)
            if detail.get("grouped"):
                carried = None  # the grouped notice told the deadline as it was then
    if queued:
        log.info("queued %d notices of changed calls", queued)
    return queued


async def on_ingest(session: AsyncSession, result: Any, services: Services) -> None:
    """The ingest hook (``Services.ingest_hooks``, wired by ``bot.app``), in the poll's own
    transaction: closed calls' queued pushes cancelled; fan-outs noted for new calls, changed
    deadlines and opened or changed calls, done after the commit by ``bot.push.fanout_job`` (the
    poll's transaction queues no notice for the followers)."""
    new = list(getattr(result, "new", []) or [])
    changed = list(getattr(result, "deadline_changed", []) or [])
    closed = list(getattr(result, "closed", []) or [])
    if closed:
        cancelled = await pushes.cancel_pending(session, closed, kinds=CALL_KINDS, reason=CANCELLED_CLOSED)
        if cancelled:
            log.info("cancelled %d queued pushes about %d closed calls", cancelled, len(closed))
    if new and await queue_fanouts(session, new, FANOUT_NEW_CALL):  # done by bot.push.fanout_job
        wake_fanout_after_commit(session, services)
    if changed:  # noted before the grouped changes, so done before them
        await note_deadline_changes(session, services, changed)
    await note_call_life(session, services, result)  # bot.push.opening


def wake_after_commit(session: AsyncSession, services: Services) -> None:
    """Wake this process's sender once the transaction that queued rows has committed.

    Waking it before the commit would let it look, see nothing yet, and wait a whole
    ``FOUI_OUTBOX_POLL_SECONDS`` for rows that were already there.
    """
    from bot.push.wake import wake_sender

    def _wake(_session: Any) -> None:
        wake_sender(services)

    event.listen(session.sync_session, "after_commit", _wake, once=True)
