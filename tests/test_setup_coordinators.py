"""Setup without looking up ids (issue 13, point 2): /oppsett, /koordinatorer, and a group that moves.

Before: the only way to name the group and the coordinators was FOUI_GROUP_CHAT_ID and
FOUI_COORDINATOR_IDS, and nothing told an operator how to find those ids; a group that became a
supergroup lost its topics and its admins' coordinator rights.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot import texts
from bot.config import Settings, load_settings
from bot.startup import announce_setup
from handlers.auth import is_coordinator
from handlers.coordinator_list import PICK_REQUEST_ID, REMOVE_PREFIX
from storage.models import Chat, Outbox, Subscription, Topic
from tests.coord_helpers import texts_of
from tests.support.harness import GROUP_ID, BotHarness, Person, running_harness

KARI = Person(id=1001, first_name="Kari", last_name="Nordmann", username="kari")
OLA = Person(id=1002, first_name="Ola", last_name="Hansen", username="ola_h")
PER = Person(id=1003, first_name="Per", last_name="Berg", username="perb")
CODE = "ABCD-EFGH"
NEW_GROUP = -1009876543210
OLD_GROUP = -4242


def _settings(db_url: str, **extra: Any) -> Settings:
    return load_settings(database_url=db_url, _env_file=None, **extra)


async def _code(settings: Settings) -> list[str]:
    said: list[str] = []
    await announce_setup(settings, bot="FoUIbot", say=said.append, make_code=lambda: CODE)
    return said


class _Ctx:
    """Enough of a handler context for handlers.auth.is_coordinator."""

    def __init__(self, harness: BotHarness) -> None:
        self.bot_data = harness.app.bot_data
        self.bot = harness.app.bot


async def _is_coordinator(harness: BotHarness, user_id: int) -> bool:
    return await is_coordinator(_Ctx(harness), user_id)  # type: ignore[arg-type]


def _shared(
    harness: BotHarness, by: Person, *people: Person, request_id: int = PICK_REQUEST_ID
) -> dict[str, Any]:
    update = harness.message_update("", by)
    message = update["message"]
    message.pop("text")
    message["users_shared"] = {
        "request_id": request_id,
        "users": [{"user_id": p.id, "first_name": p.first_name, "last_name": p.last_name} for p in people],
    }
    return update


async def test_the_first_start_prints_a_code_once_and_oppsett_connects_the_group(db_url: str) -> None:
    settings = _settings(db_url)
    said = await _code(settings)
    assert said == [texts.SETUP_CODE_NEW.format(bot="FoUIbot", code=CODE)]
    assert await _code(settings) == [texts.SETUP_CODE_EARLIER]  # shown once only

    async with running_harness(settings) as h:
        assert h.services.settings.group_chat_id is None
        calls = await h.send("/oppsett FEIL-KODE", KARI, group=True)
        assert texts_of(calls) == [texts.OPPSETT_WRONG_CODE]
        assert h.services.settings.group_chat_id is None

        calls = await h.send("/oppsett abcd efgh", KARI, group=True)  # case and spaces do not matter
        assert texts.OPPSETT_DONE.format(title="FoUI Trøndelag", name="Kari Nordmann") in texts_of(calls)
        assert h.services.settings.group_chat_id == GROUP_ID
        assert h.services.settings.coordinator_ids == [KARI.id]
        assert await _is_coordinator(h, KARI.id)
        status = texts_of(await h.send("/status", KARI))
        assert texts.STATUS_GROUP.format(group=GROUP_ID, count=1) in status[0]
        menus = [c for c in calls if c.method == "setMyCommands"]
        assert any(c.params.get("scope", {}).get("chat_id") == KARI.id for c in menus)

        assert texts_of(await h.send(f"/oppsett {CODE}", OLA, group=True)) == [texts.OPPSETT_SAME_GROUP]
        other = await h.send(f"/oppsett {CODE}", OLA, chat_id=-100555)
        assert texts_of(other) == [texts.OPPSETT_OTHER_GROUP]
        assert texts_of(await h.send(f"/oppsett {CODE}", OLA)) == [texts.OPPSETT_IN_GROUP_ONLY]

    async with running_harness(settings) as h:  # a restart: the group and coordinator are kept
        assert h.services.settings.group_chat_id == GROUP_ID
        assert h.services.settings.coordinator_ids == [KARI.id]
    assert await _code(settings) == [texts.SETUP_CONNECTED.format(title="FoUI Trøndelag", group=GROUP_ID)]


async def test_status_says_when_no_group_is_connected(sqlite_url: str) -> None:
    async with running_harness(_settings(sqlite_url, coordinator_ids=[PER.id])) as h:
        status = texts_of(await h.send("/status", PER))
        assert len(status) == 1 and texts.STATUS_NO_GROUP in status[0]


async def test_wrong_codes_are_limited_per_person(sqlite_url: str) -> None:
    async with running_harness(_settings(sqlite_url, setup_code="hemmelig")) as h:
        for _ in range(5):
            assert texts_of(await h.send("/oppsett gjett", OLA, group=True)) == [texts.OPPSETT_WRONG_CODE]
        assert texts_of(await h.send("/oppsett hemmelig", OLA, group=True)) == [texts.OPPSETT_TOO_MANY]
        calls = await h.send("/oppsett HEMMELIG", KARI, group=True)  # FOUI_SETUP_CODE works as the code
        assert h.services.settings.group_chat_id == GROUP_ID, texts_of(calls)
        # ... and is the only way to move the network to another group.
        await _code(h.services.settings)
        assert texts_of(await h.send(f"/oppsett {CODE}", KARI, chat_id=-100555)) == [
            texts.OPPSETT_OTHER_GROUP
        ]
        await h.send("/oppsett hemmelig", KARI, chat_id=-100555)
        assert h.services.settings.group_chat_id == -100555


async def test_the_settings_win_when_set(sqlite_url: str) -> None:
    settings = _settings(sqlite_url, group_chat_id=-100777, coordinator_ids=[PER.id])
    assert await _code(settings) == []  # the group is named: no code at all
    async with running_harness(settings) as h:
        assert texts_of(await h.send(f"/oppsett {CODE}", KARI, group=True)) == [texts.OPPSETT_FROM_SETTINGS]
        assert h.services.settings.group_chat_id == -100777
        calls = await h.send("/koordinatorer legg til @kari", PER)
        assert texts_of(calls) == [texts.KOORD_FROM_SETTINGS]
        listing = texts_of(await h.send("/koordinatorer", PER))
        assert len(listing) == 1 and texts.KOORD_LINE_ID.format(id=PER.id) in listing[0]
        assert texts.KOORD_FROM_SETTINGS in listing[0]
        assert h.services.settings.coordinator_ids == [PER.id]


async def _connected(h: BotHarness) -> None:
    await _code(h.services.settings)
    await h.send(f"/oppsett {CODE}", KARI, group=True)
    assert h.services.settings.group_chat_id == GROUP_ID


async def test_coordinators_add_and_remove_each_other_in_the_chat(sqlite_url: str) -> None:
    async with running_harness(_settings(sqlite_url)) as h:
        await _connected(h)
        refused = await h.send("/koordinatorer", OLA)
        assert texts_of(refused) == [texts.COORD_REFUSED]

        calls = await h.send("/koordinatorer", KARI)
        listing, picker = [c for c in calls if c.method == "sendMessage"]
        assert "Kari Nordmann" in listing.text and texts.KOORD_ADMINS_TOO in listing.text
        button = picker.params["reply_markup"]["keyboard"][0][0]
        assert button["request_users"]["request_id"] == PICK_REQUEST_ID

        # Telegram's person picker: Kari chooses Ola.
        calls = await h.process(_shared(h, KARI, OLA))
        assert texts_of(calls) == [texts.KOORD_ADDED.format(name="Ola Hansen")]
        assert await _is_coordinator(h, OLA.id)
        # A picker answer from someone who is not a coordinator changes nothing.
        await h.process(_shared(h, PER, PER))
        assert not await _is_coordinator(h, PER.id)

        # By @username, once Per has written to the bot.
        calls = await h.send("/koordinatorer legg til @ukjent", KARI)
        assert texts_of(calls) == [texts.KOORD_NOT_FOUND.format(word="@ukjent", button=texts.KOORD_BTN_PICK)]
        calls = await h.send("/koordinatorer legg til @PerB", OLA)
        assert texts_of(calls) == [texts.KOORD_ADDED.format(name="Per Berg")]
        assert set(h.services.settings.coordinator_ids) == {KARI.id, OLA.id, PER.id}

        # ❌ under the list removes (checked again on the server).
        calls = await h.send("/koordinatorer", KARI)
        listing = next(c for c in calls if c.buttons)
        assert f"{REMOVE_PREFIX}{PER.id}" in {b["callback_data"] for row in listing.buttons for b in row}
        await h.press(listing, "Per Berg", KARI)
        assert not await _is_coordinator(h, PER.id)
        assert any(c.method == "deleteMyCommands" for c in h.api.calls)
        await h.send("/koordinatorer fjern @ola_h", KARI)
        calls = await h.send(f"/koordinatorer fjern {KARI.id}", KARI)
        assert texts_of(calls) == [texts.KOORD_LAST]
        assert h.services.settings.coordinator_ids == [KARI.id]


async def test_in_the_group_a_reply_names_the_new_coordinator(sqlite_url: str) -> None:
    async with running_harness(_settings(sqlite_url)) as h:
        await _connected(h)
        said = h.message_update("Hei alle!", OLA, chat_type="supergroup")["message"]
        calls = await h.send("/koordinatorer legg til", KARI, group=True, reply_to_message=said)
        assert texts_of(calls) == [texts.KOORD_ADDED.format(name="Ola Hansen")]
        assert await _is_coordinator(h, OLA.id)
        calls = await h.send("/koordinatorer legg til", KARI, group=True)
        assert texts_of(calls) == [texts.KOORD_REPLY_NEEDED]
        # A mention of someone without a @username carries the person (a text_mention).
        text = "/koordinatorer legg til Per Berg"
        mention = {
            "type": "text_mention",
            "offset": 24,
            "length": 8,
            "user": {**PER.as_user(), "username": None},
        }
        mention["user"].pop("username")
        entities = [{"type": "bot_command", "offset": 0, "length": 14}, mention]
        calls = await h.send(text, KARI, group=True, entities=entities)
        assert texts_of(calls) == [texts.KOORD_ADDED.format(name="Per Berg")]


async def _group_rows(h: BotHarness) -> list[tuple[int, int, list[str]]]:
    async with h.services.session() as s:
        chats = (await s.execute(select(Chat).where(Chat.kind != "private").order_by(Chat.id))).scalars()
        rows = []
        for chat in chats:
            slugs = await s.execute(
                select(Topic.slug)
                .join(Subscription, Subscription.topic_id == Topic.id)
                .where(Subscription.chat_id == chat.id)
            )
            outbox = await s.execute(select(Outbox.subject).where(Outbox.chat_id == chat.id))
            rows.append((chat.telegram_id, len(list(outbox.scalars())), sorted(slugs.scalars())))
        return rows


async def _group_with_topics_and_a_queued_message(h: BotHarness, group: int) -> None:
    await h.send("/start", KARI, chat_id=group)
    async with h.services.session() as s:
        chat = (await s.execute(select(Chat).where(Chat.telegram_id == group))).scalar_one()
        topic = (await s.execute(select(Topic).where(Topic.slug == "helse"))).scalar_one()
        s.add(Subscription(chat_id=chat.id, topic_id=topic.id))
        s.add(Outbox(chat_id=chat.id, kind="t", subject="venter"))


def _migrate_to(h: BotHarness, old: int, new: int) -> dict[str, Any]:
    update = h.message_update("", KARI, chat_id=old, chat_type="group")
    update["message"].pop("text")
    update["message"]["migrate_to_chat_id"] = new
    return update


def _migrate_from(h: BotHarness, old: int, new: int) -> dict[str, Any]:
    update = h.message_update("", KARI, chat_id=new, chat_type="supergroup")
    update["message"].pop("text")
    update["message"]["migrate_from_chat_id"] = old
    return update


@pytest.mark.parametrize("named_by", ["oppsett", "setting"])
async def test_a_group_that_becomes_a_supergroup_keeps_its_topics_admins_and_queue(
    sqlite_url: str, named_by: str
) -> None:
    extra = {"group_chat_id": OLD_GROUP} if named_by == "setting" else {}
    settings = _settings(sqlite_url, **extra)
    async with running_harness(settings) as h:
        if named_by == "oppsett":
            await _code(settings)
            await h.send(f"/oppsett {CODE}", KARI, chat_id=OLD_GROUP)
        assert h.services.settings.group_chat_id == OLD_GROUP
        await _group_with_topics_and_a_queued_message(h, OLD_GROUP)
        h.api.set_admins(OLD_GROUP, [PER.id])
        h.api.set_admins(NEW_GROUP, [PER.id])
        assert await _is_coordinator(h, PER.id)

        # Telegram's two service messages: in the new supergroup (first) and in the old group.
        await h.process(_migrate_from(h, OLD_GROUP, NEW_GROUP))
        await h.process(_migrate_to(h, OLD_GROUP, NEW_GROUP))

        assert h.services.settings.group_chat_id == NEW_GROUP
        assert await _group_rows(h) == [(NEW_GROUP, 1, ["helse"])]
        h.api.set_admins(OLD_GROUP, [])
        assert await _is_coordinator(h, PER.id)  # the admins of the group where it is now

    async with running_harness(settings) as h:  # after a restart, also with the old id in the settings
        assert h.services.settings.group_chat_id == NEW_GROUP


@pytest.mark.parametrize("named_by", ["oppsett", "setting"])
async def test_a_send_answered_with_chat_migrated_moves_the_network_group_too(
    sqlite_url: str, named_by: str
) -> None:
    """The sender's ChatMigrated (storage.outbox.migrate_chat) is followed by the next read of the group."""
    from bot import network
    from storage import outbox

    extra = {"group_chat_id": OLD_GROUP} if named_by == "setting" else {}
    settings = _settings(sqlite_url, **extra)
    async with running_harness(settings) as h:
        if named_by == "oppsett":
            await _code(settings)
            await h.send(f"/oppsett {CODE}", KARI, chat_id=OLD_GROUP)
        await _group_with_topics_and_a_queued_message(h, OLD_GROUP)
        async with h.services.session() as s:
            row = (await s.execute(select(Outbox).where(Outbox.subject == "venter"))).scalar_one()
            await outbox.migrate_chat(s, row.chat_id, NEW_GROUP, row_id=row.id)
        await network.load(h.services)  # the refresh job does this every minute
        assert h.services.settings.group_chat_id == NEW_GROUP


async def test_minedata_shows_and_slettmeg_ends_a_coordinator_added_in_the_chat(sqlite_url: str) -> None:
    from storage import privacy
    from storage.network_setup import Coordinator, get_setup

    async with running_harness(_settings(sqlite_url)) as h:
        await _connected(h)
        await h.process(_shared(h, KARI, OLA))
        async with h.services.session() as s:
            exported = await privacy.export(s, KARI.id, h.services.now())
            assert exported["coordinator"]["name"] == "Kari Nordmann"
            await privacy.delete_person(s, KARI.id, h.services.now())
        async with h.services.session() as s:
            assert await s.get(Coordinator, KARI.id) is None
            ola = await s.get(Coordinator, OLA.id)
            assert ola is not None and ola.added_by is None
            setup = await get_setup(s)
            assert setup is not None and setup.connected_by is None
