"""Each rule of the eligibility reader with its own test: the forms the labelled set has too few of
(Forskningsrådet's "Hvem kan søke" / "Hvem kan delta", English, nynorsk, number forms), and decoys."""

from __future__ import annotations

import pytest

from feeds.eligibility import Applicant, Conditions, Need, Verdict, extract
from feeds.eligibility.amounts import money_in
from feeds.eligibility.text import sentences

A = Applicant


def types(text: str) -> set[Applicant]:
    return set(extract(text).applicants.types)


# --- who may apply -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hvem kan søke:\nKommuner", {A.KOMMUNE}),
        ("Kven kan søkje?\n\nKommunar og fylkeskommunar i Vestland.", {A.KOMMUNE, A.FYLKESKOMMUNE}),
        (
            "Hvem kan søke?\n\n• Kommuner og kommunale foretak\n• Frivillige lag og foreninger",
            {A.KOMMUNE, A.ANDRE, A.FRIVILLIG},
        ),
        ("Bare godkjente norske forskningsorganisasjoner kan søke.", {A.FORSKNING}),
        (
            "Søker er kommunale og fylkeskommunale virksomheter som har en ambisjon.",
            {A.KOMMUNE, A.FYLKESKOMMUNE},
        ),
        ("Interkommunale samarbeid og regionråd kan også søke om midler.", {A.INTERKOMMUNALT}),
        ("Statsforvalteren inviterer kommunene til å søke om skjønnsmidler.", {A.KOMMUNE}),
        ("Målgruppen for utlysningen er bedrifter og kommuner i Trøndelag.", {A.BEDRIFT, A.KOMMUNE}),
        (
            "Midlene skal gi offentlige virksomheter støtte til å forberede en anskaffelse.",
            {A.KOMMUNE, A.FYLKESKOMMUNE, A.ANDRE},
        ),
        ("Tilskudd gis til lag og organisasjoner som fyller vilkårene.", {A.FRIVILLIG}),
        ("Helsedirektoratet utlyser 3 mill. kroner til kommuner for etablering av tiltak.", {A.KOMMUNE}),
        ("Municipalities and research organisations can apply.", {A.KOMMUNE, A.FORSKNING}),
        ("The lead applicant must be a local authority.", {A.KOMMUNE}),
        ("Stiftelser og enkeltpersoner kan søke.", {A.ANDRE}),
    ],
)
def test_who_may_apply(text: str, expected: set[Applicant]) -> None:
    assert types(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Husbanken og kommunen kan fortsatt søke faglige råd og bistand fra Fylkesmannen.",  # seeking advice
        "Innlandet fylkeskommune har 600 000 kroner til fordeling til utvikling av idrettsarrangement.",  # the funder
        "Støtten går fortrinnsvis til virksomheter som stimulerer til et aktivt kulturliv i kommunen.",  # a place
        "Søknad om spelemidlar må framleis sendast kommunen seinast innan 15. oktober.",  # sent to, not by
        "Ny rapport: Omfattende kommunesamarbeid i Trøndelag",
        "Fylkesmannen skal kontrollere og rettleie kommunane.",
    ],
)
def test_no_applicant_in_decoys(text: str) -> None:
    assert types(text) == set()


def test_a_relative_clause_names_no_applicant() -> None:
    assert types("Målgruppe\n\nLag, samskipnader og einskildpersonar som driv kulturarbeid i kommunen.") == {
        A.FRIVILLIG,
        A.ANDRE,
    }


def test_organisations_representing_the_public_sector_are_not_voluntary() -> None:
    found = types(
        "Enheter i offentlig sektor, sammenslutninger av slike og organisasjoner som representerer offentlig sektor, kan søke."
    )
    assert A.FRIVILLIG not in found
    assert {A.KOMMUNE, A.INTERKOMMUNALT, A.ANDRE} <= found


# --- partners, exclusions and the verdict --------------------------------------------------------


def test_partners_from_hvem_kan_delta() -> None:
    c = extract(
        "Hvem kan søke?\n\nBare godkjente forskningsorganisasjoner kan søke.\n\n"
        "Hvem kan delta i prosjektet?\n\nKommuner, fylkeskommuner og bedrifter kan delta som partnere."
    )
    assert c.applicants.types == {A.FORSKNING}
    assert {A.KOMMUNE, A.FYLKESKOMMUNE, A.BEDRIFT} <= c.participants.types
    assert c.verdict is Verdict.CAN_PARTNER
    assert "delta som partnere" in (c.verdict_evidence or "")


def test_cooperating_with_research_makes_them_partners_not_applicants() -> None:
    c = extract("Kommuner og fylkeskommuner, i samarbeid med forskningsmiljøer, kan søke om midler.")
    assert c.applicants.types == {A.KOMMUNE, A.FYLKESKOMMUNE}
    assert c.participants.types == {A.FORSKNING}
    assert c.research_partner is not None and c.research_partner.need is Need.REQUIRED


def test_explicit_exclusion_is_not_for_municipalities() -> None:
    c = extract(
        "Organisations can apply. Individuals, municipalities, county authorities, and political parties cannot apply."
    )
    assert {A.KOMMUNE, A.FYLKESKOMMUNE} <= c.excluded.types
    assert c.verdict is Verdict.NOT_FOR
    assert c.verdict_evidence and "cannot apply" in c.verdict_evidence


def test_an_exhaustive_list_without_municipalities_is_not_for_them() -> None:
    assert extract("Hvem kan søke: Bedrifter i Trøndelag").verdict is Verdict.NOT_FOR


def test_unknown_rather_than_not_for_when_partners_are_mentioned() -> None:
    c = extract(
        "Bare godkjente forskningsorganisasjoner kan søke.\nHvem kan delta i prosjektet?\nSe vilkårene."
    )
    assert c.verdict is Verdict.UNKNOWN


def test_a_passing_mention_is_not_a_list() -> None:
    """ "mobilisere bedrifter" says who it is for, not that nobody else may apply."""
    c = extract("Utlysningen skal mobilisere bedrifter til forskningsbasert innovasjon.")
    assert c.applicants.types == {A.BEDRIFT}
    assert c.verdict is Verdict.UNKNOWN


def test_nothing_said_is_unknown() -> None:
    c = extract("Formålet med utlysningen er å styrke forskningen.")
    assert c.verdict is Verdict.UNKNOWN and c.empty


# --- research partner and several municipalities -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "need"),
    [
        ("Prosjektet må ha med minst én godkjent forskningsorganisasjon.", Need.REQUIRED),
        ("En eller flere godkjente FoU-organisasjoner må delta i prosjektet.", Need.REQUIRED),
        ("Skal gjennomføres i samarbeid med minst en godkjent FoU-institusjon.", Need.REQUIRED),
        ("The project must include a research organisation.", Need.REQUIRED),
        ("Vi oppfordrer til samarbeid med forskningsmiljøer.", Need.ENCOURAGED),
        ("Universiteter og høgskoler skal kun ha en utførende rolle.", None),
    ],
)
def test_research_partner(text: str, need: Need | None) -> None:
    found = extract(text).research_partner
    assert (found.need if found else None) is need


@pytest.mark.parametrize(
    ("text", "need"),
    [
        ("Søknaden må komme fra minst to kommuner som samarbeider.", Need.REQUIRED),
        ("Prosjektet må være et interkommunalt samarbeid.", Need.REQUIRED),
        ("Samarbeid mellom flere kommuner er et krav.", Need.REQUIRED),
        ("Kommunene oppfordres til å samarbeide om større prosjekter.", Need.ENCOURAGED),
        ("Samarbeidsprosjekt mellom fleire kommunar blir prioriterte.", Need.ENCOURAGED),
        ("Kommuner kan søke om tilskudd, sammen eller hver for seg.", None),
        ("Ny rapport: Omfattende kommunesamarbeid i Trøndelag", None),
    ],
)
def test_several_municipalities(text: str, need: Need | None) -> None:
    found = extract(text).several_municipalities
    assert (found.need if found else None) is need


# --- amounts -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("kr 500 000", 500_000, "NOK"),
        ("500 000 kroner", 500_000, "NOK"),
        ("kr. 300.000,-", 300_000, "NOK"),
        ("2 mill. kroner", 2_000_000, "NOK"),
        ("291,985 mill.kr", 291_985_000, "NOK"),
        ("5,4 millioner kroner", 5_400_000, "NOK"),
        ("fem millioner kroner", 5_000_000, "NOK"),
        ("100 millionar kronar", 100_000_000, "NOK"),
        ("1 milliard kroner", 1_000_000_000, "NOK"),
        ("MNOK 1,5", 1_500_000, "NOK"),
        ("1,5 MNOK", 1_500_000, "NOK"),
        ("NOK 1.5 million", 1_500_000, "NOK"),
        ("EUR5,000,000", 5_000_000, "EUR"),
        ("EUR 300.000,00", 300_000, "EUR"),
        ("60 000 EUR", 60_000, "EUR"),
    ],
)
def test_number_forms(text: str, value: int, currency: str) -> None:
    found = money_in(text)
    assert [(m.value, m.currency) for m in found] == [(value, currency)]


def test_no_money_without_a_currency_or_scale() -> None:
    assert money_in("Meld. St. 24 (2019–2020) og 5 millioner innbyggere") == []


def amounts(text: str) -> tuple[int | None, int | None, int | None]:
    c = extract(text)
    return tuple(a.value if a else None for a in (c.amount_min, c.amount_max, c.amount_total))  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Vi lyser ut 20 millioner kroner totalt. Dere kan søke om mellom 3 og 7 millioner kroner.",
            (3_000_000, 7_000_000, 20_000_000),
        ),
        ("Maksimalt tilskudd per prosjekt er fem millioner kroner.", (None, 5_000_000, None)),
        (
            "Støttegrenser: Minimum 1 000 000 kroner, maksimum 16 000 000 kroner",
            (1_000_000, 16_000_000, None),
        ),
        (
            "Forskningsrådet lyser ut inntil 1,5 milliarder kroner til innovasjonsprosjekter.",
            (None, None, 1_500_000_000),
        ),
        ("Det er satt av 5,4 millioner kroner til ordningen.", (None, None, 5_400_000)),
        (
            "Hausten 2021 lyser Vestland fylkeskommune ut 15 millionar i ekstra midlar.",
            (None, None, 15_000_000),
        ),
        (
            "Inntil 20 millioner kroner til innovasjon. Dere kan søke om inntil 7 mill. kroner per prosjekt.",
            (None, 7_000_000, None),
        ),
        ("Honorar til forfattar 3000 kroner, leige av lokale 1000 kroner.", (None, None, None)),
        (
            "Statsforvalteren mottok 40 søknader på til sammen 36 mill. kroner og fordelte 14,5 mill. kroner.",
            (None, None, None),
        ),
        (
            "Vi har økt utlyst beløp med 2 millioner kroner til totalt 95 millioner kroner.",
            (None, None, 95_000_000),
        ),
    ],
)
def test_amount_kinds(text: str, expected: tuple[int | None, int | None, int | None]) -> None:
    assert amounts(text) == expected


# --- co-funding ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "required", "share"),
    [
        ("Det blir gitt støtte med inntil 50 prosent av total kostnad.", True, 50),
        ("Alle prosjektskjønn undergis krav om minst 50 prosent egenfinansiering.", True, 50),
        ("Kravet til egenandel er minst 20 prosent.", True, 20),
        ("Maksimal støtte er begrenset til 75 % av de totale godkjente prosjektkostnadene.", True, 25),
        ("Kommunen må bidra med egeninnsats.", True, None),
        ("Det er ikke krav om egenandel.", False, 0),
        ("The grant covers up to 80% of eligible costs.", True, 20),
    ],
)
def test_cofunding(text: str, required: bool, share: int | None) -> None:
    c = extract(text).cofunding
    assert c is not None and (c.required, c.own_share_percent) == (required, share)
    assert c.sentence == text


# --- text, facts and storage form ----------------------------------------------------------------


def test_sentences_do_not_end_at_abbreviations_or_ordinals() -> None:
    found = [
        s.text for s in sentences("Den årlige avsetningen er på ca. 1,6 mill. norske kroner. Frist 1. mars.")
    ]
    assert found == ["Den årlige avsetningen er på ca. 1,6 mill. norske kroner.", "Frist 1. mars."]


def test_facts_from_an_adapter_count_as_labelled_fields() -> None:
    c = extract(
        "Formål: styrke innovasjon.",
        facts={"eligible": "Kommuner og fylkeskommuner", "amount": "20 millioner kroner"},
    )
    assert c.applicants.types == {A.KOMMUNE, A.FYLKESKOMMUNE}
    assert c.amount_total is not None and c.amount_total.value == 20_000_000
    assert c.amount_total.sentence.startswith("Antatt tilgjengelige midler")


def test_json_round_trip() -> None:
    c = extract(
        "Hvem kan søke: Kommuner\nUniversiteter kan delta som partnere. Støtte med inntil 50 prosent av kostnadene. "
        "Dere kan søke om inntil 2 mill. kroner. Kommunene oppfordres til å samarbeide."
    )
    assert Conditions.from_dict(c.to_dict()) == c
    assert Conditions.from_dict(None) == Conditions()
    assert (
        Conditions.from_dict({"applicants": {"found": {"nonsense": "x"}}, "amount_max": {"value": "2"}})
        == Conditions()
    )


def test_a_huge_text_is_read_in_bounded_pieces() -> None:
    c = extract("Kommuner kan søke om midler, og " * 3000)
    assert c.applicants.types == {A.KOMMUNE}
