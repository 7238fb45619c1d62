"""The README's path, followed as a new operator would: `cp .env.example .env`, the token filled in,
`foui-bot run`. The bot starts on SQLite (./foui.db) with the region's default sources, prints the
/oppsett code once, and that code sent in the group connects it.

Before issue 13 this stopped at once (`FOUI_GROUP_CHAT_ID: Input should be a valid integer`), and
with the group id filled in the empty `FOUI_SOURCES_FILE=` was read as "." so no source was seeded.
"""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot import texts
from bot.config import load_settings
from bot.poll.seed import load_source_defs
from storage.db import make_engine, make_sessionmaker
from storage.models import Source
from tests.support.fakeserver import FakeBotServer
from tests.support.process import env_file_from_example, fresh_env, start_cli, stop, tail, until

pytestmark = pytest.mark.e2e

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw_x"
GROUP = -1001234567890


def _exists(db: Path) -> bool:
    return db.exists()


async def _sources(db: Path) -> int:
    if not _exists(db):
        return 0
    engine = make_engine(f"sqlite+aiosqlite:///{db}")
    try:
        async with make_sessionmaker(engine)() as s:
            return int((await s.execute(select(func.count()).select_from(Source))).scalar_one())
    except Exception:  # not migrated yet
        return 0
    finally:
        await engine.dispose()


def _group_message(text: str) -> dict[str, Any]:
    return {
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": GROUP, "type": "supergroup", "title": "FoUI Trøndelag"},
            "from": {"id": 1001, "is_bot": False, "first_name": "Kari", "last_name": "Nordmann"},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
        }
    }


async def test_env_example_with_only_the_token_starts_on_sqlite_with_the_default_sources(
    tmp_path: Path,
) -> None:
    env_file_from_example(tmp_path, FOUI_BOT_TOKEN=TOKEN)
    defaults, _ = load_source_defs(load_settings(_env_file=None))
    log = tmp_path / "bot.log"
    async with asyncio.timeout(120), FakeBotServer() as server:
        # Only the Bot API's address differs from the README (the fake Telegram on loopback).
        env = fresh_env(FOUI_TELEGRAM_API_URL=server.base_url)
        bot = await start_cli("run", cwd=tmp_path, env=env, log=log)
        try:
            await until(
                lambda: any(c.method == "getUpdates" for c in server.api.calls), 60, "polling", log, bot
            )
            assert bot.returncode is None, tail(log)
            assert await _sources(tmp_path / "foui.db") == len(defaults) > 0
            # The README's next step: the code printed once, sent as /oppsett in the group.
            found = re.search(r"/oppsett ([A-Z2-9]{4}-[A-Z2-9]{4})\n", tail(log))
            assert found, tail(log)
            server.api.push_update(_group_message(f"/oppsett {found.group(1)}"))
            done = texts.OPPSETT_DONE.format(title="FoUI Trøndelag", name="Kari Nordmann")
            await until(
                lambda: any(a.text == done for a in server.accepted), 30, "the /oppsett answer", log, bot
            )
        finally:
            code = await stop(bot)
    output = log.read_text(errors="replace")
    assert code == 0, output
    assert "Traceback" not in output and "Ugyldig innstilling" not in output
    assert TOKEN not in output
