"""Id lists cut into chunks: asyncpg refuses a statement with more than 32,767 parameters, so no
query carries an id list that grows with the network in one piece; and ``Budget``, which makes
long loops give the event loop a turn."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Iterator

CHUNK = 5_000  # ids per statement


def chunked(ids: Iterable[int], size: int = CHUNK) -> Iterator[list[int]]:
    """Sorted, distinct ids in lists of at most ``size``."""
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), size):
        yield wanted[start : start + size]


class Budget:
    """Time on the event loop between yields: ``await budget.tick()`` in a long loop gives the loop
    a turn (``asyncio.sleep(0)``) once ``seconds`` have passed since the last one, so no planner or
    fan-out holds the bot for longer, whatever the size of the network or the speed of the machine.
    10 ms: a full pass of the garbage collector can fall anywhere in a slice and adds its own pause
    (up to 60–80 ms over a planner batch at 50,000 members), so a block is at most a slice plus one."""

    def __init__(self, seconds: float = 0.01) -> None:
        self.seconds = seconds
        self._since = time.perf_counter()

    async def tick(self) -> None:
        if time.perf_counter() - self._since >= self.seconds:
            await asyncio.sleep(0)
            self._since = time.perf_counter()
