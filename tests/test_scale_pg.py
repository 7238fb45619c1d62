"""At the scale of a national network, on PostgreSQL only (FOUI_TEST_DATABASE_URL): a new call's
notice to more than 40,000 followers, and the sender's claim after such a fan-out while the
table's statistics are stale (no ANALYZE since)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import event, func, select, text

from bot.config import load_settings
from bot.push.fanout import notify_new_calls, on_ingest
from bot.push.fanout_job import run_pending
from bot.services import Services
from storage import claims
from storage.calls import DeadlineChanged
from storage.fanouts import FANOUT_DEADLINE_CHANGED, Fanout
from storage.models import Call, CallTopic, Outbox, OutboxStatus, Topic
from storage.pushes_bulk import BATCH
from storage.rules import kinds
from tests.conftest import _truncate_all
from tests.support.harness import FakeClock

FOLLOWERS = 41_000
TOLD = 40_500  # of them, those whose new-call notice was sent before the deadline changed
MORNING = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
async def pg(pg_url: str | None) -> AsyncIterator[Services]:
    if pg_url is None:
        pytest.skip("PostgreSQL not configured: set FOUI_TEST_DATABASE_URL")
    settings = load_settings(database_url=pg_url, _env_file=None)
    clock = FakeClock()
    clock.set(MORNING)
    services = Services.create(settings, clock=clock)
    await _truncate_all(services.engine)
    yield services
    await services.engine.dispose()


async def _network(services: Services, members: int) -> int:
    """``members`` private chats (quiet hours off) following one topic, and one new call in it."""
    async with services.session() as s:
        topic = Topic(slug="helse", name="Helse og omsorg", keywords=["helse"], position=0)
        call = Call(
            key="k:1",
            title="Velferdsteknologi",
            url="https://example.org/1",
            source_name="Forskningsrådet",
            deadline_at=MORNING + timedelta(days=20),
            first_seen_at=MORNING,
            last_changed_at=MORNING,
        )
        s.add_all([topic, call])
        await s.flush()
        s.add(CallTopic(call_id=call.id, topic_id=topic.id))
        await s.flush()
        await s.execute(
            text(
                "INSERT INTO chats (telegram_id, kind, name, language, notify_mode, quiet_hours, active,"
                " in_group, created_at, updated_at)"
                " SELECT 1000 + g, 'private', '', 'nb', 'instant', '', true, true, :t, :t"
                " FROM generate_series(1, :n) AS g"
            ),
            {"n": members, "t": MORNING - timedelta(days=30)},
        )
        await s.execute(
            text(
                "INSERT INTO subscriptions (chat_id, topic_id, created_at) SELECT id, :topic, :t FROM chats"
            ),
            {"topic": topic.id, "t": MORNING - timedelta(days=30)},
        )
        call_id = call.id
        await s.commit()
    return int(call_id)


async def test_a_new_call_reaches_more_than_40000_followers(pg: Services) -> None:
    call = await _network(pg, FOLLOWERS)
    async with pg.session() as s:
        assert await notify_new_calls(s, pg, [call]) == FOLLOWERS
        await s.commit()
    async with pg.session() as s:
        assert await notify_new_calls(s, pg, [call]) == 0  # a second run queues nothing
        count = (
            await s.execute(
                select(func.count()).select_from(Outbox).where(Outbox.kind == kinds.KIND_NEW_CALL)
            )
        ).scalar_one()
    assert count == FOLLOWERS


async def test_the_polls_transaction_notes_the_fan_out_and_the_job_reaches_41000(pg: Services) -> None:
    call = await _network(pg, FOLLOWERS)
    result = SimpleNamespace(new=[call], deadline_changed=[], closed=[], touched=[])
    async with pg.session() as s:  # the poll's transaction: one fanouts row, no notice
        await on_ingest(s, result, pg)
        assert (await s.execute(select(func.count()).select_from(Outbox))).scalar_one() == 0
        assert (await s.execute(select(func.count()).select_from(Fanout))).scalar_one() == 1
    assert await run_pending(pg) == FOLLOWERS  # after the commit, in transactions of its own
    assert await run_pending(pg) == 0
    async with pg.session() as s:
        await on_ingest(s, result, pg)  # the same call seen again: never queued twice
    assert await run_pending(pg) == 0
    async with pg.session() as s:
        assert (await s.execute(select(func.count()).select_from(Outbox))).scalar_one() == FOLLOWERS


async def test_a_deadline_change_told_to_41000_is_queued_by_the_job_in_bulk(pg: Services) -> None:
    """The poll's transaction notes the change (no outbox row); the job tells every one of the
    40,500 who were told of the call, one ``INSERT … SELECT`` per batch of chats, not one per chat;
    their reminders for the old deadline and the notices still unsent are cancelled in bulk too."""
    call = await _network(pg, FOLLOWERS)
    async with pg.session() as s:
        await on_ingest(s, SimpleNamespace(new=[call], deadline_changed=[], closed=[], touched=[]), pg)
    assert await run_pending(pg) == FOLLOWERS
    async with pg.session() as s:  # told: 40,500 sent, 500 still held (and rewritten by the change)
        await s.execute(text("UPDATE outbox SET status = 'sent' WHERE chat_id > 500"))
        await s.execute(
            text(
                "INSERT INTO outbox (chat_id, kind, subject, payload, status, attempts, next_attempt_at,"
                " created_at) SELECT chat_id, 'reminder', :subject, '{}', 'pending', 0, :t, :t FROM outbox"
            ),
            {"subject": f"call:{call}:old:14", "t": MORNING},
        )
    old_at = MORNING + timedelta(days=20)
    new_at = MORNING + timedelta(days=27)
    async with pg.session() as s:  # the poll's transaction
        found = await s.get(Call, call)
        assert found is not None
        found.deadline_at = new_at
        await s.flush()
        change = DeadlineChanged(call, old_at, new_at, False, False)
        await on_ingest(s, SimpleNamespace(new=[], deadline_changed=[change], closed=[], touched=[]), pg)
        kinds_now = (await s.execute(select(Outbox.kind, func.count()).group_by(Outbox.kind))).tuples().all()
        assert sorted(kinds_now) == [(kinds.KIND_NEW_CALL, FOLLOWERS), (kinds.KIND_REMINDER, FOLLOWERS)]
        pending = (await s.execute(select(Fanout.kind).where(Fanout.done_at.is_(None)))).scalars().all()
        assert pending == [FANOUT_DEADLINE_CHANGED]

    inserts: list[str] = []

    def _count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO OUTBOX"):
            inserts.append(statement)

    event.listen(pg.engine.sync_engine, "before_cursor_execute", _count)
    try:
        assert await run_pending(pg) == TOLD  # after the commit, in a transaction of its own
    finally:
        event.remove(pg.engine.sync_engine, "before_cursor_execute", _count)
    assert len(inserts) <= FOLLOWERS // BATCH + 2  # in bulk: about 21 statements for 41,000 chats
    assert await run_pending(pg) == 0
    async with pg.session() as s:
        by_kind = dict(
            (
                await s.execute(
                    select(Outbox.kind, func.count())
                    .where(Outbox.status == OutboxStatus.PENDING)
                    .group_by(Outbox.kind)
                )
            )
            .tuples()
            .all()
        )
        rewritten = (
            (
                await s.execute(
                    select(Outbox.payload).where(
                        Outbox.kind == kinds.KIND_NEW_CALL, Outbox.status == OutboxStatus.PENDING
                    )
                )
            )
            .scalars()
            .all()
        )
    assert by_kind == {kinds.KIND_DEADLINE_CHANGED: TOLD, kinds.KIND_NEW_CALL: FOLLOWERS - TOLD}
    assert len({p["text"] for p in rewritten}) == 1  # one statement gave them the new deadline
    assert "20. desember" in rewritten[0]["text"] and "13. desember" not in rewritten[0]["text"]


async def test_a_claim_after_a_large_fan_out_without_analyze(pg: Services) -> None:
    call = await _network(pg, FOLLOWERS)
    async with pg.engine.connect() as conn:  # statistics of a small outbox, as before a big fan-out
        await conn.execute(text("ANALYZE outbox"))
        await conn.commit()
    async with pg.session() as s:
        await notify_new_calls(s, pg, [call])
        await s.commit()
    seen: set[int] = set()
    for _ in range(3):
        async with pg.session() as s:
            # A claim must not lean on the planner's row estimates: bound its cost by the statement timeout.
            await s.execute(text("SET LOCAL statement_timeout = '2s'"))
            got = await claims.claim(s, worker="w", now=MORNING + timedelta(minutes=1), limit=25)
            await s.commit()
        assert len(got) == 25
        assert not seen & {r.id for r in got}
        assert len({r.chat_id for r in got}) == 25
        seen |= {r.id for r in got}
    async with pg.session() as s:
        sending = (
            await s.execute(
                select(func.count()).select_from(Outbox).where(Outbox.status == OutboxStatus.SENDING)
            )
        ).scalar_one()
    assert sending == 75


def _outbox_rows_read(plan: dict[str, Any]) -> int:
    """Rows that the plan's scans of the outbox returned (all loops), summed over the plan tree."""
    own = 0
    if plan.get("Relation Name") == "outbox":
        own = int(plan.get("Actual Rows", 0)) * int(plan.get("Actual Loops", 1))
    return own + sum(_outbox_rows_read(p) for p in plan.get("Plans", []))


async def test_the_claim_reads_a_window_of_due_rows_not_the_whole_fan_out(pg: Services) -> None:
    """With statistics from before the fan-out (of an empty table), the whole claim (one statement)
    reads one window of due rows through the partial index of pending rows and then only the chosen
    rows by key: never the 41,000 rows just queued (a count of rows read, not a time: no timed
    tests). Before, the UPDATE's "id IN (…) AND status = 'pending'" went through the partial index
    the stale statistics showed as empty and read every pending row; and without its planner
    settings the claim's own statement reads them all twice (a scan and sort, a scan and hash)."""
    call = await _network(pg, FOLLOWERS)
    async with pg.engine.connect() as conn:
        await conn.execute(text("ANALYZE outbox"))
        await conn.commit()
    async with pg.session() as s:
        await notify_new_calls(s, pg, [call])
        await s.commit()
    # What the claim really runs (its planner settings and its statement, with their parameters),
    # replayed in order on one connection with the claim's statement under EXPLAIN ANALYZE.
    ran: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        ran.append((statement, parameters))

    event.listen(pg.engine.sync_engine, "before_cursor_execute", record)
    try:
        async with pg.session() as s:
            got = await claims.claim(s, worker="w", now=MORNING + timedelta(minutes=1), limit=25)
            await s.rollback()
    finally:
        event.remove(pg.engine.sync_engine, "before_cursor_execute", record)
    assert len(got) == 25
    assert sum("WITH due AS" in statement for statement, _ in ran) == 1  # one window, one statement
    explained = None
    async with pg.engine.connect() as conn:
        for statement, parameters in ran:
            if "WITH due AS" in statement:
                sql = "EXPLAIN (ANALYZE, FORMAT JSON) " + statement
                explained = (await conn.exec_driver_sql(sql, parameters)).scalar_one()
            else:
                await conn.exec_driver_sql(statement, parameters)
        await conn.rollback()  # (EXPLAIN ANALYZE ran the UPDATE)
    assert explained is not None
    plan = (json.loads(explained) if isinstance(explained, str) else explained)[0]["Plan"]
    assert "ix_outbox_pending_due" in json.dumps(plan)
    # the window, then per chosen chat: its rows by chat, its row locked, and updated by key (the
    # UPDATE's own node names the table too, so its rows count twice): 600, not 41,000
    assert _outbox_rows_read(plan) <= claims.WINDOW + 4 * 25
    assert plan["Actual Rows"] == 25 + 1  # 25 claimed, and the line that tells where the window ended
