"""/start, /hjelp, the chat registry (track) and the command menus, end to end."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator

import pytest

from bot import texts
from handlers import registry
from tests.fixtures_bot import COORDINATOR, MEMBER, OTHER
from tests.members_helpers import chat_row, messages, only_message
from tests.support.harness import GROUP_ID, BotHarness, Person


@pytest.fixture
async def h(harness: BotHarness) -> AsyncIterator[BotHarness]:
    yield harness
    errors = [c for c in harness.api.calls if c.text == html.escape(texts.ERROR_GENERIC)]
    assert not errors, "a handler failed: the person was told something went wrong"


async def test_start_in_private_welcomes_registers_and_offers_the_topic_picker(h: BotHarness) -> None:
    reply = only_message(await h.send("/start", MEMBER))
    assert reply.text == texts.WELCOME_PRIVATE.format(name="Kari")
    assert reply.button_texts[0] == texts.TOPIC_OFF.format(name="Helse, omsorg og velferdsteknologi")
    assert texts.BTN_DONE in reply.button_texts
    chat = await chat_row(h, MEMBER.id)
    assert chat is not None and chat.active and chat.kind == "private" and chat.name == "Kari Nordmann"

    calls = await h.press(reply, "Helse", MEMBER)
    answer = messages(calls, "answerCallbackQuery")[0]
    assert answer.params["text"] == texts.TOPIC_TOGGLED_ON.format(name="Helse, omsorg og velferdsteknologi")
    edited = messages(calls, "editMessageReplyMarkup")[0]
    assert edited.button_texts[0] == texts.TOPIC_ON.format(name="Helse, omsorg og velferdsteknologi")

    again = only_message(await h.send("/start", MEMBER))
    assert again.text == texts.WELCOME_BACK.format(name="Kari", count=1)


async def test_start_escapes_the_persons_name(h: BotHarness) -> None:
    person = Person(id=4242, first_name="<b>Ola</b> & co", last_name=None, username=None)
    reply = only_message(await h.send("/start", person))
    assert "&lt;b&gt;Ola&lt;/b&gt; &amp; co" in reply.text


async def test_start_in_the_group_links_to_a_private_chat(h: BotHarness) -> None:
    reply = only_message(await h.send("/start", OTHER, group=True))
    link = f"https://t.me/{h.bot_username}?start=start"
    assert reply.text == texts.WELCOME_GROUP.format(link=link)
    assert reply.chat_id == GROUP_ID


async def test_start_deep_links_open_settings_and_alerts(h: BotHarness) -> None:
    settings = only_message(await h.send("/start innstillinger", MEMBER))
    assert settings.text.startswith("<b>Innstillinger</b>")
    alerts = only_message(await h.send("/start varsle", MEMBER))
    assert alerts.text == texts.ALERTS_NONE


@pytest.mark.parametrize("command", ["/hjelp", "/help"])
async def test_help_in_private_lists_the_commands_once(h: BotHarness, command: str) -> None:
    reply = only_message(await h.send(command, MEMBER))
    assert reply.text.startswith(texts.HELP_HEADER)
    for name in ("frister", "emner", "abonner", "avslutt", "varsle", "innstillinger", "sok", "kalender"):
        assert f"/{name} – " in reply.text
    assert "/help – " not in reply.text and "/settings – " not in reply.text
    assert texts.HELP_FOOTER_PRIVATE in reply.text


async def test_help_in_the_group_leaves_out_private_commands(h: BotHarness) -> None:
    reply = only_message(await h.send("/hjelp", OTHER, group=True))
    assert "/frister – " in reply.text
    assert "/varsle – " not in reply.text
    assert f"https://t.me/{h.bot_username}?start=start" in reply.text


async def test_help_for_a_coordinator_includes_coordinator_commands(h: BotHarness) -> None:
    coordinator_commands = [
        c.name for c in registry.all_commands() if registry.COORDINATOR in c.scopes and c.menu
    ]
    reply = only_message(await h.send("/hjelp", COORDINATOR))
    for name in coordinator_commands:
        assert f"/{name} – " in reply.text
    member = only_message(await h.send("/hjelp", MEMBER))
    for name in coordinator_commands:
        if registry.PRIVATE not in next(c for c in registry.all_commands() if c.name == name).scopes:
            assert f"/{name} – " not in member.text


async def test_a_message_in_the_group_registers_the_group_and_the_person(h: BotHarness) -> None:
    await h.send("hei alle sammen", OTHER, group=True)
    group = await chat_row(h, GROUP_ID)
    assert group is not None and group.kind == "supergroup" and group.active
    person = await chat_row(h, OTHER.id)
    # The bot may not write first: inactive until the person starts it in private.
    assert person is not None and person.in_group and not person.active
    await h.send("/start", OTHER)
    person = await chat_row(h, OTHER.id)
    assert person is not None and person.active and person.in_group


async def test_blocking_and_unblocking_is_recorded(h: BotHarness) -> None:
    await h.send("/start", MEMBER)

    def member_update(status: str) -> dict:
        return {
            "my_chat_member": {
                "chat": {"id": MEMBER.id, "type": "private", "first_name": "Kari"},
                "from": MEMBER.as_user(),
                "date": 0,
                "old_chat_member": {"status": "member", "user": h.api.bot_user},
                "new_chat_member": {"status": status, "user": h.api.bot_user, "until_date": 0},
            }
        }

    assert await h.process(member_update("kicked")) == []
    chat = await chat_row(h, MEMBER.id)
    assert chat is not None and not chat.active
    await h.process(member_update("member"))
    chat = await chat_row(h, MEMBER.id)
    assert chat is not None and chat.active


async def test_menus_come_from_the_registry_with_telegrams_global_commands(h: BotHarness) -> None:
    await registry.set_menus(h.app, [COORDINATOR.id])
    menus = {
        c.params["scope"]["type"] + str(c.params["scope"].get("chat_id", "")): [
            cmd["command"] for cmd in c.params["commands"]
        ]
        for c in h.api.sent("setMyCommands")
    }
    private, group = menus["all_private_chats"], menus["all_group_chats"]
    for name in ("start", "help", "settings", "hjelp", "frister", "emner", "varsle", "innstillinger"):
        assert name in private
    for name in ("start", "help", "settings", "frister", "emner", "abonner", "avslutt", "sok", "kalender"):
        assert name in group
    assert "varsle" not in group
    assert set(private) <= set(menus[f"chat{COORDINATOR.id}"])
    for call in h.api.sent("setMyCommands"):
        for cmd in call.params["commands"]:
            assert 1 <= len(cmd["description"]) <= 256


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/fristr", texts.UNKNOWN_COMMAND_GUESS.format(guess="frister")),
        ("/instillinger", texts.UNKNOWN_COMMAND_GUESS.format(guess="innstillinger")),
        ("/xyzzy", texts.UNKNOWN_COMMAND),
    ],
)
async def test_unknown_commands_and_plain_text_in_private_get_a_hint(
    h: BotHarness, text: str, expected: str
) -> None:
    assert only_message(await h.send(text, MEMBER)).text == expected


async def test_known_commands_get_one_answer_and_the_group_gets_no_hints(h: BotHarness) -> None:
    assert len(messages(await h.send("/frister", MEMBER))) == 1
    assert messages(await h.send("hei, hva kan du?", MEMBER)) == []  # plain text: no lecture
    assert messages(await h.send("/fristr", OTHER, group=True)) == []
    assert messages(await h.send("hei alle", OTHER, group=True)) == []
