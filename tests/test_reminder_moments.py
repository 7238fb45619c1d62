"""«Samme dag» and every lead time before the deadline (issue 14, point 3).

Measured failure: for a deadline with a time of day the «samme dag» reminder was planned at the
deadline itself, so it never fired (Forskningsrådet's 13:00 deadlines got none); and a reminder
that came due while the bot was down, found inside the quiet hours, was held until they ended,
which can be after the deadline.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import product
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.push.plan import plan_reminders
from storage.rules import reminders
from storage.rules.policy import PushPolicy
from storage.rules.quiet import QuietHours, in_quiet
from tests import test_push_world
from tests.test_push_world import World

world = test_push_world.world
OSLO = ZoneInfo("Europe/Oslo")


def oslo(*args: int) -> datetime:
    return datetime(*args, tzinfo=OSLO).astimezone(UTC)  # type: ignore[misc]


def parse(text: str) -> QuietHours:
    if text == "":
        return None
    start, end = (int(part) for part in text.split("-"))
    return start, end


POLICY = PushPolicy(
    tz=OSLO,
    default_quiet=(21, 7),
    default_reminder_days=(14, 3, 1, 0),
    default_digest_hour=8,
    parse_quiet=parse,
    matches_keyword=lambda text, word: word in text,
)


def chat(**kw: Any) -> Any:
    return SimpleNamespace(**{"quiet_hours": None, "reminder_days": None, "digest_hour": None, **kw})


def call(deadline: datetime, *, has_time: bool = True) -> Any:
    return SimpleNamespace(deadline_at=deadline, deadline_has_time=has_time, rolling=False)


def test_samme_dag_for_a_timed_deadline_comes_at_the_start_of_that_day() -> None:
    at_one = call(oslo(2026, 12, 18, 13, 0))
    assert reminders.reminder_moment(at_one, 0, chat(), POLICY) == oslo(2026, 12, 18, 8, 0)
    assert reminders.reminder_moment(at_one, 0, chat(digest_hour=10), POLICY) == oslo(2026, 12, 18, 10, 0)
    # A digest hour after the deadline: never after it (an hour before instead).
    assert reminders.reminder_moment(at_one, 0, chat(digest_hour=15), POLICY) == oslo(2026, 12, 18, 12, 0)
    # A digest hour inside the quiet hours: when they end that morning, not the evening before.
    assert reminders.reminder_moment(at_one, 0, chat(digest_hour=6), POLICY) == oslo(2026, 12, 18, 7, 0)
    # Early deadlines: an hour before, moved out of the quiet hours (earlier) if need be.
    assert reminders.reminder_moment(call(oslo(2026, 12, 18, 8, 0)), 0, chat(), POLICY) == oslo(
        2026, 12, 18, 7, 0
    )
    assert reminders.reminder_moment(call(oslo(2026, 12, 18, 7, 30)), 0, chat(), POLICY) == oslo(
        2026, 12, 17, 20, 0
    )


@pytest.mark.parametrize(
    ("deadline", "morning"),
    [
        (oslo(2026, 3, 29, 13, 0), datetime(2026, 3, 29, 6, 0, tzinfo=UTC)),  # summer time starts
        (oslo(2026, 10, 25, 13, 0), datetime(2026, 10, 25, 7, 0, tzinfo=UTC)),  # summer time ends
        (oslo(2027, 3, 28, 13, 0), datetime(2027, 3, 28, 6, 0, tzinfo=UTC)),
    ],
)
def test_samme_dag_on_the_days_summer_time_changes(deadline: datetime, morning: datetime) -> None:
    assert reminders.reminder_moment(call(deadline), 0, chat(), POLICY) == morning


def _deadlines() -> list[datetime]:
    """Every half hour of the days around the summer-time changes, and an ordinary week."""
    days = [
        datetime(2026, 3, 27),
        datetime(2026, 3, 28),
        datetime(2026, 3, 29),
        datetime(2026, 3, 30),
        datetime(2026, 10, 24),
        datetime(2026, 10, 25),
        datetime(2026, 10, 26),
        datetime(2026, 12, 18),
    ]
    return [
        (day.replace(tzinfo=OSLO) + timedelta(minutes=30 * i)).astimezone(UTC)
        for day in days
        for i in range(48)
    ]


QUIETS = (None, "", "21-07", "22-06", "0-8", "20-09")
HOURS = (None, 6, 8, 12, 22)


def test_every_lead_time_is_before_the_deadline_whatever_the_quiet_hours() -> None:
    """A reminder is planned before the deadline and, when it has to be sent late (the bot was
    down, the planner found it inside the quiet hours), it is never held past the deadline."""
    checked = 0
    for deadline, has_time, quiet, hour, days in product(
        _deadlines(), (True, False), QUIETS, HOURS, (14, 3, 1, 0)
    ):
        prefs = chat(quiet_hours=quiet, digest_hour=hour)
        subject = call(deadline, has_time=has_time)
        end = reminders.deadline_end(subject)
        assert end is not None
        moment = reminders.reminder_moment(subject, days, prefs, POLICY)
        assert moment is not None
        assert moment < end, (deadline, has_time, quiet, hour, days, moment)
        for late in (timedelta(0), timedelta(hours=2), timedelta(hours=5)):
            now = moment + late
            if now >= end:
                continue
            send_at, _ = reminders.send_moment(now, end, POLICY.quiet_for(prefs), OSLO)
            assert now <= send_at < end, (deadline, quiet, days, now, send_at)
        checked += 1
    assert checked > 10_000


def test_a_late_reminder_is_held_for_the_quiet_hours_only_when_that_is_still_in_time() -> None:
    quiet = (21, 7)
    end = oslo(2026, 12, 18, 13, 0)
    # Found at 22:00 the evening before a 13:00 deadline: wait until 07:00.
    assert reminders.send_moment(oslo(2026, 12, 17, 22, 0), end, quiet, OSLO) == (
        oslo(2026, 12, 18, 7, 0),
        False,
    )
    # Found at 22:00 the evening before a 06:00 deadline: now, and urgent (past the sender's check).
    early = oslo(2026, 12, 18, 6, 0)
    assert reminders.send_moment(oslo(2026, 12, 17, 22, 0), early, quiet, OSLO) == (
        oslo(2026, 12, 17, 22, 0),
        True,
    )
    assert reminders.send_moment(oslo(2026, 12, 17, 12, 0), early, quiet, OSLO) == (
        oslo(2026, 12, 17, 12, 0),
        False,
    )
    assert not in_quiet(oslo(2026, 12, 18, 7, 0), quiet, OSLO)


async def test_samme_dag_is_planned_in_the_morning_of_a_13_00_deadline(world: World) -> None:
    chat_id = await world.chat(1001, reminder_days=[0])
    await world.subscribe(chat_id, "helse", at=datetime(2020, 1, 1, tzinfo=UTC))
    call_id = await world.call(
        "Forskningsrådet 13:00", oslo(2026, 12, 18, 13, 0), first_seen=oslo(2026, 11, 1, 9)
    )
    world.clock.set(oslo(2026, 12, 18, 7, 59))
    async with world.services.session() as s:
        assert await plan_reminders(s, world.services) == 0
    world.clock.set(oslo(2026, 12, 18, 8, 0))
    async with world.services.session() as s:
        assert await plan_reminders(s, world.services) == 1
    await world.sender.drain()
    text = world.api.last(chat_id=1001).text
    assert "i dag" in text and "Forskningsrådet 13:00" in text
    assert call_id


async def test_a_reminder_found_late_at_night_goes_out_before_an_early_deadline(world: World) -> None:
    chat_id = await world.chat(1001, reminder_days=[1])
    await world.subscribe(chat_id, "helse", at=datetime(2020, 1, 1, tzinfo=UTC))
    await world.call("Tidlig frist", oslo(2026, 12, 18, 6, 0), first_seen=oslo(2026, 11, 1, 9))
    # The 1-day moment was 20:00 on the 16th (06:00 on the 17th is quiet); the bot was down until
    # 23:00 on the 17th. Held to 07:00 on the 18th it would come after the deadline.
    world.clock.set(oslo(2026, 12, 17, 23, 0))
    async with world.services.session() as s:
        assert await plan_reminders(s, world.services) == 1
    [row] = await world.rows("reminder")
    assert row.next_attempt_at <= world.clock.now and row.payload.get("urgent") is True
    await world.sender.drain()
    assert "Tidlig frist" in world.api.last(chat_id=1001).text
