"""Dates typed the Norwegian way, read strictly: what is not certain is refused."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from handlers.typed_dates import OSLO, parse_end, parse_time, parse_typed_datetime

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday


@pytest.mark.parametrize(
    ("typed", "expected", "has_time"),
    [
        ("5. mars kl. 13", datetime(2027, 3, 5, 13, 0), True),
        ("05.03.2027 13:00", datetime(2027, 3, 5, 13, 0), True),
        ("5.3.27 kl 13.30", datetime(2027, 3, 5, 13, 30), True),
        ("i morgen kl 10", datetime(2026, 11, 24, 10, 0), True),
        ("I morgen klokka 10", datetime(2026, 11, 24, 10, 0), True),
        ("i dag kl. 15", datetime(2026, 11, 23, 15, 0), True),
        ("fredag kl 12", datetime(2026, 11, 27, 12, 0), True),
        ("fredag 5. mars kl. 13", datetime(2027, 3, 5, 13, 0), True),
        ("5. mars", datetime(2027, 3, 5, 0, 0), False),  # the whole day, as for polled calls
        ("1. desember", datetime(2026, 12, 1, 0, 0), False),
        ("5.3", datetime(2027, 3, 5, 0, 0), False),
        ("5. mars 13", datetime(2027, 3, 5, 13, 0), True),  # 13:00, not the year 2013
        ("20.11", datetime(2026, 11, 20, 0, 0), False),  # just passed: the handler says so
        ("5 mar 2027 13:00", datetime(2027, 3, 5, 13, 0), True),
        ("2027-03-05 13:00", datetime(2027, 3, 5, 13, 0), True),
        ("den 5. mars kl. 13", datetime(2027, 3, 5, 13, 0), True),
        ("03.06.2027 23:59:00", datetime(2027, 6, 3, 23, 59), True),
        ("1. juli kl 24", datetime(2027, 7, 1, 23, 59), True),
    ],
)
def test_understood(typed: str, expected: datetime, has_time: bool) -> None:
    result = parse_typed_datetime(typed, now=NOW)
    assert result is not None
    assert result.at == expected.replace(tzinfo=OSLO)
    assert result.has_time is has_time


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "snart",
        "neste uke",
        "31. februar",
        "5. mars kl. 25",
        "5. mars kl. 13:75",
        "13.00",
        "fredag 6. mars 2027",  # the 6th is a Saturday: a typo somewhere
        "5. marsj",
        "5. mars og 6. mars",
        "kl 13 5. mars",
    ],
)
def test_refused(typed: str) -> None:
    assert parse_typed_datetime(typed, now=NOW) is None


def test_a_date_without_time_lasts_the_whole_day() -> None:
    result = parse_typed_datetime("i dag", now=NOW)
    assert result is not None and not result.has_time
    assert result.ends_at == datetime(2026, 11, 23, 23, 59, 59, tzinfo=OSLO)
    timed = parse_typed_datetime("i dag kl 8", now=NOW)
    assert timed is not None and timed.ends_at == timed.at


def test_summer_time_is_respected() -> None:
    result = parse_typed_datetime("1. juni kl. 13", now=NOW)
    assert result is not None
    assert result.at.astimezone(UTC) == datetime(2027, 6, 1, 11, 0, tzinfo=UTC)


def test_times_and_event_ends() -> None:
    assert parse_time("kl. 9") == time(9, 0)
    assert parse_time("14.30") == time(14, 30)
    assert parse_time("25") is None
    start = datetime(2027, 3, 5, 13, 0, tzinfo=OSLO)
    assert parse_end("15:30", start=start, now=NOW) == datetime(2027, 3, 5, 15, 30, tzinfo=OSLO)
    assert parse_end("6. mars kl 12", start=start, now=NOW) == datetime(2027, 3, 6, 12, 0, tzinfo=OSLO)
    assert parse_end("6. mars", start=start, now=NOW) is None
    assert parse_end("etterpå", start=start, now=NOW) is None
