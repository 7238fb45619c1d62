"""Bounds (issue 14, point 7): /sok, paging of every list with buttons, grouped notices to the
coordinators, one pending registration per person.

Measured failures: one /sok with 900 words stalled the bot for everyone for 26–34 s, and 1,000
words raised «Expression tree is too large» on SQLite; /kilder with 100 sources sent 101 buttons
(over Telegram's limit); 30 registrations from one person queued 30 notices to every coordinator.
"""

from __future__ import annotations

import html

import pytest

from bot import texts
from storage import deadlines
from tests.coord_helpers import last_message
from tests.fixtures_bot import MEMBER
from tests.members_helpers import add_calls
from tests.support.harness import BotHarness

pytestmark = pytest.mark.filterwarnings("ignore:Ignoring `conversation_timeout`")


async def test_sok_with_a_thousand_words_answers_and_says_it_trimmed(
    harness: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await add_calls(harness, {"title": "Velferdsteknologi i kommunene", "days": 10, "topics": ["helse"]})
    seen: list[list[str]] = []
    real = deadlines.search

    async def spy(session, words, **kw):  # type: ignore[no-untyped-def]
        seen.append(list(words))
        return await real(session, words, **kw)

    monkeypatch.setattr(deadlines, "search", spy)
    words = ["velferdsteknologi"] + [f"ord{i}" for i in range(999)]
    reply = last_message(await harness.send("/sok " + " ".join(words), MEMBER))
    assert reply.text != html.escape(texts.ERROR_GENERIC)
    assert texts.SEARCH_TRIMMED.format(words="8 ord", signs="100 tegn") in reply.text
    assert len(seen) == 1 and len(seen[0]) <= 8 and len(" ".join(seen[0])) <= 100
    # A short search is not trimmed and finds the call.
    reply = last_message(await harness.send("/sok velferdsteknologi kommunene", MEMBER))
    assert "Velferdsteknologi i kommunene" in reply.text and "høyst" not in reply.text


async def test_search_in_storage_is_bounded_whatever_it_is_given(harness: BotHarness) -> None:
    await add_calls(harness, {"title": "Velferdsteknologi", "days": 10})
    async with harness.services.session() as s:
        page = await deadlines.search(s, ["velferd"] * 5000, now=harness.services.now())
    assert page.total == 1


async def _sources(harness: BotHarness, count: int) -> None:
    from storage.models import Source

    async with harness.services.session() as s:
        for i in range(count):
            s.add(Source(name=f"Kilde {i:03d}", kind="rss", url=f"https://example.org/{i}.xml"))


async def test_kilder_with_a_hundred_sources_pages_its_buttons(harness: BotHarness) -> None:
    from tests.fixtures_bot import COORDINATOR

    await _sources(harness, 100)
    reply = last_message(await harness.send("/kilder", COORDINATOR))
    assert len(reply.button_texts) == 10 + 1 + 1  # 10 sources, «Neste», «Legg til kilde»
    assert texts.BTN_NEXT in reply.button_texts and "Side 1 av 11." in reply.text
    calls = await harness.press(reply, texts.BTN_NEXT, COORDINATOR)
    [page2] = [c for c in calls if c.method == "editMessageText"]
    assert "Side 2 av 11." in page2.text and len(page2.button_texts) == 10 + 2 + 1
    assert texts.BTN_PREV in page2.button_texts
    assert not set(reply.button_texts[:10]) & set(page2.button_texts[:10])


async def test_kontakter_pages_ten_contacts_at_a_time(harness: BotHarness) -> None:
    from storage.models import Chat, Registration
    from tests.fixtures_bot import COORDINATOR

    async with harness.services.session() as s:
        for i in range(25):
            chat = Chat(telegram_id=50_000 + i, kind="private", name=f"Kontakt {i:02d}", in_group=True)
            s.add(chat)
            await s.flush()
            s.add(Registration(chat_id=chat.id, municipality="Namsos", role="rådgiver", status="approved"))
    await harness.send("/start", COORDINATOR)
    first = last_message(await harness.send("/kontakter", COORDINATOR))
    assert first.text.startswith(texts.CONTACTS_HEADER.format(count=25) + " Side 1 av 3.")
    assert first.text.count("• Kontakt") == 10 and first.button_texts == [texts.BTN_NEXT]
    calls = await harness.press(first, texts.BTN_NEXT, COORDINATOR)
    [second] = [c for c in calls if c.method == "editMessageText"]
    assert "Side 2 av 3." in second.text and "Kontakt 10" in second.text and "Kontakt 09" not in second.text


async def test_every_list_with_buttons_pages_at_ten(harness: BotHarness) -> None:
    from datetime import timedelta

    from storage.models import Call, Event
    from tests.fixtures_bot import COORDINATOR

    now = harness.services.now()
    async with harness.services.session() as s:
        for i in range(12):
            s.add(Event(title=f"Webinar {i:02d}", starts_at=now + timedelta(days=i + 1), created_at=now))
            s.add(
                Call(
                    key=f"manual:{i}",
                    title=f"Egen frist {i:02d}",
                    manual=True,
                    deadline_at=now + timedelta(days=i + 3),
                    first_seen_at=now,
                    last_changed_at=now,
                )
            )
    await harness.send("/start", MEMBER)
    await harness.send("/varsle " + ", ".join(f"ord{i:02d}" for i in range(15)), MEMBER)
    await harness.send("/start", COORDINATOR)
    for person, command, per_item in (
        (MEMBER, "/arrangementer", "📅"),
        (MEMBER, "/varsle", "❌"),
        (COORDINATOR, "/endrefrist", "Egen frist"),
        (COORDINATOR, "/slettfrist", "Egen frist"),
        (MEMBER, "/registrer", ""),
    ):
        reply = last_message(await harness.send(command, person))
        items = [b for b in reply.button_texts if per_item in b] if per_item else reply.button_texts
        assert len(items) <= 12 and texts.BTN_NEXT in reply.button_texts, (command, reply.button_texts)
        calls = await harness.press(reply, texts.BTN_NEXT, person)
        [page2] = [c for c in calls if c.method == "editMessageText"]
        assert texts.BTN_PREV in page2.button_texts, command
        await harness.send("/avbryt", person)


async def test_thirty_registrations_from_one_person_make_one_notice(harness: BotHarness, clock) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from storage import registry
    from storage.models import Outbox, Registration
    from tests.fixtures_bot import COORDINATOR
    from tests.test_network_e2e import known, register

    await known(harness, COORDINATOR)
    municipalities = ["Trondheim", "Malvik", "Osen", "Frøya", "Hitra", "Orkland"]
    for i in range(30):
        await register(harness, MEMBER, municipalities[i % len(municipalities)], f"rolle {i}")
        clock.advance(seconds=5)  # 150 s: within one notice window
    async with harness.services.session() as s:
        notices = (
            (await s.execute(select(Outbox).where(Outbox.kind == registry.KIND_REGISTRATION))).scalars().all()
        )
        pending = await s.scalar(select(func.count()).select_from(Registration))
    assert pending == 1  # one person, one pending registration
    assert len(notices) == 1
    [notice] = notices
    assert "rolle 29" in notice.payload["text"] and "rolle 28" not in notice.payload["text"]


async def test_new_requests_are_grouped_and_decided_one_by_one(harness: BotHarness, clock) -> None:  # type: ignore[no-untyped-def]
    from bot.push.sender import Sender
    from storage import registry
    from tests.fixtures_bot import COORDINATOR, OTHER
    from tests.support.harness import Person
    from tests.test_network_e2e import join_request, known, queued, register

    await known(harness, COORDINATOR)
    third = Person(id=1010, first_name="Tora", last_name="Tredje", username="tora")
    await register(harness, MEMBER, "Trondheim", "rådgiver")
    await register(harness, OTHER, "Malvik", "kommunalsjef")
    await harness.process(join_request(third))
    [regs] = await queued(harness, COORDINATOR, registry.KIND_REGISTRATION)
    assert regs.payload["text"].startswith(texts.BATCH_HEADER.format(count=2))
    assert "Kari Nordmann" in regs.payload["text"] and "Ola Hansen" in regs.payload["text"]
    assert regs.next_attempt_at > harness.services.now()  # goes out when the window ends
    [joins] = await queued(harness, COORDINATOR, registry.KIND_JOIN_REQUEST)
    assert "Tora Tredje" in joins.payload["text"]

    clock.advance(minutes=3)
    sender = Sender(harness.services, harness.app.bot, worker="test:batch")
    await sender.drain()
    delivered = harness.api.last("sendMessage", COORDINATOR.id)
    if "Kari" not in delivered.text:
        delivered = [c for c in harness.api.sent("sendMessage", COORDINATOR.id) if "Kari" in c.text][-1]
    assert len(delivered.button_texts) == 4
    calls = await harness.press(delivered, f"{texts.REG_APPROVE_BUTTON} Kari", COORDINATOR)
    [edited] = [c for c in calls if c.method == "editMessageText"]
    assert "Kari Nordmann" in edited.text and "Ola Hansen" in edited.text
    assert len(edited.button_texts) == 2 and all("Ola" in b for b in edited.button_texts)
    async with harness.services.session() as s:
        assert (await registry.registration_of(s, MEMBER.id)).status == "approved"  # type: ignore[union-attr]
        assert (await registry.registration_of(s, OTHER.id)).status == "pending"  # type: ignore[union-attr]


def test_counts_read_as_norwegian() -> None:
    assert texts.days(1) == "1 dag" and texts.days(2) == "2 dager"
    assert texts.topics_count(1) == "1 emne" and texts.topics_count(3) == "3 emner"
    assert texts.deadlines_count(1) == "1 frist" and texts.warnings_count(1) == "1 advarsel"
    assert texts.registrations_count(1) == "1 registrering"
    assert "De 0" not in texts.EVENT_CANCEL_CONFIRM.format(title="x", count=texts.cancel_will_tell(0))
    assert (
        texts.cancel_told(1) == "1 påmeldt får beskjed." and texts.cancel_told(2) == "2 påmeldte får beskjed."
    )
    for template, value in (
        (texts.WELCOME_BACK, {"name": "Kari", "count": texts.topics_count(1)}),
        (texts.CALENDAR_CAPTION, {"count": texts.deadlines_count(1), "scope": "x"}),
    ):
        rendered = template.format(**value)
        assert "1 emner" not in rendered and "1 frister" not in rendered
