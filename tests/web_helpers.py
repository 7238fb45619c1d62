"""Helpers for the tests of the bot's HTTP server: a free loopback port, the app with the server."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from bot.app import build_application, start_services, stop_services
from bot.config import Settings, load_settings
from bot.console.botapi import InProcessRequest
from tests.support.fakebot import FakeBotApi


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def web_settings(db_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": db_url,
        "coordinator_ids": [9001],
        "http_port": free_port(),
        "_env_file": None,
    }
    values.update(overrides)
    return load_settings(**values)


@asynccontextmanager
async def polling_app(settings: Settings, api: FakeBotApi | None = None) -> AsyncIterator[Any]:
    """The Application as ``foui-bot run`` starts it (jobs and HTTP server), without the Updater."""
    api = api or FakeBotApi()
    app = build_application(settings, request=InProcessRequest(api), serve_http=True)
    await app.initialize()
    try:
        await start_services(app)
        await app.start()
        try:
            yield app
        finally:
            await app.stop()
    finally:
        await app.shutdown()
        await stop_services(app)
