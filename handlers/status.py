"""/status and /statistikk for the coordinators."""

from __future__ import annotations

import html
from datetime import datetime, timedelta
from importlib.metadata import PackageNotFoundError, version
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import ContextTypes

from bot import texts
from handlers import registry
from handlers.coordinator import coordinator_only, say, services_of
from handlers.source_checks import plain_reason
from storage import stats, truth
from storage.models import Source

ACTIVE_DAYS = 30
MAX_FAILING_LINES = 10


def app_version() -> str:
    try:
        return version("foui-bot")
    except PackageNotFoundError:
        return texts.STATUS_DB_UNKNOWN


def format_uptime(elapsed: timedelta) -> str:
    seconds = max(0, int(elapsed.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return texts.UPTIME.format(days=days, hours=hours, minutes=minutes)
    return texts.UPTIME_SHORT.format(hours=hours, minutes=minutes)


def failing_line(source: Source, tz: ZoneInfo, now: datetime) -> str:
    since = stats.failing_since(source) or now
    error = plain_reason((source.last_error or "").strip().splitlines()[0])[:120] if source.last_error else ""
    return texts.STATUS_FAILING_LINE.format(
        name=html.escape(source.name),
        since=texts.format_datetime(since, tz=tz, today=now.astimezone(tz).date()),
        error=html.escape(error),
    )


def truth_lines(figures: truth.TruthCounts, tz: ZoneInfo, now: datetime) -> str:
    """How many live deadlines a coordinator confirmed, were read certainly, wait; the oldest waiting."""
    text = texts.STATUS_TRUTH.format(
        confirmed=figures.confirmed, certain=figures.certain, waiting=figures.waiting
    )
    oldest = figures.oldest
    if oldest is not None and oldest.deadline_waiting_since is not None:
        since = texts.format_datetime(oldest.deadline_waiting_since, tz=tz, today=now.astimezone(tz).date())
        text += "\n" + texts.STATUS_TRUTH_OLDEST.format(title=html.escape(oldest.title[:120]), since=since)
    return text


@coordinator_only
async def status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/status: version, uptime, database, outbox, deliveries and failing sources."""
    services = services_of(context)
    now, tz = services.now(), services.settings.tz
    async with services.session() as session:
        revision = await stats.database_revision(session)
        outbox = await stats.outbox_summary(session, now=now)
        sources = await stats.list_sources(session)
        failing = await stats.failing_sources(session)
        figures = await truth.counts(session)
    lines = [
        texts.STATUS.format(
            version=html.escape(app_version()),
            uptime=format_uptime(now - services.started_at),
            database="SQLite" if services.settings.is_sqlite else "PostgreSQL",
            revision=html.escape(revision or texts.STATUS_DB_UNKNOWN),
            waiting=outbox.waiting,
            sent=outbox.sent_24h,
            failed=outbox.failed_24h,
            sources=len(sources),
            failing=len(failing),
        )
    ]
    if failing:
        lines += [failing_line(s, tz, now) for s in failing[:MAX_FAILING_LINES]]
    elif sources:
        lines.append(texts.STATUS_ALL_SOURCES_OK)
    lines.append(truth_lines(figures, tz, now))
    group = services.settings.group_chat_id
    count = len(services.settings.coordinator_ids)
    lines.append(
        texts.STATUS_NO_GROUP if group is None else texts.STATUS_GROUP.format(group=group, count=count)
    )
    await say(update, context, "\n".join(lines))


@coordinator_only
async def statistikk(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/statistikk: members, active members, subscriptions per topic, deliveries per week."""
    services = services_of(context)
    now, tz = services.now(), services.settings.tz
    async with services.session() as session:
        members = await stats.member_stats(session, now=now, active_days=ACTIVE_DAYS)
        per_topic = await stats.subscriptions_per_topic(session)
        per_week = await stats.deliveries_per_week(session, now=now, tz=tz)
    topics = "\n".join(texts.STATISTICS_TOPIC_LINE.format(name=html.escape(n), count=c) for n, c in per_topic)
    weeks = "\n".join(
        texts.STATISTICS_WEEK_LINE.format(
            week=monday.isocalendar().week, monday=f"{monday:%d.%m.}", count=count
        )
        for monday, count in per_week
    )
    await say(
        update,
        context,
        texts.STATISTICS.format(
            members=members.members,
            active=members.active,
            days=ACTIVE_DAYS,
            groups=members.groups,
            topics=topics or texts.NO_TOPICS,
            weeks=weeks,
        ),
    )


COORD = frozenset({registry.COORDINATOR})
COMMANDS = [
    registry.Command("status", "Driftsstatus: utboks, kilder, database", COORD, callback=status),
    registry.Command("statistikk", "Medlemmer, abonnement og leveranser", COORD, callback=statistikk),
]
