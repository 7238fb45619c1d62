"""/frister from its cache (issue 18): the same answer as without, invalidated by every writer (in
any process: the cache_generation row), fewer statements when repeated; the chat tracker from memory."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, select, update

from handlers.frister_cache import MAX_AGE, frister_cache
from storage import arshjul, cache_generation, conditions, manual, members, privacy
from storage.models import Call, Chat, Topic
from tests.fixtures_bot import MEMBER
from tests.members_helpers import add_calls, chat_row, only_message
from tests.support.harness import BotHarness, FakeClock, Person


@pytest.fixture
def h(harness: BotHarness) -> BotHarness:
    return harness


@contextmanager
def counting(h: BotHarness) -> Iterator[list[str]]:
    """The SQL statements the harness's database runs inside the block."""
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    engine = h.services.engine.sync_engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


async def frister(h: BotHarness, text: str = "/frister", person: Person = MEMBER, **kwargs: Any) -> str:
    return only_message(await h.send(text, person, **kwargs)).text


async def generation(h: BotHarness) -> int:
    async with h.services.session() as session:
        return await cache_generation.read(session)


async def test_the_cached_answer_is_the_answer_without_cache(h: BotHarness) -> None:
    await add_calls(
        h,
        {"title": "Helseutlysning", "days": 4, "topics": ["helse"]},
        {"title": "Klimautlysning", "days": 20, "topics": ["klima"]},
        {"title": "Løpende ordning", "rolling": True, "status": "rolling"},
    )
    await h.send("/abonner helse", MEMBER)
    for text, group in (("/frister", False), ("/frister", True), ("/frister klima 30", False)):
        first = only_message(await h.send(text, MEMBER, group=group))
        hits = frister_cache(h.services.extras).hits
        again = only_message(await h.send(text, MEMBER, group=group))
        assert frister_cache(h.services.extras).hits == hits + 1  # from the cache
        h.services.extras.pop("frister_cache")
        fresh = only_message(await h.send(text, MEMBER, group=group))
        assert first.text == again.text == fresh.text
        assert first.button_texts == again.button_texts == fresh.button_texts


async def test_a_repeated_frister_runs_far_fewer_statements(h: BotHarness) -> None:
    await add_calls(h, *({"title": f"Utlysning {i}", "days": i + 1, "topics": ["helse"]} for i in range(12)))
    await frister(h)
    with counting(h) as first_time:
        h.services.extras.pop("frister_cache")
        await frister(h)
    with counting(h) as repeated:
        await frister(h)
        h.app.add_handler(echo_handler())
    await h.send("/echo hei", MEMBER)
    with counting(h) as echo:
        await h.send("/echo hei", MEMBER)
    # The generation row is all /frister adds to what any update costs (the bot's own state).
    assert len(repeated) <= len(echo) + 1, (repeated, echo)
    assert any("cache_generation" in s for s in repeated)
    assert len(first_time) - len(echo) >= 5  # chat, topics, setting, the page, its count, rolling, …


async def test_a_new_call_shows_at_once(h: BotHarness) -> None:
    await add_calls(h, {"title": "Første", "days": 4})
    assert "Andre" not in await frister(h)
    await add_calls(h, {"title": "Andre", "days": 5})
    assert "Andre" in await frister(h)


async def test_a_moved_deadline_shows_at_once(h: BotHarness) -> None:
    [call_id] = await add_calls(h, {"title": "Flyttes", "days": 4})
    assert "om 4 dager" in await frister(h)
    async with h.services.session() as session:  # a bulk statement, as the poll writes
        moved = h.services.now() + timedelta(days=9)
        await session.execute(update(Call).where(Call.id == call_id).values(deadline_at=moved))
    assert "om 9 dager" in await frister(h)


async def test_a_subscription_changes_the_answer_at_once(h: BotHarness) -> None:
    await add_calls(h, {"title": "Helse", "days": 4, "topics": ["helse"]}, {"title": "Klima", "days": 5})
    assert "Klima" in await frister(h)
    await h.send("/abonner helse", MEMBER)
    assert "Klima" not in await frister(h)


async def test_the_answer_expires_when_a_deadline_passes_and_after_max_age(
    h: BotHarness, clock: FakeClock
) -> None:
    now = h.services.now()
    await add_calls(
        h, {"title": "Om en time", "deadline": now + timedelta(hours=1)}, {"title": "Senere", "days": 3}
    )
    assert "Om en time" in await frister(h)
    clock.advance(hours=1, minutes=1)
    assert "Om en time" not in await frister(h)
    hits = frister_cache(h.services.extras).hits
    clock.advance(seconds=MAX_AGE.total_seconds())
    await frister(h)
    assert frister_cache(h.services.extras).hits == hits


async def _chat_id(session: Any) -> int:
    return int((await session.execute(select(Chat.id).where(Chat.telegram_id == MEMBER.id))).scalar_one())


async def _topic_id(session: Any) -> int:
    return int((await session.execute(select(Topic.id).limit(1))).scalar_one())


async def _new_call(session: Any, now: Any) -> None:
    await manual.create_manual_call(
        session,
        title="Egen frist",
        deadline_at=now + timedelta(days=3),
        has_time=False,
        url=None,
        topic_slugs=["helse"],
        source_name="Kommunen",
        created_by=None,
        now=now,
    )


async def _subscribe(session: Any, now: Any) -> None:
    await members.set_subscription(session, await _chat_id(session), await _topic_id(session), True)


async def _setting(session: Any, now: Any) -> None:
    await conditions.set_only_eligible(session, await _chat_id(session), True, now)


async def _expected(session: Any, now: Any) -> None:
    await arshjul.set_correction(
        session, source="Forskningsrådet", title="Ordning", year=2027, month=3, now=now
    )


async def _topic(session: Any, now: Any) -> None:
    topic = (await session.execute(select(Topic).limit(1))).scalar_one()
    topic.name = topic.name + " og mer"


async def _delete_person(session: Any, now: Any) -> None:
    await privacy.delete_person(session, MEMBER.id, now)


WRITERS: dict[str, Callable[[Any, Any], Awaitable[None]]] = {
    "a person deleted (/slettmeg)": _delete_person,
    "manual deadline": _new_call,
    "subscription": _subscribe,
    "only-eligible setting": _setting,
    "expected round": _expected,
    "topic renamed": _topic,
}


@pytest.mark.parametrize("writer", list(WRITERS))
async def test_every_writer_bumps_the_generation(h: BotHarness, writer: str) -> None:
    await add_calls(h, {"title": "En", "days": 4, "topics": ["helse"]})
    await frister(h)  # registers the member
    before = await generation(h)
    async with h.services.session() as session:
        await WRITERS[writer](session, h.services.now())
    assert await generation(h) > before


async def test_a_rolled_back_write_and_the_chat_tracker_bump_nothing(h: BotHarness) -> None:
    await add_calls(h, {"title": "En", "days": 4})
    await frister(h)
    before = await generation(h)
    with pytest.raises(RuntimeError):
        async with h.services.session() as session:
            await add_calls_in(session)
            raise RuntimeError("rolled back")
    await h.send("/start", Person(id=4242, first_name="Ny", username=None))  # writes chats only
    assert await generation(h) == before


async def add_calls_in(session: Any) -> None:
    session.add(Call(key="rolled:1", title="Aldri", source_name="X"))
    await session.flush()


async def test_the_chat_tracker_writes_only_what_changed(h: BotHarness, clock: FakeClock) -> None:
    h.app.add_handler(echo_handler())
    await h.send("/echo hei", MEMBER)
    with counting(h) as repeated:
        await h.send("/echo hei", MEMBER)
    assert not [s for s in repeated if "chats.name" in s or s.lstrip().upper().startswith("UPDATE CHATS")]
    renamed = Person(id=MEMBER.id, first_name="Nytt navn", username=MEMBER.username)
    await h.send("/echo hei", renamed)
    chat = await chat_row(h, MEMBER.id)
    assert chat is not None and chat.name.startswith("Nytt navn")
    clock.advance(minutes=6)  # last_seen_at is kept within its resolution
    await h.send("/echo hei", renamed)
    seen = await chat_row(h, MEMBER.id)
    assert seen is not None and seen.last_seen_at is not None
    assert seen.last_seen_at >= h.services.now() - timedelta(minutes=1)


def echo_handler() -> Any:
    from telegram.ext import CommandHandler

    async def echo(update: Any, context: Any) -> None:
        await context.bot.send_message(update.effective_chat.id, "hei")

    return CommandHandler("echo", echo)


async def test_a_write_by_another_process_shows_at_once(h: BotHarness) -> None:
    from storage.db import make_engine, make_sessionmaker

    await add_calls(h, {"title": "Første", "days": 4})
    assert "Andre" not in await frister(h)
    other = make_engine(h.services.settings.database_url)  # another replica on the same database
    try:
        async with make_sessionmaker(other)() as session:
            session.add(
                Call(
                    key="other:1",
                    title="Andre",
                    source_name="X",
                    deadline_at=h.services.now() + timedelta(days=5),
                )
            )
            await session.commit()
    finally:
        await other.dispose()
    assert "Andre" in await frister(h)


async def test_the_rolling_calls_are_read_through_their_index(session: Any) -> None:
    from sqlalchemy import text

    from storage import deadlines

    query = (
        select(Call.id)
        .where(deadlines._listed(), deadlines._is_rolling())
        .order_by(Call.first_seen_at.desc(), Call.id.desc())
        .limit(5)
    )
    bind = session.get_bind()
    sql = str(query.compile(dialect=bind.dialect, compile_kwargs={"literal_binds": True}))
    if bind.dialect.name == "postgresql":
        await session.execute(text("SET enable_seqscan = off"))
        plan = "\n".join((await session.execute(text(f"EXPLAIN {sql}"))).scalars())
    else:
        plan = "\n".join(str(r) for r in (await session.execute(text(f"EXPLAIN QUERY PLAN {sql}"))).all())
    assert "ix_calls_rolling_seen" in plan, plan
