"""feeds.deadlines: each trap of real pages handled by a rule of Norwegian grammar, with its certainty.

Every case states the answer and whether the finder may be certain of it. A case that comes out
right but certain where it should not be fails too: certainty is what lets the bot skip the
coordinators.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from feeds.deadlines import Deadline, find_dates, find_deadline
from tests.test_deadline_examples import render

PAGES = Path(__file__).parent / "fixtures" / "deadline_pages"
C, U = True, False  # certain, uncertain


def read(
    text: str, ref: str = "2025-01-10", kind: str | None = None, now: str | None = None
) -> Deadline | None:
    return find_deadline(
        text,
        reference=date.fromisoformat(ref),
        source_kind=kind,
        now=date.fromisoformat(now) if now else None,
    )


def check(text: str, expected: str, certain: bool | None, **kw: str) -> None:
    found = read(text, **kw)
    assert render(found) == expected
    if found is not None and certain is not None:
        assert found.certain is certain, found.evidence


# ----------------------------------------------------------------------------------------------
# A labelled deadline of the call itself beats running text, before and after it has passed
# ----------------------------------------------------------------------------------------------

PILOT = (PAGES / "pilot_helse_other_calls.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("now", ["2023-08-01", "2023-09-13", "2023-09-14", "2023-10-01", "2024-03-01"])
def test_the_calls_own_label_beats_other_calls_in_running_text(now: str) -> None:
    found = read(PILOT, ref="2023-01-01", kind="forskningsradet", now=now)
    assert render(found) == "2023-09-13T13:00"
    assert found is not None and found.certain and found.evidence == "Søknadsfrist: 13. sep. 2023"


def test_sentences_about_this_call_join_its_block() -> None:
    page = (
        "Søk nå\nRegional kvalifiseringsstøtte 2024\nDenne utlysningen har frist 2. oktober kl. 23:59.\n"
        "Viktige datoer\n2. okt. 2024\nSiste innsendingsfrist kvalifiseringsstøtte\n"
        "Om utlysningen\nDenne utlysningen har to innsendingsfrister: 20. mars og 2. oktober kl. 23:59."
    )
    check(page, "2024-03-20T23:59", C, ref="2024-01-01", now="2024-02-01")
    check(page, "2024-10-02T23:59", C, ref="2024-01-01", now="2024-06-01")


# ----------------------------------------------------------------------------------------------
# Structured blocks: which way a block runs, and what is a label
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "certain"),
    [
        # date first, then its label (Viktige datoer)
        ("Viktige datoer\n22. jan. 2025\nÅpen for søknad\n5. mars 2025\nSøknadsfrist", "2025-03-05", C),
        # the label first, without a colon (Interreg, Enova): the opening is not the deadline
        ("Opening date\n01. november 2017\nFrist\n15. februar 2018\nUtlysningen er åpen.", "2018-02-15", C),
        ("Neste frist\n\n15. august 2025\n\nKlar for å starte søknadsprosessen?", "2025-08-15", C),
        # a colon label before its value
        ("Søknadsfrist:\n1. november 2022\nMålgruppe:\nKommunar", "2022-11-01", C),
        (
            "• Søknadsfrist:\n 31. desember 2023\n • Forventet ferdigbehandling av søknader:\n 15. mars 2024",
            "2023-12-31",
            C,
        ),
        # English
        ("Important dates\n22 Jan 2025\nOpening date\n5 Mar 2025\nApplication deadline", "2025-03-05", C),
        ("Closing date: 5 March 2025", "2025-03-05", C),
        # nynorsk "fristar": two rounds in one label
        ("Fristar: 1. mars og 1. oktober 2025", "2025-03-01", C),
    ],
)
def test_blocks(text: str, expected: str, certain: bool) -> None:
    check(text, expected, certain)


def test_a_sentence_or_a_labelled_value_is_no_label_for_the_date_beside_it() -> None:
    # a news item's timestamp above a title that names a deadline
    check("torsdag, 23 mars 2023 10:39\nSøknadsfrist: Tilskudd til lag", "NONE", None)
    check(
        "torsdag, 23 mars 2023 10:39\nDe ønsker seg flere søknader før fristen 1. april",
        "2023-04-01",
        C,
        ref="2023-03-23",
    )


@pytest.mark.parametrize(
    "text",
    [
        "Rapporteringsfrist: 1. april 2025",
        "Rapporteringsfrist:\n1. juni 2022 23.59",
        "Tidligste tillatte prosjektstart: 1. april 2025",
        "1. april 2025\nSeneste tillatte prosjektstart",
        "Svar på søknad: 1. juni 2025",
        "Utbetaling 1. juni 2025",
        "Informasjonsmøte 20. februar 2025",
        "Webinar: 12. februar 2025",
        "Samling 14. mars 2025",
        "16. apr 2024\nWebinar om utlysningen",
        "Desember\nTidspunkt for tildeling\n1. feb 2025\nTidligste tillatte prosjektstart",
    ],
)
def test_decoy_labels(text: str) -> None:
    check(text, "NONE", None)


# ----------------------------------------------------------------------------------------------
# Publication timestamps and update notes
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Publisert 16.11.2021",
        "Publisert: 02.10.2020 14:01:37\nSist endret: 02.10.2020 14:01",
        "4. mars 2024: Vi har i dag fjernet den tekniske sperren.",
        "Oppdatering 15.11.2023: Vedtak om bevilgning forventes innen utgangen av februar.",
        "torsdag, 23 mars 2023 10:39\nSparebankstiftelsen deler ut midler.",
    ],
)
def test_publication_and_update_stamps(text: str) -> None:
    check(text, "NONE", None)


# ----------------------------------------------------------------------------------------------
# Moved, postponed and extended deadlines: the new date
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Søknadsfristen er utsatt fra 1. mars til 1. april 2025.", "2025-04-01"),
        ("Fristen for søknad vert flytta frå 15. september 2025 til 1. november 2025.", "2025-11-01"),
        ("Søknadsfristen er utsett frå 1. mars til 1. april.", "2025-04-01"),
        ("Forskningsrådets frist på å søke forskerprosjekt er utsatt fra 6. til 20. mai.", "2025-05-20"),
        ("Fristen er derfor blitt forlenga med 14 dager, til 29. oktober 2025.", "2025-10-29"),
        ("The deadline has been extended from 1 March to 15 March 2025.", "2025-03-15"),
        ("The deadline has been postponed to 15 March 2025.", "2025-03-15"),
    ],
)
def test_moved_deadlines(text: str, expected: str) -> None:
    check(text, expected, C)


def test_a_move_the_block_does_not_show_wins_but_is_not_certain() -> None:
    check("Søknadsfrist: 1. mars 2025\n\nFristen er utsatt til 1. april 2025.", "2025-04-01", U)
    # the block already shows the new date: certain
    check("Søknadsfrist 1. april 2025\n\nSøknadsfristen er utsett frå 1. mars til 1. april.", "2025-04-01", C)


# ----------------------------------------------------------------------------------------------
# Earlier years and rounds
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "certain"),
    [
        ("Hovedsøknadsfrist var 15. februar 2024. Søknadsfristen i år er 1. mars 2025.", "2025-03-01", C),
        ("I fjor var fristen 1. mars 2024. Søknadsfrist 15. mars 2025.", "2025-03-15", C),
        ("Tidligere år har fristen vært 1. mars.", "NONE", None),
        ("Allerede 1. juni var det frist. Den kommunale søknadsfristen er 15. oktober.", "2025-10-15", C),
        (
            "Lag som ikke søkte innen fristen 1. april, kan søke nå. Søknadsfristen er 15. oktober.",
            "2025-10-15",
            C,
        ),
        (
            "Søknadsfrister i 2022\nHovedsøknadsfrist var 15. februar, men det var en søknadsfrist 15. september.",
            "NONE",
            None,
        ),
        (
            "Gjenstående søknadsfrister i 2014 – 3. juni kl 13 og 2. september kl 13 – består.",
            "2014-06-03T13:00",
            C,
        ),
    ],
)
def test_earlier_rounds(text: str, expected: str, certain: bool | None) -> None:
    ref = "2014-05-16" if "2014" in text else "2025-01-10"
    check(text, expected, certain, ref=ref)


# ----------------------------------------------------------------------------------------------
# Outlines, input and registration are not the application deadline
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Frist for skisser er 1. mars 2025. Søknadsfrist for fullstendige søknader er 1. juni 2025.",
            "2025-06-01",
        ),
        ("Skissefrist: 1. mars 2025\nSøknadsfrist: 1. juni 2025", "2025-06-01"),
        ("Registration deadline: 1 March 2025.\nApplication deadline: 1 June 2025", "2025-06-01"),
        ("Frist for å melde inn prosjekt er 1. mars 2025.", "NONE"),
        ("Frist for innspill: 1. mars 2025", "NONE"),
        ("Påmeldingsfrist til webinaret er 3. mars 2025.", "NONE"),
        ("Deadline for registration: 3 March 2025", "NONE"),
        ("Frist 1. mars 2025 for skisser og 1. juni 2025 for hovedsøknader.", "2025-06-01"),
        ("Frist 1. mars 2025 for skisser.", "NONE"),
    ],
)
def test_outlines_input_and_registration(text: str, expected: str) -> None:
    check(text, expected, C if expected != "NONE" else None)


# ----------------------------------------------------------------------------------------------
# Openings, planned calls, planned openings
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Utlysningen åpner 1. februar 2025.",
        "The call opens on 15 January 2025.",
        "Søknadsskjema er tilgjengelig senest fra 13. november 2024.",
        "Som konsekvens av dette, opnar søknadssystemet først over sommaren, seinast 1. september.",
        "Det blir mulig å opprette søknad på denne utlysningen fra 10. august.",
        "Tilskudd for 2026 vil bli utlyst 15. oktober 2025.",
    ],
)
def test_openings_are_not_deadlines(text: str) -> None:
    check(text, "NONE", None)


def test_a_planned_call_is_never_certain() -> None:
    page = "Planlagt\nMidler til forskning\nViktige datoer\n24. apr 2024\nÅpen for søknad\n05. jun 2024\nSøknadsfrist"
    check(page, "2024-06-05T13:00", U, ref="2024-01-01", kind="forskningsradet")
    check(page.replace("Planlagt", "Søk nå"), "2024-06-05T13:00", C, ref="2024-01-01", kind="forskningsradet")


def test_a_future_call_announced_with_its_deadline_is_not_certain() -> None:
    check(
        "Tilskudd for 2024 vil bli utlyst medio oktober 2023, med søknadsfrist 1. desember 2023.",
        "2023-12-01",
        U,
    )


# ----------------------------------------------------------------------------------------------
# Times: midnight is 23:59, "innen kl 12:00", time ranges of calendar entries
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("Deadline: 5 March 2025 at midnight", "forskningsradet", "2025-03-05T23:59"),
        ("Søknadsfrist: 5. mars 2025 kl. 24.00", None, "2025-03-05T23:59"),
        ("Søknadsfrist: 5. mars 2025 ved midnatt", None, "2025-03-05T23:59"),
        ("Søknader må sendes innen midnatt 5. mars 2025.", None, "2025-03-05T23:59"),
        (
            "Applications must be submitted by midnight on 5 March 2025.",
            "forskningsradet",
            "2025-03-05T23:59",
        ),
        ("Søknadsfrist: 20. april 2022 innen kl 12:00", None, "2022-04-20T12:00"),
    ],
)
def test_times(text: str, kind: str | None, expected: str) -> None:
    assert render(read(text, kind=kind)) == expected


def test_a_time_on_the_next_line_is_not_the_dates_time() -> None:
    [mention] = find_dates("3. desember\n00:00 — 13:00")
    assert (mention.day, mention.month, mention.hour) == (3, 12, None)


# ----------------------------------------------------------------------------------------------
# End of month and periods
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "certain"),
    [
        ("Søknaden må være sendt innen utgangen av februar 2024.", "2024-02-29", C),
        ("Søknad om støtte må hvert år være sendt innen utgangen av oktober.", "2025-10-31", U),
        ("Vedtak om bevilgning forventes innen utgangen av februar.", "NONE", None),
        ("Søknadsperioden er 1.–28. februar 2025.", "2025-02-28", C),
        ("Søknadsperioden er fra 1. februar til 15. mars 2025.", "2025-03-15", C),
        ("Kommunane kan søkje i perioden 1.–28. februar 2025.", "2025-02-28", U),
        ("Utlysningen er åpen mellom 1. november 2025 og 15. februar 2026.", "2026-02-15", U),
        ("Prosjektperioden er 1. juli – 31. desember 2025.", "NONE", None),
        ("Ordningen gjelder for perioden 1. januar til 31. oktober 2025.", "NONE", None),
        ("Midlene gjelder arrangement i perioden 1. juli – 31. desember 2025.", "NONE", None),
    ],
)
def test_month_ends_and_periods(text: str, expected: str, certain: bool | None) -> None:
    check(text, expected, certain)


def test_a_period_names_its_month_once() -> None:
    first, last = find_dates("1.–28. februar 2025")
    assert (first.day, first.month, first.year, first.borrowed) == (1, 2, 2025, True)
    assert (last.day, last.month, last.year) == (28, 2, 2025)
    assert [m.day for m in find_dates("fra 6. til 20. mai")] == [6, 20]


# ----------------------------------------------------------------------------------------------
# Rolling intake
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "certain"),
    [
        ("Det er ingen søknadsfrist for tilskuddet. Husbanken åpner for søknader 21. mai.", "ROLLING", C),
        ("Dette er en løpende utlysning.", "ROLLING", C),
        ("Ordninga har løypande søknadsfrist.", "ROLLING", C),
        (
            "Søknadene behandles fortløpende.",
            "ROLLING",
            U,
        ),  # how they are handled, not that there is no deadline
        ("Fra 2024 har ordningen løpende søknadsfrist. Tidligere var fristen 1. mars.", "ROLLING", C),
        ("Søknadsfrist: 1. mars 2023\n\nOrdningen har nå løpende opptak.", "ROLLING", U),
        ("Søknadsfrist 5. mars 2025. Søknader behandles fortløpende.", "2025-03-05", C),
    ],
)
def test_rolling(text: str, expected: str, certain: bool) -> None:
    check(text, expected, certain)


# ----------------------------------------------------------------------------------------------
# Nynorsk and English
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "certain"),
    [
        ("Kommunane kan søkje om midlar innan 15. mars.", "2025-03-15", U),
        ("Søknadsfristen er 1. mars 2025.", "2025-03-01", C),
        ("Fristen for å søkje er 1. mars 2025.", "2025-03-01", C),
        ("Søknadsfristen er utsett til 1. april 2025.", "2025-04-01", C),
        ("Siste frist for å søkja støtte for 2025 er 5. november.", "2025-11-05", C),
        ("Application deadline: 5 March 2025, 13:00 CET", "2025-03-05T13:00", C),
        ("The application deadline is 15 November of that same year.", "2025-11-15", U),
    ],
)
def test_nynorsk_and_english(text: str, expected: str, certain: bool) -> None:
    check(text, expected, certain)


# ----------------------------------------------------------------------------------------------
# When a sentence may be certain
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "certain"),
    [
        ("Søknadsfristen er 5. mars 2025.", "2025-03-05", C),
        ("Søk innen 5. mars 2025.", "2025-03-05", U),  # "innen" with a verb: a deadline, not a label
        ("Søknadsfrist 5. mars 2025. Neste runde har søknadsfrist 5. september 2025.", "2025-03-05", U),
        ("Søknadsfrist 1. mars og 1. oktober.", "2025-03-01", C),  # one list of rounds
        (
            "Søknadsfrist for kulturmidler er satt til to ganger i året, 1. april og 1. september.",
            "2025-04-01",
            U,
        ),
        ("Søknadsfrist 1. november.", "2025-11-01", U),  # a year-less date that had passed at the reference
        ("Søknadsfristen er 5. mars 2025 kl. 12:00. Frist 5. mars 2025 kl. 13:00.", "2025-03-05T13:00", U),
    ],
)
def test_certainty_of_sentences(text: str, expected: str, certain: bool) -> None:
    ref = "2025-11-16" if "november" in text else "2025-01-10"
    check(text, expected, certain, ref=ref)


def test_a_calendar_entry_whose_title_is_a_deadline() -> None:
    entry = "Søknadsfrist: Norsk-islandsk kultursamarbeid (NKR)\nOm ordningen.\n\n3. desember\n00:00 — 13:00"
    check(entry, "2019-12-03T13:00", U, ref="2019-11-01")
    check(
        "Dato\n15. november 2021\nSted\nOslo\n\nSøknadsfrist: Tilskudd til lag",
        "2021-11-15",
        U,
        ref="2021-10-15",
    )
    # the same entry whose title is an event is nothing
    check("Dato\n15. november 2021\nSted\nOslo\n\nSamling for kommunene", "NONE", None, ref="2021-10-15")


def test_evidence_is_the_label_or_the_sentence() -> None:
    found = read("Om ordningen.\nSøknadsfrist:\n1. november 2025\nMålgruppe:\nKommunar")
    assert found is not None and found.evidence == "Søknadsfrist: 1. november 2025"
    found = read("Det er satt av 5 mill. kroner. Søknadsfristen er 1. mars 2025. Les mer her.")
    assert found is not None and found.evidence == "Søknadsfristen er 1. mars 2025."
    assert len(found.evidence) <= 160


@pytest.mark.parametrize(
    ("text", "label"),
    [
        (
            "Kulturmidlar\nHandsaming\nSøknadsfrist vert annonsert. Vedtak gjort av utvalet.",
            "Søknadsfrist vert annonsert",
        ),
        (
            "Søknadsfrist\n\nSøknadsfrist for 2023 vil kome når utlysing er klar.",
            "Søknadsfrist: Søknadsfrist for 2023 vil kome når utlysing er klar.",
        ),
        ("Søknadsfrist:\nKommer snart\nMålgruppe:\nKommuner", "Søknadsfrist: Kommer snart"),
        ("• Søknadsfrist: se utlysningsteksten", "Søknadsfrist: se utlysningsteksten"),
        # a deadline is read, or there is no label: nothing to report
        ("Søknadsfrist:\n1. mars 2025", ""),
        ("Søknadsfrist: løpende", ""),
        ("Kommunene kan søke om midler til fornying.", ""),
        ("Rapporteringsfrist:\nKommer snart", ""),
    ],
)
def test_a_deadline_label_without_a_readable_date(text: str, label: str) -> None:
    from feeds.deadlines import unread_deadline_label

    assert unread_deadline_label(text) == label
