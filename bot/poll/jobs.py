"""The poll wing's scheduled job: each source polled at its own interval, one chain of jobs.

Each run starts the due sources in the background (``bot.poll.workers.Poller``, at most
``FOUI_POLL_WORKERS`` at a time) and plans the next run without waiting for them.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram.ext import Application, ContextTypes

from bot.poll.workers import Poller
from bot.services import Services, get_services
from storage import sources as source_store

log = logging.getLogger(__name__)

JOB_NAME = "poll-sources"
POLLER_KEY = "poll_workers"
# The job runs again when the next source is due, but looks at least every TICK_SECONDS (sources
# added or changed meanwhile) and at most every MIN_TICK_SECONDS (a source whose poll broke before
# its next time was recorded cannot make it spin). Each source keeps its own interval.
TICK_SECONDS = 20.0
MIN_TICK_SECONDS = 1.0
FIRST_POLL_SECONDS = 5.0  # after a start, let the bot settle before the first fetches


def poller_of(app: Application[Any, Any, Any, Any, Any, Any]) -> Poller:
    """The application's one Poller (made on first use; kept with the services, not in bot_data,
    which persistence may save)."""
    services = get_services(app)
    poller = services.extras.get(POLLER_KEY)
    if not isinstance(poller, Poller):

        async def replan() -> None:
            await _replan(app)

        poller = services.extras[POLLER_KEY] = Poller(services, on_finish=replan)
    return poller


async def _replan(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """After a source's poll: look again sooner when that source (or another) is due before the
    job's next run (a tick plans without the sources still being polled)."""
    if not app.running or app.job_queue is None:
        return
    poller = poller_of(app)
    seconds = await next_tick(poller.services, busy=poller.running.keys())
    when = datetime.now(UTC) + timedelta(seconds=seconds)
    jobs = app.job_queue.get_jobs_by_name(JOB_NAME)
    if jobs and all(j.next_t is not None and j.next_t <= when for j in jobs):
        return
    _schedule(app, seconds)


async def poll_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The scheduled job: start polling the sources that are due, then plan the next run."""
    app = context.application
    poller = poller_of(app)
    try:
        await poller.tick()
    except Exception:
        log.exception("could not start polling the due sources")
    finally:
        if app.running and app.job_queue is not None:
            _schedule(app, await next_tick(poller.services, busy=poller.running.keys()))


def tick_after(now: datetime, next_due: datetime | None) -> float:
    """Seconds until the job looks again: when the next source is due, within the bounds."""
    if next_due is None:
        return TICK_SECONDS
    return min(TICK_SECONDS, max(MIN_TICK_SECONDS, (next_due - now).total_seconds()))


async def next_tick(services: Services, *, busy: Collection[int] = ()) -> float:
    """Seconds until the next source is due (never polled: at once), within the bounds; the
    sources being polled right now (``busy``) are left out."""
    try:
        async with services.session() as session:
            sources = await source_store.list_sources(session, include_disabled=False)
    except Exception:
        log.exception("could not read when the sources are due; looking again in %s s", TICK_SECONDS)
        return TICK_SECONDS
    now = services.now()
    due = [s.next_poll_at or now for s in sources if s.id not in busy]
    return tick_after(now, min(due) if due else None)


def _schedule(app: Application[Any, Any, Any, Any, Any, Any], seconds: float) -> None:
    """The next run, replacing any already planned: there is one chain of jobs, never two."""
    assert app.job_queue is not None
    for job in app.job_queue.get_jobs_by_name(JOB_NAME):
        job.schedule_removal()
    app.job_queue.run_once(poll_job, when=seconds, name=JOB_NAME, job_kwargs={"misfire_grace_time": None})


async def start_polling(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """A STARTER: poll each source at its own interval; one chain of jobs, each planning the next."""
    if app.job_queue is None:
        log.warning("no JobQueue: sources are not polled (install python-telegram-bot[job-queue])")
        return
    _schedule(app, max(FIRST_POLL_SECONDS, await next_tick(get_services(app))))


async def stop_polling(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """On shutdown: the polls still running are cancelled (their sources stay due) and the fetcher closed."""
    poller = get_services(app).extras.get(POLLER_KEY)
    if isinstance(poller, Poller):
        await poller.aclose()
