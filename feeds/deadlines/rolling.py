"""Rolling intake: "løpende", "uten fast søknadsfrist", "rolling basis" and the like.

Two strengths. Strong: the text says there is no fixed deadline ("ingen søknadsfrist", "uten fast
søknadsfrist", "Søknadsfrist: løpende", "løpende søknadsfrister", "løpende mottak", "Dette er en
løpende utlysning", "Søknad kan sendes hele året", "no deadline", "rolling basis"). Weak: it says
applications are handled as they come ("Søknader behandles fortløpende"), which a call with a
deadline may say too: a rolling answer from a weak phrase is not certain.
A change to rolling intake ("har nå løpende opptak", "fra 2024 er det løpende søknadsfrist",
"endret til løpende") outweighs an old yearly date.
"""

from __future__ import annotations

import re

from feeds.deadlines.scan import any_case

# Every phrase starts at a word start with one of these letters: the pattern starts with them as a
# class so that ``re`` scans quickly (``feeds.deadlines.scan``), then ``(?<!\w.)`` is the ``\b``
# before that letter and ``(?<=x)`` says which letter each phrase starts with. The plain form:
#   \b(?:uten|utan|ingen|ikke|ikkje|inga)\s+(?:noen\s+|nokon\s+)?(?:fast\w*\s+|bestemt\w*\s+)?(?:søknads)?frist
# | \b(?:har\s+)?(?:løpende|fortløpende|rullerende|løypande)\s+(?:søknads\w*|mottak|...|innsending)
# | \b(?:søknads)?frist\w*\s*(?:er\s+|:\s*)?(?:løpende|fortløpende|rullerende|løypande|fortløypande)\b
# | \b(?:løpende|fortløpende|løypande)\s+(?:gjennom\s+(?:hele\s+)?året)
# | \brolling\s+(?:basis|...)  | \bno\s+(?:fixed\s+)?deadline  | \bopen[-\s]ended\b
# | \bcontinuous(?:ly)?\s+(?:...)  | \b(?:can|may)\s+be\s+submitted...  | \bkan\s+(?:sendes|...)...
_STRONG = re.compile(
    rf"""
    {any_case("uihlfrsnocmk")}(?<!\w.)
    (?:
    (?:(?<=u)ten|(?<=u)tan|(?<=i)ngen|(?<=i)kke|(?<=i)kkje|(?<=i)nga)\s+(?:noen\s+|nokon\s+)?(?:fast\w*\s+|bestemt\w*\s+)?(?:søknads)?frist
  | (?:(?<=h)ar\s+(?:løpende|fortløpende|rullerende|løypande)|(?<=l)øpende|(?<=f)ortløpende|(?<=r)ullerende|(?<=l)øypande)
    \s+(?:søknads\w*|mottak|frist\w*|opptak|utlysning\w*|utlysing\w*|innsending)
  | (?:(?<=s)øknadsfrist|(?<=f)rist)\w*\s*(?:er\s+|:\s*)?(?:løpende|fortløpende|rullerende|løypande|fortløypande)\b
  | (?:(?<=l)øpende|(?<=f)ortløpende|(?<=l)øypande)\s+(?:gjennom\s+(?:hele\s+)?året)
  | (?<=r)olling\s+(?:basis|deadlines?|calls?|submissions?|admissions?|intake)
  | (?<=n)o\s+(?:fixed\s+)?deadline
  | (?<=o)pen[-\s]ended\b
  | (?<=c)ontinuous(?:ly)?\s+(?:open|intake|submissions?|call)
  | (?:(?<=c)an|(?<=m)ay)\s+be\s+submitted\s+at\s+any\s+time
  | (?<=k)an\s+(?:sendes|søkes|søkjast|sendast)\s+(?:inn\s+)?(?:når\s+som\s+helst|hele\s+året|heile\s+året)
    )
    """,
    re.IGNORECASE | re.VERBOSE,
)
# Every phrase of _STRONG contains one of these words: a text whose lower case has none of them (and
# that has none of "İ", "ı", "ſ", which match "i" and "s" without being them in lower case) has no
# such phrase, and is not scanned (tests/test_deadline_scan.py checks this against the pattern).
_STRONG_WORDS = (
    *("uten", "utan", "ingen", "ikke", "ikkje", "inga"),  # "uten fast søknadsfrist"
    *("løpende", "løypande", "rullerende"),  # "fortløpende", "Søknadsfrist: løpende"
    *("rolling", "deadline", "ended", "continuous", "submitted"),
    *("sendes", "søkes", "søkjast", "sendast"),  # "kan sendes hele året"
)


def _may_say_rolling(text: str) -> bool:
    """False only when no phrase of _STRONG can be in ``text`` (a cheap look before the regex)."""
    if "\u0130" in text or "\u0131" in text or "\u017f" in text:
        return True
    lowered = text.lower()
    return any(word in lowered for word in _STRONG_WORDS)


_WEAK = re.compile(
    r"""
    \b(?:har\s+)?(?:løpende|fortløpende|rullerende)\s+behandling
  | \b(?:søknad\w*|søkes|søkjast|behandles|behandlast|handsamast|vurderes|vurderast|mottas|mottakast)\s+(?:\w+\s+){0,4}?(?:løpende|fortløpende|løypande|fortløypande)\b
    """,
    re.IGNORECASE | re.VERBOSE,
)
_CHANGE = re.compile(
    r"\b(?:nå|no|now|fra\s+og\s+med|frå\s+og\s+med|endret|endra|changed|over\s+til|gått\s+over|går\s+over|"
    r"from\s+now|fra\s+(?:19|20)\d\d|frå\s+(?:19|20)\d\d|from\s+(?:19|20)\d\d)\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^.!?\n]*")


def rolling_phrase(text: str) -> tuple[str, str] | None:
    """("strong" | "weak", the sentence that says so), or None."""
    for pattern, strength in ((_STRONG, "strong"), (_WEAK, "weak")):
        if pattern is _STRONG and not _may_say_rolling(text):
            continue
        m = pattern.search(text)
        if m:
            start = max(text.rfind(".", 0, m.start()), text.rfind("\n", 0, m.start())) + 1
            end_match = _SENTENCE.match(text, m.end())
            end = end_match.end() if end_match else m.end()
            return strength, " ".join(text[start : end + 1].split())
    return None


def is_rolling(text: str) -> bool:
    """True when the text says applications are taken continuously, without a fixed deadline."""
    return rolling_phrase(text) is not None


def turned_rolling(text: str) -> str | None:
    """The sentence saying the scheme changed to rolling intake, if any."""
    if not _may_say_rolling(text):
        return None
    for m in _STRONG.finditer(text):
        start = max(text.rfind(".", 0, m.start()), text.rfind("\n", 0, m.start())) + 1
        end_match = _SENTENCE.match(text, m.end())
        end = end_match.end() if end_match else m.end()
        sentence = text[start : end + 1]
        if _CHANGE.search(sentence):
            return " ".join(sentence.split())
    return None
