"""Events end to end: /nyttarrangement, /arrangementer, RSVP with counts, attendees + CSV, .ics, cancel."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot import texts
from storage.audit import REFUSED
from storage.models import Event, Outbox, Rsvp
from tests.coord_helpers import add_member, alerts, audit_entries, last_message
from tests.fixtures_bot import COORDINATOR, MEMBER, OTHER
from tests.support.harness import GROUP_ID, BotHarness


async def _create_event(harness: BotHarness, *, send: bool = True, video: bool = False) -> None:
    await harness.send("/nyttarrangement", COORDINATOR)
    await harness.send("Webinar: innovative anskaffelser <del 1>", COORDINATOR)
    end_question = last_message(await harness.send("5. mars kl. 13", COORDINATOR))
    assert end_question.text == texts.NE_ASK_END
    await harness.send("15:30", COORDINATOR)
    place = "https://teams.microsoft.com/l/meetup/123" if video else "Scandic Lerkendal, Trondheim"
    description_question = last_message(await harness.send(place, COORDINATOR))
    topics = last_message(await harness.send("Program og påmelding på ks.no.", COORDINATOR))
    assert description_question.text == texts.NE_ASK_DESCRIPTION
    await harness.press(topics, "Innovative anskaffelser", COORDINATOR)
    calls = await harness.press(topics, texts.BTN_DONE, COORDINATOR)
    sent = [c for c in calls if c.method == "sendMessage"]
    preview, confirm = sent[-2], sent[-1]
    assert "Webinar: innovative anskaffelser &lt;del 1&gt;" in preview.text
    assert "fredag 5. mars 2027 kl. 13:00–15:30" in preview.text
    assert preview.button_texts[:3] == ["✅ Jeg kommer (0)", "❌ Kan ikke (0)", texts.BTN_EVENT_ICS]
    done = last_message(
        await harness.press(confirm, texts.BTN_SAVE_AND_SEND if send else texts.BTN_SAVE_ONLY, COORDINATOR)
    )
    assert done.text.startswith("✅ Arrangementet er lagret")


async def _event(harness: BotHarness) -> Event:
    async with harness.services.session() as s:
        return (await s.execute(select(Event))).scalar_one()


async def test_nyttarrangement_saves_and_invites_group_and_subscribers(harness: BotHarness) -> None:
    subscriber = await add_member(harness, 2001, topics=["anskaffelser"])
    await add_member(harness, 2002, topics=["helse"])
    await _create_event(harness)
    event = await _event(harness)
    assert event.starts_at == datetime(2027, 3, 5, 12, 0, tzinfo=UTC)
    assert event.ends_at == datetime(2027, 3, 5, 14, 30, tzinfo=UTC)
    assert event.location == "Scandic Lerkendal, Trondheim"
    async with harness.services.session() as s:
        rows = (await s.execute(select(Outbox).order_by(Outbox.id))).scalars().all()
        group_chat = rows[0].chat_id
    assert [r.subject for r in rows] == [f"event:{event.id}"] * 2
    assert rows[1].chat_id == subscriber
    assert group_chat != subscriber
    payload = rows[0].payload
    assert "Scandic Lerkendal" in payload["text"]
    assert payload["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == f"ev:y:{event.id}"
    assert [e.action for e in await audit_entries(harness)] == ["event_created"]


async def test_video_link_and_save_only(harness: BotHarness) -> None:
    await _create_event(harness, send=False, video=True)
    event = await _event(harness)
    assert event.video_url == "https://teams.microsoft.com/l/meetup/123"
    async with harness.services.session() as s:
        assert (await s.execute(select(Outbox))).scalars().all() == []
    list_reply = last_message(await harness.send("/arrangementer", MEMBER))
    card = last_message(await harness.press(list_reply, "Webinar", MEMBER))
    # The meeting link is the network's own: someone who only started the bot does not see it.
    assert "teams.microsoft.com" not in card.text and texts.EVENT_LINK_FOR_MEMBERS in card.text
    await harness.send("Hei", MEMBER, group=True)  # seen in the network's group: a member
    card = last_message(await harness.press(list_reply, "Webinar", MEMBER))
    assert '<a href="https://teams.microsoft.com/l/meetup/123">' in card.text


async def test_rsvp_counts_ics_and_attendees(harness: BotHarness) -> None:
    await _create_event(harness, send=False)
    event = await _event(harness)
    listing = last_message(await harness.send("/arrangementer", MEMBER))
    assert "Kommende arrangementer" in listing.text
    card = last_message(await harness.press(listing, "Webinar", MEMBER))
    assert texts.BTN_EVENT_ATTENDEES not in card.button_texts  # members see no coordinator buttons
    calls = await harness.press(card, "Jeg kommer", MEMBER)
    assert texts.RSVP_YES_THANKS in alerts(calls)
    redrawn = [c for c in calls if c.method == "editMessageReplyMarkup"][-1]
    assert redrawn.button_texts[:2] == ["✅ Jeg kommer (1)", "❌ Kan ikke (0)"]
    # In the group: another person says no; changing one's mind moves the count.
    group_listing = last_message(await harness.send("/arrangementer", OTHER, group=True))
    group_card = last_message(await harness.press(group_listing, "Webinar", OTHER))
    assert group_card.chat_id == GROUP_ID
    calls = await harness.press(group_card, "Kan ikke", OTHER)
    assert [c for c in calls if c.method == "editMessageReplyMarkup"][-1].button_texts[:2] == [
        "✅ Jeg kommer (1)",
        "❌ Kan ikke (1)",
    ]
    calls = await harness.press(card, "Jeg kommer", MEMBER)  # pressed twice: still one
    async with harness.services.session() as s:
        assert len((await s.execute(select(Rsvp))).scalars().all()) == 2
    # The .ics goes to the person privately, also from the group.
    calls = await harness.press(group_card, texts.BTN_EVENT_ICS, OTHER)
    [doc] = [c for c in calls if c.method == "sendDocument"]
    assert doc.chat_id == OTHER.id
    filename, content = next(iter(doc.files.values()))
    assert filename == f"arrangement-{event.id}.ics"
    assert b"SUMMARY:Webinar: innovative anskaffelser <del 1>" in content
    assert b"DTSTART;TZID=Europe/Oslo:20270305T130000" in content and b"BEGIN:VTIMEZONE" in content
    assert texts.EVENT_ICS_SENT_PRIVATE in alerts(calls)
    # A person who never started the bot is told how.
    harness.api.fail(
        "sendDocument", chat_id=OTHER.id, error_code=403, description="Forbidden: bot can't initiate"
    )
    calls = await harness.press(group_card, texts.BTN_EVENT_ICS, OTHER)
    assert texts.EVENT_ICS_START_FIRST in alerts(calls)
    # The coordinator sees who is coming, and gets a CSV.
    listing = last_message(await harness.send("/arrangementer", COORDINATOR))
    admin_card = last_message(await harness.press(listing, "Webinar", COORDINATOR))
    assert texts.BTN_EVENT_ATTENDEES in admin_card.button_texts
    calls = await harness.press(admin_card, texts.BTN_EVENT_ATTENDEES, COORDINATOR)
    summary = last_message(calls)
    assert "1 kommer, 1 kan ikke" in summary.text
    assert "Kari Nordmann (@kari)" in summary.text
    [csv_doc] = [c for c in calls if c.method == "sendDocument"]
    name, data = next(iter(csv_doc.files.values()))
    assert name == f"deltakere-{event.id}.csv"
    text = data.decode("utf-8-sig").splitlines()
    assert text[0] == "navn;brukernavn;kommune;svar;svart"
    assert text[1].startswith("Kari Nordmann;@kari;;kommer;")
    assert text[2].startswith("Ola Hansen;;;kan ikke;")
    # RSVP after a coordinator's button press keeps the coordinator row.
    calls = await harness.press(admin_card, "Kan ikke", COORDINATOR)
    assert (
        texts.BTN_EVENT_ATTENDEES
        in [c for c in calls if c.method == "editMessageReplyMarkup"][-1].button_texts
    )


async def test_attendee_list_is_refused_to_members(harness: BotHarness) -> None:
    await _create_event(harness, send=False)
    event = await _event(harness)
    calls = await harness.press_data(f"ev:list:{event.id}", MEMBER)
    assert texts.COORD_REFUSED_ALERT in alerts(calls)
    assert [c for c in calls if c.method == "sendDocument"] == []
    [entry] = await audit_entries(harness, REFUSED)
    assert entry.actor_id == MEMBER.id and entry.detail["command"] == f"ev:list:{event.id}"
    calls = await harness.press_data(f"ev:cancelyes:{event.id}", MEMBER)
    assert texts.COORD_REFUSED_ALERT in alerts(calls)
    assert not (await _event(harness)).cancelled


async def test_cancelling_an_event_tells_those_coming(harness: BotHarness) -> None:
    await _create_event(harness, send=False)
    event = await _event(harness)
    await add_member(harness, MEMBER.id, name="Kari Nordmann")
    listing = last_message(await harness.send("/arrangementer", MEMBER))
    card = last_message(await harness.press(listing, "Webinar", MEMBER))
    await harness.press(card, "Jeg kommer", MEMBER)
    listing = last_message(await harness.send("/arrangementer", COORDINATOR))
    admin_card = last_message(await harness.press(listing, "Webinar", COORDINATOR))
    confirm = last_message(await harness.press(admin_card, texts.BTN_EVENT_CANCEL, COORDINATOR))
    assert confirm.text.endswith("Den ene som har meldt seg på, får beskjed.")
    done = last_message(await harness.press(confirm, texts.BTN_EVENT_CANCEL_CONFIRM, COORDINATOR))
    assert done.text.startswith("🚫") and done.text.endswith("1 påmeldt får beskjed.")
    assert (await _event(harness)).cancelled
    async with harness.services.session() as s:
        [notice] = (await s.execute(select(Outbox))).scalars().all()
    assert notice.kind == "event_cancelled" and "er dessverre avlyst" in notice.payload["text"]
    assert last_message(await harness.send("/arrangementer", MEMBER)).text == texts.EVENTS_NONE
    calls = await harness.press(card, "Jeg kommer", MEMBER)
    assert texts.RSVP_CANCELLED in alerts(calls)
    assert event.id


async def test_event_dates_must_be_understood(harness: BotHarness) -> None:
    await harness.send("/nyttarrangement", COORDINATOR)
    await harness.send("Samling", COORDINATOR)
    assert last_message(await harness.send("en gang i mars", COORDINATOR)).text.startswith(
        "Den datoen forstod"
    )
    assert last_message(await harness.send("5. mars", COORDINATOR)).text.startswith("Jeg trenger klokkeslett")
    past = last_message(await harness.send("1. januar 2020 kl 10", COORDINATOR)).text
    assert past.startswith("Onsdag 1. januar 2020 kl. 10:00 har allerede vært")  # with its year
    await harness.send("5. mars kl. 13", COORDINATOR)
    assert last_message(await harness.send("etterpå", COORDINATOR)).text.startswith("Den datoen forstod")
    assert "Slutten må komme etter starten" in last_message(await harness.send("12:00", COORDINATOR)).text
    question = last_message(await harness.send("/avbryt", COORDINATOR))
    assert question.text == texts.CONV_CANCELLED


async def test_cancel_at_every_step_of_nyttarrangement(harness: BotHarness) -> None:
    steps = ["Samling", "5. mars kl. 13", "15:00", "Trondheim", "Beskrivelse"]
    for stop in range(len(steps) + 1):
        await harness.send("/nyttarrangement", COORDINATOR)
        for typed in steps[:stop]:
            await harness.send(typed, COORDINATOR)
        assert last_message(await harness.send("/avbryt", COORDINATOR)).text == texts.CONV_CANCELLED
    async with harness.services.session() as s:
        assert (await s.execute(select(Event))).scalars().all() == []


async def test_nyttarrangement_refused_for_members(harness: BotHarness) -> None:
    assert last_message(await harness.send("/nyttarrangement", MEMBER)).text == texts.COORD_REFUSED
    assert [e.actor_id for e in await audit_entries(harness, REFUSED)] == [MEMBER.id]
    assert last_message(await harness.send("/arrangementer", MEMBER)).text == texts.EVENTS_NONE
