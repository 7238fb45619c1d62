"""«Vis som bilde» under the weekly overview and the weekly digest: the button goes with the queued
push (and is written again in the reader's language), a press sends a PNG of the next 8 weeks of
that reader's topics (or every deadline, for the group's overview) drawn off the event loop, a clear
message when there is nothing to draw, and a friendly answer to a forged or stale button."""

from __future__ import annotations

import asyncio
import html
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot import texts
from bot.calendar.timeline import WEEKS, render_timeline
from bot.push.plan import plan_digests, plan_weekly_overview
from bot.push.render import render_digest_calls
from bot.push.sender import Sender
from bot.texts.i18n import use_language
from handlers import pictures
from storage.models import AuditLog, Call, Chat, Subscription, Topic
from tests.fixtures_bot import MEMBER
from tests.members_helpers import add_call, messages, only_message
from tests.support.fakebot import ApiCall
from tests.support.harness import GROUP_ID, BotHarness, FakeClock

OSLO = ZoneInfo("Europe/Oslo")
MONDAY = datetime(2026, 11, 30, 8, 30, tzinfo=OSLO)


@pytest.fixture
async def h(harness: BotHarness, clock: FakeClock) -> AsyncIterator[BotHarness]:
    clock.set(MONDAY)
    yield harness
    errors = [c for c in harness.api.calls if c.text == html.escape(texts.ERROR_GENERIC)]
    assert not errors, "a handler failed: the person was told something went wrong"


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, list[str]]]:
    """What was drawn in a thread: the function and the titles it was given."""
    found: list[tuple[Any, list[str]]] = []
    real = asyncio.to_thread

    async def spy(func: Any, *args: Any, **kwargs: Any) -> Any:
        found.append((func, [m.label for m in args[0]] if args else []))
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(pictures.asyncio, "to_thread", spy)
    return found


async def _drain(h: BotHarness) -> None:
    async def no_wait(_: float) -> None:
        return None

    await Sender(h.services, h.app.bot, sleep=no_wait).drain()


async def _calls(h: BotHarness, *specs: tuple[str, int, tuple[str, ...]]) -> None:
    """Open calls (title, days to the deadline, topics), first seen two days ago."""
    async with h.services.session() as s:
        for title, days, topics in specs:
            call = await add_call(s, title, deadline=h.services.now() + timedelta(days=days), topics=topics)
            call.first_seen_at = h.services.now() - timedelta(days=2)


async def _weekly_member(h: BotHarness, slug: str = "helse") -> None:
    async with h.services.session() as s:
        topic = (await s.execute(select(Topic).where(Topic.slug == slug))).scalar_one()
        chat = Chat(telegram_id=MEMBER.id, kind="private", name="Kari", notify_mode="weekly")
        s.add(chat)
        await s.flush()
        s.add(
            Subscription(chat_id=chat.id, topic_id=topic.id, created_at=h.services.now() - timedelta(days=30))
        )


async def _weekly_digest(h: BotHarness) -> ApiCall:
    async with h.services.session() as s:
        assert await plan_digests(s, h.services) == 1
    await _drain(h)
    digest = h.api.last("sendMessage", MEMBER.id)
    assert digest.text.startswith("📬")
    return digest


async def _group_overview(h: BotHarness) -> ApiCall:
    async with h.services.session() as s:
        assert await plan_weekly_overview(s, h.services) == 1
    await _drain(h)
    return h.api.last("sendMessage", GROUP_ID)


async def test_the_weekly_digest_offers_its_readers_topics_as_a_picture(
    h: BotHarness, drawn: list[tuple[Any, list[str]]]
) -> None:
    await _weekly_member(h)
    await _calls(h, ("Pilot Helse", 5, ("helse",)), ("Klimatilpasning", 10, ("klima",)))
    await _calls(h, ("Helse om lenge", 40, ("helse",)), ("Helse for sent", 70, ("helse",)))
    digest = await _weekly_digest(h)
    assert digest.buttons == [[{"text": texts.BTN_TIMELINE, "callback_data": "tl:uke:mine:20261130"}]]
    calls = await h.press(digest, texts.BTN_TIMELINE, MEMBER)
    (photo,) = messages(calls, "sendPhoto")
    name, content = next(iter(photo.files.values()))
    assert name == texts.TIMELINE_FILENAME and content.startswith(b"\x89PNG\r\n\x1a\n")
    assert photo.params["caption"] == texts.WEEKLY_PICTURE_CAPTION.format(
        weeks=WEEKS, scope=texts.CALENDAR_SCOPE_MINE
    )
    # The reader's topics, the next 8 weeks, drawn in a thread; the text stays as it was.
    assert drawn == [(render_timeline, ["Pilot Helse", "Helse om lenge"])]
    assert not messages(calls, "editMessageText") and not messages(calls, "deleteMessage")
    assert any(c.method == "answerCallbackQuery" for c in calls)
    # Pressed again: the same picture, not drawn again.
    again = await h.press(digest, texts.BTN_TIMELINE, MEMBER)
    assert len(messages(again, "sendPhoto")) == 1 and len(drawn) == 1


async def test_the_groups_weekly_overview_offers_every_deadline_as_a_picture(
    h: BotHarness, drawn: list[tuple[Any, list[str]]]
) -> None:
    await _calls(h, ("Snart", 3, ("helse",)), ("Om fem uker", 35, ("klima",)), ("Om ti uker", 70, ()))
    overview = await _group_overview(h)
    assert overview.text.startswith(texts.WEEKLY_OVERVIEW) and "Om fem uker" not in overview.text
    assert texts.BTN_TIMELINE in overview.button_texts
    calls = await h.press(overview, texts.BTN_TIMELINE, MEMBER)
    (photo,) = messages(calls, "sendPhoto")
    assert photo.chat_id == GROUP_ID
    assert photo.params["caption"] == texts.WEEKLY_PICTURE_CAPTION.format(
        weeks=WEEKS, scope=texts.CALENDAR_SCOPE_ALL
    )
    assert drawn == [(render_timeline, ["Snart", "Om fem uker"])]


async def test_nothing_to_draw_is_said_in_words(h: BotHarness, drawn: list[tuple[Any, list[str]]]) -> None:
    await _calls(h, ("Om ti uker", 70, ()))
    overview = await _group_overview(h)
    assert overview.text.startswith(texts.WEEKLY_OVERVIEW.split("</b>")[0])  # the empty overview
    assert texts.BTN_TIMELINE in overview.button_texts  # 8 weeks may hold what 14 days do not
    calls = await h.press(overview, texts.BTN_TIMELINE, MEMBER)
    assert not messages(calls, "sendPhoto") and not drawn
    said = only_message(calls)
    assert said.text == texts.WEEKLY_PICTURE_EMPTY.format(weeks=WEEKS, scope=texts.CALENDAR_SCOPE_ALL)
    assert said.chat_id == GROUP_ID


async def test_a_forged_or_stale_button_gets_a_friendly_answer(
    h: BotHarness, drawn: list[tuple[Any, list[str]]]
) -> None:
    await _calls(h, ("Pilot Helse", 5, ()))
    for data in ("tl:uke:alle:2026113", "tl:uke:alle:20261399", "tl:uke:mine:20261201", "tl:uke:x:20261130"):
        calls = await h.press_data(data, MEMBER)
        (answer,) = messages(calls, "answerCallbackQuery")
        assert answer.params["text"] == texts.BUTTON_EXPIRED, data
        assert not messages(calls, "sendPhoto") and not messages(calls, "sendMessage")
    async with h.services.session() as s:
        refused = (
            (await s.execute(select(AuditLog).where(AuditLog.action == "button_refused"))).scalars().all()
        )
    assert len(refused) == 4
    # Nine weeks old: the picture would have nothing to do with that overview.
    calls = await h.press_data("tl:uke:mine:20260928", MEMBER)
    assert only_message(calls).text == texts.WEEKLY_PICTURE_STALE.format(weeks=WEEKS)
    assert not messages(calls, "sendPhoto")
    # In the group, data that is not under the overview is refused before it reaches the handler.
    overview = await _group_overview(h)
    calls = await h.press_data("tl:uke:mine:20261130", MEMBER, reply=overview)
    assert messages(calls, "answerCallbackQuery")[0].params["text"] == texts.BUTTON_EXPIRED
    assert not messages(calls, "sendPhoto") and not drawn
    # A still-good button (written a week ago) keeps working.
    calls = await h.press_data("tl:uke:mine:20261123", MEMBER)
    assert len(messages(calls, "sendPhoto")) == 1


async def test_the_button_is_written_again_in_the_readers_language(
    h: BotHarness, drawn: list[tuple[Any, list[str]]]
) -> None:
    await _weekly_member(h)
    async with h.services.session() as s:
        chat = (await s.execute(select(Chat).where(Chat.telegram_id == MEMBER.id))).scalar_one()
        chat.language = "nn"
    await _calls(h, ("Pilot Helse", 5, ("helse",)))
    digest = await _weekly_digest(h)
    with use_language("nn"):
        button, caption = texts.BTN_TIMELINE, texts.WEEKLY_PICTURE_CAPTION
        scope = texts.CALENDAR_SCOPE_MINE
    assert button != texts.BTN_TIMELINE and digest.button_texts == [button]
    calls = await h.press(digest, button, MEMBER)
    (photo,) = messages(calls, "sendPhoto")
    assert photo.params["caption"] == caption.format(weeks=WEEKS, scope=scope)
    # A daily digest has no picture: it is about what is new, not about the weeks ahead.
    async with h.services.session() as s:
        call = (await s.execute(select(Call))).scalars().first()
        assert call is not None
        assert "reply_markup" not in render_digest_calls(
            "daily", [call], h.services.now(), h.services.settings
        )
