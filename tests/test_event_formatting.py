"""Event descriptions keep bold, italics and links exactly as typed (issue 14, point 4).

Measured failure: the description was stored as plain text, so «Meld deg på her» arrived without
its link, in the invitation, the reminder and the .ics file.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from bot import texts
from bot.calendar.events import event_to_ics
from bot.push.plan import plan_event_reminders
from storage.models import Event, Outbox
from tests.coord_helpers import add_member, last_message
from tests.fixtures_bot import COORDINATOR
from tests.support.harness import BotHarness, FakeClock

pytestmark = pytest.mark.filterwarnings("ignore:Ignoring `conversation_timeout`")

DESCRIPTION = "Program: innlegg fra KS. Meld deg på her <senest fredag>"
ENTITIES = [
    {"type": "bold", "offset": 0, "length": len("Program:")},
    {"type": "italic", "offset": DESCRIPTION.index("innlegg"), "length": len("innlegg fra KS.")},
    {
        "type": "text_link",
        "offset": DESCRIPTION.index("Meld"),
        "length": len("Meld deg på her"),
        "url": "https://www.ks.no/pamelding?id=1&x=2",
    },
]
LINK = '<a href="https://www.ks.no/pamelding?id=1&x=2">Meld deg på her</a>'


async def _create(harness: BotHarness) -> Event:
    await harness.send("/nyttarrangement", COORDINATOR)
    await harness.send("Samling om velferd", COORDINATOR)
    await harness.send("5. mars kl. 13", COORDINATOR)
    await harness.send("15:00", COORDINATOR)
    await harness.send("Scandic Lerkendal", COORDINATOR)
    topics = last_message(await harness.send(DESCRIPTION, COORDINATOR, entities=ENTITIES))
    await harness.press(topics, "Helse", COORDINATOR)
    calls = await harness.press(topics, texts.BTN_DONE, COORDINATOR)
    preview = [c for c in calls if c.method == "sendMessage"][-2]
    assert LINK in preview.text and "<b>Program:</b>" in preview.text
    await harness.press(last_message(calls), texts.BTN_SAVE_AND_SEND, COORDINATOR)
    async with harness.services.session() as s:
        return (await s.execute(select(Event))).scalar_one()


async def test_formatting_is_kept_in_the_invitation_the_reminder_and_the_ics(
    harness: BotHarness, clock: FakeClock
) -> None:
    await add_member(harness, 2001, topics=["helse"])
    event = await _create(harness)
    assert event.description == ("<b>Program:</b> <i>innlegg fra KS.</i> " + LINK + " &lt;senest fredag&gt;")
    async with harness.services.session() as s:
        invitation = (await s.execute(select(Outbox).where(Outbox.kind == "event"))).scalars().first()
    assert invitation is not None and LINK in invitation.payload["text"]
    assert "<i>innlegg fra KS.</i>" in invitation.payload["text"]

    clock.set(event.starts_at - timedelta(minutes=59))
    async with harness.services.session() as s:
        await plan_event_reminders(s, harness.services)
        reminder = (await s.execute(select(Outbox).where(Outbox.kind == "event_reminder"))).scalars().first()
    assert reminder is not None and LINK in reminder.payload["text"]

    ics = Calendar.from_ical(event_to_ics(event, now=clock.now))
    [item] = [c for c in ics.walk() if c.name == "VEVENT"]
    assert str(item["description"]) == (
        "Program: innlegg fra KS. Meld deg på her (https://www.ks.no/pamelding?id=1&x=2) <senest fredag>"
    )


async def _edit(harness: BotHarness, field: str, value: str) -> str:
    listing = last_message(await harness.send("/arrangementer", COORDINATOR))
    card = last_message(await harness.press(listing, "Samling", COORDINATOR))
    what = last_message(await harness.press(card, texts.BTN_EVENT_EDIT, COORDINATOR))
    question = last_message(await harness.press(what, field, COORDINATOR))
    assert question.text.endswith(texts.CANCEL_HINT)
    return last_message(await harness.send(value, COORDINATOR)).text


async def test_editing_an_event_tells_those_coming_of_a_new_time_or_place_once(
    harness: BotHarness, clock: FakeClock
) -> None:
    from tests.fixtures_bot import MEMBER

    await add_member(harness, MEMBER.id, name="Kari Nordmann", topics=["helse"])
    event = await _create(harness)
    listing = last_message(await harness.send("/arrangementer", MEMBER))
    card = last_message(await harness.press(listing, "Samling", MEMBER))
    await harness.press(card, "Jeg kommer", MEMBER)
    clock.set(event.starts_at - timedelta(days=1))  # the day-before reminder is queued
    async with harness.services.session() as s:
        await plan_event_reminders(s, harness.services)

    async def changed() -> list[Outbox]:
        async with harness.services.session() as s:
            query = select(Outbox).where(Outbox.kind == "event_changed").order_by(Outbox.id)
            return list((await s.execute(query)).scalars())

    saved = await _edit(harness, texts.BTN_EE_TIME, "6. mars kl. 14")
    assert saved.startswith("✅ Endret. 1 påmeldt får beskjed om endringen.")
    [notice] = await changed()
    assert "lørdag 6. mars kl. 14:00–16:00" in notice.payload["text"]
    async with harness.services.session() as s:
        old = (await s.execute(select(Outbox).where(Outbox.kind == "event_reminder"))).scalars().all()
    assert old and all(r.status == "cancelled" for r in old)
    # The same time again, or a new title: nobody is told again.
    await _edit(harness, texts.BTN_EE_TIME, "6. mars kl. 14")
    await _edit(harness, texts.BTN_FIELD_TITLE, "Samling om velferd (ny tittel)")
    assert len(await changed()) == 1
    # A new place is told, once.
    await _edit(harness, texts.BTN_EE_PLACE, "Quality Hotel Panorama")
    assert len(await changed()) == 2 and "Quality Hotel Panorama" in (await changed())[-1].payload["text"]
    await _edit(harness, texts.BTN_EE_DESCRIPTION, "Ny beskrivelse")
    async with harness.services.session() as s:
        stored = (await s.execute(select(Event))).scalar_one()
    assert stored.title == "Samling om velferd (ny tittel)" and stored.description == "Ny beskrivelse"
    assert stored.location == "Quality Hotel Panorama"
