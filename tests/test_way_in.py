"""The way into the closed group (issue 14, point 2), end to end through the fake Bot API.

Measured failure: an approved contact was told to use /kontakter, which then refused them («be om
å bli med i gruppen igjen», though they had never been there), and nothing gave them a way in.
"""

from __future__ import annotations

import pytest

from bot import texts
from storage import members, registry
from tests.fixtures_bot import COORDINATOR, MEMBER, OTHER
from tests.support.harness import GROUP_ID, BotHarness, FakeClock
from tests.test_network_e2e import (
    approve,
    join_request,
    known,
    last_message,
    member_update,
    queued,
    register,
)

pytestmark = pytest.mark.filterwarnings("ignore:Ignoring `conversation_timeout`")


async def test_approval_sends_a_personal_expiring_invite_link(harness: BotHarness, clock: FakeClock) -> None:
    await known(harness, COORDINATOR)
    await register(harness, MEMBER, "Trondheim", "rådgiver")
    calls = await approve(harness, MEMBER)
    [made] = [c for c in calls if c.method == "createChatInviteLink"]
    assert made.chat_id == GROUP_ID
    assert made.params["creates_join_request"] is True
    assert "member_limit" not in made.params  # Telegram refuses it with creates_join_request
    assert int(made.params["expire_date"]) == int(clock.now.timestamp()) + 7 * 24 * 3600
    [decision] = await queued(harness, MEMBER, registry.KIND_DECISION)
    [[button]] = decision.payload["reply_markup"]["inline_keyboard"]
    assert button["text"] == texts.INVITE_BUTTON and button["url"].startswith("https://t.me/+")
    assert texts.REG_MEMBER_APPROVED_INVITE.format(days="7 dager") in decision.payload["text"]
    assert "igjen" not in decision.payload["text"]
    async with harness.services.session() as s:
        stored = await registry.registration_of(s, MEMBER.id)
        assert stored is not None and stored.invite_link == button["url"]

    # The approved contact is a member now: /kontakter opens, though they were never in the group.
    contacts = last_message(await harness.send("/kontakter", MEMBER))
    assert "Kari Nordmann" in contacts.text and "Trondheim" in contacts.text

    # Their join request through the link is approved at once, and the link is used up.
    update = join_request(MEMBER)
    update["chat_join_request"]["invite_link"] = {
        "invite_link": button["url"],
        "creator": harness.api.bot_user,
        "creates_join_request": True,
        "is_primary": False,
        "is_revoked": False,
    }
    calls = await harness.process(update)
    assert [c.params["user_id"] for c in calls if c.method == "approveChatJoinRequest"] == [MEMBER.id]
    assert [c.params["invite_link"] for c in calls if c.method == "revokeChatInviteLink"] == [button["url"]]
    async with harness.services.session() as s:
        chat = await members.get_chat(s, MEMBER.id)
        assert chat is not None and chat.in_group
        stored = await registry.registration_of(s, MEMBER.id)
        assert stored is not None and stored.invite_link is None

    # Someone else with the same (forwarded) link is not let in; the coordinators are told.
    await known(harness, OTHER)
    update = join_request(OTHER)
    update["chat_join_request"]["invite_link"] = {
        "invite_link": button["url"],
        "creator": harness.api.bot_user,
        "creates_join_request": True,
        "is_primary": False,
        "is_revoked": True,
    }
    calls = await harness.process(update)
    assert not [c for c in calls if c.method == "approveChatJoinRequest"]


async def test_someone_who_left_gets_a_fresh_link_from_kontakter(harness: BotHarness) -> None:
    await known(harness, COORDINATOR)
    await register(harness, MEMBER, "Trondheim", "rådgiver")
    await approve(harness, MEMBER)
    await harness.process(member_update(MEMBER, "left", "member"))
    await harness.process(member_update(MEMBER, "member", "left"))
    refused = last_message(await harness.send("/kontakter", MEMBER))
    assert refused.text == texts.CONTACTS_REFUSED_LEFT
    calls = await harness.press(refused, texts.INVITE_ASK_BUTTON, MEMBER)
    assert [c for c in calls if c.method == "createChatInviteLink"]
    sent = last_message(calls)
    assert sent.text == texts.INVITE_SENT.format(days="7 dager")
    assert sent.buttons[0][0]["url"].startswith("https://t.me/+")


async def test_no_link_for_someone_not_approved(harness: BotHarness) -> None:
    await known(harness, OTHER)
    calls = await harness.press_data("nw.inv", OTHER)
    assert not [c for c in calls if c.method == "createChatInviteLink"]
    assert last_message(calls).text == texts.INVITE_NOT_APPROVED


async def test_no_text_says_igjen_to_someone_never_there() -> None:
    never_there = (
        texts.REG_MEMBER_APPROVED,
        texts.REG_MEMBER_APPROVED_INVITE,
        texts.REG_MEMBER_APPROVED_NO_INVITE,
        texts.CONTACTS_REFUSED_UNREGISTERED,
        texts.CONTACTS_REFUSED_PENDING,
        texts.JOIN_ASK_REGISTER,
        texts.JOIN_PENDING,
        texts.INVITE_SENT,
        texts.INVITE_NOT_APPROVED,
    )
    assert not [t for t in never_there if "igjen" in t]
