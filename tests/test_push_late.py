"""Pushes that wait (quiet hours, retries, a 429, a slow Telegram) and what may change meanwhile:
what arrives must be true on the day it arrives, wanted by its recipient, and sent exactly once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select, update
from telegram import Bot

from bot.config import load_settings
from bot.push.fanout import notify_new_calls
from bot.push.outcomes import RATE_HELD
from bot.push.plan import plan_digests, plan_reminders, plan_weekly_overview
from bot.push.sender import Sender
from bot.services import Services
from storage import claims, notices, outbox, pushes
from storage.claims import Claimed
from storage.models import CallMute, Chat, Outbox, OutboxStatus, Subscription
from storage.privacy import delete_person
from storage.rules import kinds, quiet
from tests import test_push_world
from tests.support.fakebot import FakeBotApi, FakeRequest
from tests.support.harness import FakeClock
from tests.test_push_world import GROUP, TOKEN, World

world = test_push_world.world

OSLO = ZoneInfo("Europe/Oslo")


def oslo(*args: int) -> datetime:
    return datetime(*args, tzinfo=OSLO).astimezone(UTC)  # type: ignore[misc]


async def _member(world: World, telegram_id: int = 1001, **kw: Any) -> int:
    chat = await world.chat(telegram_id, since=oslo(2026, 11, 1, 9), **kw)
    await world.subscribe(chat, "helse", at=oslo(2026, 11, 1, 9))
    return chat


async def _notify(world: World, call: int) -> int:
    async with world.services.session() as s:
        return await notify_new_calls(s, world.services, [call])


async def _set_chat(world: World, chat: int, **values: Any) -> None:
    async with world.services.session() as s:
        await s.execute(update(Chat).where(Chat.id == chat).values(**values))


# ---- 1. a digest or «Ukas frister» that arrives a day late -------------------------------------


async def test_a_digest_held_over_night_is_written_again_for_the_day_it_arrives(world: World) -> None:
    await _member(world, notify_mode="daily", digest_hour=22)  # inside the quiet hours 21-07
    await world.call("Velferd", oslo(2026, 12, 2, 12, 0), first_seen=oslo(2026, 12, 1, 10))
    await world.call("Går ut i kveld", oslo(2026, 12, 1, 23, 30), first_seen=oslo(2026, 12, 1, 11))
    world.clock.set(oslo(2026, 12, 1, 22, 0))
    async with world.services.session() as s:
        assert await plan_digests(s, world.services) == 1
    [row] = await world.rows(kinds.KIND_DIGEST)
    assert "i morgen" in row.payload["text"] and "(2)" in row.payload["text"]
    world.clock.set(oslo(2026, 12, 2, 7, 0))
    await world.drain_all()
    [sent] = world.api.sent(chat_id=1001)
    assert "Velferd" in sent.text and "(i dag)" in sent.text and "i morgen" not in sent.text
    assert "Går ut i kveld" not in sent.text and "(1)" in sent.text  # its deadline passed in the night


async def test_a_late_digest_with_nothing_left_open_is_not_sent(world: World) -> None:
    await _member(world, notify_mode="daily", digest_hour=22)
    await world.call("Går ut i kveld", oslo(2026, 12, 1, 23, 30), first_seen=oslo(2026, 12, 1, 11))
    world.clock.set(oslo(2026, 12, 1, 22, 0))
    async with world.services.session() as s:
        assert await plan_digests(s, world.services) == 1
    world.clock.set(oslo(2026, 12, 2, 7, 0))
    await world.drain_all()
    assert world.api.sent(chat_id=1001) == []
    [row] = await world.rows(kinds.KIND_DIGEST)
    assert (row.status, row.last_error) == (OutboxStatus.CANCELLED, kinds.CANCELLED_DIGEST_EMPTY)


async def test_a_late_digest_leaves_out_a_call_the_member_muted_meanwhile(world: World) -> None:
    chat = await _member(world, notify_mode="daily", digest_hour=22)
    keep = await world.call("Beholdes", oslo(2026, 12, 20, 12, 0), first_seen=oslo(2026, 12, 1, 10))
    muted = await world.call("Dempes", oslo(2026, 12, 20, 12, 0), first_seen=oslo(2026, 12, 1, 11))
    world.clock.set(oslo(2026, 12, 1, 22, 0))
    async with world.services.session() as s:
        await plan_digests(s, world.services)
    async with world.services.session() as s:
        s.add(CallMute(chat_id=chat, call_id=muted, created_at=world.clock.now))
    world.clock.set(oslo(2026, 12, 2, 7, 0))
    await world.drain_all()
    [sent] = world.api.sent(chat_id=1001)
    assert "Beholdes" in sent.text and "Dempes" not in sent.text
    [row] = await world.rows(kinds.KIND_DIGEST)
    assert row.payload["call_ids"] == [keep]  # what it held, for «Fristen er endret» later


async def test_ukas_frister_sent_a_day_late_lists_the_next_14_days_from_that_day(world: World) -> None:
    await world.call("Snart", oslo(2026, 12, 4, 13), first_seen=oslo(2026, 11, 1, 9))
    await world.call("Heldag", oslo(2026, 11, 30, 0), has_time=False, first_seen=oslo(2026, 11, 1, 9))
    await world.call("Om to uker", oslo(2026, 12, 14, 10), first_seen=oslo(2026, 11, 1, 9))
    world.clock.set(oslo(2026, 11, 30, 8, 0))
    async with world.services.session() as s:
        assert await plan_weekly_overview(s, world.services) == 1
    [row] = await world.rows(kinds.KIND_WEEKLY)
    assert "(i dag)" in row.payload["text"] and "Om to uker" not in row.payload["text"]
    world.clock.set(oslo(2026, 12, 1, 8, 0))  # held a day (the bot was down, Telegram failed, ...)
    await world.sender.drain()
    sent = world.api.last(chat_id=GROUP)
    assert "Heldag" not in sent.text  # its deadline was yesterday
    assert "fredag 4. desember kl. 13:00</b> (om 3 dager)" in sent.text
    assert "Om to uker" in sent.text  # within 14 days of today


# ---- 2. the recipient no longer wants it -------------------------------------------------------


async def _held_notice(world: World, **member: Any) -> tuple[int, int]:
    chat = await _member(world, **member)
    world.clock.set(oslo(2026, 12, 1, 22, 0))
    call = await world.call("Helseinnovasjon", oslo(2026, 12, 20, 12, 0))
    assert await _notify(world, call) == 1
    return chat, call


async def _morning(world: World) -> Outbox:
    world.clock.set(oslo(2026, 12, 2, 7, 0))
    await world.drain_all()
    [row] = await world.rows(kinds.KIND_NEW_CALL)
    return row


async def test_a_member_who_unsubscribed_meanwhile_gets_no_notice(world: World) -> None:
    chat, _ = await _held_notice(world)
    async with world.services.session() as s:
        await s.execute(delete(Subscription).where(Subscription.chat_id == chat))
    row = await _morning(world)
    assert world.api.sent(chat_id=1001) == []
    assert (row.status, row.last_error) == (OutboxStatus.CANCELLED, kinds.CANCELLED_UNFOLLOWED)


async def test_a_member_who_unsubscribed_but_has_a_matching_keyword_still_gets_it(world: World) -> None:
    chat, _ = await _held_notice(world)
    await world.alert(chat, "helseinnovasjon")
    async with world.services.session() as s:
        await s.execute(delete(Subscription).where(Subscription.chat_id == chat))
    row = await _morning(world)
    assert row.status == OutboxStatus.SENT and len(world.api.sent(chat_id=1001)) == 1


async def test_a_muted_call_is_not_announced(world: World) -> None:
    _chat, call = await _held_notice(world)
    async with world.services.session() as s:
        assert await pushes.mute_call(s, telegram_id=1001, call_id=call, now=world.clock.now)
    row = await _morning(world)
    assert world.api.sent(chat_id=1001) == []
    assert (row.status, row.last_error) == (OutboxStatus.CANCELLED, kinds.CANCELLED_MUTED)


async def test_a_member_who_chose_a_digest_meanwhile_gets_it_there_not_as_a_notice(world: World) -> None:
    chat, _ = await _held_notice(world)
    await _set_chat(world, chat, notify_mode="daily")
    row = await _morning(world)
    assert world.api.sent(chat_id=1001) == []
    assert (row.status, row.last_error) == (OutboxStatus.CANCELLED, kinds.CANCELLED_DIGEST_MODE)
    world.clock.set(oslo(2026, 12, 2, 8, 0))
    async with world.services.session() as s:
        assert await plan_digests(s, world.services) == 1  # the call is in the next digest


async def test_a_reminder_for_someone_who_unsubscribed_is_not_sent(world: World) -> None:
    chat = await _member(world)
    await world.call("Påminnes", oslo(2026, 12, 18, 13, 0), first_seen=oslo(2026, 11, 1, 9))
    world.clock.set(oslo(2026, 12, 4, 22, 0))  # the 14-day reminder, planned late: held to 07:00
    async with world.services.session() as s:
        assert await plan_reminders(s, world.services) == 1
    async with world.services.session() as s:
        await s.execute(delete(Subscription).where(Subscription.chat_id == chat))
    world.clock.set(oslo(2026, 12, 5, 7, 0))
    await world.drain_all()
    assert world.api.sent(chat_id=1001) == []
    [row] = await world.rows(kinds.KIND_REMINDER)
    assert (row.status, row.last_error) == (OutboxStatus.CANCELLED, kinds.CANCELLED_UNFOLLOWED)


async def test_a_push_claimed_just_before_the_member_deleted_their_data_is_not_sent(world: World) -> None:
    await _member(world)
    world.clock.set(oslo(2026, 12, 2, 12, 0))
    call = await world.call("Slettet", oslo(2026, 12, 20, 12, 0))
    await _notify(world, call)
    async with world.services.session() as s:
        claimed = await claims.claim(s, worker="t:1:w", now=world.clock.now, limit=10)
    async with world.services.session() as s:
        await delete_person(s, 1001, world.clock.now)
    async with world.services.session() as s:
        reasons = await notices.unwanted(s, claimed, world.sender._policy)
    assert reasons == {claimed[0].id: kinds.CANCELLED_NO_CHAT}


async def test_the_check_costs_a_few_queries_per_batch_not_per_row(world: World) -> None:
    for telegram_id in range(1001, 1031):
        await _member(world, telegram_id)
    world.clock.set(oslo(2026, 12, 2, 12, 0))
    call = await world.call("Mange", oslo(2026, 12, 20, 12, 0))
    assert await _notify(world, call) == 30
    async with world.services.session() as s:
        claimed = await claims.claim(s, worker="t:1:w", now=world.clock.now, limit=30)
    statements: list[str] = []
    from sqlalchemy import event

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(world.services.engine.sync_engine, "before_cursor_execute", count)
    try:
        async with world.services.session() as s:
            assert await notices.unwanted(s, claimed, world.sender._policy) == {}
    finally:
        event.remove(world.services.engine.sync_engine, "before_cursor_execute", count)
    assert len(statements) <= 8


async def _move_deadline(world: World, call: int, to: datetime) -> None:
    """The deadline moves in the database, as a poll's commit leaves it before the change's fan-out
    job has cancelled or rewritten what was queued for the old one."""
    from storage.models import Call

    async with world.services.session() as s:
        await s.execute(
            update(Call).where(Call.id == call).values(deadline_at=to, last_changed_at=world.clock.now)
        )


async def test_a_reminder_for_a_deadline_that_moved_meanwhile_is_never_sent(world: World) -> None:
    """Claimed between the poll's commit and the fan-out job, a same-day reminder must not give the
    old deadline: the sender checks the deadline it was written for."""
    await _member(world)
    call = await world.call("Flyttet", oslo(2026, 12, 18, 13, 0), first_seen=oslo(2026, 11, 1, 9))
    world.clock.set(oslo(2026, 12, 4, 13, 0))  # the 14-day reminder, written and claimed the same day
    async with world.services.session() as s:
        assert await plan_reminders(s, world.services) == 1
    await _move_deadline(world, call, oslo(2027, 1, 15, 13, 0))
    await world.drain_all()
    assert world.api.sent(chat_id=1001) == []
    [row] = await world.rows(kinds.KIND_REMINDER)
    assert (row.status, row.last_error) == (OutboxStatus.CANCELLED, kinds.CANCELLED_DEADLINE)


async def test_a_new_call_notice_claimed_after_its_deadline_moved_gives_the_new_deadline(
    world: World,
) -> None:
    await _member(world)
    world.clock.set(oslo(2026, 12, 2, 12, 0))
    call = await world.call("Ny frist", oslo(2026, 12, 20, 12, 0))
    assert await _notify(world, call) == 1
    await _move_deadline(world, call, oslo(2027, 1, 15, 12, 0))
    await world.drain_all()
    [message] = world.api.sent(chat_id=1001)
    assert "15. januar" in message.text and "20. desember" not in message.text


# ---- 3. quiet hours changed while pushes are held ----------------------------------------------


async def test_held_pushes_go_out_at_once_when_the_member_switches_quiet_hours_off(world: World) -> None:
    chat, _ = await _held_notice(world)
    [row] = await world.rows(kinds.KIND_NEW_CALL)
    assert row.next_attempt_at == oslo(2026, 12, 2, 7, 0) and row.last_error == quiet.QUIET_HELD
    world.clock.set(oslo(2026, 12, 1, 22, 30))
    await world.drain_all(rounds=1)
    assert world.api.sent(chat_id=1001) == []
    await _set_chat(world, chat, quiet_hours="")  # "ingen stille timer"
    world.clock.advance(minutes=1)
    await world.drain_all()
    assert len(world.api.sent(chat_id=1001)) == 1


async def test_held_pushes_follow_quiet_hours_that_end_earlier(world: World) -> None:
    chat, _ = await _held_notice(world)
    await _set_chat(world, chat, quiet_hours="22-06")
    world.clock.set(oslo(2026, 12, 1, 23, 0))
    await world.drain_all(rounds=1)
    [row] = await world.rows(kinds.KIND_NEW_CALL)
    assert row.next_attempt_at == oslo(2026, 12, 2, 6, 0)
    world.clock.set(oslo(2026, 12, 2, 6, 0))
    await world.drain_all()
    assert len(world.api.sent(chat_id=1001)) == 1


async def test_held_pushes_wait_longer_when_the_quiet_hours_now_end_later(world: World) -> None:
    chat, _ = await _held_notice(world)
    await _set_chat(world, chat, quiet_hours="21-09")
    world.clock.set(oslo(2026, 12, 2, 7, 0))
    await world.drain_all(rounds=1)
    assert world.api.sent(chat_id=1001) == []
    world.clock.set(oslo(2026, 12, 2, 9, 0))
    await world.drain_all()
    assert len(world.api.sent(chat_id=1001)) == 1


# ---- 4. the sender itself: overlapping loops, slow answers, long 429s --------------------------

NOON = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday, 11:00 in Oslo


@pytest.fixture
async def services(db_url: str) -> AsyncIterator[Services]:
    settings = load_settings(database_url=db_url, _env_file=None)
    svc = Services.create(settings, clock=FakeClock(NOON))
    yield svc
    await svc.engine.dispose()


async def _sender(services: Services, api: FakeBotApi, worker: str) -> Sender:
    clock = services.clock
    assert isinstance(clock, FakeClock)
    bot = Bot(TOKEN, request=FakeRequest(api))
    await bot.initialize()

    async def sleep(seconds: float) -> None:
        clock.advance(seconds=seconds)
        for _ in range(5):  # let the messages in flight be answered meanwhile, as a real wait would
            await asyncio.sleep(0)

    return Sender(services, bot, worker=worker, sleep=sleep)


async def _queue(services: Services, *telegram_ids: int) -> list[int]:
    ids = []
    async with services.session() as s:
        for telegram_id in telegram_ids:
            chat = Chat(telegram_id=telegram_id, quiet_hours="")
            s.add(chat)
            await s.flush()
            ids.append(chat.id)
            await outbox.enqueue(
                s, chat_id=chat.id, kind="test", subject="x", payload={"text": "hei"}, not_before=NOON
            )
    return ids


async def _rows(services: Services) -> dict[int, Outbox]:
    async with services.session() as s:
        return {r.chat_id: r for r in (await s.execute(select(Outbox))).scalars()}


async def test_a_slow_answer_from_telegram_is_not_taken_for_a_dead_sender(services: Services) -> None:
    """Telegram answers after longer than the claim timeout: the row must not be sent again."""
    api = FakeBotApi()
    sender = await _sender(services, api, "t:1:slow")
    other = await _sender(services, api, "t:2:other")
    await _queue(services, 701)
    gate = asyncio.Event()
    send = sender.send

    async def slow_send(row: Claimed) -> int | None:
        await gate.wait()
        return await send(row)

    sender.send = slow_send  # type: ignore[method-assign]
    tasks = await sender._dispatch(10)
    assert len(tasks) == 1
    clock = services.clock
    assert isinstance(clock, FakeClock)
    clock.advance(seconds=services.settings.outbox_claim_timeout_seconds + 60)
    await sender._housekeeping()  # the running sender's own housekeeping, meanwhile
    assert await other.drain_once() == 0  # another sender (process) finds nothing abandoned
    gate.set()
    await asyncio.gather(*tasks)
    assert len(api.sent(chat_id=701)) == 1
    [row] = (await _rows(services)).values()
    assert row.status == OutboxStatus.SENT


async def test_a_429_longer_than_the_claim_timeout_gives_the_waiting_rows_back(services: Services) -> None:
    api = FakeBotApi()
    sender = await _sender(services, api, "t:1:pause")
    first, second, third = await _queue(services, 801, 802, 803)
    pause = services.settings.outbox_claim_timeout_seconds * 5
    api.fail("sendMessage", chat_id=801, error_code=429, retry_after=int(pause))
    await sender.drain_once()
    assert api.sent(chat_id=802) == [] and api.sent(chat_id=803) == []  # the pause holds for all
    rows = await _rows(services)
    for chat in (first, second, third):
        assert rows[chat].status == OutboxStatus.PENDING  # none left claimed during the pause
        assert rows[chat].attempts == 0
        assert rows[chat].next_attempt_at >= NOON + timedelta(seconds=pause)
    assert rows[second].last_error == RATE_HELD
    clock = services.clock
    assert isinstance(clock, FakeClock)
    clock.advance(seconds=pause + 1)
    await sender.drain()
    assert [len(api.sent(chat_id=c)) for c in (801, 802, 803)] == [2, 1, 1]  # 801: the 429, then sent
    assert {r.status for r in (await _rows(services)).values()} == {OutboxStatus.SENT}


async def test_a_second_run_of_the_same_sender_does_not_start_a_second_loop(services: Services) -> None:
    api = FakeBotApi()
    sender = await _sender(services, api, "t:1:run")
    keep = True
    first = asyncio.create_task(sender.run(lambda: keep))
    await asyncio.sleep(0)
    asked: list[int] = []

    def second_keep_running() -> bool:
        asked.append(1)
        return len(asked) < 2

    await sender.run(second_keep_running)
    assert asked == []  # it returned without looping
    keep = False
    sender.wake()
    await first
