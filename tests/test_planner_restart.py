"""The planners' marks outlive the process (``bot_state``, kind "planner"): after a restart, or on a
replica that becomes the planner leader, a run looks only at what became due since the last run
(moments the clock passed, calls and events changed while the bot was down, chats that changed),
not at everything; a real first run commits a batch at a time and stores its marks at the end.
Unmuting a call is seen by the next run."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select, update

from bot import persistence
from bot.push import plan
from bot.push.plan import plan_digests, plan_event_reminders, plan_pruning, plan_reminders
from storage import bot_state, pushes
from storage.models import Call, Chat, Event, Outbox
from storage.reminders_marks import PLANNER
from storage.replica_models import BotState
from storage.rules import kinds
from storage.rules.deadline_truth import DeadlineState
from tests import test_push_world
from tests.test_push_world import World
from tests.test_reminders import member, oslo

world = test_push_world.world

DEADLINE = oslo(2026, 12, 18, 13, 0)
KEY = "2026-12-18T12:00Z"
SEEN = oslo(2026, 11, 1, 9, 0)


class Looked:
    """What the reminder planner asked ``due_reminders`` about: the calls, and the chats."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: set[int] = set()
        self.chats: set[int] = set()
        self.runs = 0
        real = plan.due_reminders

        async def spy(session: Any, **kw: Any) -> Any:
            self.runs += 1
            if kw.get("chat_ids") is None:
                self.calls.update(kw.get("call_ids") or ())
            else:
                self.chats.update(kw["chat_ids"])
            return await real(session, **kw)

        monkeypatch.setattr(plan, "due_reminders", spy)

    def clear(self) -> None:
        self.calls, self.chats, self.runs = set(), set(), 0


async def _plan(world: World) -> list[str]:
    async with world.services.session() as s:
        await plan_reminders(s, world.services)
    return [r.subject for r in await world.rows(kinds.KIND_REMINDER)]


async def _settle(world: World) -> None:
    """The chats were last changed long ago (else every run in the next minutes would look at them
    again as changed: ``updated_at`` is the wall clock's)."""
    async with world.services.session() as s:
        await s.execute(update(Chat).values(updated_at=datetime(2020, 1, 1, tzinfo=UTC)))


def _restart(world: World) -> None:
    """A new process (or another replica taking over the planners): nothing in memory."""
    world.services.extras.clear()


async def _two_calls(world: World) -> tuple[int, int, int]:
    world.clock.set(oslo(2026, 11, 20, 9, 0))
    kari = await member(world)
    near = await world.call("Frist før jul", DEADLINE, first_seen=SEEN)
    later = await world.call("Frist etter jul", DEADLINE + timedelta(days=5), first_seen=SEEN)
    await _settle(world)
    return kari, near, later


async def test_after_a_restart_with_nothing_changed_a_run_looks_at_nothing(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, near, later = await _two_calls(world)
    world.clock.set(oslo(2026, 12, 4, 12, 0))
    assert await _plan(world) == []  # the first run: everything, and its marks are stored
    _restart(world)
    looked = Looked(monkeypatch)
    world.clock.advance(minutes=1)
    assert await _plan(world) == []
    assert looked.calls == set() and looked.chats == set()
    # Another restart, and the clock passes the first call's 14-day moment: only that call.
    _restart(world)
    world.clock.set(oslo(2026, 12, 4, 13, 0))
    assert await _plan(world) == [f"call:{near}:{KEY}:14"]
    assert looked.calls == {near} and later not in looked.calls


async def test_what_changed_while_the_bot_was_down_is_reminded_after_the_restart(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.clock.set(oslo(2026, 11, 20, 9, 0))
    kari = await member(world)
    moved = await world.call("Flyttet", DEADLINE + timedelta(days=30), first_seen=SEEN)
    waiting = await world.call(
        "Venter", DEADLINE, first_seen=SEEN, deadline_state=DeadlineState.WAITING, url="https://e.org/v"
    )
    quiet = await world.call("Uendret", DEADLINE + timedelta(days=2), first_seen=SEEN, url="https://e.org/u")
    klima = await world.call("Klima", DEADLINE, ["klima"], first_seen=SEEN, url="https://e.org/k")
    await _settle(world)
    world.clock.set(oslo(2026, 12, 4, 13, 30))  # after the 14-day moment of DEADLINE
    assert await _plan(world) == []
    # The bot goes down (no moment passes while it is down); meanwhile a deadline moves, a coordinator confirms one, Kari follows klima.
    world.clock.set(oslo(2026, 12, 5, 10, 0))
    async with world.services.session() as s:
        await s.execute(
            update(Call).where(Call.id == moved).values(deadline_at=DEADLINE, last_changed_at=world.clock.now)
        )
        await s.execute(
            update(Call)
            .where(Call.id == waiting)
            .values(
                deadline_state=DeadlineState.CONFIRMED,
                deadline_decided_at=world.clock.now,
                last_changed_at=world.clock.now,
            )
        )
    await world.subscribe(kari, "klima", at=oslo(2026, 12, 1, 9, 0))
    _restart(world)
    looked = Looked(monkeypatch)
    world.clock.advance(minutes=1)
    assert sorted(await _plan(world)) == sorted(
        [f"call:{moved}:{KEY}:14", f"call:{waiting}:{KEY}:14", f"call:{klima}:{KEY}:14"]
    )
    assert looked.calls == {moved, waiting}  # the changed calls; the unchanged one is not asked about
    assert quiet not in looked.calls and looked.chats == {kari}  # Kari: she follows something new


async def test_a_lead_time_the_clock_passed_while_the_bot_was_down_is_reminded(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, near, _ = await _two_calls(world)
    next_day = await world.call(
        "Dagen etter", DEADLINE + timedelta(days=1), first_seen=SEEN, url="https://e.org/n"
    )
    await _settle(world)
    world.clock.set(oslo(2026, 12, 4, 12, 0))
    assert await _plan(world) == []
    _restart(world)
    looked = Looked(monkeypatch)
    world.clock.set(oslo(2026, 12, 4, 20, 0))  # down from 12:00 to 20:00: the 13:00 moment passed
    assert await _plan(world) == [f"call:{near}:{KEY}:14"]
    assert looked.calls == {near} and next_day not in looked.calls  # its moment is tomorrow


async def test_an_unmuted_call_is_reminded_at_the_next_run(world: World) -> None:
    _, near, _ = await _two_calls(world)
    world.clock.set(oslo(2026, 12, 4, 12, 0))
    assert await _plan(world) == []
    async with world.services.session() as s:
        assert await pushes.mute_call(s, telegram_id=1001, call_id=near, now=world.clock.now)
    world.clock.set(oslo(2026, 12, 4, 13, 30))  # the 14-day moment passes while muted
    assert await _plan(world) == []
    world.clock.advance(minutes=5)
    async with world.services.session() as s:
        assert await pushes.unmute_call(s, telegram_id=1001, call_id=near)
    world.clock.advance(minutes=1)
    assert await _plan(world) == [f"call:{near}:{KEY}:14"]


async def test_a_reminder_the_mute_cancelled_is_queued_again_after_unmuting(world: World) -> None:
    _, near, _ = await _two_calls(world)
    world.clock.set(oslo(2026, 12, 4, 12, 0))
    assert await _plan(world) == []
    world.clock.set(oslo(2026, 12, 4, 13, 30))
    assert await _plan(world) == [f"call:{near}:{KEY}:14"]  # queued, not sent yet
    async with world.services.session() as s:
        assert await pushes.mute_call(s, telegram_id=1001, call_id=near, now=world.clock.now)
    assert [r.status for r in await world.rows(kinds.KIND_REMINDER)] == ["cancelled"]
    world.clock.advance(minutes=1)
    async with world.services.session() as s:
        assert await pushes.unmute_call(s, telegram_id=1001, call_id=near)
    world.clock.advance(minutes=1)
    rows = await world.rows(kinds.KIND_REMINDER)
    assert await _plan(world) == [f"call:{near}:{KEY}:14"]
    assert [r.status for r in await world.rows(kinds.KIND_REMINDER)] == ["pending"]
    assert rows == []  # the cancelled copy went with the mute


async def test_a_first_run_commits_a_batch_at_a_time_and_stores_its_marks_at_the_end(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.clock.set(oslo(2026, 11, 20, 9, 0))
    await member(world)
    calls = [
        await world.call(
            f"Frist {i}", DEADLINE + timedelta(hours=i), first_seen=SEEN, url=f"https://e.org/{i}"
        )
        for i in range(3)
    ]
    world.clock.set(oslo(2026, 12, 5, 10, 0))  # every call's 14-day moment has come
    monkeypatch.setattr(plan, "CALLS_PER_BATCH", 1)
    seen: list[tuple[int, bool]] = []  # at each batch: rows queued as another session sees them, marks stored
    real = plan.due_reminders

    async def spy(session: Any, **kw: Any) -> Any:
        async with world.services.session() as other:
            queued = (await other.execute(select(func.count()).select_from(Outbox))).scalar_one()
            stored = (
                await other.execute(
                    select(func.count()).select_from(BotState).where(BotState.kind == PLANNER)
                )
            ).scalar_one()
        seen.append((queued, stored > 0))
        return await real(session, **kw)

    monkeypatch.setattr(plan, "due_reminders", spy)
    commits = 0

    async with world.services.session() as s:

        def count(_session: Any) -> None:
            nonlocal commits
            commits += 1

        event.listen(s.sync_session, "after_commit", count)
        assert await plan_reminders(s, world.services) == 3
    assert seen == [(0, False), (1, False), (2, False)]  # committed batch by batch, no marks yet
    assert commits == 3
    async with world.services.session() as s:
        assert await bot_state.load_one(s, PLANNER, plan.REMINDER_MARKS, "") is not None
    assert sorted(r.subject for r in await world.rows(kinds.KIND_REMINDER)) == sorted(
        f"call:{c}:{(DEADLINE + timedelta(hours=i)).strftime('%Y-%m-%dT%H:%MZ')}:14"
        for i, c in enumerate(calls)
    )


async def test_event_reminders_after_a_restart_look_only_at_what_came(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    await world.chat(1001, in_group=True)
    await _settle(world)
    async with world.services.session() as s:
        early = Event(title="Webinar", starts_at=oslo(2026, 12, 10, 18, 0), created_at=oslo(2026, 11, 1, 9))
        late = Event(title="Samling", starts_at=oslo(2026, 12, 10, 20, 0), created_at=oslo(2026, 11, 1, 9))
        s.add_all([early, late])
        await s.flush()
        early_id, late_id = early.id, late.id
    world.clock.set(oslo(2026, 12, 9, 17, 0))
    async with world.services.session() as s:
        await plan_event_reminders(s, world.services)
    asked: list[set[int]] = []
    real = plan.due_event_reminders

    async def spy(session: Any, *, event_ids: Iterable[int] | None = None, **kw: Any) -> Any:
        if event_ids is not None:
            asked.append(set(event_ids))
        return await real(session, event_ids=event_ids, **kw)

    monkeypatch.setattr(plan, "due_event_reminders", spy)
    _restart(world)
    world.clock.set(oslo(2026, 12, 9, 17, 1))
    async with world.services.session() as s:
        await plan_event_reminders(s, world.services)
    assert asked == []  # nothing came
    _restart(world)
    world.clock.set(oslo(2026, 12, 9, 18, 0))  # the day-before moment of the early one
    async with world.services.session() as s:
        await plan_event_reminders(s, world.services)
    assert asked == [{early_id}]
    # Moved while the bot was down: looked at after the restart.
    async with world.services.session() as s:
        await s.execute(
            update(Event)
            .where(Event.id == late_id)
            .values(starts_at=oslo(2026, 12, 10, 19, 0), changed_at=world.clock.now)
        )
    _restart(world)
    asked.clear()
    world.clock.advance(minutes=1)
    async with world.services.session() as s:
        await plan_event_reminders(s, world.services)
    assert asked == [{late_id}]


async def test_digests_and_pruning_after_a_restart_keep_their_marks(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    await world.chat(1001, notify_mode="daily")
    await _settle(world)
    world.clock.set(oslo(2026, 11, 24, 9, 0))
    async with world.services.session() as s:
        await plan_digests(s, world.services)
        await plan_pruning(s, world.services)
    asked: list[list[int]] = []
    pruned: list[datetime] = []
    real = plan.due_digests
    real_prune = plan.prune_outbox

    async def spy(session: Any, *, chat_ids: list[int], **kw: Any) -> Any:
        asked.append(list(chat_ids))
        return await real(session, chat_ids=chat_ids, **kw)

    async def spy_prune(session: Any, **kw: Any) -> Any:
        pruned.append(kw["now"])
        return await real_prune(session, **kw)

    monkeypatch.setattr(plan, "due_digests", spy)
    monkeypatch.setattr(plan, "prune_outbox", spy_prune)
    _restart(world)
    world.clock.advance(minutes=1)
    async with world.services.session() as s:
        assert await plan_digests(s, world.services) == 0
        await plan_pruning(s, world.services)
    assert asked == [] and pruned == []  # no digest hour came; pruned less than an hour ago
    _restart(world)
    world.clock.advance(hours=1)
    async with world.services.session() as s:
        await plan_pruning(s, world.services)
    assert pruned == [world.clock.now]


async def test_the_planners_rows_never_reach_the_conversations_or_drafts(world: World) -> None:
    async with world.services.session() as s:
        await bot_state.save(s, PLANNER, "", "1001", '{"x": 1}', now=datetime.now(UTC))
    store = persistence.DatabasePersistence(world.services)
    world.clock.set(oslo(2026, 12, 4, 12, 0))
    async with world.services.session() as s:
        await plan_reminders(s, world.services)
    assert await store.get_user_data() == {}
    assert await store.get_conversations("") == {}


async def test_digests_commit_a_batch_of_chats_at_a_time(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    for telegram_id in (1001, 1002, 1003):
        await world.chat(telegram_id, notify_mode="daily")
    world.clock.set(oslo(2026, 11, 24, 9, 0))  # no marks: every chat whose digest hour came
    monkeypatch.setattr(plan, "DIGEST_CHATS_PER_BATCH", 1)
    commits = 0
    async with world.services.session() as s:

        def count(_session: Any) -> None:
            nonlocal commits
            commits += 1

        event.listen(s.sync_session, "after_commit", count)
        await plan_digests(s, world.services)
    assert commits == 3  # two between the three batches, and the last with the marks
    async with world.services.session() as s:
        assert await bot_state.load_one(s, PLANNER, plan.DIGEST_MARKS, "") is not None
