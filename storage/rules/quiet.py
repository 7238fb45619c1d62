"""Quiet hours: whether a moment falls in them, and when a push is held to or moved before."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, tzinfo

QuietHours = tuple[int, int] | None

# The outbox note on a row held back for the quiet hours (the sender releases such rows early when
# the chat's quiet hours change).
QUIET_HELD = "holdt tilbake til de stille timene er over"


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
