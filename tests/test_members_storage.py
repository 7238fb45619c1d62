"""storage.members and storage.deadlines on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from feeds.catalogue import DEFAULT_TOPICS
from storage import deadlines, members, topics
from storage.models import Topic
from tests.members_helpers import add_call

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DAY_START = datetime(2026, 11, 22, 23, 0, tzinfo=UTC)  # midnight in Oslo


async def seeded(session: AsyncSession) -> dict[str, Topic]:
    await topics.seed_topics(session, DEFAULT_TOPICS)
    return {t.slug: t for t in await topics.list_topics(session)}


async def test_touch_chat_registers_updates_and_revives(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as s:
        chat = await members.touch_chat(s, 1001, kind="private", name="Kari", username="kari", now=NOW)
        assert chat.active and chat.last_seen_at == NOW
        later = NOW + timedelta(minutes=1)
        await members.touch_chat(s, 1001, kind="private", name="Kari N", username=None, now=later)
        assert chat.name == "Kari N" and chat.username is None
        assert chat.last_seen_at == NOW  # not rewritten within a few minutes
        assert await members.set_inactive(s, 1001, members.BLOCKED)
        assert not chat.active and chat.inactive_reason == members.BLOCKED
        await members.touch_chat(s, 1001, kind="private", name="Kari", username=None, now=NOW, active=None)
        assert not chat.active  # seen in a group: still cannot be written to
        await members.touch_chat(
            s, 1001, kind="private", name="Kari", username=None, now=NOW + timedelta(hours=1)
        )
        assert chat.active and chat.inactive_reason is None and chat.last_seen_at == NOW + timedelta(hours=1)
        ghost = await members.touch_chat(
            s, 2002, kind="private", name="Ola", username=None, now=NOW, active=None, in_group=True
        )
        assert not ghost.active and ghost.in_group and ghost.inactive_reason == members.NOT_STARTED
        assert not await members.set_inactive(s, 3003, "x")
        await s.commit()


async def test_subscriptions(session_factory: async_sessionmaker[AsyncSession]) -> None:
    async with session_factory() as s:
        by_slug = await seeded(s)
        chat = await members.touch_chat(s, 1001, kind="private", name="Kari", username=None, now=NOW)
        assert await members.set_subscription(s, chat.id, by_slug["helse"].id, True)
        assert not await members.set_subscription(s, chat.id, by_slug["helse"].id, True)
        assert await members.toggle_subscription(s, chat.id, by_slug["klima"].id) is True
        assert [t.slug for t in await members.subscribed_topics(s, chat.id)] == ["helse", "klima"]
        assert await members.toggle_subscription(s, chat.id, by_slug["klima"].id) is False
        await members.set_all_subscriptions(s, chat.id, [by_slug["oppvekst"].id, by_slug["helse"].id])
        assert await members.subscribed_topic_ids(s, chat.id) == {by_slug["oppvekst"].id, by_slug["helse"].id}
        await members.set_all_subscriptions(s, chat.id, [])
        assert await members.subscribed_topic_ids(s, chat.id) == set()
        await s.commit()


async def test_alerts_and_settings(session_factory: async_sessionmaker[AsyncSession]) -> None:
    async with session_factory() as s:
        chat = await members.touch_chat(s, 1001, kind="private", name="Kari", username=None, now=NOW)
        assert await members.add_alert(s, chat.id, "  Kunstig   Intelligens ")
        assert not await members.add_alert(s, chat.id, "kunstig intelligens")
        assert await members.add_alert(s, chat.id, "ki")
        alerts = await members.list_alerts(s, chat.id)
        assert [a.keyword for a in alerts] == ["ki", "kunstig intelligens"]
        assert await members.count_alerts(s, chat.id) == 2
        assert await members.remove_alert(s, chat.id, alerts[0].id) == "ki"
        assert await members.remove_alert(s, chat.id, alerts[0].id) is None
        assert await members.remove_alert_by_keyword(s, chat.id, "Kunstig intelligens")
        assert await members.count_alerts(s, chat.id) == 0

        updated = await members.update_settings(
            s, chat.id, notify_mode="daily", digest_hour=7, reminder_days=[1, 14, 3, 3], quiet_hours=""
        )
        assert (updated.notify_mode, updated.digest_hour, updated.reminder_days, updated.quiet_hours) == (
            "daily",
            7,
            [14, 3, 1],
            "",
        )
        for bad in ({"notify_mode": "never"}, {"digest_hour": 24}, {"colour": "red"}):
            with pytest.raises(ValueError):
                await members.update_settings(s, chat.id, **bad)
        with pytest.raises(LookupError):
            await members.update_settings(s, 999999, digest_hour=3)
        await s.commit()


async def test_upcoming_filters_window_and_order(session_factory: async_sessionmaker[AsyncSession]) -> None:
    async with session_factory() as s:
        by_slug = await seeded(s)
        c1 = await add_call(s, "Helse snart", deadline=NOW + timedelta(days=2), topics=["helse"])
        c2 = await add_call(s, "Klima", deadline=NOW + timedelta(days=1), topics=["klima"], source="RFF")
        c3 = await add_call(s, "Begge", deadline=NOW + timedelta(days=40), topics=["helse", "klima"])
        await add_call(s, "Passert", deadline=NOW - timedelta(minutes=1))
        today = await add_call(s, "I dag, uten tid", deadline=DAY_START, has_time=False)
        await add_call(s, "I går, uten tid", deadline=DAY_START - timedelta(days=1), has_time=False)
        await add_call(s, "Stengt", deadline=NOW + timedelta(days=3), status="closed")
        planned = await add_call(s, "Planlagt", deadline=NOW + timedelta(days=100), status="planned")
        rolling = await add_call(s, "Løpende", rolling=True, status="rolling", topics=["helse"])
        await s.commit()

        page = await deadlines.upcoming(s, now=NOW, day_start=DAY_START)
        assert [c.id for c in page.calls] == [today.id, c2.id, c1.id, c3.id, planned.id]
        assert page.total == 5
        assert [t.slug for t in page.calls[3].topics] == ["helse", "klima"]

        helse = await deadlines.upcoming(s, now=NOW, day_start=DAY_START, topic_ids={by_slug["helse"].id})
        assert [c.id for c in helse.calls] == [c1.id, c3.id]
        window = await deadlines.upcoming(s, now=NOW, until=NOW + timedelta(days=30))
        assert [c.id for c in window.calls] == [c2.id, c1.id]
        rff = await deadlines.upcoming(s, now=NOW, source="RFF")
        assert [c.id for c in rff.calls] == [c2.id]
        paged = await deadlines.upcoming(s, now=NOW, day_start=DAY_START, offset=2, limit=2)
        assert paged.total == 5 and [c.id for c in paged.calls] == [c1.id, c3.id]
        beyond = await deadlines.upcoming(s, now=NOW, offset=50, limit=2)
        assert beyond.calls == []

        roll = await deadlines.rolling(s, topic_ids={by_slug["helse"].id})
        assert roll.total == 1 and roll.calls[0].id == rolling.id
        assert (await deadlines.rolling(s, topic_ids={by_slug["klima"].id})).total == 0
        assert await deadlines.source_names(s) == ["Forskningsrådet", "RFF"]


async def test_search_open_first_then_past(session_factory: async_sessionmaker[AsyncSession]) -> None:
    async with session_factory() as s:
        await seeded(s)
        old = await add_call(s, "Helse 2020", deadline=NOW - timedelta(days=900), status="closed")
        older = await add_call(s, "Helse 2019", deadline=NOW - timedelta(days=1300), status="closed")
        soon = await add_call(s, "Helse snart", deadline=NOW + timedelta(days=2))
        later = await add_call(s, "Helse senere", deadline=NOW + timedelta(days=20))
        rolling = await add_call(s, "Løpende helse", rolling=True, status="rolling")
        await add_call(s, "Skjult helse", deadline=NOW + timedelta(days=2), status="removed")
        odd = await add_call(s, "100% tilskudd_ordning", deadline=NOW + timedelta(days=3))
        await s.commit()
        page = await deadlines.search(s, ["HELSE"], now=NOW)
        assert page.total == 5
        assert [c.id for c in page.calls] == [soon.id, later.id, rolling.id, old.id, older.id]
        assert [c.id for c in (await deadlines.search(s, ["helse", "snart"], now=NOW)).calls] == [soon.id]
        assert [c.id for c in (await deadlines.search(s, ["100%"], now=NOW)).calls] == [odd.id]
        assert (await deadlines.search(s, ["%"], now=NOW)).total == 1  # % is literal, not a wildcard
        assert (await deadlines.search(s, ["_"], now=NOW)).total == 1
        assert (await deadlines.search(s, ["helse"], now=NOW, limit=2, offset=4)).calls[0].id == older.id


async def test_search_folds_norwegian_letters_in_any_case(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """SQLite's own LIKE folds ASCII only: «TRØNDELAG» must still find «Trøndelag» (and back)."""
    async with session_factory() as s:
        await seeded(s)
        fylket = await add_call(
            s, "Regionale utviklingsmidler", source="Trøndelag fylkeskommune", rolling=True, status="rolling"
        )
        skjonn = await add_call(s, "PROSJEKTSKJØNN 2027", deadline=NOW + timedelta(days=5))
        aere = await add_call(s, "Ærlig talt", deadline=NOW + timedelta(days=6), summary="Åpen for ÅLESUND")
        await add_call(s, "Trondheim uten ø", deadline=NOW + timedelta(days=7))
        await s.commit()
        for word in ("trøndelag", "TRØNDELAG", "TrØnDeLaG"):
            assert [c.id for c in (await deadlines.search(s, [word], now=NOW)).calls] == [fylket.id], word
        for word in ("skjønn", "SKJØNN", "Skjønn"):
            assert [c.id for c in (await deadlines.search(s, [word], now=NOW)).calls] == [skjonn.id], word
        assert [c.id for c in (await deadlines.search(s, ["ÆRLIG", "ålesund"], now=NOW)).calls] == [aere.id]
        assert (await deadlines.search(s, ["øst"], now=NOW)).total == 0
