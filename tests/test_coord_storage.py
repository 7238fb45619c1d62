"""Storage for the coordinators' features, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from feeds.catalogue import DEFAULT_TOPICS
from storage import audit, manual
from storage.models import CallStatus, DeadlineChange
from storage.topics import seed_topics

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def test_audit_record_and_recent(session_factory: async_sessionmaker[AsyncSession]) -> None:
    async with session_factory() as s:
        await audit.record(s, actor_id=1, action=audit.REFUSED, detail={"command": "/nyfrist"}, at=NOW)
        await audit.record(s, actor_id=2, action="manual_deadline_created", at=NOW + timedelta(seconds=1))
        await s.commit()
    async with session_factory() as s:
        newest = await audit.recent(s)
        assert [e.actor_id for e in newest] == [2, 1]
        [refused] = await audit.recent(s, action=audit.REFUSED)
        assert refused.detail == {"command": "/nyfrist"}
        assert refused.at == NOW
        assert [e.action for e in await audit.recent(s, actor_id=2)] == ["manual_deadline_created"]


async def test_manual_call_lifecycle(session_factory: async_sessionmaker[AsyncSession]) -> None:
    deadline = datetime(2027, 3, 5, 12, 0, tzinfo=UTC)
    async with session_factory() as s:
        await seed_topics(s, DEFAULT_TOPICS)
        call = await manual.create_manual_call(
            s,
            title="KS FoU-ordning",
            deadline_at=deadline,
            has_time=True,
            url="https://www.ks.no/fou",
            topic_slugs=["helse", "oppvekst", "finnes-ikke"],
            source_name="KS",
            created_by=9001,
            now=NOW,
        )
        call_id, first_hash = call.id, call.content_hash
        await s.commit()
    async with session_factory() as s:
        [listed] = await manual.list_manual_calls(s, now=NOW)
        assert listed.key.startswith(manual.KEY_PREFIX)
        assert [t.slug for t in listed.topics] == ["helse", "oppvekst"]
        assert await manual.list_manual_calls(s, now=deadline + timedelta(minutes=1)) == []
        assert await manual.manual_source_names(s) == ["KS"]
        change = await manual.update_manual_call(
            s, call_id, now=NOW, deadline=(deadline + timedelta(days=7), True)
        )
        assert change is not None and change.deadline_changed
        assert change.call.content_hash != first_hash
        same = await manual.update_manual_call(s, call_id, now=NOW, title="KS FoU-ordning")
        assert same is not None and not same.deadline_changed
        await manual.update_manual_call(s, call_id, now=NOW, topic_slugs=["klima"], clear_url=True)
        await s.commit()
    async with session_factory() as s:
        again = await manual.get_manual_call(s, call_id)
        assert again is not None
        assert again.url is None
        assert [t.slug for t in again.topics] == ["klima"]
        [recorded] = (await s.execute(select(DeadlineChange))).scalars().all()
        assert recorded.old_deadline_at == deadline
        removed = await manual.remove_manual_call(s, call_id, now=NOW)
        assert removed is not None and removed.status == CallStatus.REMOVED
        await s.commit()
    async with session_factory() as s:
        assert await manual.get_manual_call(s, call_id) is None
        assert await manual.remove_manual_call(s, call_id, now=NOW) is None
        assert await manual.update_manual_call(s, call_id, now=NOW, title="x") is None
        assert await manual.list_manual_calls(s) == []
