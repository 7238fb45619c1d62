"""Nynorsk and English: the catalogues, the language per person and per group, and every answer and
push a member meets in their language (end to end against the fake Bot API)."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot import texts
from bot.push.fanout import notify_new_calls
from bot.push.plan import plan_event_reminders, plan_reminders
from bot.texts import catalogue
from bot.texts.i18n import language_of_code, use_language
from handlers import registry
from storage.models import Call, Chat, Event, EventTopic, Subscription, Topic
from tests.coord_helpers import drain, last_message
from tests.fixtures_bot import COORDINATOR, MEMBER
from tests.members_helpers import add_calls, only_message
from tests.support.fakebot import ApiCall
from tests.support.harness import GROUP_ID, BotHarness, FakeClock, Person

SOLVEIG = Person(id=2001, first_name="Solveig", last_name="Vik", username="solveig", language_code="nn")
JOHN = Person(id=2002, first_name="John", last_name="Smith", username="john", language_code="nb")


# ---- the catalogues -----------------------------------------------------------------------------
def test_every_text_is_in_all_three_catalogues_with_the_same_placeholders() -> None:
    report = catalogue.check()
    assert report.out_of_date == {"nb": [], "nn": [], "en": []}, "run: python -m bot.texts.catalogue update"
    assert report.mismatched == {"nb": [], "nn": [], "en": []}
    assert report.incomplete == {"nb": [], "nn": [], "en": []}, "a finished module lacks a translation"


def test_a_placeholder_lost_in_translation_is_caught() -> None:
    assert catalogue.fields("Frist: {deadline} ({left})") != catalogue.fields("Frist: {deadline}")
    assert catalogue.fields("<b>{title}</b>") != catalogue.fields("{title}")


def test_a_new_text_without_translation_reads_in_bokmal(monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.texts.members

    monkeypatch.setattr(bot.texts, "BRAND_NEW_TEXT", "Helt ny tekst", raising=False)
    monkeypatch.setattr(bot.texts.members, "BRAND_NEW_TEXT", "Helt ny tekst", raising=False)
    with use_language("nn"):
        assert texts.BRAND_NEW_TEXT == "Helt ny tekst"
        assert texts.FRISTER_THIS_WEEK == "Denne veka"


@pytest.mark.parametrize(
    ("code", "language"),
    [("nn", "nn"), ("nn-NO", "nn"), ("nb", "nb"), ("no", "nb"), ("en", "en"), ("de", "en"), (None, None)],
)
def test_telegram_client_languages(code: str | None, language: str | None) -> None:
    assert language_of_code(code) == language


def test_dates_and_counts_in_each_language() -> None:
    at = datetime(2027, 3, 5, 12, 0, tzinfo=UTC)  # 13:00 in Oslo
    expected = {
        "nb": ("fredag 5. mars kl. 13:00", "1 frist", "3 frister", "om 3 dager"),
        "nn": ("fredag 5. mars kl. 13.00", "1 frist", "3 fristar", "om 3 dagar"),
        "en": ("Friday 5 March at 13:00", "1 deadline", "3 deadlines", "in 3 days"),
    }
    for language, (when, one, many, left) in expected.items():
        with use_language(language):
            assert texts.format_datetime(at) == when
            assert (texts.frister_count(1), texts.frister_count(3)) == (one, many)
            assert texts.format_days_left(3) == left
    with use_language("en"):
        assert texts.format_number(12345.5) == "12,345.5"
    with use_language("nn"):
        assert texts.format_number(12345.5) == "12\xa0345,5"


# ---- the end-to-end world -----------------------------------------------------------------------
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # the harness clock: Monday 10:00 in Oslo


async def member(harness: BotHarness, person: Person, topics: tuple[str, ...] = ("helse",)) -> int:
    """A member of the network following ``topics`` since long before the calls."""
    async with harness.services.session() as s:
        chat = Chat(telegram_id=person.id, kind="private", name=person.first_name, in_group=True)
        s.add(chat)
        await s.flush()
        for slug in topics:
            topic = (await s.execute(select(Topic).where(Topic.slug == slug))).scalar_one()
            s.add(Subscription(chat_id=chat.id, topic_id=topic.id, created_at=NOW - timedelta(days=30)))
        return chat.id


async def call_seen_long_ago(harness: BotHarness, title: str, days: int = 3) -> int:
    [call_id] = await add_calls(harness, {"title": title, "days": days, "topics": ["helse"]})
    async with harness.services.session() as s:
        call = await s.get(Call, call_id)
        assert call is not None
        call.first_seen_at = NOW - timedelta(days=20)
    return call_id


def shown(calls: list[ApiCall]) -> ApiCall:
    """The last message sent or edited."""
    return [c for c in calls if c.method in ("sendMessage", "editMessageText")][-1]


async def choose(harness: BotHarness, person: Person, language_button: str) -> ApiCall:
    menu = only_message(await harness.send("/sprak", person))
    assert menu.button_texts[:3] == ["✅ Bokmål", "Nynorsk", "English"]
    return shown(await harness.press(menu, language_button, person))


def sent_to(harness: BotHarness, person: Person) -> list[ApiCall]:
    return [c for c in harness.api.calls if c.chat_id == person.id and c.method.startswith(("send", "edit"))]


def leaks(calls: list[ApiCall], language: str) -> list[str]:
    """Bokmål passages of translated texts found in what was sent (texts that skipped the catalogue)."""
    translations = catalogue.load(language)
    found = []
    for message in translations:
        if not isinstance(message.id, str) or not message.string or message.string == message.id:
            continue
        for part in re.split(r"\{[^{}]*\}|<[^>]*>|\n", message.id):
            part = part.strip(" .,:;–-·•()«»!?")
            if len(part) < 14 or part in message.string:
                continue
            for call in calls:
                shown = " ".join([call.text, *call.button_texts])
                if part in shown or html.escape(part) in shown:
                    found.append(f"{part!r} in {call.text[:60]!r}")
    return found


@pytest.mark.parametrize(
    ("person", "how", "lang"),
    [(SOLVEIG, None, "nn"), (JOHN, "English", "en")],
    ids=["nynorsk-from-the-telegram-app", "english-chosen-with-sprak"],
)
async def test_a_member_reads_everything_in_their_language(
    harness: BotHarness, clock: FakeClock, person: Person, how: str | None, lang: str
) -> None:
    await member(harness, person)
    if how is not None:
        done = await choose(harness, person, how)
        assert done.text.startswith("✅ I will write in English from now on.")
        assert done.button_texts[:3] == ["Bokmål", "Nynorsk", "✅ English"]
    call_id = await call_seen_long_ago(harness, "Velferdsteknologi i kommunane")

    frister = only_message(await harness.send("/frister", person)).text
    hjelp = only_message(await harness.send("/hjelp", person)).text
    settings = only_message(await harness.send("/innstillinger", person))
    harness.api.clear()
    async with harness.services.session() as s:
        assert await notify_new_calls(s, harness.services, [call_id]) >= 1
        assert await plan_reminders(s, harness.services) >= 1
    assert await drain(harness, clock) >= 2
    pushes = [c.text for c in harness.api.sent("sendMessage", person.id)]
    new_call = next(t for t in pushes if t.startswith("🆕"))
    reminder = next(t for t in pushes if t.startswith("⏰"))

    harness.api.clear()
    await _announce_to_members(harness)
    await drain(harness, clock)
    announcement = harness.api.last("sendMessage", person.id).text

    if lang == "nn":
        assert frister.startswith("<b>Søknadsfristar</b> · emna dine · neste 60 dagar\n1 frist")
        assert "torsdag 26. november kl. 10.00 · <b>om 3 dagar</b>" in frister
        assert hjelp.startswith("<b>Dette kan eg hjelpe deg med</b>")
        assert "/frister – Komande søknadsfristar" in hjelp
        assert settings.text.startswith("<b>Innstillingar</b>\nVarsel: <b>med ein gong</b>")
        assert "⏰ Påminningar" in settings.button_texts
        assert new_call.startswith("🆕 <b>Ny utlysing</b>")
        assert "Frist: torsdag 26. november kl. 10.00 (om 3 dagar)" in new_call
        assert "Emne: Helse og omsorg" in new_call or "Emne: " in new_call
        assert reminder.startswith("⏰ <b>Påminning: fristen er om 3 dagar</b>")
        assert announcement.startswith("📣 <b>Frå FoUI-koordinatorane</b>\n\n")
    else:
        assert frister.startswith("<b>Application deadlines</b> · your topics · next 60 days\n1 deadline")
        assert "Thursday 26 November at 10:00 · <b>in 3 days</b>" in frister
        assert hjelp.startswith("<b>This is what I can help you with</b>")
        assert "/frister – Upcoming application deadlines" in hjelp
        assert settings.text.startswith("<b>Settings</b>\nNotices: <b>straight away</b>")
        assert "⏰ Reminders" in settings.button_texts
        assert new_call.startswith("🆕 <b>New call</b>")
        assert "Deadline: Thursday 26 November at 10:00 (in 3 days)" in new_call
        assert reminder.startswith("⏰ <b>Reminder: the deadline is in 3 days</b>")
        assert announcement.startswith("📣 <b>From the FoUI coordinators</b>\n\n")
    assert "Viktig" in announcement  # the coordinator's own words are theirs


async def _announce_to_members(harness: BotHarness) -> None:
    await harness.send("/kunngjoring", COORDINATOR)
    question = last_message(await harness.send("Viktig: samling i Steinkjer", COORDINATOR))
    calls = await harness.press(question, texts.BTN_AUD_MEMBERS, COORDINATOR)
    confirm = last_message(calls)
    await harness.press(confirm, texts.BTN_SEND, COORDINATOR)


async def test_nothing_reaches_an_english_member_untranslated(harness: BotHarness, clock: FakeClock) -> None:
    """Every answer and push an English member meets went through the catalogue: no bokmål passage
    of a translated text shows up in what the fake Bot API was asked to send."""
    await member(harness, JOHN)
    await choose(harness, JOHN, "English")
    harness.api.clear()  # from here on, John reads English
    call_id = await call_seen_long_ago(harness, "Velferdsteknologi")
    for command in (
        "/frister",
        "/frister 30",
        "/frister tull",
        "/hjelp",
        "/innstillinger",
        "/sok velferd",
        "/sprak",
    ):
        await harness.send(command, JOHN)
    settings = last_message(await harness.send("/innstillinger", JOHN))
    await harness.press(settings, "⏰ Reminders", JOHN)
    async with harness.services.session() as s:
        await notify_new_calls(s, harness.services, [call_id])
        await plan_reminders(s, harness.services)
    await drain(harness, clock)
    calls = sent_to(harness, JOHN)
    assert len(calls) >= 10
    assert leaks(calls, "en") == []
    with use_language("en"):
        assert leaks(
            [ApiCall("sendMessage", {"chat_id": 1, "text": "Søknadsfrister de neste 14 dagene"})], "en"
        )


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
