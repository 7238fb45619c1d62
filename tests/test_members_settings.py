"""/innstillinger and /settings end to end: every choice by buttons, stored on the chat."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator

import pytest

from bot import texts
from tests.fixtures_bot import MEMBER, OTHER
from tests.members_helpers import chat_row, messages, only_message
from tests.support.fakebot import ApiCall
from tests.support.harness import BotHarness


@pytest.fixture
async def h(harness: BotHarness) -> AsyncIterator[BotHarness]:
    yield harness
    errors = [c for c in harness.api.calls if c.text == html.escape(texts.ERROR_GENERIC)]
    assert not errors, "a handler failed: the person was told something went wrong"


def edited(calls: list[ApiCall]) -> ApiCall:
    found = messages(calls, "editMessageText")
    assert len(found) == 1, [c.method for c in calls]
    assert found[0].params["parse_mode"] == "HTML"
    return found[0]


@pytest.mark.parametrize("command", ["/innstillinger", "/settings"])
async def test_settings_show_the_defaults(h: BotHarness, command: str) -> None:
    reply = only_message(await h.send(command, MEMBER))
    assert reply.text == texts.SETTINGS_TEXT.format(
        mode=texts.SETTINGS_MODE_INSTANT, reminders="14, 3 og 1 dager før", quiet="kl. 21–07"
    )
    assert reply.button_texts == [
        "✅ Med en gang",
        "Daglig",
        "Ukentlig",
        "🕗 Sammendrag kl. 08",
        texts.BTN_REMINDERS,
        texts.BTN_QUIET,
        texts.BTN_DONE,
    ]


async def test_every_setting_by_buttons(h: BotHarness) -> None:
    reply = only_message(await h.send("/innstillinger", MEMBER))

    calls = await h.press(reply, "Daglig", MEMBER)
    assert messages(calls, "answerCallbackQuery")[0].params["text"] == texts.SETTINGS_SAVED
    view = edited(calls)
    assert "✅ Daglig" in view.button_texts and "Med en gang" in view.button_texts
    assert "daglig sammendrag kl. 08" in view.text

    menu = edited(await h.press(view, "Sammendrag", MEMBER))
    assert menu.text == texts.SETTINGS_HOUR_MENU
    assert "✅ 08" in menu.button_texts
    view = edited(await h.press(menu, "07", MEMBER))
    assert "daglig sammendrag kl. 07" in view.text

    menu = edited(await h.press(view, texts.BTN_REMINDERS, MEMBER))
    assert menu.button_texts[:3] == ["30 dager før", "✅ 14 dager før", "7 dager før"]
    menu = edited(await h.press(menu, "7 dager", MEMBER))
    menu = edited(await h.press(menu, "14 dager", MEMBER))
    menu = edited(await h.press(menu, "Samme dag", MEMBER))
    assert "✅ Samme dag" in menu.button_texts
    view = edited(await h.press(menu, texts.BTN_BACK, MEMBER))
    ahead = texts.SETTINGS_REMINDERS.format(days="7, 3 og 1")
    assert texts.SETTINGS_REMINDERS_AND_SAME.format(ahead=ahead) in view.text  # one "og" at a time

    menu = edited(await h.press(view, texts.BTN_QUIET, MEMBER))
    assert "✅ 21–07" in menu.button_texts
    view = edited(await h.press(menu, texts.BTN_QUIET_NONE, MEMBER))
    assert f"Stille timer: <b>{texts.SETTINGS_QUIET_NONE}</b>" in view.text
    view = edited(await h.press(view, "Ukentlig", MEMBER))

    chat = await chat_row(h, MEMBER.id)
    assert chat is not None
    assert (chat.notify_mode, chat.digest_hour, chat.reminder_days, chat.quiet_hours) == (
        "weekly",
        7,
        [7, 3, 1, 0],
        "",
    )
    done = edited(await h.press(view, texts.BTN_DONE, MEMBER))
    assert done.text.startswith("<b>Innstillingene er lagret.</b>")
    assert done.buttons == []


async def test_pressing_what_is_already_chosen_says_nothing_was_saved(h: BotHarness) -> None:
    reply = only_message(await h.send("/innstillinger", MEMBER))
    calls = await h.press(reply, "Med en gang", MEMBER)  # the default, already chosen
    assert messages(calls, "answerCallbackQuery")[0].params.get("text") is None
    menu = edited(await h.press(reply, texts.BTN_QUIET, MEMBER))
    calls = await h.press(menu, "21–07", MEMBER)  # the default quiet hours
    assert messages(calls, "answerCallbackQuery")[0].params.get("text") is None
    chat = await chat_row(h, MEMBER.id)
    assert chat is not None and (chat.notify_mode, chat.quiet_hours) == ("instant", None)


async def test_reminders_all_off_reads_none(h: BotHarness) -> None:
    reply = only_message(await h.send("/innstillinger", MEMBER))
    menu = edited(await h.press(reply, texts.BTN_REMINDERS, MEMBER))
    for label in ("14 dager", "3 dager", "1 dag"):
        menu = edited(await h.press(menu, label, MEMBER))
    view = edited(await h.press(menu, texts.BTN_BACK, MEMBER))
    assert f"Påminnelser før frist: <b>{texts.SETTINGS_REMINDERS_NONE}</b>" in view.text
    chat = await chat_row(h, MEMBER.id)
    assert chat is not None and chat.reminder_days == []


async def test_forged_button_data_changes_nothing(h: BotHarness) -> None:
    await h.send("/innstillinger", MEMBER)
    for data in ("st:hour:99", "st:mode:sometimes", "st:rem:1000", "st:quiet:01-02", "st:hour:x"):
        calls = await h.press_data(data, MEMBER)
        assert messages(calls, "answerCallbackQuery")
    chat = await chat_row(h, MEMBER.id)
    assert chat is not None
    assert (chat.notify_mode, chat.digest_hour, chat.reminder_days, chat.quiet_hours) == (
        "instant",
        None,
        None,
        None,
    )


@pytest.mark.parametrize("command", ["/innstillinger", "/settings"])
async def test_settings_in_the_group_open_a_private_chat(h: BotHarness, command: str) -> None:
    reply = only_message(await h.send(command, OTHER, group=True))
    link = f"https://t.me/{h.bot_username}?start=innstillinger"
    assert reply.text == texts.SETTINGS_PRIVATE_ONLY
    assert reply.buttons == [[{"text": texts.BTN_OPEN_PRIVATE, "url": link}]]
