"""/frister end to end through the fake Bot API: 10,000 calls, 5,000 members, 20,000 subscriptions.

Each update goes through the real Application (``process_update``: the chat tracker, the handler,
the database, rendering and the fake sendMessage), on SQLite. A bare echo handler measured in the
same harness gives the baseline: the ratio is what /frister costs on top of an update that does
nothing (× echo, lower is better). Members are picked at random from all 5,000, except in the
"repeated" rows: there ten members take turns (the answer cache's case, issue 18's goal of at most
2× echo), measured against an echo by the same ten. Run: ``.venv/bin/python -m benchmarks frister``.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from telegram import Update
from telegram.ext import CommandHandler, ContextTypes

from bot.config import load_settings
from storage.models import Call, CallTopic, Chat, Subscription, Topic
from tests.support.harness import BotHarness, FakeClock, Person, running_harness

CALLS = 10_000
MEMBERS = 5_000
SUBSCRIPTIONS = 20_000
ROUNDS = 400
WARMUP = 30
SEED = 20261123


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The baseline: answer with the text, nothing else."""
    chat, message = update.effective_chat, update.effective_message
    assert chat is not None and message is not None
    await context.bot.send_message(chat.id, message.text or "")


async def populate(harness: BotHarness, rng: random.Random) -> None:
    now = harness.services.now()
    async with harness.services.session() as session:
        topic_ids = list((await session.execute(select(Topic.id))).scalars())
        sources = ["Forskningsrådet", "Regionale forskningsfond Trøndelag", "Statsforvalteren i Trøndelag"]
        rows: list[dict[str, Any]] = []
        for i in range(CALLS):
            rolling = i % 50 == 0
            rows.append(
                {
                    "key": f"bench:{i}",
                    "source_name": sources[i % len(sources)],
                    "title": f"Utlysning {i}: innovasjon i kommunal sektor & <helse>",
                    "url": f"https://www.forskningsradet.no/utlysninger/2026/bench-{i}/",
                    "summary": "Formålet med utlysningen er å støtte innovasjon i offentlig sektor.",
                    "deadline_at": None if rolling else now + timedelta(hours=rng.uniform(-2000, 9000)),
                    "deadline_has_time": i % 3 != 0,
                    "rolling": rolling,
                    "status": "rolling" if rolling else "open",
                    "content_hash": "",
                    "first_seen_at": now,
                    "last_changed_at": now,
                }
            )
        await session.execute(insert(Call), rows)
        call_ids = list((await session.execute(select(Call.id))).scalars())
        links = []
        for call_id in call_ids:
            for topic_id in rng.sample(topic_ids, rng.choice((1, 1, 2, 3))):
                links.append({"call_id": call_id, "topic_id": topic_id})
        await session.execute(insert(CallTopic), links)
        await session.execute(
            insert(Chat),
            [
                {
                    "telegram_id": 100_000 + i,
                    "kind": "private",
                    "name": f"Medlem {i}",
                    "language": "nb",
                    "notify_mode": "instant",
                    "active": True,
                    "in_group": True,
                    "created_at": now,
                    "updated_at": now,
                    "last_seen_at": now,
                }
                for i in range(MEMBERS)
            ],
        )
        chat_ids = list((await session.execute(select(Chat.id))).scalars())
        per_member = SUBSCRIPTIONS // MEMBERS
        await session.execute(
            insert(Subscription),
            [
                {"chat_id": chat_id, "topic_id": topic_id, "created_at": now}
                for chat_id in chat_ids
                for topic_id in rng.sample(topic_ids, per_member)
            ],
        )


REGULARS = 10  # "repeated": these members ask again and again (the answer cache's case)

# name: (text, in the group, how many members take turns)
KINDS: dict[str, tuple[str, bool, int]] = {
    "echo (baseline)": ("/echo hei", False, MEMBERS),
    "/frister, private (member's topics)": ("/frister", False, MEMBERS),
    "echo, repeated (baseline of repeated)": ("/echo hei", False, REGULARS),
    "/frister, private, repeated": ("/frister", False, REGULARS),
    "/frister, group (all topics)": ("/frister", True, MEMBERS),
    "/frister helse 30, private": ("/frister helse 30", False, MEMBERS),
}


async def measure(harness: BotHarness, rng: random.Random) -> dict[str, list[float]]:
    """Round by round, one update of each kind, so that machine load hits them alike."""
    timings: dict[str, list[float]] = {name: [] for name in KINDS}
    for i in range(WARMUP + ROUNDS):
        for name, (text, group, pool) in KINDS.items():
            person = Person(id=100_000 + rng.randrange(pool), first_name="Medlem", username=None)
            start = time.perf_counter()
            calls = await harness.send(text, person, group=group)
            elapsed = time.perf_counter() - start
            assert calls and calls[-1].method == "sendMessage", calls
            if i >= WARMUP:
                timings[name].append(elapsed * 1000)
    return timings


def summary(timings: list[float]) -> tuple[float, float]:
    ordered = sorted(timings)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered), p99


async def run() -> dict[str, tuple[float, float]]:
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(
            database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", log_level="WARNING", _env_file=None
        )
        async with running_harness(settings, clock=FakeClock()) as harness:
            harness.app.add_handler(CommandHandler("echo", echo))
            await populate(harness, rng)
            timings = await measure(harness, rng)
    results = {name: summary(values) for name, values in timings.items()}
    return results


def main() -> None:
    import logging

    logging.getLogger().setLevel(logging.WARNING)
    results = asyncio.run(run())
    base, again = results["echo (baseline)"][0], results["echo, repeated (baseline of repeated)"][0]
    print(f"{CALLS} calls, {MEMBERS} members, {SUBSCRIPTIONS} subscriptions, SQLite; {ROUNDS} updates each")
    print(f"{'update':40} {'median ms':>10} {'p99 ms':>10} {'× echo':>8}")
    for name, (median, p99) in results.items():
        ratio = median / (again if "repeated" in name else base)
        print(f"{name:40} {median:10.2f} {p99:10.2f} {ratio:8.1f}")


if __name__ == "__main__":
    main()
