"""The words for kinds of applicant, in bokmål, nynorsk and English.

``types_in(phrase)`` finds the applicant types a noun phrase names ("Kommunar, fylkeskommune,
selskap, stiftingar og andre samanslutningar"). The most specific words are tried first and a word
counts once: "kommunale foretak" is a municipal enterprise (andre), not a municipality;
"fylkeskommuner" is no "kommune"; "organisasjoner som representerer offentlig sektor" are not
voluntary organisations. A relative clause is cut off first ("lag som driv kulturarbeid i
kommunen" names clubs, not the municipality), and so is a municipality named as a place
("prosjekter i kommunen") or by its name ("Innlandet fylkeskommune", usually the funder).
"""

from __future__ import annotations

import re

from feeds.eligibility.lazy import Lazy
from feeds.eligibility.model import Applicant

__all__ = ["FR_WORDS", "PUBLIC", "names_any", "names_research", "types_in"]

A = Applicant
PUBLIC = (A.KOMMUNE, A.FYLKESKOMMUNE, A.ANDRE)

_RESEARCH = (
    r"forsk(?:n)?ingsorganisasjon\w*|forsk(?:n)?ingsinstitu\w+|forsk(?:n)?ingsmiljø\w*|forskingsmiljø\w*"
    r"|fou-(?:organisasjon|institusjon|miljø|aktør|partner)\w*|universitet\w*|h[øo][gy]sk[uo]le\w*"
    r"|research (?:organi[sz]ations?|institut\w+|partners?|performing \w+)|universit(?:y|ies)"
    r"|higher education institutions?"
)
_REPRESENTING = r"organisasjon\w* som representerer (?:offentlig|kommunal) sektor"
_TERMS: tuple[tuple[str, tuple[Applicant, ...]], ...] = (
    (_REPRESENTING, (A.ANDRE,)),
    (
        r"(?:organisasjon|virksomhet|verksemd|enhet|eining)\w* (?:i|innen|innanfor|innenfor) kommunal sektor",
        (A.KOMMUNE, A.FYLKESKOMMUNE),
    ),
    (
        r"kommunale? (?:foretak|føretak)\w*|(?:foretak|føretak)\w* (?:organisert )?etter kommunelov\w*"
        r"(?: kap(?:ittel|\.)? ?\d+)?",
        (A.ANDRE,),
    ),
    (
        r"interkommunal\w* \w+|interkommunale|regionråd\w*|kommunesamarbeid\w*|sam(?:m)?enslutning\w* av "
        r"(?:slike|kommun\w+|offentlige \w+)|inter-?municipal \w+|(?:associations|groupings|networks) of "
        r"(?:municipalities|local authorities|towns)|(?:local )?(?:public )?entities aggregating \w+",
        (A.INTERKOMMUNALT,),
    ),
    (r"kommunal(?:e)? (?:og fylkeskommunal(?:e)? )?sektor\w*|kommunesektor\w*", (A.KOMMUNE, A.FYLKESKOMMUNE)),
    (
        r"kommunale og fylkeskommunale \w+|local and regional (?:public )?authorit\w+"
        r"|regional and local (?:public )?authorit\w+",
        (A.KOMMUNE, A.FYLKESKOMMUNE),
    ),
    (r"regional (?:public )?authorit\w+", (A.FYLKESKOMMUNE,)),
    (r"fylkeskommun\w*|county (?:councils?|authorit\w+|municipalit\w+)", (A.FYLKESKOMMUNE,)),
    (
        r"offentleg\w* (?:sektor\w*|verksemd\w*|instans\w*|eining\w*|aktør\w*|organ\w*|styresmakt\w*)"
        r"|offentlig\w* (?:sektor\w*|virksomhet\w*|instans\w*|enhet\w*|aktør\w*|organ\w*|myndighet\w*)"
        r"|enheter i offentlig sektor|public (?:sector\w*|bodies|authorities|entities|organi[sz]ations)",
        PUBLIC,
    ),
    (r"kommunale (?:virksomheter|verksemder|enheter|einingar|tjenester|tenester)", (A.KOMMUNE,)),
    (
        r"kommun(?:e|en|er|ene|enes|ens|ar|ane|anes)|municipalit(?:y|ies)"
        r"|local (?:public )?(?:authorit(?:y|ies)|governments?|entities|bodies)",
        (A.KOMMUNE,),
    ),
    (
        r"statlig\w* (?:virksomhet\w*|etat\w*|aktør\w*|enhet\w*)|statleg\w* (?:verksemd\w*|etat\w*)"
        r"|state (?:agencies|bodies)|helseforetak\w*|helseføretak\w*",
        (A.ANDRE,),
    ),
    (_RESEARCH, (A.FORSKNING,)),
    (
        r"frivillig\w* (?:organisasjon\w*|lag\w*|foreining\w*|forening\w*|sektor\w*)"
        r"|ideell\w* (?:organisasjon\w*|virksomhet\w*|verksemd\w*)|lag og (?:organisasjon\w*|foreining\w*|forening\w*)"
        r"|non-?profit organi[sz]ations?|non-governmental organi[sz]ations?|voluntary organi[sz]ations?|ngos?|civil society organi[sz]ations?"
        r"|idrettslag\w*|velforening\w*|foreninger|foreiningar|samskipnad\w*|organisasjon(?:er|ene|ar|ane)"
        r"|organi[sz]ations|lag(?=,| og | som | i | med |\s*$)",
        (A.FRIVILLIG,),
    ),
    (
        r"bedrift\w*|foretak\w*|føretak\w*|selskap(?:er|a|ene)?|næringsliv\w*|næringsaktør\w*|næringsdrivande"
        r"|næringsdrivende|privat\w* (?:aktør\w*|virksomhet\w*|verksemd\w*|sektor|bedrift\w*)|smb|smes?"
        r"|compan(?:y|ies)|enterprises?|businesses|industry",
        (A.BEDRIFT,),
    ),
    (
        r"stiftelse\w*|stifting\w*|enkeltperson\w*|einskildperson\w*|privatperson\w*|individuals?"
        r"|political parties|politiske parti\w*|andre (?:aktører|aktørar|samanslutningar|sammenslutninger)"
        r"|other (?:stakeholders|entities|actors)|stakeholders",
        (A.ANDRE,),
    ),
)
_COMPILED = [(Lazy(rf"(?<![\w-])(?:{p})(?![\w-])", re.IGNORECASE), types) for p, types in _TERMS]
# Every term of _TERMS contains one of these (a test checks it), so a text without them names none.
_STEMS = (
    "kommun", "fylke", "regionråd", "municipal", "county", "local", "regional", "offentl", "public",
    "statl", "state", "helsefor", "helseføre", "forsk", "fou-", "universit", "høgsk", "høysk", "research",
    "higher", "frivillig", "ideell", "organis", "organiz", "ngo", "idrettslag", "forening", "foreining",
    "samskipnad", "lag", "bedrift", "foretak", "føretak", "selskap", "nærings", "privat", "smb", "sme",
    "compan", "enterpris", "business", "industry", "stift", "person", "individual", "parti", "parties",
    "andre ", "other ", "stakeholder", "samenslutning", "sammenslutning", "samanslutning", "associations",
    "groupings", "networks", "entities",
)  # fmt: skip
_ANY = Lazy("|".join(f"(?:{p})" for p, _ in _TERMS), re.IGNORECASE)
_KEEP = Lazy(_REPRESENTING, re.IGNORECASE)
_RELATIVE = Lazy(r"\b(?:som|who|which|that)\b", re.IGNORECASE)
_PLACE_BEFORE = Lazy(r"(?:\bi|\bin(?: the)?)\s+$", re.IGNORECASE)
_NAMED = Lazy(r"[A-ZÆØÅ][\w-]+\s+$")
_SINGULAR_NAMED = {"kommune", "fylkeskommune"}

# Research organisations as a partner ("i samarbeid med et forskningsmiljø"): the same words.
FR_WORDS = Lazy(rf"(?<![\w-])(?:{_RESEARCH})(?![\w-])", re.IGNORECASE)
_FR_STEMS = ("forsk", "fou-", "universit", "høgsk", "høysk", "hogsk", "hoysk", "research", "higher")


def names_research(text: str) -> bool:
    """Does the text name a research organisation? (Plain substrings first, then the words.)"""
    low = text.lower()
    return any(stem in low for stem in _FR_STEMS) and FR_WORDS.search(text) is not None


def _place_or_name(phrase: str, start: int, word: str) -> bool:
    """A municipality as a place ("i kommunen") or by its name ("Orkland kommune")."""
    before = phrase[:start]
    if _PLACE_BEFORE.search(before) and word.lower().startswith(
        ("kommun", "fylkeskommun", "munic", "county")
    ):
        return True
    return word.lower() in _SINGULAR_NAMED and bool(_NAMED.search(before)) and bool(before.strip())


def names_any(text: str) -> bool:
    """Does the text name any kind of applicant at all? (A cheap test before the sentence rules:
    first plain substrings, then the words themselves.)"""
    low = text.lower()
    if not any(stem in low for stem in _STEMS):
        return False
    return _ANY.search(text) is not None


def types_in(phrase: str, *, keep_relative: bool = False) -> list[tuple[Applicant, str]]:
    """The applicant types a noun phrase names, in order of first mention, with the word for each."""
    if not keep_relative:
        kept = [(m.start(), m.end()) for m in _KEEP.finditer(phrase)]
        for m in _RELATIVE.finditer(phrase):
            if not any(start <= m.start() < end for start, end in kept):
                phrase = phrase[: m.start()]
                break
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, Applicant, str]] = []
    for pattern, types in _COMPILED:
        for m in pattern.finditer(phrase):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            taken.append((m.start(), m.end()))
            if _place_or_name(phrase, m.start(), m.group(0)):
                continue
            found.extend((m.start(), t, m.group(0)) for t in types)
    found.sort(key=lambda f: f[0])
    seen: set[Applicant] = set()
    out: list[tuple[Applicant, str]] = []
    for _, t, word in found:
        if t not in seen:
            seen.add(t)
            out.append((t, word))
    return out
