"""feeds.topics: tagging with Norwegian word forms, and members' keyword alerts."""

from __future__ import annotations

import pytest

from feeds.catalogue import DEFAULT_TOPICS
from feeds.topics import TopicMatcher, match_topics, matches_keyword

CATALOGUE = [(t.slug, list(t.keywords)) for t in DEFAULT_TOPICS]


def tags(text: str) -> list[str]:
    return match_topics(text, CATALOGUE)


def test_default_catalogue_has_about_ten_topics_with_keywords() -> None:
    assert 8 <= len(DEFAULT_TOPICS) <= 12
    assert all(t.keywords and t.name for t in DEFAULT_TOPICS)
    assert len({t.slug for t in DEFAULT_TOPICS}) == len(DEFAULT_TOPICS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Velferdsteknologien i kommunene", ["helse"]),
        ("Innovative anskaffelsene i kommunal sektor", ["anskaffelser"]),
        ("Forprosjekt til førkommersiell anskaffelse i offentlig sektor", ["anskaffelser", "forskning"]),
        ("Innovasjonsanskaffelsene skal prøves ut", ["anskaffelser"]),
        ("Styrke bærekraften i de kommunale helse- og omsorgstjenestene", ["helse", "klima"]),
        ("Helseteknologien gir gevinster", ["helse"]),
        ("Tiltak for elevene i skolen", ["oppvekst"]),
        ("Barna i barnehagen", ["oppvekst"]),
        ("Naturmangfold og klimatilpasning", ["klima"]),
        ("Bruk av KI i saksbehandlingen", ["digitalisering"]),
        ("FoU-prosjekter i kommunene", ["forskning"]),
        ("Levende laboratorier for stedsutvikling", ["samfunnsplanlegging"]),
        ("Ensomhet og sosial isolasjon blant eldre", ["helse", "inkludering"]),
        ("Medarbeiderdrevet innovasjon og god ledelse", ["ledelse"]),
        ("Regionale forskningsfond Trøndelag", ["forskning"]),
        ("Psykisk helse blant unge", ["helse", "oppvekst"]),
        ("Næringslivet i distriktene", ["naering"]),
        # not matches: short keywords need whole words, compounds must not mislead
        ("Kirken og kirkegården", []),
        ("Foreldrene møttes", []),
        ("Universiteter og høgskoler", []),
        ("Rusten på brua", []),
        ("", []),
    ],
)
def test_tagging(text: str, expected: list[str]) -> None:
    assert tags(text) == expected


def test_result_follows_topic_order_and_is_unique() -> None:
    got = tags("Digitalisering, helse, helse og mer helse i skolen")
    assert got == ["helse", "oppvekst", "digitalisering"]


def test_accepts_objects_with_slug_and_keywords() -> None:
    assert match_topics("velferdsteknologi", DEFAULT_TOPICS) == ["helse"]


def test_matcher_reuse_is_the_same_as_match_topics() -> None:
    matcher = TopicMatcher(CATALOGUE)
    text = "Innovasjonspartnerskap for velferdsteknologi"
    assert matcher.match(text) == tags(text) == ["helse", "anskaffelser"]


@pytest.mark.parametrize(
    ("text", "keyword", "expected"),
    [
        ("Velferdsteknologien i kommunene", "velferdsteknologi", True),
        ("Anskaffelsene skal være innovative", "anskaffelse", True),
        ("Anskaffelsene skal være innovative", "Anskaffelser", False),  # a plural keyword is not a stem
        ("Smart by-prosjekter i Trondheim", "smart by", True),
        ("Bruk av KI i skolen", "KI", True),
        ("Kirken", "ki", False),
        ("Skjønnsmidler til fornying", "skjønnsmidler", True),
        ("SKJØNNSMIDLENE er fordelt", "skjønnsmiddel", False),
        ("Skjønnsmidlene er fordelt", "skjønnsmidl", True),
        ("Hjemmetjenesten i Steinkjer", "hjemmetjeneste", True),
        ("Grønn omstilling i regionen", "  Omstilling ", True),
        ("e-helse og journal", "e-helse", True),
        ("", "helse", False),
        ("helse", "", False),
    ],
)
def test_keyword_alerts(text: str, keyword: str, expected: bool) -> None:
    assert matches_keyword(text, keyword) is expected
