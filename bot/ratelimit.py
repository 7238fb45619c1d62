"""One budget for everything the bot sends: handler replies and edits, and the outbox sender's pushes.

Every Bot API call goes through python-telegram-bot's ``AIORateLimiter`` (the Application's bot is
the sender's bot too), with the sender's limits: ``FOUI_SEND_RATE_GLOBAL`` a second overall,
``FOUI_SEND_RATE_GROUP_PER_MINUTE`` per group, and ``FOUI_SEND_RATE_PRIVATE_PER_SECOND`` per private
chat (which ``AIORateLimiter`` alone does not limit). A 429 pauses every call for ``retry_after``
and the call is tried again (``MAX_RETRIES``), so a burst of people writing at once all get their
answers, only a little later. Counts for /metrics go into ``Services.counters``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter

from bot.config import Settings

MAX_RETRIES = 5
TELEGRAM_PER_SECOND = 30  # Telegram's limits, which ours stay under together
TELEGRAM_PER_GROUP_MINUTE = 20
PRIVATE_BURST = 3  # a reply in a few parts goes out at once; 1 a second on average
MESSAGE_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendMediaGroup",
        "copyMessage",
        "forwardMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "editMessageCaption",
    }
)
MAX_CHAT_LIMITERS = 1024

# Set while an update is being handled (``bot.app``'s first handler group), so a message sent then
# counts as a reply; the sender's job runs outside any update.
REPLYING: ContextVar[bool] = ContextVar("foui_replying", default=False)


class SharedRateLimiter(AIORateLimiter):
    """``AIORateLimiter`` plus a limit per private chat, and counts for /metrics."""

    def __init__(
        self,
        *,
        overall_per_second: float,
        group_per_minute: float,
        private_per_second: float,
        counters: Counter[str] | None = None,
        max_retries: int = MAX_RETRIES,
    ) -> None:
        super().__init__(
            overall_max_rate=overall_per_second,
            overall_time_period=1,
            group_max_rate=group_per_minute,
            group_time_period=60,
            max_retries=max_retries,
        )
        # Leaky buckets hold a burst of ``capacity`` on top of their rate, so a sliding window of
        # Telegram's (30 in any second, 20 in any minute per group) sees at most capacity + rate:
        # keep the bursts small enough that the sum stays within Telegram's numbers.
        overall_burst = max(1, min(overall_per_second, TELEGRAM_PER_SECOND - overall_per_second))
        self._base_limiter = AsyncLimiter(
            max_rate=overall_burst, time_period=overall_burst / overall_per_second
        )
        group_burst = max(1, min(group_per_minute, TELEGRAM_PER_GROUP_MINUTE - group_per_minute))
        self._group_max_rate = group_burst
        self._group_time_period = group_burst * 60 / group_per_minute
        self.private_per_second = private_per_second
        self.counters: Counter[str] = counters if counters is not None else Counter()
        self._private: dict[int, AsyncLimiter] = {}

    def _private_limiter(self, chat_id: int) -> AsyncLimiter:
        if len(self._private) > MAX_CHAT_LIMITERS:
            for key, limiter in list(self._private.items()):
                if key != chat_id and limiter.has_capacity(limiter.max_rate):
                    del self._private[key]
        if chat_id not in self._private:
            self._private[chat_id] = AsyncLimiter(
                max_rate=PRIVATE_BURST, time_period=PRIVATE_BURST / self.private_per_second
            )
        return self._private[chat_id]

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        counters = self.counters

        async def counted(*a: Any, **kw: Any) -> Any:
            try:
                return await callback(*a, **kw)
            except RetryAfter:
                counters["telegram_429"] += 1
                raise

        try:
            chat_id = int(data.get("chat_id"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            chat_id = 0
        if chat_id > 0:
            await self._private_limiter(chat_id).acquire()
        result = await super().process_request(counted, args, kwargs, endpoint, data, rate_limit_args)
        if endpoint in MESSAGE_METHODS:
            counters["messages_sent"] += 1
            if REPLYING.get():
                counters["replies_sent"] += 1
        return result


def make_rate_limiter(settings: Settings, counters: Counter[str] | None = None) -> SharedRateLimiter:
    return SharedRateLimiter(
        overall_per_second=settings.send_rate_global,
        group_per_minute=settings.send_rate_group_per_minute,
        private_per_second=settings.send_rate_private_per_second,
        counters=counters,
    )
