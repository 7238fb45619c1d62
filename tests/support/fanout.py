"""Polls as the running bot does them: the poll commits, then the push wing's fan-out job queues
the notices of new, opened and changed calls (``bot.push.fanout_job``; woken after the poll's commit in the
real process, and run by the minute planner). Tests that look at notices right after a poll run
the job here, rather than expecting the poll's transaction to have queued them."""

from __future__ import annotations

from typing import Any

from bot.poll.poll import poll_source
from bot.push.fanout_job import run_pending
from bot.services import Services


async def fan_out(services: Services) -> int:
    """Run the pending fan-outs, as the job woken after a poll does; returns the rows queued."""
    return await run_pending(services)


async def poll_and_fan_out(services: Services, source_id: int, **kwargs: Any) -> Any:
    """Poll one source, then run the fan-out job; returns the poll's outcome."""
    outcome = await poll_source(services, source_id, **kwargs)
    await fan_out(services)
    return outcome
