"""Every preview has «Endre tekst» beside «Send» (issue 14, point 5), end to end: the new text is
shown again before anything goes out, and nothing was sent meanwhile."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot import texts
from storage.models import Announcement, Call, Event, Outbox
from tests.coord_helpers import add_member, last_message
from tests.fixtures_bot import COORDINATOR
from tests.support.harness import BotHarness

pytestmark = pytest.mark.filterwarnings("ignore:Ignoring `conversation_timeout`")


async def _nothing_sent(harness: BotHarness) -> None:
    async with harness.services.session() as s:
        assert (await s.execute(select(Outbox))).scalars().all() == []


async def _edit_and_check(harness: BotHarness, confirm, new_text: str, expected_in_preview: str):  # type: ignore[no-untyped-def]
    assert texts.BTN_EDIT_TEXT in confirm.button_texts, confirm.button_texts
    row = next(r for r in confirm.buttons if any(b["text"] == texts.BTN_EDIT_TEXT for b in r))
    assert row[0]["text"] != texts.BTN_EDIT_TEXT  # beside «Send» / «Lagre»
    await harness.press(confirm, texts.BTN_EDIT_TEXT, COORDINATOR)
    await _nothing_sent(harness)
    calls = await harness.send(new_text, COORDINATOR)
    sent = [c for c in calls if c.method == "sendMessage"]
    assert any(expected_in_preview in c.text for c in sent), [c.text for c in sent]
    return sent[-1]


async def test_kunngjoring(harness: BotHarness) -> None:
    await add_member(harness, 2001)
    await harness.send("/kunngjoring", COORDINATOR)
    question = last_message(await harness.send("Førsteutkast", COORDINATOR))
    confirm = last_message(await harness.press(question, texts.BTN_AUD_MEMBERS, COORDINATOR))
    confirm = await _edit_and_check(harness, confirm, "Rettet utkast", "Rettet utkast")
    await harness.press(confirm, texts.BTN_SEND, COORDINATOR)
    async with harness.services.session() as s:
        [item] = (await s.execute(select(Announcement))).scalars().all()
    assert item.text_html == "Rettet utkast"


async def test_tips(harness: BotHarness) -> None:
    await harness.send("/tips", COORDINATOR)
    await harness.send("Tips én", COORDINATOR)
    topics = last_message(await harness.send("https://ks.no/x", COORDINATOR))
    await harness.press(topics, "Helse", COORDINATOR)
    confirm = last_message(await harness.press(topics, texts.BTN_DONE, COORDINATOR))
    confirm = await _edit_and_check(harness, confirm, "Tips to", "Tips to")
    assert "ks.no/x" in [c for c in harness.api.sent() if "Tips to" in c.text][-1].text  # link kept
    await harness.press(confirm, texts.BTN_SEND, COORDINATOR)


async def test_nyttarrangement(harness: BotHarness) -> None:
    await harness.send("/nyttarrangement", COORDINATOR)
    for typed in ("Samling", "5. mars kl. 13", "15:00", "Steinkjer"):
        await harness.send(typed, COORDINATOR)
    topics = last_message(await harness.send("Gammel beskrivelse", COORDINATOR))
    await harness.press(topics, "Helse", COORDINATOR)
    confirm = last_message(await harness.press(topics, texts.BTN_DONE, COORDINATOR))
    confirm = await _edit_and_check(harness, confirm, "Ny beskrivelse", "Ny beskrivelse")
    await harness.press(confirm, texts.BTN_SAVE_ONLY, COORDINATOR)
    async with harness.services.session() as s:
        [event] = (await s.execute(select(Event))).scalars().all()
    assert event.description == "Ny beskrivelse"


async def test_nyfrist(harness: BotHarness) -> None:
    await harness.send("/nyfrist", COORDINATOR)
    await harness.send("Feil tittel", COORDINATOR)
    await harness.send("5. mars kl. 13", COORDINATOR)
    topics = last_message(await harness.send("https://ks.no/fou", COORDINATOR))
    await harness.press(topics, "Helse", COORDINATOR)
    source = last_message(await harness.press(topics, texts.BTN_DONE, COORDINATOR))
    confirm = last_message(await harness.send("KS", COORDINATOR))
    confirm = await _edit_and_check(harness, confirm, "KS FoU-ordning 2027", "KS FoU-ordning 2027")
    await harness.press(confirm, texts.BTN_SAVE, COORDINATOR)
    async with harness.services.session() as s:
        titles = [c.title for c in (await s.execute(select(Call))).scalars()]
    assert titles == ["KS FoU-ordning 2027"]
    assert source


async def test_a_correction(harness: BotHarness) -> None:
    await add_member(harness, 2001)
    await harness.send("/kunngjoring", COORDINATOR)
    question = last_message(await harness.send("Original", COORDINATOR))
    confirm = last_message(await harness.press(question, texts.BTN_AUD_MEMBERS, COORDINATOR))
    queued = last_message(await harness.press(confirm, texts.BTN_SEND, COORDINATOR))
    await harness.press(queued, texts.BTN_CORRECT, COORDINATOR)
    confirm = last_message(await harness.send("Rettelse én", COORDINATOR))
    assert texts.BTN_EDIT_TEXT in confirm.button_texts
    await harness.press(confirm, texts.BTN_EDIT_TEXT, COORDINATOR)
    calls = await harness.send("Rettelse to", COORDINATOR)
    assert any("Rettelse to" in c.text for c in calls if c.method == "sendMessage")
    confirm = last_message(calls)
    await harness.press(confirm, texts.BTN_CORRECT_CONFIRM, COORDINATOR)
    async with harness.services.session() as s:
        [item] = (await s.execute(select(Announcement))).scalars().all()
    assert item.text_html == "Rettelse to"
