"""Who may apply, who may take part, who may not: read from labelled fields and sentences.

A sentence counts only in one of these shapes (bokmål, nynorsk, English):

- a list that may apply: "X kan søke", "X kan også søkje om midlar", "X får mulighet til å søke",
  "X inviteres til å søke", "inviterer X til å søke", "Søker er X", "Prosjektansvarlig må være X",
  "X can apply", "X are eligible"; the money's receivers: "gi X støtte", "Tilskudd gis til X",
  "utlyser 3 mill. kroner til X", "Tilskudd ... for X" (these lists are exhaustive);
- someone named as an applicant in passing: "mobilisere X til", "X som får tilsagn om tilskudd",
  "X sender inn søknad", "I søknaden må X oppgi" (not exhaustive);
- a partner: "X kan delta", "X kan være partner", "X skal kun ha en utførende rolle",
  "Y, i samarbeid med X, kan søke";
- an exclusion: "X kan ikke søke", "X cannot apply", "X are not eligible".

"Kommunen kan søke faglige råd" is no application: after "søke" must come the end of the clause or
a word that belongs to applying ("om", "på", "innen", "midler", "tilskudd", ...).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from feeds.eligibility.lazy import Lazy
from feeds.eligibility.model import Applicant, Roles
from feeds.eligibility.text import Field, Label, Sentence, clip
from feeds.eligibility.vocab import names_any, types_in

__all__ = ["RolesFound", "read_roles"]

_F = re.IGNORECASE
_MODAL = r"(?:kan|må|skal|får|can|may|must)"
_ADV = r"(?:\s+(?:også|òg|likevel|fortsatt|framleis|nå|no|bare|berre|kun|only|also|each))*"
_APPLY = r"(?:søke|søkje|søkja|apply)"
_TAIL = (
    r"(?=\s*(?:$|[.,;:!?)]|(?:om|på|til|innen|innan|fra|frå|for|i|sammen|saman|hver|kvar|direkte|elektronisk"
    r"|via|gjennom|eller|og|når|dersom|as|to|for|if|when|directly|jointly|midler|midlar|tilskudd|tilskot|støtte"
    r"|funding|grants?|support)\b))"
)
_APPLY_POS = Lazy(
    rf"\b(?:{_MODAL}{_ADV}|(?:får|har|gis|gjevast)\s+(?:mulighet|moglegheit|anledning|høve)\s+til\s+å"
    r"|(?:inviteres|oppfordres|blir\s+invitert|vert\s+invitert|er\s+invitert|are\s+invited)\s+(?:til\s+å|to))"
    rf"\s+{_APPLY}{_TAIL}",
    _F,
)
_ELIGIBLE = Lazy(r"\b(?:are|is)\s+eligible\b(?!\s+for\s+(?:costs|support\s+of))", _F)
_APPLY_NEG = Lazy(
    rf"\b(?:(?:kan|får|can|may)\s+(?:ikke|ikkje|not)\s+{_APPLY}|cannot\s+apply|can't\s+apply"
    r"|(?:are|is)\s+not\s+eligible|er\s+ikke\s+(?:støtteberettig\w*|søknadsberettig\w*)"
    r"|er\s+ikkje\s+(?:støtteberettig\w*|søknadsberettig\w*))",
    _F,
)
_INVITE = Lazy(
    rf"\b(?:inviterer|invites?|oppfordrer|oppmodar|ber)\s+(?P<obj>.+?)\s+(?:til\s+å|om\s+å|to)\s+{_APPLY}", _F
)
_APPLICANT_IS = Lazy(
    r"\b(?:søker(?:en)?|søkjar(?:en)?|søkere|prosjektansvarleg\w*|prosjektansvarlig\w*|prosjekteier\w*"
    r"|(?:the\s+)?(?:lead\s+)?applicants?|(?:de|dei|those)\s+som\s+kan\s+søk\w*|those\s+who\s+can\s+apply"
    r"|målgrupp(?:en|a)(?:\s+for\s+[\w-]+)?)(?:\s+\([^)]*\))?\s+(?:er|må\s+være|skal\s+være|må\s+vere|skal\s+vere"
    r"|is|are|must\s+be|must\s+represent|have\s+to\s+be)\s+(?P<obj>.+)$",
    _F,
)
_GIVE = Lazy(
    r"\b(?:gi|gir|gje|gjev|give|gives|provide|provides)\s+(?P<obj>.{3,200}?)\s+"
    r"(?:støtte|tilskudd|tilskot|midler|midlar|funding|grants?|support)\b",
    _F,
)
_MONEY_WORD = Lazy(
    r"\b(?:tilskudd\w*|tilskot\w*|støtte\w*|midler|midlene|midlar|midlane|\w*midl(?:er|ar)|kroner|kronar|kr"
    r"|grants?|funding|utlyser|utlysing|utlysning)\b",
    _F,
)
_TO_FOR = Lazy(r"\b(?:til|for|to)\s+(?P<obj>[^.;:]+)", _F)
_PREFERABLY = Lazy(r"\b(?:fortrinnsvis|primært|hovedsakelig|helst|særleg|særlig|mainly)\s*$", _F)
_DETERMINER = Lazy(
    r"^(?:(?:de|dei|alle|små|mindre|norske|utvalde|utvalgte|aktuelle|the|all|eligible|både|begge)\s+)*", _F
)
_PROJECTS_IN = Lazy(r"^\S*\s*(?:og\s+)?\S*prosjekt\w*\s+i\s+(?:kommunene|kommunane)\b", _F)
_MOBILISE = Lazy(
    r"\b(?:mobilisere|stimulere|hjelpe|motivere|engasjere|mobilise|stimulate|help|encourage)"
    r"(?:\s+(?:og|and)\s+\w+)?\s+"
    r"(?P<obj>.+?)\s+(?:til|i|med|å|to|in)\b",
    _F,
)
_RECEIVER = Lazy(
    r"(?P<subj>\b[\w-]+(?:\s+[\w-]+)?)\s+(?:som\s+)?(?:skal\s+|kan\s+|vil\s+)?"
    r"(?:få|får|fekk|fikk|blir\s+innvilget|vert\s+innvilga|blir\s+tildelt|vert\s+tildelt)\s+"
    r"(?:\w+\s+){0,2}?(?:tilsagn|tilskudd|tilskot|støtte|midler|midlar|sine\s+søknader)\b"
    r"|(?P<subj2>\b[\w-]+)\s+sender\s+(?:så\s+|da\s+)?(?:inn\s+)?(?:en\s+|ein\s+)?søknad"
    r"|\bi\s+søknad(?:en|a)?\s+(?:må|skal)\s+(?P<subj3>[\w-]+)",
    _F,
)
_PARTICIPATE = Lazy(
    rf"\b{_MODAL}{_ADV}\s+(?:ha\s+(?:en|ei|ein)\s+utførende\s+rolle"
    r"|delta(?=\s+(?:i|som|in|as)\b|\s*[.,;]|\s*$)"
    r"|være\s+(?:med\s+)?(?:som\s+)?(?:partner|samarbeidspartner|prosjektpartner|prosjektdeltaker|utførende)\w*"
    r"|vere\s+(?:med\s+)?(?:som\s+)?(?:partnar|samarbeidspartnar|prosjektpartnar|prosjektdeltakar|utførande)\w*"
    r"|participate|take\s+part|be\s+(?:a\s+)?partners?|join\s+as)\b",
    _F,
)
_WITH = Lazy(
    r"\b(?:i\s+samarbeid\s+med|sammen\s+med|saman\s+med|together\s+with|in\s+(?:co-?operation|collaboration|partnership)\s+with)"
    r"\s+(?P<obj>[^,]+)",
    _F,
)
_BOUNDARY = Lazy(
    r"[:;•!?]|\b(?:at|dersom|når|fordi|if|when|because|NB)\b|,\s*(?:og|men)\b|\bmen\b|\s[–—-]\s", _F
)
_PARTNER_WORDS = Lazy(
    r"partner|partnar|prosjektdeltak|samarbeidspart|(?:hvem|kven)\s+kan\s+delta|utførende|utførande|participa"
    r"|consorti|i\s+samarbeid\s+med",
    _F,
)


@dataclass
class _Acc:
    found: dict[Applicant, str] = field(default_factory=dict)
    exhaustive: bool = False

    def add(self, found: Iterable[tuple[Applicant, str]], evidence: str, exhaustive: bool) -> None:
        added = False
        for t, _word in found:
            self.found.setdefault(t, clip(evidence))
            added = True
        if added and exhaustive:
            self.exhaustive = True

    def roles(self) -> Roles:
        return Roles(found=dict(self.found), exhaustive=self.exhaustive)


@dataclass(frozen=True)
class RolesFound:
    applicants: Roles
    participants: Roles
    excluded: Roles
    mentions_partners: bool


def _subject(sentence: str, end: int) -> str:
    """The clause before ``end``: from the last clause boundary before it."""
    start = 0
    for m in _BOUNDARY.finditer(sentence, 0, end):
        start = m.end()
    return sentence[start:end]


def _split_with(subject: str) -> tuple[str, str]:
    """("Kommuner og fylkeskommuner", "forskningsmiljøer") from "..., i samarbeid med forskningsmiljøer,"."""
    m = _WITH.search(subject)
    if not m:
        return subject, ""
    return subject[: m.start()] + subject[m.end() :], m.group("obj")


def _head_types(obj: str) -> list[tuple[Applicant, str]]:
    """Types named at the start of a noun phrase ("til kommuner for ..." but not "til utvikling av ...")."""
    head = _DETERMINER.sub("", obj.strip())
    if _PROJECTS_IN.match(head):
        return [(Applicant.KOMMUNE, "kommunene")]
    found = types_in(head)
    if not found:
        return []
    first = re.search(re.escape(found[0][1]), head, re.IGNORECASE)
    return found if first is not None and first.start() == 0 else []


def _read_sentence(s: str, app: _Acc, part: _Acc, excl: _Acc) -> None:
    if not names_any(s):  # every rule below adds types named in the sentence
        return
    for m in _APPLY_NEG.finditer(s):
        excl.add(types_in(_subject(s, m.start())), s, True)
    for m in list(_APPLY_POS.finditer(s)) + list(_ELIGIBLE.finditer(s)):
        if _APPLY_NEG.search(s, max(0, m.start() - 12), m.end()):
            continue
        subject, partners = _split_with(_subject(s, m.start()))
        app.add(types_in(subject), s, True)
        part.add(types_in(partners), s, False)
    for m in _INVITE.finditer(s):
        app.add(types_in(m.group("obj")), s, True)
    applicant_is = _APPLICANT_IS.search(s)
    if applicant_is:
        obj, partners = _split_with(applicant_is.group("obj"))
        app.add(types_in(obj), s, True)
        part.add(types_in(partners), s, False)
    for m in _GIVE.finditer(s):
        app.add(types_in(m.group("obj")), s, True)
    money = _MONEY_WORD.search(s)
    if money:
        for m in _TO_FOR.finditer(s, money.start()):
            head = _head_types(m.group("obj"))
            app.add(head, s, not _PREFERABLY.search(s[: m.start()]))
    for m in _MOBILISE.finditer(s):
        app.add(_head_types(m.group("obj")), s, False)
    for m in _RECEIVER.finditer(s):
        subj = m.group("subj") or m.group("subj2") or m.group("subj3") or ""
        app.add(types_in(subj), s, False)
    for m in _PARTICIPATE.finditer(s):  # "kan ikke delta" does not match: "ikke" is no adverb here
        part.add(types_in(_split_with(_subject(s, m.start()))[0]), s, False)


def read_roles(sentences: list[Sentence], fields: list[Field], title: str = "") -> RolesFound:
    """Applicants, participants and exclusions, each type with its evidence sentence."""
    app, part, excl = _Acc(), _Acc(), _Acc()
    has_apply_field = any(f.label is Label.APPLY for f in fields)
    for f in fields:
        if f.label is Label.APPLY or (f.label is Label.AUDIENCE and not has_apply_field):
            if f.items:  # a list: each item names a kind of applicant first, or is a condition
                app.add([t for item in f.items for t in _head_types(item)], f.evidence, True)
                continue
            value, partners = _split_with(f.value)
            app.add(types_in(value), f.evidence, True)
            part.add(types_in(partners), f.evidence, False)
        elif f.label is Label.PARTICIPATE:
            found = (
                [t for item in f.items for t in _head_types(item)]
                if f.items
                else types_in(f.value, keep_relative=True)
            )
            part.add(found, f.evidence, False)
    for s in ([title] if title else []) + [x.text for x in sentences]:
        _read_sentence(s, app, part, excl)
    mentions = any(_PARTNER_WORDS.search(x.text) for x in sentences) or bool(part.found)
    return RolesFound(app.roles(), part.roles(), excl.roles(), mentions)
