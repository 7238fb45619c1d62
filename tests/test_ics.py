"""bot.ics: deadlines as iCalendar, one call or many."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from bot.calendar.ics import calls_to_ics

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@dataclass
class FakeCall:
    id: int
    title: str
    deadline_at: datetime | None
    deadline_has_time: bool = True
    url: str | None = "https://www.forskningsradet.no/utlysninger/2026/x/"
    source_name: str = "Forskningsrådet"
    summary: str = "Formålet med utlysningen er å støtte innovasjon."


def parse(data: bytes) -> Calendar:
    assert data.startswith(b"BEGIN:VCALENDAR")
    return Calendar.from_ical(data)


def test_one_call_with_a_time() -> None:
    deadline = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    calendar = parse(calls_to_ics(FakeCall(7, "Pilot Helse; del 2, runde 1", deadline), now=NOW))
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == "call-7@foui-bot"
    assert str(event["SUMMARY"]) == "Frist: Pilot Helse; del 2, runde 1"
    assert event.decoded("DTEND") == deadline
    assert event.decoded("DTSTART") == deadline - timedelta(minutes=30)
    assert "Forskningsrådet" in str(event["DESCRIPTION"]) and str(event["URL"]).startswith("https://")
    (alarm,) = event.walk("VALARM")
    assert alarm.decoded("TRIGGER") == timedelta(days=-1)


def test_many_calls_all_day_and_without_deadline() -> None:
    calls = [
        FakeCall(1, "Dato uten tid", datetime(2026, 12, 9, 23, 0, tzinfo=UTC), deadline_has_time=False),
        FakeCall(2, "Løpende", None),
        FakeCall(3, "Med tid", datetime(2027, 1, 5, 13, 0, tzinfo=UTC), url=None, summary=""),
    ]
    calendar = parse(calls_to_ics(calls, now=NOW))
    events = calendar.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Frist: Dato uten tid", "Frist: Med tid"]
    all_day = events[0]
    assert all_day["DTSTART"].to_ical() == b"20261210"  # the date in Oslo
    assert all_day["DTEND"].to_ical() == b"20261211"
    assert "URL" not in events[1]
    assert str(calendar["X-WR-CALNAME"]) == "FoUI-frister"


def test_empty_is_still_a_valid_calendar() -> None:
    calendar = parse(calls_to_ics([], now=NOW))
    assert calendar.walk("VEVENT") == []
