"""The push wing's scheduled work, through python-telegram-bot's JobQueue: the sender and the push planner.

- ``sender``: one long-running job that drains the outbox while the Application runs (it sees
  rows written by other processes within ``FOUI_OUTBOX_POLL_SECONDS``, and rows queued in this
  process at once through ``Sender.wake``).
- ``fanout`` (``bot.push.fanout_job``): woken after a poll committed, queues each new, opened
  or changed call's notice for its followers in transactions of its own; the planner runs it too, which
  recovers a fan-out a crash left pending.
- ``plan_pushes``: every minute, works out from the database which reminders, digests and
  weekly overviews are due and queues them (the outbox's unique key makes a rerun harmless).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram.ext import Application, ContextTypes

from bot.push.fanout_job import FanoutWorker, run_pending
from bot.push.plan import plan_all
from bot.push.sender import Sender
from bot.push.wake import FANOUT_KEY, SENDER_KEY, get_sender, wake_sender
from bot.services import get_services

log = logging.getLogger(__name__)


async def run_sender(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Drain the outbox for as long as the Application runs."""
    app = context.application
    sender = get_sender(get_services(app))
    if sender is None:
        return
    await sender.run(lambda: bool(app.running))


PLAN_INTERVAL_SECONDS = 60
STOP_WAIT_SECONDS = 5


async def plan_pushes(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Queue the reminders, digests and overviews that are due now, then wake the sender."""
    services = get_services(context.application)
    if not await services.is_leader():  # another process runs the planners (PostgreSQL replicas)
        return
    try:
        fanned = await run_pending(services)  # what a crash between a poll and its fan-out left
    except Exception:
        log.exception("pending fan-outs failed; tried again in a minute")
        fanned = 0
    if fanned:
        log.info("pending fan-outs queued %d notices", fanned)
    counts = await plan_all(services)
    if any(counts.values()):
        log.info("planned pushes: %s", counts)
        wake_sender(services)


async def start_pushes(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Create the sender, give back what an earlier run left half-sent, and schedule the jobs."""
    services = get_services(app)
    sender = Sender(services, app.bot)
    services.extras[SENDER_KEY] = sender
    services.extras[FANOUT_KEY] = FanoutWorker(services)
    await sender.release_own_host_claims(everything=services.settings.is_sqlite)
    if app.job_queue is None:
        log.warning("no JobQueue: pushes are not sent (install python-telegram-bot[job-queue])")
        return
    app.job_queue.run_once(run_sender, when=0, name="sender", job_kwargs={"misfire_grace_time": None})
    app.job_queue.run_repeating(
        plan_pushes,
        interval=PLAN_INTERVAL_SECONDS,
        first=1,
        name="plan_pushes",
        job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
    )


async def stop_pushes(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Give a fan-out in progress a few seconds to finish; one cut short is rolled back and done
    again by the next planner run (nothing lost, nothing twice)."""
    worker = get_services(app).extras.get(FANOUT_KEY)
    if isinstance(worker, FanoutWorker):
        try:
            await asyncio.wait_for(worker.idle(), timeout=STOP_WAIT_SECONDS)
        except TimeoutError:
            log.warning("a fan-out was still running at shutdown; the planner finishes it after the start")
