"""/frister's cache the first time a member asks and for its paging buttons (issue 18): a member's view
read in one query, an answer shared by members with the same topics and language, pages from the
same cache, and never a stale page after a change or a deadline passing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from bot import texts
from bot.poll.conditions import read_calls
from handlers.frister_cache import MAX_AGE, frister_cache
from storage.conditions import set_only_eligible
from storage.models import Call, Chat
from tests.members_helpers import add_calls, messages, only_message
from tests.support.harness import BotHarness, FakeClock, Person
from tests.test_frister_cache import counting

ASTRID = Person(id=5001, first_name="Astrid", username=None)
BJORN = Person(id=5002, first_name="Bjørn", username=None)
NILS = Person(id=5003, first_name="Nils", username=None, language_code="nn")
EMMA = Person(id=5004, first_name="Emma", username=None, language_code="en")


@pytest.fixture
def h(harness: BotHarness) -> BotHarness:
    return harness


VIEW_TABLES = ("subscriptions", "apply_preferences", "registrations")


def hits(h: BotHarness) -> int:
    return frister_cache(h.services.extras).hits


def page_data(message: Any, page: int) -> str:
    """The callback data of the paging button to ``page`` (0-based) under a /frister answer."""
    for row in message.buttons:
        for button in row:
            if str(button.get("callback_data", "")).startswith(f"fr:{page}:"):
                return str(button["callback_data"])
    raise AssertionError(f"no button to page {page}: {message.buttons}")


async def page(h: BotHarness, message: Any, number: int, person: Person) -> Any:
    return only_message(await h.press_data(page_data(message, number), person, message), "editMessageText")


async def frister(h: BotHarness, person: Person, text: str = "/frister") -> Any:
    return only_message(await h.send(text, person))


async def twelve(h: BotHarness, topics: list[str] | None = None) -> None:
    await add_calls(
        h, *({"title": f"Utlysning nr {i:02d}", "days": i + 1, "topics": topics or []} for i in range(12))
    )


async def test_a_member_with_the_same_topics_gets_the_same_answer_after_one_view_query(
    h: BotHarness,
) -> None:
    await add_calls(h, {"title": "Helse", "days": 4, "topics": ["helse"]}, {"title": "Klima", "days": 5})
    for person in (ASTRID, BJORN):
        await h.send("/abonner helse", person)
    first = await frister(h, ASTRID)
    before = hits(h)
    with counting(h) as statements:
        second = await frister(h, BJORN)
    assert hits(h) == before + 1 and second.text == first.text and "Klima" not in second.text
    view = [s for s in statements if any(t in s for t in VIEW_TABLES)]
    assert len(view) == 1, view  # their chat, topics and setting in one query
    assert not [s for s in statements if "FROM calls" in s]


async def test_members_get_their_own_language_from_the_cache(h: BotHarness) -> None:
    await twelve(h, ["helse"])
    for person in (ASTRID, NILS, EMMA):
        await h.send("/abonner helse", person)
    cached = {}
    for person in (ASTRID, NILS, EMMA, ASTRID, NILS, EMMA):
        message = await frister(h, person)
        cached[person.id] = (message.text, (await page(h, message, 1, person)).text)
    for person in (ASTRID, NILS, EMMA):
        h.services.extras.pop("frister_cache")
        message = await frister(h, person)
        assert cached[person.id] == (message.text, (await page(h, message, 1, person)).text)
    assert len({text for text, _ in cached.values()}) == 3
    assert len({second for _, second in cached.values()}) == 3


async def test_a_paging_button_is_answered_from_the_cache(h: BotHarness) -> None:
    await twelve(h)
    message = await frister(h, ASTRID)
    second = await page(h, message, 1, ASTRID)
    assert "Utlysning nr 09" in second.text
    before = hits(h)
    with counting(h) as statements:
        again = await page(h, message, 1, ASTRID)
    assert hits(h) == before + 1 and again.text == second.text
    assert again.button_texts == second.button_texts
    assert not [s for s in statements if "FROM calls" in s]
    back = await page(h, second, 0, ASTRID)  # the first page by its button: no expected rounds
    assert "Utlysning nr 00" in back.text


async def test_a_call_added_after_the_first_page_shows_on_the_next(h: BotHarness) -> None:
    await twelve(h)
    message = await frister(h, ASTRID)
    await page(h, message, 1, ASTRID)  # page 2 kept in the cache
    await add_calls(h, {"title": "Kom etterpå", "days": 10.5})
    second = await page(h, message, 1, ASTRID)
    assert "Kom etterpå" in second.text and "13 frister" in second.text


async def test_a_moved_deadline_shows_on_the_next_page(h: BotHarness) -> None:
    [moved, *_] = await add_calls(h, *({"title": f"Utlysning nr {i:02d}", "days": i + 1} for i in range(12)))
    message = await frister(h, ASTRID)
    assert "Utlysning nr 00" not in (await page(h, message, 1, ASTRID)).text
    async with h.services.session() as session:  # a bulk statement, as the poll writes
        later = h.services.now() + timedelta(days=30)
        await session.execute(update(Call).where(Call.id == moved).values(deadline_at=later))
    assert "Utlysning nr 00" in (await page(h, message, 1, ASTRID)).text


async def test_a_topic_change_shows_on_the_next_page(h: BotHarness) -> None:
    await twelve(h, ["helse"])
    await add_calls(h, {"title": "Klimautlysning", "days": 10.5, "topics": ["klima"]})
    await h.send("/abonner helse", ASTRID)
    message = await frister(h, ASTRID)
    assert "Klimautlysning" not in (await page(h, message, 1, ASTRID)).text
    await h.send("/abonner klima", ASTRID)
    assert "Klimautlysning" in (await page(h, message, 1, ASTRID)).text


async def test_a_deadline_passing_on_the_first_page_moves_the_second(h: BotHarness, clock: FakeClock) -> None:
    now = h.services.now()
    await add_calls(
        h,
        {"title": "Om en time", "deadline": now + timedelta(hours=1)},
        *({"title": f"Utlysning nr {i:02d}", "days": i + 1} for i in range(9)),
    )
    message = await frister(h, ASTRID)
    second = await page(h, message, 1, ASTRID)
    assert "Utlysning nr 07" in second.text and "10 frister" in second.text
    clock.advance(hours=1, minutes=1)
    moved = await page(h, message, 1, ASTRID)  # «Om en time» has passed: nr 07 is on the first page
    assert "Utlysning nr 07" not in moved.text and "9 frister" in moved.text


async def test_forged_paging_data_is_refused_with_the_cache_warm(h: BotHarness) -> None:
    await twelve(h)
    message = await frister(h, ASTRID)
    await page(h, message, 1, ASTRID)
    for data in ("fr:1:t999999:0:", "fr:1:m:0:deadbeef", "fr:x:m:0:", "fr:1:q:0:", "fr:1:tx:0:"):
        calls = await h.press_data(data, ASTRID)  # past the button guard: the handler decides
        answers = messages(calls, "answerCallbackQuery")
        assert answers and answers[0].params["text"] == texts.FRISTER_EXPIRED, (data, calls)
        assert not messages(calls, "editMessageText")


LAG = "Tilskudd gis til lag og organisasjoner."  # read as not for municipalities
KOMMUNER = "Hvem kan søke: Kommuner"


async def mixed_calls(h: BotHarness) -> None:
    """Calls of every kind /frister tells apart: timed and whole-day, passed earlier today, past the
    window, rolling, planned, closed, other sources, topics, readings for and not for municipalities."""
    now = h.services.now()
    specs: list[dict[str, Any]] = [
        {"title": "Gikk ut i morges", "deadline": now - timedelta(hours=2)},
        {"title": "Hele dagen i dag", "deadline": now - timedelta(hours=2), "has_time": False},
        {"title": "Stengt", "days": 3, "status": "closed"},
        {"title": "Planlagt", "days": 4, "status": "planned", "topics": ["helse"]},
        {"title": "Langt fram", "days": 200, "topics": ["helse"]},
        {"title": "Løpende lag", "rolling": True, "status": "rolling", "summary": LAG, "topics": ["helse"]},
        {"title": "Løpende kommune", "rolling": True, "summary": KOMMUNER},
    ]
    for i in range(14):
        specs.append(
            {
                "title": f"Utlysning {i:02d}",
                "days": 2 * i + 1,
                "has_time": i % 3 != 0,
                "topics": [["helse"], ["klima"], ["helse", "klima"], []][i % 4],
                "source": "Kommunen" if i % 5 == 0 else "Forskningsrådet",
                "summary": LAG if i % 4 == 1 else KOMMUNER,
            }
        )
    await add_calls(h, *specs)
    async with h.services.session() as session:
        calls = list((await session.execute(select(Call))).scalars())
        await read_calls(session, calls, h.services)


async def test_a_new_topic_set_is_picked_from_memory_and_reads_as_from_the_database(
    h: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await mixed_calls(h)
    await h.send("/abonner helse", ASTRID)
    await h.send("/abonner klima", BJORN)
    await h.send("/abonner helse", NILS)
    await h.send("/abonner klima", NILS)
    async with h.services.session() as session:
        chat_id = (await session.execute(select(Chat.id).where(Chat.telegram_id == NILS.id))).scalar_one()
        await set_only_eligible(session, chat_id, True, h.services.now())
    asks = [
        (ASTRID, "/frister", False),
        (BJORN, "/frister", False),
        (NILS, "/frister", False),
        (NILS, "/frister alle 30", False),
        (NILS, "/frister 10", False),
        (BJORN, "/frister kommunen", False),
        (EMMA, "/frister", False),
        (ASTRID, "/frister", True),
        (BJORN, "/frister klima", False),
        (ASTRID, "/frister alle", False),
    ]

    async def answers() -> list[tuple[str, list[str], str]]:
        found = []
        for person, text, group in asks:
            message = only_message(await h.send(text, person, group=group))
            second = ""
            if any(
                str(b.get("callback_data", "")).startswith("fr:1:") for row in message.buttons for b in row
            ):
                second = (await page(h, message, 1, person)).text
            found.append((message.text, message.button_texts, second))
        return found

    await frister(h, ASTRID)  # the calls the default window lists, read once
    with counting(h) as statements:
        await frister(h, BJORN)  # a topic set not asked for yet
    assert not [s for s in statements if "FROM calls" in s]
    picked = await answers()
    monkeypatch.setattr("handlers.frister.MAX_LISTABLE", -1)  # too many to keep: every page read
    h.services.extras.pop("frister_cache")
    read = await answers()
    assert picked == read
    assert any(second for *_, second in read)  # some pages to turn
    assert any("Planlagt" in text for text, *_ in read) and not any("Stengt" in text for text, *_ in read)


async def test_the_calls_in_memory_are_read_afresh_after_max_age(h: BotHarness, clock: FakeClock) -> None:
    [fixed] = await add_calls(h, {"title": "Skrivefeil", "days": 4, "topics": ["helse", "klima"]})
    await h.send("/abonner helse", ASTRID)
    await h.send("/abonner klima", BJORN)
    assert "Skrivefeil" in (await frister(h, ASTRID)).text
    async with h.services.engine.begin() as conn:  # a hand-made fix, around the sessions: no bump
        await conn.execute(update(Call).where(Call.id == fixed).values(title="Rettet"))
    clock.advance(seconds=MAX_AGE.total_seconds())
    assert "Rettet" in (await frister(h, BJORN)).text  # a topic set not asked for yet
