"""What a call asks of the applicant: a research partner, several municipalities, co-funding.

Research partner, required: "må ha med minst én forskningsorganisasjon", "En eller flere godkjente
FoU-organisasjoner må delta", "Kommuner søker i samarbeid med et forskningsmiljø", "X, i samarbeid
med forskningsmiljøer, kan søke", "must include a research organisation". Encouraged: "oppfordrer
til samarbeid med forskningsmiljøer", "samarbeid med FoU-miljø er en fordel".

Several municipalities, required: "minst to kommuner må stå bak", "må være et interkommunalt
samarbeid", "samarbeid mellom flere kommuner er et krav". Encouraged: "Kommunene oppfordres til å
samarbeide", "interkommunale prosjekter vil bli prioritert". "sammen eller hver for seg" is neither.

Co-funding: "egenandel", "egenfinansiering", "egeninnsats", "own contribution", "co-financing"
(required; the share where the sentence gives one: "egenandel på minst 20 prosent"), or support
limited to a share of the costs: "støtte med inntil 50 prosent av total kostnad" (own share 50),
"Maksimal støtte ... er begrenset til 75 % av de totale godkjente prosjektkostnadene" (own share 25).
"""

from __future__ import annotations

import re

from feeds.eligibility.lazy import Lazy
from feeds.eligibility.model import CoFunding, Need, Requirement
from feeds.eligibility.text import Sentence, clip
from feeds.eligibility.vocab import FR_WORDS, names_research

__all__ = ["read_cofunding", "read_research_partner", "read_several_municipalities"]

_F = re.IGNORECASE
_FR = FR_WORDS.pattern
_W = r"(?:[\w-]+\s+)"
_RESEARCH_REQUIRED = (
    Lazy(
        rf"\b(?:må|skal|must|shall)\s+{_W}{{0,3}}?(?:ha|inkludere|involvere|include|involve|have)\s+(?:med\s+)?"
        rf"{_W}{{0,4}}?{_FR}",
        _F,
    ),
    Lazy(
        rf"{_FR}\s+{_W}{{0,2}}?(?:må|skal|must)\s+{_W}{{0,2}}?(?:delta|være\s+med|vere\s+med|participate|be\s+involved)",
        _F,
    ),
    Lazy(rf"\b(?:søker|søkjer|apply|applies)\s+i\s+samarbeid\s+med\s+{_W}{{0,2}}?{_FR}", _F),
    Lazy(rf"\bi\s+samarbeid\s+med\s+{_W}{{0,2}}?{_FR}[^,.]*,\s*(?:kan|må|skal)\s+søk", _F),
    Lazy(rf"\bkrav\w*\s+(?:om|til)\s+(?:samarbeid\s+med\s+)?{_W}{{0,2}}?{_FR}", _F),
    Lazy(rf"\bsom\s+samarbeid(?:er|ar)\s+med\s+{_W}{{0,2}}?{_FR}", _F),
    Lazy(
        rf"\bsamarbeid\w*\s+med\s+(?:minst|at\s+least)\s+(?:en|ett|én|ein|eitt|one|1)\s+{_W}{{0,2}}?{_FR}", _F
    ),
    Lazy(
        rf"\b(?:skal|må|must|shall)\s+{_W}{{0,3}}?(?:gjennomføres|gjennomførast|utføres|utførast|skje|be\s+carried\s+out"
        rf"|be\s+implemented|bygge\s+på|byggje\s+på|baseres\s+på)\s+(?:i\s+)?(?:et\s+|eit\s+|a\s+)?{_W}?"
        rf"(?:samarbeid|co-?operation|collaboration)\s+(?:med|mellom|with|between)\s+[^.]{{0,80}}?{_FR}",
        _F,
    ),
)
_ENCOURAGE = r"(?:oppfordr\w*|oppmod\w*|anbefal\w*|encourag\w*|recommend\w*|en\s+fordel|ein\s+fordel|positivt|vektlegg\w*|prioriter\w*)"
_RESEARCH_ENCOURAGED = Lazy(rf"{_ENCOURAGE}[^.]*{_FR}|{_FR}[^.]*{_ENCOURAGE}", _F)
_MUNI = r"(?:kommun\w*|municipalit\w*)"
_SEVERAL = r"(?:flere|fleire|minst\s+(?:to|tre|2|3)|at\s+least\s+(?:two|three|2|3)|several|multiple)"
_MUNI_REQUIRED = (
    Lazy(
        rf"\b{_SEVERAL}\s+{_MUNI}[^.]*\b(?:må|skal|must|kreves|krevst|required)\b"
        rf"|\b(?:må|skal|must|kreves|krevst|required)\b[^.]*\b{_SEVERAL}\s+{_MUNI}",
        _F,
    ),
    Lazy(
        rf"\b(?:må|skal|must)\s+{_W}{{0,3}}?(?:være\s+|vere\s+|be\s+)?(?:et\s+|eit\s+|an\s+)?"
        r"(?:interkommunal\w*|inter-?municipal)",
        _F,
    ),
    Lazy(
        rf"(?:interkommunal\w*|samarbeid\w*\s+mellom\s+{_MUNI}|samarbeid\w*\s+mellom\s+{_SEVERAL}\s+{_MUNI})"
        r"[^.]*\b(?:er\s+et\s+krav|er\s+eit\s+krav|kreves|krevst|er\s+påkrevd|is\s+required|is\s+a\s+requirement)",
        _F,
    ),
)
_MUNI_WORD = Lazy(r"kommun|municipal|interkommunal", _F)
_COFUND_HINT = Lazy(
    r"egen|eigen|egne|eigne|medfinans|co-?fin|co-?fund|contribution|matching|%|prosent|per\s*cent", _F
)
_COOPERATE = r"(?:samarbeid\w*|samarbeide|interkommunal\w*|sammen|saman|together|co-?operat\w*|collaborat\w*)"
_MUNI_ENCOURAGED = Lazy(rf"{_ENCOURAGE}[^.]*{_COOPERATE}|{_COOPERATE}[^.]*{_ENCOURAGE}", _F)

_COFUND_WORD = Lazy(
    r"\b(?:egenandel\w*|eigendel\w*|eigenandel\w*|egenfinansier\w*|eigenfinansier\w*|egeninnsats\w*|eigeninnsats\w*"
    r"|egne\s+midler|eigne\s+midlar|medfinansier\w*|own\s+contribution\w*|co-?financ\w*|co-?fund\w*|matching\s+funds?)",
    _F,
)
_NO_COFUND = Lazy(
    r"\b(?:ingen|ikke|ikkje|no|not)\s+(?:\w+\s+){0,3}?(?:krav\s+(?:om|til)\s+)?(?:egenandel|eigendel|egenfinansier\w*"
    r"|eigenfinansier\w*|co-?financ\w*|own\s+contribution)",
    _F,
)
_PCT = r"(?P<pct>\d{1,3})(?:[.,]\d+)?\s*(?:%|prosent|per\s*cent|percent)"
_OWN_SHARE = Lazy(
    r"(?:egenandel\w*|eigendel\w*|egenfinansier\w*|eigenfinansier\w*|own\s+contribution\w*|co-?financ\w*)"
    rf"[^.]{{0,40}}?(?:på|er|of|is)?\s*(?:minst|minimum|at\s+least)?\s*{_PCT}"
    rf"|(?:minst|minimum|at\s+least)\s+{_PCT.replace('pct', 'pct2')}\s+(?:egenandel|eigendel|egenfinansier\w*|eigenfinansier\w*|own\s+contribution|co-?financ\w*)",
    _F,
)
_SUPPORT_SHARE = Lazy(
    r"\b(?:støtte\w*|tilskudd\w*|tilskot\w*|finansiering\w*|funding(?:\s+rate)?|grants?|dekke\w*|dekkje|cover\w*)"
    rf"[^.]{{0,60}}?(?:inntil|opptil|maks\w*|høyst|høgst|up\s+to|maximum(?:\s+of)?|begrenset\s+til|avgrensa\s+til"
    rf"|limited\s+to)\s+{_PCT}\s+(?:av|of)\s+(?:[\w-]+\s+){{0,3}}?(?:\w*kostnad\w*|\w*budsjett\w*|\w*costs?|budget)",
    _F,
)


def read_research_partner(sentences: list[Sentence]) -> Requirement | None:
    """Whether a research organisation must, or should, take part."""
    encouraged: Requirement | None = None
    for s in sentences:
        if not names_research(s.text):  # every pattern names a research organisation
            continue
        if any(p.search(s.text) for p in _RESEARCH_REQUIRED):
            return Requirement(Need.REQUIRED, clip(s.text))
        if encouraged is None and _RESEARCH_ENCOURAGED.search(s.text):
            encouraged = Requirement(Need.ENCOURAGED, clip(s.text))
    return encouraged


def read_several_municipalities(sentences: list[Sentence]) -> Requirement | None:
    """Whether several municipalities must, or should, apply together."""
    encouraged: Requirement | None = None
    for s in sentences:
        if not _MUNI_WORD.search(s.text):
            continue
        if any(p.search(s.text) for p in _MUNI_REQUIRED):
            return Requirement(Need.REQUIRED, clip(s.text))
        if encouraged is None and re.search(_MUNI, s.text, _F) and _MUNI_ENCOURAGED.search(s.text):
            encouraged = Requirement(Need.ENCOURAGED, clip(s.text))
    return encouraged


def read_cofunding(sentences: list[Sentence]) -> CoFunding | None:
    """Co-funding: required or not, with the minimum own share where the text gives it."""
    for s in sentences:
        text = s.text
        if not _COFUND_HINT.search(text):
            continue
        if _COFUND_WORD.search(text):
            if _NO_COFUND.search(text):
                return CoFunding(False, clip(text), 0)
            own = _OWN_SHARE.search(text)
            if own:
                pct = int(own.group("pct") or own.group("pct2"))
                if 0 < pct < 100:
                    return CoFunding(True, clip(text), pct)
            share = _SUPPORT_SHARE.search(text)
            if share and 0 < int(share.group("pct")) < 100:
                return CoFunding(True, clip(text), 100 - int(share.group("pct")))
            return CoFunding(True, clip(text), None)
        share = _SUPPORT_SHARE.search(text)
        if share:
            pct = int(share.group("pct"))
            if pct >= 100:
                return CoFunding(False, clip(text), 0)
            if pct > 0:
                return CoFunding(True, clip(text), 100 - pct)
    return None
