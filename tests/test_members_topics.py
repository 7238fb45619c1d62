"""/emner, /abonner, /avslutt and /varsle end to end, in private and in the group."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator

import pytest

from bot import texts
from tests.fixtures_bot import COORDINATOR, MEMBER, OTHER
from tests.members_helpers import chat_row, messages, only_message
from tests.support.harness import GROUP_ID, BotHarness

HELSE = "Helse, omsorg og velferdsteknologi"


@pytest.fixture
async def h(harness: BotHarness) -> AsyncIterator[BotHarness]:
    yield harness
    errors = [c for c in harness.api.calls if c.text == html.escape(texts.ERROR_GENERIC)]
    assert not errors, "a handler failed: the person was told something went wrong"


async def subscribed(h: BotHarness, telegram_id: int) -> list[str]:
    from storage import members

    chat = await chat_row(h, telegram_id)
    assert chat is not None
    async with h.services.session() as session:
        return [t.slug for t in await members.subscribed_topics(session, chat.id)]


async def test_topic_picker_toggles_all_none_and_done(h: BotHarness) -> None:
    reply = only_message(await h.send("/emner", MEMBER))
    assert reply.text == texts.TOPICS_PRIVATE
    assert len(reply.buttons) == 12  # ten topics, all/none, done

    calls = await h.press(reply, "Klima", MEMBER)
    assert messages(calls, "answerCallbackQuery")[0].params["text"] == texts.TOPIC_TOGGLED_ON.format(
        name="Klima, miljø og beredskap"
    )
    edited = messages(calls, "editMessageReplyMarkup")[0]
    assert texts.TOPIC_ON.format(name="Klima, miljø og beredskap") in edited.button_texts
    assert await subscribed(h, MEMBER.id) == ["klima"]

    calls = await h.press(edited, "Klima", MEMBER)
    assert messages(calls, "answerCallbackQuery")[0].params["text"] == texts.TOPIC_TOGGLED_OFF.format(
        name="Klima, miljø og beredskap"
    )
    assert await subscribed(h, MEMBER.id) == []

    edited = messages(await h.press(reply, texts.BTN_TOPICS_ALL, MEMBER), "editMessageReplyMarkup")[0]
    assert all(t.startswith("✅") for t in edited.button_texts[:10])
    assert len(await subscribed(h, MEMBER.id)) == 10
    edited = messages(await h.press(reply, texts.BTN_TOPICS_NONE, MEMBER), "editMessageReplyMarkup")[0]
    assert not any(t.startswith("✅") for t in edited.button_texts)

    await h.press(reply, "Helse", MEMBER)
    done = messages(await h.press(reply, texts.BTN_DONE, MEMBER), "editMessageText")[0]
    line = texts.TOPICS_SUMMARY_LINE.format(name=HELSE)
    assert done.text == texts.TOPICS_DONE.format(summary=texts.TOPICS_SUMMARY_SOME.format(names=line))
    assert done.buttons == []


@pytest.mark.parametrize("query", ["helse", "HELSE", "Helse, omsorg og velferdsteknologi", "velferd", "hels"])
async def test_subscribe_by_name_is_forgiving(h: BotHarness, query: str) -> None:
    reply = only_message(await h.send(f"/abonner {query}", MEMBER))
    assert reply.text == texts.SUBSCRIBED.format(name=html.escape(HELSE))
    assert await subscribed(h, MEMBER.id) == ["helse"]


async def test_subscribe_and_unsubscribe_answers(h: BotHarness) -> None:
    await h.send("/abonner digitalisring", MEMBER)  # a near-miss
    assert await subscribed(h, MEMBER.id) == ["digitalisering"]
    again = only_message(await h.send("/abonner digitalisering", MEMBER))
    assert again.text == texts.ALREADY_SUBSCRIBED.format(name="Digitalisering og tjenesteinnovasjon")
    off = only_message(await h.send("/avslutt Digitalisering", MEMBER))
    assert off.text == texts.UNSUBSCRIBED.format(name="Digitalisering og tjenesteinnovasjon")
    not_there = only_message(await h.send("/avslutt digitalisering", MEMBER))
    assert not_there.text == texts.NOT_SUBSCRIBED.format(name="Digitalisering og tjenesteinnovasjon")


@pytest.mark.parametrize("command", ["abonner", "avslutt"])
async def test_missing_topic_offers_the_picker(h: BotHarness, command: str) -> None:
    reply = only_message(await h.send(f"/{command}", MEMBER))
    assert reply.text == texts.TOPIC_USAGE.format(command=command)
    assert texts.TOPIC_OFF.format(name=HELSE) in reply.button_texts


async def test_unknown_topic_lists_the_topics(h: BotHarness) -> None:
    reply = only_message(await h.send("/abonner <fotball>", MEMBER))
    assert reply.text.startswith("Fant ikke noe emne som heter «&lt;fotball&gt;»")
    assert texts.TOPIC_LIST_LINE.format(word="helse", name=html.escape(HELSE)) in reply.text
    # readable words, not the slugs: "næring", never "naering"
    assert texts.TOPIC_LIST_LINE.format(word="næring", name="Næringsutvikling og distrikt") in reply.text
    assert "naering" not in reply.text
    assert await subscribed(h, MEMBER.id) == []


async def test_the_words_listed_for_the_topics_are_understood(h: BotHarness) -> None:
    listed = only_message(await h.send("/abonner tull", MEMBER)).text
    words = re.findall(r"<code>([^<]+)</code>", listed)
    assert len(words) == 10 and "næring" in words
    for word in words:
        reply = only_message(await h.send(f"/abonner {word}", MEMBER))
        assert reply.text.startswith("✅"), (word, reply.text)
    assert len(await subscribed(h, MEMBER.id)) == 10


@pytest.mark.parametrize("query", ["a", "K", "ø"])
async def test_one_letter_is_too_little_to_pick_a_topic(h: BotHarness, query: str) -> None:
    reply = only_message(await h.send(f"/abonner {query}", MEMBER))
    assert reply.text.startswith(texts.TOPIC_UNKNOWN.split("{")[0])
    assert await subscribed(h, MEMBER.id) == []


async def test_group_topics_refused_for_a_member_who_is_not_admin(h: BotHarness) -> None:
    h.api.set_admins(GROUP_ID, [COORDINATOR.id + 1])
    reply = only_message(await h.send("/abonner helse", OTHER, group=True))
    link = f"https://t.me/{h.bot_username}?start=emner"
    assert reply.text == texts.NOT_GROUP_ADMIN.format(link=link)
    assert await subscribed(h, GROUP_ID) == []

    picker = only_message(await h.send("/emner", OTHER, group=True))
    assert picker.text == texts.TOPICS_GROUP
    calls = await h.press(picker, "Helse", OTHER)
    answer = messages(calls, "answerCallbackQuery")[0]
    assert answer.params["text"] == texts.NOT_GROUP_ADMIN_SHORT and answer.params["show_alert"] is True
    assert not messages(calls, "editMessageReplyMarkup")
    assert await subscribed(h, GROUP_ID) == []
    # "Ferdig" would close the group's picker for the admins: refused the same way.
    calls = await h.press(picker, texts.BTN_DONE, OTHER)
    assert messages(calls, "answerCallbackQuery")[0].params["text"] == texts.NOT_GROUP_ADMIN_SHORT
    assert not messages(calls, "editMessageText")


async def test_group_admins_and_coordinators_change_the_groups_topics(h: BotHarness) -> None:
    h.api.set_admins(GROUP_ID, [MEMBER.id])
    reply = only_message(await h.send("/abonner helse", MEMBER, group=True))
    assert reply.text == texts.SUBSCRIBED_GROUP.format(name=html.escape(HELSE))
    assert await subscribed(h, GROUP_ID) == ["helse"]

    picker = only_message(await h.send("/emner", COORDINATOR, group=True))
    assert texts.TOPIC_ON.format(name=HELSE) in picker.button_texts
    await h.press(picker, "Klima", COORDINATOR)
    assert await subscribed(h, GROUP_ID) == ["helse", "klima"]
    off = only_message(await h.send("/avslutt klima", COORDINATOR, group=True))
    assert off.text == texts.UNSUBSCRIBED_GROUP.format(name="Klima, miljø og beredskap")
    # The group's topics are the group's: the admin's own are untouched.
    assert await subscribed(h, MEMBER.id) == []
    done = messages(await h.press(picker, texts.BTN_DONE, COORDINATOR), "editMessageText")[0]
    line = texts.TOPICS_SUMMARY_LINE.format(name=html.escape(HELSE))
    assert done.text == texts.TOPICS_DONE.format(summary=texts.TOPICS_SUMMARY_GROUP.format(names=line))
    await h.send("/avslutt helse", COORDINATOR, group=True)
    done = messages(await h.press(picker, texts.BTN_DONE, COORDINATOR), "editMessageText")[0]
    assert done.text == texts.TOPICS_DONE.format(summary=texts.TOPICS_SUMMARY_NONE_GROUP)


# ---- /varsle ---------------------------------------------------------------------------------


async def test_keyword_alerts_add_list_and_remove(h: BotHarness) -> None:
    assert only_message(await h.send("/varsle", MEMBER)).text == texts.ALERTS_NONE
    added = only_message(await h.send("/varsle Velferdsteknologi", MEMBER))
    assert added.text == texts.ALERT_ADDED.format(keyword="velferdsteknologi")
    again = only_message(await h.send("/varsle velferdsteknologi", MEMBER))
    assert again.text == texts.ALERT_EXISTS.format(keyword="velferdsteknologi")
    both = only_message(await h.send("/varsle kunstig intelligens, <b>ki</b>", MEMBER))
    assert texts.ALERT_ADDED.format(keyword="kunstig intelligens") in both.text
    assert texts.ALERT_ADDED.format(keyword="&lt;b&gt;ki&lt;/b&gt;") in both.text

    listing = only_message(await h.send("/varsle", MEMBER))
    assert listing.text.startswith(texts.ALERTS_LIST)
    assert listing.button_texts == ["❌ <b>ki</b>", "❌ kunstig intelligens", "❌ velferdsteknologi"]
    assert "🔔 &lt;b&gt;ki&lt;/b&gt;" in listing.text

    calls = await h.press(listing, "kunstig", MEMBER)
    assert messages(calls, "answerCallbackQuery")[0].params["text"] == texts.ALERT_REMOVED.format(
        keyword="kunstig intelligens"
    )
    edited = messages(calls, "editMessageText")[0]
    assert edited.button_texts == ["❌ <b>ki</b>", "❌ velferdsteknologi"]
    # The same button again (an old message): a clear answer, nothing else removed.
    calls = await h.press_data(listing.button("kunstig")["callback_data"], MEMBER, listing)
    assert messages(calls, "answerCallbackQuery")[0].params["text"] == texts.ALERT_GONE
    await h.press(edited, "velferd", MEMBER)
    last = messages(await h.press(edited, "ki", MEMBER), "editMessageText")[0]
    assert last.text == texts.ALERTS_NONE and last.buttons == []


@pytest.mark.parametrize(
    ("word", "expected"),
    [("x", texts.ALERT_TOO_SHORT.format(min=2)), ("y" * 101, texts.ALERT_TOO_LONG.format(max=100))],
)
async def test_keyword_alerts_bad_words(h: BotHarness, word: str, expected: str) -> None:
    assert only_message(await h.send(f"/varsle {word}", MEMBER)).text == expected


async def test_keyword_alerts_keep_the_good_words_and_name_the_bad_ones(h: BotHarness) -> None:
    reply = only_message(await h.send("/varsle kunstig intelligens, droner, x", MEMBER))
    assert texts.ALERT_ADDED.format(keyword="kunstig intelligens") in reply.text
    assert texts.ALERT_ADDED.format(keyword="droner") in reply.text
    too_short = texts.ALERT_TOO_SHORT.format(min=2)
    assert texts.ALERT_REFUSED.format(keyword="x", reason=too_short) in reply.text
    listing = only_message(await h.send("/varsle", MEMBER))
    assert listing.button_texts == ["❌ droner", "❌ kunstig intelligens"]


async def test_removing_a_keyword_with_markup_names_it_as_typed(h: BotHarness) -> None:
    await h.send("/varsle <b>ki</b>", MEMBER)
    listing = only_message(await h.send("/varsle", MEMBER))
    calls = await h.press(listing, "ki", MEMBER)
    notice = messages(calls, "answerCallbackQuery")[0].params["text"]
    assert notice == texts.ALERT_REMOVED.format(keyword="<b>ki</b>")


async def test_keyword_alerts_have_a_limit(h: BotHarness) -> None:
    await h.send("/varsle " + ", ".join(f"ord{i}" for i in range(20)), MEMBER)
    reply = only_message(await h.send("/varsle ett til", MEMBER))
    assert reply.text == texts.ALERT_TOO_MANY.format(max=20)


async def test_keyword_alerts_are_personal_so_the_group_gets_a_link(h: BotHarness) -> None:
    reply = only_message(await h.send("/varsle helse", OTHER, group=True))
    link = f"https://t.me/{h.bot_username}?start=varsle"
    assert reply.text == texts.ALERTS_PRIVATE_ONLY.format(link=link)
    assert reply.buttons == [[{"text": texts.BTN_OPEN_PRIVATE, "url": link}]]
