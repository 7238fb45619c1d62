"""bot.calendar.ics: deadlines as iCalendar, one call or many, checked against RFC 5545."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from bot.calendar.ics import ALARM_DAYS, ALARM_HOUR, call_event, calls_to_ics

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
OSLO = ZoneInfo("Europe/Oslo")


@dataclass
class FakeCall:
    id: int
    title: str
    deadline_at: datetime | None
    deadline_has_time: bool = True
    url: str | None = "https://www.forskningsradet.no/utlysninger/2026/x/"
    source_name: str = "Forskningsrådet"
    summary: str = "Formålet med utlysningen er å støtte innovasjon."


def check_rfc5545(data: bytes) -> Calendar:
    """The properties RFC 5545 requires: VERSION and PRODID once in the calendar (3.6); UID, DTSTAMP
    and DTSTART in every VEVENT (3.6.1); ACTION and TRIGGER (and DESCRIPTION for DISPLAY) in every
    VALARM (3.6.6); a VTIMEZONE for every TZID used (3.6.5); CRLF line ends (3.1)."""
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")
    assert all(len(line) <= 75 for line in data.split(b"\r\n")), "lines are folded at 75 octets"
    calendar = Calendar.from_ical(data)
    assert str(calendar["VERSION"]) == "2.0" and str(calendar["PRODID"])
    zones = {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
    for event in calendar.walk("VEVENT"):
        for name in ("UID", "DTSTAMP", "DTSTART"):
            assert name in event, f"VEVENT without {name}"
        assert "DTEND" not in event or "DURATION" not in event
        for name in ("DTSTART", "DTEND"):
            tzid = event[name].params.get("TZID") if name in event else None
            assert tzid is None or tzid in zones, f"{tzid} has no VTIMEZONE"
        for alarm in event.walk("VALARM"):
            assert "ACTION" in alarm and "TRIGGER" in alarm
            assert str(alarm["ACTION"]) != "DISPLAY" or "DESCRIPTION" in alarm
    return calendar


def test_one_call_with_a_time_is_in_oslo_time_with_a_vtimezone() -> None:
    deadline = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)  # 13:00 in Oslo
    calendar = check_rfc5545(
        calls_to_ics(FakeCall(7, "Pilot Helse; del 2, runde 1", deadline), now=NOW, domain="abc.foui-bot")
    )
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == "call-7@abc.foui-bot"
    assert str(event["SUMMARY"]) == "Frist: Pilot Helse; del 2, runde 1"
    assert event["DTEND"].params["TZID"] == "Europe/Oslo"
    assert event.decoded("DTEND") == deadline
    assert event.decoded("DTEND").astimezone(OSLO).hour == 13
    assert event.decoded("DTSTART") == deadline - timedelta(minutes=30)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Oslo"]
    assert "Forskningsrådet" in str(event["DESCRIPTION"]) and str(event["URL"]).startswith("https://")
    assert int(event["SEQUENCE"]) == 0 and "LAST-MODIFIED" in event
    (alarm,) = event.walk("VALARM")
    ring = event.decoded("DTSTART") + alarm.decoded("TRIGGER")
    assert ring.astimezone(OSLO) == datetime(2026, 12, 4 - ALARM_DAYS, ALARM_HOUR, 0, tzinfo=OSLO)


def test_a_whole_day_deadline_is_a_date_and_its_alarm_rings_at_a_working_hour() -> None:
    calls = [
        FakeCall(1, "Dato uten tid", datetime(2026, 12, 9, 23, 0, tzinfo=UTC), deadline_has_time=False),
        FakeCall(2, "Løpende", None),
        FakeCall(3, "Med tid", datetime(2027, 1, 5, 13, 0, tzinfo=UTC), url=None, summary=""),
    ]
    calendar = check_rfc5545(calls_to_ics(calls, now=NOW))
    events = calendar.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Frist: Dato uten tid", "Frist: Med tid"]
    all_day = events[0]
    assert all_day["DTSTART"].to_ical() == b"20261210"  # the date in Oslo, as a DATE value
    assert all_day["DTSTART"].params.get("VALUE") == "DATE"
    assert all_day["DTEND"].to_ical() == b"20261211"
    (alarm,) = all_day.walk("VALARM")
    ring = datetime.combine(date(2026, 12, 10), datetime.min.time(), OSLO) + alarm.decoded("TRIGGER")
    assert ring == datetime(2026, 12, 10 - ALARM_DAYS, ALARM_HOUR, 0, tzinfo=OSLO)  # not midnight
    assert "URL" not in events[1]
    assert str(calendar["X-WR-CALNAME"]) == "FoUI-frister"


def test_a_moved_deadline_raises_sequence_and_last_modified_with_the_same_uid() -> None:
    call = FakeCall(5, "Flyttet", datetime(2026, 12, 9, 12, 0, tzinfo=UTC))
    before = call_event(call, now=NOW, domain="d", sequence=0, last_modified=NOW - timedelta(days=9))
    call.deadline_at = datetime(2026, 12, 16, 12, 0, tzinfo=UTC)
    after = call_event(call, now=NOW, domain="d", sequence=1, last_modified=NOW)
    assert before is not None and after is not None
    assert before["UID"] == after["UID"]
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after.decoded("LAST-MODIFIED") > before.decoded("LAST-MODIFIED")
    assert after.decoded("DTSTAMP") == after.decoded("LAST-MODIFIED")


def test_the_same_data_gives_the_same_bytes_and_deployments_differ() -> None:
    call = FakeCall(9, "Stabil", datetime(2026, 12, 9, 12, 0, tzinfo=UTC))
    one = calls_to_ics([call], now=NOW, domain="a.foui-bot")
    assert one == calls_to_ics([call], now=NOW, domain="a.foui-bot")
    other = Calendar.from_ical(calls_to_ics([call], now=NOW, domain="b.foui-bot"))
    assert str(Calendar.from_ical(one).walk("VEVENT")[0]["UID"]) != str(other.walk("VEVENT")[0]["UID"])


def test_empty_is_still_a_valid_calendar() -> None:
    calendar = check_rfc5545(calls_to_ics([], now=NOW))
    assert calendar.walk("VEVENT") == []
