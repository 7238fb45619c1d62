"""On start the coordinators' menu goes to configured coordinators and to the group's admins."""

from __future__ import annotations

from bot.config import Settings
from tests.fixtures_bot import COORDINATOR
from tests.support.fakebot import FakeBotApi
from tests.support.harness import GROUP_ID, running_harness


async def test_group_admins_get_the_coordinators_menu(settings: Settings) -> None:
    api = FakeBotApi()
    api.set_admins(GROUP_ID, [4242])
    async with running_harness(settings, api=api, start_jobs=True):
        scoped = {
            c.params["scope"].get("chat_id"): [cmd["command"] for cmd in c.params["commands"]]
            for c in api.sent("setMyCommands")
            if c.params["scope"]["type"] == "chat"
        }
    assert set(scoped) == {COORDINATOR.id, 4242}
    assert "kilder" in scoped[4242] and "status" in scoped[4242]


async def test_menus_are_set_even_when_the_admins_cannot_be_read(settings: Settings) -> None:
    api = FakeBotApi()
    api.fail("getChatAdministrators", error_code=400, description="Bad Request: chat not found")
    async with running_harness(settings, api=api, start_jobs=True):
        scoped = [c.params["scope"].get("chat_id") for c in api.sent("setMyCommands")]
    assert COORDINATOR.id in scoped and None in scoped
