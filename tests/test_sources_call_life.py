"""A planned call that opens is told once ("Utlysningen er åpnet"); a change in what matters (amount,
who may apply, deadline) is told in ONE grouped notice, never one per field (the real poll, loopback)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from bot import texts
from bot.app import wire
from bot.config import load_settings
from bot.poll import poll as polling
from bot.push.opening import KIND_CALL_CHANGED, KIND_CALL_OPENED
from bot.services import Services
from feeds.catalogue import DEFAULT_TOPICS
from storage.models import Call, Chat, Outbox, Source, Subscription, Topic
from storage.rules.deadline_truth import DeadlineState
from storage.rules.kinds import KIND_DEADLINE_CHANGED, KIND_DEADLINE_CHECK, KIND_NEW_CALL
from storage.topics import seed_topics
from tests.fixtures.feeds.loopback import LoopbackServer, Route
from tests.fixtures.feeds.loopback import loopback as loopback
from tests.fixtures.feeds.proposal import listing, page, ticks
from tests.support.fanout import poll_and_fan_out
from tests.support.harness import FakeClock

NOW = datetime(2025, 1, 10, 8, 0, tzinfo=UTC)
PATH = "/utlysninger/2025/kvalifisering-kommune/"
TITLE = "Kvalifiseringsstøtte for kommuner"


@pytest.fixture
async def services(db_url: str) -> AsyncIterator[Services]:
    settings = load_settings(database_url=db_url, _env_file=None, http_timeout_seconds=5, quiet_hours="")
    svc = Services.create(settings, clock=FakeClock(NOW))
    async with svc.session() as s:
        await seed_topics(s, DEFAULT_TOPICS)
    wire(svc)
    yield svc
    await svc.engine.dispose()


def serve(server: LoopbackServer, status: str, amount: str, deadline_day: int) -> str:
    props = {
        "title": TITLE,
        "status": status,
        "importantDates": [
            {
                "label": "Søknadsfrist",
                "date": {"ticks": ticks(2025, 3, deadline_day), "displayValue": f"{deadline_day}. mars 2025"},
            }
        ],
    }
    server.add(PATH, Route(body=page(props)))
    return server.add(
        "/utlysninger/", Route(body=listing([(status, PATH, TITLE, amount, f"{deadline_day}. mars 2025")]))
    )


async def pushes(services: Services) -> list[tuple[str, str, str]]:
    async with services.session() as s:
        rows = await s.execute(select(Outbox.kind, Outbox.status, Outbox.payload).order_by(Outbox.id))
        return [(k, st, (p or {}).get("text", "")) for k, st, p in rows.tuples()]


async def mark_sent(services: Services) -> None:
    async with services.session() as s:
        await s.execute(update(Outbox).where(Outbox.status == "pending").values(status="sent"))


async def test_opening_then_one_grouped_change(services: Services, loopback: LoopbackServer) -> None:
    url = serve(loopback, "Planlagt", "20 millioner kroner", 5)
    async with services.session() as s:
        topic = (await s.execute(select(Topic).where(Topic.slug == "forskning"))).scalar_one()
        chat = Chat(telegram_id=1001)
        s.add(chat)
        await s.flush()
        s.add(Subscription(chat_id=chat.id, topic_id=topic.id, created_at=NOW - timedelta(days=1)))
        src = Source(name="Forskningsrådet", kind="forskningsradet", url=url, topics=["forskning"])
        s.add(src)
        await s.flush()
        sid = src.id
    assert (await poll_and_fan_out(services, sid)).ok
    assert [k for k, _, _ in await pushes(services)] == [KIND_NEW_CALL]
    await mark_sent(services)

    serve(loopback, "Søk nå", "20 millioner kroner", 5)
    assert (await poll_and_fan_out(services, sid)).ok
    opened = [p for p in await pushes(services) if p[0] == KIND_CALL_OPENED]
    assert len(opened) == 1 and texts.CALL_OPENED.split(":")[0] in opened[0][2] and TITLE in opened[0][2]
    assert (await poll_and_fan_out(services, sid)).ok  # nothing told twice
    assert len([p for p in await pushes(services) if p[0] == KIND_CALL_OPENED]) == 1
    await mark_sent(services)

    serve(loopback, "Søk nå", "30 millioner kroner", 12)
    assert (await poll_and_fan_out(services, sid)).ok
    latest = [p for p in await pushes(services) if p[1] != "sent"]
    live = [p for p in latest if p[1] == "pending"]
    assert [p[0] for p in live] == [KIND_CALL_CHANGED]  # one notice, not one per field
    text = live[0][2]
    assert texts.CALL_CHANGE_AMOUNT in text and "30" in text and "20" in text
    assert texts.CALL_CHANGE_DEADLINE in text and "12. mars" in text
    assert [p[1] for p in latest if p[0] == KIND_DEADLINE_CHANGED] == ["cancelled"]
    assert (await poll_and_fan_out(services, sid)).ok
    assert len([p for p in await pushes(services) if p[0] == KIND_CALL_CHANGED]) == 1


async def test_a_moved_deadline_alone_keeps_its_own_notice(
    services: Services, loopback: LoopbackServer
) -> None:
    url = serve(loopback, "Søk nå", "20 millioner kroner", 5)
    async with services.session() as s:
        topic = (await s.execute(select(Topic).where(Topic.slug == "forskning"))).scalar_one()
        chat = Chat(telegram_id=1001)
        s.add(chat)
        await s.flush()
        s.add(Subscription(chat_id=chat.id, topic_id=topic.id, created_at=NOW - timedelta(days=1)))
        src = Source(name="Forskningsrådet", kind="forskningsradet", url=url, topics=["forskning"])
        s.add(src)
        await s.flush()
        sid = src.id
    assert (await poll_and_fan_out(services, sid)).ok
    await mark_sent(services)
    serve(loopback, "Søk nå", "20 millioner kroner", 12)
    assert (await poll_and_fan_out(services, sid)).ok
    pending = [p[0] for p in await pushes(services) if p[1] == "pending"]
    assert pending == [KIND_DEADLINE_CHANGED]


async def test_json_and_visible_dates_that_disagree_wait_for_the_coordinators(
    db_url: str, loopback: LoopbackServer
) -> None:
    settings = load_settings(
        database_url=db_url, _env_file=None, http_timeout_seconds=5, quiet_hours="", coordinator_ids=[4242]
    )
    svc = Services.create(settings, clock=FakeClock(NOW))
    wire(svc)
    try:
        props = {
            "title": TITLE,
            "importantDates": [
                {
                    "label": "Søknadsfrist",
                    "date": {"ticks": ticks(2025, 3, 5), "displayValue": "5. mars 2025"},
                }
            ],
        }
        visible = f"<h1>{TITLE}</h1><h2>Viktige datoer</h2><div><p>12. mars 2025</p><p>Søknadsfrist</p></div>"
        loopback.add(PATH, Route(body=page(props, visible)))
        url = loopback.add("/utlysninger/", Route(body=listing([("Søk nå", PATH, TITLE, "", "")])))
        async with svc.session() as s:
            src = Source(name="Forskningsrådet", kind="forskningsradet", url=url, topics=[])
            s.add(src)
            await s.flush()
            sid = src.id
        assert (await polling.poll_source(svc, sid)).ok
        async with svc.session() as s:
            call = (await s.execute(select(Call))).scalar_one()
            kinds = [k for (k,) in (await s.execute(select(Outbox.kind))).tuples()]
        assert call.deadline_state == DeadlineState.WAITING  # the issue-11 question, not a certain date
        assert "sidens data sier 05.03.2025" in call.deadline_evidence
        assert KIND_DEADLINE_CHECK in kinds
    finally:
        await svc.engine.dispose()
