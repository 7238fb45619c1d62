"""How the sender writes each outcome into the outbox (sent elsewhere; here: held, given back,
cancelled, the chat gone, retried later, given up) and gives back what an earlier run left claimed."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.push.delivery import backoff
from bot.services import Services
from storage import outbox
from storage.claims import Claimed, cancel_claimed, claimers_on_host, mark_failed, mark_retry, release_claims
from storage.rules.quiet import QUIET_HELD

log = logging.getLogger(__name__)

RATE_HELD = "holdt tilbake: Telegram ba oss vente"


class OutcomeBook:
    """The sender's bookkeeping in the outbox; ``Sender`` builds on it."""

    services: Services
    worker: str
    counters: Counter[str]
    _sending: set[int]
    _next_slot: datetime | None

    def now(self) -> datetime:
        return self.services.now()

    async def release_own_host_claims(self, *, everything: bool) -> int:
        """At start: give back what an earlier run left in ``sending``.

        ``everything`` when this process is known to be the only sender (SQLite behind the lock);
        otherwise only claims of processes on this host that are no longer alive.
        """
        import os
        import socket

        now = self.now()
        async with self.services.session() as session:
            if everything:
                count = await release_claims(session, now=now)
            else:
                host = socket.gethostname()
                dead = []
                for name in await claimers_on_host(session, host):
                    try:
                        pid = int(name.split(":")[-2])
                    except (IndexError, ValueError):
                        continue
                    if pid == os.getpid() and name != self.worker:
                        dead.append(name)
                        continue
                    try:
                        os.kill(pid, 0)
                    except ProcessLookupError:
                        dead.append(name)
                    except PermissionError:
                        continue
                count = await release_claims(session, now=now, claimers=dead)
        if count:
            log.warning("gave back %d messages an earlier run had claimed but not finished", count)
        return count

    async def _give_back(self, rows: list[Claimed]) -> None:
        assert self._next_slot is not None
        at = self._next_slot

        async def _write(session: AsyncSession) -> None:
            for row in rows:
                await mark_retry(session, row.id, at=at, error=RATE_HELD, count_attempt=False)

        await self._record(_write)
        self._sending.difference_update(row.id for row in rows)
        self.counters["given_back"] += len(rows)

    async def _hold(self, row_id: int, until: datetime) -> None:
        async def _write(session: AsyncSession) -> None:
            await mark_retry(session, row_id, at=until, error=QUIET_HELD, count_attempt=False)

        await self._record(_write)

    async def _cancel(self, row: Claimed, reason: str) -> None:
        self.counters["cancelled"] += 1
        log.info("outbox row %s (%s %s) not sent: %s", row.id, row.kind, row.subject, reason)
        await self._record(lambda s: cancel_claimed(s, row.id, reason=reason))

    async def _gone(self, row: Claimed, reason: str) -> None:
        self.counters["chat_inactive"] += 1
        log.info("chat %s no longer takes messages (%s); marked inactive", row.chat_id, reason)

        async def _mark(session: AsyncSession) -> None:
            await mark_failed(session, row.id, error=reason)
            await outbox.deactivate_chat(session, row.chat_id, reason=reason)

        await self._record(_mark)

    async def _retry_later(self, row: Claimed, error: str) -> None:
        max_attempts = self.services.settings.send_max_attempts
        if row.attempts >= max_attempts:
            self.counters["failed"] += 1
            log.error("gave up on outbox row %s after %d tries: %s", row.id, row.attempts, error)
            reason = f"ga opp etter {row.attempts} forsøk: {error}"
            await self._record(lambda s: mark_failed(s, row.id, error=reason))
            return
        self.counters["retried"] += 1
        at = self.now() + timedelta(seconds=backoff(row.attempts))
        log.warning("outbox row %s: %s; try %d again at %s", row.id, error, row.attempts + 1, at)
        await self._record(lambda s: mark_retry(s, row.id, at=at, error=error))

    async def _record(self, write: Callable[[AsyncSession], Awaitable[Any]]) -> None:
        """Write an outcome in its own short transaction; a busy database gets a few more tries."""
        for attempt in range(5):
            try:
                async with self.services.session() as session:
                    await write(session)
                return
            except OperationalError:
                if attempt == 4:
                    log.exception("could not record an outbox outcome; the claim timeout will retry it")
                    return
                await asyncio.sleep(0.2 * (attempt + 1))
