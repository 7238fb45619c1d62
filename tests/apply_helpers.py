"""Helpers for the "Vi søker" tests: approved contacts, calls that come in through the real ingest
and its hooks (the reading of who may apply, then the fan-out), and the outbox delivered."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.push.sender import Sender
from storage import members
from storage.calls import CallData, ingest
from storage.models import ChatKind, Outbox, Registration, Subscription, Topic
from storage.registry import RegistrationStatus
from tests.support.fakebot import ApiCall
from tests.support.fanout import fan_out
from tests.support.harness import BotHarness, FakeClock, Person

_keys = itertools.count(1)

INDEROY = Person(id=2001, first_name="Ingrid", last_name="Inderøy", username="ingrid_i")
LEVANGER = Person(id=2002, first_name="Lars", last_name="Levanger", username=None)
STEINKJER = Person(id=2003, first_name="Siri", last_name="Steinkjer", username="siri_s")
INDEROY_2 = Person(id=2004, first_name="Ivar", last_name="Inderøy", username="ivar_i")
OUTSIDER = Person(id=2009, first_name="Otto", last_name="Utenfor", username="otto")

MUNICIPALITY = {
    INDEROY.id: "Inderøy",
    LEVANGER.id: "Levanger",
    STEINKJER.id: "Steinkjer",
    INDEROY_2.id: "Inderøy",
}


async def person(
    harness: BotHarness, who: Person, *, topics: Sequence[str] = ("helse",), kind: str = ChatKind.PRIVATE
) -> int:
    """A person who has started the bot (or, with ``kind``, a group) following ``topics`` since
    yesterday; returns the chat's database id."""
    svc = harness.services
    async with svc.session() as s:
        name = " ".join(x for x in (who.first_name, who.last_name) if x)
        chat = await members.touch_chat(
            s, who.id, kind=kind, name=name, username=who.username, now=svc.now(), active=True
        )
        for slug in topics:
            topic = (await s.execute(select(Topic).where(Topic.slug == slug))).scalar_one()
            s.add(Subscription(chat_id=chat.id, topic_id=topic.id, created_at=svc.now() - timedelta(days=1)))
        await s.flush()
        return chat.id


async def contact(harness: BotHarness, who: Person, municipality: str | None = None) -> int:
    """An approved FoUI contact for a municipality (as /registrer and a coordinator's yes make it)."""
    chat_id = await person(harness, who)
    async with harness.services.session() as s:
        s.add(
            Registration(
                chat_id=chat_id,
                municipality=municipality or MUNICIPALITY[who.id],
                role="FoUI-kontakt",
                status=RegistrationStatus.APPROVED,
                created_at=harness.services.now(),
            )
        )
    return chat_id


async def arrive(
    harness: BotHarness,
    title: str,
    text: str,
    deadline: datetime | None,
    *,
    key: str | None = None,
    topics: Sequence[str] = ("helse",),
) -> int:
    """A call as a poll brings it in: ingest and the services' hooks (reading, noting the fan-out),
    committed; then the fan-out job, as the running bot wakes it after the poll's commit."""
    svc = harness.services
    async with svc.session() as s:
        data = CallData(
            key=key or f"apply:{next(_keys)}",
            title=title,
            url="https://www.forskningsradet.no/utlysninger/2026/eksempel/",
            summary=text,
            deadline_at=deadline,
            deadline_has_time=deadline is not None,
            topics=topics,
        )
        result = await ingest(s, None, [data], now=svc.now())
        for hook in svc.ingest_hooks:
            await hook(s, result, svc)
        ids = result.touched
    await fan_out(svc)
    assert len(ids) == 1
    return ids[0]


async def deliver(harness: BotHarness, clock: FakeClock) -> list[ApiCall]:
    """Send everything due in the outbox; the fake clock moves with the sender's waits."""

    async def sleep(seconds: float) -> None:
        clock.advance(seconds=seconds)

    before = len(harness.api.calls)
    sender = Sender(harness.services, harness.app.bot, worker="test:apply", sleep=sleep)
    for _ in range(20):
        if not await sender.drain():
            clock.advance(seconds=2)
            if not await sender.drain_once():
                break
    return [c for c in harness.api.calls[before:] if c.method == "sendMessage"]


async def outbox(harness: BotHarness, kind: str) -> list[Outbox]:
    async with harness.services.session() as s:
        return list(
            (await s.execute(select(Outbox).where(Outbox.kind == kind).order_by(Outbox.id))).scalars()
        )


def to(calls: Sequence[ApiCall], who: Person) -> list[ApiCall]:
    return [c for c in calls if c.chat_id == who.id]


def alert_text(calls: Sequence[ApiCall]) -> str:
    found = [str(c.params.get("text") or "") for c in calls if c.method == "answerCallbackQuery"]
    assert found, f"no answer to the press: {[c.method for c in calls]}"
    return found[-1]
