"""feeds.deadlines.find_deadline: every row of the real examples, and many more phrasings."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from feeds.deadlines import Deadline, find_dates, find_deadline, find_deadlines, is_rolling

OSLO = ZoneInfo("Europe/Oslo")
TSV = Path(__file__).parent / "fixtures" / "deadline_examples.tsv"


@dataclass(frozen=True)
class Row:
    text: str
    reference: date
    source_kind: str
    expected: str
    url: str


def _rows() -> list[Row]:
    lines = [line for line in TSV.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    rows = []
    for rec in csv.DictReader(lines, delimiter="\t"):
        rows.append(
            Row(
                text=rec["text"].replace("\\n", "\n"),
                reference=date.fromisoformat(rec["reference"]),
                source_kind=rec["source_kind"],
                expected=rec["expected"],
                url=rec["url"],
            )
        )
    return rows


def render(deadline: Deadline | None) -> str:
    """The TSV's notation: NONE, ROLLING, YYYY-MM-DD or YYYY-MM-DDTHH:MM (Europe/Oslo)."""
    if deadline is None:
        return "NONE"
    if deadline.rolling:
        assert deadline.at is None
        return "ROLLING"
    assert deadline.at is not None and deadline.at.tzinfo is not None
    local = deadline.at.astimezone(OSLO)
    return local.strftime("%Y-%m-%dT%H:%M") if deadline.has_time else local.strftime("%Y-%m-%d")


ROWS = _rows()


def test_the_fixture_is_the_shared_file() -> None:
    shared = Path("/work/shared/data/deadline_examples.tsv")
    if shared.exists():
        assert shared.read_text(encoding="utf-8") == TSV.read_text(encoding="utf-8")
    assert len(ROWS) >= 15


@pytest.mark.parametrize("row", ROWS, ids=[f"{i}-{r.expected}" for i, r in enumerate(ROWS)])
def test_every_real_example(row: Row) -> None:
    found = find_deadline(row.text, reference=row.reference, source_kind=row.source_kind, url=row.url)
    assert render(found) == row.expected


def fd(text: str, ref: str = "2025-01-10", kind: str | None = None, **kw: object) -> str:
    return render(find_deadline(text, reference=date.fromisoformat(ref), source_kind=kind, **kw))  # type: ignore[arg-type]


# Bokmål, nynorsk and English phrasings: (text, reference, source_kind, expected)
CASES = [
    # formats
    ("Søknadsfrist: 5. mars 2025", "2025-01-10", None, "2025-03-05"),
    ("Søknadsfrist: 05 Mar 2025", "2025-01-10", None, "2025-03-05"),
    ("Søknadsfrist 13. sep. 2023 kl. 13.00", "2023-08-01", None, "2023-09-13T13:00"),
    ("Søknadsfrist: 30.08.2018 kl. 13.00", "2018-06-01", None, "2018-08-30T13:00"),
    ("Søknadsfrist: 30.08.18", "2018-06-01", None, "2018-08-30"),
    ("Søknadsfrist: 2025-03-05", "2025-01-10", None, "2025-03-05"),
    ("Søknadsfrist: 1/9/2020", "2020-06-01", None, "2020-09-01"),
    ("Søknadsfrist: fredag 7. mars 2025 kl. 12:00", "2025-01-10", None, "2025-03-07T12:00"),
    ("Frist: 15. april klokken 15", "2025-01-10", None, "2025-04-15T15:00"),
    ("Søknadsfrist: 10. oktober 2025 kl. 24.00", "2025-01-10", None, "2025-10-10T23:59"),
    ("Søknadsfrist\n5. mars 2025\n", "2025-01-10", "statsforvalteren", "2025-03-05"),
    ("16. sep 2020 (Søknadsfrist)", "2020-08-01", None, "2020-09-16"),
    ("Søknadsfristen er 1. desember.", "2025-10-01", None, "2025-12-01"),
    # nynorsk
    ("Søknadsfristen for kommunane er flytta til 1. november i år.", "2021-09-01", None, "2021-11-01"),
    ("Søknadsfrist: 1. februar 2018 16:00\nMålgruppe:\nKommunar", "2017-12-01", None, "2018-02-01T16:00"),
    ("Kommunane kan søkje om midlar innan 15. mars.", "2025-01-10", None, "2025-03-15"),
    ("Søknadsfristen er seinast 3. april 2025 kl. 12.00.", "2025-01-10", None, "2025-04-03T12:00"),
    ("Det er ingen søknadsfrist, søknadane vert handsama fortløpande.", "2025-01-10", None, "ROLLING"),
    ("Ordninga har løypande søknadsfrist.", "2025-01-10", None, "ROLLING"),
    ("Søknader behandles fortløpende.", "2025-01-10", None, "ROLLING"),
    # English
    ("Application deadline: 5 March 2025, 13:00 CET", "2025-01-10", None, "2025-03-05T13:00"),
    ("The deadline for applications is March 5, 2025 at 1 pm.", "2025-01-10", None, "2025-03-05T13:00"),
    ("Applications must be submitted by 15 April 2025.", "2025-01-10", None, "2025-04-15"),
    ("Proposals can be submitted at any time.", "2025-01-10", None, "ROLLING"),
    (
        "This call has no fixed deadline; applications are assessed on a rolling basis.",
        "2025-01-10",
        None,
        "ROLLING",
    ),
    ("Deadline: 1st of October 2025 at noon", "2025-01-10", None, "2025-10-01T12:00"),
    ("Application deadline\n05 Mar 2025\n", "2025-01-10", None, "2025-03-05"),
    # the label comes after the date (Viktige datoer), English page
    (
        "22 Jan 2025\nOpen for applications\n5 Mar 2025\nApplication deadline",
        "2025-01-10",
        "forskningsradet",
        "2025-03-05T13:00",
    ),
    # not deadlines
    ("Webinar om utlysningen 12. februar 2025 kl. 10.00.", "2025-01-10", None, "NONE"),
    ("Utlysningen åpner 1. februar 2025.", "2025-01-10", None, "NONE"),
    ("Det blir mulig å opprette søknad på denne utlysningen fra 10. august.", "2025-01-10", None, "NONE"),
    ("Prosjektperioden er fra 1. januar 2026 til 31. desember 2027.", "2025-01-10", None, "NONE"),
    ("Neste samling i nettverket er 14. mars på Stjørdal.", "2025-01-10", None, "NONE"),
    ("Publisert 16.11.2021", "2021-11-16", None, "NONE"),
    (
        "Oppdatering 15.11.2023: Vedtak om bevilgning forventes innen utgangen av februar.",
        "2023-11-15",
        None,
        "NONE",
    ),
    ("Rapporteringsfrist:\n1. juni 2022 23.59", "2021-01-01", None, "NONE"),
    ("Påmeldingsfrist til webinaret er 3. mars 2025.", "2025-01-10", None, "NONE"),
    ("Prosjektet må være avsluttet innen 31. desember 2026.", "2025-01-10", None, "NONE"),
    ("Forventet svar på søknaden innen 1. juni 2025.", "2025-01-10", None, "NONE"),
    ("Kommunestyret vedtok planen 12. mars 2024.", "2025-01-10", None, "NONE"),
    ("I mars 12 kommuner fikk midler.", "2025-01-10", None, "NONE"),
    ("Versjon 6.0.11 er ute.", "2025-01-10", None, "NONE"),
    ("", "2025-01-10", None, "NONE"),
    # webinar and opening next to the deadline: the deadline wins
    ("Webinar 3. mars 2025. Søknadsfrist 5. mars 2025.", "2025-01-10", None, "2025-03-05"),
    (
        "Utlysningen åpner 1. februar 2025, og søknadsfristen er 2. april 2025 kl. 13:00.",
        "2025-01-10",
        None,
        "2025-04-02T13:00",
    ),
    ("Søknadsfristen er 5. mars 2025. Informasjonsmøte 20. februar 2025.", "2025-01-10", None, "2025-03-05"),
    # a moved deadline: the new one counts
    ("Søknadsfristen er utsatt fra 1. mars til 1. april 2025.", "2025-01-10", None, "2025-04-01"),
    ("Søknadsperioden er fra 1. februar til 15. mars 2025.", "2025-01-10", None, "2025-03-15"),
    # a dated deadline beats a general remark about rolling processing
    ("Søknadsfrist 5. mars 2025. Søknader behandles fortløpende.", "2025-01-10", None, "2025-03-05"),
    # the 13:00 rule: only Forskningsrådet's labelled main deadlines
    ("Søknadsfrist\n5. mars 2025", "2025-01-10", "forskningsradet", "2025-03-05T13:00"),
    ("5. mars 2025\nSøknadsfrist", "2025-01-10", "rss", "2025-03-05"),
    ("Denne utlysningen har frist 31. mai kl. 13:00", "2023-01-01", "forskningsradet", "2023-05-31T13:00"),
    ("Denne utlysningen har frist 31. mai", "2023-01-01", "forskningsradet", "2023-05-31T13:00"),
]


@pytest.mark.parametrize(("text", "ref", "kind", "expected"), CASES, ids=[c[0][:50] for c in CASES])
def test_phrasings(text: str, ref: str, kind: str | None, expected: str) -> None:
    assert fd(text, ref, kind) == expected


def test_rff_pages_keep_their_own_times() -> None:
    text = "20. okt 2021\nSøknadsfrist"
    url = "https://www.regionaleforskningsfond.no/trondelag/rfftrondelag/2021/x/"
    assert fd(text, "2021-09-01", "forskningsradet", url=url) == "2021-10-20"
    assert (
        fd(text, "2021-09-01", "forskningsradet", url="https://www.forskningsradet.no/x")
        == "2021-10-20T13:00"
    )


TWO_ROUNDS = (
    "Denne utlysningen har to innsendingsfrister: 20. mars og 2. oktober kl. 23:59 med en samlet "
    "ramme på 12 millioner kroner."
)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2024-01-15", "2024-03-20T23:59"),
        ("2024-03-20", "2024-03-20T23:59"),
        ("2024-06-01", "2024-10-02T23:59"),
        ("2024-12-01", "2024-10-02T23:59"),  # both passed: the latest
    ],
)
def test_two_rounds_pick_the_next_upcoming(now: str, expected: str) -> None:
    found = find_deadline(
        TWO_ROUNDS, reference=date(2024, 1, 1), source_kind="forskningsradet", now=date.fromisoformat(now)
    )
    assert render(found) == expected


def test_two_rounds_relative_to_reference() -> None:
    assert fd(TWO_ROUNDS, "2024-05-01") == "2024-10-02T23:59"
    assert [render(d) for d in find_deadlines(TWO_ROUNDS, reference=date(2024, 1, 1))] == [
        "2024-03-20T23:59",
        "2024-10-02T23:59",
    ]


def test_two_rounds_with_years_in_viktige_datoer() -> None:
    text = "Viktige datoer\n5. mars 2025\nSøknadsfrist\n3. september 2025\nSøknadsfrist\n1. jan. 2026\nTidligste tillatte prosjektstart"
    assert fd(text, "2025-04-01", "forskningsradet") == "2025-09-03T13:00"
    assert fd(text, "2025-01-01", "forskningsradet") == "2025-03-05T13:00"


def test_a_real_rff_page_text() -> None:
    text = Path("/work/shared/data/pages/rff_trondelag_call_pages.txt")
    page = (
        "Søk nå\n\nRegional kvalifiseringsstøtte 2024\n\nDenne utlysningen har frist 2. oktober kl. 23:59. "
        "Tilgjengelige midler er 7 millioner kroner.\n\nViktige datoer\n\n1. jun. 2024\n\nTidligste tillatte "
        "prosjektstart\n\n1. sep. 2024\n\nSeneste tillatte prosjektstart\n\n2. okt. 2024\n\nSiste "
        "innsendingsfrist kvalifiseringsstøtte\n\n15. des. 2024\n\nTidligste tillatte prosjektstart\n\n"
        "Om utlysningen\n\n" + TWO_ROUNDS
    )
    del text
    url = "https://www.regionaleforskningsfond.no/trondelag/rfftrondelag/2024/regional-kvalifiseringsstotte-2024/"
    found = find_deadline(
        page, reference=date(2024, 1, 1), source_kind="forskningsradet", url=url, now=date(2024, 6, 1)
    )
    assert render(found) == "2024-10-02T23:59"


def test_missing_year_from_reference() -> None:
    assert fd("Søk innen 13. januar.", "2021-11-16") == "2022-01-13"
    assert fd("Søk innen 13. januar.", "2022-01-05") == "2022-01-13"
    # a year-less deadline shortly before the reference has just passed (not next year)
    assert fd("Søknadsfrist 1. november.", "2021-11-16") == "2021-11-01"
    assert fd("Søknadsfrist 1. mars neste år.", "2021-11-16") == "2022-03-01"


def test_aware_datetime_reference_and_result() -> None:
    found = find_deadline("Søknadsfrist: 5. mars 2025 kl. 13:00", reference=datetime(2025, 1, 1, tzinfo=UTC))
    assert found is not None and found.at is not None
    assert found.at.utcoffset() is not None
    assert found.at.astimezone(UTC) == datetime(2025, 3, 5, 12, 0, tzinfo=UTC)  # CET
    summer = find_deadline("Søknadsfrist: 5. juni 2025 kl. 13:00", reference=date(2025, 1, 1))
    assert summer is not None and summer.at is not None
    assert summer.at.astimezone(UTC) == datetime(2025, 6, 5, 11, 0, tzinfo=UTC)  # CEST


def test_date_only_deadline_lasts_the_whole_day() -> None:
    found = find_deadline("Søknadsfrist: 5. mars 2025", reference=date(2025, 1, 1))
    assert found is not None and not found.has_time and found.at is not None
    assert found.at == datetime(2025, 3, 5, 0, 0, tzinfo=OSLO)
    assert found.ends_at == datetime(2025, 3, 5, 23, 59, 59, tzinfo=OSLO)
    assert str(found) == "2025-03-05"
    assert str(Deadline(rolling=True)) == "løpende"


def test_find_dates_reads_times_and_formats() -> None:
    got = [
        (m.day, m.month, m.year, m.hour, m.minute)
        for m in find_dates("03.06.2019 23:59:00 og 1. september 2020 23.59 og 13. sep. 2023 og 10 feb 2021")
    ]
    assert got == [
        (3, 6, 2019, 23, 59),
        (1, 9, 2020, 23, 59),
        (13, 9, 2023, None, None),
        (10, 2, 2021, None, None),
    ]
    assert find_dates("Februar 2024") == []


@pytest.mark.parametrize(
    "text",
    [
        "uten fast søknadsfrist",
        "Søknadsfrist: løpende",
        "Søknadsfrist: Fortløpende",
        "løpende mottak av søknader",
        "Ordningen har ingen søknadsfrist.",
        "Søknader kan sendes inn hele året.",
        "Applications are processed on a rolling basis.",
        "There is no deadline.",
    ],
)
def test_rolling_phrases(text: str) -> None:
    assert is_rolling(text)
    assert fd(text) == "ROLLING"


@pytest.mark.parametrize(
    "text",
    ["Vi oppdaterer siden fortløpende.", "løpende oppfølging av kommunene", "Fristen er ute."],
)
def test_not_rolling(text: str) -> None:
    assert fd(text) == "NONE"
