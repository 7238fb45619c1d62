"""A deadline entered by hand is pushed like a polled call: the new-call notice to the topics'
subscribers, "Fristen er endret" to those who were told, and no reminder once it is removed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot import texts
from bot.push.plan import plan_all
from storage.models import Chat, Outbox, OutboxStatus, Subscription, Topic
from tests.coord_helpers import drain, last_message
from tests.fixtures_bot import COORDINATOR
from tests.support.harness import BotHarness, FakeClock
from tests.test_coord_manual import _new_deadline

FOLLOWER = 2001  # follows Helse, the topic _new_deadline picks
OUTSIDER = 2002  # follows Oppvekst only
LATE = 2003  # follows Helse, but only from after the deadline was entered


async def _member(harness: BotHarness, telegram_id: int, slug: str, since: datetime) -> int:
    async with harness.services.session() as s:
        chat = Chat(telegram_id=telegram_id, kind="private", name="Medlem")
        s.add(chat)
        await s.flush()
        topic = (await s.execute(select(Topic).where(Topic.slug == slug))).scalar_one()
        s.add(Subscription(chat_id=chat.id, topic_id=topic.id, created_at=since))
        return chat.id


async def _outbox(harness: BotHarness) -> list[Outbox]:
    async with harness.services.session() as s:
        return list((await s.execute(select(Outbox).order_by(Outbox.id))).scalars())


def _messages_to(harness: BotHarness, chat_id: int) -> list[str]:
    return [c.text for c in harness.api.calls if c.method == "sendMessage" and c.chat_id == chat_id]


async def test_nyfrist_pushes_the_new_call_notice_to_the_topics_subscribers(
    harness: BotHarness, clock: FakeClock
) -> None:
    await _member(harness, FOLLOWER, "helse", clock.now - timedelta(days=1))
    await _member(harness, OUTSIDER, "oppvekst", clock.now - timedelta(days=1))
    await _new_deadline(harness)
    [row] = await _outbox(harness)  # queued with the call, in the same transaction
    assert (row.kind, row.status) == ("new_call", OutboxStatus.PENDING)
    assert row.subject.startswith("call:")
    await _member(harness, LATE, "helse", clock.now + timedelta(minutes=1))
    assert await drain(harness, clock) == 1
    [notice] = [c for c in harness.api.calls if c.method == "sendMessage" and c.chat_id == FOLLOWER]
    assert notice.text.startswith("🆕 <b>Ny utlysning</b>")
    assert "KS FoU-ordning 2027" in notice.text and "Kilde: KS" in notice.text
    assert "fredag 5. mars 2027 kl. 13:00" in notice.text
    assert texts.BUTTON_CALENDAR in notice.button_texts and texts.BUTTON_MUTE in notice.button_texts
    assert _messages_to(harness, OUTSIDER) == [] and _messages_to(harness, LATE) == []
    # Saving it twice is impossible, and the notice is not queued again.
    await drain(harness, clock)
    assert len(_messages_to(harness, FOLLOWER)) == 1


async def _change_deadline(harness: BotHarness, typed: str) -> None:
    pick = last_message(await harness.send("/endrefrist", COORDINATOR))
    fields = last_message(await harness.press(pick, "KS FoU-ordning", COORDINATOR))
    await harness.press(fields, texts.BTN_FIELD_DEADLINE, COORDINATOR)
    assert last_message(await harness.send(typed, COORDINATOR)).text.startswith("✅ Endret")


async def test_endrefrist_tells_those_who_were_told(harness: BotHarness, clock: FakeClock) -> None:
    await _member(harness, FOLLOWER, "helse", clock.now - timedelta(days=1))
    await _new_deadline(harness)
    await drain(harness, clock)
    await _member(harness, LATE, "helse", clock.now + timedelta(minutes=1))
    clock.advance(hours=1)
    await _change_deadline(harness, "12. mars kl. 12")
    await drain(harness, clock)
    changed = _messages_to(harness, FOLLOWER)[-1]
    assert changed.startswith("✏️ <b>Fristen er endret:</b>") and "KS FoU-ordning 2027" in changed
    assert "Ny frist: fredag 12. mars kl. 12:00" in changed
    assert "Tidligere frist: fredag 5. mars kl. 13:00" in changed
    assert _messages_to(harness, LATE) == []  # never told of it, so not told of the change either
    # A change of title only is no deadline change.
    before = len(harness.api.calls)
    pick = last_message(await harness.send("/endrefrist", COORDINATOR))
    fields = last_message(await harness.press(pick, "KS FoU-ordning", COORDINATOR))
    await harness.press(fields, texts.BTN_FIELD_TITLE, COORDINATOR)
    await harness.send("KS FoU-ordning 2027 (ny runde)", COORDINATOR)
    await drain(harness, clock)
    assert [c for c in harness.api.calls[before:] if c.chat_id == FOLLOWER] == []


async def test_a_notice_still_waiting_is_rewritten_with_the_new_deadline(
    harness: BotHarness, clock: FakeClock
) -> None:
    await _member(harness, FOLLOWER, "helse", clock.now - timedelta(days=1))
    await _new_deadline(harness)
    await _change_deadline(harness, "12. mars kl. 12")  # before the sender ran
    await drain(harness, clock)
    [notice] = _messages_to(harness, FOLLOWER)  # one message: the notice, with the new date
    assert notice.startswith("🆕 <b>Ny utlysning</b>") and "fredag 12. mars 2027 kl. 12:00" in notice


async def _pending_reminder(harness: BotHarness, clock: FakeClock) -> Outbox:
    # Half an hour after the 3-day reminder's moment (13:00 Oslo on 2 March): queued, not sent yet.
    clock.set(datetime(2027, 3, 2, 12, 30, tzinfo=UTC))
    await plan_all(harness.services)
    [reminder] = [r for r in await _outbox(harness) if r.kind == "reminder"]
    assert reminder.status == OutboxStatus.PENDING
    return reminder


async def test_slettfrist_cancels_the_pending_reminders(harness: BotHarness, clock: FakeClock) -> None:
    await _member(harness, FOLLOWER, "helse", clock.now - timedelta(days=1))
    await _new_deadline(harness)
    await drain(harness, clock)
    reminder = await _pending_reminder(harness, clock)
    pick = last_message(await harness.send("/slettfrist", COORDINATOR))
    confirm = last_message(await harness.press(pick, "KS FoU-ordning", COORDINATOR))
    await harness.press(confirm, texts.BTN_DELETE, COORDINATOR)
    rows = {r.id: r for r in await _outbox(harness)}
    assert rows[reminder.id].status == OutboxStatus.CANCELLED
    sent_before = len(_messages_to(harness, FOLLOWER))
    await drain(harness, clock)
    await plan_all(harness.services)
    await drain(harness, clock)
    assert len(_messages_to(harness, FOLLOWER)) == sent_before  # nothing more about a removed call


async def test_endrefrist_replaces_a_pending_reminder_of_the_old_date(
    harness: BotHarness, clock: FakeClock
) -> None:
    await _member(harness, FOLLOWER, "helse", clock.now - timedelta(days=1))
    await _new_deadline(harness)
    await drain(harness, clock)
    reminder = await _pending_reminder(harness, clock)
    await _change_deadline(harness, "26. mars kl. 12")
    rows = {r.id: r for r in await _outbox(harness)}
    assert rows[reminder.id].status == OutboxStatus.CANCELLED
    await drain(harness, clock)
    texts_sent = _messages_to(harness, FOLLOWER)
    assert not any("fristen er om 3 dager" in t for t in texts_sent)
    assert any("Ny frist: fredag 26. mars kl. 12:00" in t for t in texts_sent)
