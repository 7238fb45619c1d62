"""storage.rules.deadline_truth: what a poll's reading does to a call, without a database."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from storage.rules.deadline_truth import DeadlineState as S
from storage.rules.deadline_truth import Reading, on_new_call, on_reading, told_reading

OSLO = ZoneInfo("Europe/Oslo")
MARCH = Reading(datetime(2025, 3, 5, tzinfo=OSLO))
APRIL = Reading(datetime(2025, 4, 1, tzinfo=OSLO))
MAY = Reading(datetime(2025, 5, 2, 13, 0, tzinfo=OSLO), has_time=True)
ROLLING = Reading(rolling=True)
NONE = Reading()


def test_readings() -> None:
    assert MARCH.same(Reading(datetime(2025, 3, 5, tzinfo=OSLO)))
    assert not MARCH.same(APRIL) and not MARCH.same(ROLLING) and ROLLING.same(Reading(rolling=True))
    assert not MAY.same(Reading(MAY.at, has_time=False))
    assert NONE.empty and not ROLLING.empty
    assert {ROLLING.key(), NONE.key()} == {"r", "n"} and MAY.key().endswith("t") and MARCH.key().endswith("d")
    assert MARCH.key() != APRIL.key()


@pytest.mark.parametrize(
    ("reading", "certain", "label", "state", "ask"),
    [
        (MARCH, True, False, S.CERTAIN, False),
        (MARCH, False, False, S.WAITING, True),
        (ROLLING, False, False, S.WAITING, True),
        (NONE, False, False, S.CERTAIN, False),  # nothing read, no label: nothing to ask
        (NONE, False, True, S.WAITING, True),  # "Søknadsfrist:" and no date: ask
    ],
)
def test_a_new_call(reading: Reading, certain: bool, label: bool, state: str, ask: bool) -> None:
    decision = on_new_call(reading, certain=certain, label_without_date=label)
    assert (decision.state, decision.ask, decision.effective) == (state, ask, reading)


def test_a_certain_change_is_told_at_once() -> None:
    d = on_reading(S.CERTAIN, MARCH, MARCH, APRIL, certain=True)
    assert (d.effective, d.state, d.ask, d.tell) == (APRIL, S.CERTAIN, False, True)


def test_an_uncertain_change_waits_for_a_coordinator() -> None:
    d = on_reading(S.CERTAIN, MARCH, MARCH, APRIL, certain=False)
    assert (d.effective, d.state, d.ask, d.tell) == (APRIL, S.WAITING, True, False)


def test_the_same_reading_changes_nothing_and_a_plain_statement_ends_the_wait() -> None:
    assert on_reading(S.CONFIRMED, MARCH, MARCH, MARCH, certain=False).state == S.CONFIRMED
    assert on_reading(S.WAITING, MARCH, MARCH, MARCH, certain=False).state == S.WAITING
    d = on_reading(S.WAITING, MARCH, MARCH, MARCH, certain=True)
    assert (d.state, d.ask, d.effective) == (S.CERTAIN, False, None)


@pytest.mark.parametrize("state", [S.CONFIRMED, S.SET])
def test_a_coordinators_word_is_kept_across_polls(state: str) -> None:
    # the coordinator set April while the page said March: the page still says March
    assert on_reading(state, APRIL, MARCH, MARCH, certain=True) == on_reading(
        state, APRIL, MARCH, MARCH, certain=True
    )
    d = on_reading(state, APRIL, MARCH, MARCH, certain=True)
    assert (d.effective, d.state, d.ask, d.tell) == (None, state, False, False)
    # the page changes: the coordinators are asked again, members keep the coordinator's deadline
    d = on_reading(state, APRIL, MARCH, MAY, certain=True)
    assert (d.effective, d.state, d.ask, d.tell) == (None, S.WAITING, True, False)
    # the page comes round to the coordinator's deadline: nothing to ask
    d = on_reading(state, APRIL, MARCH, APRIL, certain=True)
    assert (d.effective, d.state, d.ask) == (None, state, False)


def test_a_reask_pending_is_not_ended_by_the_page() -> None:
    d = on_reading(S.WAITING, APRIL, MAY, ROLLING, certain=True)
    assert (d.effective, d.state, d.ask) == (None, S.WAITING, True)


def test_no_deadline_this_time_keeps_the_one_we_have() -> None:
    d = on_reading(S.CERTAIN, MARCH, MARCH, NONE, certain=False)
    assert (d.effective, d.state, d.ask) == (None, S.CERTAIN, False)
    d = on_reading(S.CERTAIN, NONE, NONE, NONE, certain=False, label_without_date=True)
    assert (d.state, d.ask) == (S.WAITING, True)


def test_what_members_were_told() -> None:
    assert told_reading([], MARCH) == MARCH
    assert told_reading([(MARCH, APRIL), (APRIL, MAY)], MAY) == MARCH
