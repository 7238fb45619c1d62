"""The live calendar subscription end to end: /kalender gives a member a secret link; the feed is
served on loopback through the callable the web wing mounts, fetched over HTTP, parsed and kept
true (a polled deadline moves: SEQUENCE rises and the date changes; a fetch with the ETag costs a
304); a renewed link refuses the old token, and /slettmeg removes the link."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from icalendar import Calendar
from sqlalchemy import select

from bot import texts
from bot.calendar import feed as feed_module
from bot.calendar.feed import make_feed_app, not_modified, public_links
from bot.calendar.feed_cache import Built, FeedCache
from bot.config import Settings, SettingsError, load_settings
from bot.poll.poll import poll_source
from storage import calendar_feeds, plans
from storage.calendar_models import CalendarFeed
from storage.models import Call, Chat, DeadlineChange, Event, Rsvp, Source
from storage.rules.applications import Milestone
from tests.coord_helpers import add_member, last_message
from tests.fixtures.feeds.loopback import LoopbackServer, Route
from tests.fixtures.feeds.loopback import loopback as loopback
from tests.fixtures_bot import COORDINATOR, MEMBER, OTHER
from tests.members_helpers import add_calls
from tests.support.harness import GROUP_ID, BotHarness, FakeClock
from tests.support.mounted import MountedServer, mounted
from tests.test_ics import check_rfc5545
from tests.test_privacy_e2e import document

PUBLIC = "https://foui.example.no"
OSLO = ZoneInfo("Europe/Oslo")
FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Tilskudd</title><link>https://x.test/</link><description>-</description>
<item>
 <title>Tilskudd til velferdsteknologi i kommunene</title>
 <link>https://x.test/velferdsteknologi</link>
 <guid isPermaLink="false">velferdsteknologi-2027</guid>
 <description>{text}</description>
 <pubDate>Fri, 20 Nov 2026 09:00:00 +0100</pubDate>
</item>
</channel></rss>"""
SURE = "Søknadsfristen er 5. mars 2027 kl. 12.00."
MOVED = "Søknadsfristen er 19. mars 2027 kl. 12.00."
TOKEN = re.compile(r"/kalender/([A-Za-z0-9_-]{32,64})\.ics")


@pytest.fixture
def settings(db_url: str) -> Settings:
    return load_settings(
        database_url=db_url,
        coordinator_ids=[COORDINATOR.id],
        group_chat_id=GROUP_ID,
        public_url=PUBLIC + "/",
        _env_file=None,
    )


@pytest.fixture
async def server(harness: BotHarness, clock: FakeClock) -> AsyncIterator[MountedServer]:
    svc = harness.services
    async with mounted("/kalender/", make_feed_app(svc.sessions, svc.settings, clock)) as srv:
        yield srv


async def _poll(harness: BotHarness, loopback: LoopbackServer, text: str) -> None:
    url = loopback.add(
        "/tilskudd.rss", Route(FEED.format(text=text).encode(), content_type="application/rss+xml")
    )
    async with harness.services.session() as s:
        source = (await s.execute(select(Source).where(Source.url == url))).scalar_one_or_none()
        if source is None:
            source = Source(
                name="Tilskuddsportalen", kind="rss", url=url, topics=["helse"], interval_minutes=60
            )
            s.add(source)
            await s.flush()
        source_id = source.id
    outcome = await poll_source(harness.services, source_id)
    assert outcome.ok, outcome.reason


def _token(text: str) -> str:
    found = TOKEN.findall(text)
    assert found, text
    assert len(set(found)) == 1  # the webcal:// and https:// forms hold the same token
    return str(found[0])


async def _get(server: MountedServer, token: str, **headers: str) -> httpx.Response:
    async with httpx.AsyncClient(trust_env=False) as client:
        return await client.get(f"{server.base_url}/kalender/{token}.ics", headers=headers)


def _deadline_event(response: httpx.Response) -> tuple[Calendar, object]:
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/calendar")
    calendar = check_rfc5545(response.content)
    events = [e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith("call-")]
    assert len(events) == 1
    return calendar, events[0]


async def test_a_subscription_is_fetched_parsed_and_updated_over_http(
    harness: BotHarness, clock: FakeClock, loopback: LoopbackServer, server: MountedServer
) -> None:
    await add_member(harness, MEMBER.id, topics=["helse"])
    reply = last_message(await harness.send("/kalender", MEMBER))
    token = _token(reply.text)
    webcal, https = public_links(PUBLIC, token)
    assert webcal in reply.text and https in reply.text and webcal.startswith("webcal://foui.example.no/")
    assert texts.BTN_CAL_RENEW in reply.button_texts
    async with harness.services.session() as s:
        stored = (await s.execute(select(CalendarFeed))).scalar_one()
        assert stored.token_hash == calendar_feeds.hash_token(token) and token not in stored.token_hash

    await _poll(harness, loopback, SURE)
    first = await _get(server, token)
    _, event = _deadline_event(first)
    assert event.decoded("DTEND") == datetime(2027, 3, 5, 12, 0, tzinfo=OSLO)
    assert int(event["SEQUENCE"]) == 0
    etag, modified = first.headers["etag"], first.headers["last-modified"]

    assert (await _get(server, token, **{"If-None-Match": etag})).status_code == 304
    unchanged = await _get(server, token, **{"If-Modified-Since": modified})
    assert unchanged.status_code == 304 and unchanged.content == b""
    clock.advance(hours=3)
    assert (await _get(server, token)).headers["etag"] == etag  # the same content, the same bytes

    await _poll(harness, loopback, MOVED)
    # Within a minute the feed is answered from memory; then it is built again from the database.
    assert (await _get(server, token, **{"If-None-Match": etag})).status_code == 304
    clock.advance(seconds=61)
    moved = await _get(server, token, **{"If-None-Match": etag})
    _, after = _deadline_event(moved)
    assert after["UID"] == event["UID"]
    assert after.decoded("DTEND") == datetime(2027, 3, 19, 12, 0, tzinfo=OSLO)
    assert int(after["SEQUENCE"]) == 1
    assert after.decoded("LAST-MODIFIED") > event.decoded("LAST-MODIFIED")
    assert moved.headers["etag"] != etag
    assert parsedate_to_datetime(moved.headers["last-modified"]) > parsedate_to_datetime(modified)
    assert (await _get(server, token, **{"If-None-Match": moved.headers["etag"]})).status_code == 304


async def test_a_renewed_link_refuses_the_old_token_and_slettmeg_removes_it(
    harness: BotHarness, server: MountedServer
) -> None:
    await add_member(harness, MEMBER.id, topics=["helse"])
    reply = last_message(await harness.send("/kalender", MEMBER))
    old = _token(reply.text)
    assert (await _get(server, old)).status_code == 200
    again = last_message(await harness.send("/kalender", MEMBER))
    assert old not in again.text and texts.BTN_CAL_RENEW in again.button_texts  # shown once only
    pressed = await harness.press(again, texts.BTN_CAL_RENEW, MEMBER)
    (renewed,) = [c for c in pressed if c.method == "editMessageText"]
    new = _token(renewed.text)
    assert new != old
    refused = await _get(server, old)
    assert refused.status_code == 404 and refused.text == texts.FEED_NOT_FOUND
    assert (await _get(server, new)).status_code == 200
    _, data = document(await harness.send("/minedata", MEMBER))
    assert data["calendar_subscription"]["since"] and new not in json.dumps(data)
    ask = last_message(await harness.send("/slettmeg", MEMBER))
    await harness.press(ask, texts.DELETE_YES_BUTTON, MEMBER)
    assert (await _get(server, new)).status_code == 404
    async with harness.services.session() as s:
        assert (await s.execute(select(CalendarFeed))).first() is None


async def test_forged_and_odd_paths_are_refused_without_the_database(server: MountedServer) -> None:
    for tail in ("x", "../../etc/passwd", "a" * 200, "ÆØÅ" * 12):
        assert (await _get(server, tail)).status_code == 404


async def test_a_group_link_is_for_admins_and_holds_events_the_member_link_what_they_signed_up_for(
    harness: BotHarness, clock: FakeClock, server: MountedServer
) -> None:
    member_chat = await add_member(harness, MEMBER.id)
    async with harness.services.session() as s:
        going = Event(
            title="Samling i Steinkjer",
            starts_at=clock.now + timedelta(days=10),
            video_url="https://meet.example/x",
        )
        other = Event(title="Webinar", starts_at=clock.now + timedelta(days=12))
        gone = Event(title="Avlyst møte", starts_at=clock.now + timedelta(days=5), cancelled=True)
        s.add_all([going, other, gone])
        await s.flush()
        s.add_all(
            [
                Rsvp(event_id=going.id, chat_id=member_chat, answer="yes"),
                Rsvp(event_id=gone.id, chat_id=member_chat, answer="yes"),
            ]
        )
    token = _token(last_message(await harness.send("/kalender", MEMBER)).text)
    calendar = check_rfc5545((await _get(server, token)).content)
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"Samling i Steinkjer", "Avlyst møte"}
    assert str(events["Avlyst møte"]["STATUS"]) == "CANCELLED" and int(events["Avlyst møte"]["SEQUENCE"]) == 1
    assert events["Samling i Steinkjer"]["DTSTART"].params["TZID"] == "Europe/Oslo"
    assert str(events["Samling i Steinkjer"]["URL"]) == "https://meet.example/x"
    async with harness.services.session() as s:
        chat = await s.get(Chat, member_chat)
        assert chat is not None
        chat.in_group, chat.left_group_at = False, clock.now  # left the network
    clock.advance(seconds=61)
    calendar = check_rfc5545((await _get(server, token)).content)
    assert b"meet.example" not in calendar.to_ical()  # meeting links are the network's own

    harness.api.set_admins(GROUP_ID, [OTHER.id])
    refused = last_message(await harness.send("/kalender", MEMBER, group=True))
    assert refused.text == texts.CALENDAR_SUB_ADMINS_ONLY and not TOKEN.search(refused.text)
    group_token = _token(last_message(await harness.send("/kalender", OTHER, group=True)).text)
    group = check_rfc5545((await _get(server, group_token)).content)
    assert {str(e["SUMMARY"]) for e in group.walk("VEVENT")} == {
        "Samling i Steinkjer",
        "Webinar",
        "Avlyst møte",
    }


async def test_without_a_public_url_kalender_says_so_and_sends_the_file(harness: BotHarness) -> None:
    harness.services.settings.public_url = None
    reply = last_message(await harness.send("/kalender", MEMBER))
    assert reply.text.endswith(texts.CALENDAR_SUB_OFF) and not TOKEN.search(reply.text)


def test_if_none_match_decides_before_if_modified_since() -> None:
    changed = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    later = "Mon, 30 Nov 2026 09:00:00 GMT"
    assert not_modified({"If-None-Match": '"a"'}, '"a"', changed)
    assert not_modified({"if-none-match": 'W/"a", "b"'}, '"a"', changed)
    assert not not_modified({"If-None-Match": '"b"', "If-Modified-Since": later}, '"a"', changed)
    assert not_modified({"If-Modified-Since": later}, '"a"', changed)
    assert not not_modified({"If-Modified-Since": "tull"}, '"a"', changed)
    assert not not_modified({}, '"a"', changed)


async def test_the_deployment_id_is_made_once(harness: BotHarness) -> None:
    async with harness.services.session() as s:
        first = await calendar_feeds.uid_domain(s)
    async with harness.services.session() as s:
        assert await calendar_feeds.uid_domain(s) == first
    assert first.endswith(".foui-bot") and len(first) > len(".foui-bot") + 8
    async with harness.services.session() as s:
        assert (await s.execute(select(Call))).first() is None


async def test_the_feed_holds_the_municipalitys_vi_soker_milestones_and_they_move_with_the_deadline(
    harness: BotHarness, clock: FakeClock, server: MountedServer
) -> None:
    member_chat = await add_member(harness, MEMBER.id, municipality="Inderøy")
    other_chat = await add_member(harness, OTHER.id, municipality="Malvik")
    (call_id,) = await add_calls(
        harness,
        {"title": "Pilot Helse", "deadline": datetime(2027, 3, 5, 12, 0, tzinfo=OSLO), "topics": ["helse"]},
    )
    async with harness.services.session() as s:
        milestones = [Milestone(6, "Forankring i ledelsen"), Milestone(1, "Godkjenning")]
        await plans.make_plan(s, call_id, "Inderøy", member_chat, milestones, clock.now)
    token = _token(last_message(await harness.send("/kalender", MEMBER)).text)
    first = check_rfc5545((await _get(server, token)).content)
    found = {str(e["SUMMARY"]): e for e in first.walk("VEVENT") if str(e["UID"]).startswith("milestone-")}
    assert set(found) == {
        texts.CALENDAR_MILESTONE.format(label="Forankring i ledelsen", title="Pilot Helse"),
        texts.CALENDAR_MILESTONE.format(label="Godkjenning", title="Pilot Helse"),
    }
    six = found[texts.CALENDAR_MILESTONE.format(label="Forankring i ledelsen", title="Pilot Helse")]
    assert six["DTSTART"].to_ical() == b"20270122"  # six weeks before 5 March, a whole day
    # Another municipality's contact sees none of Inderøy's plan.
    assert other_chat
    other = _token(last_message(await harness.send("/kalender", OTHER)).text)
    assert b"milestone-" not in (await _get(server, other)).content
    # The deadline moves: the milestones move with it, with a higher SEQUENCE.
    async with harness.services.session() as s:
        call = await s.get(Call, call_id)
        assert call is not None
        s.add(
            DeadlineChange(
                call_id=call_id, old_deadline_at=call.deadline_at, new_deadline_at=None, changed_at=clock.now
            )
        )
        call.deadline_at = datetime(2027, 3, 19, 12, 0, tzinfo=OSLO)
    clock.advance(seconds=61)
    moved = check_rfc5545((await _get(server, token)).content)
    (six_after,) = [e for e in moved.walk("VEVENT") if e["UID"] == six["UID"]]
    assert six_after["DTSTART"].to_ical() == b"20270205" and int(six_after["SEQUENCE"]) == 1


def test_the_feed_cache_keeps_a_minute_within_its_byte_budget() -> None:
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    cache = FeedCache(budget=100)
    cache.put((1, "a"), Built(now, "d1", now, b"x" * 60))
    assert cache.get((1, "a"), now + timedelta(seconds=59)) is not None
    assert cache.get((1, "a"), now + timedelta(seconds=60)) is None  # stale: built again
    assert cache.get((1, "b"), now) is None  # a renewed token never meets the old entry
    cache.put((2, "a"), Built(now, "d2", now, b"y" * 60))  # over budget: the oldest goes
    assert cache.get((1, "a"), now) is None and cache.get((2, "a"), now) is not None
    cache.put((3, "a"), Built(now, "d3", now, b"z" * 101))  # larger than the budget: not kept
    assert cache.get((3, "a"), now) is None and cache.get((2, "a"), now) is not None


async def test_the_feed_is_rendered_off_the_event_loop(
    harness: BotHarness, server: MountedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[Any] = []
    real = asyncio.to_thread

    async def spy(func: Any, *args: Any, **kwargs: Any) -> Any:
        threads.append(func)
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(feed_module.asyncio, "to_thread", spy)
    await add_member(harness, MEMBER.id)
    token = _token(last_message(await harness.send("/kalender", MEMBER)).text)
    assert (await _get(server, token)).status_code == 200
    assert (await _get(server, token)).status_code == 200  # from memory: not rendered again
    assert threads == [feed_module.render_feed]


def test_public_url_empty_is_unset_and_a_bad_one_is_refused_in_norwegian() -> None:
    assert load_settings(public_url="  ", _env_file=None).public_url is None
    assert (
        load_settings(public_url="https://bot.eksempel.no/", _env_file=None).public_url
        == "https://bot.eksempel.no"
    )
    with pytest.raises(SettingsError) as refused:
        load_settings(public_url="bot.eksempel.no", _env_file=None)
    assert "FOUI_PUBLIC_URL" in str(refused.value) and "https://" in str(refused.value)
