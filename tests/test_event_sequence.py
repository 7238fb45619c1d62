"""A moved event keeps calendars true (issue 16 point 2): a new time or place raises the event's
iCalendar SEQUENCE and any change its LAST-MODIFIED, in the live subscription (fetched over HTTP and
parsed with icalendar) and in the single .ics file; cancelling raises it once more.

Measured failure: events had no change history, so a moved event's SEQUENCE stayed 0 and its
LAST-MODIFIED at its creation, and a calendar that held it had no reason to take the new time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from bot import texts
from bot.calendar.feed import make_feed_app
from bot.config import Settings, load_settings
from tests.coord_helpers import add_member, last_message
from tests.fixtures_bot import COORDINATOR, MEMBER
from tests.support.harness import GROUP_ID, BotHarness, FakeClock
from tests.support.mounted import MountedServer, mounted
from tests.test_calendar_feed import PUBLIC, TOKEN
from tests.test_event_formatting import _create, _edit
from tests.test_ics import check_rfc5545

pytestmark = pytest.mark.filterwarnings("ignore:Ignoring `conversation_timeout`")
OSLO = ZoneInfo("Europe/Oslo")


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


class Feed:
    """The member's subscription, fetched as a calendar client does (with the last ETag)."""

    def __init__(self, server: MountedServer, token: str, clock: FakeClock) -> None:
        self.server, self.token, self.clock = server, token, clock
        self.etag = ""

    async def fetch(self) -> tuple[int, Any]:
        self.clock.advance(seconds=61)  # past the feed cache's minute
        headers = {"If-None-Match": self.etag} if self.etag else {}
        async with httpx.AsyncClient(trust_env=False) as client:
            response = await client.get(f"{self.server.base_url}/kalender/{self.token}.ics", headers=headers)
        if response.status_code == 304:
            return 304, None
        assert response.status_code == 200
        self.etag = response.headers["ETag"]
        [event] = [
            e for e in check_rfc5545(response.content).walk("VEVENT") if str(e["UID"]).startswith("event-")
        ]
        return 200, event


def _stamp(event: Any, name: str) -> datetime:
    return event[name].dt.astimezone(UTC)  # type: ignore[no-any-return]


async def test_a_moved_event_raises_sequence_and_last_modified_in_the_feed_and_the_file(
    harness: BotHarness, clock: FakeClock, server: MountedServer
) -> None:
    await add_member(harness, MEMBER.id, name="Kari Nordmann", topics=["helse"])
    created = await _create(harness)
    listing = last_message(await harness.send("/arrangementer", MEMBER))
    card = last_message(await harness.press(listing, "Samling", MEMBER))
    await harness.press(card, "Jeg kommer", MEMBER)
    token = TOKEN.findall(last_message(await harness.send("/kalender", MEMBER)).text)[0]
    feed = Feed(server, token, clock)

    status, event = await feed.fetch()
    assert int(event["SEQUENCE"]) == 0
    assert _stamp(event, "LAST-MODIFIED") == created.created_at.replace(microsecond=0)
    assert await feed.fetch() == (304, None)

    # A new time: SEQUENCE 1, LAST-MODIFIED the moment of the change, the new start.
    clock.advance(hours=2)
    moved_at = clock.now.replace(microsecond=0)
    await _edit(harness, texts.BTN_EE_TIME, "6. mars kl. 14")
    status, event = await feed.fetch()
    assert status == 200 and int(event["SEQUENCE"]) == 1
    assert _stamp(event, "LAST-MODIFIED") == _stamp(event, "DTSTAMP") == moved_at
    assert event["DTSTART"].dt == datetime(2027, 3, 6, 14, 0, tzinfo=OSLO)
    # Saved again with the same time: nothing changed, so the calendar's copy costs a 304.
    await _edit(harness, texts.BTN_EE_TIME, "6. mars kl. 14")
    assert await feed.fetch() == (304, None)

    # A new title: LAST-MODIFIED moves, SEQUENCE stays (not a new time or place).
    clock.advance(hours=1)
    await _edit(harness, texts.BTN_FIELD_TITLE, "Samling om velferd (ny tittel)")
    status, event = await feed.fetch()
    assert int(event["SEQUENCE"]) == 1 and str(event["SUMMARY"]) == "Samling om velferd (ny tittel)"
    assert _stamp(event, "LAST-MODIFIED") > moved_at

    # A new place: SEQUENCE 2, in the feed and in the single .ics file alike.
    await _edit(harness, texts.BTN_EE_PLACE, "Quality Hotel Panorama")
    status, event = await feed.fetch()
    assert int(event["SEQUENCE"]) == 2 and str(event["LOCATION"]) == "Quality Hotel Panorama"
    listing = last_message(await harness.send("/arrangementer", MEMBER))
    card = last_message(await harness.press(listing, "Samling", MEMBER))
    [sent] = [c for c in await harness.press(card, texts.BTN_EVENT_ICS, MEMBER) if c.method == "sendDocument"]
    [single] = check_rfc5545(next(iter(sent.files.values()))[1]).walk("VEVENT")
    assert int(single["SEQUENCE"]) == 2 and str(single["UID"]) == str(event["UID"])

    # Cancelled: STATUS:CANCELLED with a SEQUENCE above every earlier one.
    clock.advance(hours=1)
    listing = last_message(await harness.send("/arrangementer", COORDINATOR))
    admin_card = last_message(await harness.press(listing, "Samling", COORDINATOR))
    confirm = last_message(await harness.press(admin_card, texts.BTN_EVENT_CANCEL, COORDINATOR))
    await harness.press(confirm, texts.BTN_EVENT_CANCEL_CONFIRM, COORDINATOR)
    status, event = await feed.fetch()
    assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 3
    assert _stamp(event, "LAST-MODIFIED") == clock.now.replace(microsecond=0) - timedelta(seconds=61)
