"""The fake Bot API and the harness behave like Telegram where the bot depends on it."""

from __future__ import annotations

import pytest
from telegram.error import BadRequest, Forbidden, RetryAfter

from tests.fixtures_bot import MEMBER
from tests.support.fakebot import FakeBotApi, FakeRequest
from tests.support.harness import BotHarness


async def test_harness_initialises_against_the_fake(harness: BotHarness) -> None:
    assert harness.app.bot.username == harness.bot_username
    assert harness.api.sent("getMe")


async def test_unknown_update_causes_no_calls(harness: BotHarness) -> None:
    calls = await harness.send("bare en vanlig melding", MEMBER)
    assert [c for c in calls if c.method == "sendMessage" and "noe gikk galt" in c.text] == []


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        (
            {"error_code": 429, "description": "Too Many Requests: retry after 7", "retry_after": 7},
            RetryAfter,
        ),
        ({"error_code": 403, "description": "Forbidden: bot was blocked by the user"}, Forbidden),
        ({"error_code": 400, "description": "Bad Request: chat not found"}, BadRequest),
    ],
)
async def test_scripted_failures_reach_ptb_as_its_own_errors(kwargs: dict, error: type[Exception]) -> None:
    from telegram import Bot

    api = FakeBotApi()
    bot = Bot("123456789:FAKE_TOKEN_for_offline_use_only_000000", request=FakeRequest(api))
    await bot.initialize()
    api.fail("sendMessage", chat_id=5, **kwargs)
    with pytest.raises(error):
        await bot.send_message(5, "hei")
    message = await bot.send_message(5, "hei igjen")
    assert message.text == "hei igjen"
    assert [c.text for c in api.sent(chat_id=5)] == ["hei", "hei igjen"]
    await bot.shutdown()
