"""The sender against a fake Bot API on loopback that allows 30 messages a second.

2,000 notices to 2,000 private chats (``--quick``: 300) through ``tests/support/fakeserver.py``, which
answers 429 above 30 messages in any one-second window. Reports the achieved rate as a ratio to
the sender's configured limit (FOUI_SEND_RATE_GLOBAL, 25 by default; ``--rate`` to change it),
429s received, messages lost and duplicates. The notices are real ones about one open call that
every chat follows (a topic, quiet hours off), so the sender's checks just before sending (the
recipient still follows the call and has not muted it; the call is still open) are part of the
measured rate.

    python -m benchmarks sender            # the full run, about 80 seconds
    python -m benchmarks.bench_sender --quick
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from telegram import Bot
from telegram.request import HTTPXRequest

from bot.config import load_settings
from bot.push.sender import Sender
from bot.services import Services
from storage.db import migrate
from storage.models import Call, CallTopic, Chat, Outbox, OutboxStatus, Subscription, Topic
from storage.outbox import stats
from tests.support.fakeserver import FakeBotServer

TOKEN = "123456789:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
SERVER_LIMIT = 30


async def run(count: int, rate: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        async with FakeBotServer(rate_limit=SERVER_LIMIT) as server:
            settings = load_settings(
                database_url=url, telegram_api_url=server.base_url, send_rate_global=rate, _env_file=None
            )
            services = Services.create(settings)
            await migrate(services.engine)
            now = services.now()
            today = now.astimezone(settings.tz).date().isoformat()
            async with services.session() as s:
                topic = Topic(slug="bench", name="Benchmark", keywords=["bench"], position=0)
                call = Call(key="bench:1", title="Benchmark", deadline_at=now + timedelta(days=30))
                s.add_all([topic, call])
                await s.flush()
                s.add(CallTopic(call_id=call.id, topic_id=topic.id))
                chats = [Chat(telegram_id=10_000 + i, quiet_hours="") for i in range(count)]
                s.add_all(chats)
                await s.flush()
                s.add_all(Subscription(chat_id=c.id, topic_id=topic.id, created_at=now) for c in chats)
                s.add_all(
                    Outbox(
                        chat_id=c.id,
                        kind="new_call",
                        subject="call:1",
                        payload={
                            "text": f"<b>Ny utlysning</b> nr. {i}",
                            "call_id": call.id,
                            "rendered_on": today,
                        },
                        status=OutboxStatus.PENDING,
                        next_attempt_at=now,
                    )
                    for i, c in enumerate(chats)
                )
            bot = Bot(TOKEN, base_url=server.base_url, request=HTTPXRequest(connection_pool_size=64))
            await bot.initialize()
            sender = Sender(services, bot)
            done = asyncio.Event()

            async def watch() -> None:
                while True:
                    async with services.session() as s:
                        st = await stats(s, now=services.now())
                    if st.pending == 0 and st.sending == 0:
                        done.set()
                        return
                    await asyncio.sleep(0.5)

            started = time.monotonic()
            watcher = asyncio.create_task(watch())
            await sender.run(lambda: not done.is_set())
            await watcher
            elapsed = time.monotonic() - started
            await bot.shutdown()
            async with services.session() as s:
                final = await stats(s, now=services.now())
            await services.engine.dispose()
            stamps = sorted(a.at for a in server.accepted)
            span = stamps[-1] - stamps[0] if len(stamps) > 1 else 1.0
            achieved = (len(stamps) - 1) / span if span else 0.0
            delivered = server.delivered()
            return {
                "messages": count,
                "seconds": elapsed,
                "achieved_per_second": achieved,
                "ratio_to_configured": achieved / rate,
                "configured": rate,
                "server_limit": SERVER_LIMIT,
                "too_many_429": server.too_many,
                "lost": count - len(delivered),
                "duplicates": server.duplicates(),
                "failed_rows": final.failed,
            }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="300 messages instead of 2,000")
    parser.add_argument("--count", type=int, default=None)
    parser.add_argument("--rate", type=float, default=25.0, help="FOUI_SEND_RATE_GLOBAL for the run")
    args = parser.parse_args(argv if argv is not None else [a for a in sys.argv[1:] if a.startswith("-")])
    count = args.count or (300 if args.quick else 2000)
    result = asyncio.run(run(count, args.rate))
    print(
        f"sender: {result['messages']:.0f} messages to {result['messages']:.0f} private chats in "
        f"{result['seconds']:.1f} s; fake Bot API allows {SERVER_LIMIT}/s"
    )
    print(
        f"  achieved {result['achieved_per_second']:.2f} msg/s = {result['ratio_to_configured']:.3f} of the "
        f"configured {result['configured']:.0f}/s (goal >= 0.95)"
    )
    print(
        f"  429s received: {result['too_many_429']:.0f} (goal 0); lost: {result['lost']:.0f} (goal 0); "
        f"duplicates: {result['duplicates']:.0f} (goal 0); failed rows: {result['failed_rows']:.0f}"
    )


if __name__ == "__main__":
    main()
