"""Crash safety of the real process (``python -m bot.cli run``) against the fake Bot API on loopback.

- SIGKILL in the middle of sending to many chats, then a restart: every message arrives, and only
  the ones in flight at the kill (left in ``sending``) may arrive twice.
- On SQLite a second ``foui-bot run`` on the same file refuses to start, in Norwegian.
- Two processes on the same PostgreSQL database at once send nothing twice.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.db import make_engine, make_sessionmaker
from storage.models import Chat, Outbox, OutboxStatus
from storage.types import utcnow
from tests.support.fakeserver import FakeBotServer
from tests.web_helpers import free_port

pytestmark = pytest.mark.e2e

TOKEN = "123456789:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
CHATS = 240


async def _seed(url: str, count: int) -> None:
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as s:
            chats = [Chat(telegram_id=50_000 + i) for i in range(count)]
            s.add_all(chats)
            await s.flush()
            now = utcnow()
            s.add_all(
                Outbox(
                    chat_id=c.id,
                    kind="new_call",
                    subject="call:1",
                    payload={"text": f"Ny utlysning {c.telegram_id}"},
                    status=OutboxStatus.PENDING,
                    next_attempt_at=now,
                )
                for c in chats
            )
            await s.commit()
    finally:
        await engine.dispose()


async def _statuses(url: str) -> dict[int, str]:
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as s:
            rows = await s.execute(
                select(Chat.telegram_id, Outbox.status).join(Chat, Chat.id == Outbox.chat_id)
            )
            return dict(rows.tuples().all())
    finally:
        await engine.dispose()


def _env(url: str, server: FakeBotServer, tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOUI_")}
    # One source on loopback that refuses connections: the bots never look beyond this machine.
    sources = tmp / "sources.toml"
    sources.write_text(
        '[[source]]\nname = "Lokal"\nkind = "rss"\nurl = "http://127.0.0.1:9/feed.xml"\ninterval_minutes = 600\n',
        encoding="utf-8",
    )
    env.update(
        FOUI_SOURCES_FILE=str(sources),
        FOUI_DATABASE_URL=url,
        FOUI_TELEGRAM_API_URL=server.base_url,
        FOUI_BOT_TOKEN=TOKEN,
        FOUI_SEND_RATE_GLOBAL="80",
        FOUI_QUIET_HOURS="ingen",
        FOUI_OUTBOX_POLL_SECONDS="0.2",
        FOUI_LOG_LEVEL="INFO",
        FOUI_HEARTBEAT_FILE=str(tmp / "heartbeat"),
        FOUI_HTTP_PORT=str(free_port()),
    )
    return env


def _replica(env: dict[str, str]) -> dict[str, str]:
    """One of several processes: webhook mode (long polling allows one process per bot token),
    each with its own HTTP server."""
    return {
        **env,
        "FOUI_HTTP_PORT": str(free_port()),
        "FOUI_WEBHOOK_URL": "https://bot.example.org/telegram/webhook",
        "FOUI_WEBHOOK_SECRET": "replica-secret",
    }


async def _start(env: dict[str, str], tmp: Path, name: str) -> asyncio.subprocess.Process:
    log = (tmp / f"{name}.log").open("wb")
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", env=env, cwd=tmp, stdout=log, stderr=log
    )


def _logs(tmp: Path) -> str:
    return "\n".join(p.read_text(errors="replace")[-3000:] for p in tmp.glob("*.log"))


async def _until(condition: Callable[[], bool], seconds: float, what: str, tmp: Path) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}\n{_logs(tmp)}")
        await asyncio.sleep(0.05)


async def _stop(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), timeout=20)
        except TimeoutError:
            proc.kill()
            await proc.wait()


async def test_sigkill_mid_send_loses_nothing_and_repeats_only_in_flight(
    sqlite_url: str, tmp_path: Path
) -> None:
    await _seed(sqlite_url, CHATS)
    async with FakeBotServer() as server:
        env = _env(sqlite_url, server, tmp_path)
        first = await _start(env, tmp_path, "first")
        await _until(lambda: len(server.accepted) >= CHATS // 3, 60, "the first messages", tmp_path)
        first.kill()  # SIGKILL: no chance to clean up
        await first.wait()
        at_kill = await _statuses(sqlite_url)
        in_flight = {cid for cid, status in at_kill.items() if status == OutboxStatus.SENDING}
        assert 0 < sum(1 for s in at_kill.values() if s == OutboxStatus.SENT) < CHATS

        second = await _start(env, tmp_path, "second")
        try:
            await _until(
                lambda: len(server.delivered()) >= CHATS, 60, "every chat to get its message", tmp_path
            )
            # A second bot on the same SQLite file refuses to start, with a clear message.
            third = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot.cli",
                "run",
                env=env,
                cwd=tmp_path,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            _, err = await asyncio.wait_for(third.communicate(), timeout=30)
            assert third.returncode == 1
            assert "kjører allerede" in err.decode()
        finally:
            await _stop(second)
    final = await _statuses(sqlite_url)
    assert set(final.values()) == {OutboxStatus.SENT}
    delivered = server.delivered()
    assert set(delivered) == set(final)  # nothing lost
    repeated = {cid for cid, n in delivered.items() if n > 1}
    assert repeated <= in_flight  # at most the ones in flight were sent twice
    assert server.duplicates() <= len(in_flight)


async def test_two_processes_on_postgresql_send_nothing_twice(db_url: str, tmp_path: Path) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("two senders at once are for PostgreSQL; SQLite has the single-instance lock")
    await _seed(db_url, CHATS)
    async with FakeBotServer() as server:
        env = _env(db_url, server, tmp_path)
        one = await _start(_replica(env), tmp_path, "one")
        two = await _start(_replica(env), tmp_path, "two")
        try:
            await _until(
                lambda: len(server.delivered()) >= CHATS, 90, "every chat to get its message", tmp_path
            )
            await asyncio.sleep(1.0)  # time for a (wrong) second copy to show up
        finally:
            await _stop(one)
            await _stop(two)
    assert server.duplicates() == 0
    assert len(server.delivered()) == CHATS
    assert set((await _statuses(db_url)).values()) == {OutboxStatus.SENT}
    logs = [(tmp_path / f"{n}.log").read_text(errors="replace") for n in ("one", "two")]
    assert all("sender" in log for log in logs)
