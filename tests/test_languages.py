"""Nynorsk and English: the catalogues, the language per person and per group, and every answer and
push a member meets in their language (end to end against the fake Bot API)."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot import texts
from bot.push.fanout import notify_new_calls
from bot.push.plan import plan_reminders
from bot.texts import catalogue
from bot.texts.i18n import language_of_code, use_language
from storage.models import Call, Chat, Subscription, Topic
from tests.coord_helpers import drain, last_message
from tests.fixtures_bot import COORDINATOR
from tests.members_helpers import add_calls, only_message
from tests.support.fakebot import ApiCall
from tests.support.harness import BotHarness, FakeClock, Person

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
        assert texts.format_day_range(date(2026, 12, 28), date(2027, 1, 3), year=True) == (
            "28 December–3 January 2027"
        )
    assert texts.format_day_range(date(2026, 3, 16), date(2026, 3, 22)) == "16.–22. mars"
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
