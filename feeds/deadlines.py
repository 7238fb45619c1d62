"""Finding a call's application deadline in free Norwegian (bokmål, nynorsk) or English text.

``find_deadline(text, reference=...)`` returns None when the text states no deadline, a rolling
``Deadline`` for "løpende", "uten fast søknadsfrist" and the like, or a ``Deadline`` with ``at``
(timezone-aware, Europe/Oslo) and ``has_time``. When ``has_time`` is False, ``at`` is midnight at
the start of the deadline day and the whole day counts (see ``Deadline.ends_at``).

How it reads a text, in order:

1. Every date mention is found with its time, if one is given ("5. mars 2025", "13. sep. 2023",
   "10 feb 2021", "05 Mar 2025", "March 5, 2025", "03.06.2019 23:59:00", "1. september 2020 23.59",
   "30.08.2018 kl. 13.00", "2025-03-05", two-digit years). Month names come from Babel (nb, nn, en).
2. Each mention is classified by its label or its sentence:
   - a line holding only a date takes its label from the line before when that ends with ":"
     ("Søknadsfrist:" / value, as Statsforvalteren writes it), else from the line after
     (Forskningsrådet's "Viktige datoer": a date line, then its label line);
   - a date inside a sentence takes the nearest cue before it in the same sentence: a deadline word
     ("søknadsfrist", "frist", "innsendingsfrist", "deadline") makes it a deadline; an opening, a
     webinar, a gathering, a project start or end, an answer or a report makes it something else;
     "innen", "til og med", "senest" right before the date count when the sentence is about applying.
   Dates joined by "og"/"and"/"til" share their classification ("to frister: 20. mars og 2. oktober").
3. A missing year is taken from ``reference`` (the page's publication or opening date): the next
   such date on or after it, unless it lies at most 90 days before it (a deadline just passed),
   or the text says "i år" / "neste år".
4. Of several deadlines (two rounds), the next upcoming one relative to ``now`` (default: the
   reference) wins; if all have passed, the latest.
5. Forskningsrådet's main deadlines are at 13:00 Norwegian time: a labelled deadline without a
   time from a forskningsradet source (not Regionale forskningsfond, whose deadlines vary) gets 13:00.

A wrong deadline is worse than none: a date with no deadline cue is never taken.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")

# A year-less date this many days before the reference is a deadline just passed, not next year's.
PASSED_GRACE_DAYS = 90
FORSKNINGSRADET_DEADLINE_TIME = time(13, 0)

__all__ = [
    "OSLO",
    "DateMention",
    "Deadline",
    "find_dates",
    "find_deadline",
    "find_deadlines",
    "is_rolling",
]


@dataclass(frozen=True)
class Deadline:
    """A deadline: rolling, or a moment in Norwegian time (``has_time`` False: the whole day)."""

    at: datetime | None = None
    has_time: bool = False
    rolling: bool = False
    evidence: str = field(default="", compare=False)

    @property
    def ends_at(self) -> datetime | None:
        """The last moment the deadline is still open (end of the day when no time is known)."""
        if self.at is None:
            return None
        if self.has_time:
            return self.at
        return datetime.combine(self.at.date() + timedelta(days=1), time(0), OSLO) - timedelta(seconds=1)

    def __str__(self) -> str:
        if self.rolling:
            return "løpende"
        if self.at is None:
            return "ingen frist"
        return self.at.strftime("%Y-%m-%d %H:%M") if self.has_time else self.at.strftime("%Y-%m-%d")


# --------------------------------------------------------------------------------------------
# Month names
# --------------------------------------------------------------------------------------------

_EXTRA_MONTHS = {
    "sept": 9,
    "febr": 2,
    "januari": 1,  # common misspelling
    "aug": 8,
    "okt": 10,
    "des": 12,
    "oct": 10,
    "dec": 12,
    "mai": 5,
    "juni": 6,
    "juli": 7,
}
# English month tokens that are not also Norwegian: safe to read in "March 5" order.
_ENGLISH_ONLY = {
    "january",
    "february",
    "march",
    "may",
    "june",
    "july",
    "october",
    "december",
    "jan",
    "feb",
    "jun",
    "jul",
    "oct",
    "dec",
}


@lru_cache(maxsize=1)
def month_names() -> dict[str, int]:
    """Lower-case month names and abbreviations (nb, nn, en) from Babel, without trailing dots."""
    from babel.dates import get_month_names

    names: dict[str, int] = {}
    for locale in ("nb", "nn", "en"):
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, locale=locale).items():
                    names[str(name).lower().rstrip(".")] = int(number)
    names.update(_EXTRA_MONTHS)
    return names


def _month_alternation() -> str:
    return "|".join(sorted((re.escape(n) for n in month_names()), key=len, reverse=True))


# --------------------------------------------------------------------------------------------
# Date and time mentions
# --------------------------------------------------------------------------------------------

_TIME_AFTER = re.compile(
    r"""(?:\s*,)?\s*
    (?:
        (?:(?:kl|klokka|klokken|klokkja)\.?\s*|at\s+|-\s*|–\s*)?
        (?P<h>[0-2]?\d)[:.](?P<mi>[0-5]\d)(?:[:.][0-5]\d)?(?![\d])
      | (?:kl|klokka|klokken)\.?\s*(?P<h2>[0-2]?\d)(?![\d.:])
      | (?:at\s+)?(?P<h3>1[0-2]|0?[1-9])(?::(?P<mi3>[0-5]\d))?\s*(?P<ap>[ap])\.?m\b\.?
      | (?:at\s+)?(?P<noon>noon|midday|midnight)\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_TIME_BEFORE = re.compile(
    r"(?:kl|klokka|klokken)\.?\s*(?P<h>[0-2]?\d)(?:[:.](?P<mi>[0-5]\d))?\s*(?:,|den|on)?\s*$",
    re.IGNORECASE,
)
_THIS_YEAR = re.compile(r"^\s*(?:i\s+år|this\s+year|dette\s+året)\b", re.IGNORECASE)
_NEXT_YEAR = re.compile(r"^\s*(?:neste\s+år|til\s+neste\s+år|next\s+year)\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def _date_patterns() -> tuple[re.Pattern[str], ...]:
    months = _month_alternation()
    day_month = re.compile(
        rf"(?<![\d.,])(?P<d>[0-3]?\d)(?:\.|st|nd|rd|th)?\s*(?:of\s+)?(?P<mon>{months})(?![a-zæøå])\.?"
        rf"(?:,?\s*(?P<y>(?:19|20)\d\d)(?!\d)|\s+'?(?P<y2>\d\d)(?![\d.:]))?",
        re.IGNORECASE,
    )
    month_day = re.compile(
        rf"(?<![a-zæøå])(?P<mon>{months})\.?\s+(?P<d>[0-3]?\d)(?P<ord>st|nd|rd|th)?(?![\d])"
        rf"(?P<comma>,?\s*(?P<y>(?:19|20)\d\d)(?!\d))?",
        re.IGNORECASE,
    )
    numeric = re.compile(
        r"(?<![\d.])(?P<d>[0-3]?\d)\s?[./]\s?(?P<m>[01]?\d)\s?[./]\s?(?P<y>(?:19|20)\d\d|\d\d)(?![\d])"
    )
    iso = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)(?:T(?=\d))?(?!\d)")
    return day_month, month_day, numeric, iso


@dataclass
class DateMention:
    """One date found in a text, with the time given next to it."""

    start: int
    end: int
    day: int
    month: int
    year: int | None
    hour: int | None = None
    minute: int | None = None
    year_hint: str = ""  # "this" | "next" | ""

    @property
    def has_time(self) -> bool:
        return self.hour is not None

    def resolve(self, reference: date) -> date | None:
        """The calendar date, with a missing year taken from the reference."""
        year = self.year
        if year is None:
            if self.year_hint == "this":
                year = reference.year
            elif self.year_hint == "next":
                year = reference.year + 1
            else:
                year = reference.year
                try:
                    candidate = date(year, self.month, self.day)
                except ValueError:
                    return None
                if candidate < reference - timedelta(days=PASSED_GRACE_DAYS):
                    year += 1
        try:
            return date(year, self.month, self.day)
        except ValueError:
            return None


def _two_digit(value: str) -> int:
    number = int(value)
    return 2000 + number if number < 100 else number


def _parse_time_after(text: str, pos: int) -> tuple[int, int, int] | None:
    """(hour, minute, end) of a time that follows a date at ``pos``, if any."""
    m = _TIME_AFTER.match(text, pos)
    if not m:
        return None
    # A bare "12.30" after a sentence end ("2025. 12.30") is not this date's time.
    if m.group("h") is not None:
        between = text[pos : m.start("h")]
        if "." in between and not re.search(r"kl|klokk", between, re.IGNORECASE):
            return None
        hour, minute = int(m.group("h")), int(m.group("mi"))
    elif m.group("h2") is not None:
        hour, minute = int(m.group("h2")), 0
    elif m.group("h3") is not None:
        hour = int(m.group("h3")) % 12 + (12 if m.group("ap").lower() == "p" else 0)
        minute = int(m.group("mi3") or 0)
    else:
        word = m.group("noon").lower()
        hour, minute = (12, 0) if word in ("noon", "midday") else (23, 59)
    if hour == 24 and minute == 0:
        hour, minute = 23, 59
    if hour > 23:
        return None
    return hour, minute, m.end()


def find_dates(text: str) -> list[DateMention]:
    """Every date mention in ``text`` (non-overlapping, in order), with its time if one is given."""
    months = month_names()
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    day_month, month_day, numeric, iso = _date_patterns()
    for pattern in (iso, numeric, day_month, month_day):
        for m in pattern.finditer(text):
            if not free(m.start(), m.end()):
                continue
            groups = m.groupdict()
            if groups.get("mon"):
                mon_token = groups["mon"].lower()
                month = months.get(mon_token)
                if month is None:
                    continue
                if pattern is month_day and not (
                    mon_token in _ENGLISH_ONLY or groups.get("comma") or groups.get("ord")
                ):
                    continue
            else:
                month = int(groups["m"])
            day = int(groups["d"])
            year: int | None = None
            if groups.get("y"):
                year = _two_digit(groups["y"])
            elif groups.get("y2"):
                year = _two_digit(groups["y2"])
            if not (1 <= month <= 12 and 1 <= day <= 31):
                continue
            end = m.end()
            mention = DateMention(m.start(), end, day, month, year)
            parsed = _parse_time_after(text, end)
            if parsed:
                mention.hour, mention.minute, mention.end = parsed
            else:
                before = _TIME_BEFORE.search(text, max(0, m.start() - 25), m.start())
                if before and before.end() == m.start():
                    mention.hour = int(before.group("h"))
                    mention.minute = int(before.group("mi") or 0)
            if year is None:
                after = text[mention.end : mention.end + 20]
                if _THIS_YEAR.match(after):
                    mention.year_hint = "this"
                elif _NEXT_YEAR.match(after):
                    mention.year_hint = "next"
            found.append(mention)
            taken.append((m.start(), mention.end))
    found.sort(key=lambda d: d.start)
    return found


# --------------------------------------------------------------------------------------------
# Cues: what a date means
# --------------------------------------------------------------------------------------------

STRONG, WEAK, VERB, NEG = "strong", "weak", "verb", "neg"

# "frist" compounds that are not an application deadline.
_OTHER_FRISTER = (
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
)

_NEG_WORDS = [
    r"åpen\s+for\s+søknad\w*",
    r"open\s+for\s+(?:søknad|applications?)\w*",
    r"åpn(?:er|es|ing|et|a|ar)?\b",
    r"opnar\b|opna\b",
    r"opens?\b|opening|opened",
    r"opprette\s+søknad\w*",
    r"forventet\s+svar\w*(?:\s+på\s+søknad\w*)?",
    r"svar\s+på\s+søknad\w*",
    r"\w*webinar\w*",
    r"informasjonsmøte\w*|infomøte\w*|frokostmøte\w*|søkerseminar\w*|søknadsverksted\w*",
    r"\w*samling\w*",
    r"seminar\w*|konferanse\w*|workshop\w*|arrangement\w*|kurs\b|kurset\b|møte[rt]?\b|møtet\b",
    r"events?\b|meeting\w*|gathering\w*|conference\w*|info\s+session",
    r"prosjektstart\w*|prosjektslutt\w*|prosjektperiode\w*|prosjektvarighet\w*|oppstart\w*",
    r"project\s+(?:start|end|period)\w*|start\s+date|end\s+date",
    r"tidligst\w*|earliest|latest\s+(?:project\s+)?start",
    r"vedtak\w*|tildeling\w*|bevilgning\w*|utbetal\w*|avgjørelse\w*|decision\w*|results?\b|resultat\w*",
    r"publisert|oppdatert|oppdatering|updated|published|kunngjort|skrevet|sist\s+endret",
    r"påmelding\w*|registration|register\b|meld\s+deg\s+på",
    r"frist\s+for\s+(?:påmelding|rapportering|å\s+melde|å\s+rapportere)\w*",
    r"sluttrapport\w*|rapport\w*|report\w*",
    r"\bfra\s*$",
    r"\bfrom\s*$",
]
_STRONG_WORDS = [
    r"søknadsperiode\w*",
    r"application\s+deadline|submission\s+deadline|closing\s+date|due\s+date|deadlines?\b",
    r"applications?\s+(?:must|should)\s+be\s+(?:submitted|received|sent)",
    r"søknaden\s+må\s+(?:være\s+)?(?:sendt|levert|mottatt|sendes|leveres)",
]
_WEAK_WORDS = [
    r"innen|innan|til\s+og\s+med|t\.\s?o\.\s?m\.?|senest|seinast|før|fram\s+til|frem\s+til",
    r"by|before|no\s+later\s+than|until",
]
_VERB_WORDS = [
    r"søk\w*|søkj\w*|apply|applications?|submit\w*|send\w*\s+inn|levere\w*|innlever\w*|tilbud\w*",
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
_FRIST_DEADLINE_PREFIXES = (
    "",
    "søknads",
    "søknad",
    "innsendings",
    "innleverings",
    "tilbuds",
    "hoved",
    "skisse",
    "søknadsinnsendings",
)


@dataclass(frozen=True)
class _Cue:
    start: int
    end: int
    kind: str
    text: str


def _cues(text: str) -> list[_Cue]:
    cues = []
    for m in _CUE_RE.finditer(text):
        name = m.lastgroup or ""
        word = m.group(0)
        if name == "frist":
            prefix = word.lower().split("frist", 1)[0]
            if prefix in _FRIST_DEADLINE_PREFIXES:
                kind = STRONG
            elif prefix.startswith(_OTHER_FRISTER):
                kind = NEG
            else:
                continue
        elif name.startswith("neg"):
            kind = NEG
        elif name.startswith("strong"):
            kind = STRONG
        elif name.startswith("weak"):
            kind = WEAK
        else:
            kind = VERB
        cues.append(_Cue(m.start(), m.end(), kind, word))
    return cues


_FILLER_AFTER_WEAK = re.compile(r"^[\s,]*(?:den|the|kl\.?\s*\d{1,2}(?:[.:]\d\d)?)?[\s,]*$", re.IGNORECASE)


def _classify_context(context: str) -> tuple[str | None, bool]:
    """Read the text before a date: (STRONG | WEAK | NEG | None, labelled)."""
    cues = _cues(context)
    if not cues:
        return None, False
    last = cues[-1]
    adjacent_weak = last.kind == WEAK and bool(_FILLER_AFTER_WEAK.match(context[last.end :]))
    for cue in reversed(cues):
        if cue.kind == STRONG:
            return STRONG, not adjacent_weak
        if cue.kind == NEG:
            return NEG, False
        if cue.kind == VERB and adjacent_weak:
            return WEAK, False
    return None, False


def _classify_label(label: str) -> tuple[str | None, bool]:
    """Read a label line ("Søknadsfrist", "Åpen for søknad"): its first cue decides."""
    for cue in _cues(label):
        if cue.kind in (STRONG, NEG):
            return cue.kind, cue.kind == STRONG
    return None, False


def _classify_after(after: str) -> str | None:
    """Text right after a date ("5. mars 2025 (Søknadsfrist)", "… er søknadsfristen")."""
    cues = _cues(after[:40])
    if cues and cues[0].kind in (STRONG, NEG) and cues[0].start <= 20:
        return cues[0].kind
    return None


# --------------------------------------------------------------------------------------------
# Rolling deadlines
# --------------------------------------------------------------------------------------------

_ROLLING_RE = re.compile(
    r"""
    \b(?:uten|utan|ingen|ikke|ikkje|inga)\s+(?:noen\s+|nokon\s+)?(?:fast\w*\s+|bestemt\w*\s+)?(?:søknads)?frist
  | \b(?:har\s+)?(?:løpende|fortløpende|rullerende)\s+(?:søknads\w*|mottak|frist\w*|opptak|behandling|utlysning\w*|innsending)
  | \b(?:søknads)?frist\w*\s*(?:er\s+|:\s*)?(?:løpende|fortløpende|rullerende|løypande|fortløypande)\b
  | \b(?:søknad\w*|søkes|søkjast|behandles|behandlast|vurderes|vurderast|mottas|mottakast)\s+(?:\w+\s+){0,4}?(?:løpende|fortløpende|løypande|fortløypande)\b
  | \b(?:løpende|fortløpende|løypande)\s+(?:gjennom\s+(?:hele\s+)?året)
  | \brolling\s+(?:basis|deadlines?|calls?|submissions?|admissions?|intake)
  | \bno\s+(?:fixed\s+)?deadline
  | \bopen[-\s]ended\b
  | \bcontinuous(?:ly)?\s+(?:open|intake|submissions?|call)
  | \b(?:can|may)\s+be\s+submitted\s+at\s+any\s+time
  | \bkan\s+(?:sendes|søkes|søkjast|sendast)\s+(?:inn\s+)?(?:når\s+som\s+helst|hele\s+året|heile\s+året)
    """,
    re.IGNORECASE | re.VERBOSE,
)


def is_rolling(text: str) -> bool:
    """True when the text says applications are taken continuously, without a fixed deadline."""
    return bool(_ROLLING_RE.search(text))


# --------------------------------------------------------------------------------------------
# The finder
# --------------------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?:[.!?](?:\s+|$)(?=[A-ZÆØÅ«\"(]|$))|[;•·]|\n")
_JOINER = re.compile(r"^\s*(?:og|and|eller|or|,|&|samt)\s*$", re.IGNORECASE)
_RANGE = re.compile(r"^\s*(?:til|til\s+og\s+med|to|until|[-–—])\s*$", re.IGNORECASE)


@dataclass
class _Candidate:
    mention: DateMention
    kind: str | None
    labelled: bool
    evidence: str


def _line_bounds(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, (len(text) if end == -1 else end)


def _neighbour_line(text: str, start: int, end: int, step: int) -> str:
    """The nearest non-empty line before (step -1) or after (step +1) the line [start, end)."""
    if step < 0:
        lines = text[: max(0, start - 1)].split("\n")
        for line in reversed(lines):
            if line.strip():
                return line.strip()
        return ""
    for line in text[end + 1 :].split("\n"):
        if line.strip():
            return line.strip()
    return ""


_DATE_LINE_REST = re.compile(r"^[\s,.:;()\-–]*(?:\((?:CET|CEST|norsk tid)\))?[\s.]*$", re.IGNORECASE)


def _is_date_only_line(text: str, mention: DateMention, mentions: list[DateMention]) -> bool:
    start, end = _line_bounds(text, mention.start)
    rest = text[start : mention.start] + " " + text[mention.end : end]
    weekday = r"(?:mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag|måndag|tysdag|laurdag|sundag)"
    rest = re.sub(rf"^\s*{weekday}\s*", "", rest, flags=re.IGNORECASE)
    return bool(_DATE_LINE_REST.match(rest))


def _classify(text: str, mentions: list[DateMention]) -> list[_Candidate]:
    out: list[_Candidate] = []
    date_only_lines = {i for i, m in enumerate(mentions) if _is_date_only_line(text, m, mentions)}
    for i, mention in enumerate(mentions):
        line_start, line_end = _line_bounds(text, mention.start)
        if i in date_only_lines:
            prev_line = _neighbour_line(text, line_start, line_end, -1)
            next_line = _neighbour_line(text, line_start, line_end, +1)
            next_is_date = bool(find_dates(next_line)) and len(next_line) < 40
            if prev_line.endswith(":"):
                label = prev_line
            elif next_line and not next_line.endswith(":") and not next_is_date:
                label = next_line
            else:
                label = prev_line
            kind, labelled = _classify_label(label)
            out.append(_Candidate(mention, kind, labelled, label))
            continue
        # Inside a sentence: the text since the previous date (or the sentence start).
        floor = line_start
        if i > 0 and mentions[i - 1].end > floor:
            floor = mentions[i - 1].end
        context = text[floor : mention.start]
        cut = 0
        for m in _SENTENCE_END.finditer(context):
            cut = m.end()
        sentence_context = context[cut:]
        prev = out[-1] if out else None
        if prev is not None and mentions[i - 1].end == floor and cut == 0:
            between = context
            if _JOINER.match(between):
                out.append(_Candidate(mention, prev.kind, prev.labelled, prev.evidence))
                continue
            if _RANGE.match(between) and re.search(r"\b(?:fra|from)\s*$", prev.evidence, re.IGNORECASE):
                # "fra A til B": A is the start; B takes the sentence's meaning before "fra".
                head = re.sub(r"\b(?:fra|from)\s*$", "", prev.evidence, flags=re.IGNORECASE)
                kind, labelled = _classify_context(head)
                out.append(_Candidate(mention, kind, labelled, head))
                continue
        kind, labelled = _classify_context(sentence_context)
        if kind is None:
            after_end = mentions[i + 1].start if i + 1 < len(mentions) else line_end
            after = text[mention.end : min(after_end, line_end)]
            kind = _classify_after(after)
            labelled = kind == STRONG
        out.append(_Candidate(mention, kind, labelled, sentence_context))
    # A time given once for a list of dates ("20. mars og 2. oktober kl. 23:59") holds for all.
    for i in range(len(out) - 2, -1, -1):
        a, b = out[i], out[i + 1]
        between = text[a.mention.end : b.mention.start]
        if a.mention.hour is None and b.mention.hour is not None and _JOINER.match(between):
            a.mention.hour, a.mention.minute = b.mention.hour, b.mention.minute
    return out


def _is_regional_fund(url: str | None) -> bool:
    """Regionale forskningsfond uses Forskningsrådet's template but sets its own deadline times."""
    if not url:
        return False
    return bool(re.search(r"regionaleforskningsfond|/rff[a-z-]*/", url, re.IGNORECASE))


def _default_time(source_kind: str | None, url: str | None, labelled: bool) -> time | None:
    if source_kind != "forskningsradet" or not labelled or _is_regional_fund(url):
        return None
    return FORSKNINGSRADET_DEADLINE_TIME


def _as_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.date()
        return value.astimezone(OSLO).date()
    return value


def _as_moment(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=OSLO)
    return datetime.combine(value, time(0), OSLO)


def find_deadlines(
    text: str,
    *,
    reference: date | datetime,
    source_kind: str | None = None,
    url: str | None = None,
) -> list[Deadline]:
    """Every dated application deadline the text states, resolved, oldest first (no duplicates)."""
    text = normalise(text)
    ref = _as_date(reference)
    by_day: dict[date, tuple[int, Deadline]] = {}
    for cand in _classify(text, find_dates(text)):
        if cand.kind not in (STRONG, WEAK):
            continue
        day = cand.mention.resolve(ref)
        if day is None:
            continue
        mention = cand.mention
        if mention.hour is not None:
            clock: time | None = time(mention.hour, mention.minute or 0)
            rank = 2  # a stated time beats the 13:00 rule, which beats no time
        else:
            clock = _default_time(source_kind, url, cand.labelled and cand.kind == STRONG)
            rank = 1 if clock is not None else 0
        at = datetime.combine(day, clock or time(0), OSLO)
        found = Deadline(at=at, has_time=clock is not None, evidence=cand.evidence.strip()[:120])
        if day not in by_day or rank > by_day[day][0]:
            by_day[day] = (rank, found)
    return [by_day[d][1] for d in sorted(by_day)]


def find_deadline(
    text: str,
    *,
    reference: date | datetime,
    source_kind: str | None = None,
    url: str | None = None,
    now: date | datetime | None = None,
) -> Deadline | None:
    """The application deadline stated in ``text``; None when it states none.

    ``reference`` is the page's publication or opening date (it resolves a missing year);
    ``now`` (default: the reference) chooses between rounds: the next upcoming one, else the latest.
    ``source_kind`` and ``url`` decide Forskningsrådet's 13:00 rule.
    """
    deadlines = find_deadlines(text, reference=reference, source_kind=source_kind, url=url)
    if deadlines:
        moment = _as_moment(now if now is not None else reference)
        for deadline in deadlines:
            end = deadline.ends_at
            if end is not None and end >= moment:
                return deadline
        return deadlines[-1]
    if is_rolling(normalise(text)):
        return Deadline(rolling=True, evidence="løpende")
    return None


_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")


def normalise(text: str) -> str:
    """One space between words, one newline between lines, no trailing spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SPACES.sub(" ", text)
    return "\n".join(line.strip() for line in text.split("\n"))


def deadline_from_parts(day: date, clock: time | None) -> Deadline:
    """A deadline from a known date and optional time, in Norwegian time."""
    return Deadline(at=datetime.combine(day, clock or time(0), OSLO), has_time=clock is not None)


def to_utc(deadline: Deadline | None) -> datetime | None:
    """The deadline's moment in UTC (None for none or rolling)."""
    if deadline is None or deadline.at is None:
        return None
    return deadline.at.astimezone(UTC)
