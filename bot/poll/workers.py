"""Polling in the background with a bounded number of workers.

The scheduled job calls ``Poller.tick``: every due source that is not already being polled gets a
task, and at most ``FOUI_POLL_WORKERS`` of them fetch at a time. The tick returns at once, so a
slow source (held to its own budget, ``FOUI_POLL_BUDGET_SECONDS``) never delays the next tick or
the other sources' schedule. One Fetcher is shared, so per-host politeness holds across sources.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable

from bot.poll.poll import PollOutcome, make_fetcher, poll_guarded
from bot.services import Services
from feeds.fetch import Fetcher
from storage import sources as source_store

log = logging.getLogger(__name__)


class Poller:
    """The sources being polled now, and the workers' gate."""

    def __init__(
        self,
        services: Services,
        *,
        fetcher: Fetcher | None = None,
        on_finish: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.services = services
        self.on_finish = on_finish  # after each source's poll (the job plans its next look)
        self.gate = asyncio.Semaphore(services.settings.poll_workers)
        self.running: dict[int, asyncio.Task[PollOutcome | None]] = {}
        self._fetcher = fetcher
        self._own_fetcher = fetcher is None

    @property
    def fetcher(self) -> Fetcher:
        if self._fetcher is None:
            self._fetcher = make_fetcher(self.services.settings)
        return self._fetcher

    async def tick(self) -> list[int]:
        """Start polling every due source that is not running yet; returns their ids at once."""
        async with self.services.session() as session:
            due = await source_store.due_sources(session, now=self.services.now())
            ids = [s.id for s in due if s.id not in self.running]
        for source_id in ids:
            task = asyncio.create_task(self._one(source_id), name=f"poll-source-{source_id}")
            self.running[source_id] = task
            task.add_done_callback(functools.partial(self._done, source_id))
        return ids

    def _done(self, source_id: int, _task: asyncio.Task[PollOutcome | None]) -> None:
        self.running.pop(source_id, None)

    async def _one(self, source_id: int) -> PollOutcome | None:
        async with self.gate:
            outcome = await poll_guarded(self.services, source_id, self.fetcher)
        self.running.pop(source_id, None)  # its next time is recorded: no longer busy
        if self.on_finish is not None:
            try:
                await self.on_finish()
            except Exception:
                log.exception("could not plan the next look after polling source %s", source_id)
        if outcome is None:  # another process has its lease
            return None
        result = outcome.result
        if result is not None and (result.new or result.deadline_changed or result.closed):
            log.info(
                "source %s: %d new, %d deadline changes, %d closed",
                outcome.name,
                len(result.new),
                len(result.deadline_changed),
                len(result.closed),
            )
        return outcome

    async def drain(self) -> list[PollOutcome]:
        """Wait for the polls that are running (tests, and a clean stop)."""
        done = await asyncio.gather(*list(self.running.values()), return_exceptions=True)
        return [o for o in done if isinstance(o, PollOutcome)]

    async def aclose(self) -> None:
        """Stop: cancel the polls still running (their sources stay due) and close the fetcher."""
        tasks = list(self.running.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._own_fetcher and self._fetcher is not None:
            await self._fetcher.aclose()
            self._fetcher = None
