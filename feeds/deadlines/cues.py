"""The words that tell what a date means: a deadline, something else, or a hint about the sentence.

A cue is one of:
- STRONG: a deadline word ("søknadsfrist", "fristen", "fristar", "innsendingsfrist", "søknadsperioden",
  "deadline", "closing date", "stenger");
- WEAK: "innen", "innan", "til og med", "senest", "seinast", "før", "by", "before", "until"; a deadline
  only with a verb of applying (VERB: "søke", "søkje", "sende inn", "levere", "apply", "submit");
- NEG: anything else a date can be: an opening ("åpen for søknad", "opnar", "opens"), a webinar,
  informasjonsmøte, samling, kurs, a project start or end, an answer, a decision, a payment
  (utbetaling), a report (Rapporteringsfrist), a registration, an outline or input deadline
  (skissefrist, frist for innspill, frist for å melde inn), a publication or update stamp,
  earlier years ("tidligere år", "i fjor"), a date after "fra"/"etter" (a start, not an end).
Sentence hints: past tense (an earlier round: "var", "hadde", "søkte"), a moved deadline ("utsatt",
"flytta", "forlenget": "fra X til Y" keeps Y), a yearly rule ("hvert år", "årleg"), a tentative plan
("foreløpig", "planlagt", "vil bli utlyst"), the call itself ("denne utlysningen", "this call").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

STRONG, WEAK, VERB, NEG = "strong", "weak", "verb", "neg"

# "frist" compounds that are an application deadline ("" is "frist" itself).
_DEADLINE_FRIST = (
    "",
    "søknads",
    "søknad",
    "innsendings",
    "innleverings",
    "leverings",
    "tilbuds",
    "hoved",
    "hovud",
    "hovedsøknads",
    "hovudsøknads",
    "søknadsinnsendings",
)
# "frist" compounds that are something else.
_OTHER_FRIST = (
    "rapporterings",
    "rapport",
    "hørings",
    "høyrings",
    "påmeldings",
    "klage",
    "betalings",
    "svar",
    "oppsigelses",
    "innsigelses",
    "merknads",
    "uttalelses",
    "registrerings",
    "skisse",
    "innspills",
    "innspels",
    "innspill",
    "forhåndsregistrerings",
    "meldings",
    "intensjons",
)

_NEG_WORDS = [
    # outlines, input, registration, reporting: deadlines, but not the application's
    r"frist\w*\s+for\s+(?:å\s+)?(?:melde|påmeld\w*|registr\w*|rapport\w*|innspill\w*|innspel\w*|"
    r"skisse\w*|uttal\w*|høring\w*|høyring\w*|klage\w*|kommentar\w*|svar\w*)",
    r"(?:registration|outline|pre-?proposal|reporting|report|abstract)\s+deadlines?",
    r"deadlines?\s+for\s+(?:registration|registering|outlines?|pre-?proposals?|input|comments|reports?|"
    r"reporting|abstracts?)",
    r"\b\w*skisse\w*|\binnspill\w*|\binnspel\w*|\boutlines?\b|\bpre-?proposals?\b",
    r"meld(?:e|er|es|ast)?\s+inn\b|innmelding\w*",
    # openings and planned calls
    r"åpen\s+for\s+søknad\w*|open\s+for\s+(?:søknad|applications?|submissions?)\w*",
    r"åpn(?:er|es|ing|ingen|et|a|ar)?\b|\bopn(?:ar|a|ing|inga)\b|\bopens?\b|\bopening\b|\bopened\b",
    r"opprette\s+søknad\w*|tilgjengeleg\w*|tilgjengelig\w*|available",
    r"\butlyses\b|\butlyst\b|\blyses\s+ut\b|\blyst\s+ut\b|\blysast\s+ut\b",
    # answers, decisions, payments
    r"forventet\s+svar\w*|forventa\s+svar\w*|\bsvar\w*|ferdigbehandl\w*|saksbehandling\w*|behandlingstid\w*",
    r"vedtak\w*|vedt[ao]k\b|vedtatt|tildel\w*|bevilg\w*|utbetal\w*|avgjørelse\w*|decision\w*|results?\b",
    r"resultat\w*|payments?\b|disburse\w*|awarded|\bawards?\b",
    # events
    r"\b\w*webinar\w*|informasjonsmøte\w*|infomøte\w*|frokostmøte\w*|søkerseminar\w*|søknadsverksted\w*",
    r"\b\w*samling\w*|\b\w*seminar\w*|konferanse\w*|workshop\w*|arrangement\w*|arranger\w*|\b\w*kurs\b|\b\w*kurset\b",
    r"\bmøte[rt]?\b|\bmøtet\b|\bmøtene\b|events?\b|meeting\w*|gathering\w*|conference\w*|info\s+session",
    # project periods
    r"prosjektstart\w*|prosjektslutt\w*|prosjektperiode\w*|prosjektvarighet\w*|oppstart\w*",
    r"\bperiode\w*|\bperiod\b",
    r"project\s+(?:start|end|period)\w*|start\s+date|end\s+date|avslutt\w*|ferdigstil\w*",
    r"tidligst\w*|tidlegast\w*|earliest|latest\s+(?:project\s+)?start",
    # publication and update stamps
    r"publisert|publisering|oppdatert|oppdatering|updated|published|posted|kunngjort|skrevet",
    r"sist\s+endret|sist\s+endra|endret\s*:|endra\s*:",
    # registration
    r"påmelding\w*|registration|register\b|meld\s+deg\s+på|melde\s+seg\s+på",
    # reports
    r"sluttrapport\w*|rapport\w*|report\w*",
    # earlier years and rounds
    r"\b(?:tidligere|tidlegare|forrige|førre|previous|earlier|last)\s+(?:år\w*|runde\w*|utlysning\w*|"
    r"utlysing\w*|frist\w*|søknadsfrist\w*|years?|rounds?|calls?|deadlines?)\b",
    r"\bi\s+fjor\b|\bfjorårets\b|\blast\s+year\b",
    # a start, not an end
    r"\b(?:fra|frå|from|etter|after|since|siden|sidan)\s*(?:og\s+med\s*)?(?:den\s*)?$",
    r"\bf\.\s?o\.\s?m\.?\s*$",
]
_STRONG_WORDS = [
    r"søknadsperiode\w*|søknadsperiode|application\s+period",
    r"application\s+deadline|submission\s+deadline|closing\s+date|due\s+date|deadlines?\b",
    r"applications?\s+(?:must|should)\s+be\s+(?:submitted|received|sent)",
    r"søknaden\s+må\s+(?:være\s+)?(?:sendt|levert|mottatt|sendes|leveres)",
    r"closes?\b|closing\b|stenger\b|stengjer\b|lukkes\b",
]
_WEAK_WORDS = [
    r"innen|innan|til\s+og\s+med|t\.\s?o\.\s?m\.?|senest|seinast|før|fram\s+til|frem\s+til",
    r"by|before|no\s+later\s+than|until",
]
_VERB_WORDS = [
    r"søk\w*|søkj\w*|apply|applications?|submit\w*|send\w*\s+inn\b|levere\w*|innlever\w*|tilbud\w*|"
    r"sendt|sendes|sendast",
]
_CUE_RE = re.compile(
    "|".join(
        [rf"(?P<neg{i}>{p})" for i, p in enumerate(_NEG_WORDS)]
        + [r"(?P<frist>\b[a-zæøå]*frist(?:en|er|ene|a|ar|ane)?\b)"]
        + [rf"(?P<strong{i}>\b(?:{p}))" for i, p in enumerate(_STRONG_WORDS)]
        + [rf"(?P<weak{i}>\b(?:{p})\b)" for i, p in enumerate(_WEAK_WORDS)]
        + [rf"(?P<verb{i}>\b(?:{p}))" for i, p in enumerate(_VERB_WORDS)]
    ),
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Cue:
    start: int
    end: int
    kind: str
    text: str


def frist_kind(word: str) -> str | None:
    """STRONG for an application deadline's "frist" compound, NEG for another one, else None."""
    prefix = word.lower().split("frist", 1)[0]
    if prefix in _DEADLINE_FRIST:
        return STRONG
    if prefix.startswith(_OTHER_FRIST):
        return NEG
    return None


def cues(text: str) -> list[Cue]:
    """Every cue in ``text``, in order."""
    return list(_cues(text))


@lru_cache(maxsize=4096)
def _cues(text: str) -> tuple[Cue, ...]:
    found = []
    for m in _CUE_RE.finditer(text):
        name = m.lastgroup or ""
        word = m.group(0)
        kind: str | None
        if name == "frist":
            kind = frist_kind(word)
            if kind is None:
                continue
        elif name.startswith("neg"):
            kind = NEG
        elif name.startswith("strong"):
            kind = STRONG
        elif name.startswith("weak"):
            kind = WEAK
        else:
            kind = VERB
        found.append(Cue(m.start(), m.end(), kind, word))
    return tuple(found)


_FILLER_AFTER_WEAK = re.compile(
    r"^[\s,]*(?:den|the|on|kl\.?\s*\d{1,2}(?:[.:]\d\d)?|midnatt(?:en)?|midnight(?:\s+on)?)?[\s,]*$",
    re.IGNORECASE,
)


def classify_context(context: str) -> tuple[str | None, bool]:
    """Read the clause before a date: (STRONG | WEAK | NEG | None, labelled).

    The cue nearest the date decides: a deadline word, or something else. "innen"/"senest" right
    before the date make it a deadline when the clause is about applying, unless the clause is
    about something else (an opening: "opnar ... seinast 1. september"). ``labelled`` is True for
    a deadline word not softened by "innen" ("Søknadsfrist 5. mars", not "søk innen 5. mars").
    """
    found = cues(context)
    if not found:
        return None, False
    last = found[-1]
    adjacent_weak = last.kind == WEAK and bool(_FILLER_AFTER_WEAK.match(context[last.end :]))
    applying = False
    for cue in reversed(found):
        if cue.kind == STRONG:
            return STRONG, not adjacent_weak
        if cue.kind == NEG:
            return NEG, False
        if cue.kind == VERB and adjacent_weak:
            applying = True
    return (WEAK, False) if applying else (None, False)


def classify_label(label: str) -> str | None:
    """A label ("Søknadsfrist", "Åpen for søknad", "Neste frist"): its first decisive cue."""
    for cue in cues(label):
        if cue.kind in (STRONG, NEG):
            return cue.kind
    return None


def classify_after(after: str) -> str | None:
    """Text right after a date ("5. mars 2025 (Søknadsfrist)", "… er søknadsfristen")."""
    found = cues(after[:40])
    if found and found[0].kind in (STRONG, NEG) and found[0].start <= 20:
        return found[0].kind
    return None


# --------------------------------------------------------------------------------------------
# Sentence hints
# --------------------------------------------------------------------------------------------

PAST = re.compile(
    r"\b(?:var|vart|vært|vore|hadde|søkte|søkde|gjaldt|gjekk\s+ut|gikk\s+ut|utløp|utløpte|was|were|had|expired)\b",
    re.IGNORECASE,
)
PAST_RIGHT_AFTER = re.compile(r"^[\s,]*(?:var|vart|was|were|hadde|had)\b", re.IGNORECASE)
MOVED = re.compile(
    r"\b(?:utsatt|utsett|utsette|flyttet|flytta|flytt|forlenget|forlenga|forlengd|forlengt|utvidet|utvida|endret|endra|"
    r"forskjøvet|postponed|extended|moved|changed|rescheduled)\b",
    re.IGNORECASE,
)
FROM_BEFORE = re.compile(r"\b(?:fra|frå|from)\s*$", re.IGNORECASE)
TO_BEFORE = re.compile(r"\b(?:til|to|until)\s*$", re.IGNORECASE)
RECURRING = re.compile(
    r"\b(?:hvert|hver|kvart|kvar)\s+år\b|\bårlig\w*|\bårleg\w*|\b(?:every|each)\s+year\b|\bannual(?:ly)?\b"
    r"|\bganger?\s+i\s+året\b|\bgongar?\s+i\s+året\b|\bsame\s+year\b",
    re.IGNORECASE,
)
TENTATIVE = re.compile(
    r"\b(?:foreløpig\w*|førebels|planlagt\w*|planlagd\w*|tentativ\w*|preliminary|planned|expected|"
    r"forventet|forventa|vil\s+bli\s+utlyst|blir\s+utlyst|ventes|antatt|trolig|truleg|sannsynligvis)\b",
    re.IGNORECASE,
)
SELF = re.compile(
    r"\b(?:denne|dette)\s+(?:utlysningen|utlysinga|utlysingen|utlysning|utlysing)\b|\bthis\s+(?:funding\s+)?call\b",
    re.IGNORECASE,
)
# "søknadsfrister i 2014": the year of the dates that follow.
YEAR_OF_DEADLINES = re.compile(r"frist\w*\s+i\s+(?P<y>(?:19|20)\d\d)\b", re.IGNORECASE)


def label_kind_is(label: str, kind: str) -> bool:
    """Whether the label reads as ``kind`` (STRONG or NEG)."""
    return classify_label(label) == kind
