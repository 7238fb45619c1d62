"""/kilder end to end: the real Application on the fake Bot API, sources served on loopback."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot import texts
from bot.config import Settings, load_settings
from bot.poll import poll as polling
from handlers.source_actions import background_polls
from handlers.source_checks import check_source_url, is_private_host, plain_reason
from storage import sources as source_store
from storage.audit import REFUSED
from storage.models import Call, Chat, Outbox, Source, Subscription, Topic
from tests.coord_helpers import alerts, audit_entries, last_message
from tests.fixtures.feeds.loopback import LoopbackServer, Route, serve_sites
from tests.fixtures.feeds.loopback import loopback as loopback
from tests.fixtures_bot import COORDINATOR, MEMBER
from tests.support.fakebot import ApiCall
from tests.support.fanout import fan_out
from tests.support.harness import GROUP_ID, BotHarness, FakeClock, running_harness

EMPTY_PAGE = b"<!doctype html><html><head><title>Hei</title></head><body><p>Velkommen!</p></body></html>"


@pytest.fixture
def settings(db_url: str) -> Settings:
    return load_settings(
        database_url=db_url,
        coordinator_ids=[COORDINATOR.id],
        group_chat_id=GROUP_ID,
        http_timeout_seconds=5,
        sources_allow_private_urls=True,  # the fixture sites are on 127.0.0.1
        quiet_hours="",
        _env_file=None,
    )


@pytest.fixture
async def harness(settings: Settings, clock: FakeClock) -> AsyncIterator[BotHarness]:
    async with running_harness(settings, clock=clock) as h:
        async with h.services.session() as s:  # no default sources: nothing here leaves loopback
            for source in await source_store.list_sources(s):
                await source_store.remove_source(s, source.id)
        yield h


async def _add(harness: BotHarness, name: str, kind: str, url: str, topics: list[str] | None = None) -> int:
    async with harness.services.session() as s:
        source = await source_store.add_source(s, name=name, kind=kind, url=url, topics=topics or [])
        return source.id


async def _source(harness: BotHarness, source_id: int) -> Source | None:
    async with harness.services.session() as s:
        return await s.get(Source, source_id)


async def _sources(harness: BotHarness) -> list[Source]:
    async with harness.services.session() as s:
        return list(await source_store.list_sources(s))


async def _calls(harness: BotHarness) -> list[Call]:
    async with harness.services.session() as s:
        return list((await s.execute(select(Call).order_by(Call.id))).scalars())


async def _outbox(harness: BotHarness) -> list[Outbox]:
    async with harness.services.session() as s:
        return list((await s.execute(select(Outbox).order_by(Outbox.id))).scalars())


async def _finish_polls(harness: BotHarness) -> None:
    """Wait for the background polls «Hent nå» and a new source's first poll started."""
    await asyncio.gather(*list(background_polls(harness.services)))
    await fan_out(harness.services)  # as the fan-out job woken after each poll's commit does


def _sent_to(harness: BotHarness, chat_id: int, since: int = 0) -> list[ApiCall]:
    return [c for c in harness.api.calls[since:] if c.method == "sendMessage" and c.chat_id == chat_id]


async def _member(harness: BotHarness, telegram_id: int, slug: str, clock: FakeClock) -> int:
    """A member following ``slug`` since yesterday (before any call here was first seen)."""
    async with harness.services.session() as s:
        chat = Chat(telegram_id=telegram_id, kind="private", name="Medlem")
        s.add(chat)
        await s.flush()
        topic = (await s.execute(select(Topic).where(Topic.slug == slug))).scalar_one()
        s.add(Subscription(chat_id=chat.id, topic_id=topic.id, created_at=clock.now - timedelta(days=1)))
        return chat.id


async def _card(harness: BotHarness, name: str) -> ApiCall:
    listing = last_message(await harness.send("/kilder", COORDINATOR))
    return last_message(await harness.press(listing, name, COORDINATOR))


# ---- the list -----------------------------------------------------------------------------------


async def test_list_shows_each_source_with_its_health(harness: BotHarness, loopback: LoopbackServer) -> None:
    urls = serve_sites(loopback)
    good = await _add(harness, "KDD <nyheter>", "rss", urls["rss"])
    await _add(harness, "Nede", "rss", loopback.add("/nede.rss", Route(status=503)))
    await polling.poll_due(harness.services)
    listing = last_message(await harness.send("/kilder", COORDINATOR))
    assert listing.params["parse_mode"] == "HTML"
    assert listing.text.startswith(texts.KI_HEADER.format(count=2).split("\n")[0])
    assert "🟢 <b>KDD &lt;nyheter&gt;</b> (RSS / Atom, aktiv)" in listing.text
    assert "3 funnet" in listing.text
    assert "🔴 <b>Nede</b> (RSS / Atom, aktiv)" in listing.text
    assert "1 feil på rad" in listing.text and "Siste feil: HTTP 503" in listing.text
    assert listing.button_texts == ["🟢 KDD <nyheter>", "🔴 Nede", texts.BTN_KI_ADD]
    card = last_message(await harness.press(listing, "KDD", COORDINATOR))
    assert "Type: RSS / Atom · aktiv" in card.text and urls["rss"] in card.text
    assert "Siste feil: advarsel: " in card.text and "Utlysninger funnet sist: 3" in card.text
    assert card.button_texts == [
        texts.BTN_KI_PAUSE,
        texts.BTN_KI_POLL,
        texts.BTN_KI_REMOVE,
        texts.BTN_KI_LIST,
    ]
    assert (await _source(harness, good)) is not None
    again = last_message(await harness.press(card, texts.BTN_KI_LIST, COORDINATOR))
    assert again.button_texts[-1] == texts.BTN_KI_ADD


async def test_no_sources(harness: BotHarness) -> None:
    listing = last_message(await harness.send("/kilder", COORDINATOR))
    assert listing.text == texts.KI_EMPTY
    assert listing.button_texts == [texts.BTN_KI_ADD]


# ---- pause, resume, remove --------------------------------------------------------------------


async def test_pause_and_resume_and_the_poll_job_skips_a_paused_source(
    harness: BotHarness, loopback: LoopbackServer, clock: FakeClock
) -> None:
    url = serve_sites(loopback)["rss"]
    sid = await _add(harness, "KDD", "rss", url)
    card = await _card(harness, "KDD")
    paused = last_message(await harness.press(card, texts.BTN_KI_PAUSE, COORDINATOR))
    assert paused.text.startswith(texts.KI_PAUSED.format(name="KDD"))
    assert texts.BTN_KI_RESUME in paused.button_texts and texts.BTN_KI_PAUSE not in paused.button_texts
    source = await _source(harness, sid)
    assert source is not None and not source.enabled
    assert await polling.poll_due(harness.services) == []
    assert loopback.hits["/kdd.rss"] == 0
    listing = last_message(await harness.send("/kilder", COORDINATOR))
    assert "⏸ <b>KDD</b> (RSS / Atom, pauset)" in listing.text and texts.KI_NEXT_PAUSED in listing.text
    resumed = last_message(await harness.press(paused, texts.BTN_KI_RESUME, COORDINATOR))
    assert resumed.text.startswith(texts.KI_RESUMED.format(name="KDD"))
    source = await _source(harness, sid)
    assert source is not None and source.enabled and source.next_poll_at == clock.now
    [outcome] = await polling.poll_due(harness.services)
    assert outcome.ok and loopback.hits["/kdd.rss"] == 1
    actions = [e.action for e in await audit_entries(harness)]
    assert actions == ["source_paused", "source_resumed"]
    [entry] = await audit_entries(harness, "source_paused")
    assert entry.actor_id == COORDINATOR.id and entry.detail["source_id"] == sid


async def test_remove_asks_first_and_keeps_the_calls(harness: BotHarness, loopback: LoopbackServer) -> None:
    url = serve_sites(loopback)["rss"]
    sid = await _add(harness, "KDD", "rss", url)
    assert (await polling.poll_source(harness.services, sid)).ok
    card = await _card(harness, "KDD")
    question = last_message(await harness.press(card, texts.BTN_KI_REMOVE, COORDINATOR))
    assert question.text.startswith("Fjerne kilden «KDD»?")
    kept = last_message(await harness.press(question, texts.BTN_CANCEL, COORDINATOR))
    assert kept.text == texts.KI_KEPT
    assert await _source(harness, sid) is not None
    question = last_message(await harness.press(card, texts.BTN_KI_REMOVE, COORDINATOR))
    done = last_message(await harness.press(question, texts.BTN_KI_REMOVE_YES, COORDINATOR))
    assert done.text == texts.KI_REMOVED.format(name="KDD")
    assert await _source(harness, sid) is None
    calls = await _calls(harness)
    assert calls and all(c.source_id is None and c.source_name == "KDD" for c in calls)
    [entry] = await audit_entries(harness, "source_removed")
    assert entry.detail["url"] == url
    # The old card's buttons now answer that the source is gone.
    gone = last_message(await harness.press(card, texts.BTN_KI_POLL, COORDINATOR))
    assert gone.text == texts.KI_GONE


# ---- Hent nå ----------------------------------------------------------------------------------


async def test_hent_naa_polls_at_once_and_reports_the_new_calls(
    harness: BotHarness, loopback: LoopbackServer, clock: FakeClock
) -> None:
    url = serve_sites(loopback)["rss"]
    sid = await _add(harness, "KDD", "rss", url, ["naering"])
    member = await _member(harness, 2001, "naering", clock)
    card = await _card(harness, "KDD")
    before = len(harness.api.calls)
    calls = await harness.press(card, texts.BTN_KI_POLL, COORDINATOR)
    assert texts.KI_POLLING.format(name="KDD") in alerts(calls)
    await _finish_polls(harness)
    report = _sent_to(harness, COORDINATOR.id, before)[-1]
    assert report.text.startswith("✅ «KDD» er hentet: 3 funnet, ")
    assert "• ny: Skjønnsmidlar til fornying og innovasjon for 2026" in report.text
    assert loopback.hits["/kdd.rss"] == 1
    source = await _source(harness, sid)
    assert source is not None and source.last_success_at is not None and source.items_found == 3
    # Through the normal path: the ingest hook queued the new-call notices in the same poll.
    notices = [r for r in await _outbox(harness) if r.kind == "new_call"]
    assert notices and {r.chat_id for r in notices} == {member}
    # Again: the feed's ETag says nothing changed.
    before = len(harness.api.calls)
    await harness.press(card, texts.BTN_KI_POLL, COORDINATOR)
    await _finish_polls(harness)
    assert _sent_to(harness, COORDINATOR.id, before)[-1].text == texts.KI_POLL_NOT_MODIFIED.format(name="KDD")
    assert [e.action for e in await audit_entries(harness)] == ["source_polled", "source_polled"]


async def test_hent_naa_reports_the_error(harness: BotHarness, loopback: LoopbackServer) -> None:
    sid = await _add(harness, "Nede", "rss", loopback.add("/nede.rss", Route(status=500)))
    card = await _card(harness, "Nede")
    before = len(harness.api.calls)
    await harness.press(card, texts.BTN_KI_POLL, COORDINATOR)
    await _finish_polls(harness)
    report = _sent_to(harness, COORDINATOR.id, before)[-1]
    assert report.text.startswith("❌ «Nede» kunne ikke hentes: HTTP 500")
    assert "Feil på rad: 1." in report.text
    source = await _source(harness, sid)
    assert (
        source is not None
        and source.consecutive_failures == 1
        and source.last_error == report.text.split(": ", 1)[1].split("\n")[0]
    )


# ---- adding a source --------------------------------------------------------------------------


async def _add_until_kind(harness: BotHarness, url: str) -> ApiCall:
    listing = last_message(await harness.send("/kilder", COORDINATOR))
    ask = last_message(await harness.press(listing, texts.BTN_KI_ADD, COORDINATOR))
    assert ask.text.startswith("➕ <b>Ny kilde</b>")
    assert texts.BTN_CANCEL in ask.button_texts
    kind = last_message(await harness.send(url, COORDINATOR))
    assert kind.text == texts.KI_ADD_ASK_KIND.format(url=url)
    assert kind.button_texts == [
        texts.KI_KIND_RSS,
        texts.KI_KIND_RSS_TILSKUDD,
        texts.KI_KIND_FORSKNINGSRADET,
        texts.KI_KIND_STATSFORVALTEREN,
        texts.KI_KIND_STATSFORVALTEREN_TILSKUDD,
        texts.KI_KIND_EU_FT,
        texts.KI_KIND_WEB,
        texts.BTN_CANCEL,
    ]
    return kind


async def test_add_a_source_tried_then_saved_and_polled(
    harness: BotHarness, loopback: LoopbackServer, clock: FakeClock
) -> None:
    url = serve_sites(loopback)["rss"]
    member = await _member(harness, 2001, "helse", clock)
    kind = await _add_until_kind(harness, url)
    found = last_message(await harness.press(kind, texts.KI_KIND_RSS, COORDINATOR))
    assert found.text.startswith("✅ Kilden svarer: 3 utlysninger funnet")
    assert "• Skjønnsmidlar til fornying og innovasjon for 2026" in found.text
    assert await _sources(harness) == []  # tried, not saved
    assert loopback.hits["/kdd.rss"] == 1
    topics = last_message(await harness.send("KDD <nyheter>", COORDINATOR))
    assert topics.text.startswith("Trinn 4 av 4") and "«KDD &lt;nyheter&gt;»" in topics.text
    await harness.press(topics, "Helse", COORDINATOR)
    before = len(harness.api.calls)
    saved = last_message(await harness.press(topics, texts.BTN_DONE, COORDINATOR))
    assert saved.text == texts.KI_ADD_SAVED.format(
        name="KDD &lt;nyheter&gt;", kind=texts.KI_KIND_RSS, minutes="60"
    )
    await _finish_polls(harness)
    [source] = await _sources(harness)
    assert (source.name, source.kind, source.url, source.topics) == ("KDD <nyheter>", "rss", url, ["helse"])
    assert source.enabled and source.last_success_at is not None
    report = _sent_to(harness, COORDINATOR.id, before)[-1]
    assert report.text.startswith("✅ «KDD &lt;nyheter&gt;» er hentet: 3 funnet")
    calls = await _calls(harness)
    assert calls and all(c.source_id == source.id for c in calls)
    # Its first poll went through the ingest hook: the subscribers of its topic hear of the open calls.
    assert {r.chat_id for r in await _outbox(harness) if r.kind == "new_call"} == {member}
    [entry] = await audit_entries(harness, "source_added")
    assert entry.actor_id == COORDINATOR.id and entry.detail["url"] == url


@pytest.mark.parametrize(
    ("path", "route", "kind_button", "reason"),
    [
        ("/borte.rss", None, texts.KI_KIND_RSS, "HTTP 404"),
        ("/side.html", Route(body=EMPTY_PAGE), texts.KI_KIND_RSS, "fikk en HTML-side"),
        ("/side.html", Route(body=EMPTY_PAGE), texts.KI_KIND_FORSKNINGSRADET, "fant ingen utlysninger"),
        (
            "/tom.rss",
            Route(body=b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>',
                  content_type="application/rss+xml"),
            texts.KI_KIND_RSS,
            texts.SOURCE_REASON_NOTHING,
        ),
    ],
)  # fmt: skip
async def test_add_refused_with_the_reason_when_it_yields_nothing(
    harness: BotHarness,
    loopback: LoopbackServer,
    path: str,
    route: Route | None,
    kind_button: str,
    reason: str,
) -> None:
    url = loopback.add(path, route) if route is not None else loopback.url(path)
    kind = await _add_until_kind(harness, url)
    refused = last_message(await harness.press(kind, kind_button, COORDINATOR))
    assert refused.text.startswith("❌ Kilden ble ikke lagt til: ")
    assert reason in refused.text
    assert await _sources(harness) == []
    [entry] = await audit_entries(harness, "source_add_refused")
    assert entry.detail["url"] == url
    # The conversation is over: a typed name is not taken as a step.
    await harness.send("KDD", COORDINATOR)
    assert await _sources(harness) == []


async def test_add_refuses_bad_addresses_and_duplicates_and_asks_again(
    harness: BotHarness, loopback: LoopbackServer
) -> None:
    url = serve_sites(loopback)["rss"]
    await _add(harness, "KDD", "rss", url)
    listing = last_message(await harness.send("/kilder", COORDINATOR))
    await harness.press(listing, texts.BTN_KI_ADD, COORDINATOR)
    for typed, start in [
        ("ftp://example.no/feed.xml", "Adressen må begynne med http:// eller https://"),
        ("file:///etc/passwd", "Adressen må begynne med http:// eller https://"),
        ("javascript:alert(1)", "Adressen må begynne med http:// eller https://"),
        ("dette er ingen adresse", "Det ser ikke ut som en nettadresse"),
        ("https://bruker:passord@example.no/rss", "Det ser ikke ut som en nettadresse"),
        (url, "Den adressen er allerede en kilde: «KDD»"),
    ]:
        reply = last_message(await harness.send(typed, COORDINATOR))
        assert reply.text.startswith(start), typed
    assert loopback.hits["/kdd.rss"] == 0  # nothing was fetched
    # Still asking for the address: a good one moves on.
    other = loopback.file("/ks.atom", "ks_atom.xml", "application/atom+xml")
    assert last_message(await harness.send(other, COORDINATOR)).text == texts.KI_ADD_ASK_KIND.format(
        url=other
    )


def test_addresses_on_internal_machines_are_refused_unless_allowed() -> None:
    for url in (
        "http://localhost:8080/rss",
        "http://127.0.0.1/rss",
        "http://10.0.0.5/rss",
        "http://192.168.1.1/rss",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/rss",
        "http://intranett.local/rss",
    ):
        problem = check_source_url(url, allow_private=False)
        assert problem is not None and problem.startswith("Adressen peker til en intern maskin"), url
        assert check_source_url(url, allow_private=True) is None, url
    assert check_source_url("https://www.regjeringen.no/no/rss/", allow_private=False) is None
    assert check_source_url("http://intranett/rss", allow_private=False) is not None
    assert not is_private_host("www.ks.no") and is_private_host("LOCALHOST")


async def test_cancel_at_every_step_of_adding(harness: BotHarness, loopback: LoopbackServer) -> None:
    url = serve_sites(loopback)["rss"]
    # /avbryt while asked for the address, the Avbryt button while asked for the kind
    listing = last_message(await harness.send("/kilder", COORDINATOR))
    await harness.press(listing, texts.BTN_KI_ADD, COORDINATOR)
    assert last_message(await harness.send("/avbryt", COORDINATOR)).text == texts.CONV_CANCELLED
    kind = await _add_until_kind(harness, url)
    assert last_message(await harness.press(kind, texts.BTN_CANCEL, COORDINATOR)).text == texts.CONV_CANCELLED
    # After the trial, while asked for the name
    kind = await _add_until_kind(harness, url)
    found = last_message(await harness.press(kind, texts.KI_KIND_RSS, COORDINATOR))
    assert texts.BTN_CANCEL in found.button_texts
    assert last_message(await harness.send("/avbryt", COORDINATOR)).text == texts.CONV_CANCELLED
    # While choosing topics: the button
    kind = await _add_until_kind(harness, url)
    await harness.press(kind, texts.KI_KIND_RSS, COORDINATOR)
    topics = last_message(await harness.send("KDD", COORDINATOR))
    assert (
        last_message(await harness.press(topics, texts.BTN_CANCEL, COORDINATOR)).text == texts.CONV_CANCELLED
    )
    # Nothing was saved, and a button of the cancelled conversation is answered, not acted on.
    calls = await harness.press(topics, texts.BTN_DONE, COORDINATOR)
    assert texts.CONV_STALE_BUTTON in alerts(calls)
    assert await _sources(harness) == []
    assert await _calls(harness) == []
    assert await audit_entries(harness, "source_added") == []


# ---- only for coordinators --------------------------------------------------------------------


async def test_refused_for_a_member_on_the_command_and_on_every_button(
    harness: BotHarness, loopback: LoopbackServer
) -> None:
    url = serve_sites(loopback)["rss"]
    sid = await _add(harness, "KDD", "rss", url)
    assert last_message(await harness.send("/kilder", MEMBER)).text == texts.COORD_REFUSED
    for data in (
        f"kl:s:{sid}",
        f"kl:pause:{sid}",
        f"kl:poll:{sid}",
        f"kl:rm:{sid}",
        f"kl:rmok:{sid}",
        "kla:add",
    ):
        calls = await harness.press_data(data, MEMBER)
        assert alerts(calls) == [texts.COORD_REFUSED_ALERT], data
        assert [c for c in calls if c.method == "sendMessage"] == [], data
    await _finish_polls(harness)
    source = await _source(harness, sid)
    assert source is not None and source.enabled and source.last_polled_at is None
    assert loopback.hits["/kdd.rss"] == 0
    refused = await audit_entries(harness, REFUSED)
    assert len(refused) == 7 and {e.actor_id for e in refused} == {MEMBER.id}
    assert refused[0].detail["command"] == "/kilder" and refused[2].detail["command"] == f"kl:pause:{sid}"
    # Someone who stops being a coordinator mid-way is refused at the next step too.
    listing = last_message(await harness.send("/kilder", COORDINATOR))
    ask = last_message(await harness.press(listing, texts.BTN_KI_ADD, COORDINATOR))
    assert ask.text.startswith("➕")
    harness.services.settings.coordinator_ids.clear()
    assert last_message(await harness.send(url, COORDINATOR)).text == texts.COORD_REFUSED


async def test_in_the_group_a_coordinator_is_sent_to_a_private_chat_and_the_menu_has_kilder(
    harness: BotHarness,
) -> None:
    from handlers import registry

    reply = last_message(await harness.send("/kilder", COORDINATOR, group=True))
    assert reply.chat_id == GROUP_ID and "privat samtale" in reply.text
    assert "kilder" in [c.command for c in registry.menu(registry.COORDINATOR)]
    assert "kilder" not in [c.command for c in registry.menu(registry.PRIVATE)]


async def test_add_refused_in_norwegian_when_nothing_answers(harness: BotHarness) -> None:
    """A source nobody answers on is refused with a reason a coordinator can read (no English)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/feed.rss"
    kind = await _add_until_kind(harness, url)
    refused = last_message(await harness.press(kind, texts.KI_KIND_RSS, COORDINATOR))
    assert refused.text == texts.KI_ADD_REFUSED.format(reason=texts.KI_REASON_NO_CONNECT)
    assert "Error" not in refused.text and "refused" not in refused.text
    [entry] = await audit_entries(harness, "source_add_refused")
    assert "ConnectError" in entry.detail["reason"]  # the operator keeps the technical reason


def test_network_errors_are_explained_in_norwegian() -> None:
    dns = "nettverksfeil: ConnectError: [Errno -2] Name or service not known"
    assert plain_reason(dns) == texts.KI_REASON_NO_HOST
    assert plain_reason("nettverksfeil: ConnectError: [Errno -3] Temporary failure in name resolution") == (
        texts.KI_REASON_NO_HOST
    )
    assert (
        plain_reason("nettverksfeil: ConnectError: [Errno 111] Connection refused")
        == texts.KI_REASON_NO_CONNECT
    )
    assert plain_reason("HTTP 404") == "HTTP 404"
