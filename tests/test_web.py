"""The bot's one HTTP server: /healthz, /metrics, the webhook with its secret, and mounted routes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping

import httpx
import pytest

from bot import endpoints
from bot.app import build_application
from bot.config import SettingsError, load_settings
from bot.console.botapi import InProcessRequest
from bot.web.server import Request, WebServer
from tests.support.fakebot import FakeBotApi
from tests.web_helpers import free_port, polling_app, web_settings

SECRET = "s3cret-token_for-tests"
HOOK_URL = "https://bot.example.org/telegram/hook"


def start_update(user_id: int = 1001, update_id: int = 1) -> dict[str, object]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_700_000_000,
            "chat": {"id": user_id, "type": "private", "first_name": "Kari"},
            "from": {"id": user_id, "is_bot": False, "first_name": "Kari"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


async def test_routes_mounts_404_and_405() -> None:
    server = WebServer("127.0.0.1", 0)
    seen: list[tuple[str, str | None]] = []

    async def hello(request: Request) -> tuple[int, dict[str, str], bytes]:
        return 200, {"Content-Type": "text/plain"}, b"hei"

    async def calendar(tail: str, headers: Mapping[str, str]) -> tuple[int, dict[str, str], bytes]:
        seen.append((tail, headers.get("if-none-match")))
        return 200, {"Content-Type": "text/calendar", "ETag": '"1"'}, b"BEGIN:VCALENDAR"

    server.route("/hei", hello)
    server.mount("/kalender/", calendar)
    with pytest.raises(ValueError):
        server.mount("kalender", calendar)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as client:
            assert (await client.get("/hei")).text == "hei"
            assert (await client.post("/hei")).status_code == 405
            got = await client.get("/kalender/abc123.ics", headers={"If-None-Match": '"0"'})
            assert got.status_code == 200 and got.headers["etag"] == '"1"' and got.text == "BEGIN:VCALENDAR"
            assert (await client.head("/kalender/x.ics")).status_code == 200
            assert (await client.post("/kalender/x.ics")).status_code == 405
            assert (await client.get("/nowhere")).status_code == 404
    finally:
        await server.stop()
    assert seen == [("abc123.ics", '"0"'), ("x.ics", None)]


async def test_a_failing_mount_answers_500_and_the_server_goes_on() -> None:
    server = WebServer("127.0.0.1", 0)

    async def broken(tail: str, headers: Mapping[str, str]) -> tuple[int, dict[str, str], bytes]:
        raise RuntimeError("boom")

    server.mount("/kalender/", broken)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as client:
            assert (await client.get("/kalender/a")).status_code == 500
            assert (await client.get("/kalender/a")).status_code == 500
    finally:
        await server.stop()


async def test_polling_mode_serves_healthz_and_metrics(sqlite_url: str) -> None:
    settings = web_settings(sqlite_url)
    async with polling_app(settings) as app:
        for _ in range(50):  # the sender job starts at once; give it a moment
            if getattr(app.bot_data["services"].extras.get("sender"), "_running", False):
                break
            await asyncio.sleep(0.02)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{settings.http_port}") as client:
            health = await client.get("/healthz")
            metrics = await client.get("/metrics")
    assert health.status_code == 200, health.text
    body = health.json()
    assert body["ok"] is True
    assert set(body["checks"]) == {"database", "scheduler", "sender", "last_poll"}
    assert metrics.status_code == 200
    assert metrics.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = metrics.text
    for name in (
        "foui_updates_total",
        "foui_replies_sent_total",
        "foui_pushes_sent_total",
        "foui_telegram_429_total",
        'foui_outbox_messages{status="pending"}',
        "foui_outbox_oldest_due_seconds",
        'foui_sources{health="never"}',
        'foui_polls_total{outcome="ok"}',
        "foui_poll_duration_seconds_sum",
        "foui_deadlines_waiting_confirmation",
    ):
        assert name in text, name


async def test_healthz_is_503_when_a_part_is_not_alive(sqlite_url: str) -> None:
    settings = web_settings(sqlite_url)
    async with polling_app(settings) as app:
        await app.job_queue.stop(wait=False)  # the scheduler dies
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{settings.http_port}") as client:
            health = await client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["checks"]["scheduler"]["ok"] is False


async def test_port_zero_means_no_server(sqlite_url: str) -> None:
    settings = web_settings(sqlite_url, http_port=0)
    async with polling_app(settings) as app:
        assert endpoints.web_server(app.bot_data["services"]) is None


def test_webhook_needs_https_and_a_secret() -> None:
    with pytest.raises(SettingsError, match="https"):
        load_settings(webhook_url="http://bot.example.org/hook", webhook_secret="x", _env_file=None)
    with pytest.raises(SettingsError, match="FOUI_WEBHOOK_SECRET"):
        load_settings(webhook_url=HOOK_URL, _env_file=None)
    with pytest.raises(SettingsError, match="FOUI_WEBHOOK_SECRET"):
        load_settings(webhook_url=HOOK_URL, webhook_secret="", _env_file=None)


async def test_webhook_mode_answers_an_update_with_the_secret_and_refuses_one_without(
    sqlite_url: str,
) -> None:
    settings = web_settings(sqlite_url, webhook_url=HOOK_URL, webhook_secret=SECRET)
    api = FakeBotApi()
    app = build_application(settings, request=InProcessRequest(api), serve_http=True)
    stop = asyncio.Event()
    running = asyncio.create_task(endpoints.serve_webhook(app, stop=stop))
    base = f"http://127.0.0.1:{settings.http_port}"
    try:
        async with httpx.AsyncClient(base_url=base) as client:
            for _ in range(200):
                if app.running:
                    break
                await asyncio.sleep(0.02)
            assert app.running and app.updater is None
            body = json.dumps(start_update()).encode()
            refused = await client.post("/telegram/hook", content=body)
            wrong = await client.post(
                "/telegram/hook", content=body, headers={"X-Telegram-Bot-Api-Secret-Token": "nope"}
            )
            bad = await client.post(
                "/telegram/hook", content=b"{not json", headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
            )
            assert (refused.status_code, wrong.status_code, bad.status_code) == (403, 403, 400)
            assert not api.sent("sendMessage")
            ok = await client.post(
                "/telegram/hook", content=body, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
            )
            assert ok.status_code == 200
            for _ in range(200):
                if api.sent("sendMessage", chat_id=1001):
                    break
                await asyncio.sleep(0.02)
            assert api.sent("sendMessage", chat_id=1001), "the update with the secret was answered"
            assert (await client.get("/healthz")).status_code in (200, 503)
            metrics = (await client.get("/metrics")).text
            assert "foui_updates_total 1" in metrics
    finally:
        stop.set()
        await asyncio.wait_for(running, 30)
    hooks = api.sent("setWebhook")
    assert hooks and hooks[0].params["url"] == HOOK_URL and hooks[0].params["secret_token"] == SECRET


def test_free_port_is_on_loopback() -> None:
    assert 0 < free_port() < 65536


async def test_the_root_mounts_a_wings_routes_on_the_bots_server(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """How the calendar wing's feeds are served: a factory in ``bot.endpoints.MOUNTS`` gets the
    services and returns ``(path_tail, headers) -> (status, headers, body)``."""
    seen: list[str] = []

    def calendar_feeds(services: object) -> object:
        async def serve(tail: str, headers: Mapping[str, str]) -> tuple[int, dict[str, str], bytes]:
            seen.append(tail)
            return 200, {"Content-Type": "text/calendar; charset=utf-8"}, b"BEGIN:VCALENDAR\r\n"

        return serve

    monkeypatch.setattr(endpoints, "MOUNTS", [("/kalender/", calendar_feeds)])
    settings = web_settings(sqlite_url)
    async with (
        polling_app(settings),
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{settings.http_port}") as c,
    ):
        got = await c.get("/kalender/token123.ics")
    assert got.status_code == 200 and got.text.startswith("BEGIN:VCALENDAR")
    assert seen == ["token123.ics"]


async def test_the_calendar_feeds_are_mounted_on_the_bots_own_server_and_their_tokens_never_logged(
    sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """No monkeypatching: the real ``MOUNTS`` serve the calendar wing's feeds under ``/kalender/``.
    An unknown token is a 404 from the calendar wing (not the server's own), and the token, a secret,
    never reaches the log."""
    token = "A" * 43
    settings = web_settings(sqlite_url)
    caplog.set_level("DEBUG")
    async with (
        polling_app(settings),
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{settings.http_port}") as c,
    ):
        got = await c.get(f"/kalender/{token}.ics")
        other = await c.get("/nowhere")
    assert got.status_code == 404 and got.text != other.text
    ours = [r.getMessage() for r in caplog.records if not r.name.startswith("httpx")]  # the test's client
    assert any("/kalender/" in line for line in ours)
    assert not any(token in line for line in ours)
