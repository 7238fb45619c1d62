"""What source buttons share: the audit entry, and polling one source in the background with a report."""

from __future__ import annotations

import asyncio
import html
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot import texts
from bot.poll.poll import PollOutcome, poll_source
from bot.services import Services
from handlers.coordinator import services_of
from handlers.source_cards import next_poll_text
from handlers.source_checks import plain_reason
from storage import audit
from storage import sources as source_store
from storage.following import load_call

TASKS_KEY = "sources_admin_tasks"  # background polls ("Hent nå"), awaited by tests and on shutdown
MAX_ITEMS_SHOWN = 10


def _deadline(at: datetime | None, has_time: bool, rolling: bool, tz: ZoneInfo, now: datetime) -> str:
    if rolling:
        return texts.KI_DEADLINE_ROLLING
    if at is None:
        return texts.KI_DEADLINE_NONE
    return texts.format_datetime(at, has_time=has_time, tz=tz, today=now.astimezone(tz).date())


async def render_outcome(services: Services, outcome: PollOutcome) -> str:
    """What "Hent nå" (or the first poll of a new source) came to: counts and the calls, or the error."""
    tz, now = services.settings.tz, services.now()
    name = html.escape(outcome.name)
    if not outcome.ok:
        async with services.session() as session:
            source = await source_store.get_source(session, outcome.source_id)
            failures = source.consecutive_failures if source else 0
            next_poll = next_poll_text(source, tz, now) if source else texts.KI_NEXT_SOON
        return texts.KI_POLL_FAILED.format(
            name=name,
            reason=html.escape(plain_reason(outcome.reason or "")),
            failures=failures,
            next=next_poll,
        )
    result = outcome.result
    if outcome.not_modified or result is None:
        return texts.KI_POLL_NOT_MODIFIED.format(name=name)
    lines = [
        texts.KI_POLL_OK.format(
            name=name,
            found=outcome.found,
            new=len(result.new) + len(result.new_closed),
            changed=len(result.changed),
            closed=len(result.closed),
        )
    ]
    marks: dict[int, str] = {}
    for call_id in [*result.new, *result.new_closed]:
        marks[call_id] = texts.KI_MARK_NEW
    for change in result.deadline_changed:
        marks[change.call_id] = texts.KI_MARK_DEADLINE
    for call_id in result.closed:
        marks.setdefault(call_id, texts.KI_MARK_CLOSED)
    for call_id in result.changed:
        marks.setdefault(call_id, texts.KI_MARK_CHANGED)
    async with services.session() as session:
        for call_id, mark in list(marks.items())[:MAX_ITEMS_SHOWN]:
            call = await load_call(session, call_id)
            if call is not None:
                deadline = _deadline(call.deadline_at, call.deadline_has_time, call.rolling, tz, now)
                lines.append(
                    texts.KI_POLL_ITEM.format(mark=mark, title=html.escape(call.title), deadline=deadline)
                )
    if len(marks) > MAX_ITEMS_SHOWN:
        lines.append(texts.KI_POLL_MORE.format(count=len(marks) - MAX_ITEMS_SHOWN))
    if outcome.warnings:
        lines.append(
            texts.KI_POLL_WARNINGS.format(
                count=len(outcome.warnings), first=html.escape(outcome.warnings[0][:200])
            )
        )
    return "\n".join(lines)


async def record(update: Update, services: Services, action: str, detail: dict[str, Any]) -> None:
    user = update.effective_user
    async with services.session() as session:
        await audit.record(
            session, actor_id=user.id if user else None, action=action, detail=detail, at=services.now()
        )


def background_polls(services: Services) -> set[asyncio.Task[Any]]:
    tasks: set[asyncio.Task[Any]] = services.extras.setdefault(TASKS_KEY, set())
    return tasks


async def _poll_and_report(services: Services, bot: Any, chat_id: int, source_id: int) -> PollOutcome:
    """Poll one source exactly as the job does (ingest hooks, health) and tell the coordinator."""
    outcome = await poll_source(services, source_id)
    await bot.send_message(chat_id, await render_outcome(services, outcome), parse_mode=ParseMode.HTML)
    return outcome


def start_poll(update: Update, context: ContextTypes.DEFAULT_TYPE, source_id: int) -> asyncio.Task[Any]:
    """Poll in the background, so a slow source does not hold up the bot for everyone else."""
    services = services_of(context)
    chat = update.effective_chat
    assert chat is not None
    work = _poll_and_report(services, context.bot, chat.id, source_id)
    app = context.application
    # While running, the Application awaits the task on shutdown and reports its errors.
    task = (
        app.create_task(work, update=update, name="kilder:hent")
        if app.running
        else asyncio.get_running_loop().create_task(work, name="kilder:hent")
    )
    tasks = background_polls(services)
    tasks.add(task)
    task.add_done_callback(tasks.discard)
    return task
