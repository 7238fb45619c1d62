"""Holes in the push chain, closed: each test is a way a message could be wrong, lost or late."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from telegram import Bot

from bot.config import load_settings
from bot.push.fanout import notify_new_calls, on_ingest, wake_after_commit
from bot.push.plan import plan_reminders
from bot.push.sender import Sender
from bot.push.wake import SENDER_KEY
from bot.services import Services
from storage import outbox
from storage.calls import DeadlineChanged, IngestResult
from storage.models import Call, CallStatus, DeadlineChange, OutboxStatus
from storage.rules import kinds
from tests import test_push_world
from tests.support.fakebot import FakeBotApi, FakeRequest
from tests.support.fanout import fan_out
from tests.support.harness import FakeClock
from tests.test_push_world import World

world = test_push_world.world

TOKEN = "123456789:FAKE_TOKEN_for_offline_use_only_000000"
NOON = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)  # a Monday, 12:00 in Oslo


@pytest.fixture
async def services(db_url: str) -> AsyncIterator[Services]:
    settings = load_settings(database_url=db_url, _env_file=None)
    svc = Services.create(settings, clock=FakeClock(NOON))
    yield svc
    await svc.engine.dispose()


async def test_the_sender_is_woken_only_when_the_queued_rows_are_committed(services: Services) -> None:
    """Woken before the commit, it would look, find nothing yet, and wait a whole outbox poll."""
    api = FakeBotApi()
    sender = Sender(services, Bot(TOKEN, request=FakeRequest(api)))
    services.extras[SENDER_KEY] = sender
    sender._wake = asyncio.Event()  # as ``Sender.run`` sets it up

    async with services.session() as session:
        wake_after_commit(session, services)
        await session.flush()
        assert not sender._wake.is_set()
    assert sender._wake.is_set()

    sender._wake.clear()
    with pytest.raises(RuntimeError):
        async with services.session() as session:
            wake_after_commit(session, services)
            raise RuntimeError("the poll failed")
    assert not sender._wake.is_set()  # rolled back: nothing was queued


# ---- a push held by the quiet hours, and what may happen to its call meanwhile -----------------

OSLO = ZoneInfo("Europe/Oslo")


def oslo(*args: int) -> datetime:
    return datetime(*args, tzinfo=OSLO).astimezone(UTC)  # type: ignore[misc]


async def _member(world: World, telegram_id: int = 1001) -> int:
    chat = await world.chat(telegram_id, since=oslo(2026, 11, 1, 9))
    await world.subscribe(chat, "helse", at=oslo(2026, 11, 1, 9))
    return chat


async def _notify(world: World, call: int) -> int:
    async with world.services.session() as s:
        return await notify_new_calls(s, world.services, [call])


async def test_a_notice_held_over_night_says_i_dag_the_morning_it_goes_out(world: World) -> None:
    await _member(world)
    world.clock.set(oslo(2026, 12, 1, 22, 0))  # Tuesday evening, in the quiet hours
    call = await world.call("Velferdsteknologi", oslo(2026, 12, 2, 12, 0))
    assert await _notify(world, call) == 1
    [row] = await world.rows(kinds.KIND_NEW_CALL)
    assert "i morgen" in row.payload["text"]  # true when it was written
    world.clock.set(oslo(2026, 12, 2, 6, 59))
    await world.drain_all(rounds=1)
    assert world.api.sent(chat_id=1001) == []  # still quiet
    world.clock.set(oslo(2026, 12, 2, 7, 0))
    await world.drain_all()
    [sent] = world.api.sent(chat_id=1001)
    assert "(i dag)" in sent.text and "i morgen" not in sent.text
    assert "onsdag 2. desember kl. 12:00" in sent.text


async def test_a_held_notice_whose_deadline_passes_in_the_night_is_not_sent(world: World) -> None:
    await _member(world)
    world.clock.set(oslo(2026, 12, 1, 22, 0))
    call = await world.call("Går ut i natt", oslo(2026, 12, 1, 23, 59))
    assert await _notify(world, call) == 1
    world.clock.set(oslo(2026, 12, 2, 7, 0))
    await world.drain_all()
    assert world.api.sent(chat_id=1001) == []
    [row] = await world.rows(kinds.KIND_NEW_CALL)
    assert (row.status, row.last_error) == (OutboxStatus.CANCELLED, kinds.CANCELLED_EXPIRED)


async def test_a_call_closed_by_its_source_cancels_its_queued_pushes(world: World) -> None:
    await _member(world)
    await _member(world, 1002)
    world.clock.set(oslo(2026, 12, 1, 12, 0))
    call = await world.call("Stenges", oslo(2026, 12, 20, 12, 0))
    await _notify(world, call)
    await world.drain_all()
    assert len(world.api.sent()) == 2  # both were told
    world.clock.set(oslo(2026, 12, 6, 22, 0))  # the 14-day reminder, late and in quiet hours: held
    async with world.services.session() as s:
        assert await plan_reminders(s, world.services) == 2
    async with world.services.session() as s:
        await on_ingest(s, IngestResult(closed=[call]), world.services)
    reminders = await world.rows(kinds.KIND_REMINDER)
    assert [(r.status, r.last_error) for r in reminders] == [
        (OutboxStatus.CANCELLED, kinds.CANCELLED_CLOSED)
    ] * 2
    assert {r.status for r in await world.rows(kinds.KIND_NEW_CALL)} == {OutboxStatus.SENT}
    world.clock.set(oslo(2026, 12, 7, 7, 0))
    await world.drain_all()
    assert len(world.api.sent()) == 2  # nothing more


async def test_a_call_closed_without_a_poll_is_caught_by_the_sender(world: World) -> None:
    """Closed another way (a coordinator, a migration): the sender checks before it sends."""
    await _member(world)
    world.clock.set(oslo(2026, 12, 1, 22, 0))
    call = await world.call("Lukket i natt", oslo(2026, 12, 20, 12, 0))
    await _notify(world, call)
    async with world.services.session() as s:
        found = await s.get(Call, call)
        assert found is not None
        found.status = CallStatus.CLOSED
    world.clock.set(oslo(2026, 12, 2, 7, 0))
    await world.drain_all()
    assert world.api.sent(chat_id=1001) == []
    [row] = await world.rows(kinds.KIND_NEW_CALL)
    assert (row.status, row.last_error) == (OutboxStatus.CANCELLED, kinds.CANCELLED_CLOSED)


async def test_a_polled_deadline_change_cancels_reminders_for_the_old_deadline(world: World) -> None:
    await _member(world)
    call = await world.call("Flyttes", oslo(2026, 12, 18, 13, 0), first_seen=oslo(2026, 11, 1, 9))
    world.clock.set(oslo(2026, 12, 4, 22, 0))  # the 14-day reminder, planned late: held to 07:00
    async with world.services.session() as s:
        assert await plan_reminders(s, world.services) == 1
    world.clock.set(oslo(2026, 12, 5, 2, 0))  # a poll in the night finds a later deadline
    new_at = oslo(2027, 1, 15, 13, 0)
    async with world.services.session() as s:
        found = await s.get(Call, call)
        assert found is not None
        found.deadline_at = new_at
        s.add(
            DeadlineChange(
                call_id=call, old_deadline_at=oslo(2026, 12, 18, 13, 0), new_deadline_at=new_at,
                changed_at=world.clock.now,
            )
        )  # fmt: skip
        await s.flush()
        change = DeadlineChanged(call, oslo(2026, 12, 18, 13, 0), new_at, False, False)
        await on_ingest(s, IngestResult(deadline_changed=[change]), world.services)
    await fan_out(world.services)  # after the poll's commit, as the running bot wakes it
    [reminder] = await world.rows(kinds.KIND_REMINDER)
    assert (reminder.status, reminder.last_error) == (OutboxStatus.CANCELLED, kinds.CANCELLED_DEADLINE)
    world.clock.set(oslo(2026, 12, 5, 7, 0))
    await world.drain_all()
    assert not any("18. desember" in c.text for c in world.api.sent(chat_id=1001))


async def test_held_pushes_survive_a_restart_and_go_out_once(world: World) -> None:
    await _member(world)
    world.clock.set(oslo(2026, 12, 1, 23, 0))
    call = await world.call("Over natten", oslo(2026, 12, 20, 12, 0))
    assert await _notify(world, call) == 1
    await world.drain_all(rounds=1)  # the running sender sees it and holds it
    await world.services.engine.dispose()  # the process stops

    services = Services.create(world.services.settings, clock=world.clock)  # and starts again
    try:
        bot = Bot(TOKEN, request=FakeRequest(world.api))
        await bot.initialize()

        async def sleep(seconds: float) -> None:
            world.clock.advance(seconds=seconds)

        sender = Sender(services, bot, worker="t:2:restart", sleep=sleep)
        await sender.release_own_host_claims(everything=True)
        world.clock.set(oslo(2026, 12, 2, 6, 59))
        assert await sender.drain() == 0
        world.clock.set(oslo(2026, 12, 2, 7, 0))
        assert await sender.drain() == 1
        world.clock.advance(minutes=5)
        assert await sender.drain() == 0
        assert len(world.api.sent(chat_id=1001)) == 1
        await bot.shutdown()
    finally:
        await services.engine.dispose()


async def test_a_chat_that_went_inactive_while_its_push_waited_gets_nothing(world: World) -> None:
    chat = await _member(world)
    world.clock.set(oslo(2026, 12, 1, 23, 0))
    call = await world.call("Blokkert", oslo(2026, 12, 20, 12, 0))
    await _notify(world, call)
    async with world.services.session() as s:
        await outbox.deactivate_chat(s, chat, reason="403: Forbidden: bot was blocked by the user")
    world.clock.set(oslo(2026, 12, 2, 7, 0))
    await world.drain_all()
    assert world.api.sent(chat_id=1001) == []
    [row] = await world.rows(kinds.KIND_NEW_CALL)
    assert row.status == OutboxStatus.FAILED and "inaktiv" in (row.last_error or "")
