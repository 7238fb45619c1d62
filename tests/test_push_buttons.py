"""The buttons under a pushed call, pressed through the real Application."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot import texts
from bot.push.fanout import notify_new_calls
from bot.push.sender import Sender
from storage.models import Call, CallMute, Chat, Subscription, Topic
from tests.fixtures_bot import MEMBER, OTHER
from tests.support.harness import GROUP_ID, BotHarness

DEADLINE = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


async def _pushed(harness: BotHarness, telegram_id: int) -> int:
    svc = harness.services
    async with svc.session() as s:
        topic = (await s.execute(select(Topic).order_by(Topic.id))).scalars().first()
        assert topic is not None
        chat = Chat(telegram_id=telegram_id, kind="private" if telegram_id > 0 else "supergroup")
        s.add(chat)
        await s.flush()
        s.add(Subscription(chat_id=chat.id, topic_id=topic.id, created_at=svc.now() - timedelta(days=1)))
        call = Call(
            key="k1",
            title="Velferd & teknologi",
            url="https://x.no/1",
            deadline_at=DEADLINE,
            deadline_has_time=True,
            source_name="Forskningsrådet",
            first_seen_at=svc.now(),
        )
        s.add(call)
        await s.flush()
        from storage.models import CallTopic

        s.add(CallTopic(call_id=call.id, topic_id=topic.id))
    async with svc.session() as s:
        await notify_new_calls(s, svc, [call.id])

    async def no_wait(_: float) -> None:
        return None

    await Sender(svc, harness.app.bot, sleep=no_wait).drain()
    return call.id


async def test_ikke_interessert_mutes_and_angre_undoes(harness: BotHarness) -> None:
    harness.services.clock = lambda: datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # type: ignore[method-assign]
    call_id = await _pushed(harness, MEMBER.id)
    notice = harness.api.last("sendMessage", MEMBER.id)
    calls = await harness.press(notice, texts.BUTTON_MUTE, MEMBER)
    answer = next(c for c in calls if c.method == "answerCallbackQuery")
    assert answer.params["text"] == texts.PUSH_MUTED
    edited = next(c for c in calls if c.method == "editMessageReplyMarkup")
    assert texts.BUTTON_UNMUTE in edited.button_texts and texts.BUTTON_CALENDAR in edited.button_texts
    async with harness.services.session() as s:
        assert (await s.execute(select(CallMute.call_id))).scalars().all() == [call_id]
    await harness.press(edited, texts.BUTTON_UNMUTE, MEMBER)
    async with harness.services.session() as s:
        assert (await s.execute(select(CallMute.call_id))).scalars().all() == []


async def test_legg_i_kalender_sends_an_ics_file(harness: BotHarness) -> None:
    harness.services.clock = lambda: datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # type: ignore[method-assign]
    await _pushed(harness, MEMBER.id)
    notice = harness.api.last("sendMessage", MEMBER.id)
    calls = await harness.press(notice, texts.BUTTON_CALENDAR, MEMBER)
    document = next(c for c in calls if c.method == "sendDocument")
    name, content = next(iter(document.files.values()))
    assert name.endswith(".ics") and b"BEGIN:VCALENDAR" in content and b"Velferd & teknologi" in content
    assert document.text == texts.PUSH_CALENDAR_CAPTION


async def test_in_a_group_only_admins_may_mute(harness: BotHarness) -> None:
    harness.services.clock = lambda: datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # type: ignore[method-assign]
    harness.api.set_admins(GROUP_ID, [MEMBER.id])
    await _pushed(harness, GROUP_ID)
    notice = harness.api.last("sendMessage", GROUP_ID)
    calls = await harness.press(notice, texts.BUTTON_MUTE, OTHER)
    assert [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"] == [
        texts.PUSH_MUTE_ADMINS_ONLY
    ]
    calls = await harness.press(notice, texts.BUTTON_MUTE, MEMBER)
    assert [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"] == [texts.PUSH_MUTED]
