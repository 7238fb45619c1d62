"""A burst of people writing at once, through a fake Bot API that enforces Telegram's flood limits
(30 messages a second overall, 20 a minute per group, short bursts per private chat; 429 with
``retry_after`` above them): everyone gets an answer, and replies and pushes share one budget."""

from __future__ import annotations

import asyncio
import html
from typing import Any

from telegram import Update

from bot import texts
from bot.app import build_application, prepare_database, stop_services
from bot.config import Settings, load_settings
from bot.push.sender import Sender
from bot.services import get_services
from storage import members as chat_store
from storage import outbox
from tests.support.fakebot import FakeBotApi, FloodLimits
from tests.support.fakeserver import FakeBotServer

TOKEN = "123456789:AAFakeTokenForTheBurstTest_0000000000"
PEOPLE = 200


def start_update(user_id: int, update_id: int) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_700_000_000,
            "chat": {"id": user_id, "type": "private", "first_name": f"P{user_id}"},
            "from": {"id": user_id, "is_bot": False, "first_name": f"P{user_id}"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


def burst_settings(db_url: str, server: FakeBotServer) -> Settings:
    return load_settings(
        database_url=db_url,
        bot_token=TOKEN,
        telegram_api_url=server.base_url,
        http_port=0,
        _env_file=None,
    )


async def test_a_burst_of_200_people_writing_start_gets_200_answers(sqlite_url: str) -> None:
    api = FakeBotApi(limits=FloodLimits())
    async with FakeBotServer(api) as server:
        app = build_application(burst_settings(sqlite_url, server))  # the real path: HTTP to the Bot API
        await app.initialize()
        try:
            await prepare_database(get_services(app))
            for n in range(PEOPLE):
                await app.process_update(Update.de_json(start_update(50_000 + n, n + 1), app.bot))
        finally:
            await app.shutdown()
            await stop_services(app)
    answered = {a.chat_id for a in server.accepted if a.method == "sendMessage"}
    errors = [a for a in server.accepted if a.text == html.escape(texts.ERROR_GENERIC)]
    assert not errors
    assert len(answered) == PEOPLE, f"{PEOPLE - len(answered)} of {PEOPLE} got no answer"
    counters = get_services(app).counters
    assert counters["replies_sent"] >= PEOPLE
    assert counters["telegram_429"] == api.too_many  # every 429 counted for /metrics


async def test_replies_and_pushes_share_one_budget(sqlite_url: str) -> None:
    """Pushes drain from the outbox while 60 people write /start: all arrive, within the limits."""
    api = FakeBotApi(limits=FloodLimits())
    async with FakeBotServer(api) as server:
        settings = burst_settings(sqlite_url, server).model_copy(update={"quiet_hours": ""})
        app = build_application(settings)
        services = get_services(app)
        await app.initialize()
        done = False
        try:
            await prepare_database(services)
            members = [60_000 + n for n in range(40)]
            for n, person in enumerate(members):
                await app.process_update(Update.de_json(start_update(person, n + 1), app.bot))
            before = api.too_many
            async with services.session() as session:
                for person in members:
                    chat = await chat_store.get_chat(session, person)
                    assert chat is not None
                    await outbox.enqueue(
                        session,
                        chat_id=chat.id,
                        kind="test",
                        subject="burst",
                        payload={"text": f"Push {person}"},
                    )
            sender = Sender(services, app.bot)
            sending = asyncio.create_task(sender.run(lambda: not done))
            for n in range(60):
                await app.process_update(Update.de_json(start_update(70_000 + n, 100 + n), app.bot))
            for _ in range(300):
                if sender.counters["sent"] >= len(members):
                    break
                await asyncio.sleep(0.1)
            done = True
            sender.wake()
            await asyncio.wait_for(sending, 30)
        finally:
            await app.shutdown()
            await stop_services(app)
    pushes = {a.chat_id for a in server.accepted if a.text.startswith("Push ")}
    replies = {a.chat_id for a in server.accepted if a.chat_id >= 70_000}
    assert pushes == set(members) and len(replies) == 60
    # Together they stay within Telegram's limits (a message or two may arrive bunched up by the
    # loopback's jitter; 0 measured).
    assert api.too_many - before <= 2
