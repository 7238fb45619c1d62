"""The planners look only at what is newly due since their last run (``storage.reminders_marks``):
calls and events whose lead-time moments the clock passed, calls that are new or changed (a
confirmed deadline counts as changed), new answers to events, chats whose digest hour came, chats
that changed or started following something."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from bot.push.plan import EVENT_MARKS, REMINDER_MARKS, plan_digests, plan_event_reminders, plan_reminders
from bot.push.render import policy_for
from storage.digests import digest_chats_due
from storage.models import Call, Chat, Event, Rsvp
from storage.reminders_marks import ReminderMarks, newly_due, newly_due_events
from storage.rules import kinds
from storage.rules.deadline_truth import DeadlineState
from storage.types import utcnow
from tests import test_push_world
from tests.test_push_world import World
from tests.test_reminders import member, oslo

world = test_push_world.world

DEADLINE = oslo(2026, 12, 18, 13, 0)
KEY = "2026-12-18T12:00Z"


async def _plan(world: World) -> list[str]:
    async with world.services.session() as s:
        await plan_reminders(s, world.services)
    return [r.subject for r in await world.rows(kinds.KIND_REMINDER)]


async def _newly(world: World) -> tuple[bool, set[int], set[int]]:
    marks = world.services.extras.get(REMINDER_MARKS)
    assert marks is None or isinstance(marks, ReminderMarks)
    async with world.services.session() as s:
        newly, _ = await newly_due(
            s, marks, now=world.clock.now, wall=utcnow(), policy=policy_for(world.services.settings)
        )
    return newly.everything, newly.call_ids, newly.chat_ids


async def test_a_run_looks_only_at_calls_whose_moment_the_clock_passed(world: World) -> None:
    world.clock.set(oslo(2026, 11, 20, 9, 0))
    await member(world)
    near = await world.call("Frist før jul", DEADLINE, first_seen=oslo(2026, 11, 1, 9, 0))
    later = await world.call(
        "Frist etter jul", DEADLINE + timedelta(days=5), first_seen=oslo(2026, 11, 1, 9, 0)
    )
    world.clock.set(oslo(2026, 12, 4, 12, 0))
    assert await _plan(world) == []  # the first run looks at everything
    world.clock.advance(minutes=1)
    everything, calls, _ = await _newly(world)
    assert not everything and calls == set()  # nothing passed: no call is looked at
    world.clock.set(oslo(2026, 12, 4, 13, 0))  # the 14-day moment of the first call
    everything, calls, _ = await _newly(world)
    assert not everything and calls == {near}
    assert await _plan(world) == [f"call:{near}:{KEY}:14"]
    world.clock.set(oslo(2026, 12, 9, 13, 0))
    assert (await _newly(world))[1] == {later}


async def test_a_reminder_whose_moment_passed_while_the_deadline_waited_comes_after_confirmation(
    world: World,
) -> None:
    world.clock.set(oslo(2026, 11, 20, 9, 0))
    await member(world)
    call = await world.call(
        "Frist før jul", DEADLINE, first_seen=oslo(2026, 11, 1, 9, 0), deadline_state=DeadlineState.WAITING
    )
    world.clock.set(oslo(2026, 12, 4, 12, 0))
    assert await _plan(world) == []
    world.clock.set(oslo(2026, 12, 4, 13, 30))  # the 14-day moment passes while it waits
    assert await _plan(world) == []
    world.clock.set(oslo(2026, 12, 5, 10, 0))
    assert await _plan(world) == []
    async with world.services.session() as s:  # a coordinator confirms it («Riktig»)
        await s.execute(
            update(Call)
            .where(Call.id == call)
            .values(deadline_state=DeadlineState.CONFIRMED, deadline_decided_at=world.clock.now)
        )
    world.clock.advance(minutes=1)
    assert await _plan(world) == [f"call:{call}:{KEY}:14"]


async def test_a_chat_that_chose_other_lead_times_is_looked_at_again(world: World) -> None:
    world.clock.set(oslo(2026, 11, 20, 9, 0))
    kari = await member(world)
    call = await world.call("Frist før jul", DEADLINE, first_seen=oslo(2026, 11, 1, 9, 0))
    world.clock.set(oslo(2026, 12, 12, 9, 0))
    assert await _plan(world) == [f"call:{call}:{KEY}:14"]
    async with world.services.session() as s:  # Kari wants a reminder a week before too
        await s.execute(
            update(Chat).where(Chat.id == kari).values(reminder_days=[7, 1], updated_at=datetime.now(UTC))
        )
    world.clock.advance(minutes=1)
    everything, _, chats = await _newly(world)
    assert everything or kari in chats
    assert await _plan(world) == [f"call:{call}:{KEY}:14", f"call:{call}:{KEY}:7"]


async def test_digests_read_only_the_chats_whose_hour_came(world: World) -> None:
    daily = await world.chat(1001, notify_mode="daily")
    early = await world.chat(1002, notify_mode="daily", digest_hour=6)
    policy = policy_for(world.services.settings)
    async with world.services.session() as s:
        assert await digest_chats_due(s, now=oslo(2026, 11, 24, 7, 0), since=None, policy=policy) == [
            daily,
            early,
        ]
        # From 07:00 to 07:30 no digest hour came: no chat is read.
        assert (
            await digest_chats_due(
                s, now=oslo(2026, 11, 24, 7, 30), since=oslo(2026, 11, 24, 7), policy=policy
            )
            == []
        )
        assert await digest_chats_due(
            s, now=oslo(2026, 11, 24, 8, 1), since=oslo(2026, 11, 24, 7), policy=policy
        ) == [daily]


async def test_a_member_who_switches_to_daily_gets_todays_digest_at_once(world: World) -> None:
    kari = await world.chat(1001)
    await world.subscribe(kari, "helse", at=oslo(2026, 11, 1, 9))
    await world.call("Gårsdagens", oslo(2026, 12, 18, 13), first_seen=oslo(2026, 11, 23, 12))
    world.clock.set(oslo(2026, 11, 24, 9, 0))
    async with world.services.session() as s:
        assert await plan_digests(s, world.services) == 0
    async with world.services.session() as s:
        await s.execute(
            update(Chat).where(Chat.id == kari).values(notify_mode="daily", updated_at=datetime.now(UTC))
        )
    world.clock.advance(minutes=1)
    async with world.services.session() as s:
        assert await plan_digests(s, world.services) == 1
    assert [r.subject for r in await world.rows(kinds.KIND_DIGEST)] == ["digest:daily:2026-11-24T07"]


async def test_event_reminders_look_only_at_events_whose_moment_came_or_that_got_answers(
    world: World,
) -> None:
    yes = await world.chat(1001, in_group=True)
    policy = policy_for(world.services.settings)
    async with world.services.session() as s:
        event = Event(title="Webinar", starts_at=oslo(2026, 12, 10, 18, 0), created_at=oslo(2026, 11, 1, 9))
        s.add(event)
        await s.flush()
        event_id = event.id
    world.clock.set(oslo(2026, 12, 9, 17, 0))
    async with world.services.session() as s:
        await plan_event_reminders(s, world.services)
    marks = world.services.extras[EVENT_MARKS]
    async with world.services.session() as s:
        newly, _ = await newly_due_events(
            s, marks, now=oslo(2026, 12, 9, 17, 1), wall=utcnow(), policy=policy
        )
        assert newly.call_ids == set()  # nothing came: no event is looked at
        newly, _ = await newly_due_events(
            s, marks, now=oslo(2026, 12, 9, 18, 0), wall=utcnow(), policy=policy
        )
        assert newly.call_ids == {event_id}  # the day-before moment came
        s.add(Rsvp(event_id=event_id, chat_id=yes, answer="yes"))
        await s.flush()
        newly, _ = await newly_due_events(
            s, marks, now=oslo(2026, 12, 9, 17, 1), wall=utcnow(), policy=policy
        )
        assert newly.call_ids == {event_id}  # a new answer
