"""Deadline truth in storage, on SQLite and PostgreSQL: what a poll stores, the coordinators'
answers (Riktig, their own deadline), a coordinator's word kept across polls, and the figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from feeds.catalogue import DEFAULT_TOPICS
from storage import calls, truth
from storage.calls import CallData, IngestResult
from storage.db import make_engine, migrate
from storage.models import Call, DeadlineChange, Source
from storage.rules.deadline_truth import DeadlineState, Reading
from storage.topics import seed_topics

NOW = datetime(2025, 1, 10, 9, 0, tzinfo=UTC)
MARCH = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)
APRIL = datetime(2025, 4, 2, 11, 0, tzinfo=UTC)
MAY = datetime(2025, 5, 6, 11, 0, tzinfo=UTC)


async def _source(s: AsyncSession) -> Source:
    await seed_topics(s, DEFAULT_TOPICS)
    src = Source(name="Kommunenes tilskudd", kind="rss", url="https://x.test/feed")
    s.add(src)
    await s.flush()
    return src


def item(at: datetime | None = MARCH, *, certain: bool, key: str = "k1", **kw: object) -> CallData:
    base: dict[str, object] = {
        "key": key,
        "title": "Tilskudd til velferdsteknologi",
        "url": f"https://x.test/{key}",
        "deadline_at": at,
        "deadline_has_time": at is not None,
        "deadline_certain": certain,
        "deadline_evidence": "Kommunene kan søke innen 5. mars."
        if not certain
        else "Søknadsfrist: 5. mars 2025",
    }
    base.update(kw)
    return CallData(**base)  # type: ignore[arg-type]


async def _ingest(s: AsyncSession, data: CallData, now: datetime = NOW) -> tuple[IngestResult, Call]:
    src = (await s.execute(select(Source))).scalar_one()
    result = await calls.ingest(s, src, [data], now=now)
    await s.flush()
    call = (await s.execute(select(Call).where(Call.key == data.key))).scalar_one()
    await s.refresh(call)
    return result, call


async def test_a_new_call_keeps_its_evidence_and_certainty(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as s:
        await _source(s)
        sure, call = await _ingest(s, item(certain=True))
        assert sure.ask == [] and call.deadline_state == DeadlineState.CERTAIN
        assert call.deadline_evidence == "Søknadsfrist: 5. mars 2025" and call.source_deadline_at == MARCH
        unsure, other = await _ingest(s, item(certain=False, key="k2"))
        assert unsure.ask == [other.id] and unsure.new == [other.id]
        assert other.deadline_state == DeadlineState.WAITING and other.deadline_waiting_since == NOW
        assert other.deadline_at == MARCH  # shown to members, marked "frist ikke bekreftet"
        label, blank = await _ingest(
            s,
            item(None, certain=False, key="k3", deadline_label="Søknadsfrist: kommer", deadline_evidence=""),
        )
        assert label.ask == [blank.id] and blank.deadline_state == DeadlineState.WAITING
        assert blank.deadline_evidence == "Søknadsfrist: kommer"
        nothing, plain = await _ingest(s, item(None, certain=False, key="k4", deadline_evidence=""))
        assert nothing.ask == [] and plain.deadline_state == DeadlineState.CERTAIN
        await s.commit()


async def test_riktig_confirms_the_reading_it_was_asked_about(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as s:
        await _source(s)
        _, call = await _ingest(s, item(certain=False))
        assert await truth.confirm(s, call.id, key="123d", by=9001, now=NOW) == truth.STALE
        assert await truth.confirm(s, 999999, key="x", by=9001, now=NOW) == truth.GONE
        answer = await truth.confirm(s, call.id, key=Reading(MARCH, True).key(), by=9001, now=NOW)
        assert isinstance(answer, truth.Answer) and not answer.members_told_otherwise
        assert (call.deadline_state, call.deadline_decided_by, call.deadline_waiting_since) == (
            DeadlineState.CONFIRMED,
            9001,
            None,
        )
        again = await truth.confirm(s, call.id, key=Reading(MARCH, True).key(), by=9002, now=NOW)
        assert again == truth.DONE  # another coordinator's copy of the question
        await s.commit()


async def test_a_coordinators_deadline_is_kept_across_polls(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as s:
        await _source(s)
        _, call = await _ingest(s, item(certain=True))
        answer = await truth.override(s, call.id, Reading(APRIL, True), by=9001, now=NOW)
        assert isinstance(answer, truth.Answer) and answer.members_told_otherwise
        assert answer.told == Reading(MARCH, True) and call.deadline_at == APRIL
        # The next polls still read March: nothing changes, nobody is asked or told.
        for hours in (1, 2):
            result, call = await _ingest(s, item(certain=True), NOW + timedelta(hours=hours))
            assert (result.ask, result.deadline_changed) == ([], [])
            assert (call.deadline_at, call.deadline_state) == (APRIL, DeadlineState.SET)
        # The page moves to May: the coordinators are asked again; members keep April, not told.
        result, call = await _ingest(s, item(MAY, certain=True), NOW + timedelta(hours=3))
        assert result.ask == [call.id] and result.deadline_changed == []
        assert (call.deadline_at, call.source_deadline_at, call.deadline_state) == (
            APRIL,
            MAY,
            DeadlineState.WAITING,
        )
        # The same May again: no second question.
        result, _ = await _ingest(s, item(MAY, certain=True), NOW + timedelta(hours=4))
        assert result.ask == [] and call.deadline_state == DeadlineState.WAITING
        answer = await truth.confirm(s, call.id, key=Reading(MAY, True).key(), by=9001, now=NOW)
        assert (
            isinstance(answer, truth.Answer)
            and answer.told == Reading(APRIL, True)
            and call.deadline_at == MAY
        )
        await s.commit()


async def test_an_uncertain_change_is_told_only_once_confirmed(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as s:
        await _source(s)
        _, call = await _ingest(s, item(certain=True))
        result, call = await _ingest(s, item(APRIL, certain=False), NOW + timedelta(days=1))
        assert result.ask == [call.id] and result.deadline_changed == []  # members are not told yet
        assert (call.deadline_at, call.deadline_state) == (APRIL, DeadlineState.WAITING)
        [change] = (await s.execute(select(DeadlineChange))).scalars().all()
        assert (change.old_deadline_at, change.new_deadline_at, change.told) == (MARCH, APRIL, False)
        # A second uncertain reading; then a certain one: members hear March -> May in one notice.
        await _ingest(s, item(MAY, certain=False), NOW + timedelta(days=2))
        result, call = await _ingest(s, item(MAY, certain=True), NOW + timedelta(days=3))
        assert call.deadline_state == DeadlineState.CERTAIN and result.ask == []
        await _ingest(s, item(APRIL, certain=True), NOW + timedelta(days=4))
        result, call = await _ingest(s, item(MARCH, certain=False), NOW + timedelta(days=5))
        answer = await truth.confirm(s, call.id, key=Reading(MARCH, True).key(), by=9001, now=NOW)
        assert isinstance(answer, truth.Answer) and answer.told == Reading(APRIL, True)
        changes = (await s.execute(select(DeadlineChange).order_by(DeadlineChange.id))).scalars().all()
        assert all(c.told for c in changes)
        await s.commit()


async def test_a_button_under_an_answered_question_does_nothing(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as s:
        await _source(s)
        _, call = await _ingest(s, item(certain=False))
        key = Reading(MARCH, True).key()
        answer = await truth.override(s, call.id, Reading(rolling=True), by=9001, now=NOW, key=key)
        assert isinstance(answer, truth.Answer) and call.rolling and call.deadline_at is None
        assert await truth.override(s, call.id, Reading(), by=9002, now=NOW, key=key) == truth.DONE
        assert call.rolling  # the second press changed nothing
        await s.commit()


async def test_the_figures_for_status(session_factory: async_sessionmaker[AsyncSession]) -> None:
    async with session_factory() as s:
        await _source(s)
        await _ingest(s, item(certain=True, key="a"))
        await _ingest(s, item(certain=False, key="b"), NOW - timedelta(days=2))
        await _ingest(s, item(certain=False, key="c", title="Nyere"), NOW)
        _, d = await _ingest(s, item(certain=False, key="d"))
        await truth.confirm(s, d.id, key=Reading(MARCH, True).key(), by=1, now=NOW)
        figures = await truth.counts(s)
        assert (figures.confirmed, figures.certain, figures.waiting) == (1, 1, 2)
        assert figures.oldest is not None and figures.oldest.key == "b"
        waiting_first = await truth.editable_calls(s)
        assert [c.key for c in waiting_first][:2] == ["b", "c"]
        assert [c.key for c in await truth.editable_calls(s, words="nyere")] == ["c"]
        await s.commit()


async def test_the_migration_keeps_the_deadlines_known_so_far(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        await migrate(engine, "0002")
        async with engine.begin() as conn:
            for key, manual in (("polled", False), ("manual:1", True)):
                await conn.execute(
                    text(
                        "INSERT INTO calls (key, source_name, title, summary, deadline_at, deadline_has_time, "
                        "rolling, status, manual, content_hash, first_seen_at, last_changed_at) VALUES "
                        "(:key, '', 'T', '', :at, 1, 0, 'open', :manual, '', :at, :at)"
                    ),
                    {"key": key, "at": MARCH.isoformat(), "manual": manual},
                )
        await migrate(engine)
        async with engine.connect() as conn:
            rows = (
                await conn.execute(
                    text(
                        "SELECT key, deadline_state, source_deadline_at, source_deadline_has_time FROM calls ORDER BY key"
                    )
                )
            ).all()
        assert [(r[0], r[1], r[2] is not None, bool(r[3])) for r in rows] == [
            ("manual:1", "set", True, True),
            ("polled", "certain", True, True),
        ]
    finally:
        await engine.dispose()
