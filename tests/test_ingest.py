"""storage.calls.ingest and storage.sources on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from feeds.catalogue import DEFAULT_TOPICS
from feeds.sources import DEFAULT_SOURCES, SourceDef
from storage import calls, sources
from storage.calls import CallData, DeadlineChanged, derive_status
from storage.models import Call, CallStatus, CallTopic, DeadlineChange, Source
from storage.topics import seed_topics

NOW = datetime(2025, 1, 10, 9, 0, tzinfo=UTC)
D1 = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)
D2 = datetime(2025, 4, 2, 11, 0, tzinfo=UTC)


async def _source(s: AsyncSession, topics: list[str] | None = None) -> Source:
    await seed_topics(s, DEFAULT_TOPICS)
    src = Source(name="Forskningsrådet", kind="forskningsradet", url="https://x.test/", topics=topics or [])
    s.add(src)
    await s.flush()
    return src


def item(key: str = "k1", **kw: object) -> CallData:
    base: dict[str, object] = {
        "key": key,
        "title": "Pilot Helse",
        "url": f"https://x.test/{key}",
        "deadline_at": D1,
        "deadline_has_time": True,
    }
    base.update(kw)
    return CallData(**base)  # type: ignore[arg-type]


async def test_new_changed_deadline_and_closed(session_factory: async_sessionmaker[AsyncSession]) -> None:
    async with session_factory() as s:
        src = await _source(s, ["forskning"])
        r1 = await calls.ingest(
            s, src, [item(topics=["helse"]), item("k2", title="Gammel", status="closed")], now=NOW
        )
        await s.commit()
        assert len(r1.new) == 1 and len(r1.new_closed) == 1 and not r1.changed
        call = (await s.execute(select(Call).where(Call.key == "k1"))).scalar_one()
        assert (
            call.deadline_at == D1
            and call.status == CallStatus.OPEN
            and call.source_name == "Forskningsrådet"
        )
        slugs = (
            {t.slug for t in (await s.execute(select(Call).where(Call.id == call.id))).scalar_one().topics}
            if False
            else None
        )
        del slugs
        links = (
            await s.execute(select(func.count()).select_from(CallTopic).where(CallTopic.call_id == call.id))
        ).scalar_one()
        assert links == 2  # its own topic and the source's default topic

        # the same again: nothing new, nothing changed
        r2 = await calls.ingest(s, src, [item(topics=["helse"])], now=NOW)
        assert (r2.new, r2.changed, r2.deadline_changed, r2.unchanged) == ([], [], [], 1)

        # the deadline moves: recorded, reported as a 5-tuple for the pushes
        r3 = await calls.ingest(s, src, [item(deadline_at=D2)], now=NOW)
        await s.commit()
        assert r3.deadline_changed == [DeadlineChanged(call.id, D1, D2, False, False)]
        _, old_at, new_at, _, _ = r3.deadline_changed[0]
        assert (old_at, new_at) == (D1, D2)
        rows = (await s.execute(select(DeadlineChange))).scalars().all()
        assert [(r.old_deadline_at, r.new_deadline_at) for r in rows] == [(D1, D2)]

        # to rolling, then the source closes it
        r4 = await calls.ingest(s, src, [item(deadline_at=None, rolling=True)], now=NOW)
        assert r4.deadline_changed[0].new_rolling is True
        r5 = await calls.ingest(s, src, [item(deadline_at=None, rolling=True, status="closed")], now=NOW)
        assert r5.closed == [call.id]
        await s.commit()


async def test_vanished_items_are_kept_and_missing_deadline_keeps_the_old(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as s:
        src = await _source(s)
        await calls.ingest(s, src, [item("a"), item("b")], now=NOW)
        r = await calls.ingest(
            s,
            src,
            [item("a", deadline_at=None, deadline_has_time=False, summary="ny tekst", content_hash="h2")],
            now=NOW,
        )
        await s.commit()
        assert r.deadline_changed == [] and len(r.changed) == 1
        assert (await s.execute(select(func.count()).select_from(Call))).scalar_one() == 2
        a = (await s.execute(select(Call).where(Call.key == "a"))).scalar_one()
        assert a.deadline_at == D1  # a deadline is never erased by a page that did not show it


async def test_passing_deadline_closes_and_duplicates_in_one_batch(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as s:
        src = await _source(s)
        r = await calls.ingest(s, src, [item("a"), item("a", title="Duplikat")], now=NOW)
        assert len(r.new) == 1
        later = D1 + timedelta(hours=1)
        r2 = await calls.ingest(s, src, [item("a")], now=later)
        assert r2.closed == r.new
        await s.commit()


def test_derive_status_date_only_lasts_the_day() -> None:
    day = datetime(2025, 3, 4, 23, 0, tzinfo=UTC)  # 5 March 00:00 in Oslo
    data = CallData(key="k", title="t", deadline_at=day, deadline_has_time=False)
    assert derive_status(data, datetime(2025, 3, 5, 20, 0, tzinfo=UTC)) == CallStatus.OPEN
    assert derive_status(data, datetime(2025, 3, 5, 23, 30, tzinfo=UTC)) == CallStatus.CLOSED
    assert derive_status(CallData(key="k", title="t", rolling=True), NOW) == CallStatus.ROLLING
    assert derive_status(CallData(key="k", title="t", status="planned", deadline_at=D1), NOW) == "planned"


async def test_seed_sources_defaults_and_file(session_factory: async_sessionmaker[AsyncSession]) -> None:
    async with session_factory() as s:
        rep = await sources.seed_sources(s, DEFAULT_SOURCES, replace=False)
        assert len(rep.added) == 4
        first = (await sources.list_sources(s))[0]
        first.enabled = False  # a coordinator's choice survives a restart
        rep = await sources.seed_sources(s, DEFAULT_SOURCES, replace=False)
        assert rep.added == [] and not (await sources.list_sources(s))[0].enabled
        file_defs = [SourceDef("Mine", "rss", "https://feed.test/rss", ("helse",), 0.5)]
        rep = await sources.seed_sources(s, file_defs, replace=True)
        await s.commit()
        assert rep.added == ["Mine"] and len(rep.disabled) == 3
        enabled = await sources.list_sources(s, include_disabled=False)
        assert [(x.name, x.interval_minutes, x.topics) for x in enabled] == [("Mine", 0.5, ["helse"])]


async def test_health_backoff_and_due(session_factory: async_sessionmaker[AsyncSession]) -> None:
    async with session_factory() as s:
        src = Source(name="S", kind="rss", url="https://s.test/", interval_minutes=30)
        s.add(src)
        await s.flush()
        assert [x.id for x in await sources.due_sources(s, now=NOW)] == [src.id]
        await sources.record_failure(s, src, now=NOW, reason="HTTP 500")
        assert src.consecutive_failures == 1 and src.next_poll_at == NOW + timedelta(minutes=60)
        await sources.record_failure(s, src, now=NOW, reason="HTTP 500")
        assert src.next_poll_at == NOW + timedelta(minutes=120)
        await sources.record_failure(s, src, now=NOW, reason="HTTP 503", retry_after=6 * 3600)
        assert src.next_poll_at == NOW + timedelta(hours=6) and src.last_error == "HTTP 503"
        assert await sources.due_sources(s, now=NOW) == []
        await sources.record_success(
            s, src, now=NOW, etag='"e"', last_modified="lm", items_found=3, warnings=["dup"]
        )
        await s.commit()
        assert (src.consecutive_failures, src.etag, src.items_found) == (0, '"e"', 3)
        assert src.next_poll_at == NOW + timedelta(minutes=30) and src.last_error == "advarsel: dup"
        assert sources.backoff_minutes(60, 30) == 24 * 60
