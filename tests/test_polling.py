"""bot.poll: one transaction per poll with the ingest hooks, health, the sources file, the CLI."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.app import make_services, prepare_database
from bot.config import Settings, load_settings
from bot.poll import cli as poll_cli
from bot.poll import poll as polling
from bot.poll import seed as poll_seed
from bot.services import Services
from feeds.catalogue import DEFAULT_TOPICS
from storage.calls import IngestResult
from storage.models import Call, Outbox, Source
from storage.topics import seed_topics
from tests.fixtures.feeds.loopback import LoopbackServer, Route, serve_sites
from tests.fixtures.feeds.loopback import loopback as loopback
from tests.support.harness import FakeClock


@pytest.fixture
async def services(db_url: str) -> AsyncIterator[Services]:
    settings = load_settings(database_url=db_url, _env_file=None, http_timeout_seconds=5)
    svc = Services.create(settings, clock=FakeClock(datetime(2024, 6, 1, 8, 0, tzinfo=UTC)))
    async with svc.session() as s:
        await seed_topics(s, DEFAULT_TOPICS)
    yield svc
    await svc.engine.dispose()


async def add_source(services: Services, kind: str, url: str, topics: list[str] | None = None) -> int:
    async with services.session() as s:
        src = Source(name=f"{kind} test", kind=kind, url=url, topics=topics or [], interval_minutes=60)
        s.add(src)
        await s.flush()
        return src.id


async def test_poll_forskningsradet_then_304(services: Services, loopback: LoopbackServer) -> None:
    urls = serve_sites(loopback)
    sid = await add_source(services, "forskningsradet", urls["forskningsradet"], ["forskning"])
    seen: list[tuple[list[int], int]] = []

    async def hook(session: AsyncSession, result: IngestResult, svc: Services) -> None:
        # inside the same transaction: the new calls are visible before commit
        count = (await session.execute(select(func.count()).select_from(Call))).scalar_one()
        seen.append((list(result.new), count))

    services.ingest_hooks.append(hook)
    try:
        first = await polling.poll_source(services, sid)
        assert first.ok and first.result is not None
        assert len(first.result.new) == 3 and len(first.result.new_closed) == 2
        assert seen == [(first.result.new, 5)]
        again = await polling.poll_source(services, sid)
        assert again.ok and again.not_modified and loopback.hits["/utlysninger/"] == 2
    finally:
        services.ingest_hooks.remove(hook)
    async with services.session() as s:
        src = await s.get(Source, sid)
        assert src is not None and src.etag == '"fr-1"' and src.consecutive_failures == 0
        assert src.items_found == 5
        call = (
            await s.execute(select(Call).where(Call.title.like("Forskerprosjekt for fornyelse%")))
        ).scalar_one()
        await s.refresh(call, ["topics"])
        assert call.deadline_has_time and call.deadline_at == datetime(2025, 3, 5, 12, 0, tzinfo=UTC)
        assert "forskning" in {t.slug for t in call.topics}


async def test_a_failing_hook_rolls_back_the_calls_and_records_the_failure(
    services: Services, loopback: LoopbackServer
) -> None:
    urls = serve_sites(loopback)
    sid = await add_source(services, "rss", urls["rss"])

    async def broken(session: AsyncSession, result: IngestResult, svc: Services) -> None:
        session.add(Outbox(chat_id=999999, kind="x", subject="y", payload={}))  # must vanish too
        raise RuntimeError("hook exploded")

    services.ingest_hooks.append(broken)
    try:
        outcome = await polling.poll_source(services, sid)
    finally:
        services.ingest_hooks.remove(broken)
    # People read a sentence; the exception stays in the operator's log.
    assert not outcome.ok and outcome.reason == texts.SOURCE_REASON_SAVE_FAILED
    async with services.session() as s:
        assert (await s.execute(select(func.count()).select_from(Call))).scalar_one() == 0
        src = await s.get(Source, sid)
        assert (
            src is not None
            and src.consecutive_failures == 1
            and src.last_error == texts.SOURCE_REASON_SAVE_FAILED
        )
    ok = await polling.poll_source(services, sid)  # the next poll stores everything
    assert ok.ok and ok.result is not None and len(ok.result.new) == 3


async def test_broken_sources_never_stop_the_others(services: Services, loopback: LoopbackServer) -> None:
    urls = serve_sites(loopback)
    loopback.add("/500", Route(status=500, body=b"x"))
    loopback.add("/html", Route(body=b"<html><body>Ingen feed</body></html>"))
    loopback.add("/html2", Route(body=b"<html><body>Nye nettsider</body></html>"))
    loopback.add("/empty", Route(body=b""))
    good = await add_source(services, "rss", urls["rss"])
    bad = [
        await add_source(services, "rss", loopback.url("/500")),
        await add_source(services, "rss", loopback.url("/html")),
        await add_source(services, "statsforvalteren", loopback.url("/empty")),
        await add_source(services, "forskningsradet", loopback.url("/html2")),
    ]
    outcomes = {o.source_id: o for o in await polling.poll_due(services)}
    assert outcomes[good].ok
    for sid in bad:
        assert not outcomes[sid].ok and outcomes[sid].reason
    async with services.session() as s:
        reasons = {sid: (await s.get(Source, sid)).last_error for sid in bad}  # type: ignore[union-attr]
    assert "HTTP 500" in (reasons[bad[0]] or "")
    assert "HTML" in (reasons[bad[1]] or "")
    assert "tomt" in (reasons[bad[2]] or "")
    assert "fant ingen utlysninger" in (reasons[bad[3]] or "")
    assert await polling.poll_due(services) == []  # nothing due until the interval or the backoff


async def test_seeding_sources_from_a_file(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "kilder.toml"
    path.write_text(
        '[[source]]\nname = "Min feed"\nkind = "rss"\nurl = "https://feed.test/rss"\n'
        'topics = ["helse"]\ninterval_minutes = 2.5\n',
        encoding="utf-8",
    )
    settings = load_settings(database_url=db_url, sources_file=path, _env_file=None)
    svc = Services.create(settings)
    try:
        await poll_seed.seed_sources(svc)
        async with svc.session() as s:
            rows = (await s.execute(select(Source))).scalars().all()
        assert [(r.name, r.interval_minutes, r.topics) for r in rows] == [("Min feed", 2.5, ["helse"])]
        path.write_text("[[source]]\nname = 1\n", encoding="utf-8")
        await poll_seed.seed_sources(svc)  # a broken file is logged; the sources stay
        async with svc.session() as s:
            assert (await s.execute(select(func.count()).select_from(Source))).scalar_one() == 1
    finally:
        await svc.engine.dispose()


async def test_default_sources_are_seeded(db_url: str) -> None:
    svc = Services.create(load_settings(database_url=db_url, _env_file=None))
    try:
        await poll_seed.seed_sources(svc)
        await poll_seed.seed_sources(svc)
        async with svc.session() as s:
            names = [r.name for r in (await s.execute(select(Source).order_by(Source.id))).scalars()]
        assert len(names) == 4 and "Statsforvalteren i Trøndelag" in names
    finally:
        await svc.engine.dispose()


def test_cli_dry_run_saves_nothing(sqlite_url: str, loopback: LoopbackServer) -> None:
    urls = serve_sites(loopback)
    settings: Settings = load_settings(database_url=sqlite_url, _env_file=None)
    out = io.StringIO()
    assert (
        poll_cli.cli_poll(
            settings,
            url=urls["rss"],
            kind="rss",
            dry_run=True,
            out=out,
            make_services=make_services,
            prepare_database=prepare_database,
        )
        == 0
    )
    text = out.getvalue()
    assert "Skjønnsmidlar til fornying og innovasjon for 2026" in text
    assert "torsdag 15. januar kl. 12:00" in text and "løpende" in text
    assert "ikke lagret" in text


def test_cli_poll_url_saves_and_prints(sqlite_url: str, loopback: LoopbackServer) -> None:
    urls = serve_sites(loopback)
    settings = load_settings(database_url=sqlite_url, _env_file=None)
    out = io.StringIO()
    assert (
        poll_cli.cli_poll(
            settings,
            url=urls["forskningsradet"],
            kind="forskningsradet",
            dry_run=False,
            out=out,
            make_services=make_services,
            prepare_database=prepare_database,
        )
        == 0
    )
    text = out.getvalue()
    assert "Forskerprosjekt for fornyelse (tematisk utlysning)" in text
    assert "[ny] Innovasjonsprosjekt i næringslivet" in text and "[ny, avsluttet] Pilot Helse" in text
    assert "kl. 13:00" in text and "emner:" in text
    out2 = io.StringIO()
    assert (
        poll_cli.cli_poll(
            settings,
            url=urls["forskningsradet"],
            kind="forskningsradet",
            dry_run=False,
            out=out2,
            make_services=make_services,
            prepare_database=prepare_database,
        )
        == 0
    )
    assert "uendret siden sist (304)" in out2.getvalue()


def test_cli_argument_errors(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    settings = load_settings(database_url=sqlite_url, _env_file=None)
    assert (
        poll_cli.cli_poll(
            settings,
            url="http://127.0.0.1:9/x",
            kind=None,
            dry_run=True,
            make_services=make_services,
            prepare_database=prepare_database,
        )
        == 2
    )
    assert (
        poll_cli.cli_poll(
            settings,
            url="http://127.0.0.1:9/x",
            kind="ftp",
            dry_run=True,
            make_services=make_services,
            prepare_database=prepare_database,
        )
        == 2
    )
    assert (
        poll_cli.cli_poll(
            settings,
            url=None,
            kind="rss",
            dry_run=True,
            make_services=make_services,
            prepare_database=prepare_database,
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "--kind" in err and "Ukjent kildetype" in err


def _slot_hour(url: str) -> int:
    import zlib

    return zlib.crc32(url.encode()) % 24


def test_full_refresh_once_a_day_in_the_sources_own_hour() -> None:
    from zoneinfo import ZoneInfo

    oslo = ZoneInfo("Europe/Oslo")
    url = "https://www.forskningsradet.no/utlysninger/"
    slot = _slot_hour(url)
    in_window = datetime(2025, 3, 10, slot, 20, tzinfo=oslo)
    outside = datetime(2025, 3, 10, (slot + 3) % 24, 20, tzinfo=oslo)
    earlier_today_in_window = in_window.replace(minute=5)
    yesterday = in_window - timedelta(days=1)
    assert polling.full_refresh_due(url, 60, None, in_window)
    assert polling.full_refresh_due(url, 60, yesterday, in_window)
    assert not polling.full_refresh_due(url, 60, earlier_today_in_window, in_window)  # once per window
    assert not polling.full_refresh_due(url, 60, yesterday, outside)
    # A source polled every two hours has a two-hour window, so one poll always falls inside it.
    assert polling.full_refresh_due(url, 120, yesterday, in_window + timedelta(hours=1))
    assert not polling.full_refresh_due(url, 60, yesterday, in_window + timedelta(hours=1))


async def test_a_moved_deadline_on_an_unchanged_card_is_found_by_the_daily_refresh(
    services: Services, loopback: LoopbackServer
) -> None:
    from zoneinfo import ZoneInfo

    urls = serve_sites(loopback)
    url = urls["forskningsradet"]
    sid = await add_source(services, "forskningsradet", url)
    clock = services.clock
    assert isinstance(clock, FakeClock)
    slot = _slot_hour(url)
    oslo = ZoneInfo("Europe/Oslo")
    clock.set(datetime(2025, 1, 10, (slot + 5) % 24, 0, tzinfo=oslo))
    assert (await polling.poll_source(services, sid)).ok

    page = "/utlysninger/2025/forskerprosjekt-fornyelse-tematisk/"
    route = loopback.routes[page]
    route.body = route.body.replace(b"5. mars 2025", b"12. mars 2025")
    clock.advance(hours=1)
    quiet = await polling.poll_source(services, sid)
    assert quiet.ok and quiet.not_modified  # the listing did not change: nothing is read

    clock.set(datetime(2025, 1, 11, slot, 10, tzinfo=oslo))
    refreshed = await polling.poll_source(services, sid)
    assert refreshed.ok and refreshed.result is not None
    assert len(refreshed.result.deadline_changed) == 1
    async with services.session() as s:
        call = (
            await s.execute(select(Call).where(Call.title.like("Forskerprosjekt for fornyelse%")))
        ).scalar_one()
        assert call.deadline_at == datetime(2025, 3, 12, 12, 0, tzinfo=UTC)
    clock.advance(minutes=20)
    assert (await polling.poll_source(services, sid)).not_modified  # once a day, not every poll
