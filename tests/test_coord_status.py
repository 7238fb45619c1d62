"""/status and /statistikk end to end, and their storage queries on both databases."""

from __future__ import annotations

from datetime import timedelta

from alembic.script import ScriptDirectory
from sqlalchemy import select

from bot import texts
from storage.audit import REFUSED
from storage.db import alembic_config
from storage.models import Outbox, OutboxStatus, Source
from tests.coord_helpers import add_member, audit_entries, last_message
from tests.fixtures_bot import COORDINATOR, MEMBER
from tests.support.harness import BotHarness, FakeClock


async def _seed(harness: BotHarness, clock: FakeClock) -> None:
    now = clock.now
    a = await add_member(harness, 2001, topics=["helse", "oppvekst"], last_seen_at=now - timedelta(days=2))
    await add_member(harness, 2002, topics=["helse"], last_seen_at=now - timedelta(days=90))
    await add_member(harness, 2003, active=False)
    async with harness.services.session() as s:
        s.add(
            Outbox(
                chat_id=a, kind="t", subject="1", status=OutboxStatus.SENT, sent_at=now - timedelta(hours=2)
            )
        )
        s.add(
            Outbox(
                chat_id=a, kind="t", subject="2", status=OutboxStatus.SENT, sent_at=now - timedelta(days=8)
            )
        )
        s.add(
            Outbox(
                chat_id=a,
                kind="t",
                subject="3",
                status=OutboxStatus.FAILED,
                created_at=now - timedelta(hours=1),
            )
        )
        s.add(Outbox(chat_id=a, kind="t", subject="4", status=OutboxStatus.PENDING))
        s.add(
            Source(
                name="Forskningsrådet <utlysninger>",
                kind="forskningsradet",
                url="https://fixture.forskningsradet.test/utlysninger/",
                last_success_at=now - timedelta(days=2),
                last_error_at=now - timedelta(hours=1),
                last_error="HTTP 503 Service Unavailable",
                created_at=now - timedelta(days=30),
            )
        )
        s.add(
            Source(
                name="RFF", kind="forskningsradet", url="https://rff.no/", last_success_at=now, created_at=now
            )
        )


async def test_status(harness: BotHarness, clock: FakeClock) -> None:
    await _seed(harness, clock)
    reply = last_message(await harness.send("/status", COORDINATOR))
    assert reply.text.startswith("🩺 <b>Status for FoUI-boten</b>")
    assert "Database: SQLite" in reply.text or "Database: PostgreSQL" in reply.text
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert f"(skjema {head})" in reply.text
    assert "Utboks: 1 venter" in reply.text
    assert "Siste døgn: 1 sendt, 1 feilet" in reply.text
    async with harness.services.session() as session:
        total = len((await session.execute(select(Source))).scalars().all())  # fixtures + seeded defaults
    assert total >= 2
    assert f"Kilder: {total} i alt, 1 med feil" in reply.text
    assert (
        "Forskningsrådet &lt;utlysninger&gt;: feiler siden lørdag 21. november kl. 10:00 – HTTP 503"
        in reply.text
    )


async def test_statistikk(harness: BotHarness, clock: FakeClock) -> None:
    await _seed(harness, clock)
    reply = last_message(await harness.send("/statistikk", COORDINATOR))
    # The coordinator who wrote is a member too (registered by the chat tracker when present).
    assert "Medlemmer: " in reply.text and "aktive siste 30 dager" in reply.text
    assert "• Helse, omsorg og velferdsteknologi: 2" in reply.text
    assert "• Oppvekst og utdanning: 1" in reply.text
    assert "• uke 48 (23.11.): 1" in reply.text
    assert "• uke 47 (16.11.): 0" in reply.text
    assert "• uke 46 (09.11.): 1" in reply.text


async def test_status_and_statistikk_are_refused_to_members(harness: BotHarness) -> None:
    assert last_message(await harness.send("/status", MEMBER)).text == texts.COORD_REFUSED
    assert last_message(await harness.send("/statistikk", MEMBER)).text == texts.COORD_REFUSED
    assert [e.detail["command"] for e in await audit_entries(harness, REFUSED)] == ["/status", "/statistikk"]


async def test_member_stats_counts(harness: BotHarness, clock: FakeClock) -> None:
    from storage import stats

    await _seed(harness, clock)
    async with harness.services.session() as s:
        figures = await stats.member_stats(s, now=clock.now)
        assert figures.members == 2 and figures.active == 1
        failing = await stats.failing_sources(s)
        assert [f.kind for f in failing] == ["forskningsradet"]
        assert stats.failing_since(failing[0]) == clock.now - timedelta(days=2)
