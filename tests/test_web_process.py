"""``foui-bot run`` as a real process: its HTTP server answers in polling mode, and a second
long-poller that Telegram refuses (409 Conflict) stops with a Norwegian message."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

import httpx

from bot import texts
from tests.support.fakeserver import FakeBotServer
from tests.web_helpers import free_port

TOKEN = "123456789:AAProcessTestToken_000000000000000000"


def _sources(tmp: Path) -> None:
    """One source on loopback that refuses connections: the bot never looks beyond this machine."""
    (tmp / "sources.toml").write_text(
        '[[source]]\nname = "Lokal"\nkind = "rss"\nurl = "http://127.0.0.1:9/feed.xml"\ninterval_minutes = 600\n',
        encoding="utf-8",
    )


def _env(server: FakeBotServer, tmp: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOUI_")}
    env.update(
        FOUI_DATABASE_URL=f"sqlite+aiosqlite:///{tmp / 'foui.db'}",
        FOUI_TELEGRAM_API_URL=server.base_url,
        FOUI_BOT_TOKEN=TOKEN,
        FOUI_SOURCES_FILE=str(tmp / "sources.toml"),
        FOUI_HTTP_PORT=str(port),
        FOUI_HEARTBEAT_FILE=str(tmp / "heartbeat"),
    )
    return env


async def _stop(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 20)
        except TimeoutError:
            proc.kill()
            await proc.wait()


async def test_the_running_bot_serves_healthz_and_metrics(tmp_path: Path) -> None:
    _sources(tmp_path)
    port = free_port()
    async with FakeBotServer() as server:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "run",
            env=_env(server, tmp_path, port),
            cwd=tmp_path,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            health: httpx.Response | None = None
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
                for _ in range(300):  # bounded: 30 s
                    try:
                        health = await client.get("/healthz")
                        if health.status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    await asyncio.sleep(0.1)
                metrics = await client.get("/metrics")
        finally:
            await _stop(proc)
    assert health is not None and health.status_code == 200, health.text if health else "no answer"
    assert health.json()["checks"]["database"]["ok"] is True
    assert "foui_updates_total" in metrics.text


async def test_telegrams_409_conflict_stops_a_second_poller_with_a_norwegian_message(tmp_path: Path) -> None:
    _sources(tmp_path)
    async with FakeBotServer() as server:
        server.api.fail(
            "getUpdates",
            error_code=409,
            description="Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
            times=1000,
        )
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "run",
            env=_env(server, tmp_path, free_port()),
            cwd=tmp_path,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            _, err = await asyncio.wait_for(proc.communicate(), 60)
        finally:
            await _stop(proc)
    stderr = err.decode()
    assert proc.returncode == 1, stderr[-2000:]
    assert texts.POLLING_CONFLICT in stderr
    assert TOKEN not in stderr


async def test_a_port_in_use_stops_the_bot_with_a_norwegian_line(tmp_path: Path) -> None:
    _sources(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        async with FakeBotServer() as server:
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot.cli",
                "run",
                env=_env(server, tmp_path, port),
                cwd=tmp_path,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
            try:
                _, err = await asyncio.wait_for(proc.communicate(), 60)
            finally:
                await _stop(proc)
    stderr = err.decode()
    assert proc.returncode == 1, stderr[-2000:]
    assert f"127.0.0.1:{port}" in stderr and "FOUI_HTTP_PORT" in stderr
    assert "Traceback" not in stderr and TOKEN not in stderr
