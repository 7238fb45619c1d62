"""Id lists cut into chunks: asyncpg refuses a statement with more than 32,767 parameters, so no
query carries an id list that grows with the network in one piece."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

CHUNK = 5_000  # ids per statement


def chunked(ids: Iterable[int], size: int = CHUNK) -> Iterator[list[int]]:
    """Sorted, distinct ids in lists of at most ``size``."""
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), size):
        yield wanted[start : start + size]
