"""Feeds built a moment ago, kept in memory: a calendar client (or anyone holding a link) that asks
again and again costs one build per feed per FRESH, within a byte budget, never more."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

FRESH = timedelta(seconds=60)
BUDGET = 8 * 1024 * 1024  # bytes of feed bodies kept at most


@dataclass(frozen=True)
class Built:
    at: datetime
    digest: str
    changed: datetime
    body: bytes


class FeedCache:
    """By (subscription id, token hash): a renewed or deleted link never meets an old entry."""

    def __init__(self, *, fresh: timedelta = FRESH, budget: int = BUDGET) -> None:
        self.fresh, self.budget = fresh, budget
        self._items: OrderedDict[tuple[int, str], Built] = OrderedDict()
        self._size = 0

    def get(self, key: tuple[int, str], now: datetime) -> Built | None:
        built = self._items.get(key)
        if built is None or not timedelta(0) <= now - built.at < self.fresh:
            return None
        self._items.move_to_end(key)
        return built

    def put(self, key: tuple[int, str], built: Built) -> None:
        old = self._items.pop(key, None)
        if old is not None:
            self._size -= len(old.body)
        if len(built.body) > self.budget:
            return
        self._items[key] = built
        self._size += len(built.body)
        while self._size > self.budget:
            _, dropped = self._items.popitem(last=False)
            self._size -= len(dropped.body)
