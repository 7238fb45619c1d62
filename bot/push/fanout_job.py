"""The fan-out as a job of its own: the poll's transaction only notes which calls need a notice
(``storage.fanouts``, one row per call, kind and subject: a new call, an opening, a changed
deadline, a grouped change); this job queues the notice for every follower in transactions of its
own, so a call with 40,000 followers never holds the poll's transaction.

- ``bot.push.fanout.on_ingest`` and ``bot.push.opening`` note the fan-outs in the poll's
  transaction and wake this process's worker once it has committed (``bot.push.wake``).
- ``run_pending``: do every pending fan-out, one transaction each (the row locked while it is done,
  ``SKIP LOCKED`` on PostgreSQL so two processes share the work), queued in batches of chats by
  ``bot.push.fanout.notify_new_calls``; marked done in the same transaction. The outbox's unique
  key (chat, kind, subject) makes a fan-out done twice (after a crash) queue nothing twice.
- ``FanoutWorker``: started with the push jobs; ``wake`` starts ``run_pending`` at once (or once
  more after the run in progress). The minute planner runs ``run_pending`` too (``bot.push.jobs``),
  which recovers what a crash between a poll and its fan-out left pending.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncSession

from bot.push.fanout import fan_out_changes, notify_new_calls
from bot.push.opening import fan_out_opened
from bot.push.wake import wake_sender
from bot.services import Services
from storage.fanouts import CHANGE_FANOUTS, FANOUT_NEW_CALL, FANOUT_OPENED, Fanout, next_pending

log = logging.getLogger(__name__)


async def fan_out_one(session: AsyncSession, services: Services, fanout: Fanout) -> int:
    """Queue one call's notice of the fan-out's kind for its followers; returns how many rows were
    queued. A change (``deadline_changed``, ``call_changed``) takes the call's later pending changes
    along (``bot.push.fanout.fan_out_changes``)."""
    kind, call_id = fanout.kind, fanout.call_id
    if kind == FANOUT_NEW_CALL:
        return await notify_new_calls(session, services, [call_id])
    if kind == FANOUT_OPENED:
        return await fan_out_opened(session, services, call_id)
    if kind in CHANGE_FANOUTS:
        return await fan_out_changes(session, services, fanout)
    log.warning("fan-out of unknown kind %r for call %s: marked done", kind, call_id)
    return 0


async def run_pending(services: Services) -> int:
    """Do every pending fan-out, each in its own transaction; returns how many rows were queued.
    One that fails is logged and left pending (the next run tries again), the others go on."""
    total = 0
    failed: set[int] = set()
    while True:
        fanout_id: int | None = None
        try:
            async with services.session() as session:
                fanout = await next_pending(session, skip=failed)
                if fanout is None:
                    break
                fanout_id = fanout.id
                queued = await fan_out_one(session, services, fanout)
                fanout.done_at = services.now()
        except Exception:
            if fanout_id is None:
                raise
            log.exception("fan-out %s failed; tried again at the next planner run", fanout_id)
            failed.add(fanout_id)
            continue
        if queued:
            total += queued
            wake_sender(services)
        await asyncio.sleep(0)
    return total


class FanoutWorker:
    """This process's fan-out runner: ``wake`` runs ``run_pending`` now, in a task of its own."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._task: asyncio.Task[None] | None = None
        self._again = False

    def wake(self) -> None:
        if self._task is not None and not self._task.done():
            self._again = True  # the run in progress looks again when it is done
            return
        self._task = asyncio.get_running_loop().create_task(self._run(), name="fanout")

    async def _run(self) -> None:
        while True:
            self._again = False
            try:
                await run_pending(self.services)
            except Exception:
                log.exception("fan-out run failed; the planner tries again within a minute")
            if not self._again:
                return

    async def idle(self) -> None:
        """Wait for the run in progress (tests, shutdown)."""
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)
