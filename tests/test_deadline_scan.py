"""The finder's fast-scanning patterns (``feeds.deadlines.scan``) match exactly what the plain ones did.

Each plain pattern below is the finder's pattern as it was before it was rewritten to start with a
class; both are run over the example files' texts and a few thousand variations of them (upper and
lower case, the characters whose case-insensitive match is not ``str.lower``, spliced phrases), and
must give the same matches with the same groups.
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

import pytest

from feeds.deadlines import month_names
from feeds.deadlines.dates import _date_patterns
from feeds.deadlines.rolling import _STRONG, _may_say_rolling
from feeds.deadlines.scan import any_case, first_letter_words
from feeds.deadlines.sentences import _SENTENCE_END

FIXTURES = Path(__file__).parent / "fixtures"
LETTERS = "abcdefghijklmnopqrstuvwxyzæøå"


def _plain_date_patterns() -> list[re.Pattern[str]]:
    months = "|".join(sorted((re.escape(n) for n in month_names()), key=len, reverse=True))
    return [
        re.compile(
            rf"(?<![\d.,])(?P<d>[0-3]?\d)(?:\.|st|nd|rd|th)?\s*(?:of\s+)?(?P<mon>{months})(?![a-zæøå])\.?"
            rf"(?:,?\s*(?P<y>(?:19|20)\d\d)(?!\d)|\s+'?(?P<y2>\d\d)(?![\d.:]))?",
            re.IGNORECASE,
        ),
        re.compile(
            rf"(?<![a-zæøå])(?P<mon>{months})\.?\s+(?P<d>[0-3]?\d)(?P<ord>st|nd|rd|th)?(?![\d])"
            rf"(?P<comma>,?\s*(?P<y>(?:19|20)\d\d)(?!\d))?",
            re.IGNORECASE,
        ),
        re.compile(
            r"(?<![\d.])(?P<d>[0-3]?\d)\s?[./]\s?(?P<m>[01]?\d)\s?[./]\s?(?P<y>(?:19|20)\d\d|\d\d)(?![\d])"
        ),
        re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)(?:T(?=\d))?(?!\d)"),
        re.compile(
            rf"\b(?:utgangen|utløpet|the\s+end)\s+(?:av|of)\s+(?P<mon>{months})(?![a-zæøå])\.?"
            rf"(?:\s+(?P<y>(?:19|20)\d\d)(?!\d))?",
            re.IGNORECASE,
        ),
    ]


PLAIN_STRONG = re.compile(
    r"""
    \b(?:uten|utan|ingen|ikke|ikkje|inga)\s+(?:noen\s+|nokon\s+)?(?:fast\w*\s+|bestemt\w*\s+)?(?:søknads)?frist
  | \b(?:har\s+)?(?:løpende|fortløpende|rullerende|løypande)\s+(?:søknads\w*|mottak|frist\w*|opptak|utlysning\w*|utlysing\w*|innsending)
  | \b(?:søknads)?frist\w*\s*(?:er\s+|:\s*)?(?:løpende|fortløpende|rullerende|løypande|fortløypande)\b
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

PHRASES = (
    "Søknadsfrist: 5. januar 2026 kl. 13.00|frist 1. mars og 1. oktober|13. sep. 2023|10 feb 2021|"
    "05 Mar 2025|March 5, 2025|June 1st|1st of June 2026|03.06.2019 23:59:00|30.08.18 kl. 13|"
    "2025-03-05T12|1.–28. februar|fra 6. til 20. mai|innen utgangen av oktober|by the end of March|"
    "utløpet av des. 2026|uten fast søknadsfrist|ingen søknadsfrist|ikkje nokon fast frist|"
    "har løpende opptak|fortløpende søknadsbehandling|Søknadsfrist: løpende|frist er fortløypande|"
    "løypande gjennom heile året|Løpende gjennom hele året|rolling basis|no fixed deadline|"
    "open-ended|continuously open|can be submitted at any time|kan sendes inn hele året|"
    "kan søkjast når som helst|Sept. 5|5 Sept|okt. 12|MAI 17.|desember|12/1/2026"
).split("|")
ODD = ["İ", "ı", "ſ", "\u212a", "\u212b", "ﬅ", "ẞ", "١٢", "１２", "\n", " ", ".", ",", "-", "–"]


def _corpus() -> list[str]:
    texts = []
    for name in ("deadline_examples.tsv", "deadline_real_examples.tsv"):
        for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines():
            if not line.startswith("#"):
                texts.extend(cell.replace("\\n", "\n") for cell in line.split("\t") if len(cell) > 8)
    rng = random.Random(20261130)
    out = list(texts) + PHRASES
    swaps = {"s": "ſ", "S": "ſ", "i": "ı", "I": "İ", "k": "\u212a", "K": "\u212a", "å": "\u212b"}
    for _ in range(3000):
        t = rng.choice(texts)
        i = rng.randrange(len(t))
        t = t[max(0, i - 200) : i + 200]
        for _ in range(rng.randint(1, 4)):
            r = rng.random()
            if r < 0.2:
                t = rng.choice([t.upper(), t.lower(), t.title()])
            elif r < 0.6:
                i = rng.randint(0, len(t))
                t = t[:i] + rng.choice(PHRASES + ODD) + t[i:]
            elif r < 0.8 and t:
                i = rng.randrange(len(t))
                t = t[:i] + swaps.get(t[i], t[i]) + t[i + 1 :]
            else:
                i = rng.randint(0, len(t))
                t = t[:i] + t[i + rng.randint(1, 5) :]
        out.append(t)
    return out


CORPUS = _corpus()


def _matches(pattern: re.Pattern[str], text: str) -> list[tuple[tuple[int, int], dict[str, str | None]]]:
    return [(m.span(), m.groupdict()) for m in pattern.finditer(text)]


@pytest.mark.parametrize("n", range(5), ids=["day_month", "month_day", "numeric", "iso", "month_end"])
def test_date_patterns_match_as_the_plain_ones(n: int) -> None:
    plain, fast = _plain_date_patterns()[n], _date_patterns()[n]
    found = 0
    for text in CORPUS:
        expected = _matches(plain, text)
        assert _matches(fast, text) == expected, text
        found += len(expected)
    assert found > 50  # the corpus exercises the pattern


def test_rolling_phrases_match_as_the_plain_pattern() -> None:
    found = 0
    for text in CORPUS:
        expected = _matches(PLAIN_STRONG, text)
        assert _matches(_STRONG, text) == expected, text
        found += len(expected)
    assert found > 100


PLAIN_SENTENCE_END = re.compile(r"(?:[.!?](?:\s+|$)(?=[A-ZÆØÅ«\"(]|$))|[;•·]|\n")


def test_sentence_ends_as_the_plain_pattern() -> None:
    for text in CORPUS:
        assert _matches(_SENTENCE_END, text) == _matches(PLAIN_SENTENCE_END, text), text


def test_rolling_phrases_are_only_skipped_in_texts_without_one() -> None:
    skipped = 0
    for text in CORPUS:
        if not _may_say_rolling(text):
            assert PLAIN_STRONG.search(text) is None, text
            skipped += 1
    assert skipped > 100  # the look before the regex does skip texts
    assert not _may_say_rolling("Tilskudd til velferdsteknologi\nSøknadsfrist: 5. januar 2026 kl. 13.00.")
    assert _may_say_rolling("SØKNADSFRIST: LØPENDE") and _may_say_rolling("ingen ſøknadsfrist")


def test_any_case_is_every_character_ignorecase_matches() -> None:
    """Checked over all of Unicode: a Python with new case tables fails here, not in production."""
    everything = "".join(chr(i) for i in range(sys.maxunicode + 1) if not 0xD800 <= i < 0xE000)
    for letter in LETTERS:
        expected = set(re.findall(re.escape(letter), everything, re.IGNORECASE))
        assert set(re.findall(any_case(letter), everything)) == expected, letter


def test_first_letter_words_keep_the_order_of_the_alternation() -> None:
    first, rest = first_letter_words(["mars", "mar", "mai", "august", "aug"])
    pattern = re.compile(f"{first}{rest}", re.IGNORECASE)
    plain = re.compile("mars|mar|mai|august|aug", re.IGNORECASE)
    for text in ["mars", "Mar.", "MAI", "august", "Aug 5", "maſ", "xmars", "augu", "MArS"]:
        assert _matches(pattern, text) == _matches(plain, text), text
