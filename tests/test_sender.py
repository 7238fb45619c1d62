"""The sender against the fake Bot API: limits, 429, 403, 400, migrated groups, 5xx, timeouts.

The clock is a FakeClock and the sender's sleep moves it, so nothing here actually waits.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from telegram import Bot

from bot.config import load_settings
from bot.push.delivery import backoff, split_text
from bot.push.sender import Sender
from bot.services import Services
from storage import outbox
from storage.models import Chat, ChatKind, Outbox, OutboxStatus
from tests.support.fakebot import FakeBotApi, FakeRequest
from tests.support.harness import FakeClock

TOKEN = "123456789:FAKE_TOKEN_for_offline_use_only_000000"
# A Monday at 11:00 in Oslo: outside the default quiet hours.
NOON = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@dataclass
class Rig:
    services: Services
    api: FakeBotApi
    clock: FakeClock
    sender: Sender
    slept: list[float]

    async def chat(self, telegram_id: int, kind: str = ChatKind.PRIVATE, **kw: Any) -> int:
        async with self.services.session() as s:
            chat = Chat(telegram_id=telegram_id, kind=kind, **kw)
            s.add(chat)
            await s.flush()
            return chat.id

    async def queue(self, chat_id: int, subject: str, **payload: Any) -> None:
        payload.setdefault("text", f"melding {subject}")
        async with self.services.session() as s:
            await outbox.enqueue(
                s, chat_id=chat_id, kind="test", subject=subject, payload=payload, not_before=self.clock.now
            )

    async def rows(self) -> dict[str, Outbox]:
        async with self.services.session() as s:
            return {r.subject: r for r in (await s.execute(select(Outbox))).scalars()}

    async def get_chat(self, chat_id: int) -> Chat:
        async with self.services.session() as s:
            chat = await s.get(Chat, chat_id)
            assert chat is not None
            return chat


@pytest.fixture
async def rig(db_url: str) -> AsyncIterator[Rig]:
    settings = load_settings(database_url=db_url, _env_file=None)
    clock = FakeClock(NOON)
    services = Services.create(settings, clock=clock)
    api = FakeBotApi()
    bot = Bot(TOKEN, request=FakeRequest(api))
    await bot.initialize()
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.advance(seconds=seconds)

    sender = Sender(services, bot, worker="test:1:a", sleep=sleep)
    yield Rig(services, api, clock, sender, slept)
    await bot.shutdown()
    await services.engine.dispose()


async def test_sends_text_buttons_and_records_the_message_id(rig: Rig) -> None:
    chat = await rig.chat(501)
    markup = {"inline_keyboard": [[{"text": "Ikke interessert", "callback_data": "push:mute:1"}]]}
    await rig.queue(chat, "a", text="<b>Ny utlysning</b>", reply_markup=markup, disable_web_page_preview=True)
    assert await rig.sender.drain_once() == 1
    call = rig.api.last("sendMessage", 501)
    assert call.text == "<b>Ny utlysning</b>"
    assert call.params["parse_mode"] == "HTML"
    assert call.button_texts == ["Ikke interessert"]
    assert "is_disabled" in str(call.params.get("link_preview_options"))
    row = (await rig.rows())["a"]
    assert row.status == OutboxStatus.SENT
    assert row.telegram_message_id is not None and (501, row.telegram_message_id) in rig.api.messages
    assert row.sent_at == rig.clock.now


async def test_document_and_pin_in_a_group(rig: Rig) -> None:
    group = await rig.chat(-100500, ChatKind.SUPERGROUP)
    doc = {
        "filename": "frist.ics",
        "content_b64": base64.b64encode(b"BEGIN:VCALENDAR").decode(),
        "caption": "Fristen",
    }
    await rig.queue(group, "d", document=doc, pin=True)
    await rig.sender.drain_once()
    sent = rig.api.last("sendDocument", -100500)
    assert sent.files and next(iter(sent.files.values())) == ("frist.ics", b"BEGIN:VCALENDAR")
    assert sent.text == "Fristen"
    pin = rig.api.last("pinChatMessage", -100500)
    assert int(pin.params["message_id"]) == (await rig.rows())["d"].telegram_message_id


async def test_a_failed_pin_does_not_resend(rig: Rig) -> None:
    group = await rig.chat(-100501, ChatKind.SUPERGROUP)
    rig.api.fail(
        "pinChatMessage", error_code=400, description="Bad Request: not enough rights to pin a message"
    )
    await rig.queue(group, "p", pin=True)
    await rig.sender.drain()
    assert len(rig.api.sent("sendMessage", -100501)) == 1
    assert (await rig.rows())["p"].status == OutboxStatus.SENT


async def test_global_rate_spaces_messages_evenly(rig: Rig) -> None:
    for i in range(50):
        await rig.queue(await rig.chat(1000 + i), f"m{i}")
    start = rig.clock.now
    assert await rig.sender.drain() == 50
    stamps = [c.at for c in rig.api.sent("sendMessage")]
    assert len(stamps) == 50
    # 25 a second: the 50th message leaves 49 intervals of 1/25 s after the first.
    assert rig.clock.now - start == pytest.approx(timedelta(seconds=49 / 25), abs=timedelta(milliseconds=5))


async def test_one_message_a_second_per_private_chat(rig: Rig) -> None:
    chat = await rig.chat(502)
    for i in range(3):
        await rig.queue(chat, f"m{i}")
    assert await rig.sender.drain() == 1
    assert await rig.sender.drain_once() == 0
    rig.clock.advance(seconds=1)
    assert await rig.sender.drain_once() == 1
    rig.clock.advance(seconds=1)
    assert await rig.sender.drain_once() == 1
    assert [c.text for c in rig.api.sent(chat_id=502)] == ["melding m0", "melding m1", "melding m2"]


async def test_eighteen_a_minute_per_group(rig: Rig) -> None:
    group = await rig.chat(-100502, ChatKind.SUPERGROUP)
    for i in range(3):
        await rig.queue(group, f"g{i}")
    await rig.sender.drain()
    rig.clock.advance(seconds=3)
    assert await rig.sender.drain_once() == 0
    rig.clock.advance(seconds=0.4)
    assert await rig.sender.drain_once() == 1


async def test_429_waits_retry_after_without_counting_a_try(rig: Rig) -> None:
    chat = await rig.chat(503)
    other = await rig.chat(504)
    rig.api.fail(
        "sendMessage",
        chat_id=503,
        error_code=429,
        description="Too Many Requests: retry after 7",
        retry_after=7,
    )
    await rig.queue(chat, "a")
    await rig.sender.drain_once()
    row = (await rig.rows())["a"]
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 0)
    assert row.next_attempt_at == NOON + timedelta(seconds=7)
    assert rig.sender.counters["rate_limited"] == 1
    # A 429 in a private chat pauses the whole sender: the next message waits the 7 seconds too.
    await rig.queue(other, "b")
    await rig.sender.drain_once()
    assert rig.slept == [7.0]
    assert len(rig.api.sent(chat_id=504)) == 1
    await rig.sender.drain()
    assert (await rig.rows())["a"].status == OutboxStatus.SENT
    assert len(rig.api.sent(chat_id=503)) == 2


@pytest.mark.parametrize(
    "description", ["Forbidden: bot was blocked by the user", "Forbidden: user is deactivated"]
)
async def test_403_marks_the_chat_inactive_and_keeps_it(rig: Rig, description: str) -> None:
    chat = await rig.chat(505, municipality="Levanger")
    rig.api.fail("sendMessage", chat_id=505, error_code=403, description=description)
    await rig.queue(chat, "a")
    await rig.queue(chat, "b")
    await rig.sender.drain()
    rig.clock.advance(seconds=5)
    await rig.sender.drain()
    rows = await rig.rows()
    assert rows["a"].status == OutboxStatus.FAILED and description in (rows["a"].last_error or "")
    assert rows["b"].status == OutboxStatus.FAILED
    saved = await rig.get_chat(chat)
    assert (saved.active, saved.municipality) == (False, "Levanger")
    assert len(rig.api.sent(chat_id=505)) == 1


async def test_400_chat_not_found_marks_inactive(rig: Rig) -> None:
    chat = await rig.chat(506)
    rig.api.fail("sendMessage", chat_id=506, error_code=400, description="Bad Request: chat not found")
    await rig.queue(chat, "a")
    await rig.sender.drain()
    assert (await rig.get_chat(chat)).active is False
    assert (await rig.rows())["a"].status == OutboxStatus.FAILED


async def test_other_400_fails_at_once_with_the_reason(rig: Rig) -> None:
    chat = await rig.chat(507)
    rig.api.fail("sendMessage", chat_id=507, error_code=400, description="Bad Request: can't parse entities")
    await rig.queue(chat, "a")
    await rig.sender.drain()
    row = (await rig.rows())["a"]
    assert row.status == OutboxStatus.FAILED and "can't parse entities" in (row.last_error or "").lower()
    assert (await rig.get_chat(chat)).active is True


async def test_a_migrated_group_is_followed_and_the_message_resent(rig: Rig) -> None:
    group = await rig.chat(-4001, ChatKind.GROUP)
    rig.api.fail(
        "sendMessage",
        chat_id=-4001,
        error_code=400,
        description="Bad Request: group chat was upgraded to a supergroup chat",
        migrate_to_chat_id=-1004001,
    )
    await rig.queue(group, "a")
    await rig.sender.drain()
    assert len(rig.api.sent(chat_id=-1004001)) == 1
    row = (await rig.rows())["a"]
    assert row.status == OutboxStatus.SENT and row.attempts == 1
    assert (await rig.get_chat(group)).telegram_id == -1004001


@pytest.mark.parametrize(
    "failure", [{"error_code": 500, "description": "Internal Server Error"}, {"timeout": True}]
)
async def test_5xx_and_timeouts_are_retried_with_backoff(rig: Rig, failure: dict[str, Any]) -> None:
    chat = await rig.chat(508)
    rig.api.fail("sendMessage", chat_id=508, times=2, **failure)
    await rig.queue(chat, "a")
    await rig.sender.drain()
    row = (await rig.rows())["a"]
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1)
    assert row.next_attempt_at == NOON + timedelta(seconds=backoff(1))
    rig.clock.set(row.next_attempt_at)
    await rig.sender.drain()
    row = (await rig.rows())["a"]
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 2)
    rig.clock.set(row.next_attempt_at)
    await rig.sender.drain()
    row = (await rig.rows())["a"]
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 3)
    assert len(rig.api.sent(chat_id=508)) == 3


async def test_gives_up_after_max_attempts_and_says_why(rig: Rig) -> None:
    chat = await rig.chat(509)
    rig.api.fail("sendMessage", chat_id=509, error_code=502, description="Bad Gateway", times=100)
    await rig.queue(chat, "a")
    for _ in range(rig.services.settings.send_max_attempts + 2):
        await rig.sender.drain()
        rig.clock.advance(hours=1)
    row = (await rig.rows())["a"]
    assert row.status == OutboxStatus.FAILED
    assert row.attempts == rig.services.settings.send_max_attempts
    assert "ga opp etter 8 forsøk" in (row.last_error or "") and "Bad Gateway" in (row.last_error or "")
    assert len(rig.api.sent(chat_id=509)) == 8


async def test_quiet_hours_hold_a_row_until_they_end(rig: Rig) -> None:
    chat = await rig.chat(510)
    rig.clock.set(datetime(2026, 3, 2, 21, 30, tzinfo=UTC))  # 22:30 in Oslo
    await rig.queue(chat, "a")
    await rig.queue(await rig.chat(511, quiet_hours=""), "b")
    await rig.queue(chat, "urgent", urgent=True)
    await rig.sender.drain()
    rows = await rig.rows()
    assert rows["a"].status == OutboxStatus.PENDING
    assert rows["a"].next_attempt_at == datetime(2026, 3, 3, 6, 0, tzinfo=UTC)  # 07:00 in Oslo
    assert rows["b"].status == OutboxStatus.SENT  # this member turned quiet hours off
    rig.clock.advance(seconds=2)
    await rig.sender.drain()
    assert (await rig.rows())["urgent"].status == OutboxStatus.SENT


async def test_long_texts_are_split_at_paragraphs(rig: Rig) -> None:
    chat = await rig.chat(512)
    text = "\n\n".join(f"<b>{i}</b> " + "x" * 900 for i in range(9))
    await rig.queue(chat, "long", text=text)
    await rig.sender.drain()
    parts = [c.text for c in rig.api.sent(chat_id=512)]
    assert len(parts) == 3 and all(len(p) <= 4096 for p in parts)
    assert "\n\n".join(parts) == text


def test_split_text_keeps_short_texts_and_cuts_long_lines() -> None:
    assert split_text("hei") == ["hei"]
    parts = split_text("a" * 5000 + "\n" + "b" * 10, limit=4096)
    assert all(len(p) <= 4096 for p in parts) and "".join(parts).replace("\n", "") == "a" * 5000 + "b" * 10
