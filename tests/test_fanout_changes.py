"""A changed deadline ("Fristen er endret") and a grouped change ("Utlysningen er endret") are fanned
out by the job, never in the poll's transaction (issue 18): the poll notes one ``fanouts`` row per
change and queues no notice; after its commit the job tells each follower once, in bulk, with the
quiet hours' held moments kept. A call changed twice before the job ran gives one notice, from the
deadline the members last heard of (the real poll over loopback, SQLite and PostgreSQL). The
migration that gives ``fanouts`` its subject keeps the rows it finds."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Connection, select, text
from sqlalchemy.exc import IntegrityError

from bot.config import load_settings
from bot.poll.poll import poll_source
from bot.push.opening import CANCELLED_GROUPED, KIND_CALL_CHANGED
from bot.services import Services
from storage.db import alembic_config, make_engine, migrate
from storage.fanouts import (
    FANOUT_CALL_CHANGED,
    FANOUT_DEADLINE_CHANGED,
    FANOUT_NEW_CALL,
    Fanout,
    next_pending,
    queue_fanout_items,
    queue_fanouts,
)
from storage.models import Call, Chat, Outbox, OutboxStatus, Source, Subscription, Topic
from storage.rules.kinds import CANCELLED_DEADLINE, KIND_DEADLINE_CHANGED
from storage.rules.quiet import QUIET_HELD
from tests.conftest import _pg_admin_url, _pg_drop, _truncate_all
from tests.fixtures.feeds.loopback import LoopbackServer
from tests.fixtures.feeds.loopback import loopback as loopback
from tests.support.fanout import fan_out, poll_and_fan_out
from tests.support.harness import FakeClock
from tests.test_sources_call_life import NOW, mark_sent, serve
from tests.test_sources_call_life import services as services  # the same bot, wired, at NOW

CHATS = (1001, 1002, 1003)  # 1003 keeps quiet hours all day: its notices are held
OLD_5 = "Tidligere frist: onsdag 5. mars"
NEW_12 = "Ny frist: onsdag 12. mars"
NEW_19 = "Ny frist: onsdag 19. mars"


async def _told_of_a_call(services: Services, loopback: LoopbackServer) -> int:
    """Three followers told of an open call (20 millioner, deadline 5 March); returns the source."""
    url = serve(loopback, "Søk nå", "20 millioner kroner", 5)
    async with services.session() as s:
        topic = (await s.execute(select(Topic).where(Topic.slug == "forskning"))).scalar_one()
        for telegram_id in CHATS:
            chat = Chat(telegram_id=telegram_id, quiet_hours="00-23" if telegram_id == 1003 else "")
            s.add(chat)
            await s.flush()
            s.add(Subscription(chat_id=chat.id, topic_id=topic.id, created_at=NOW - timedelta(days=1)))
        src = Source(name="Forskningsrådet", kind="forskningsradet", url=url, topics=["forskning"])
        s.add(src)
        await s.flush()
        sid = src.id
    assert (await poll_and_fan_out(services, sid)).ok
    await mark_sent(services)
    return int(sid)


async def _rows(services: Services, *kinds: str) -> list[Outbox]:
    async with services.session() as s:
        found = await s.execute(select(Outbox).where(Outbox.kind.in_(kinds)).order_by(Outbox.id))
        return list(found.scalars())


async def _fanouts(services: Services) -> list[Fanout]:
    async with services.session() as s:
        return list((await s.execute(select(Fanout).order_by(Fanout.id))).scalars())


async def _by_telegram(services: Services, rows: list[Outbox]) -> dict[int, Outbox]:
    async with services.session() as s:
        chats = {c.id: c.telegram_id for c in (await s.execute(select(Chat))).scalars()}
    return {chats[r.chat_id]: r for r in rows}


async def _telegram_ids(services: Services, rows: list[Outbox]) -> list[int]:
    async with services.session() as s:
        chats = {c.id: c.telegram_id for c in (await s.execute(select(Chat))).scalars()}
    return sorted(chats[r.chat_id] for r in rows)


async def test_a_polled_deadline_change_is_noted_and_the_job_tells_each_follower_once(
    services: Services, loopback: LoopbackServer
) -> None:
    sid = await _told_of_a_call(services, loopback)
    serve(loopback, "Søk nå", "20 millioner kroner", 12)
    assert (await poll_source(services, sid)).ok  # the poll, committed; the job has not run
    assert await _rows(services, KIND_DEADLINE_CHANGED, KIND_CALL_CHANGED) == []
    [noted] = [f for f in await _fanouts(services) if f.done_at is None]
    assert noted.kind == FANOUT_DEADLINE_CHANGED and noted.subject.startswith(
        f"call:{noted.call_id}:2025-03-12"
    )
    assert noted.detail is not None and noted.detail["old_at"].startswith("2025-03-05")

    assert await fan_out(services) == len(CHATS)
    rows = await _rows(services, KIND_DEADLINE_CHANGED)
    assert await _telegram_ids(services, rows) == sorted(CHATS)  # exactly one each
    assert {r.status for r in rows} == {OutboxStatus.PENDING}
    assert all(NEW_12 in r.payload["text"] and OLD_5 in r.payload["text"] for r in rows)
    held = await _by_telegram(services, rows)
    assert [(held[t].next_attempt_at == NOW, held[t].last_error) for t in CHATS] == [
        (True, None), (True, None), (False, QUIET_HELD),
    ]  # fmt: skip
    assert held[1003].next_attempt_at > NOW  # held to the end of its quiet hours
    assert [f.done_at is not None for f in await _fanouts(services)] == [True, True]

    assert (await poll_and_fan_out(services, sid)).ok  # seen again: nothing noted, nothing told twice
    assert len(await _rows(services, KIND_DEADLINE_CHANGED)) == len(CHATS)
    assert len(await _fanouts(services)) == 2


async def test_a_grouped_change_is_noted_and_replaces_the_deadline_notice_in_the_job(
    services: Services, loopback: LoopbackServer
) -> None:
    sid = await _told_of_a_call(services, loopback)
    serve(loopback, "Søk nå", "30 millioner kroner", 12)
    assert (await poll_source(services, sid)).ok
    assert await _rows(services, KIND_DEADLINE_CHANGED, KIND_CALL_CHANGED) == []
    pending = [f for f in await _fanouts(services) if f.done_at is None]
    assert [f.kind for f in pending] == [FANOUT_DEADLINE_CHANGED, FANOUT_CALL_CHANGED]
    assert pending[1].detail is not None and pending[1].detail["grouped"] is True

    await fan_out(services)
    changed = await _rows(services, KIND_CALL_CHANGED)
    assert await _telegram_ids(services, changed) == sorted(CHATS)
    assert {r.status for r in changed} == {OutboxStatus.PENDING}
    assert all("30" in r.payload["text"] and "12. mars" in r.payload["text"] for r in changed)
    deadline = await _rows(services, KIND_DEADLINE_CHANGED)  # queued with it, never sendable
    assert {(r.status, r.last_error) for r in deadline} == {(OutboxStatus.CANCELLED, CANCELLED_GROUPED)}

    assert (await poll_and_fan_out(services, sid)).ok
    assert len(await _rows(services, KIND_CALL_CHANGED)) == len(CHATS)


async def test_an_amount_alone_is_told_by_the_job_and_leaves_no_deadline_notice(
    services: Services, loopback: LoopbackServer
) -> None:
    sid = await _told_of_a_call(services, loopback)
    serve(loopback, "Søk nå", "30 millioner kroner", 5)
    assert (await poll_source(services, sid)).ok
    assert await _rows(services, KIND_DEADLINE_CHANGED, KIND_CALL_CHANGED) == []
    [noted] = [f for f in await _fanouts(services) if f.done_at is None]
    assert noted.kind == FANOUT_CALL_CHANGED and noted.detail is not None and noted.detail["grouped"] is False
    assert await fan_out(services) == len(CHATS)
    assert await _telegram_ids(services, await _rows(services, KIND_CALL_CHANGED)) == sorted(CHATS)
    assert await _rows(services, KIND_DEADLINE_CHANGED) == []


async def test_a_deadline_changed_twice_before_the_job_ran_is_told_once(
    services: Services, loopback: LoopbackServer
) -> None:
    sid = await _told_of_a_call(services, loopback)
    serve(loopback, "Søk nå", "20 millioner kroner", 12)
    assert (await poll_source(services, sid)).ok
    serve(loopback, "Søk nå", "20 millioner kroner", 19)
    assert (await poll_source(services, sid)).ok
    assert [f.kind for f in await _fanouts(services) if f.done_at is None] == [FANOUT_DEADLINE_CHANGED] * 2
    assert await fan_out(services) == len(CHATS)
    rows = await _rows(services, KIND_DEADLINE_CHANGED)
    assert await _telegram_ids(services, rows) == sorted(CHATS)  # one each, not one per change
    for row in rows:  # from what the members were told (5 March) to what holds now (19 March)
        assert NEW_19 in row.payload["text"] and OLD_5 in row.payload["text"]
        assert "12. mars" not in row.payload["text"]
    assert all(f.done_at is not None for f in await _fanouts(services))


async def test_a_second_change_cancels_the_earlier_notice_not_sent_yet(
    services: Services, loopback: LoopbackServer
) -> None:
    sid = await _told_of_a_call(services, loopback)
    serve(loopback, "Søk nå", "20 millioner kroner", 12)
    assert (await poll_and_fan_out(services, sid)).ok  # queued, not sent yet
    serve(loopback, "Søk nå", "20 millioner kroner", 19)
    assert (await poll_source(services, sid)).ok
    earlier = await _rows(services, KIND_DEADLINE_CHANGED)
    assert {r.status for r in earlier} == {OutboxStatus.PENDING}  # the poll did not touch them
    await fan_out(services)
    rows = await _rows(services, KIND_DEADLINE_CHANGED)
    old = [r for r in rows if r.id in {e.id for e in earlier}]
    new = [r for r in rows if r.id not in {e.id for e in earlier}]
    assert {(r.status, r.last_error) for r in old} == {(OutboxStatus.CANCELLED, CANCELLED_DEADLINE)}
    assert await _telegram_ids(services, new) == sorted(CHATS)
    assert {r.status for r in new} == {OutboxStatus.PENDING}
    assert all(
        NEW_19 in r.payload["text"] and "Tidligere frist: onsdag 12. mars" in r.payload["text"] for r in new
    )


async def test_a_new_call_noted_before_its_deadline_changed_is_told_first(
    services: Services, loopback: LoopbackServer
) -> None:
    url = serve(loopback, "Søk nå", "20 millioner kroner", 5)
    async with services.session() as s:
        topic = (await s.execute(select(Topic).where(Topic.slug == "forskning"))).scalar_one()
        chat = Chat(telegram_id=1001, quiet_hours="")
        s.add(chat)
        await s.flush()
        s.add(Subscription(chat_id=chat.id, topic_id=topic.id, created_at=NOW - timedelta(days=1)))
        src = Source(name="Forskningsrådet", kind="forskningsradet", url=url, topics=["forskning"])
        s.add(src)
        await s.flush()
        sid = src.id
    assert (await poll_source(services, sid)).ok  # new: noted, not fanned out yet
    serve(loopback, "Søk nå", "20 millioner kroner", 12)
    assert (await poll_source(services, sid)).ok  # its deadline moved before the job ran
    await fan_out(services)
    async with services.session() as s:
        rows = list((await s.execute(select(Outbox).order_by(Outbox.id))).scalars())
    # The new-call notice (noted first, done first) already shows the new deadline; nobody had
    # been told of the call when its deadline moved, so nobody hears "Fristen er endret".
    assert [r.kind for r in rows] == ["new_call"]
    assert "12. mars" in rows[0].payload["text"] and "5. mars" not in rows[0].payload["text"]


@pytest.fixture(params=["sqlite", "postgres"])
async def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of this test's own (no migration yet)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
        return
    admin = _pg_admin_url()
    if admin is None:
        pytest.skip("PostgreSQL not configured: set FOUI_TEST_DATABASE_URL")
    name = f"foui_mig_{uuid.uuid4().hex[:8]}"
    engine = make_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()
    yield f"{admin.rsplit('/', 1)[0]}/{name}"
    await _pg_drop(admin, name)


def _downgrade(connection: Connection, revision: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.downgrade(cfg, revision)


async def test_the_migration_gives_existing_fan_outs_an_empty_subject(empty_db: str) -> None:
    engine = make_engine(empty_db)
    insert = text("INSERT INTO fanouts (call_id, kind, created_at) VALUES (1, :kind, :t)")
    try:
        await migrate(engine, "i18c_fanouts")
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO calls (id, key, source_name, title, summary, deadline_has_time, rolling,"
                    " status, manual, content_hash, first_seen_at, last_changed_at) VALUES"
                    " (1, 'k', '', 'T', '', false, false, 'open', false, '', :t, :t)"
                ),
                {"t": NOW},
            )
            await conn.execute(insert, {"kind": "new_call", "t": NOW})
        await migrate(engine)
        async with engine.begin() as conn:
            rows = (await conn.execute(text("SELECT kind, subject, detail FROM fanouts"))).all()
            assert [tuple(r) for r in rows] == [("new_call", "", None)]
            # Several change fan-outs of one call, each subject once.
            add = text(
                "INSERT INTO fanouts (call_id, kind, subject, created_at) VALUES (1, 'deadline_changed', :s, :t)"
            )
            await conn.execute(add, {"s": "call:1:a", "t": NOW})
            await conn.execute(add, {"s": "call:1:b", "t": NOW})
        with pytest.raises(IntegrityError):
            async with engine.begin() as conn:
                await conn.execute(add, {"s": "call:1:a", "t": NOW})
        async with engine.begin() as conn:
            await conn.run_sync(_downgrade, "i18c_fanouts")
        async with engine.begin() as conn:
            rows = (await conn.execute(text("SELECT kind FROM fanouts"))).all()
            assert [tuple(r) for r in rows] == [("new_call",)]
        with pytest.raises(IntegrityError):
            async with engine.begin() as conn:
                await conn.execute(insert, {"kind": "new_call", "t": NOW})
        await migrate(engine)
    finally:
        await engine.dispose()


async def test_one_calls_fan_outs_wait_for_the_earlier_one_held_by_another_process(
    pg_url: str | None,
) -> None:
    """PostgreSQL (row locks): while one process does a call's new-call fan-out, another takes a
    fan-out of another call, never the change of the same call noted after it."""
    if pg_url is None:
        pytest.skip("PostgreSQL not configured: set FOUI_TEST_DATABASE_URL")
    settings = load_settings(database_url=pg_url, _env_file=None)
    svc = Services.create(settings, clock=FakeClock(NOW))
    await _truncate_all(svc.engine)
    try:
        async with svc.session() as s:
            for key in ("a", "b"):
                s.add(Call(key=key, title=key, first_seen_at=NOW, last_changed_at=NOW))
            await s.flush()
            a, b = [c.id for c in (await s.execute(select(Call).order_by(Call.id))).scalars()]
            await queue_fanouts(s, [a], FANOUT_NEW_CALL)
            await queue_fanout_items(s, FANOUT_DEADLINE_CHANGED, [(a, f"call:{a}:x", {"old_at": None})])
            await queue_fanouts(s, [b], FANOUT_NEW_CALL)
        async with svc.session() as first, svc.session() as second:
            held = await next_pending(first)
            assert held is not None and (held.call_id, held.kind) == (a, FANOUT_NEW_CALL)
            other = await next_pending(second)
            assert other is not None and (other.call_id, other.kind) == (b, FANOUT_NEW_CALL)
            held.done_at = NOW
            await first.commit()
            other.done_at = NOW
            await second.commit()
        async with svc.session() as s:
            after = await next_pending(s)
            assert after is not None and (after.call_id, after.kind) == (a, FANOUT_DEADLINE_CHANGED)
            assert await next_pending(s, skip=[after.id]) is None
    finally:
        await svc.engine.dispose()
