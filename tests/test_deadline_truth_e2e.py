"""Deadline truth end to end: a polled call whose deadline is not certain goes to the coordinators
with its evidence and buttons; members get the notice marked and no reminders until a coordinator
answers through the real Application and the fake Bot API; a coordinator's deadline is kept across
polls and a later different page asks the coordinators again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot import texts
from bot.push.plan import plan_all
from storage.audit import REFUSED
from storage.models import Call, Outbox, OutboxStatus, Source, Subscription, Topic
from storage.rules.deadline_truth import DeadlineState
from tests.coord_helpers import add_member, alerts, audit_entries, drain, last_message
from tests.fixtures.feeds.loopback import LoopbackServer, Route
from tests.fixtures.feeds.loopback import loopback as loopback
from tests.fixtures_bot import COORDINATOR, MEMBER
from tests.support.fakebot import ApiCall
from tests.support.fanout import fan_out, poll_and_fan_out
from tests.support.harness import BotHarness, FakeClock

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Tilskudd</title><link>https://x.test/</link><description>-</description>
<item>
 <title>Tilskudd til velferdsteknologi i kommunene</title>
 <link>https://x.test/velferdsteknologi</link>
 <guid isPermaLink="false">velferdsteknologi-2027</guid>
 <description>{text}</description>
 <pubDate>Fri, 20 Nov 2026 09:00:00 +0100</pubDate>
</item>
</channel></rss>"""
UNSURE = "Kommunene kan søke om midler innen 5. mars 2027 kl. 12.00."
SURE = "Søknadsfristen er 5. mars 2027 kl. 12.00."
MOVED = "Søknadsfristen er 19. mars 2027 kl. 12.00."
MEMBER_ID = MEMBER.id


async def _poll(harness: BotHarness, loopback: LoopbackServer, text: str) -> None:
    url = loopback.add(
        "/tilskudd.rss", Route(FEED.format(text=text).encode(), content_type="application/rss+xml")
    )
    async with harness.services.session() as s:
        source = (await s.execute(select(Source).where(Source.url == url))).scalar_one_or_none()
        if source is None:
            source = Source(
                name="Tilskuddsportalen", kind="rss", url=url, topics=["helse"], interval_minutes=60
            )
            s.add(source)
            await s.flush()
        source_id = source.id
    outcome = await poll_and_fan_out(harness.services, source_id)
    assert outcome.ok, outcome.reason


async def _call(harness: BotHarness) -> Call:
    async with harness.services.session() as s:
        return (await s.execute(select(Call).where(Call.key == "velferdsteknologi-2027"))).scalar_one()


def _sent_to(harness: BotHarness, chat_id: int) -> list[ApiCall]:
    return [c for c in harness.api.calls if c.method == "sendMessage" and c.chat_id == chat_id]


async def _question(harness: BotHarness, clock: FakeClock) -> ApiCall:
    await drain(harness, clock)
    questions = [c for c in _sent_to(harness, COORDINATOR.id) if texts.BTN_CHECK_EDIT in c.button_texts]
    assert questions, "the coordinator got no question"
    return questions[-1]


@pytest.fixture
async def member(harness: BotHarness, clock: FakeClock) -> int:
    chat_id = await add_member(harness, MEMBER_ID)
    async with harness.services.session() as s:
        topic = (await s.execute(select(Topic).where(Topic.slug == "helse"))).scalar_one()
        s.add(Subscription(chat_id=chat_id, topic_id=topic.id, created_at=clock.now - timedelta(days=1)))
    return chat_id


async def test_riktig_through_the_bot(
    harness: BotHarness, clock: FakeClock, loopback: LoopbackServer, member: int
) -> None:
    await _poll(harness, loopback, UNSURE)
    question = await _question(harness, clock)
    assert question.text.startswith("🔎 <b>Stemmer fristen?</b>")
    assert "Jeg leste: <b>fredag 5. mars 2027 kl. 12:00</b>" in question.text
    assert "Fra siden: «Kommunene kan søke om midler innen 5. mars 2027 kl. 12.00.»" in question.text
    assert (
        'href="https://x.test/velferdsteknologi"' in question.text
        and "Kilde: Tilskuddsportalen" in question.text
    )
    assert question.button_texts == [
        texts.BTN_CHECK_OK,
        texts.BTN_CHECK_EDIT,
        texts.BTN_CHECK_ROLLING,
        texts.BTN_CHECK_NONE,
    ]
    [notice] = _sent_to(harness, MEMBER_ID)
    assert notice.text.startswith("🆕 <b>Ny utlysning</b>") and texts.DEADLINE_UNCONFIRMED in notice.text
    assert "🔎 Fra siden: «Kommunene kan søke om midler innen 5. mars 2027 kl. 12.00.»" in notice.text
    # No reminder while it waits: the 3-day reminder's moment passes.
    clock.set(datetime(2027, 3, 2, 11, 30, tzinfo=UTC))
    await plan_all(harness.services)
    async with harness.services.session() as s:
        assert [r for r in (await s.execute(select(Outbox))).scalars() if r.kind == "reminder"] == []
    # A member cannot answer, however the button reached them; the press is refused and audited.
    refused = await harness.press(question, texts.BTN_CHECK_OK, MEMBER)
    assert alerts(refused) == [texts.COORD_REFUSED_ALERT]
    assert [e.detail["handler"] for e in await audit_entries(harness, REFUSED)] == ["check_answer"]
    assert (await _call(harness)).deadline_state == DeadlineState.WAITING
    # The coordinator confirms: the reminder follows as usual, with the evidence line.
    done = await harness.press(question, texts.BTN_CHECK_OK, COORDINATOR)
    assert last_message(done).text == "✅ Bekreftet av Kristin Koordinator: fredag 5. mars 2027 kl. 12:00."
    call = await _call(harness)
    assert (call.deadline_state, call.deadline_decided_by) == (DeadlineState.CONFIRMED, COORDINATOR.id)
    await plan_all(harness.services)
    await drain(harness, clock)
    reminder = _sent_to(harness, MEMBER_ID)[-1]
    assert reminder.text.startswith("⏰ <b>Påminnelse: fristen er om 3 dager</b>")
    assert "🔎 Bekreftet av en koordinator: «Kommunene kan søke" in reminder.text
    # The same button again: already settled, nothing changes.
    again = await harness.press(question, texts.BTN_CHECK_OK, COORDINATOR)
    assert alerts(again) == [texts.CHECK_ALREADY.format(deadline="fredag 5. mars 2027 kl. 12:00")]


async def test_endre_frist_and_a_later_page_asks_again(
    harness: BotHarness, clock: FakeClock, loopback: LoopbackServer, member: int
) -> None:
    await _poll(harness, loopback, UNSURE)
    question = await _question(harness, clock)
    asked = last_message(await harness.press(question, texts.BTN_CHECK_EDIT, COORDINATOR))
    assert asked.text.startswith(texts.EF_ASK_DEADLINE)
    saved = last_message(await harness.send("12. mars 2027 kl. 13", COORDINATOR))
    assert saved.text.startswith("✅ Endret") and "fredag 12. mars 2027 kl. 13:00" in saved.text
    await fan_out(harness.services)  # after the answer's commit, as the running bot wakes it
    await drain(harness, clock)
    changed = _sent_to(harness, MEMBER_ID)[-1]
    assert changed.text.startswith("✏️ <b>Fristen er endret:</b>")
    assert "Ny frist: fredag 12. mars kl. 13:00" in changed.text and texts.EVIDENCE_SET in changed.text
    told = len(_sent_to(harness, MEMBER_ID))
    # The next polls read the same page: the coordinator's deadline stays, nobody hears anything.
    clock.advance(hours=2)
    await _poll(harness, loopback, UNSURE)
    await drain(harness, clock)
    call = await _call(harness)
    assert call.deadline_state == DeadlineState.SET and call.deadline_has_time
    assert call.deadline_at == datetime(2027, 3, 12, 12, 0, tzinfo=UTC)
    assert len(_sent_to(harness, MEMBER_ID)) == told
    # The page now shows another deadline: the coordinators are asked again, members are not told.
    clock.advance(hours=2)
    await _poll(harness, loopback, MOVED)
    again = await _question(harness, clock)
    assert again.text.startswith("🔎 <b>Siden viser nå en annen frist</b>")
    assert "Dere har: <b>fredag 12. mars 2027 kl. 13:00</b>" in again.text
    assert "Siden sier nå: <b>fredag 19. mars 2027 kl. 12:00</b>" in again.text
    assert len(_sent_to(harness, MEMBER_ID)) == told
    # /frister marks it; /status counts it as waiting, the oldest one.
    listing = last_message(await harness.send("/frister 200", MEMBER))
    assert "Tilskudd til velferdsteknologi" in listing.text and "frist ikke bekreftet" in listing.text
    status = last_message(await harness.send("/status", COORDINATOR))
    assert "0 bekreftet av koordinator · 0 lest sikkert fra siden · 1 venter på koordinator" in status.text
    assert "Eldste som venter: Tilskudd til velferdsteknologi i kommunene" in status.text
    # "Løpende" settles it; the old question's buttons are stale.
    settled = await harness.press(again, texts.BTN_CHECK_ROLLING, COORDINATOR)
    assert last_message(settled).text.startswith("✏️ Satt av Kristin Koordinator: løpende.")
    stale = await harness.press(question, texts.BTN_CHECK_NONE, COORDINATOR)
    assert alerts(stale) == [texts.CHECK_ALREADY.format(deadline="løpende")]
    await fan_out(harness.services)
    await drain(harness, clock)
    assert "Ny frist: løpende" in _sent_to(harness, MEMBER_ID)[-1].text


async def test_a_certain_deadline_asks_nobody(
    harness: BotHarness, clock: FakeClock, loopback: LoopbackServer, member: int
) -> None:
    await _poll(harness, loopback, SURE)
    await drain(harness, clock)
    assert [c for c in _sent_to(harness, COORDINATOR.id) if c.button_texts] == []
    [notice] = _sent_to(harness, MEMBER_ID)
    assert texts.DEADLINE_UNCONFIRMED not in notice.text
    assert "🔎 Fra siden: «Søknadsfristen er 5. mars 2027 kl. 12.00.»" in notice.text
    # /endrefrist works for a polled call: listed, changed, kept.
    pick = last_message(await harness.send("/endrefrist velferd", COORDINATOR))
    fields = last_message(await harness.press(pick, "Tilskudd til velferdsteknologi", COORDINATOR))
    assert fields.button_texts[:3] == [
        texts.BTN_FIELD_DEADLINE,
        texts.BTN_FIELD_ROLLING,
        texts.BTN_FIELD_NONE,
    ]
    done = last_message(await harness.press(fields, texts.BTN_FIELD_NONE, COORDINATOR))
    assert done.text.startswith("✅ Endret") and "ingen frist" in done.text
    await fan_out(harness.services)  # after the answer's commit, as the running bot wakes it
    async with harness.services.session() as s:
        rows = list((await s.execute(select(Outbox).where(Outbox.kind == "deadline_changed"))).scalars())
    assert [r.status for r in rows] == [OutboxStatus.PENDING]
    await _poll(harness, loopback, SURE)
    call = await _call(harness)
    assert (call.deadline_at, call.rolling, call.deadline_state) == (None, False, DeadlineState.SET)
