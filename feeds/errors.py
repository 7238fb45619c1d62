"""A fetch that failed, and parsing off the event loop (``feeds.fetch`` uses both)."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

__all__ = ["PARSE_SECONDS", "FetchError", "parse_off_loop"]

PARSE_SECONDS = 30.0
# Parsing runs here, never on the event loop; two threads on a two-core machine.
_PARSE_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="foui-parse")


class FetchError(Exception):
    """A request that gave no usable response; ``reason`` is recorded on the source's health."""

    def __init__(
        self,
        reason: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        code: str = "",
        host: str = "",
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after
        self.code = code  # "private_address", "parse_timeout", ...: bot.texts words these for people
        self.host = host


async def parse_off_loop(
    fn: Callable[..., object], *args: object, seconds: float, **kwargs: object
) -> object:
    """``fn(*args, **kwargs)`` in the parse threads, at most ``seconds``; FetchError after that."""
    loop = asyncio.get_running_loop()
    job = loop.run_in_executor(_PARSE_POOL, functools.partial(fn, *args, **kwargs))
    try:
        async with asyncio.timeout(seconds):
            return await job
    except TimeoutError:
        raise FetchError(
            f"siden tok for lang tid å lese (over {seconds:g} s)", code="parse_timeout"
        ) from None
