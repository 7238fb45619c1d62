"""The årshjul's pure rules: recurring schemes recognised from real scheme titles over several years
(titles and deadlines as the funders' pages showed them), their next round, replacement by the real
call, and coordinators' corrections."""

from __future__ import annotations

from datetime import date

from bot.calendar.arshjul import FR, RFF, SEEDED, SF
from storage.rules.arshjul import Correction, Round, expected_rounds, group_schemes, scheme_key, within

TODAY = date(2026, 11, 23)


def test_years_ordinals_and_seasons_are_taken_out_of_titles() -> None:
    assert (
        scheme_key("Prosjektskjønn - fornying og innovasjon 2021") == "prosjektskjønn fornying og innovasjon"
    )
    assert scheme_key("Prosjektskjønn – fornying og innovasjon") == "prosjektskjønn fornying og innovasjon"
    assert (
        scheme_key("Skjønnsmidler til fornying og innovasjon for 2022")
        == "skjønnsmidler til fornying og innovasjon"
    )
    assert scheme_key("Regionalt innovasjonsprosjekt i næringslivet 2023") == scheme_key(
        "Regionalt innovasjonsprosjekt i næringslivet 2022"
    )
    assert scheme_key("Pilot Helse; del 2, runde 1") == scheme_key("Pilot Helse")
    assert scheme_key("Kvalifiseringsstøtte, andre runde 2024") == scheme_key("Kvalifiseringsstøtte 2025")
    assert scheme_key("Forskerprosjekt for fornyelse 2024–2025") == "forskerprosjekt for fornyelse"


def test_real_schemes_over_several_years_are_recognised_and_different_schemes_kept_apart() -> None:
    schemes = {(s.source, s.key): s for s in group_schemes(SEEDED)}
    skjonn = schemes[(SF, "prosjektskjønn fornying og innovasjon")]
    assert skjonn.years == {2019, 2020}
    naringsliv = schemes[(RFF, "regionalt innovasjonsprosjekt i næringslivet")]
    assert naringsliv.years == {2022, 2023}
    # "i kommunal sektor" is another scheme than "i næringslivet", though the words are close.
    assert (RFF, "regionalt innovasjonsprosjekt i kommunal sektor") in schemes
    found = {(e.source, e.title): e for e in expected_rounds(SEEDED, today=TODAY)}
    fornyelse = found[(FR, "Forskerprosjekt for fornyelse (tematisk utlysning)")]
    assert (fornyelse.year, fornyelse.month) == (2027, 3)  # March, as in 2024 and 2025
    assert fornyelse.seen == (date(2024, 3, 6), date(2025, 3, 5))
    assert (found[(SF, "Prosjektskjønn - fornying og innovasjon 2021")].month) == 9
    assert (found[(RFF, "Regionalt innovasjonsprosjekt i næringslivet 2023")].month) == 5
    # Seen once only: not recurring (yet).
    assert not any(title == "Innovasjonsprosjekt i offentlig sektor" for _, title in found)
    assert not any("kommunal sektor" in title for _, title in found)


def test_the_real_call_replaces_the_expected_round() -> None:
    history = [
        Round(SF, "Prosjektskjønn - fornying og innovasjon 2024", date(2023, 12, 1)),
        Round(SF, "Prosjektskjønn - fornying og innovasjon 2025", date(2024, 12, 2)),
        Round(SF, "Prosjektskjønn – fornying og innovasjon 2026", date(2025, 12, 1)),
    ]
    (coming,) = within(expected_rounds(history, today=TODAY), TODAY, 12)
    assert (coming.year, coming.month, coming.by_coordinator) == (2026, 12, False)
    real = Round(SF, "Prosjektskjønn - fornying og innovasjon for 2027", date(2026, 12, 7), call_id=42)
    assert within(expected_rounds([*history, real], today=TODAY), TODAY, 12) == []


def test_two_rounds_a_year_give_two_slots() -> None:
    title = "Regional kvalifiseringsstøtte {year}"
    rounds = [
        Round(RFF, title.format(year=y), date(y, m, d)) for y in (2024, 2025) for m, d in ((3, 20), (10, 2))
    ]
    coming = within(expected_rounds(rounds, today=date(2026, 1, 10)), date(2026, 1, 10), 12)
    assert [(e.year, e.month) for e in coming] == [(2026, 3), (2026, 10)]


def test_a_different_source_is_a_different_scheme() -> None:
    rounds = [
        Round(SF, "Prosjektskjønn - fornying og innovasjon 2024", date(2023, 12, 1)),
        Round(
            "Statsforvalteren i Nordland", "Prosjektskjønn - fornying og innovasjon 2025", date(2024, 12, 2)
        ),
    ]
    assert expected_rounds(rounds, today=TODAY) == []


def test_a_coordinator_corrects_adds_and_cancels_expected_rounds() -> None:
    moved = Correction(FR, "Forskerprosjekt for fornyelse (tematisk utlysning) 2027", 2027, 2)
    added = Correction("KS", "Fornyingsmidler fra KS", 2027, 4)
    found = expected_rounds(SEEDED, [moved, added], today=TODAY)
    by_title = {e.title: e for e in found}
    fornyelse = by_title["Forskerprosjekt for fornyelse (tematisk utlysning)"]
    assert (fornyelse.year, fornyelse.month, fornyelse.by_coordinator) == (2027, 2, True)
    assert (by_title["Fornyingsmidler fra KS"].month, by_title["Fornyingsmidler fra KS"].by_coordinator) == (
        4,
        True,
    )
    cancelled = Correction(SF, "Prosjektskjønn - fornying og innovasjon", None, None)
    assert not any(e.source == SF for e in expected_rounds(SEEDED, [cancelled], today=TODAY))
    # When the real call appears, the coordinator's expected round is replaced too.
    real = Round(FR, "Forskerprosjekt for fornyelse (tematisk utlysning)", date(2027, 3, 4), call_id=7)
    assert not any(e.source == FR for e in expected_rounds([*SEEDED, real], [moved], today=TODAY))
