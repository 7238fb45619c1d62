"""The closed network end to end: the real Application against the fake Bot API.

Registration (buttons, typed names), coordinators' decisions (checked at every press), join
requests, leaving the group, /kontakter and /dekning.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import select

from bot import texts
from storage import members, registry
from storage.models import AuditLog, ChatKind, Outbox, Registration
from tests.fixtures_bot import COORDINATOR, MEMBER, OTHER
from tests.support.fakebot import ApiCall
from tests.support.harness import GROUP_ID, BotHarness, Person

# Without a running JobQueue (the harness does not start jobs) PTB says it ignores the timeout.
pytestmark = pytest.mark.filterwarnings("ignore:Ignoring `conversation_timeout`")

STRANGER = Person(id=1003, first_name="Per <script>", last_name="& Co", username="per_co")


# ---- helpers -----------------------------------------------------------------------------------


async def known(harness: BotHarness, *people: Person, in_group: bool | None = None) -> None:
    """People who have started the bot (their private chat is known and active)."""
    async with harness.services.session() as s:
        for p in people:
            name = " ".join(x for x in (p.first_name, p.last_name) if x)
            await members.touch_chat(
                s,
                p.id,
                kind=ChatKind.PRIVATE,
                name=name,
                username=p.username,
                now=harness.services.now(),
                active=True,
                in_group=in_group,
            )


async def queued(harness: BotHarness, person: Person, kind: str | None = None) -> list[Outbox]:
    """The outbox rows for a person's private chat (the sender delivers them)."""
    async with harness.services.session() as s:
        chat = await members.get_chat(s, person.id)
        if chat is None:
            return []
        query = select(Outbox).where(Outbox.chat_id == chat.id).order_by(Outbox.id)
        if kind is not None:
            query = query.where(Outbox.kind == kind)
        return list((await s.execute(query)).scalars())


def row_button(row: Outbox, text_part: str) -> str:
    """The callback data of a button in a queued message."""
    for line in row.payload["reply_markup"]["inline_keyboard"]:
        for button in line:
            if text_part in button["text"]:
                return str(button["callback_data"])
    raise KeyError(text_part)


async def registration(harness: BotHarness, person: Person) -> Registration | None:
    async with harness.services.session() as s:
        return await registry.registration_of(s, person.id)


async def audit_entries(harness: BotHarness, action: str | None = None) -> list[AuditLog]:
    async with harness.services.session() as s:
        query = select(AuditLog).order_by(AuditLog.id)
        if action is not None:
            query = query.where(AuditLog.action == action)
        return list((await s.execute(query)).scalars())


def last_message(calls: list[ApiCall], chat_id: int | None = None) -> ApiCall:
    found = [
        c
        for c in calls
        if c.method in ("sendMessage", "editMessageText") and (chat_id is None or c.chat_id == chat_id)
    ]
    assert found, [c.method for c in calls]
    return found[-1]


async def register(harness: BotHarness, person: Person, municipality: str, role: str) -> ApiCall:
    """The whole conversation by buttons: /registrer, page until the municipality shows, role."""
    reply = last_message(await harness.send("/registrer", person))
    for _ in range(10):
        if any(municipality == t for t in reply.button_texts):
            break
        reply = last_message(await harness.press(reply, texts.REG_NEXT_BUTTON, person))
    reply = last_message(await harness.press(reply, municipality, person))
    assert reply.text == texts.REG_ASK_ROLE.format(municipality=municipality)
    return last_message(await harness.send(role, person))


async def approve(harness: BotHarness, person: Person) -> list[ApiCall]:
    row = (await queued(harness, COORDINATOR, registry.KIND_REGISTRATION))[-1]
    return await harness.press_data(row_button(row, texts.REG_APPROVE_BUTTON), COORDINATOR)


def join_request(person: Person) -> dict[str, Any]:
    return {
        "chat_join_request": {
            "chat": {"id": GROUP_ID, "type": "supergroup", "title": "FoUI Trøndelag"},
            "from": person.as_user(),
            "user_chat_id": person.id,
            "date": int(time.time()),
        }
    }


def member_update(person: Person, old: str, new: str, by: Person | None = None) -> dict[str, Any]:
    def member(status: str) -> dict[str, Any]:
        value: dict[str, Any] = {"status": status, "user": person.as_user()}
        if status == "kicked":
            value["until_date"] = 0
        return value

    return {
        "chat_member": {
            "chat": {"id": GROUP_ID, "type": "supergroup", "title": "FoUI Trøndelag"},
            "from": (by or person).as_user(),
            "date": int(time.time()),
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }
    }


# ---- registration ------------------------------------------------------------------------------


async def test_register_by_buttons_and_approval(harness: BotHarness) -> None:
    await known(harness, COORDINATOR)
    first = last_message(await harness.send("/registrer", MEMBER))
    assert first.params["parse_mode"] == "HTML"
    assert texts.REG_ASK_MUNICIPALITY in first.text and "Side 1 av 4" in first.text
    assert first.button_texts[:3] == ["Flatanger", "Frosta", "Frøya"]
    assert texts.REG_NEXT_BUTTON in first.button_texts and texts.REG_PREV_BUTTON not in first.button_texts

    done = await register(harness, MEMBER, "Trondheim", "Rådgiver for FoU & innovasjon")
    assert done.text == texts.REG_SENT.format(
        municipality="Trondheim", role="Rådgiver for FoU &amp; innovasjon"
    )
    reg = await registration(harness, MEMBER)
    assert reg is not None and (reg.municipality, reg.status) == ("Trondheim", "pending")

    [notice] = await queued(harness, COORDINATOR, registry.KIND_REGISTRATION)
    assert "Kari Nordmann" in notice.payload["text"] and "(@kari)" in notice.payload["text"]
    assert "FoU &amp; innovasjon" in notice.payload["text"]

    calls = await harness.press_data(row_button(notice, texts.REG_APPROVE_BUTTON), COORDINATOR)
    edited = last_message(calls, COORDINATOR.id)
    assert edited.method == "editMessageText"
    assert texts.REG_DECIDED_APPROVED.format(coordinator="Kristin Koordinator") in edited.text
    assert edited.buttons == []
    reg = await registration(harness, MEMBER)
    assert reg is not None and reg.status == "approved" and reg.decided_by == COORDINATOR.id
    [told] = await queued(harness, MEMBER, registry.KIND_DECISION)
    assert told.payload["text"].startswith(texts.REG_MEMBER_APPROVED.format(municipality="Trondheim"))
    # A waiting join request of the new contact is let in (Telegram says no if there is none).
    assert harness.api.last("approveChatJoinRequest").params["user_id"] == MEMBER.id
    [entry] = await audit_entries(harness, "registration.approved")
    assert entry.actor_id == COORDINATOR.id and entry.detail["user_id"] == MEMBER.id

    # The second coordinator's copy (or a second press) decides nothing.
    again = await harness.press_data(row_button(notice, texts.REG_REJECT_BUTTON), COORDINATOR)
    answer = [c for c in again if c.method == "answerCallbackQuery"][-1]
    assert answer.params["text"] == texts.REG_ALREADY_DECIDED and answer.params["show_alert"]
    reg = await registration(harness, MEMBER)
    assert reg is not None and reg.status == "approved"


async def test_rejection_is_told_to_the_member(harness: BotHarness) -> None:
    await known(harness, COORDINATOR)
    await register(harness, OTHER, "Osen", "kommunalsjef")
    [notice] = await queued(harness, COORDINATOR, registry.KIND_REGISTRATION)
    calls = await harness.press_data(row_button(notice, texts.REG_REJECT_BUTTON), COORDINATOR)
    assert texts.REG_DECIDED_REJECTED.format(coordinator="Kristin Koordinator") in last_message(calls).text
    reg = await registration(harness, OTHER)
    assert reg is not None and reg.status == "rejected"
    [told] = await queued(harness, OTHER, registry.KIND_DECISION)
    assert told.payload["text"] == texts.REG_MEMBER_REJECTED.format(municipality="Osen")
    assert not harness.api.sent("approveChatJoinRequest")


async def test_typed_part_of_a_name(harness: BotHarness) -> None:
    await harness.send("/registrer", MEMBER)
    # No match: said so, and the list is offered again.
    reply = last_message(await harness.send("Lillehammer", MEMBER))
    assert reply.text.startswith(texts.REG_NO_MATCH.format(query="Lillehammer"))
    assert "Flatanger" in reply.button_texts
    # Several: offered as buttons.
    reply = last_message(await harness.send("nam", MEMBER))
    assert reply.text == texts.REG_SEVERAL.format(query="nam")
    assert reply.button_texts == ["Namsos", "Namsskogan", texts.NW_CANCEL_BUTTON]
    reply = last_message(await harness.press(reply, "Namsskogan", MEMBER))
    assert reply.text == texts.REG_ASK_ROLE.format(municipality="Namsskogan")
    await harness.send("rådgiver", MEMBER)
    reg = await registration(harness, MEMBER)
    assert reg is not None and reg.municipality == "Namsskogan"


async def test_typed_single_match_and_escaping(harness: BotHarness) -> None:
    await harness.send("/registrer", STRANGER)
    reply = last_message(await harness.send("gauldal", STRANGER))
    assert reply.text == texts.REG_ASK_ROLE.format(municipality="Midtre Gauldal")
    empty = last_message(await harness.send("   ", STRANGER))
    assert empty.text == texts.REG_ROLE_EMPTY
    long = last_message(await harness.send("x" * 201, STRANGER))
    assert long.text == texts.REG_ROLE_TOO_LONG.format(limit=200)
    await harness.send("<b>sjef</b>", STRANGER)
    await known(harness, COORDINATOR)
    reg = await registration(harness, STRANGER)
    assert reg is not None and reg.role == "<b>sjef</b>"
    await harness.send("/registrer", STRANGER)
    await harness.send("gauldal", STRANGER)
    await harness.send("<b>sjef</b> & mer", STRANGER)
    [notice] = await queued(harness, COORDINATOR, registry.KIND_REGISTRATION)
    assert "Per &lt;script&gt; &amp; Co" in notice.payload["text"]
    assert "&lt;b&gt;sjef&lt;/b&gt; &amp; mer" in notice.payload["text"]


async def test_cancel_and_group_and_stale_buttons(harness: BotHarness) -> None:
    reply = last_message(await harness.send("/registrer", MEMBER))
    cancelled = last_message(await harness.press(reply, texts.NW_CANCEL_BUTTON, MEMBER))
    assert cancelled.text == texts.REG_CANCELLED
    # After cancelling, text is no longer taken as a municipality, and old buttons are stale.
    await harness.send("Trondheim", MEMBER)
    assert await registration(harness, MEMBER) is None
    stale = await harness.press(reply, "Frosta", MEMBER)
    assert any(
        c.method == "answerCallbackQuery" and c.params.get("text") == texts.REG_TIMED_OUT for c in stale
    )
    await harness.send("/registrer", MEMBER)
    assert last_message(await harness.send("/avbryt", MEMBER)).text == texts.REG_CANCELLED
    in_group = last_message(await harness.send("/registrer", MEMBER, group=True))
    assert in_group.chat_id == GROUP_ID
    assert in_group.text == texts.NW_PRIVATE_ONLY.format(command="/registrer")
    assert in_group.buttons[0][0]["url"].endswith("?start=registrer")


async def test_a_new_request_is_not_decided_by_an_old_button(harness: BotHarness) -> None:
    await known(harness, COORDINATOR)
    await register(harness, MEMBER, "Trondheim", "rådgiver")
    [old] = await queued(harness, COORDINATOR, registry.KIND_REGISTRATION)
    await harness.send("/registrer", MEMBER)
    await harness.send("Malvik", MEMBER)
    await harness.send("rådgiver", MEMBER)
    calls = await harness.press_data(row_button(old, texts.REG_APPROVE_BUTTON), COORDINATOR)
    assert any(c.params.get("text") == texts.REG_ALREADY_DECIDED for c in calls)
    reg = await registration(harness, MEMBER)
    assert reg is not None and (reg.municipality, reg.status) == ("Malvik", "pending")
    new = (await queued(harness, COORDINATOR, registry.KIND_REGISTRATION))[-1]
    assert "Malvik" in new.payload["text"]
    await harness.press_data(row_button(new, texts.REG_APPROVE_BUTTON), COORDINATOR)
    reg = await registration(harness, MEMBER)
    assert reg is not None and reg.status == "approved"


async def test_a_member_pressing_approve_is_refused_and_audited(harness: BotHarness) -> None:
    await known(harness, COORDINATOR)
    await register(harness, MEMBER, "Trondheim", "rådgiver")
    [notice] = await queued(harness, COORDINATOR, registry.KIND_REGISTRATION)
    calls = await harness.press_data(row_button(notice, texts.REG_APPROVE_BUTTON), OTHER)
    answer = [c for c in calls if c.method == "answerCallbackQuery"][-1]
    assert answer.params["text"] == texts.NW_NOT_COORDINATOR_BUTTON and answer.params["show_alert"]
    assert not [c for c in calls if c.method == "editMessageText"]
    reg = await registration(harness, MEMBER)
    assert reg is not None and reg.status == "pending"
    [refused] = await audit_entries(harness, "coordinator_refused")
    assert refused.actor_id == OTHER.id and refused.detail["handler"] == "decide_registration"


async def test_a_coordinator_removed_since_the_notice_is_refused(harness: BotHarness) -> None:
    """The check happens at the press, not when the notice was sent: a former group admin is refused."""
    harness.api.set_admins(GROUP_ID, [4242])
    admin = Person(id=4242, first_name="Tidligere", last_name="Admin", username=None)
    await known(harness, admin, COORDINATOR)
    await register(harness, MEMBER, "Trondheim", "rådgiver")
    notices = await queued(harness, admin, registry.KIND_REGISTRATION)
    assert len(notices) == 1
    harness.api.set_admins(GROUP_ID, [])
    from handlers.auth import forget_admins

    forget_admins(harness.app.bot_data)
    await harness.press_data(row_button(notices[0], texts.REG_APPROVE_BUTTON), admin)
    reg = await registration(harness, MEMBER)
    assert reg is not None and reg.status == "pending"


# ---- join requests and membership --------------------------------------------------------------


async def test_join_request_from_an_approved_contact_is_approved_at_once(harness: BotHarness) -> None:
    await known(harness, COORDINATOR)
    await register(harness, MEMBER, "Trondheim", "rådgiver")
    await approve(harness, MEMBER)
    harness.api.clear()
    calls = await harness.process(join_request(MEMBER))
    [approved] = [c for c in calls if c.method == "approveChatJoinRequest"]
    assert approved.params == {"chat_id": GROUP_ID, "user_id": MEMBER.id}
    assert not [c for c in calls if c.method == "sendMessage"]
    assert await queued(harness, COORDINATOR, registry.KIND_JOIN_REQUEST) == []
    assert [e.detail for e in await audit_entries(harness, "join_request.approved_auto")] == [
        {"user_id": MEMBER.id}
    ]


async def test_join_request_from_an_unknown_person(harness: BotHarness) -> None:
    await known(harness, COORDINATOR)
    calls = await harness.process(join_request(STRANGER))
    assert not [c for c in calls if c.method in ("approveChatJoinRequest", "declineChatJoinRequest")]
    asked = last_message(calls, STRANGER.id)
    assert asked.text == texts.JOIN_ASK_REGISTER.format(name="Per &lt;script&gt;")
    assert asked.button_texts == [texts.JOIN_REGISTER_BUTTON]
    [notice] = await queued(harness, COORDINATOR, registry.KIND_JOIN_REQUEST)
    assert "Per &lt;script&gt; &amp; Co" in notice.payload["text"]
    assert texts.JOIN_STATUS_UNKNOWN in notice.payload["text"]
    # The same request seen twice (a redelivered update) queues the notice once; a new one again.
    update = join_request(STRANGER)
    update["chat_join_request"]["date"] += 60
    await harness.process(dict(update))
    await harness.process(dict(update, update_id=harness.api.next_update_id()))
    assert len(await queued(harness, COORDINATOR, registry.KIND_JOIN_REQUEST)) == 2

    # The button in the private message starts the registration.
    reply = last_message(await harness.press(asked, texts.JOIN_REGISTER_BUTTON, STRANGER))
    assert texts.REG_ASK_MUNICIPALITY in reply.text

    # A member may not let people in.
    refused = await harness.press_data(row_button(notice, texts.JOIN_APPROVE_BUTTON), MEMBER)
    assert not [c for c in refused if c.method == "approveChatJoinRequest"]
    assert (await audit_entries(harness, "coordinator_refused"))[-1].actor_id == MEMBER.id

    # One button lets the person in.
    calls = await harness.press_data(row_button(notice, texts.JOIN_APPROVE_BUTTON), COORDINATOR)
    [approved] = [c for c in calls if c.method == "approveChatJoinRequest"]
    assert approved.params == {"chat_id": GROUP_ID, "user_id": STRANGER.id}
    assert texts.JOIN_APPROVED_BY.format(coordinator="Kristin Koordinator") in last_message(calls).text
    [entry] = await audit_entries(harness, "join_request.approved")
    assert entry.actor_id == COORDINATOR.id and entry.detail == {"user_id": STRANGER.id}

    # A request that was already handled elsewhere: said so, nothing breaks.
    harness.api.fail(
        "approveChatJoinRequest", error_code=400, description="Bad Request: HIDE_REQUESTER_MISSING"
    )
    calls = await harness.press_data(row_button(notice, texts.JOIN_APPROVE_BUTTON), COORDINATOR)
    assert any(c.params.get("text") == texts.JOIN_ALREADY_HANDLED for c in calls)


async def test_join_request_with_a_pending_registration(harness: BotHarness) -> None:
    await known(harness, COORDINATOR)
    await register(harness, MEMBER, "Trondheim", "rådgiver")
    calls = await harness.process(join_request(MEMBER))
    asked = last_message(calls, MEMBER.id)
    assert asked.text == texts.JOIN_PENDING.format(name="Kari", municipality="Trondheim")
    [notice] = await queued(harness, COORDINATOR, registry.KIND_JOIN_REQUEST)
    assert (
        texts.JOIN_STATUS_PENDING.format(municipality="Trondheim", role="rådgiver") in notice.payload["text"]
    )
    calls = await harness.press_data(row_button(notice, texts.JOIN_DECLINE_BUTTON), COORDINATOR)
    assert [c.params for c in calls if c.method == "declineChatJoinRequest"] == [
        {"chat_id": GROUP_ID, "user_id": MEMBER.id}
    ]


async def test_join_requests_for_other_chats_are_left_alone(harness: BotHarness) -> None:
    update = join_request(STRANGER)
    update["chat_join_request"]["chat"]["id"] = -100999
    calls = await harness.process(update)
    assert not [c for c in calls if c.method in ("sendMessage", "approveChatJoinRequest")]


async def test_leaving_the_group_closes_the_contacts(harness: BotHarness) -> None:
    await known(harness, COORDINATOR)
    await register(harness, MEMBER, "Trondheim", "rådgiver")
    await approve(harness, MEMBER)
    harness.api.set_member_status(GROUP_ID, MEMBER.id, "member")
    await harness.process(member_update(MEMBER, "left", "member"))
    async with harness.services.session() as s:
        chat = await members.get_chat(s, MEMBER.id)
        assert chat is not None and chat.in_group
    ok = last_message(await harness.send("/kontakter", MEMBER))
    assert "Kari Nordmann" in ok.text and "Trondheim" in ok.text

    harness.api.set_member_status(GROUP_ID, MEMBER.id, "left")
    await harness.process(member_update(MEMBER, "member", "left"))
    async with harness.services.session() as s:
        chat = await members.get_chat(s, MEMBER.id)
        assert chat is None or not chat.in_group
    refused = last_message(await harness.send("/kontakter", MEMBER))
    assert refused.text == texts.CONTACTS_REFUSED_NOT_IN_GROUP
    [notice] = await queued(harness, COORDINATOR, registry.KIND_LEFT)
    assert "Trondheim" in notice.payload["text"]

    # Removed by an admin (kicked) works the same; joining again opens the list.
    harness.api.set_member_status(GROUP_ID, MEMBER.id, "member")
    await harness.process(member_update(MEMBER, "left", "member"))
    assert "Kari Nordmann" in last_message(await harness.send("/kontakter", MEMBER)).text
    harness.api.set_member_status(GROUP_ID, MEMBER.id, "kicked")
    await harness.process(member_update(MEMBER, "member", "kicked", by=COORDINATOR))
    async with harness.services.session() as s:
        chat = await members.get_chat(s, MEMBER.id)
        assert chat is None or not chat.in_group


async def test_a_new_group_member_is_recorded_as_in_the_group(harness: BotHarness) -> None:
    await harness.process(member_update(STRANGER, "left", "member"))
    async with harness.services.session() as s:
        chat = await members.get_chat(s, STRANGER.id)
        assert chat is not None and chat.in_group and chat.kind == "private"


# ---- /kontakter and /dekning -------------------------------------------------------------------


async def test_contacts_refused_for_unregistered_and_pending(harness: BotHarness) -> None:
    assert last_message(await harness.send("/kontakter", MEMBER)).text == texts.CONTACTS_REFUSED_UNREGISTERED
    await register(harness, MEMBER, "Trondheim", "rådgiver")
    assert last_message(await harness.send("/kontakter", MEMBER)).text == texts.CONTACTS_REFUSED_PENDING
    group = last_message(await harness.send("/kontakter", MEMBER, group=True))
    assert group.text == texts.NW_PRIVATE_ONLY.format(command="/kontakter")


async def test_contacts_for_coordinators_and_by_municipality(harness: BotHarness) -> None:
    await known(harness, COORDINATOR)
    await register(harness, MEMBER, "Trondheim", "rådgiver")
    await approve(harness, MEMBER)
    await register(harness, STRANGER, "Malvik", "<i>sjef</i>")
    await approve(harness, STRANGER)
    everyone = last_message(await harness.send("/kontakter", COORDINATOR))
    assert everyone.text.startswith(texts.CONTACTS_HEADER.format(count=2))
    assert everyone.text.index("<b>Malvik</b>") < everyone.text.index("<b>Trondheim</b>")
    assert "• Per &lt;script&gt; &amp; Co (@per_co) – &lt;i&gt;sjef&lt;/i&gt;" in everyone.text
    assert "• Kari Nordmann (@kari) – rådgiver" in everyone.text
    one = last_message(await harness.send("/kontakter trond", COORDINATOR))
    assert "Kari Nordmann" in one.text and "Malvik" not in one.text
    none = last_message(await harness.send("/kontakter Osen", COORDINATOR))
    assert none.text == texts.CONTACTS_NONE_FOR.format(municipalities="Osen")
    nomatch = last_message(await harness.send("/kontakter Bergen", COORDINATOR))
    assert nomatch.text == texts.CONTACTS_NO_MATCH.format(query="Bergen")
    # An approved member in the group sees it too.
    harness.api.set_member_status(GROUP_ID, MEMBER.id, "member")
    assert "Per &lt;script&gt;" in last_message(await harness.send("/kontakter", MEMBER)).text


async def test_coverage_for_coordinators_only(harness: BotHarness) -> None:
    await known(harness, COORDINATOR)
    refused = last_message(await harness.send("/dekning", MEMBER))
    assert refused.text == texts.NW_NOT_COORDINATOR
    assert (await audit_entries(harness, "coordinator_refused"))[-1].actor_id == MEMBER.id
    await register(harness, MEMBER, "Trondheim", "rådgiver")
    await approve(harness, MEMBER)
    await register(harness, OTHER, "Osen", "rådgiver")
    coverage = last_message(await harness.send("/dekning", COORDINATOR)).text
    assert coverage.startswith(texts.COVERAGE_HEADER.format(covered=1, total=38))
    assert texts.COVERAGE_WITH.format(count=1) + "\nTrondheim" in coverage
    assert texts.COVERAGE_WITHOUT.format(count=37) in coverage
    assert texts.COVERAGE_ITEM_PENDING.format(municipality="Osen", count=1) in coverage
    assert texts.COVERAGE_PENDING_TOTAL.format(count=1) in coverage


async def test_menus_put_coverage_in_the_coordinators_menu_only() -> None:
    from handlers import registry as commands

    names = {c.command for c in commands.menu(commands.PRIVATE)}
    assert {"registrer", "kontakter", "minedata", "slettmeg"} <= names and "dekning" not in names
    assert "dekning" in {c.command for c in commands.menu(commands.COORDINATOR)}


async def test_deep_link_start_registrer_opens_the_registration(harness: BotHarness) -> None:
    reply = last_message(await harness.send("/start registrer", MEMBER))
    assert texts.REG_ASK_MUNICIPALITY in reply.text
    plain = last_message(await harness.send("/start", OTHER))
    assert texts.REG_ASK_MUNICIPALITY not in plain.text


async def test_a_join_request_is_not_membership(harness: BotHarness) -> None:
    await harness.process(join_request(STRANGER))
    async with harness.services.session() as s:
        chat = await members.get_chat(s, STRANGER.id)
        assert chat is None or not chat.in_group


async def test_coordinators_pushes_skip_members_who_left_the_group(harness: BotHarness) -> None:
    from storage.announcements import Audience, audience_chat_ids

    await known(harness, MEMBER, OTHER)  # OTHER was never seen in the group: still a member

    async def recipients() -> set[int]:
        async with harness.services.session() as s:
            ids, _ = await audience_chat_ids(
                s, Audience(members=True), group_telegram_id=GROUP_ID, now=harness.services.now()
            )
            chats = {p.id: (await members.get_chat(s, p.id)) for p in (MEMBER, OTHER)}
            return {tid for tid, chat in chats.items() if chat is not None and chat.id in ids}

    assert await recipients() == {MEMBER.id, OTHER.id}
    await harness.process(member_update(MEMBER, "member", "left"))
    assert await recipients() == {OTHER.id}
    async with harness.services.session() as s:
        chat = await members.get_chat(s, MEMBER.id)
        assert chat is not None and chat.left_group_at is not None and not chat.in_group
    await harness.process(member_update(MEMBER, "left", "member"))
    assert await recipients() == {MEMBER.id, OTHER.id}


async def test_every_coordinator_command_refuses_a_member_the_same_way(harness: BotHarness) -> None:
    """One polite refusal for the network's coordinator command as for the others."""
    await known(harness, MEMBER)
    for command in ("/dekning", "/nyfrist", "/kilder", "/status"):
        refused = last_message(await harness.send(command, MEMBER))
        assert refused.text == texts.COORD_REFUSED, command
