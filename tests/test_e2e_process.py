"""The real process, end to end: ``python -m bot.cli run`` against the fake Bot API and a feed on loopback.

Issue 5's "done when": a new call reaches a subscribed chat within one poll interval, and within
seconds of a ``foui-bot poll`` run in another process; nothing is sent twice.

- Source "Rask" (``interval_minutes = 0.02``, 1.2 s) is polled by the running bot; a new item in
  it must reach the member within the interval plus a little scheduling slack.
- Source "Treg" (an hour) is polled by the bot only at start; a new item in it is fetched by
  ``foui-bot poll`` in a second process, and the running bot's sender must pick up the row that
  process wrote.
- Another member follows a different topic and gets nothing; the fake server records every
  accepted message, so a duplicate or a stray message would show.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from feeds.catalogue import DEFAULT_TOPICS
from storage.db import make_engine, make_sessionmaker
from storage.models import Chat, Outbox, Source, Subscription, Topic
from storage.topics import seed_topics
from storage.types import utcnow
from tests.fixtures.feeds.loopback import LoopbackServer, Route
from tests.fixtures.feeds.loopback import loopback as loopback
from tests.support.fakeserver import FakeBotServer
from tests.web_helpers import free_port

pytestmark = pytest.mark.e2e

TOKEN = "123456789:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
MEMBER = 424_242  # follows "helse"
OTHER = 434_343  # follows "klima" only
FAST_MINUTES = 0.02
SLACK_SECONDS = 4.0  # scheduling, fetching, storing and sending, on a loaded test machine
OUTBOX_POLL_SECONDS = 2.0  # the default: how soon a sender sees rows another process wrote
RSS = "application/rss+xml; charset=utf-8"
ROOT = Path(__file__).resolve().parents[1]

OLD_ITEM = ("rask-1", "Midler til bredbånd i distriktene", "Søknadsfrist: 1. mars 2030.")
FAST_NEW = (
    "rask-2",
    "Velferdsteknologi i hjemmetjenesten 2030",
    "Tilskudd til velferdsteknologi og omsorg. Søknadsfrist: 15. mars 2030 kl. 12.00.",
)
SLOW_OLD = ("treg-1", "Kulturmidler for lag og foreninger", "Søknadsfrist: 2. april 2030.")
SLOW_NEW = (
    "treg-2",
    "Demensvennlige sykehjem: forprosjekt",
    "Midler til helse og omsorg i kommunene. Søknadsfrist: 20. april 2030.",
)


def rss(*items: tuple[str, str, str]) -> Route:
    body = "".join(
        f"<item><title>{title}</title><link>https://example.org/{guid}</link>"
        f'<guid isPermaLink="false">{guid}</guid><description>{text}</description></item>'
        for guid, title, text in items
    )
    xml = f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Test</title>{body}</channel></rss>'
    return Route(body=xml.encode(), content_type=RSS)


async def _prepare(url: str) -> None:
    """Topics, and two members who followed their topic a minute ago (before any call was seen)."""
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as s:
            await seed_topics(s, DEFAULT_TOPICS)
            topics = {t.slug: t.id for t in (await s.execute(select(Topic))).scalars()}
            since = utcnow() - timedelta(minutes=1)
            for telegram_id, slug in ((MEMBER, "helse"), (OTHER, "klima")):
                chat = Chat(telegram_id=telegram_id, kind="private", name="Medlem", created_at=since)
                s.add(chat)
                await s.flush()
                s.add(Subscription(chat_id=chat.id, topic_id=topics[slug], created_at=since))
            await s.commit()
    finally:
        await engine.dispose()


class Db:
    """Read-only looks into the bot's database from the test."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self.sessions = make_sessionmaker(self.engine)

    async def polled(self, name: str) -> int:
        """How many times the source succeeded so far, as far as the database shows (0 or 1+)."""
        async with self.sessions() as s:
            source = (await s.execute(select(Source).where(Source.name == name))).scalar_one_or_none()
            return int(source is not None and source.last_success_at is not None)

    async def outbox(self) -> list[tuple[int, str, str, str]]:
        async with self.sessions() as s:
            rows = await s.execute(
                select(Chat.telegram_id, Outbox.kind, Outbox.subject, Outbox.status)
                .join(Chat, Chat.id == Outbox.chat_id)
                .order_by(Outbox.id)
            )
            return [tuple(r) for r in rows.tuples()]  # type: ignore[misc]


def _env(url: str, server: FakeBotServer, sources: Path, tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOUI_")}
    env.update(
        FOUI_DATABASE_URL=url,
        FOUI_TELEGRAM_API_URL=server.base_url,
        FOUI_BOT_TOKEN=TOKEN,
        FOUI_SOURCES_FILE=str(sources),
        FOUI_QUIET_HOURS="ingen",
        FOUI_OUTBOX_POLL_SECONDS=str(OUTBOX_POLL_SECONDS),
        FOUI_LOG_LEVEL="INFO",
        FOUI_HEARTBEAT_FILE=str(tmp / "heartbeat"),
        FOUI_HTTP_PORT=str(free_port()),  # never a fixed port: tests run side by side
        FOUI_SOURCES_ALLOW_PRIVATE_URLS="true",  # the fixture sites are on 127.0.0.1
        # The processes import this checkout's code, not whichever copy of it is installed.
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p),
    )
    return env


def _logs(tmp: Path) -> str:
    return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-4000:]}" for p in tmp.glob("*.log"))


async def _until(condition: Callable[[], Any], seconds: float, what: str, tmp: Path) -> float:
    """Wait (bounded) until ``condition()`` (sync or async) is true; returns the seconds it took."""
    start = time.monotonic()
    while True:
        value = condition()
        if isinstance(value, Awaitable):
            value = await value
        if value:
            return time.monotonic() - start
        if time.monotonic() - start > seconds:
            raise AssertionError(f"timed out after {seconds} s waiting for {what}\n{_logs(tmp)}")
        await asyncio.sleep(0.05)


async def _stop(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), timeout=10)
        except TimeoutError:
            proc.kill()
            await proc.wait()


def _to(server: FakeBotServer, telegram_id: int, title: str) -> int:
    return sum(1 for a in server.accepted if a.chat_id == telegram_id and title in a.text)


async def test_the_running_bot_delivers_new_calls_once_from_its_own_poll_and_from_foui_bot_poll(
    db_url: str, tmp_path: Path, loopback: LoopbackServer
) -> None:
    await _prepare(db_url)
    fast = loopback.add("/rask.rss", rss(OLD_ITEM))
    slow = loopback.add("/treg.rss", rss(SLOW_OLD))
    sources = tmp_path / "kilder.toml"
    sources.write_text(
        f'[[source]]\nname = "Rask"\nkind = "rss"\nurl = "{fast}"\ninterval_minutes = {FAST_MINUTES}\n\n'
        f'[[source]]\nname = "Treg"\nkind = "rss"\nurl = "{slow}"\ninterval_minutes = 60\n',
        encoding="utf-8",
    )
    db = Db(db_url)
    bot: asyncio.subprocess.Process | None = None
    poller: asyncio.subprocess.Process | None = None
    try:
        # A guard against a hang, not a speed check: four processes start here, each importing the bot.
        async with asyncio.timeout(150), FakeBotServer() as server:
            env = _env(db_url, server, sources, tmp_path)
            log = (tmp_path / "bot.log").open("wb")
            bot = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.cli", "run", env=env, cwd=tmp_path, stdout=log, stderr=log
            )
            # The bot's first polls: both sources stored their (unrelated) calls.
            await _until(lambda: db.polled("Rask"), 30, "the first poll of Rask", tmp_path)
            await _until(lambda: db.polled("Treg"), 30, "the first poll of Treg", tmp_path)
            assert bot.returncode is None, _logs(tmp_path)

            # 1. A new call in the fast feed: one message to the member within one interval.
            hits = loopback.hits["/rask.rss"]
            loopback.routes["/rask.rss"] = rss(OLD_ITEM, FAST_NEW)
            interval = FAST_MINUTES * 60
            took = await _until(
                lambda: _to(server, MEMBER, FAST_NEW[1]) >= 1,
                interval + SLACK_SECONDS,
                "the new call from the bot's own poll",
                tmp_path,
            )
            print(f"new call delivered {took:.2f} s after the feed changed (interval {interval:.1f} s)")
            # Two more polls of the same feed queue nothing again.
            await _until(
                lambda: loopback.hits["/rask.rss"] >= hits + 3, 20, "two more polls of Rask", tmp_path
            )

            # 2. A new call in the slow feed, fetched by `foui-bot poll` in another process.
            loopback.routes["/treg.rss"] = rss(SLOW_OLD, SLOW_NEW)
            assert loopback.hits["/treg.rss"] == 1  # only the bot's first poll so far
            poller = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot.cli",
                "poll",
                env=env,
                cwd=tmp_path,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            out, err = await asyncio.wait_for(poller.communicate(), timeout=30)
            assert poller.returncode == 0, (out + err).decode(errors="replace")
            assert SLOW_NEW[1] in out.decode()
            assert loopback.hits["/treg.rss"] == 2  # the running bot did not poll it again itself
            took = await _until(
                lambda: _to(server, MEMBER, SLOW_NEW[1]) >= 1,
                OUTBOX_POLL_SECONDS + SLACK_SECONDS,
                "the call that `foui-bot poll` queued",
                tmp_path,
            )
            print(f"call queued by another process delivered {took:.2f} s after `foui-bot poll` ended")

            # `foui-bot poll` again: nothing new, nothing queued.
            again = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.cli", "poll", env=env, cwd=tmp_path,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
            )  # fmt: skip
            poller = again
            assert await asyncio.wait_for(again.wait(), timeout=30) == 0
            await _until(lambda: loopback.hits["/rask.rss"] >= hits + 5, 20, "more polls of Rask", tmp_path)
            await _stop(bot)
            assert bot.returncode == 0 or bot.returncode < 0, _logs(tmp_path)
            rows = await db.outbox()
    finally:
        for proc in (poller, bot):
            if proc is not None and proc.returncode is None:
                proc.kill()
                await proc.wait()
        await db.engine.dispose()

    # Exactly one message per new call, to the member only; the old items went to no one.
    member_texts = [a.text for a in server.accepted if a.chat_id == MEMBER]
    assert len(member_texts) == 2, member_texts
    assert _to(server, MEMBER, FAST_NEW[1]) == 1 and _to(server, MEMBER, SLOW_NEW[1]) == 1
    assert all(a.chat_id == MEMBER for a in server.accepted if a.method != "sendChatAction")
    assert server.duplicates() == 0
    assert [(r[0], r[1], r[3]) for r in rows] == [(MEMBER, "new_call", "sent")] * 2
