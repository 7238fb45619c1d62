"""Export and deletion of one person's data, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage import audit, members, outbox, privacy, registry
from storage.models import (
    AuditLog,
    Call,
    CallMute,
    Chat,
    ChatKind,
    Event,
    KeywordAlert,
    Outbox,
    Registration,
    Rsvp,
    Subscription,
    Topic,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
KARI, OLA, COORD = 1001, 1002, 9001


async def populate(s: AsyncSession) -> dict[str, int]:
    """Two members with everything a member can have, a coordinator who decided, and audit entries."""
    topic = Topic(slug="helse", name="Helse og velferd", keywords=[], position=1)
    call = Call(key="c1", title="Utlysning om velferdsteknologi", url="https://example.org/c1")
    event = Event(title="Webinar om søknadsskriving", starts_at=NOW + timedelta(days=7))
    s.add_all([topic, call, event])
    await s.flush()
    ids = {}
    for tid, name, username in ((KARI, "Kari Nordmann", "kari"), (OLA, "Ola Hansen", None)):
        chat = await members.touch_chat(
            s, tid, kind=ChatKind.PRIVATE, name=name, username=username, now=NOW, active=True
        )
        ids[name] = chat.id
        s.add_all(
            [
                Subscription(chat_id=chat.id, topic_id=topic.id),
                KeywordAlert(chat_id=chat.id, keyword=f"nøkkel-{tid}"),
                CallMute(chat_id=chat.id, call_id=call.id),
                Rsvp(event_id=event.id, chat_id=chat.id, answer="yes"),
            ]
        )
        reg, _ = await registry.submit(s, chat, "Trondheim" if tid == KARI else "Malvik", f"rolle {tid}", NOW)
        await outbox.enqueue(
            s, chat_id=chat.id, kind="reminder", subject=f"call:{call.id}", payload={"text": "x"}
        )
        await audit.record(s, actor_id=tid, action="registration.submitted", detail={"user_id": tid}, at=NOW)
        await registry.decide(s, reg.id, approve=True, decided_by=COORD, now=NOW)
        await audit.record(
            s,
            actor_id=COORD,
            action="registration.approved",
            detail={"registration_id": reg.id, "user_id": tid, "municipality": "Trondheim"},
            at=NOW,
        )
    coord = await members.touch_chat(
        s, COORD, kind=ChatKind.PRIVATE, name="Koordinator", username=None, now=NOW
    )
    # A notice about Kari to the coordinator, and a refused press by Kari with her id in the data.
    await outbox.enqueue(
        s,
        chat_id=coord.id,
        kind=registry.KIND_REGISTRATION,
        subject=registry.subject_about(KARI, 1),
        payload={"text": "Kari Nordmann vil registrere seg"},
    )
    await audit.record(
        s,
        actor_id=OLA,
        action=audit.REFUSED,
        detail={"handler": "x", "command": f"nw.j:a:-100:{KARI}"},
        at=NOW,
    )
    call.created_by = KARI
    call.deadline_decided_by = KARI  # as if Kari had answered a question about its deadline
    await s.flush()
    return ids


async def test_export_holds_the_person_and_no_one_else(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as s:
        await populate(s)
        await s.commit()
        data = await privacy.export(s, KARI, NOW)
    dumped = json.dumps(data, ensure_ascii=False)
    assert data["telegram_user_id"] == KARI
    assert data["profile"]["name"] == "Kari Nordmann" and data["profile"]["username"] == "kari"
    assert [x["topic"] for x in data["subscriptions"]] == ["helse"]
    assert [x["keyword"] for x in data["keyword_alerts"]] == ["nøkkel-1001"]
    assert [x["call"] for x in data["muted_calls"]] == ["Utlysning om velferdsteknologi"]
    assert [(x["event"], x["answer"]) for x in data["rsvps"]] == [("Webinar om søknadsskriving", "yes")]
    assert (
        data["registration"]["municipality"] == "Trondheim" and data["registration"]["status"] == "approved"
    )
    assert [x["kind"] for x in data["messages_to_you"]] == ["reminder"]
    assert [x["action"] for x in data["audit_log"]] == ["registration.submitted"]
    assert [x["title"] for x in data["calls_you_added"]] == ["Utlysning om velferdsteknologi"]
    for other in ("Ola", "Hansen", "Malvik", "1002", "nøkkel-1002", "Koordinator", "9001"):
        assert other not in dumped, other


async def test_export_of_a_stranger_is_nearly_empty(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as s:
        await populate(s)
        data = await privacy.export(s, 4242, NOW)
    assert "profile" not in data and data["audit_log"] == [] and data["calls_you_added"] == []


async def test_delete_leaves_nothing_personal_and_keeps_anonymous_records(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as s:
        ids = await populate(s)
        await s.commit()
        deleted = await privacy.delete_person(s, KARI, NOW)
        await s.commit()
    assert deleted.anything
    assert deleted.counts["subscriptions"] == 1 and deleted.counts["registration"] == 1
    assert deleted.counts["messages_about_you"] == 1
    kari_chat = ids["Kari Nordmann"]
    async with session_factory() as s:
        for model in (Subscription, KeywordAlert, CallMute, Rsvp, Registration, Outbox):
            count = await s.scalar(select(func.count()).select_from(model).where(model.chat_id == kari_chat))
            assert count == 0, model.__name__
        assert await s.scalar(select(func.count()).select_from(Chat).where(Chat.telegram_id == KARI)) == 0
        assert await privacy.count_personal_rows(s, KARI) == {
            "chats": 0,
            "registrations": 0,
            "audit_log": 0,
            "outbox_about": 0,
        }
        entries = (await s.execute(select(AuditLog).order_by(AuditLog.id))).scalars().all()
        for entry in entries:
            text = json.dumps(entry.detail)
            assert entry.actor_id != KARI
            assert "1001" not in text, (entry.action, entry.detail)
        actions = [(e.action, e.actor_id) for e in entries]
        assert ("registration.submitted", None) in actions  # Kari's own entry, now anonymous
        assert ("registration.submitted", OLA) in actions  # Ola's untouched
        approved = [e.detail for e in entries if e.action == "registration.approved"]
        assert {"registration_id"} <= set(approved[0]) and "municipality" not in approved[0]
        assert approved[1]["user_id"] == OLA  # Ola's entry keeps Ola
        refused = next(e for e in entries if e.action == audit.REFUSED)
        assert (
            refused.actor_id == OLA and "command" not in refused.detail and refused.detail["handler"] == "x"
        )
        assert entries[-1].action == privacy.DELETED_ACTION and entries[-1].actor_id is None
        assert (await s.execute(select(Call.created_by))).scalars().all() == [None]
        assert (await s.execute(select(Call.deadline_decided_by))).scalars().all() == [None]
        # Ola keeps everything.
        ola = await privacy.export(s, OLA, NOW)
        assert ola["registration"]["municipality"] == "Malvik" and len(ola["subscriptions"]) == 1


async def test_a_coordinator_deleting_anonymises_their_decisions(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as s:
        await populate(s)
        await s.commit()
        await privacy.delete_person(s, COORD, NOW)
        await s.commit()
        decided = (await s.execute(select(Registration.decided_by, Registration.status))).all()
        assert decided and all(by is None and status == "approved" for by, status in decided)
        assert (
            await s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.actor_id == COORD)) == 0
        )


async def test_deleting_a_stranger_changes_nothing(session_factory: async_sessionmaker[AsyncSession]) -> None:
    async with session_factory() as s:
        await populate(s)
        await s.commit()
        before = await s.scalar(select(func.count()).select_from(Chat))
        deleted = await privacy.delete_person(s, 4242, NOW)
        await s.commit()
        assert not deleted.anything
        assert await s.scalar(select(func.count()).select_from(Chat)) == before
