"""The pure push rules (storage.rules): quiet hours, reminder moments, digest times and who may
receive a push, as unit tests without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from storage.rules import audience, digests, kinds, reminders
from storage.rules.policy import PushPolicy
from storage.rules.quiet import QuietHours, before_quiet, in_quiet, quiet_end
from storage.rules.values import NotifyMode

OSLO = ZoneInfo("Europe/Oslo")


def oslo(*args: int) -> datetime:
    return datetime(*args, tzinfo=OSLO).astimezone(UTC)  # type: ignore[misc]


def parse(text: str) -> QuietHours:
    if text == "":
        return None
    start, end = (int(part) for part in text.split("-"))  # ValueError on anything else
    return start, end


POLICY = PushPolicy(
    tz=OSLO,
    default_quiet=(21, 7),
    default_reminder_days=(14, 3, 1),
    default_digest_hour=8,
    parse_quiet=parse,
    matches_keyword=lambda text, word: word in text,
)


def chat(**kw: Any) -> Any:
    return SimpleNamespace(**{"quiet_hours": None, "reminder_days": None, "digest_hour": None, **kw})


def call(deadline: datetime | None, *, has_time: bool = True, rolling: bool = False) -> Any:
    return SimpleNamespace(deadline_at=deadline, deadline_has_time=has_time, rolling=rolling)


# ------------------------------------------------------------------------------------------------
# Quiet hours and the policy
# ------------------------------------------------------------------------------------------------


def test_quiet_hour_helpers() -> None:
    q = (21, 7)
    assert in_quiet(oslo(2026, 3, 2, 21, 0), q, OSLO) and in_quiet(oslo(2026, 3, 2, 6, 59), q, OSLO)
    assert not in_quiet(oslo(2026, 3, 2, 7, 0), q, OSLO) and not in_quiet(oslo(2026, 3, 2, 20, 59), q, OSLO)
    assert quiet_end(oslo(2026, 3, 2, 23, 0), q, OSLO) == oslo(2026, 3, 3, 7, 0)
    assert quiet_end(oslo(2026, 3, 3, 2, 0), q, OSLO) == oslo(2026, 3, 3, 7, 0)
    assert before_quiet(oslo(2026, 3, 3, 2, 0), q, OSLO) == oslo(2026, 3, 2, 20, 0)
    assert before_quiet(oslo(2026, 3, 2, 22, 0), q, OSLO) == oslo(2026, 3, 2, 20, 0)
    assert before_quiet(oslo(2026, 3, 2, 12, 0), q, OSLO) == oslo(2026, 3, 2, 12, 0)
    assert not in_quiet(oslo(2026, 3, 2, 23, 0), None, OSLO)
    # The night summer time starts (last Sunday of March): 07:00 is still 07:00 in Oslo.
    assert quiet_end(oslo(2027, 3, 28, 1, 0), q, OSLO) == datetime(2027, 3, 28, 5, 0, tzinfo=UTC)


def test_quiet_hours_within_one_day() -> None:
    q = (12, 14)
    assert in_quiet(oslo(2026, 3, 2, 12, 0), q, OSLO) and not in_quiet(oslo(2026, 3, 2, 14, 0), q, OSLO)
    assert quiet_end(oslo(2026, 3, 2, 13, 30), q, OSLO) == oslo(2026, 3, 2, 14, 0)
    assert before_quiet(oslo(2026, 3, 2, 13, 30), q, OSLO) == oslo(2026, 3, 2, 11, 0)


@pytest.mark.parametrize(
    ("stored", "expected"), [(None, (21, 7)), ("", None), ("22-06", (22, 6)), ("tull", (21, 7))]
)
def test_a_chats_quiet_hours_default_off_or_own_and_unreadable_means_default(
    stored: str | None, expected: QuietHours
) -> None:
    assert POLICY.quiet_from(stored) == expected
    assert POLICY.quiet_for(chat(quiet_hours=stored)) == expected


def test_a_chats_lead_times_and_digest_hour() -> None:
    assert POLICY.reminder_days_for(chat()) == (1, 3, 14)
    assert POLICY.reminder_days_for(chat(reminder_days=[7, 7, 400, -1, 2])) == (2, 7)
    assert POLICY.digest_hour_for(chat()) == 8 and POLICY.digest_hour_for(chat(digest_hour=0)) == 0


# ------------------------------------------------------------------------------------------------
# Reminder moments
# ------------------------------------------------------------------------------------------------


def test_a_whole_day_deadline_ends_at_midnight_oslo_time() -> None:
    assert reminders.deadline_end(call(oslo(2026, 12, 10, 0, 0), has_time=False)) == oslo(
        2026, 12, 10, 23, 59, 59
    )
    assert reminders.deadline_end(call(oslo(2026, 12, 10, 13, 0))) == oslo(2026, 12, 10, 13, 0)
    assert reminders.deadline_end(call(None)) is None


def test_reminder_keys_name_the_deadline() -> None:
    assert reminders.reminder_key(call(oslo(2026, 12, 18, 13, 0))) == "2026-12-18T12:00Z"
    assert reminders.reminder_key(call(None, rolling=True)) == "rolling"
    assert reminders.reminder_key(call(None)) == "none"
    assert reminders.reminder_subject(5, "2026-12-18T12:00Z", 3) == "call:5:2026-12-18T12:00Z:3"


def test_reminder_moments_keep_the_wall_clock_time_across_summer_time() -> None:
    spring = call(oslo(2027, 4, 6, 13, 0))  # CEST; 14 days before is in CET
    assert reminders.reminder_moment(spring, 14, chat(), POLICY) == datetime(2027, 3, 23, 12, 0, tzinfo=UTC)
    autumn = call(oslo(2026, 10, 26, 13, 0))  # CET; 3 days before is in CEST
    assert reminders.reminder_moment(autumn, 3, chat(), POLICY) == datetime(2026, 10, 23, 11, 0, tzinfo=UTC)


def test_reminder_moments_move_earlier_out_of_quiet_hours_and_whole_days_use_the_digest_hour() -> None:
    early = call(oslo(2026, 12, 10, 6, 0))
    assert reminders.reminder_moment(early, 1, chat(), POLICY) == oslo(2026, 12, 8, 20, 0)
    assert reminders.reminder_moment(early, 1, chat(quiet_hours=""), POLICY) == oslo(2026, 12, 9, 6, 0)
    whole = call(oslo(2026, 12, 10, 0, 0), has_time=False)
    assert reminders.reminder_moment(whole, 1, chat(digest_hour=10), POLICY) == oslo(2026, 12, 9, 10, 0)
    assert reminders.reminder_moment(call(None), 1, chat(), POLICY) is None


def test_only_the_latest_lead_time_that_has_come_and_not_one_the_chat_could_not_know_of() -> None:
    deadline = call(oslo(2026, 12, 18, 13, 0))
    long_ago = oslo(2026, 11, 1, 9, 0)
    latest = reminders.latest_reminder
    assert latest(deadline, chat(), POLICY, now=oslo(2026, 12, 4, 12, 59), earliest=long_ago) is None
    assert latest(deadline, chat(), POLICY, now=oslo(2026, 12, 4, 13, 0), earliest=long_ago) == (
        14,
        oslo(2026, 12, 4, 13, 0),
    )
    # The bot was down for the 3-day moment: on the day before only the 1-day reminder is due.
    assert latest(deadline, chat(), POLICY, now=oslo(2026, 12, 17, 13, 0), earliest=long_ago) == (
        1,
        oslo(2026, 12, 17, 13, 0),
    )
    # First seen after the 14-day moment: nothing late, until the 3-day moment comes.
    seen = oslo(2026, 12, 13, 13, 0)
    assert latest(deadline, chat(), POLICY, now=oslo(2026, 12, 14, 13, 0), earliest=seen) is None
    assert latest(deadline, chat(), POLICY, now=oslo(2026, 12, 15, 13, 0), earliest=seen) == (
        3,
        oslo(2026, 12, 15, 13, 0),
    )


def test_event_reminder_an_hour_before_waits_for_quiet_hours_to_end() -> None:
    at = reminders.event_reminder_moment(oslo(2026, 12, 10, 8, 0), "hour", (21, 7), OSLO)
    assert at == oslo(2026, 12, 10, 7, 0)
    at = reminders.event_reminder_moment(oslo(2026, 12, 10, 7, 10), "hour", (21, 7), OSLO)
    assert at == oslo(2026, 12, 9, 20, 0)
    at = reminders.event_reminder_moment(oslo(2026, 12, 10, 22, 0), "day", (21, 7), OSLO)
    assert at == oslo(2026, 12, 9, 20, 0)


def test_the_latest_event_reminder_that_has_come() -> None:
    starts = oslo(2026, 12, 10, 18, 0)
    created = oslo(2026, 11, 1, 9, 0)
    latest = reminders.latest_event_reminder
    assert latest(starts, created, (21, 7), OSLO, now=oslo(2026, 12, 9, 17, 59)) is None
    assert latest(starts, created, (21, 7), OSLO, now=oslo(2026, 12, 9, 18, 0)) == (
        "day",
        oslo(2026, 12, 9, 18),
    )
    assert latest(starts, created, (21, 7), OSLO, now=oslo(2026, 12, 10, 17, 0)) == (
        "hour",
        oslo(2026, 12, 10, 17, 0),
    )
    # An event created an hour and a half before it starts: no day-before reminder, late.
    late = starts - timedelta(minutes=90)
    assert latest(starts, late, (21, 7), OSLO, now=oslo(2026, 12, 10, 16, 40)) is None
    assert reminders.event_reminder_subject(4, starts, "day") == "event:4:2026-12-10T17:00Z:day"


# ------------------------------------------------------------------------------------------------
# Digest and weekly overview times
# ------------------------------------------------------------------------------------------------


def test_digest_times_daily_and_weekly_on_mondays() -> None:
    wednesday = oslo(2026, 12, 2, 7, 59)
    assert digests.last_digest_time(wednesday, NotifyMode.DAILY, 8, OSLO) == oslo(2026, 12, 1, 8, 0)
    assert digests.last_digest_time(wednesday, NotifyMode.WEEKLY, 8, OSLO) == oslo(2026, 11, 30, 8, 0)
    assert digests.digest_window(wednesday, NotifyMode.DAILY, 8, OSLO) == (
        oslo(2026, 12, 1, 8, 0),
        oslo(2026, 11, 30, 8, 0),
    )
    assert digests.digest_window(wednesday, NotifyMode.WEEKLY, 8, OSLO) == (
        oslo(2026, 11, 30, 8, 0),
        oslo(2026, 11, 23, 8, 0),
    )
    assert digests.digest_subject("daily", oslo(2026, 12, 1, 8, 0)) == "digest:daily:2026-12-01T07"


def test_what_goes_into_a_digest() -> None:
    start, scheduled = oslo(2026, 11, 30, 8), oslo(2026, 12, 1, 8)
    seen = oslo(2026, 11, 30, 12)
    assert digests.in_digest(seen, oslo(2026, 1, 1), start, scheduled)
    assert not digests.in_digest(seen, None, start, scheduled)  # does not follow it
    assert not digests.in_digest(seen, oslo(2026, 11, 30, 13), start, scheduled)  # followed later
    assert not digests.in_digest(scheduled, oslo(2026, 1, 1), start, scheduled)  # the next one's


def test_the_weekly_overview_is_due_on_monday_from_its_hour() -> None:
    assert digests.weekly_overview_moment(oslo(2026, 11, 30, 7, 59), OSLO) is None
    assert digests.weekly_overview_moment(oslo(2026, 11, 30, 8, 0), OSLO) == oslo(2026, 11, 30, 8, 0)
    assert digests.weekly_overview_moment(oslo(2026, 12, 1, 8, 0), OSLO) is None


# ------------------------------------------------------------------------------------------------
# Who may receive a push
# ------------------------------------------------------------------------------------------------


def test_who_is_told_of_a_new_call_at_once() -> None:
    seen = oslo(2026, 12, 1, 9)
    told = audience.told_at_once
    assert told(since=seen, first_seen_at=seen, muted=False, notify_mode=NotifyMode.INSTANT)
    assert not told(since=seen + timedelta(seconds=1), first_seen_at=seen, muted=False, notify_mode="instant")
    assert not told(since=seen, first_seen_at=seen, muted=True, notify_mode=NotifyMode.INSTANT)
    assert not told(since=seen, first_seen_at=seen, muted=False, notify_mode=NotifyMode.DAILY)


@pytest.mark.parametrize(
    ("kind", "mode", "live", "muted", "follows", "reason"),
    [
        (kinds.KIND_REMINDER, None, True, False, True, kinds.CANCELLED_NO_CHAT),
        (kinds.KIND_REMINDER, "instant", False, True, True, kinds.CANCELLED_CLOSED),
        (kinds.KIND_REMINDER, "instant", True, True, False, kinds.CANCELLED_MUTED),
        (kinds.KIND_REMINDER, "instant", True, False, False, kinds.CANCELLED_UNFOLLOWED),
        (kinds.KIND_NEW_CALL, "weekly", True, False, True, kinds.CANCELLED_DIGEST_MODE),
        (kinds.KIND_REMINDER, "weekly", True, False, True, None),
        (kinds.KIND_NEW_CALL, "instant", True, False, True, None),
    ],
)
def test_why_a_claimed_push_is_no_longer_wanted(
    kind: str, mode: str | None, live: bool, muted: bool, follows: bool, reason: str | None
) -> None:
    assert audience.unwanted_reason(kind, notify_mode=mode, live=live, muted=muted, follows=follows) == reason


def test_event_reminders_go_to_yes_and_to_followers_who_did_not_say_no() -> None:
    answers = {1: "yes", 2: "no", 3: "maybe"}
    assert audience.event_audience(answers, [2, 3, 4]) == {1, 3, 4}
    assert audience.event_audience({}, []) == set()


def test_keyword_alerts_read_title_summary_and_source() -> None:
    text = audience.call_text(SimpleNamespace(title="Helse", summary="", source_name="Forskningsrådet"))
    assert text == "Helse\n\nForskningsrådet"
