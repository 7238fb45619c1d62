"""The single-instance lock: one ``foui-bot run`` per SQLite file.

SQLite cannot hand rows to two senders safely the way PostgreSQL's ``FOR UPDATE SKIP LOCKED``
can, so a second bot on the same file refuses to start. The lock is an ``fcntl`` lock on
``<database>.lock``: the operating system drops it when the process dies, even with SIGKILL, so a
crashed bot never blocks the next start.

On PostgreSQL several processes may run (``AdvisoryLock``, ``source_lease``): each source is
polled by one process at a time (a lease row with an expiry), the scheduled planners run in one
leader at a time (an advisory lock), and only one process long-polls Telegram per bot token.
"""

from __future__ import annotations

import fcntl
import logging
import os
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from types import TracebackType

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot import texts
from bot.services import Services
from storage.claims import worker_name
from storage.db import sqlite_path
from storage.leases import claim_source, release_source


class AlreadyRunningError(Exception):
    """Another process holds the lock; the message says so in Norwegian."""


class InstanceLock:
    """An exclusive, non-blocking lock on a file, held until ``release`` or the process ends."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.read(fd, 64).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            raise AlreadyRunningError(
                texts.ALREADY_RUNNING.format(database=self.path.with_suffix(""), pid=holder)
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> InstanceLock:
        self.acquire()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


def lock_for(database_url: str) -> InstanceLock | None:
    """The lock for a SQLite file (``<file>.lock``), or None for PostgreSQL and in-memory databases."""
    path = sqlite_path(database_url)
    if path is None:
        return None
    return InstanceLock(path.with_name(path.name + ".lock"))


# ---- several processes on one PostgreSQL database ---------------------------------------------
LEADER_KEY = 0x464F_5549_4C45_4144  # "FOUILEAD": the process that runs the scheduled planners
POLLER_KEY_BASE = 0x464F_5549_0000_0000  # + the bot's id: the one process that long-polls
LEASE_TTL = timedelta(minutes=15)  # longer than any one poll may take (a dead poller's lease expires)

log = logging.getLogger(__name__)


class AdvisoryLock:
    """A PostgreSQL session-level advisory lock, held on a connection of its own (autocommit).

    ``try_acquire`` is cheap to call again and again: while held it checks the connection is still
    alive (a lost connection loses the lock, and it is tried for again); another process gets the
    lock as soon as the holder's connection ends, even when it was killed.
    """

    def __init__(self, engine: AsyncEngine, key: int) -> None:
        self.engine = engine
        self.key = key
        self._conn: AsyncConnection | None = None

    @property
    def held(self) -> bool:
        return self._conn is not None

    async def try_acquire(self) -> bool:
        if self._conn is not None:
            try:
                await self._conn.execute(text("SELECT 1"))
                return True
            except Exception:
                log.warning("lost the connection holding advisory lock %x; trying again", self.key)
                await self.release()
        conn = await self.engine.connect()
        try:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            got = bool(
                (await conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key})).scalar()
            )
        except Exception:
            await conn.close()
            raise
        if not got:
            await conn.close()
            return False
        self._conn = conn
        return True

    async def release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
            except Exception:  # the connection is gone: so is the lock
                log.debug("advisory lock %x: connection already gone", self.key)
            finally:
                await conn.close()


def is_postgres(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "postgresql"


def poller_key(token: str) -> int:
    """The lock of the one long-polling process for a bot (its id is the token's first part)."""
    bot_id = token.split(":", 1)[0]
    return POLLER_KEY_BASE + (int(bot_id) if bot_id.isdigit() else zlib.crc32(bot_id.encode())) % (1 << 31)


def lease_holder(services: Services) -> str:
    holder = services.extras.get("lease_holder")
    if not isinstance(holder, str):
        holder = services.extras["lease_holder"] = worker_name()
    return holder


@asynccontextmanager
async def source_lease(services: Services, source_id: int, *, due_only: bool) -> AsyncIterator[bool]:
    """Hold the source's lease while polling it: True when this process may poll it now (no other
    process is polling it, and with ``due_only`` it is still due), False to skip it."""
    holder = lease_holder(services)
    async with services.session() as session:
        got = await claim_source(
            session, source_id, holder=holder, now=services.now(), ttl=LEASE_TTL, due_only=due_only
        )
    try:
        yield got
    finally:
        if got:
            try:
                async with services.session() as session:
                    await release_source(session, source_id, holder=holder)
            except Exception:  # the lease expires by itself
                log.warning("could not give back the lease on source %s", source_id, exc_info=True)
