"""The fake Bot API of the tests: the console's in-process Bot API with scripted failures.

``FakeBotApi.fail`` makes the next matching calls answer with an error (429, 403, 400, a migrated
group, 500) or time out, per method and chat.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram.error import TimedOut

from bot.console.botapi import ApiCall, BotApiError, InProcessBotApi, InProcessRequest

__all__ = ["ApiCall", "BotApiError", "Failure", "FakeBotApi", "FakeRequest"]

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


class FakeBotApi(InProcessBotApi):
    """The in-process Bot API, plus failures scripted by the test."""

    def __init__(self, bot_user: dict[str, Any] | None = None) -> None:
        super().__init__(bot_user)
        self.failures: list[Failure] = []

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
