"""Daily and weekly digests at the member's hour, and the network group's "Ukas frister"."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot import texts
from bot.push.plan import plan_all, plan_digests, plan_weekly_overview
from storage.rules import kinds
from tests import test_push_world
from tests.test_push_world import GROUP, World

world = test_push_world.world

OSLO = ZoneInfo("Europe/Oslo")


def oslo(*args: int) -> datetime:
    return datetime(*args, tzinfo=OSLO).astimezone(UTC)  # type: ignore[misc]


async def digests(world: World) -> list[tuple[int, str]]:
    async with world.services.session() as s:
        await plan_digests(s, world.services)
    return [(await world.chat_of(r), r.subject) for r in await world.rows(kinds.KIND_DIGEST)]


async def test_daily_digest_at_the_members_hour_with_what_is_new(world: World) -> None:
    daily = await world.chat(1001, notify_mode="daily")
    early = await world.chat(1002, notify_mode="daily", digest_hour=6)
    for chat in (daily, early):
        await world.subscribe(chat, "helse", at=oslo(2026, 11, 1, 9))
    await world.call("Gårsdagens", oslo(2026, 12, 18, 13), first_seen=oslo(2026, 11, 23, 12))
    await world.call("Forrige døgn", oslo(2026, 12, 18, 13), first_seen=oslo(2026, 11, 22, 12))
    await world.call("Annet emne", oslo(2026, 12, 18, 13), ("klima",), first_seen=oslo(2026, 11, 23, 12))
    world.clock.set(oslo(2026, 11, 24, 5, 59))
    # At 05:59 the last digest moment was yesterday's: it held "Forrige døgn" for both.
    assert sorted(await digests(world)) == [
        (1001, "digest:daily:2026-11-23T07"),
        (1002, "digest:daily:2026-11-23T05"),
    ]
    world.clock.set(oslo(2026, 11, 24, 6, 0))
    assert (1002, "digest:daily:2026-11-24T05") in await digests(world)
    world.clock.set(oslo(2026, 11, 24, 8, 0))
    found = await digests(world)
    assert (1001, "digest:daily:2026-11-24T07") in found and len(found) == 4
    assert len(await digests(world)) == 4  # not twice
    await world.drain_all()
    texts_sent = [c.text for c in world.api.sent(chat_id=1001)]
    assert any(
        "Nye utlysninger siste døgn" in t and "Gårsdagens" in t and "Annet emne" not in t for t in texts_sent
    )


async def test_weekly_digest_on_mondays_only(world: World) -> None:
    weekly = await world.chat(1001, notify_mode="weekly")
    await world.subscribe(weekly, "helse", at=oslo(2026, 11, 1, 9))
    await world.call("Denne uka", oslo(2026, 12, 18, 13), first_seen=oslo(2026, 11, 25, 12))
    world.clock.set(oslo(2026, 11, 29, 20, 0))  # Sunday
    assert await digests(world) == []
    world.clock.set(oslo(2026, 11, 30, 8, 0))  # Monday 08:00
    assert await digests(world) == [(1001, "digest:weekly:2026-11-30T07")]
    (row,) = await world.rows(kinds.KIND_DIGEST)
    assert "siste uke" in row.payload["text"] and row.payload["call_ids"]


async def test_subscribed_after_first_seen_is_not_in_the_digest(world: World) -> None:
    daily = await world.chat(1001, notify_mode="daily")
    await world.subscribe(daily, "helse", at=oslo(2026, 11, 23, 15))
    await world.call("Før abonnementet", oslo(2026, 12, 18, 13), first_seen=oslo(2026, 11, 23, 12))
    world.clock.set(oslo(2026, 11, 24, 8, 0))
    assert await digests(world) == []


async def test_weekly_overview_to_the_group_on_monday_morning(world: World) -> None:
    await world.call("Snart", oslo(2026, 12, 4, 13), first_seen=oslo(2026, 11, 1, 9))
    await world.call("Heldag", oslo(2026, 11, 30, 0), has_time=False, first_seen=oslo(2026, 11, 1, 9))
    await world.call("Om lenge", oslo(2027, 1, 30, 13), first_seen=oslo(2026, 11, 1, 9))
    await world.call("Løpende", None, first_seen=oslo(2026, 11, 1, 9), rolling=True)

    async def overview() -> int:
        async with world.services.session() as s:
            return await plan_weekly_overview(s, world.services)

    world.clock.set(oslo(2026, 11, 30, 7, 59))
    assert await overview() == 0
    world.clock.set(oslo(2026, 11, 30, 8, 0))
    assert await overview() == 1
    world.clock.set(oslo(2026, 11, 30, 9, 0))
    assert await overview() == 0
    world.clock.set(oslo(2026, 12, 1, 8, 0))  # Tuesday
    assert await overview() == 0
    world.clock.set(oslo(2026, 11, 30, 9, 0))  # sent on Monday (see test_push_late for later)
    await world.sender.drain()
    sent = world.api.last(chat_id=GROUP)
    assert sent.text.startswith(texts.WEEKLY_OVERVIEW)
    assert sent.text.index("Heldag") < sent.text.index("Snart")
    assert "Om lenge" not in sent.text and "Løpende" not in sent.text
    assert "mandag 30. november</b> (i dag)" in sent.text


async def test_weekly_overview_follows_a_migrated_group(world: World) -> None:
    from storage.claims import claim
    from storage.outbox import migrate_chat

    world.clock.set(oslo(2026, 11, 23, 8, 0))
    async with world.services.session() as s:
        await plan_weekly_overview(s, world.services)
    async with world.services.session() as s:
        (row,) = await claim(s, worker="w", now=world.clock.now, limit=1)
        await migrate_chat(s, row.chat_id, -100555, row_id=row.id)
    world.clock.set(oslo(2026, 11, 30, 8, 0))
    async with world.services.session() as s:
        assert await plan_weekly_overview(s, world.services) == 1
    rows = await world.rows(kinds.KIND_WEEKLY)
    assert {await world.chat_of(r) for r in rows} == {-100555}
    assert "Ingen søknadsfrister" in rows[-1].payload["text"]


async def test_plan_all_runs_every_planner(world: World) -> None:
    world.clock.set(oslo(2026, 11, 30, 8, 0))
    counts = await plan_all(world.services)
    assert counts == {
        "plan_reminders": 0,
        "plan_event_reminders": 0,
        "plan_digests": 0,
        "plan_weekly_overview": 1,
        "plan_milestones": 0,
        "plan_pruning": 0,
    }
