"""The fake Bot API of the tests: the console's in-process Bot API with scripted failures.

``FakeBotApi.fail`` makes the next matching calls answer with an error (429, 403, 400, a migrated
group, 500) or time out, per method and chat.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from telegram.error import TimedOut

from bot.console.botapi import ApiCall, BotApiError, InProcessBotApi, InProcessRequest

__all__ = ["ApiCall", "BotApiError", "Failure", "FakeBotApi", "FakeRequest", "FloodLimits"]

FakeRequest = InProcessRequest


@dataclass
class Failure:
    """A scripted failure: the next ``times`` matching calls answer with this error."""

    method: str | None
    chat_id: int | None
    error_code: int
    description: str
    retry_after: int | None = None
    migrate_to_chat_id: int | None = None
    timeout: bool = False
    times: int = 1

    def matches(self, method: str, chat_id: int | None) -> bool:
        if self.method is not None and self.method != method:
            return False
        return self.chat_id is None or self.chat_id == chat_id


LIMITED_METHODS = frozenset(
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


@dataclass
class FloodLimits:
    """Telegram's limits as sliding windows (real time): more answers 429 with ``retry_after``."""

    per_second: int = 30  # all chats together, in any second
    per_group_minute: int = 20  # one group, in any minute
    per_private_second: int = 3  # one private chat, in any second (a short burst; 1/s on average)
    retry_after: int = 1


class FakeBotApi(InProcessBotApi):
    """The in-process Bot API, plus failures scripted by the test, and optionally Telegram's limits."""

    def __init__(self, bot_user: dict[str, Any] | None = None, *, limits: FloodLimits | None = None) -> None:
        super().__init__(bot_user)
        self.failures: list[Failure] = []
        self.limits = limits
        self.too_many = 0  # 429s answered because of ``limits``
        self._sent_all: deque[float] = deque()
        self._sent_chat: dict[int, deque[float]] = {}

    def _over_limit(self, method: str, chat_id: int | None) -> bool:
        """Whether this message breaks a limit; if not, it is counted in the windows."""
        if self.limits is None or method not in LIMITED_METHODS or chat_id is None:
            return False
        now = time.monotonic()
        window = 60.0 if chat_id < 0 else 1.0
        allowed = self.limits.per_group_minute if chat_id < 0 else self.limits.per_private_second
        chat = self._sent_chat.setdefault(chat_id, deque())
        for times, span in ((self._sent_all, 1.0), (chat, window)):
            while times and times[0] <= now - span:
                times.popleft()
        if len(self._sent_all) >= self.limits.per_second or len(chat) >= allowed:
            self.too_many += 1
            return True
        self._sent_all.append(now)
        chat.append(now)
        return False

    def fail(
        self,
        method: str | None = None,
        *,
        chat_id: int | None = None,
        error_code: int = 400,
        description: str = "Bad Request",
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
        timeout: bool = False,
        times: int = 1,
    ) -> None:
        self.failures.append(
            Failure(method, chat_id, error_code, description, retry_after, migrate_to_chat_id, timeout, times)
        )

    def _take_failure(self, method: str, chat_id: int | None) -> Failure | None:
        for failure in self.failures:
            if failure.matches(method, chat_id):
                failure.times -= 1
                if failure.times <= 0:
                    self.failures.remove(failure)
                return failure
        return None

    async def handle(self, method: str, params: dict[str, Any], files: dict[str, tuple[str, bytes]]) -> Any:
        call = self.record(method, params, files)
        if self._over_limit(method, call.chat_id):
            assert self.limits is not None
            self.calls.remove(call)  # refused: not a message the person got
            retry = self.limits.retry_after
            raise BotApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})
        failure = self._take_failure(method, call.chat_id)
        if failure is not None:
            if failure.timeout:
                raise TimedOut("fake timeout")
            parameters: dict[str, Any] = {}
            if failure.retry_after is not None:
                parameters["retry_after"] = failure.retry_after
            if failure.migrate_to_chat_id is not None:
                parameters["migrate_to_chat_id"] = failure.migrate_to_chat_id
            raise BotApiError(failure.error_code, failure.description, parameters)
        return await self.answer(method, params, files)
