"""/frister end to end: the real Application against the fake Bot API, calls inserted directly."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot import texts
from tests.fixtures_bot import MEMBER, OTHER
from tests.members_helpers import add_calls, chat_row, messages, only_message
from tests.support.harness import GROUP_ID, BotHarness

# The harness clock: Monday 23 November 2026, 09:00 UTC (10:00 in Oslo).
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
async def h(harness: BotHarness) -> AsyncIterator[BotHarness]:
    yield harness
    errors = [c for c in harness.api.calls if c.text == html.escape(texts.ERROR_GENERIC)]
    assert not errors, "a handler failed: the person was told something went wrong"


async def test_private_without_topics_shows_all_with_a_hint(h: BotHarness) -> None:
    await add_calls(
        h,
        {"title": "Helseutlysning", "days": 4, "topics": ["helse"]},
        {"title": "Klimautlysning", "days": 2, "topics": ["klima"]},
    )
    reply = only_message(await h.send("/frister", MEMBER))
    assert reply.chat_id == MEMBER.id
    assert texts.FRISTER_NO_TOPICS_HINT in reply.text
    assert reply.text.index("Klimautlysning") < reply.text.index("Helseutlysning")  # soonest first
    assert texts.BTN_PICK_TOPICS in reply.button_texts
    assert reply.params["link_preview_options"]["is_disabled"] is True


async def test_private_shows_the_members_topics_only(h: BotHarness) -> None:
    await add_calls(
        h,
        {"title": "Helseutlysning", "days": 4, "topics": ["helse"]},
        {"title": "Klimautlysning", "days": 2, "topics": ["klima"]},
    )
    await h.send("/abonner helse", MEMBER)
    reply = only_message(await h.send("/frister", MEMBER))
    assert "Helseutlysning" in reply.text
    assert "Klimautlysning" not in reply.text
    assert texts.FRISTER_SCOPE_MINE in reply.text
    assert texts.FRISTER_NO_TOPICS_HINT not in reply.text


async def test_group_shows_all_topics_and_answers_the_command_with_the_bots_name(h: BotHarness) -> None:
    await add_calls(
        h,
        {"title": "Helseutlysning", "days": 4, "topics": ["helse"]},
        {"title": "Uten emne", "days": 5},
    )
    await h.send("/abonner helse", MEMBER)  # a private subscription does not narrow the group's list
    reply = only_message(await h.send(f"/frister@{h.bot_username}", MEMBER, group=True))
    assert reply.chat_id == GROUP_ID
    assert "Helseutlysning" in reply.text and "Uten emne" in reply.text
    assert texts.FRISTER_SCOPE_ALL in reply.text
    assert reply.params["reply_parameters"]["allow_sending_without_reply"] is True


async def test_item_layout_weeks_dates_days_left_and_topics(h: BotHarness) -> None:
    oslo_13 = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)  # Friday 27 Nov 13:00 in Oslo
    await add_calls(
        h,
        {"title": "Med klokkeslett", "deadline": oslo_13, "topics": ["helse", "klima"]},
        {
            "title": "Uten klokkeslett",
            "deadline": datetime(2026, 12, 2, 23, 0, tzinfo=UTC),
            "has_time": False,
        },
        {"title": "Om tre uker", "days": 21, "source": "RFF Trøndelag", "url": "https://rff.no/a?b=1&c=2"},
    )
    text = only_message(await h.send("/frister alle", MEMBER)).text
    assert f"<b>{texts.FRISTER_THIS_WEEK}</b>" in text
    assert f"<b>{texts.FRISTER_NEXT_WEEK}</b>" in text
    assert "<b>Uke 51 · 14.–20. desember</b>" in text
    assert "fredag 27. november kl. 13:00 · <b>om 4 dager</b>" in text
    assert "torsdag 3. desember · <b>om 10 dager</b>" in text  # 23:00 UTC is the next day in Oslo
    topics = ["Helse, omsorg og velferdsteknologi", "Klima, miljø og beredskap"]
    assert f"<i>{texts.FRISTER_TOPICS_SEPARATOR.join(topics)}</i>" in text  # names hold commas
    assert '<a href="https://rff.no/a?b=1&amp;c=2">Om tre uker</a>' in text
    assert "RFF Trøndelag · " in text


async def test_html_in_titles_and_sources_is_escaped(h: BotHarness) -> None:
    await add_calls(
        h, {"title": "<script>alert(1)</script> & <b>Co</b>", "days": 3, "source": "A&B <i>kilde</i>"}
    )
    text = only_message(await h.send("/frister", MEMBER)).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;Co&lt;/b&gt;" in text
    assert "<script>" not in text and "<i>kilde</i>" not in text
    assert "A&amp;B &lt;i&gt;kilde&lt;/i&gt;" in text


async def test_rolling_calls_get_a_short_section_of_their_own(h: BotHarness) -> None:
    await add_calls(
        h,
        {"title": "Fast frist", "days": 3},
        *({"title": f"Løpende {i}", "rolling": True, "status": "rolling"} for i in range(7)),
    )
    text = only_message(await h.send("/frister", MEMBER)).text
    assert texts.FRISTER_ROLLING_HEADER in text
    assert text.index("Fast frist") < text.index(texts.FRISTER_ROLLING_HEADER)
    assert texts.FRISTER_ROLLING_MORE.format(count=2) in text
    assert text.count("• ") == 5


async def test_rolling_calls_do_not_repeat_a_source_their_title_already_names(h: BotHarness) -> None:
    fylket, rff = "Trøndelag fylkeskommune", "Regionale forskningsfond Trøndelag"
    await add_calls(
        h,
        {"title": f"Regionale utviklingsmidler ({fylket})", "rolling": True, "source": fylket},
        {"title": "DistriktForsk Forprosjekt (RFF Trøndelag)", "rolling": True, "source": rff},
        {"title": "Innovasjonsprosjekt", "rolling": True, "source": "Forskningsrådet", "url": None},
    )
    text = only_message(await h.send("/frister", MEMBER)).text
    assert f"({fylket}) ({fylket})" not in text and text.count(fylket) == 1
    assert rff not in text
    other = texts.FRISTER_ROLLING_SOURCE.format(source="Forskningsrådet")
    assert texts.FRISTER_ROLLING_ITEM.format(title="<b>Innovasjonsprosjekt</b>", source=other) in text


async def test_window_past_closed_and_today_without_time(h: BotHarness) -> None:
    await add_calls(
        h,
        {"title": "Utløpt", "days": -1},
        {"title": "Stengt", "days": 5, "status": "closed"},
        {"title": "Fjernet", "days": 5, "status": "removed"},
        {"title": "Langt fram", "days": 90},
        # Today, no time of day (stored as midnight in Oslo): still open all day.
        {"title": "I dag", "deadline": datetime(2026, 11, 22, 23, 0, tzinfo=UTC), "has_time": False},
        {"title": "Tidligere i dag", "deadline": NOW - timedelta(hours=1)},
    )
    text = only_message(await h.send("/frister", MEMBER)).text
    assert "I dag" in text and "<b>i dag</b>" in text
    for gone in ("Utløpt", "Stengt", "Fjernet", "Langt fram", "Tidligere i dag"):
        assert gone not in text
    everything = only_message(await h.send("/frister alle", MEMBER)).text
    assert "Langt fram" in everything and texts.FRISTER_WINDOW_ALL in everything
    ninety = only_message(await h.send("/frister 100 dager", MEMBER)).text
    assert "Langt fram" in ninety and texts.FRISTER_WINDOW_DAYS.format(days=100) in ninety


@pytest.mark.parametrize(
    ("args", "present", "absent"),
    [
        ("helse", "Helse A", "Klima B"),
        ("HELSE", "Helse A", "Klima B"),
        ("velferdsteknologi", "Helse A", "Klima B"),
        ("klma", "Klima B", "Helse A"),  # a near-miss
        ("forskningsrådet", "Helse A", "Klima B"),
        ("rff", "Klima B", "Helse A"),
        ("forskningsradet", "Helse A", "Klima B"),
        ("Forskningsrådet helse", "Helse A", "Klima B"),
        ("regionale forskningsfond", "Klima B", "Helse A"),
        ("klima 10", "Klima B", "Klima C"),
        ("10 klima", "Klima B", "Klima C"),
    ],
)
async def test_arguments_topic_source_days(h: BotHarness, args: str, present: str, absent: str) -> None:
    await add_calls(
        h,
        {"title": "Helse A", "days": 3, "topics": ["helse"], "source": "Forskningsrådet"},
        {"title": "Klima B", "days": 5, "topics": ["klima"], "source": "Regionale forskningsfond"},
        {"title": "Klima C", "days": 30, "topics": ["klima"], "source": "Regionale forskningsfond"},
    )
    text = only_message(await h.send(f"/frister {args}", MEMBER)).text
    assert present in text
    assert absent not in text


async def test_an_argument_not_understood_lists_the_valid_choices(h: BotHarness) -> None:
    await add_calls(h, {"title": "Noe", "days": 3, "source": "Forskningsrådet"})
    reply = only_message(await h.send("/frister <banan>", MEMBER))
    assert reply.text.startswith("Jeg forstod ikke «&lt;banan&gt;»")
    assert "<code>helse</code>" in reply.text and "Forskningsrådet" in reply.text
    assert "<code>næring</code>" in reply.text and "naering" not in reply.text  # readable, not slugs
    assert "/frister alle" in reply.text


@pytest.mark.parametrize("days", ["0", "99999", "-5", "−5", "3651", "99999999999999999999", "-30dager"])
async def test_days_out_of_range(h: BotHarness, days: str) -> None:
    reply = only_message(await h.send(f"/frister {days}", MEMBER))
    assert reply.text == texts.FRISTER_BAD_DAYS.format(max=3650)


async def test_nothing_matches_says_so_with_buttons_to_widen(h: BotHarness) -> None:
    await add_calls(h, {"title": "Langt fram", "days": 200})
    reply = only_message(await h.send("/frister 30", MEMBER))
    assert reply.text.startswith(
        texts.FRISTER_NONE.format(scope=texts.FRISTER_SCOPE_ALL, window="neste 30 dager")
    )
    assert reply.button_texts == [texts.BTN_ALL_DEADLINES, texts.BTN_PICK_TOPICS]
    calls = await h.press(reply, texts.BTN_ALL_DEADLINES, MEMBER)
    assert messages(calls, "answerCallbackQuery")
    edited = only_message(calls, "editMessageText")
    assert "Langt fram" in edited.text
    picker = await h.press(reply, texts.BTN_PICK_TOPICS, MEMBER)
    assert texts.TOPIC_OFF.format(name="Oppvekst og utdanning") in only_message(picker).button_texts


async def test_paging_with_buttons(h: BotHarness) -> None:
    await add_calls(
        h, *({"title": f"Utlysning nr {i:02d}", "days": i + 1, "topics": ["helse"]} for i in range(20))
    )
    await h.send("/abonner helse", MEMBER)
    first = only_message(await h.send("/frister", MEMBER))
    assert "1 av 3" in first.text
    assert first.button_texts == [texts.BTN_NEXT, texts.BTN_TIMELINE]
    assert "Utlysning nr 07" in first.text and "Utlysning nr 08" not in first.text

    calls = await h.press(first, texts.BTN_NEXT, MEMBER)
    assert [c.method for c in calls if c.method != "getChatAdministrators"] == [
        "answerCallbackQuery",
        "editMessageText",
    ]
    second = only_message(calls, "editMessageText")
    assert "2 av 3" in second.text
    assert "Utlysning nr 08" in second.text and "Utlysning nr 07" not in second.text
    assert second.button_texts == [texts.BTN_PREV, texts.BTN_NEXT, texts.BTN_TIMELINE]
    assert second.params["chat_id"] == MEMBER.id and second.params["parse_mode"] == "HTML"

    third = only_message(await h.press(second, texts.BTN_NEXT, MEMBER), "editMessageText")
    assert "Utlysning nr 19" in third.text and third.button_texts == [texts.BTN_PREV, texts.BTN_TIMELINE]
    back = only_message(await h.press(third, texts.BTN_PREV, MEMBER), "editMessageText")
    assert "2 av 3" in back.text


async def test_paging_in_the_group(h: BotHarness) -> None:
    await add_calls(h, *({"title": f"Utlysning nr {i:02d}", "days": i + 1} for i in range(10)))
    first = only_message(await h.send("/frister", OTHER, group=True))
    second = only_message(await h.press(first, texts.BTN_NEXT, OTHER), "editMessageText")
    assert second.chat_id == GROUP_ID and "Utlysning nr 09" in second.text


async def test_a_stale_button_gets_a_clear_answer(h: BotHarness) -> None:
    calls = await h.press_data("fr:0:a:0:deadbeef", MEMBER)
    answer = messages(calls, "answerCallbackQuery")[0]
    assert answer.params["text"] == texts.FRISTER_EXPIRED
    assert answer.params["show_alert"] is True


async def test_very_long_titles_never_exceed_telegrams_limit(h: BotHarness) -> None:
    long_title = "Å" * 900 + " & <tagg>"
    long_url = "https://example.org/" + "x" * 1900
    await add_calls(
        h,
        *(
            {"title": f"{i} {long_title}", "days": i + 1, "url": long_url if i % 2 else "https://a.no/"}
            for i in range(12)
        ),
        *({"title": f"R {i} {long_title}", "rolling": True} for i in range(6)),
    )
    calls = await h.send("/frister", MEMBER)
    for call in messages(calls):
        assert len(call.text) <= 4096
    assert messages(calls)


async def test_a_person_who_blocked_the_bot_is_logged_not_crashed(
    h: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    await add_calls(h, {"title": "Noe", "days": 3})
    await h.send("/start", MEMBER)
    h.api.fail(
        "sendMessage", chat_id=MEMBER.id, error_code=403, description="Forbidden: bot was blocked by the user"
    )
    calls = await h.send("/frister", MEMBER)
    assert [c.method for c in calls] == ["sendMessage"]  # tried once, no error message afterwards
    assert "cannot be reached" in caplog.text
    chat = await chat_row(h, MEMBER.id)
    assert chat is not None and chat.active is False
    # Writing again (after unblocking) makes the chat active again.
    only_message(await h.send("/frister", MEMBER))
    chat = await chat_row(h, MEMBER.id)
    assert chat is not None and chat.active is True and chat.inactive_reason is None
