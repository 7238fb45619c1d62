"""/minedata and /slettmeg end to end: the file holds the person's data and no one else's; deletion
asks first, leaves nothing personal behind and keeps the audit log anonymous."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from bot import texts
from storage import members, privacy, registry
from storage.models import (
    AuditLog,
    Call,
    CallMute,
    Chat,
    Event,
    KeywordAlert,
    Outbox,
    Registration,
    Rsvp,
    Subscription,
    Topic,
)
from tests.fixtures_bot import COORDINATOR, MEMBER, OTHER
from tests.support.harness import GROUP_ID, BotHarness
from tests.test_network_e2e import approve, known, last_message, queued, register

pytestmark = pytest.mark.filterwarnings("ignore:Ignoring `conversation_timeout`")


async def give_everything(harness: BotHarness) -> None:
    """MEMBER and OTHER each follow a topic, have an alert, a mute, an RSVP and a registration."""
    await known(harness, COORDINATOR, MEMBER, OTHER)
    await register(harness, MEMBER, "Trondheim", "rådgiver")
    await approve(harness, MEMBER)
    await register(harness, OTHER, "Malvik", "kommunalsjef")
    now = harness.services.now()
    async with harness.services.session() as s:
        topic = (await s.execute(select(Topic).order_by(Topic.id).limit(1))).scalar_one_or_none()
        if topic is None:
            topic = Topic(slug="helse", name="Helse")
            s.add(topic)
        call = Call(key="k1", title="Utlysning A")
        event = Event(title="Samling i Steinkjer", starts_at=now)
        s.add_all([call, event])
        await s.flush()
        for person in (MEMBER, OTHER):
            chat = await members.get_chat(s, person.id)
            assert chat is not None
            s.add_all(
                [
                    Subscription(chat_id=chat.id, topic_id=topic.id),
                    KeywordAlert(chat_id=chat.id, keyword=f"ord{person.id}"),
                    CallMute(chat_id=chat.id, call_id=call.id),
                    Rsvp(event_id=event.id, chat_id=chat.id, answer="yes"),
                ]
            )


def document(calls: list[Any]) -> tuple[str, dict[str, Any]]:
    [sent] = [c for c in calls if c.method == "sendDocument"]
    filename, content = next(iter(sent.files.values()))
    return filename, json.loads(content.decode("utf-8"))


async def test_minedata_sends_the_persons_data_only(harness: BotHarness) -> None:
    await give_everything(harness)
    calls = await harness.send("/minedata", MEMBER)
    [sent] = [c for c in calls if c.method == "sendDocument"]
    assert sent.chat_id == MEMBER.id and sent.params["caption"] == texts.MYDATA_CAPTION
    filename, data = document(calls)
    assert filename == "minedata-2026-11-23.json"
    assert data["telegram_user_id"] == MEMBER.id
    assert data["profile"]["name"] == "Kari Nordmann" and data["profile"]["username"] == "kari"
    assert (
        data["registration"]["municipality"] == "Trondheim" and data["registration"]["status"] == "approved"
    )
    assert [a["keyword"] for a in data["keyword_alerts"]] == [f"ord{MEMBER.id}"]
    assert len(data["subscriptions"]) == 1 and len(data["muted_calls"]) == 1
    assert [r["event"] for r in data["rsvps"]] == ["Samling i Steinkjer"]
    assert "registration.submitted" in [a["action"] for a in data["audit_log"]]
    assert [m["kind"] for m in data["messages_to_you"]] == [registry.KIND_DECISION]
    dumped = json.dumps(data, ensure_ascii=False)
    for other in ("Ola", "Hansen", "Malvik", str(OTHER.id), "Kristin", str(COORDINATOR.id)):
        assert other not in dumped, other


async def test_minedata_and_slettmeg_only_in_private(harness: BotHarness) -> None:
    for command in ("/minedata", "/slettmeg"):
        calls = await harness.send(command, MEMBER, group=True)
        assert not [c for c in calls if c.method == "sendDocument"]
        reply = last_message(calls, GROUP_ID)
        assert reply.text == texts.NW_PRIVATE_ONLY.format(command=command)


async def test_slettmeg_with_confirmation_leaves_nothing_personal(harness: BotHarness) -> None:
    await give_everything(harness)
    ask = last_message(await harness.send("/slettmeg", MEMBER))
    assert ask.text == texts.DELETE_CONFIRM
    assert ask.button_texts == [texts.DELETE_YES_BUTTON, texts.NW_CANCEL_BUTTON]
    async with harness.services.session() as s:
        member_chat = await members.get_chat(s, MEMBER.id)
        assert member_chat is not None
        chat_id = member_chat.id

    done = last_message(await harness.press(ask, texts.DELETE_YES_BUTTON, MEMBER))
    assert done.text == texts.DELETE_DONE

    async with harness.services.session() as s:
        assert (
            await s.scalar(select(func.count()).select_from(Chat).where(Chat.telegram_id == MEMBER.id)) == 0
        )
        for model in (Subscription, KeywordAlert, CallMute, Rsvp, Registration, Outbox):
            count = await s.scalar(select(func.count()).select_from(model).where(model.chat_id == chat_id))
            assert count == 0, model.__name__
        assert (await privacy.count_personal_rows(s, MEMBER.id)) == {
            "chats": 0,
            "registrations": 0,
            "audit_log": 0,
            "outbox_about": 0,
        }
        entries = list((await s.execute(select(AuditLog).order_by(AuditLog.id))).scalars())
        assert all(MEMBER.id != e.actor_id for e in entries)
        assert all(str(MEMBER.id) not in json.dumps(e.detail) for e in entries)
        actions = [(e.action, e.actor_id) for e in entries]
        assert ("registration.submitted", None) in actions  # kept, anonymous
        assert ("registration.approved", COORDINATOR.id) in actions  # the coordinator's act stays theirs
        assert actions[-1] == (privacy.DELETED_ACTION, None)
        # The coordinators' notice about the member is gone; OTHER keeps everything.
        texts_queued = [r.payload.get("text", "") for r in await queued(harness, COORDINATOR)]
        assert not any("Kari" in t for t in texts_queued)
        assert any("Ola Hansen" in t for t in texts_queued)
        other = await privacy.export(s, OTHER.id, harness.services.now())
        assert other["registration"]["municipality"] == "Malvik" and len(other["keyword_alerts"]) == 1

    # The contact list no longer has them, and they no longer have access.
    contacts = last_message(await harness.send("/kontakter", COORDINATOR))
    assert "Kari" not in contacts.text
    assert last_message(await harness.send("/kontakter", MEMBER)).text == texts.CONTACTS_REFUSED_UNREGISTERED


async def test_slettmeg_cancel_keeps_everything(harness: BotHarness) -> None:
    await give_everything(harness)
    ask = last_message(await harness.send("/slettmeg", MEMBER))
    cancelled = last_message(await harness.press(ask, texts.NW_CANCEL_BUTTON, MEMBER))
    assert cancelled.text == texts.DELETE_CANCELLED
    async with harness.services.session() as s:
        data = await privacy.export(s, MEMBER.id, harness.services.now())
    assert data["registration"]["status"] == "approved" and len(data["keyword_alerts"]) == 1


async def test_an_old_confirmation_does_not_delete(harness: BotHarness, clock: Any) -> None:
    await give_everything(harness)
    ask = last_message(await harness.send("/slettmeg", MEMBER))
    clock.advance(minutes=11)
    expired = last_message(await harness.press(ask, texts.DELETE_YES_BUTTON, MEMBER))
    assert expired.text == texts.DELETE_EXPIRED
    async with harness.services.session() as s:
        assert await registry.is_approved(s, MEMBER.id)


async def test_slettmeg_for_someone_with_nothing_stored(harness: BotHarness) -> None:
    ask = last_message(await harness.send("/slettmeg", OTHER))
    done = last_message(await harness.press(ask, texts.DELETE_YES_BUTTON, OTHER))
    # The bot knew the chat itself (it answered /slettmeg), so that is what was deleted.
    assert done.text in (texts.DELETE_DONE, texts.DELETE_NOTHING)
    async with harness.services.session() as s:
        assert await s.scalar(select(func.count()).select_from(Chat).where(Chat.telegram_id == OTHER.id)) == 0
