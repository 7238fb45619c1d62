"""The contact registry on SQLite and PostgreSQL: submit, decide once, contacts, coverage, membership."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage import members, registry
from storage.models import Chat, ChatKind, Registration
from storage.registry import RegistrationStatus, Submitted

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def person(session: AsyncSession, telegram_id: int, name: str, username: str | None = None) -> Chat:
    return await members.touch_chat(
        session, telegram_id, kind=ChatKind.PRIVATE, name=name, username=username, now=NOW, active=True
    )


async def test_submit_then_resubmit(session_factory: async_sessionmaker[AsyncSession]) -> None:
    async with session_factory() as s:
        kari = await person(s, 1001, "Kari Nordmann", "kari")
        first, outcome = await registry.submit(s, kari, "Trondheim", "  rådgiver   FoU ", NOW)
        assert outcome == Submitted.NEW
        assert (first.status, first.role) == (RegistrationStatus.PENDING, "rådgiver FoU")
        same, outcome = await registry.submit(s, kari, "Trondheim", "rådgiver FoU", NOW)
        assert outcome == Submitted.UNCHANGED and same.id == first.id
        old_token = registry.request_token(first)
        other, outcome = await registry.submit(s, kari, "Malvik", "rådgiver FoU", NOW)
        assert outcome == Submitted.NEW
        # The database may reuse the id; the token tells the old request from the new one.
        assert registry.request_token(other) != old_token
        assert (
            await registry.decide(s, other.id, approve=True, decided_by=9001, now=NOW, token=old_token)
            is None
        )
        assert await registry.decide(
            s, other.id, approve=False, decided_by=9001, now=NOW, token=registry.request_token(other)
        )
        await s.commit()
        rows = (await s.execute(select(Registration))).scalars().all()
        assert [(r.municipality, r.status) for r in rows] == [("Malvik", RegistrationStatus.REJECTED)]


async def test_decide_once_and_role_change_keeps_approval(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as s:
        kari = await person(s, 1001, "Kari")
        reg, _ = await registry.submit(s, kari, "Trondheim", "rådgiver", NOW)
        await s.commit()
        decided = await registry.decide(s, reg.id, approve=True, decided_by=9001, now=NOW)
        assert decided is not None and decided.status == RegistrationStatus.APPROVED
        assert decided.decided_by == 9001 and decided.decided_at == NOW
        # A second press (another coordinator, or the same twice) changes nothing.
        assert await registry.decide(s, reg.id, approve=False, decided_by=9002, now=NOW) is None
        assert await registry.decide(s, 999999, approve=True, decided_by=9001, now=NOW) is None
        assert await registry.is_approved(s, 1001)
        updated, outcome = await registry.submit(s, kari, "Trondheim", "kommunalsjef", NOW)
        assert outcome == Submitted.ROLE_UPDATED and updated.status == RegistrationStatus.APPROVED
        moved, outcome = await registry.submit(s, kari, "Malvik", "kommunalsjef", NOW)
        assert outcome == Submitted.NEW and moved.status == RegistrationStatus.PENDING
        assert not await registry.is_approved(s, 1001)
        await s.commit()


async def test_contacts_and_coverage(session_factory: async_sessionmaker[AsyncSession]) -> None:
    async with session_factory() as s:
        names = ("Malvik", "Osen", "Trondheim")
        regs = []
        for tid, name, municipality in (
            (1, "Åse <b>", "Trondheim"),
            (2, "Bjørn", "Trondheim"),
            (3, "Cecilie", "Osen"),
            (4, "Dag", "Gamleby"),
        ):
            chat = await person(s, tid, name)
            reg, _ = await registry.submit(s, chat, municipality, "rolle", NOW)
            regs.append(reg)
        for reg in (regs[0], regs[1], regs[3]):
            await registry.decide(s, reg.id, approve=True, decided_by=9001, now=NOW)
        await s.commit()
        contacts = await registry.approved_contacts(s)
        assert [(c.municipality, c.name) for c in contacts] == [
            ("Gamleby", "Dag"),
            ("Trondheim", "Bjørn"),
            ("Trondheim", "Åse <b>"),
        ]
        only = await registry.approved_contacts(s, ["Osen", "Trondheim"])
        assert {c.telegram_id for c in only} == {1, 2}
        coverage = await registry.coverage(s, names)
        assert coverage.covered == {"Trondheim": 2}
        assert coverage.uncovered == ["Malvik", "Osen"]
        assert coverage.pending == {"Osen": 1}
        assert coverage.unlisted == {"Gamleby": 1}
        assert [r.municipality for r in await registry.pending_registrations(s)] == ["Osen"]


async def test_membership_flag_and_reachable_coordinators(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as s:
        await person(s, 1001, "Kari")
        await person(s, 9001, "Koordinator")
        assert await registry.set_in_group(s, 1001, True)
        assert not await registry.set_in_group(s, 5555, True)  # unknown: nothing stored
        await members.set_inactive(s, 9001, "har blokkert boten")
        await s.commit()
        chat = await members.get_chat(s, 1001)
        assert chat is not None and chat.in_group
        assert set(await registry.private_chat_ids(s, [1001, 9001, 5555])) == {1001}
        assert await registry.private_chat_ids(s, []) == {}
