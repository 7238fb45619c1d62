"""A source failing for 24 hours is reported once to the coordinators, and again when it recovers.

The job works from the database (``Source.failing_reported_at``), so a restart neither repeats a
report nor forgets one; each notice has its own outbox subject, so it is never queued twice.
"""

from __future__ import annotations

import html
import logging
from datetime import timedelta
from typing import Any

from telegram.ext import Application, ContextTypes

from bot import texts
from bot.services import Services
from storage import events, stats
from storage.outbox import enqueue

log = logging.getLogger(__name__)

FAILING_AFTER = timedelta(hours=24)
CHECK_SECONDS = 15 * 60
KIND = "source_health"


async def report_source_health(services: Services) -> tuple[int, int]:
    """Queue the notices due now; returns (failing reported, recoveries reported)."""
    now, tz = services.now(), services.settings.tz
    today = now.astimezone(tz).date()
    coordinators = services.settings.coordinator_ids
    async with services.session() as session:
        failing, recovered = await stats.sources_to_report(session, now=now, after=FAILING_AFTER)
        if not failing and not recovered:
            return 0, 0
        # A configured coordinator is expected to have started the bot; if not, the sender records why.
        chat_ids = [
            (await events.person_chat(session, uid, name="", username=None, now=now, private=True)).id
            for uid in coordinators
        ]
        for source in failing:
            since = source.last_success_at
            text = texts.SOURCE_FAILING_NOTICE.format(
                name=html.escape(source.name),
                since=texts.format_datetime(since, tz=tz, today=today) if since else texts.SOURCE_NEVER,
                error=html.escape((source.last_error or "")[:300]),
            )
            subject = f"source_failing:{source.id}:{(since or source.created_at).isoformat()}"
            for chat_id in chat_ids:
                await enqueue(
                    session,
                    chat_id=chat_id,
                    kind=KIND,
                    subject=subject,
                    payload={"text": text},
                    not_before=now,
                )
            source.failing_reported_at = now
            log.warning("source %s (%s) has failed for over 24 hours: reported", source.id, source.name)
        for source in recovered:
            reported = source.failing_reported_at
            assert reported is not None
            when = source.last_success_at or now
            text = texts.SOURCE_RECOVERED_NOTICE.format(
                name=html.escape(source.name), when=texts.format_datetime(when, tz=tz, today=today)
            )
            subject = f"source_recovered:{source.id}:{reported.isoformat()}"
            for chat_id in chat_ids:
                await enqueue(
                    session,
                    chat_id=chat_id,
                    kind=KIND,
                    subject=subject,
                    payload={"text": text},
                    not_before=now,
                )
            source.failing_reported_at = None
            log.info("source %s (%s) has recovered: reported", source.id, source.name)
        await session.flush()
    return len(failing), len(recovered)


async def source_health_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The scheduled check."""
    from bot.services import get_services

    services = get_services(context)
    if await services.is_leader():  # one process reports (PostgreSQL replicas)
        await report_source_health(services)


async def schedule_source_health(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    if app.job_queue is not None:
        app.job_queue.run_repeating(source_health_job, interval=CHECK_SECONDS, first=60, name="source_health")
