"""What to push, worked out from the database: new-call recipients, due reminders, digests.

Everything here is a query or a pure function of the database's state and the time, so a
restart, a second process or a changed deadline all go through the same code, and the outbox's
unique key (chat, kind, subject) makes running it twice harmless.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, tzinfo

QuietHours = tuple[int, int] | None


def in_quiet(moment: datetime, quiet: QuietHours, tz: tzinfo) -> bool:
    """Whether ``moment`` falls in the quiet hours (start inclusive, end exclusive), local time."""
    if quiet is None:
        return False
    start, end = quiet
    hour = moment.astimezone(tz).hour
    if start > end:  # over midnight, e.g. 21-07
        return hour >= start or hour < end
    return start <= hour < end


def _local(day_: datetime, hour: int, tz: tzinfo) -> datetime:
    return datetime.combine(day_.date(), time(hour)).replace(tzinfo=tz).astimezone(UTC)


def quiet_end(moment: datetime, quiet: QuietHours, tz: tzinfo) -> datetime:
    """``moment``, or when the quiet hours it falls in are over (held back, never earlier)."""
    if quiet is None or not in_quiet(moment, quiet, tz):
        return moment
    start, end = quiet
    local = moment.astimezone(tz).replace(tzinfo=None)
    day_ = local + timedelta(days=1) if start > end and local.hour >= start else local
    return _local(day_, end, tz)


def before_quiet(moment: datetime, quiet: QuietHours, tz: tzinfo) -> datetime:
    """``moment``, or one hour before the quiet hours it falls in began (moved earlier, never later)."""
    if quiet is None or not in_quiet(moment, quiet, tz):
        return moment
    start, end = quiet
    local = moment.astimezone(tz).replace(tzinfo=None)
    day_ = local - timedelta(days=1) if start > end and local.hour < end else local
    begin = datetime.combine(day_.date(), time(start)) - timedelta(hours=1)
    return begin.replace(tzinfo=tz).astimezone(UTC)
