"""A burst of people writing /start while pushes drain, through a fake Bot API with Telegram's limits.

The real Application (``bot.app.build_application``) over HTTP to ``tests/support/fakeserver.py``,
whose ``FakeBotApi`` enforces Telegram's flood limits (30 messages in any second, 20 a minute per
group, short bursts per private chat; 429 with ``retry_after`` above them). ``PEOPLE`` people
(``--quick``: 200) each send /start once, as fast as the bot takes them, while ``PUSHES`` pushes
(``--quick``: 100) drain from the outbox through the same bot. Reported: the people who got no
answer (goal 0), 429s (goal 0), and the combined rate as a ratio to Telegram's 30/s (higher is
better, at most 1.0: the shared budget is used without going over). ``--unlimited`` runs the same
without the shared rate limiter (as before issue 13), to compare.

    python -m benchmarks burst            # 600 people and 300 pushes, about 40 seconds
    python -m benchmarks.bench_burst --quick
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from telegram import Update

from bot.app import build_application, prepare_database, stop_services
from bot.config import load_settings
from bot.push.sender import Sender
from bot.services import get_services
from storage import members, outbox
from tests.support.fakebot import FakeBotApi, FloodLimits
from tests.support.fakeserver import FakeBotServer

TOKEN = "123456789:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
TELEGRAM_PER_SECOND = 30


def start_update(user_id: int, update_id: int) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "P"},
            "from": {"id": user_id, "is_bot": False, "first_name": "P"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


async def run(people: int, pushes: int, limited: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        api = FakeBotApi(limits=FloodLimits())
        async with FakeBotServer(api) as server:
            settings = load_settings(
                database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}",
                bot_token=TOKEN,
                telegram_api_url=server.base_url,
                http_port=0,
                quiet_hours="",
                _env_file=None,
            )
            app = build_application(settings, rate_limited=limited)
            services = get_services(app)
            await app.initialize()
            try:
                await prepare_database(services)
                # The people who will get pushes: known chats (registered outside the measurement).
                async with services.session() as session:
                    for n in range(pushes):
                        chat = await members.touch_chat(
                            session, 900_000 + n, kind="private", name="P", username=None, now=services.now()
                        )
                        await outbox.enqueue(
                            session,
                            chat_id=chat.id,
                            kind="bench",
                            subject="push",
                            payload={"text": f"Push {n}"},
                        )
                done = False
                sender = Sender(services, app.bot)
                started = time.monotonic()
                sending = asyncio.create_task(sender.run(lambda: not done))
                for n in range(people):
                    await app.process_update(Update.de_json(start_update(100_000 + n, n + 1), app.bot))
                while sender.counters["sent"] + sender.counters["failed"] < pushes:
                    if time.monotonic() - started > 600:
                        break
                    await asyncio.sleep(0.1)
                elapsed = time.monotonic() - started
                done = True
                sender.wake()
                await asyncio.wait_for(sending, 60)
            finally:
                await app.shutdown()
                await stop_services(app)
        answered = {a.chat_id for a in server.accepted if 100_000 <= a.chat_id < 900_000}
        pushed = {a.chat_id for a in server.accepted if a.chat_id >= 900_000}
        stamps = sorted(a.at for a in server.accepted if a.chat_id >= 100_000)
        span = stamps[-1] - stamps[0] if len(stamps) > 1 else 1.0
        return {
            "people": people,
            "pushes": pushes,
            "seconds": elapsed,
            "unanswered": people - len(answered),
            "pushes_lost": pushes - len(pushed),
            "too_many_429": api.too_many,
            "rate": (len(stamps) - 1) / span if span else 0.0,
        }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="200 people and 100 pushes")
    parser.add_argument("--unlimited", action="store_true", help="without the shared rate limiter")
    args = parser.parse_args(argv if argv is not None else [a for a in sys.argv[1:] if a.startswith("-")])
    people, pushes = (200, 100) if args.quick else (600, 300)
    r = asyncio.run(run(people, pushes, limited=not args.unlimited))
    mode = "without the shared limiter" if args.unlimited else "through the shared limiter"
    print(f"burst: {people} people write /start while {pushes} pushes drain, {mode}, in {r['seconds']:.1f} s")
    print(
        f"  unanswered: {r['unanswered']:.0f} (goal 0); pushes lost: {r['pushes_lost']:.0f} (goal 0); "
        f"429s: {r['too_many_429']:.0f} (goal 0)"
    )
    print(
        f"  combined {r['rate']:.1f} msg/s = {r['rate'] / TELEGRAM_PER_SECOND:.3f} of Telegram's "
        f"{TELEGRAM_PER_SECOND}/s (higher is better, at most 1)"
    )


if __name__ == "__main__":
    main()
