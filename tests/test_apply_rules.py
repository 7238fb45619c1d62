"""The pure parts of 'Vi søker': milestones, the eligibility filter, rendering of amounts and the
network's statuses, and the reader's cheap pre-tests (they must never skip a sentence that names
someone)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import texts
from bot.push.apply_render import eligibility_line, money, network_summary, status_rows
from feeds.eligibility import extract
from feeds.eligibility.text import sentences
from feeds.eligibility.vocab import FR_WORDS, names_any, names_research, types_in
from storage.rules.applications import (
    DEFAULT_MILESTONES,
    Milestone,
    hidden_by_filter,
    milestone_due,
    milestones_due,
    milestones_from_json,
    parse_milestones,
)
from tests.eligibility_scoring import load_rows

OSLO = ZoneInfo("Europe/Oslo")
DEADLINE = datetime(2027, 3, 3, 12, 0, tzinfo=UTC)
END = DEADLINE


def test_a_milestone_is_due_at_nine_in_norway_on_its_day() -> None:
    assert milestone_due(DEADLINE, 6, OSLO) == datetime(2027, 1, 20, 9, 0, tzinfo=OSLO)
    summer = datetime(2027, 8, 30, 11, 0, tzinfo=UTC)
    assert milestone_due(summer, 1, OSLO) == datetime(2027, 8, 23, 9, 0, tzinfo=OSLO)


def test_milestones_due_now_only_after_the_plan_was_made_and_before_the_deadline() -> None:
    made = datetime(2027, 1, 25, 10, 0, tzinfo=UTC)  # after the six-week point
    at_six = datetime(2027, 1, 20, 8, 0, tzinfo=UTC)
    at_three = datetime(2027, 2, 10, 8, 0, tzinfo=UTC)
    due = milestones_due(DEADLINE, END, DEFAULT_MILESTONES, made_at=made, now=at_three, tz=OSLO)
    assert [m.weeks for m, _ in due] == [3]
    assert milestones_due(DEADLINE, END, DEFAULT_MILESTONES, made_at=made, now=at_six, tz=OSLO) == []
    late = milestones_due(
        DEADLINE, END, DEFAULT_MILESTONES, made_at=at_six - timedelta(days=1), now=at_three, tz=OSLO
    )
    assert [m.weeks for m, _ in late] == [3]  # a stopped bot sends the latest only
    assert milestones_due(DEADLINE, END, DEFAULT_MILESTONES, made_at=made, now=END, tz=OSLO) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "6 Forankring i ledelsen; 3 Partnere; 1 Godkjenning",
            [(6, "Forankring i ledelsen"), (3, "Partnere"), (1, "Godkjenning")],
        ),
        ("1 uke: Lese gjennom\n4 uker før Skrive", [(4, "Skrive"), (1, "Lese gjennom")]),
    ],
)
def test_parse_milestones(text: str, expected: list[tuple[int, str]]) -> None:
    assert [(m.weeks, m.label) for m in parse_milestones(text)] == expected


@pytest.mark.parametrize(
    "text",
    ["", "Forankring", "0 Nå", "53 For tidlig", "3 A; 3 B", "6", "; ".join(f"{i} x" for i in range(1, 10))],
)
def test_parse_milestones_refuses_with_a_reason(text: str) -> None:
    with pytest.raises(ValueError, match=r"\w"):
        parse_milestones(text)


def test_stored_milestones_are_read_leniently() -> None:
    assert milestones_from_json([[6, "A"], ["x", "B"], [2, "C", 3], None]) == [Milestone(6, "A")]


def test_the_filter_hides_only_what_is_not_for_municipalities() -> None:
    assert hidden_by_filter("ikke")
    assert not any(hidden_by_filter(v) for v in ("kan_soke", "kan_delta", "ukjent", None))


@pytest.mark.parametrize(
    ("value", "currency", "shown"),
    [
        (500_000, "NOK", "500\u00a0000 kr"),
        (2_000_000, "NOK", "2 mill. kr"),
        (1_500_000, "NOK", "1,5 mill. kr"),
        (291_985_000, "NOK", "291,99 mill. kr"),
        (1_500_000_000, "NOK", "1,5 mrd. kr"),
        (60_000, "EUR", "60\u00a0000 euro"),
    ],
)
def test_money_reads_as_norwegian(value: int, currency: str, shown: str) -> None:
    assert money(value, currency) == shown


def test_the_eligibility_line() -> None:
    assert eligibility_line(None) == texts.ELIG_UNKNOWN
    reading = extract("Hvem kan søke: Kommuner\nDere kan søke om mellom 1 og 3 mill. kroner.").to_dict()
    assert eligibility_line(reading) == f"{texts.ELIG_CAN_APPLY} · 1–3 mill. kr per prosjekt"
    partner = extract("Bare forskningsorganisasjoner kan søke. Kommuner kan delta som partnere.").to_dict()
    assert eligibility_line(partner) == texts.ELIG_CAN_PARTNER


def test_the_network_summary() -> None:
    statuses = [("Frosta", "vurderer"), ("Inderøy", "soker"), ("Levanger", "vurderer"), ("Snåsa", "vurderer")]
    assert network_summary(statuses) == "3 kommuner vurderer, 1 søker (Inderøy)"
    assert (
        network_summary([("A & B", "soker"), ("C", "ikke_aktuelt")]) == "1 søker (A &amp; B), 1 ikke aktuelt"
    )
    assert network_summary([]) == texts.NETWORK_NONE


def test_status_buttons_tick_the_chosen_one_and_fit_telegrams_limit() -> None:
    rows = status_rows(123456789, "soker")
    assert [b["text"] for b in rows[0]] == [
        texts.BUTTON_CONSIDER,
        texts.BUTTON_CHOSEN.format(label=texts.BUTTON_APPLY),
        texts.BUTTON_NOT_RELEVANT,
    ]
    assert all(len(b["callback_data"].encode()) <= 64 for row in rows for b in row)


def test_the_pre_tests_never_skip_a_sentence_that_names_someone() -> None:
    corpus = [s.text for row in load_rows() for s in sentences(row["title"] + "\n" + row["text"])]
    corpus += [
        "Interkommunale selskap, regionråd og kommunale foretak kan søke.",
        "Associations of municipalities, local public entities and NGOs are eligible.",
        "Stiftelser, enkeltpersoner, political parties and other stakeholders cannot apply.",
        "Universiteter, høgskoler og FoU-institusjoner kan delta. Research organisations may join as partners.",
    ]
    for sentence in corpus:
        if types_in(sentence, keep_relative=True):
            assert names_any(sentence), sentence
        if FR_WORDS.search(sentence):
            assert names_research(sentence), sentence
