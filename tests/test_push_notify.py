"""New-call notices and changed deadlines: who gets them, once, out of quiet hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot import texts
from bot.push.fanout import notify_deadline_changes, notify_new_calls, on_ingest
from storage.models import CallMute, OutboxStatus
from storage.rules import kinds
from tests import test_push_world
from tests.support.fanout import fan_out
from tests.test_push_world import World

world = test_push_world.world

# Monday 23 November 2026, 10:00 in Oslo.
MORNING = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DEADLINE = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)  # fredag 4. desember kl. 13:00


async def test_a_new_call_reaches_each_follower_once_with_its_buttons(world: World) -> None:
    world.clock.set(MORNING)
    kari = await world.chat(1001)
    ola = await world.chat(1002)
    digest = await world.chat(1003, notify_mode="daily")
    late = await world.chat(1004)
    gone = await world.chat(1005, active=False)
    group = await world.chat(-100999)
    for chat in (kari, digest, gone, group):
        await world.subscribe(chat, "helse", at=MORNING - timedelta(days=3))
    await world.alert(ola, "velferdsteknologi", at=MORNING - timedelta(days=1))
    await world.subscribe(late, "helse", at=MORNING + timedelta(minutes=5))
    call = await world.call(
        "Velferdsteknologi i kommunene",
        DEADLINE,
        ("helse",),
        first_seen=MORNING,
        summary="Om <helse> & omsorg",
    )
    async with world.services.session() as s:
        assert await notify_new_calls(s, world.services, [call]) == 3
    async with world.services.session() as s:
        assert await notify_new_calls(s, world.services, [call]) == 0  # a second run queues nothing
    await world.sender.drain()
    assert sorted(c.chat_id or 0 for c in world.api.sent()) == [-100999, 1001, 1002]
    sent = world.api.last(chat_id=1001)
    assert "Ny utlysning" in sent.text and "Velferdsteknologi i kommunene" in sent.text
    assert "fredag 4. desember kl. 13:00 (om 11 dager)" in sent.text
    assert "Kilde: Forskningsrådet" in sent.text and "Emner: Helse og omsorg" in sent.text
    assert texts.ELIG_UNKNOWN in sent.text  # no reading stored for this call: who may apply is unknown
    assert sent.button_texts == [
        texts.BUTTON_CALENDAR,
        texts.BUTTON_MUTE,
        texts.BUTTON_CONSIDER,
        texts.BUTTON_APPLY,
        texts.BUTTON_NOT_RELEVANT,
        texts.BUTTON_DETAILS,
    ]
    assert sent.button(texts.BUTTON_MUTE)["callback_data"] == f"push:mute:{call}"


async def test_keyword_alerts_use_the_word_forms_of_feeds_topics(world: World) -> None:
    world.clock.set(MORNING)
    kari = await world.chat(1001)
    await world.alert(kari, "velferdsteknologi", at=MORNING - timedelta(days=1))
    hit = await world.call("Midler til velferdsteknologien", DEADLINE, ("klima",))
    miss = await world.call("Klimatilpasning", DEADLINE, ("klima",))
    async with world.services.session() as s:
        assert await notify_new_calls(s, world.services, [hit, miss]) == 1


async def test_titles_are_escaped(world: World) -> None:
    world.clock.set(MORNING)
    kari = await world.chat(1001)
    await world.subscribe(kari, "helse", at=MORNING - timedelta(days=1))
    call = await world.call("Helse <b>& omsorg</b>", DEADLINE, url='https://x.no/?a=1&b="2"')
    async with world.services.session() as s:
        await notify_new_calls(s, world.services, [call])
    (row,) = await world.rows()
    assert "Helse &lt;b&gt;&amp; omsorg&lt;/b&gt;" in row.payload["text"]
    assert 'href="https://x.no/?a=1&amp;b=&quot;2&quot;"' in row.payload["text"]


async def test_closed_and_past_calls_are_not_pushed(world: World) -> None:
    world.clock.set(MORNING)
    kari = await world.chat(1001)
    await world.subscribe(kari, "helse", at=MORNING - timedelta(days=1))
    closed = await world.call("Stengt", DEADLINE, status="closed")
    past = await world.call("Gammel", MORNING - timedelta(days=2))
    rolling = await world.call("Løpende", None, rolling=True)
    async with world.services.session() as s:
        assert await notify_new_calls(s, world.services, [closed, past, rolling]) == 1
    (row,) = await world.rows()
    assert "Løpende" in row.payload["text"] and texts.CALL_DEADLINE_ROLLING in row.payload["text"]
    assert [b["text"] for b in row.payload["reply_markup"]["inline_keyboard"][0]] == [texts.BUTTON_MUTE]


async def test_quiet_hours_hold_a_notice_until_they_end(world: World) -> None:
    evening = datetime(2026, 11, 23, 21, 30, tzinfo=UTC)  # 22:30 in Oslo
    world.clock.set(evening)
    default = await world.chat(1001)
    none = await world.chat(1002, quiet_hours="")
    own = await world.chat(1003, quiet_hours="22-09")
    for chat in (default, none, own):
        await world.subscribe(chat, "helse", at=evening - timedelta(days=1))
    call = await world.call("Kveldsutlysning", DEADLINE)
    async with world.services.session() as s:
        await notify_new_calls(s, world.services, [call])
    when = {await world.chat_of(r): r.next_attempt_at for r in await world.rows()}
    assert when[1001] == datetime(2026, 11, 24, 6, 0, tzinfo=UTC)  # 07:00
    assert when[1002] == evening
    assert when[1003] == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)  # 09:00
    await world.sender.drain()
    assert [c.chat_id for c in world.api.sent()] == [1002]
    world.clock.set(datetime(2026, 11, 24, 6, 0, tzinfo=UTC))
    await world.sender.drain()
    assert sorted(c.chat_id or 0 for c in world.api.sent()) == [1001, 1002]


async def test_a_changed_deadline_goes_to_those_who_were_told(world: World) -> None:
    world.clock.set(MORNING)
    told = await world.chat(1001)
    muted = await world.chat(1002)
    waiting = await world.chat(1003, quiet_hours="00-23")  # its notice is still held back
    for chat in (told, muted, waiting):
        await world.subscribe(chat, "helse", at=MORNING - timedelta(days=1))
    call = await world.call("Endres", DEADLINE)
    async with world.services.session() as s:
        await notify_new_calls(s, world.services, [call])
    await world.sender.drain()
    async with world.services.session() as s:
        s.add(CallMute(chat_id=muted, call_id=call))
        from storage.models import Call

        row = await s.get(Call, call)
        assert row is not None
        row.deadline_at = DEADLINE + timedelta(days=7)
    world.clock.advance(hours=1)
    async with world.services.session() as s:
        n = await notify_deadline_changes(
            s, world.services, [(call, DEADLINE, DEADLINE + timedelta(days=7), False, False)]
        )
    assert n == 1
    await world.sender.drain()
    changed = world.api.last(chat_id=1001)
    assert "Fristen er endret" in changed.text
    assert "fredag 11. desember kl. 13:00" in changed.text and "fredag 4. desember kl. 13:00" in changed.text
    assert [r for r in await world.rows(kinds.KIND_DEADLINE_CHANGED) if r.chat_id != told] == []
    # The notice still waiting for the quiet hours to end now shows the new deadline.
    (pending,) = [r for r in await world.rows(kinds.KIND_NEW_CALL) if r.status == OutboxStatus.PENDING]
    assert "11. desember" in pending.payload["text"]


async def test_the_next_round_of_a_two_round_call_is_not_called_a_correction(world: World) -> None:
    world.clock.set(MORNING)
    told = await world.chat(1001)
    await world.subscribe(told, "helse", at=MORNING - timedelta(days=1))
    call = await world.call("To runder", DEADLINE)
    async with world.services.session() as s:
        await notify_new_calls(s, world.services, [call])
    await world.sender.drain()
    second_round = DEADLINE + timedelta(days=60)
    async with world.services.session() as s:
        from storage.models import Call

        row = await s.get(Call, call)
        assert row is not None
        row.deadline_at = second_round
    world.clock.set(DEADLINE + timedelta(hours=2))  # the first round is over
    async with world.services.session() as s:
        await notify_deadline_changes(s, world.services, [(call, DEADLINE, second_round, False, False)])
    await world.sender.drain()
    message = world.api.last(chat_id=1001)
    assert message.text.startswith("📌 <b>Ny søknadsrunde:</b>")
    assert "Fristen er endret" not in message.text
    assert "Forrige runde hadde frist fredag 4. desember kl. 13:00" in message.text


async def test_on_ingest_hook_queues_new_and_changed(world: World) -> None:
    world.clock.set(MORNING)
    kari = await world.chat(1001)
    await world.subscribe(kari, "helse", at=MORNING - timedelta(days=1))
    call = await world.call("Via ingest", DEADLINE)

    class Result:
        def __init__(self) -> None:
            self.new = [call]
            self.changed: list[int] = []
            self.deadline_changed: list[tuple[int, datetime | None, datetime | None, bool, bool]] = []
            self.closed: list[int] = []

    async with world.services.session() as s:
        await on_ingest(s, Result(), world.services)
    assert await world.rows() == []  # the poll's transaction only notes the fan-out
    assert await fan_out(world.services) == 1
    assert [r.kind for r in await world.rows()] == [kinds.KIND_NEW_CALL]
