"""Digest and weekly-overview times: when the last digest was due, what span it covers, its subject."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, tzinfo

from storage.rules.values import NotifyMode


def last_digest_time(now: datetime, mode: str, hour: int, tz: tzinfo) -> datetime:
    """The latest scheduled digest moment at or before ``now`` (weekly: Mondays), in UTC."""
    local = now.astimezone(tz)
    day_ = local.date()
    while True:
        moment = datetime.combine(day_, time(hour)).replace(tzinfo=tz).astimezone(UTC)
        if moment <= now and (mode != NotifyMode.WEEKLY or day_.weekday() == 0):
            return moment
        day_ -= timedelta(days=1)


def digest_window(now: datetime, mode: str, hour: int, tz: tzinfo) -> tuple[datetime, datetime]:
    """The digest due at or before ``now``: (its scheduled moment, the start of what it covers)."""
    scheduled = last_digest_time(now, mode, hour, tz)
    span = timedelta(days=7 if mode == NotifyMode.WEEKLY else 1)
    return scheduled, scheduled - span


def digest_subject(mode: str, scheduled: datetime) -> str:
    return f"digest:{mode}:{scheduled.strftime('%Y-%m-%dT%H')}"


def in_digest(first_seen_at: datetime, since: datetime | None, start: datetime, scheduled: datetime) -> bool:
    """Whether a call first seen at ``first_seen_at`` goes into the digest for ``start``..``scheduled``
    of a chat that has followed it ``since`` (None: does not follow it)."""
    return start <= first_seen_at < scheduled and since is not None and since <= first_seen_at


def weekly_overview_moment(now: datetime, tz: tzinfo, hour: int = 8) -> datetime | None:
    """This Monday's overview moment if it has come (and it is still Monday), else None."""
    local = now.astimezone(tz)
    if local.weekday() != 0:
        return None
    moment = datetime.combine(local.date(), time(hour)).replace(tzinfo=tz).astimezone(UTC)
    return moment if moment <= now else None
