"""Membership, defined once and used by every push (issue 14, point 1).

Measured failure: someone who only pressed /start in a private chat (never in the group, never
registered) received the coordinators' «Alle medlemmer» announcements, event invitations with
their meeting links, and tips; only people the bot had seen leave were excluded.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot import texts
from bot.push.refresh import screen_claimed
from storage import membership
from storage.claims import Claimed
from storage.models import Chat, Event, Outbox, Registration
from storage.rules.membership import (
    CANCELLED_NOT_MEMBER,
    MEMBERS_ONLY_KINDS,
    PUBLIC_KINDS,
    Standing,
    is_member,
    may_receive,
)
from tests.coord_helpers import last_message
from tests.fixtures_bot import COORDINATOR
from tests.support.harness import GROUP_ID, BotHarness, FakeClock, Person

pytestmark = pytest.mark.filterwarnings("ignore:Ignoring `conversation_timeout`")

STRANGER = Person(id=3001, first_name="Stine", last_name="Fremmed", username="stine")
GROUPIE = Person(id=3002, first_name="Geir", last_name="Gruppe", username="geir")
APPROVED = Person(id=3003, first_name="Anne", last_name="Godkjent", username="anne")
LEAVER = Person(id=3004, first_name="Lars", last_name="Gikk", username="lars")
LEFT_APPROVED = Person(id=3005, first_name="Liv", last_name="Gikk", username="liv")


def member_update(person: Person, old: str, new: str) -> dict:
    return {
        "chat_member": {
            "chat": {"id": GROUP_ID, "type": "supergroup", "title": "FoUI Trøndelag"},
            "from": person.as_user(),
            "date": 1_700_000_000,
            "old_chat_member": {"status": old, "user": person.as_user()},
            "new_chat_member": {"status": new, "user": person.as_user()},
        }
    }


async def _chat_id(harness: BotHarness, person: Person) -> int:
    async with harness.services.session() as s:
        return int((await s.execute(select(Chat.id).where(Chat.telegram_id == person.id))).scalar_one())


async def _approve(harness: BotHarness, person: Person) -> None:
    async with harness.services.session() as s:
        chat_id = (await s.execute(select(Chat.id).where(Chat.telegram_id == person.id))).scalar_one()
        s.add(Registration(chat_id=chat_id, municipality="Namsos", role="rådgiver", status="approved"))


async def _world(harness: BotHarness) -> dict[str, int]:
    """Everyone has started the bot and follows «helse»; only some are members."""
    people = (STRANGER, GROUPIE, APPROVED, LEAVER, LEFT_APPROVED, COORDINATOR)
    for person in people:
        await harness.send("/start", person)
        await harness.send("/abonner helse", person)
    await harness.send("Hei alle sammen", GROUPIE, group=True)  # seen in the group
    await _approve(harness, APPROVED)
    await harness.process(member_update(LEAVER, "left", "member"))
    await harness.process(member_update(LEAVER, "member", "left"))
    await _approve(harness, LEFT_APPROVED)
    await harness.process(member_update(LEFT_APPROVED, "member", "left"))
    return {p.first_name: await _chat_id(harness, p) for p in people}


async def _rows(harness: BotHarness, kind: str) -> list[Outbox]:
    async with harness.services.session() as s:
        query = select(Outbox).where(Outbox.kind == kind).order_by(Outbox.id)
        return list((await s.execute(query)).scalars())


async def _group_row_chat(harness: BotHarness) -> int:
    async with harness.services.session() as s:
        return int((await s.execute(select(Chat.id).where(Chat.telegram_id == GROUP_ID))).scalar_one())


async def test_announcement_to_all_members_reaches_members_only(harness: BotHarness) -> None:
    ids = await _world(harness)
    await harness.send("/kunngjoring", COORDINATOR)
    question = last_message(await harness.send("Samling i Steinkjer", COORDINATOR))
    confirm = last_message(await harness.press(question, texts.BTN_AUD_MEMBERS, COORDINATOR))
    assert confirm.text == texts.KU_CONFIRM.format(audience=texts.AUDIENCE_MEMBERS, recipients="3 mottakere")
    await harness.press(confirm, texts.BTN_SEND, COORDINATOR)
    got = {r.chat_id for r in await _rows(harness, "announcement")}
    assert got == {ids["Geir"], ids["Anne"], ids["Kristin"]}


async def test_tip_to_topic_followers_reaches_members_and_the_group_only(harness: BotHarness) -> None:
    ids = await _world(harness)
    await harness.send("/tips", COORDINATOR)
    await harness.send("Ny veileder", COORDINATOR)
    topics = last_message(await harness.send("https://ks.no/veileder", COORDINATOR))
    await harness.press(topics, "Helse", COORDINATOR)
    confirm = last_message(await harness.press(topics, texts.BTN_DONE, COORDINATOR))
    await harness.press(confirm, texts.BTN_SEND, COORDINATOR)
    got = {r.chat_id for r in await _rows(harness, "announcement")}
    assert got == {await _group_row_chat(harness), ids["Geir"], ids["Anne"], ids["Kristin"]}


async def test_event_invitation_and_its_reminders_reach_members_only(
    harness: BotHarness, clock: FakeClock
) -> None:
    ids = await _world(harness)
    await harness.send("/nyttarrangement", COORDINATOR)
    await harness.send("Webinar om helse", COORDINATOR)
    await harness.send("5. mars kl. 13", COORDINATOR)
    await harness.send("15:00", COORDINATOR)
    await harness.send("https://teams.microsoft.com/l/meetup/hemmelig", COORDINATOR)
    topics = last_message(await harness.send("Program", COORDINATOR))
    await harness.press(topics, "Helse", COORDINATOR)
    calls = await harness.press(topics, texts.BTN_DONE, COORDINATOR)
    confirm = last_message(calls)
    assert texts.AUDIENCE_GROUP_AND_TOPICS.format(count=4) in confirm.text
    await harness.press(confirm, texts.BTN_SAVE_AND_SEND, COORDINATOR)
    got = {r.chat_id for r in await _rows(harness, "event")}
    assert got == {await _group_row_chat(harness), ids["Geir"], ids["Anne"], ids["Kristin"]}
    # The reminders a day and an hour before follow the same rule.
    from bot.push.plan import plan_event_reminders

    async with harness.services.session() as s:
        event = (await s.execute(select(Event))).scalar_one()
    clock.set(event.starts_at - timedelta(minutes=59))
    async with harness.services.session() as s:
        await plan_event_reminders(s, harness.services)
    got = {r.chat_id for r in await _rows(harness, "event_reminder")}
    assert ids["Stine"] not in got and ids["Lars"] not in got and ids["Liv"] not in got
    assert ids["Geir"] in got


async def test_the_sender_screens_members_only_pushes(harness: BotHarness) -> None:
    ids = await _world(harness)
    group = await _group_row_chat(harness)

    def claimed(row_id: int, chat_id: int, kind: str, telegram_id: int, is_group: bool = False) -> Claimed:
        return Claimed(
            id=row_id,
            chat_id=chat_id,
            telegram_id=telegram_id,
            chat_kind="supergroup" if is_group else "private",
            kind=kind,
            subject="s",
            payload={"text": "x"},
            attempts=0,
        )

    rows = [
        claimed(1, ids["Stine"], "announcement", STRANGER.id),
        claimed(2, ids["Geir"], "announcement", GROUPIE.id),
        claimed(3, ids["Lars"], "event_reminder", LEAVER.id),
        claimed(4, group, "event", GROUP_ID, True),
        claimed(5, ids["Stine"], "weekly_overview", STRANGER.id),
    ]
    async with harness.services.session() as s:
        reasons = await screen_claimed(s, harness.services, rows)
    assert reasons == {1: CANCELLED_NOT_MEMBER, 3: CANCELLED_NOT_MEMBER}


def test_the_rule() -> None:
    joined = datetime(2026, 1, 1, tzinfo=UTC)
    assert is_member(Standing(True, None, None))
    assert is_member(Standing(False, None, "approved"))
    assert not is_member(Standing(False, joined, "approved"))  # approved, then seen leaving
    assert not is_member(Standing(False, None, "pending"))
    assert not is_member(Standing(False, None, None))  # only pressed /start
    assert is_member(Standing(False, None, None, coordinator=True))
    assert not MEMBERS_ONLY_KINDS & PUBLIC_KINDS
    assert may_receive("new_call", member=False, network_group=False)
    assert not may_receive("event", member=False, network_group=False)
    assert may_receive("event", member=False, network_group=True)


async def test_member_queries(harness: BotHarness) -> None:
    ids = await _world(harness)
    async with harness.services.session() as s:
        found = set(await membership.member_chat_ids(s, coordinator_ids=[COORDINATOR.id]))
        assert found == {ids["Geir"], ids["Anne"], ids["Kristin"]}
        assert not await membership.is_member_now(s, STRANGER.id)
        assert await membership.is_member_now(s, APPROVED.id)
