"""Buttons checked on the server for who pressed them and where (issue 14, point 6).

Measured failure: any group member with a modified client could forge button data that rewrote or
stripped the bot's own event invitation in the group (14 of 18 forged payloads did), and nothing
was audited. Here a burst of forged presses leaves the group's messages unchanged, each gets the
polite «utløpt» answer, and each is in the audit log.
"""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import select

from bot import texts
from storage.models import AuditLog, Event
from tests.coord_helpers import add_member, alerts, drain, last_message
from tests.fixtures_bot import COORDINATOR, MEMBER, OTHER
from tests.members_helpers import add_calls
from tests.support.fakebot import ApiCall
from tests.support.harness import GROUP_ID, BotHarness, FakeClock

pytestmark = pytest.mark.filterwarnings("ignore:Ignoring `conversation_timeout`")

CHANGES = {
    "editMessageText",
    "editMessageReplyMarkup",
    "editMessageCaption",
    "deleteMessage",
    "pinChatMessage",
}


async def _invitation(harness: BotHarness, clock: FakeClock) -> tuple[ApiCall, int]:
    """An event invitation delivered to the group; returns it and the event's id."""
    await add_member(harness, COORDINATOR.id, name="Kristin")
    await harness.send("/nyttarrangement", COORDINATOR)
    await harness.send("Webinar om velferd", COORDINATOR)
    await harness.send("5. mars kl. 13", COORDINATOR)
    await harness.send("15:00", COORDINATOR)
    await harness.send("Scandic Lerkendal", COORDINATOR)
    topics = last_message(await harness.send("Program", COORDINATOR))
    await harness.press(topics, "Helse", COORDINATOR)
    confirm = last_message(await harness.press(topics, texts.BTN_DONE, COORDINATOR))
    await harness.press(confirm, texts.BTN_SAVE_AND_SEND, COORDINATOR)
    await drain(harness, clock)
    invitation = harness.api.last("sendMessage", GROUP_ID)
    async with harness.services.session() as s:
        event_id = (await s.execute(select(Event.id))).scalar_one()
    return invitation, event_id


def _forged(event_id: int) -> list[str]:
    e = event_id
    return [
        f"ev:y:{e + 1}",
        f"ev:n:{e + 1}",
        f"ev:show:{e}",
        f"ev:list:{e}",
        f"ev:cancel:{e}",
        f"ev:cancelyes:{e}",
        "ev:keep",
        f"ev:ics:{e + 1}",
        "fr:1:all:0:",
        "em:t:1",
        "em:none",
        "em:done",
        f"push:mute:{e}",
        "kr:edit:1",
        "kr:wd:1",
        "nw.d:a:1:abcdef0123",
        f"nw.j:a:{GROUP_ID}:{OTHER.id}",
        "st:mode:daily",
    ]


def _group_messages(harness: BotHarness) -> dict:
    return {k: copy.deepcopy(v) for k, v in harness.api.messages.items() if k[0] == GROUP_ID}


async def test_a_burst_of_forged_presses_leaves_the_group_unchanged(
    harness: BotHarness, clock: FakeClock
) -> None:
    invitation, event_id = await _invitation(harness, clock)
    frister = last_message(await harness.send("/frister", MEMBER, group=True))
    before = _group_messages(harness)
    harness.api.clear()
    payloads = _forged(event_id)
    for data in payloads:
        for under in (invitation, frister):
            calls = await harness.press_data(data, OTHER, under)
            assert alerts(calls) == [texts.BUTTON_EXPIRED], data
    changed = [c for c in harness.api.calls if c.method in CHANGES or c.method.startswith("send")]
    assert changed == []
    assert _group_messages(harness) == before
    async with harness.services.session() as s:
        refused = (
            (await s.execute(select(AuditLog).where(AuditLog.action == "button_refused"))).scalars().all()
        )
    assert len(refused) == 2 * len(payloads)
    assert {r.actor_id for r in refused} == {OTHER.id}
    assert {r.detail["chat"] for r in refused} == {GROUP_ID}


async def test_rsvp_in_the_group_acts_for_the_presser_and_keeps_the_text(
    harness: BotHarness, clock: FakeClock
) -> None:
    invitation, _ = await _invitation(harness, clock)
    before = _group_messages(harness)
    harness.api.clear()
    calls = await harness.press(invitation, "Jeg kommer", OTHER)
    assert [c.method for c in calls if c.method in CHANGES] == ["editMessageReplyMarkup"]
    assert alerts(calls) == [texts.RSVP_YES_THANKS]
    after = _group_messages(harness)
    assert {k: v.get("text") for k, v in after.items()} == {k: v.get("text") for k, v in before.items()}


async def test_paging_someone_elses_answer_in_the_group_is_refused_politely(harness: BotHarness) -> None:
    await add_calls(harness, *({"title": f"Utlysning nr {i:02d}", "days": i + 1} for i in range(20)))
    reply = last_message(await harness.send("/frister", MEMBER, group=True))
    calls = await harness.press(reply, texts.BTN_NEXT, OTHER)
    assert alerts(calls) == [texts.BUTTON_NOT_YOURS]
    assert not [c for c in calls if c.method in CHANGES]
    calls = await harness.press(reply, texts.BTN_NEXT, MEMBER)
    assert [c.method for c in calls if c.method in CHANGES] == ["editMessageText"]
    calls = await harness.press(reply, texts.BTN_NEXT, COORDINATOR)
    assert [c.method for c in calls if c.method in CHANGES] == ["editMessageText"]


async def test_forged_data_in_a_private_chat_is_refused_too(harness: BotHarness) -> None:
    reply = last_message(await harness.send("/emner", MEMBER))
    calls = await harness.press_data("em:t:99999", MEMBER, reply)
    assert alerts(calls) == [texts.BUTTON_EXPIRED]
