"""The network at three sizes on PostgreSQL: planners, fan-out, the sender's claim, /frister,
event-loop blocks and peak memory.

Sizes (``--sizes``, default 5000,15000,50000): N members with 4 topics each (of 20), N calls
(deadlines over the next year, first seen over the last 90 days), 20·N old sent outbox rows
(100,000 / 300,000 / 1,000,000). Each size runs in a process of its own (its own peak memory) on a
database of its own, created on the server named by ``--db`` (default: FOUI_BENCH_DATABASE_URL or
FOUI_TEST_DATABASE_URL) and dropped afterwards.

Figures per size, and each one's growth from size to size (× the previous size's figure; the
sizes grow ×3 and ×3.3, so a linear cost grows about as much and a constant one stays ×1):

- planner, first run: reminders, event reminders and digests with no marks (everything).
- planner, steady: the run a minute later, nothing changed (only what is newly due).
- planner after restart: a minute later again, as a new process (or a replica that became the
  planner leader): the marks only in the database (``bot_state``), nothing in memory.
- planner, a day's new deadlines: after 1 % of the calls got a moved deadline.
- fan-out rows/s: one new call in two popular topics to its followers, by the fan-out job (higher is
  better); and the poll's transaction that only notes it (ms).
- claim ms, stale statistics: 25 rows right after the fan-out, no ANALYZE since; fresh: after one.
- /frister median and p99 as a ratio to a bare echo handler in the same run (× echo: lower is
  better, 1.0 is as cheap as an echo), repeated (ten members asking again and again: the goal),
  the median the first time a member asks (their view read; one of 20 topic sets), the same when
  their topic set is new to the cache, and a new member's /echo (what any first update costs).
- longest event-loop block (ms) during the first run, and then during the steady run, the run
  after a restart, the run after new deadlines and the fan-out; peak memory (MB, max RSS).

    python -m benchmarks scale                      # all three sizes (the largest takes long)
    python -m benchmarks scale --sizes=2000,5000    # a quick run (options with =)
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import func, insert, select, text
from telegram import Update
from telegram.ext import CommandHandler, ContextTypes

from bot.app import freeze_start
from bot.config import load_settings
from bot.push.fanout import on_ingest
from bot.push.fanout_job import run_pending
from bot.push.plan import (
    DIGEST_MARKS,
    EVENT_MARKS,
    REMINDER_MARKS,
    plan_digests,
    plan_event_reminders,
    plan_reminders,
)
from bot.services import Services
from storage import claims
from storage.db import make_engine
from storage.models import Call, CallTopic, Chat, Topic
from tests.support.harness import FakeClock, Person, running_harness

TOPICS = 20
FRISTER_ROUNDS = 60
DEFAULT_SIZES = (5_000, 15_000, 50_000)


def admin_url(given: str | None) -> str:
    url = given or os.environ.get("FOUI_BENCH_DATABASE_URL") or os.environ.get("FOUI_TEST_DATABASE_URL") or ""
    if not url:
        raise SystemExit("bench_scale needs PostgreSQL: --db or FOUI_BENCH_DATABASE_URL")
    if url.startswith("postgresql://"):
        url = "postgresql+asyncpg://" + url.removeprefix("postgresql://")
    return url


async def _admin(url: str, sql: str) -> None:
    engine = make_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(sql))
    finally:
        await engine.dispose()


class LoopWatch:
    """The longest time the event loop did not get round to a task that wanted to run every 5 ms."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _watch(self) -> None:
        while True:
            start = time.perf_counter()
            await asyncio.sleep(0.005)
            self.longest = max(self.longest, time.perf_counter() - start - 0.005)

    def __enter__(self) -> LoopWatch:
        self._task = asyncio.get_running_loop().create_task(self._watch())
        return self

    def __exit__(self, *_: object) -> None:
        if self._task is not None:
            self._task.cancel()


async def populate(services: Services, n: int) -> None:
    now = services.now()
    statements = [
        "DELETE FROM topics",
        (
            "INSERT INTO topics (slug, name, keywords, position, active)"
            " SELECT 'emne' || g, 'Emne ' || g, '[]', g, true FROM generate_series(1, :topics) g"
        ),
        (
            "INSERT INTO subscriptions (chat_id, topic_id, created_at)"
            " SELECT c.id, t.id, :joined FROM chats c JOIN topics t"
            " ON t.position IN ((c.id * 7) % :topics + 1, (c.id * 7 + 3) % :topics + 1,"
            " (c.id * 7 + 8) % :topics + 1, (c.id * 7 + 13) % :topics + 1)"
        ),
        (
            "INSERT INTO call_topics (call_id, topic_id)"
            " SELECT c.id, t.id FROM calls c JOIN topics t ON t.position IN (c.id % :topics + 1,"
            " (c.id * 3) % :topics + 1)"
        ),
        (
            "INSERT INTO outbox (chat_id, kind, subject, payload, status, attempts, next_attempt_at,"
            " sent_at, created_at)"
            " SELECT (SELECT min(id) FROM chats) + g % :n, 'new_call', 'old:' || g, '{\"text\": \"x\"}',"
            " 'sent', 1, :old, :old, :old FROM generate_series(1, :rows) g"
        ),
    ]
    params = {"n": n, "topics": TOPICS, "rows": 20 * n, "now": now, "old": now - timedelta(days=60)}
    # Members joined an hour ago: reminders whose moment came before are not sent late (the rule),
    # so the first run queues what a running bot would have queued in the last hour, not a year's.
    params["joined"] = now - timedelta(hours=1)
    modes = {0: "daily", 5: "weekly"}
    chats = [
        {
            "telegram_id": 100_000 + g,
            "kind": "private",
            "name": f"Medlem {g}",
            "notify_mode": modes.get(g % 10, "instant"),
            "in_group": True,
            "created_at": params["old"],
            "updated_at": params["old"],
        }
        for g in range(1, n + 1)
    ]
    calls = [
        {
            "key": f"bench:{g}",
            "source_name": "Forskningsrådet",
            "title": f"Utlysning {g}",
            "url": f"https://example.org/{g}",
            "summary": "Innovasjon i kommunal sektor.",
            "deadline_at": now + timedelta(days=g % 365, hours=3),
            "deadline_has_time": g % 3 != 0,
            "first_seen_at": now - timedelta(days=g % 90),
            "last_changed_at": now - timedelta(days=g % 90),
        }
        for g in range(1, n + 1)
    ]
    async with services.session() as session:
        await session.execute(text(statements[0]))
        await session.execute(text(statements[1]), params)
        for rows, model in ((chats, Chat), (calls, Call)):
            for start in range(0, len(rows), 5_000):
                await session.execute(insert(model), rows[start : start + 5_000])
        for sql in statements[2:]:
            await session.execute(text(sql), params)
    async with services.engine.connect() as conn:
        await conn.execute(text("ANALYZE"))
        await conn.commit()


async def timed(run: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = await run()
    return time.perf_counter() - start, result


async def plan_once(services: Services) -> int:
    count = 0
    for planner in (plan_reminders, plan_event_reminders, plan_digests):
        async with services.session() as session:
            count += await planner(session, services)
    return count


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat, message = update.effective_chat, update.effective_message
    assert chat is not None and message is not None
    await context.bot.send_message(chat.id, message.text or "")


async def one(n: int, admin: str) -> dict[str, float]:
    name = f"foui_scale_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    await _admin(admin, f'CREATE DATABASE "{name}"')
    url = f"{admin.rsplit('/', 1)[0]}/{name}"
    figures: dict[str, float] = {}
    try:
        settings = load_settings(database_url=url, log_level="WARNING", _env_file=None)
        clock = FakeClock()
        async with running_harness(settings, clock=clock) as harness:
            harness.app.add_handler(CommandHandler("echo", echo))
            services = harness.services
            freeze_start()  # as the bot does once started (``bot.app.start_services``)
            await populate(services, n)
            with LoopWatch() as watch:
                figures["planner first run s"], _ = await timed(lambda: plan_once(services))
            figures["loop block ms, first run"] = watch.longest * 1000
            with LoopWatch() as watch:
                clock.advance(minutes=1)
                figures["planner steady s"], _ = await timed(lambda: plan_once(services))
                # A restart (or another replica taking over the planners): the marks only in the
                # database, nothing in memory.
                for key in (REMINDER_MARKS, EVENT_MARKS, DIGEST_MARKS):
                    services.extras.pop(key, None)
                clock.advance(minutes=1)
                figures["planner after restart s"], _ = await timed(lambda: plan_once(services))
                async with services.session() as session:
                    # A day's new deadlines: 1 % of the calls moved a day later, recorded as changes.
                    await session.execute(
                        text(
                            "INSERT INTO deadline_changes (call_id, old_deadline_at, new_deadline_at, changed_at, old_rolling, new_rolling)"
                            " SELECT id, deadline_at, deadline_at + interval '1 day', :now, false, false"
                            " FROM calls WHERE id % 100 = 0"
                        ),
                        {"now": clock.now},
                    )
                    await session.execute(
                        text(
                            "UPDATE calls SET deadline_at = deadline_at + interval '1 day', last_changed_at = :now"
                            " WHERE id % 100 = 0"
                        ),
                        {"now": clock.now},
                    )
                clock.advance(minutes=1)
                figures["planner after new deadlines s"], _ = await timed(lambda: plan_once(services))
                async with services.session() as session:
                    call = Call(
                        key="bench:new",
                        source_name="Forskningsrådet",
                        title="Ny utlysning",
                        url="https://example.org/new",
                        deadline_at=clock.now + timedelta(days=40),
                        first_seen_at=clock.now,
                        last_changed_at=clock.now,
                    )
                    session.add(call)
                    await session.flush()
                    popular = await session.execute(select(Topic.id).where(Topic.position.in_((1, 2))))
                    session.add_all([CallTopic(call_id=call.id, topic_id=t) for t in popular.scalars()])
                    call_id = call.id

                async def noted() -> None:  # the poll's transaction: the fan-out only noted
                    async with services.session() as session:
                        await on_ingest(session, SimpleNamespace(new=[call_id]), services)

                took, _ = await timed(noted)
                figures["poll's transaction, fan-out noted ms"] = took * 1000
                took, rows = await timed(lambda: run_pending(services))  # the fan-out job
                figures["fan-out rows"] = rows
                figures["fan-out rows/s"] = rows / took
                figures["loop block ms, then"] = watch.longest * 1000
            figures["claim ms, stale statistics"] = await claim_ms(services, clock.now)
            async with services.engine.connect() as conn:
                await conn.execute(text("ANALYZE outbox"))
                await conn.commit()
            figures["claim ms, fresh statistics"] = await claim_ms(services, clock.now)
            figures.update(await frister_ratio(harness, n))
            async with services.session() as session:
                figures["outbox rows"] = (
                    await session.execute(select(func.count()).select_from(text("outbox")))
                ).scalar_one()
    finally:
        await _admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    figures["peak memory MB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


async def claim_ms(services: Services, now: Any) -> float:
    times = []
    for i in range(5):
        async with services.session() as session:
            start = time.perf_counter()
            got = await claims.claim(session, worker=f"bench:{i}", now=now, limit=25)
            times.append((time.perf_counter() - start) * 1000)
            assert len(got) == 25
    return statistics.median(times)


async def frister_ratio(harness: Any, n: int) -> dict[str, float]:
    """Repeated: ten members asking again and again (the cache's case, the goal); first time: a
    different member each round (their view is read; their topic set is one of 20, mostly answered
    already); new topic set: the same, with the kept answers dropped first (picked out of the calls
    kept in memory); a new member's /echo: what any first update costs (their language read and
    noted, the chat tracker's write), the floor under the first-time figures."""
    from handlers.frister_cache import frister_cache

    timings: dict[str, list[float]] = {"echo": [], "repeated": [], "first": [], "new set": [], "new echo": []}
    for i in range(10 + FRISTER_ROUNDS):
        member = Person(id=100_001 + (i * 7919) % n, first_name="Medlem", username=None)
        regular = Person(id=100_001 + (i % 10) * 13 % n, first_name="Medlem", username=None)
        other = Person(id=100_001 + (i * 7919 + 1234) % n, first_name="Medlem", username=None)
        newcomer = Person(id=100_001 + (i * 7919 + 917) % n, first_name="Medlem", username=None)
        for name, command, person in (
            ("echo", "/echo hei", regular),
            ("repeated", "/frister", regular),
            ("first", "/frister", member),
            ("new set", "/frister", other),
            ("new echo", "/echo hei", newcomer),
        ):
            answers = frister_cache(harness.services.extras).answers
            kept = dict(answers) if name == "new set" else {}
            if kept:  # for this one only: the others' answers are put back after it
                answers.clear()
            start = time.perf_counter()
            await harness.send(command, person)
            if i >= 10:
                timings[name].append(time.perf_counter() - start)
            answers.update(kept)
    median, echo = statistics.median, statistics.median(timings["echo"])
    p99 = sorted(timings["echo"])[round(0.99 * (len(timings["echo"]) - 1))]
    repeated = sorted(timings["repeated"])
    return {
        "/frister median × echo": median(repeated) / echo,
        "/frister p99 × echo": repeated[round(0.99 * (len(repeated) - 1))] / p99,
        "/frister first-time median × echo": median(timings["first"]) / echo,
        "/frister new topic set median × echo": median(timings["new set"]) / echo,
        "new member's /echo median × echo": median(timings["new echo"]) / echo,
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks scale")
    parser.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES))
    parser.add_argument("--db", default=None)
    parser.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    admin = admin_url(args.db)
    if args.one is not None:
        import logging

        logging.disable(logging.WARNING)
        print(json.dumps(asyncio.run(one(args.one, admin))))
        return
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    results: list[dict[str, float]] = []
    for n in sizes:
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.bench_scale", "--one", str(n), "--db", admin],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            print(done.stdout[-2000:], done.stderr[-4000:], file=sys.stderr)
            raise SystemExit(f"size {n} failed")
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(f"size {n}: done", flush=True)
    print(f"{'members (4 topics each) = calls; old outbox rows = 20 × members':64}")
    header = f"{'figure':34}" + "".join(f"{n:>12,}" for n in sizes)
    header += "".join(f"{'growth':>9}" for _ in sizes[1:])
    print(header)
    for key in results[0]:
        values = [r[key] for r in results]
        line = f"{key:34}" + "".join(f"{v:12.3f}" for v in values)
        line += "".join(f"{(b / a if a else 0):9.2f}×" for a, b in itertools.pairwise(values))
        print(line)


if __name__ == "__main__":
    main()
