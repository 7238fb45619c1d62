"""Reminder moments: when a deadline ends, when each lead time's reminder is due, event reminders."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo

from storage.rules.policy import ChatPrefs, PushPolicy
from storage.rules.quiet import QuietHours, before_quiet, quiet_end

OSLO = ZoneInfo("Europe/Oslo")

# Event reminder lead times, the latest (an hour before) first.
EVENT_LEADS = (("hour", timedelta(hours=1)), ("day", timedelta(days=1)))


class HasDeadline(Protocol):
    """What the rules read of a call's deadline (a ``storage.models.Call`` fits)."""

    @property
    def deadline_at(self) -> datetime | None: ...

    @property
    def deadline_has_time(self) -> bool: ...

    @property
    def rolling(self) -> bool: ...


def deadline_end(call: HasDeadline) -> datetime | None:
    """The last moment a call is open: the deadline, or the end of its day when it has no time."""
    if call.deadline_at is None:
        return None
    if call.deadline_has_time:
        return call.deadline_at
    day_ = call.deadline_at.astimezone(OSLO).date() + timedelta(days=1)
    return datetime.combine(day_, time(0)).replace(tzinfo=OSLO).astimezone(UTC) - timedelta(seconds=1)


def reminder_key(call: HasDeadline) -> str:
    """The deadline as it goes into a reminder's subject (a changed deadline gets new reminders)."""
    if call.rolling or call.deadline_at is None:
        return "rolling" if call.rolling else "none"
    return call.deadline_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def reminder_subject(call_id: int, key: str, days: int) -> str:
    return f"call:{call_id}:{key}:{days}"


def reminder_moment(call: HasDeadline, days: int, chat: ChatPrefs, policy: PushPolicy) -> datetime | None:
    """When the ``days``-before reminder goes out, in UTC.

    With a time of day: the same wall-clock time ``days`` days earlier in Norwegian time (so the
    changes to and from summer time do not shift it). A whole-day deadline: the member's digest
    hour on that day. Either way moved earlier, never later, out of the quiet hours.
    """
    if call.deadline_at is None:
        return None
    local = call.deadline_at.astimezone(policy.tz)
    if call.deadline_has_time:
        naive = local.replace(tzinfo=None) - timedelta(days=days)
    else:
        naive = datetime.combine(local.date() - timedelta(days=days), time(policy.digest_hour_for(chat)))
    moment = naive.replace(tzinfo=policy.tz).astimezone(UTC)
    return before_quiet(moment, policy.quiet_for(chat), policy.tz)


def latest_reminder(
    call: HasDeadline, chat: ChatPrefs, policy: PushPolicy, *, now: datetime, earliest: datetime
) -> tuple[int, datetime] | None:
    """Of the chat's lead times whose moment has come, the latest one (days, moment), provided that
    moment came at or after ``earliest`` (when the chat could have known of the deadline). Earlier
    lead times that were missed are not sent late: the latest reminder says how many days are left."""
    for days in policy.reminder_days_for(chat):  # smallest lead first: the latest moment
        at = reminder_moment(call, days, chat, policy)
        if at is None or at > now:
            continue
        return (days, at) if at >= earliest else None
    return None


def event_reminder_moment(starts_at: datetime, lead: str, quiet: QuietHours, tz: tzinfo) -> datetime:
    """A day before (same wall-clock time) or an hour before; out of the quiet hours: a day-before
    reminder is moved earlier, an hour-before one waits for the quiet hours to end if that is still
    in time, else it too is moved earlier."""
    if lead == "day":
        local = starts_at.astimezone(tz).replace(tzinfo=None) - timedelta(days=1)
        return before_quiet(local.replace(tzinfo=tz).astimezone(UTC), quiet, tz)
    moment = starts_at - timedelta(hours=1)
    held = quiet_end(moment, quiet, tz)
    if held <= starts_at - timedelta(minutes=15):
        return held
    return before_quiet(moment, quiet, tz)


def latest_event_reminder(
    starts_at: datetime, created_at: datetime, quiet: QuietHours, tz: tzinfo, *, now: datetime
) -> tuple[str, datetime] | None:
    """The latest event lead time whose moment has come (lead, moment), if that moment came after
    the event was created."""
    for lead, _ in EVENT_LEADS:  # the hour before first: the latest moment
        at = event_reminder_moment(starts_at, lead, quiet, tz)
        if at > now:
            continue
        return (lead, at) if at >= created_at else None
    return None


def event_reminder_subject(event_id: int, starts_at: datetime, lead: str) -> str:
    starts = starts_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")
    return f"event:{event_id}:{starts}:{lead}"
