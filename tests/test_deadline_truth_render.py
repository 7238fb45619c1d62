"""What people read about a deadline's truth, without a database: the evidence line, the
"frist ikke bekreftet" mark, the coordinators' question and its buttons."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot import texts
from bot.config import load_settings
from bot.push.confirm import check_buttons, reading_text, render_check
from bot.push.render import evidence_line, render_new_call, unconfirmed
from handlers.deadline_check import parse
from storage.models import Call
from storage.rules.deadline_truth import DeadlineState, Reading

MARCH = datetime(2027, 3, 5, 11, 0, tzinfo=UTC)
APRIL = datetime(2027, 4, 1, 10, 0, tzinfo=UTC)
SETTINGS = load_settings(_env_file=None)


def call(
    state: str = DeadlineState.CERTAIN,
    *,
    at: datetime | None = MARCH,
    source: datetime | None = None,
    **kw: object,
) -> Call:
    values: dict[str, object] = {
        "id": 7,
        "key": "k",
        "title": "Tilskudd <til> kommuner",
        "url": "https://x.test/a?b=1&c=2",
        "source_name": "Tilskudd & co",
        "deadline_at": at,
        "deadline_has_time": True,
        "rolling": False,
        "manual": False,
        "deadline_state": state,
        "deadline_evidence": "Søk innen 5. mars 2027 kl. 12.00 <b>",
        "source_deadline_at": source if source is not None else at,
        "source_deadline_has_time": True,
        "source_rolling": False,
        "topics": [],
    }
    values.update(kw)
    return Call(**values)


@pytest.mark.parametrize(
    ("state", "kw", "line"),
    [
        (DeadlineState.CERTAIN, {}, "🔎 Fra siden: «Søk innen 5. mars 2027 kl. 12.00 &lt;b&gt;»"),
        (DeadlineState.WAITING, {}, "🔎 Fra siden: «Søk innen 5. mars 2027 kl. 12.00 &lt;b&gt;»"),
        (
            DeadlineState.CONFIRMED,
            {},
            "🔎 Bekreftet av en koordinator: «Søk innen 5. mars 2027 kl. 12.00 &lt;b&gt;»",
        ),
        (DeadlineState.CONFIRMED, {"deadline_evidence": ""}, texts.EVIDENCE_CONFIRMED_PLAIN),
        (DeadlineState.SET, {}, texts.EVIDENCE_SET),
        (DeadlineState.WAITING, {"source": APRIL}, texts.EVIDENCE_SET),  # the coordinators' own, asked again
        (DeadlineState.SET, {"manual": True}, texts.EVIDENCE_MANUAL),
        (DeadlineState.CERTAIN, {"deadline_evidence": ""}, ""),  # calls known before evidence was kept
    ],
)
def test_the_evidence_line(state: str, kw: dict[str, object], line: str) -> None:
    assert evidence_line(call(state, **kw)) == line  # type: ignore[arg-type]


def test_the_unconfirmed_mark_and_a_long_evidence() -> None:
    assert unconfirmed(call(DeadlineState.WAITING)) == texts.DEADLINE_UNCONFIRMED
    assert unconfirmed(call(DeadlineState.CERTAIN)) == ""
    assert unconfirmed(call(DeadlineState.WAITING, at=None)) == ""  # nothing shown, nothing to mark
    long = call(deadline_evidence="Søknadsfrist " + "veldig " * 40)
    assert len(evidence_line(long)) < 140 and evidence_line(long).endswith("…»")
    payload = render_new_call(call(DeadlineState.WAITING), MARCH.replace(month=1), SETTINGS)
    assert "Frist: fredag 5. mars kl. 12:00 (om 59 dager) · <i>frist ikke bekreftet</i>" in payload["text"]


def test_the_question_and_its_buttons() -> None:
    waiting = call(DeadlineState.WAITING)
    payload = render_check(waiting, SETTINGS)
    assert "<b>Tilskudd &lt;til&gt; kommuner</b>" in payload["text"]
    assert "Jeg leste: <b>fredag 5. mars 2027 kl. 12:00</b>" in payload["text"]
    assert (
        "Kilde: Tilskudd &amp; co" in payload["text"]
        and 'href="https://x.test/a?b=1&amp;c=2"' in payload["text"]
    )
    key = Reading(MARCH, True).key()
    rows = payload["reply_markup"]["inline_keyboard"]
    assert [b["callback_data"] for row in rows for b in row] == [
        f"frist:ok:7:{key}",
        f"frist:edit:7:{key}",
        f"frist:roll:7:{key}",
        f"frist:none:7:{key}",
    ]
    again = render_check(call(DeadlineState.WAITING, source=APRIL), SETTINGS)["text"]
    assert "Dere har: <b>fredag 5. mars 2027 kl. 12:00</b>" in again
    assert "Siden sier nå: <b>torsdag 1. april 2027 kl. 12:00</b>" in again
    blank = call(DeadlineState.WAITING, at=None, deadline_evidence="Søknadsfrist: kommer")
    assert render_check(blank, SETTINGS)["text"].startswith("🔎 <b>Fant ingen frist</b>")
    texts_of = [b["text"] for row in check_buttons(blank)["inline_keyboard"] for b in row]
    assert texts.BTN_CHECK_OK not in texts_of  # nothing read: nothing to call right


def test_readings_as_coordinators_read_them() -> None:
    assert reading_text(Reading(MARCH, True), SETTINGS) == "fredag 5. mars 2027 kl. 12:00"
    assert reading_text(Reading(MARCH, False), SETTINGS) == "fredag 5. mars 2027"
    assert reading_text(Reading(rolling=True), SETTINGS) == "løpende"
    assert reading_text(Reading(), SETTINGS) == "ingen frist"


@pytest.mark.parametrize(
    ("data", "parsed"),
    [
        ("frist:ok:12:29000000d", ("ok", 12, "29000000d")),
        ("frist:roll:3:r", ("roll", 3, "r")),
        ("frist:none:3:n", ("none", 3, "n")),
        ("frist:edit:3:n", None),  # the conversation's, not this handler's
        ("frist:ok:x:1", None),
        ("push:mute:3", None),
    ],
)
def test_button_data(data: str, parsed: tuple[str, int, str] | None) -> None:
    assert parse(data) == parsed
