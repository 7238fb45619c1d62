"""Scheduled work, through python-telegram-bot's JobQueue: the sender and the push planner.

- ``sender``: one long-running job that drains the outbox while the Application runs (it sees
  rows written by other processes within ``FOUI_OUTBOX_POLL_SECONDS``, and rows queued in this
  process at once through ``Sender.wake``).
- ``plan_pushes``: every minute, works out from the database which reminders, digests and
  weekly overviews are due and queues them (the outbox's unique key makes a rerun harmless).
"""

from __future__ import annotations

import logging
from typing import Any

from telegram.ext import Application, ContextTypes

from bot.sender import Sender
from bot.services import Services, get_services

log = logging.getLogger(__name__)

SENDER_KEY = "sender"


def get_sender(services: Services) -> Sender | None:
    sender = services.extras.get(SENDER_KEY)
    return sender if isinstance(sender, Sender) else None


def wake_sender(services: Services) -> None:
    """Tell this process's sender that something was queued."""
    sender = get_sender(services)
    if sender is not None:
        sender.wake()


async def run_sender(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Drain the outbox for as long as the Application runs."""
    app = context.application
    sender = get_sender(get_services(app))
    if sender is None:
        return
    await sender.run(lambda: bool(app.running))


PLAN_INTERVAL_SECONDS = 60


async def plan_pushes(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Queue the reminders, digests and overviews that are due now, then wake the sender."""
    from bot.notify import plan_all

    services = get_services(context.application)
    counts = await plan_all(services)
    if any(counts.values()):
        log.info("planned pushes: %s", counts)
        wake_sender(services)


def register_ingest_hook() -> bool:
    """Put the new-call fan-out into ``bot.polling.ON_INGEST`` (once); returns True when it is there."""
    from bot.notify import on_ingest
    from bot.polling import ON_INGEST

    if on_ingest not in ON_INGEST:
        ON_INGEST.append(on_ingest)
    return True


async def seed_push_hooks(services: Services) -> None:
    """A SEEDER, so ``foui-bot poll`` in another process queues notices too."""
    register_ingest_hook()


async def start_pushes(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Create the sender, give back what an earlier run left half-sent, and schedule the jobs."""
    services = get_services(app)
    register_ingest_hook()
    sender = Sender(services, app.bot)
    services.extras[SENDER_KEY] = sender
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
