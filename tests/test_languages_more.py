"""Languages beyond the member's own answers: groups, menus, aliases, coordinators, events, tips,
registrations and join requests, each in its reader's language."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot import texts
from bot.push.plan import plan_event_reminders
from bot.texts.i18n import use_language
from handlers import registry
from storage.models import Chat, Event, EventTopic, Topic
from tests.coord_helpers import drain, last_message
from tests.fixtures_bot import COORDINATOR, MEMBER
from tests.members_helpers import add_calls, only_message
from tests.support.harness import GROUP_ID, BotHarness, FakeClock, Person
from tests.test_languages import JOHN, NOW, SOLVEIG, choose, leaks, member, sent_to, shown


# ---- groups, menus, aliases ----------------------------------------------------------------------
async def test_a_group_reads_foui_language_until_an_admin_or_coordinator_changes_it(
    harness: BotHarness,
) -> None:
    await add_calls(harness, {"title": "Klimautlysning", "days": 2, "topics": ["klima"]})
    reply = only_message(await harness.send("/frister", SOLVEIG, chat_id=GROUP_ID))
    assert reply.text.startswith("<b>Søknadsfrister</b>")  # the group's default (nb), not Solveig's nn
    menu = only_message(await harness.send("/sprak", MEMBER, chat_id=GROUP_ID))
    assert texts.LANGUAGE_DEFAULT not in menu.button_texts  # a group has no Telegram app
    refused = await harness.press(menu, "Nynorsk", MEMBER)
    assert any(c.params.get("text") == texts.LANGUAGE_NOT_ADMIN for c in refused)
    menu = only_message(await harness.send("/sprak", COORDINATOR, chat_id=GROUP_ID))
    done = shown(await harness.press(menu, "Nynorsk", COORDINATOR))
    assert done.text.startswith("✅ No skriv eg på nynorsk i denne gruppa.")
    reply = only_message(await harness.send("/frister", JOHN, chat_id=GROUP_ID))
    assert reply.text.startswith("<b>Søknadsfristar</b>")


async def test_forged_language_is_refused(harness: BotHarness) -> None:
    menu = only_message(await harness.send("/sprak", SOLVEIG))
    calls = await harness.press_data("lang:xx", SOLVEIG, reply=menu)
    assert not [c for c in calls if c.method == "editMessageText"]


async def test_sprak_with_a_ring_and_the_english_name_and_the_nynorsk_alias(harness: BotHarness) -> None:
    await member(harness, SOLVEIG)
    nn_menu = only_message(await harness.send("/språk", SOLVEIG))
    assert nn_menu.text.startswith("<b>Språk</b>\nEg skriv no på <b>Nynorsk</b>.")
    assert only_message(await harness.send("/language", SOLVEIG)).text == nn_menu.text
    assert only_message(await harness.send("/fristar", SOLVEIG)).text.startswith(
        ("<b>Søknadsfristar</b>", "Ingen søknadsfristar")
    )
    back = shown(await harness.press(nn_menu, "Bokmål", SOLVEIG))
    assert back.text.startswith("✅ Nå skriver jeg på bokmål.")
    auto = shown(await harness.press(back, texts.LANGUAGE_DEFAULT, SOLVEIG))
    assert auto.text.startswith("✅ No følgjer eg språket i Telegram-appen din (Nynorsk).")


async def test_command_menus_in_each_language(harness: BotHarness) -> None:
    await registry.set_menus(harness.app, [COORDINATOR.id])
    menus = {
        (c.params.get("language_code"), c.params["scope"]["type"]): {
            cmd["command"]: cmd["description"] for cmd in c.params["commands"]
        }
        for c in harness.api.sent("setMyCommands")
    }
    assert menus[(None, "all_private_chats")]["frister"] == "Kommende søknadsfrister"
    assert menus[("nn", "all_private_chats")]["frister"] == "Komande søknadsfristar"
    assert menus[("en", "all_private_chats")]["frister"] == "Upcoming application deadlines"
    assert menus[("en", "all_private_chats")]["sprak"] == "Choose a language (bokmål, nynorsk, English)"
    assert ("nn", "chat") in menus and ("en", "all_group_chats") in menus


async def test_the_client_language_is_remembered_for_pushes(harness: BotHarness) -> None:
    await member(harness, SOLVEIG)
    await harness.send("/hjelp", SOLVEIG)
    async with harness.services.session() as s:
        chat = (await s.execute(select(Chat).where(Chat.telegram_id == SOLVEIG.id))).scalar_one()
        assert (chat.language, chat.client_language) == (None, "nn")


async def test_a_tip_is_framed_in_each_readers_language(harness: BotHarness, clock: FakeClock) -> None:
    await member(harness, SOLVEIG, topics=("anskaffelser",))
    await member(harness, JOHN, topics=("anskaffelser",))
    await choose(harness, JOHN, "English")
    await harness.send("/tips", COORDINATOR)
    await harness.send("Ny veileder om innovative anskaffelser", COORDINATOR)
    topics = last_message(await harness.send("https://anskaffelser.no/veileder", COORDINATOR))
    await harness.press(topics, "Innovative anskaffelser", COORDINATOR)
    confirm = last_message(await harness.press(topics, texts.BTN_DONE, COORDINATOR))
    await harness.press(confirm, texts.BTN_SEND, COORDINATOR)
    await drain(harness, clock)
    group = harness.api.last("sendMessage", GROUP_ID).text
    nynorsk = harness.api.last("sendMessage", SOLVEIG.id).text
    english = harness.api.last("sendMessage", JOHN.id).text
    assert group.startswith("💡 <b>Tips</b>\nNy veileder om innovative anskaffelser\n🔗 <a href=")
    assert nynorsk == group  # «Tips» in nynorsk too; the coordinator's words stay as written
    assert english.startswith("💡 <b>Tip</b>\nNy veileder om innovative anskaffelser\n🔗 <a href=")
    assert "\n🏷 Innovative anskaffelser" in english  # topic names are data


async def test_choosing_a_language_sets_the_persons_own_menu(harness: BotHarness) -> None:
    await member(harness, JOHN)
    await choose(harness, JOHN, "Nynorsk")
    menus = [c for c in harness.api.sent("setMyCommands") if c.params["scope"].get("chat_id") == JOHN.id]
    assert {c.params.get("language_code") for c in menus} == {None, "nn", "en"}
    for call in menus:  # nynorsk whatever the app's language
        described = {cmd["command"]: cmd["description"] for cmd in call.params["commands"]}
        assert described["frister"] == "Komande søknadsfristar"
        assert "kilder" not in described  # a member's menu, not the coordinators'
    harness.api.clear()
    menu = only_message(await harness.send("/sprak", JOHN))
    await harness.press(menu, "Som Telegram-appen min", JOHN)
    assert len(harness.api.sent("deleteMyCommands")) == 3  # back to the menus by the app's language


async def test_nothing_reaches_an_english_coordinator_untranslated(harness: BotHarness) -> None:
    await choose(harness, COORDINATOR, "English")
    harness.api.clear()
    await harness.send("/status", COORDINATOR)
    await harness.send("/kilder", COORDINATOR)
    await harness.send("/kunngjoringer", COORDINATOR)
    await harness.send("/nyfrist", COORDINATOR)
    await harness.send("KS FoU-ordning 2027", COORDINATOR)
    await harness.send("tull", COORDINATOR)
    await harness.send("/avbryt", COORDINATOR)
    await harness.send("/nyttarrangement", COORDINATOR)
    await harness.send("/avbryt", COORDINATOR)
    await harness.send("/kunngjoring", COORDINATOR)
    question = last_message(await harness.send("Hei alle", COORDINATOR))
    await harness.press(question, "📣 All members", COORDINATOR)
    await harness.send("/avbryt", COORDINATOR)
    await harness.send("/dekning", COORDINATOR)
    await harness.send("/soknader", COORDINATOR)
    await harness.send("/arrangementer", COORDINATOR)
    calls = sent_to(harness, COORDINATOR)
    assert len(calls) >= 12
    assert leaks(calls, "en") == []


async def test_an_event_reminder_reads_in_each_readers_language(
    harness: BotHarness, clock: FakeClock
) -> None:
    await member(harness, SOLVEIG)
    await member(harness, JOHN)
    await harness.send("/hjelp", SOLVEIG)  # her Telegram app's language (nn) is remembered from now on
    await choose(harness, JOHN, "English")
    async with harness.services.session() as s:
        event = Event(
            title="Webinar om velferd",
            starts_at=NOW + timedelta(hours=24),  # tuesday 24 November, 10:00 in Oslo
            location="Teams",
            created_at=NOW - timedelta(days=10),
        )
        s.add(event)
        await s.flush()
        helse = (await s.execute(select(Topic).where(Topic.slug == "helse"))).scalar_one()
        s.add(EventTopic(event_id=event.id, topic_id=helse.id))
    async with harness.services.session() as s:
        assert await plan_event_reminders(s, harness.services) == 2
    harness.api.clear()
    await drain(harness, clock)
    nynorsk = harness.api.last("sendMessage", SOLVEIG.id).text
    english = harness.api.last("sendMessage", JOHN.id).text
    assert (
        nynorsk == "📣 <b>I morgon:</b> Webinar om velferd\nTid: tysdag 24. november kl. 10.00\nStad: Teams"
    )
    assert (
        english == "📣 <b>Tomorrow:</b> Webinar om velferd\nWhen: Tuesday 24 November at 10:00\nWhere: Teams"
    )


async def test_a_registration_is_decided_in_each_ones_language(harness: BotHarness, clock: FakeClock) -> None:
    """John registers in English; the coordinators' notice reads in the network's language (bokmål)
    and the decision reaches John in English, though the coordinator writes bokmål."""
    from storage.registry import KIND_DECISION
    from tests.test_network_e2e import approve, known, queued, register

    await known(harness, COORDINATOR, JOHN)
    await choose(harness, JOHN, "English")
    harness.api.clear()
    with use_language("en"):
        await register(harness, JOHN, "Frosta", "FoU-rådgiver")
    await approve(harness, JOHN)  # finds the coordinator's «✅ Godkjenn» button in bokmål
    [told] = await queued(harness, JOHN, KIND_DECISION)
    assert told.payload["text"].startswith("You are approved as the FoUI contact for <b>Frosta</b>. Welcome!")


async def test_a_join_request_is_answered_in_the_persons_language(harness: BotHarness) -> None:
    from storage.registry import KIND_JOIN_REQUEST
    from tests.test_network_e2e import join_request, known, queued

    await known(harness, COORDINATOR)
    emma = Person(id=2003, first_name="Emma", last_name="Berg", username="emma", language_code="en-GB")
    await harness.process(join_request(emma))
    told = harness.api.last("sendMessage", emma.id).text
    assert told.startswith("Hi Emma! Thank you for wanting to join the FoUI group.")
    [notice] = await queued(harness, COORDINATOR, KIND_JOIN_REQUEST)
    assert "ber om å bli med i FoUI-gruppen" in notice.payload["text"]  # the network's language
    assert "ikke registrert som FoUI-kontakt" in notice.payload["text"]


async def test_a_correction_reaches_each_copy_in_its_readers_language(
    harness: BotHarness, clock: FakeClock
) -> None:
    await member(harness, JOHN)
    await choose(harness, JOHN, "English")
    await harness.send("/kunngjoring", COORDINATOR)
    question = last_message(await harness.send("Samling i Steinkjer", COORDINATOR))
    confirm = last_message(await harness.press(question, texts.BTN_AUD_MEMBERS, COORDINATOR))
    queued = last_message(await harness.press(confirm, texts.BTN_SEND, COORDINATOR))
    await drain(harness, clock)
    assert harness.api.last("sendMessage", JOHN.id).text.startswith("📣 <b>From the FoUI coordinators</b>")
    await harness.press(queued, texts.BTN_CORRECT, COORDINATOR)
    calls = await harness.send("Samling i Levanger", COORDINATOR)
    calls = await harness.press(last_message(calls), texts.BTN_CORRECT_CONFIRM, COORDINATOR)
    edits = {c.chat_id: c.params["text"] for c in calls if c.method == "editMessageText"}
    assert (
        edits[JOHN.id] == "📣 <b>From the FoUI coordinators</b>\n\nSamling i Levanger\n\n<i>(corrected)</i>"
    )
    assert (
        edits[COORDINATOR.id] == "📣 <b>Fra FoUI-koordinatorene</b>\n\nSamling i Levanger\n\n<i>(rettet)</i>"
    )


async def test_a_copy_corrected_before_it_was_sent_reads_in_its_readers_language(
    harness: BotHarness, clock: FakeClock
) -> None:
    await member(harness, JOHN)
    await choose(harness, JOHN, "English")
    await harness.send("/kunngjoring", COORDINATOR)
    question = last_message(await harness.send("Samling i Steinkjer", COORDINATOR))
    confirm = last_message(await harness.press(question, texts.BTN_AUD_MEMBERS, COORDINATOR))
    queued = last_message(await harness.press(confirm, texts.BTN_SEND, COORDINATOR))
    await harness.press(queued, texts.BTN_CORRECT, COORDINATOR)
    calls = await harness.send("Samling i Levanger", COORDINATOR)
    await harness.press(last_message(calls), texts.BTN_CORRECT_CONFIRM, COORDINATOR)
    await drain(harness, clock)  # sent only now, corrected
    assert harness.api.last("sendMessage", JOHN.id).text == (
        "📣 <b>From the FoUI coordinators</b>\n\nSamling i Levanger\n\n<i>(corrected)</i>"
    )
