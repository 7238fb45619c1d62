"""/sok and /kalender end to end."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from icalendar import Calendar

from bot import texts
from tests.fixtures_bot import MEMBER, OTHER
from tests.members_helpers import add_calls, chat_row, messages, only_message
from tests.support.fakebot import ApiCall
from tests.support.harness import GROUP_ID, BotHarness, FakeClock


@pytest.fixture
async def h(harness: BotHarness) -> AsyncIterator[BotHarness]:
    yield harness
    errors = [c for c in harness.api.calls if c.text == html.escape(texts.ERROR_GENERIC)]
    assert not errors, "a handler failed: the person was told something went wrong"


async def test_search_finds_open_and_past_calls_open_first(h: BotHarness) -> None:
    await add_calls(
        h,
        {"title": "Velferdsteknologi i kommunene 2024", "days": -300, "status": "closed"},
        {"title": "Velferdsteknologi løpende", "rolling": True, "status": "rolling"},
        {"title": "Helse og velferdsteknologi", "days": 10},
        {"title": "Noe annet", "days": 3, "summary": "Om VELFERDSTEKNOLOGI i omsorg"},
        {"title": "Klima", "days": 3},
        {"title": "Fjernet velferdsteknologi", "days": 3, "status": "removed"},
    )
    reply = only_message(await h.send("/sok velferdsteknologi", MEMBER))
    text = reply.text
    assert text.startswith(texts.SEARCH_HEADER.format(query="velferdsteknologi", count="4 treff"))
    order = [text.index(t) for t in ("Noe annet", "Helse og velferd", "Velferdsteknologi løpende", "2024")]
    assert order == sorted(order)
    assert texts.SEARCH_ROLLING in text
    assert "Stengt · fristen var" in text
    assert "Klima" not in text and "Fjernet" not in text


async def test_search_several_words_all_must_match(h: BotHarness) -> None:
    await add_calls(h, {"title": "Helse i distriktet", "days": 3}, {"title": "Helse i byen", "days": 4})
    text = only_message(await h.send("/sok helse distrikt", MEMBER)).text
    assert "distriktet" in text and "byen" not in text


async def test_search_in_the_group(h: BotHarness) -> None:
    await add_calls(h, {"title": "Helse i distriktet", "days": 3})
    reply = only_message(await h.send("/sok helse", OTHER, group=True))
    assert reply.chat_id == GROUP_ID and "Helse i distriktet" in reply.text


async def test_search_missing_short_none_and_escaping(h: BotHarness) -> None:
    assert only_message(await h.send("/sok", MEMBER)).text == texts.SEARCH_USAGE
    assert only_message(await h.send("/sok x", MEMBER)).text == texts.SEARCH_TOO_SHORT.format(min=2)
    none = only_message(await h.send("/sok <b>%_</b>", MEMBER))
    assert none.text == texts.SEARCH_NONE.format(query="&lt;b&gt;%_&lt;/b&gt;")


async def test_search_shows_at_most_ten(h: BotHarness) -> None:
    await add_calls(h, *({"title": f"Innovasjon {i}", "days": i + 1} for i in range(14)))
    text = only_message(await h.send("/sok innovasjon", MEMBER)).text
    assert "14 treff" in text and texts.SEARCH_SHOWING.format(shown=10) in text
    assert "Innovasjon 9<" in text and "Innovasjon 10<" not in text


# ---- /kalender -------------------------------------------------------------------------------


def calendar_of(call: ApiCall) -> Calendar:
    files = call.files
    assert files, "no file sent"
    name, content = next(iter(files.values()))
    assert name == texts.CALENDAR_FILENAME
    return Calendar.from_ical(content)


async def test_calendar_has_the_members_deadlines(h: BotHarness) -> None:
    await add_calls(
        h,
        {"title": "Helse <1>", "days": 5, "topics": ["helse"]},
        {
            "title": "Helse dato",
            "deadline": datetime(2026, 12, 9, 23, 0, tzinfo=UTC),
            "has_time": False,
            "topics": ["helse"],
        },
        {"title": "Klima", "days": 5, "topics": ["klima"]},
        {"title": "Utløpt", "days": -5, "topics": ["helse"]},
        {"title": "Løpende", "rolling": True, "topics": ["helse"]},
    )
    await h.send("/abonner helse", MEMBER)
    calls = await h.send("/kalender", MEMBER)
    document = only_message(calls, "sendDocument")
    assert (
        document.params["caption"]
        == texts.CALENDAR_CAPTION.format(count="2 frister", scope=texts.CALENDAR_SCOPE_MINE)
        + "\n\n"
        + texts.CALENDAR_SUB_OFF
    )
    events = calendar_of(document).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Frist: Helse <1>", "Frist: Helse dato"]
    assert str(events[1]["DTSTART"].to_ical().decode()) == "20261210"  # the Oslo date


async def test_calendar_without_topics_has_all_and_in_group_the_groups(h: BotHarness) -> None:
    await add_calls(
        h,
        {"title": "Helse", "days": 5, "topics": ["helse"]},
        {"title": "Klima", "days": 6, "topics": ["klima"]},
    )
    everything = only_message(await h.send("/kalender", MEMBER), "sendDocument")
    assert everything.params["caption"].startswith(
        texts.CALENDAR_CAPTION.format(count="2 frister", scope=texts.CALENDAR_SCOPE_ALL)
    )
    h.api.set_admins(GROUP_ID, [OTHER.id])
    await h.send("/abonner klima", OTHER, group=True)
    group = only_message(await h.send("/kalender", MEMBER, group=True), "sendDocument")
    assert group.chat_id == GROUP_ID
    assert group.params["caption"].startswith(
        texts.CALENDAR_CAPTION.format(count="1 frist", scope=texts.CALENDAR_SCOPE_GROUP)
    )


async def test_calendar_with_nothing_says_so(h: BotHarness) -> None:
    reply = only_message(await h.send("/kalender", MEMBER))
    assert (
        reply.text
        == texts.CALENDAR_NONE.format(scope=texts.CALENDAR_SCOPE_ALL) + "\n\n" + texts.CALENDAR_SUB_OFF
    )
    assert not messages(h.api.calls, "sendDocument")


async def test_calendar_to_a_person_who_blocked_the_bot(h: BotHarness) -> None:
    await add_calls(h, {"title": "Helse", "days": 5})
    await h.send("/start", MEMBER)
    h.api.fail(
        "sendDocument",
        chat_id=MEMBER.id,
        error_code=403,
        description="Forbidden: bot was blocked by the user",
    )
    calls = await h.send("/kalender", MEMBER)
    assert [c.method for c in calls] == ["sendDocument"]
    chat = await chat_row(h, MEMBER.id)
    assert chat is not None and not chat.active


async def test_days_left_follow_the_clock(h: BotHarness, clock: FakeClock) -> None:
    await add_calls(h, {"title": "Snart", "days": 3})
    clock.advance(days=2)
    assert "<b>i morgen</b>" in only_message(await h.send("/frister", MEMBER)).text
    clock.advance(days=1, hours=1)
    text = only_message(await h.send("/frister", MEMBER)).text
    assert "Snart" not in text


async def test_search_matches_norwegian_letters_in_any_case(h: BotHarness) -> None:
    await add_calls(h, {"title": "Prosjektskjønn – fornying og innovasjon", "days": 6})
    for query in ("skjønn", "SKJØNN"):
        text = only_message(await h.send(f"/sok {query}", MEMBER)).text
        assert text.startswith(texts.SEARCH_HEADER.format(query=query, count=texts.search_count(1))), text
