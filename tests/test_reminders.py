"""Deadline and event reminders, worked out from the database, in Oslo time across DST."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.push.plan import plan_event_reminders, plan_reminders
from storage import pushes
from storage.models import Call, CallMute, DeadlineChange, Event, EventTopic, Rsvp
from storage.rules import kinds
from tests import test_push_world
from tests.test_push_world import World

world = test_push_world.world

OSLO = ZoneInfo("Europe/Oslo")


def oslo(*args: int) -> datetime:
    return datetime(*args, tzinfo=OSLO).astimezone(UTC)  # type: ignore[misc]


async def plan(world: World) -> list[tuple[int, str]]:
    async with world.services.session() as s:
        await plan_reminders(s, world.services)
    return [(await world.chat_of(r), r.subject) for r in await world.rows(kinds.KIND_REMINDER)]


async def member(world: World, telegram_id: int = 1001, **kw: object) -> int:
    chat = await world.chat(telegram_id, **kw)  # type: ignore[arg-type]
    await world.subscribe(chat, "helse", at=datetime(2020, 1, 1, tzinfo=UTC))
    return chat


async def test_reminders_at_each_lead_time_and_only_once(world: World) -> None:
    deadline = oslo(2026, 12, 18, 13, 0)
    world.clock.set(oslo(2026, 11, 20, 9, 0))
    await member(world)
    call = await world.call("Frist før jul", deadline, first_seen=oslo(2026, 11, 1, 9, 0))
    world.clock.set(oslo(2026, 12, 4, 12, 59))
    assert await plan(world) == []
    world.clock.set(oslo(2026, 12, 4, 13, 0))
    key = "2026-12-18T12:00Z"
    assert await plan(world) == [(1001, f"call:{call}:{key}:14")]
    world.clock.advance(minutes=1)
    assert len(await plan(world)) == 1  # planned again: nothing new
    await world.sender.drain()
    world.clock.set(oslo(2026, 12, 17, 13, 0))  # the 3-day moment was missed (say the bot was down)
    assert [s for _, s in await plan(world)] == [f"call:{call}:{key}:14", f"call:{call}:{key}:1"]
    await world.sender.drain()
    text = world.api.last(chat_id=1001).text
    assert "Påminnelse: fristen er i morgen" in text and "Frist før jul" in text
    world.clock.set(oslo(2026, 12, 18, 13, 1))
    assert len(await plan(world)) == 2  # never for a past deadline
    assert len(world.api.sent(chat_id=1001)) == 2


async def test_across_the_start_of_summer_time(world: World) -> None:
    """14 days before 13:00 on 6 April 2027 (CEST) is 13:00 on 23 March (CET): 12:00 UTC, not 11:00."""
    await member(world)
    call = await world.call("Våren", oslo(2027, 4, 6, 13, 0), first_seen=oslo(2027, 1, 1, 9, 0))
    world.clock.set(datetime(2027, 3, 23, 11, 59, tzinfo=UTC))
    assert await plan(world) == []
    world.clock.set(datetime(2027, 3, 23, 12, 0, tzinfo=UTC))
    assert [s for _, s in await plan(world)] == [f"call:{call}:2027-04-06T11:00Z:14"]
    world.clock.set(datetime(2027, 4, 3, 10, 59, tzinfo=UTC))  # 3 days before: 13:00 CEST is 11:00 UTC
    assert len(await plan(world)) == 1
    world.clock.set(datetime(2027, 4, 3, 11, 0, tzinfo=UTC))
    assert len(await plan(world)) == 2


async def test_across_the_end_of_summer_time(world: World) -> None:
    """3 days before 13:00 on Monday 26 October 2026 (CET, 12:00 UTC) is Friday 23 October 13:00
    (CEST): 11:00 UTC. Summer time ends on Sunday 25 October at 03:00."""
    await member(world)
    call = await world.call("Høsten", oslo(2026, 10, 26, 13, 0), first_seen=oslo(2026, 9, 1, 9, 0))
    world.clock.set(datetime(2026, 10, 23, 10, 59, tzinfo=UTC))
    assert f"call:{call}:2026-10-26T12:00Z:3" not in [s for _, s in await plan(world)]
    world.clock.set(datetime(2026, 10, 23, 11, 0, tzinfo=UTC))
    assert f"call:{call}:2026-10-26T12:00Z:3" in [s for _, s in await plan(world)]
    # A day before is Sunday 25 October 13:00, already winter time: 12:00 UTC.
    world.clock.set(datetime(2026, 10, 25, 11, 59, tzinfo=UTC))
    assert f"call:{call}:2026-10-26T12:00Z:1" not in [s for _, s in await plan(world)]
    world.clock.set(datetime(2026, 10, 25, 12, 0, tzinfo=UTC))
    assert f"call:{call}:2026-10-26T12:00Z:1" in [s for _, s in await plan(world)]


async def test_moved_earlier_out_of_quiet_hours_never_later(world: World) -> None:
    await member(world)
    # 1 day before 06:00 on Thursday is 06:00 on Wednesday: quiet, so Tuesday 20:00 instead.
    call = await world.call("Tidlig", oslo(2026, 12, 10, 6, 0), first_seen=oslo(2026, 11, 1, 9, 0))
    world.clock.set(oslo(2026, 12, 8, 19, 59))
    assert f"call:{call}:2026-12-10T05:00Z:1" not in [s for _, s in await plan(world)]
    world.clock.set(oslo(2026, 12, 8, 20, 0))
    assert f"call:{call}:2026-12-10T05:00Z:1" in [s for _, s in await plan(world)]


async def test_whole_day_deadlines_remind_at_the_digest_hour(world: World) -> None:
    await member(world, digest_hour=10)
    call = await world.call(
        "Heldag", oslo(2026, 12, 10, 0, 0), has_time=False, first_seen=oslo(2026, 11, 1, 9)
    )
    world.clock.set(oslo(2026, 12, 9, 9, 59))
    assert [s for _, s in await plan(world) if s.endswith(":1")] == []
    world.clock.set(oslo(2026, 12, 9, 10, 0))
    assert [s for _, s in await plan(world) if s.endswith(":1")] == [f"call:{call}:2026-12-09T23:00Z:1"]
    world.clock.set(oslo(2026, 12, 10, 23, 0))  # still the deadline day: open until midnight
    assert len(await plan(world)) == 2


async def test_member_lead_times_mutes_and_closed_calls(world: World) -> None:
    await member(world, 1001, reminder_days=[7])
    other = await member(world, 1002)
    call = await world.call("A", oslo(2026, 12, 18, 13, 0), first_seen=oslo(2026, 11, 1, 9))
    await world.call("Stengt", oslo(2026, 12, 18, 13, 0), first_seen=oslo(2026, 11, 1, 9), status="closed")
    await world.call("Løpende", None, first_seen=oslo(2026, 11, 1, 9), rolling=True)
    async with world.services.session() as s:
        s.add(CallMute(chat_id=other, call_id=call))
    world.clock.set(oslo(2026, 12, 11, 13, 0))
    assert await plan(world) == [(1001, f"call:{call}:2026-12-18T12:00Z:7")]


async def test_missed_lead_times_are_not_sent_late(world: World) -> None:
    await member(world)
    # First seen 5 days before the deadline: no "14 days" reminder; the 3-day one comes on time.
    world.clock.set(oslo(2026, 12, 13, 13, 0))
    call = await world.call("Sent oppdaget", oslo(2026, 12, 18, 13, 0))
    assert await plan(world) == []
    world.clock.set(oslo(2026, 12, 15, 13, 0))
    assert [s for _, s in await plan(world)] == [f"call:{call}:2026-12-18T12:00Z:3"]


async def test_a_changed_deadline_gives_new_reminders_not_old_ones_again(world: World) -> None:
    await member(world)
    call = await world.call("Flyttes", oslo(2026, 12, 18, 13, 0), first_seen=oslo(2026, 11, 1, 9))
    world.clock.set(oslo(2026, 12, 15, 13, 0))
    assert len(await plan(world)) == 1
    world.clock.set(oslo(2026, 12, 16, 9, 0))
    async with world.services.session() as s:
        row = await s.get(Call, call)
        assert row is not None
        row.deadline_at = oslo(2027, 1, 15, 13, 0)
        s.add(
            DeadlineChange(
                call_id=call,
                old_deadline_at=oslo(2026, 12, 18, 13, 0),
                new_deadline_at=row.deadline_at,
                changed_at=world.clock.now,
            )
        )
    assert len(await plan(world)) == 1  # the 14-day moment (1 January) has not come
    world.clock.set(oslo(2027, 1, 1, 13, 0))
    assert [s for _, s in await plan(world)][-1] == f"call:{call}:2027-01-15T12:00Z:14"


async def test_muting_cancels_queued_reminders(world: World) -> None:
    chat = await member(world)
    call = await world.call("Mute", oslo(2026, 12, 18, 13, 0), first_seen=oslo(2026, 11, 1, 9))
    world.clock.set(oslo(2026, 12, 17, 21, 30))  # in quiet hours: the row waits
    await plan(world)
    async with world.services.session() as s:
        assert await pushes.mute_call(s, telegram_id=1001, call_id=call, now=world.clock.now)
    assert [r.status for r in await world.rows(kinds.KIND_REMINDER)] == ["cancelled"]
    assert chat


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (oslo(2026, 12, 9, 17, 59), []),
        (oslo(2026, 12, 9, 18, 0), ["day"]),
        (oslo(2026, 12, 10, 17, 0), ["day", "hour"]),
    ],
)
async def test_event_reminders_day_and_hour_before(world: World, now: datetime, expected: list[str]) -> None:
    yes = await world.chat(1001)
    no = await world.chat(1002)
    follower = await world.chat(1003)
    await world.chat(1004)
    await world.subscribe(no, "helse")
    await world.subscribe(follower, "helse")
    async with world.services.session() as s:
        event = Event(
            title="Webinar om <velferd>",
            starts_at=oslo(2026, 12, 10, 18, 0),
            location="Teams",
            video_url="https://teams.example/x",
            created_at=oslo(2026, 11, 1, 9),
        )
        s.add(event)
        await s.flush()
        s.add(EventTopic(event_id=event.id, topic_id=world.topics["helse"]))
        s.add(Rsvp(event_id=event.id, chat_id=yes, answer="yes"))
        s.add(Rsvp(event_id=event.id, chat_id=no, answer="no"))
    for moment in sorted({oslo(2026, 12, 9, 18, 0), now}):
        if moment <= now:
            world.clock.set(moment)
            async with world.services.session() as s:
                await plan_event_reminders(s, world.services)
    rows = await world.rows(kinds.KIND_EVENT_REMINDER)
    leads = sorted({r.subject.rsplit(":", 1)[1] for r in rows})
    assert leads == expected
    assert {await world.chat_of(r) for r in rows} == ({1001, 1003} if expected else set())
    if expected:
        text = rows[-1].payload["text"]
        assert "Webinar om &lt;velferd&gt;" in text and "Teams" in text
