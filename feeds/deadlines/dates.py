"""Date mentions in Norwegian (bokmål, nynorsk) and English text, with the time given next to them.

``find_dates`` finds "5. mars 2025", "13. sep. 2023", "10 feb 2021", "05 Mar 2025", "March 5, 2025",
"03.06.2019 23:59:00", "1. september 2020 23.59", "30.08.2018 kl. 13.00", "2025-03-05", two-digit
years, and the first day of a period that shares its month with the last ("1.–28. februar",
"fra 6. til 20. mai"). Month names come from Babel (nb, nn, en). A time is read on the same line
only: "kl. 13", "13:00", "innen kl 12:00", "1 pm", "noon", and midnight ("midnatt", "midnight",
"kl. 24.00") as 23:59 that day. With ``month_ends`` the end of a month counts as its last day
("innen utgangen av oktober", "by the end of March").
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from feeds.deadlines.scan import any_case, first_letter_words

# A year-less date this many days before the reference is a deadline just passed, not next year's.
PASSED_GRACE_DAYS = 90

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


def _month_words() -> list[str]:
    """The month names, longest first (a regex alternation takes the first that fits)."""
    return sorted(month_names(), key=len, reverse=True)


_MIDNIGHT = r"midnatt(?:en)?|midnight"
_TIME_AFTER = re.compile(
    rf"""(?:[^\S\n]*,)?[^\S\n]*
    (?:(?:innen|innan|før|senest|seinast|by|before)[^\S\n]+)?
    (?:
        (?:(?:kl|klokka|klokken|klokkja)\.?[^\S\n]*|at[^\S\n]+|-[^\S\n]*|–[^\S\n]*)?
        (?P<h>[0-2]?\d)[:.](?P<mi>[0-5]\d)(?:[:.][0-5]\d)?(?![\d])
      | (?:kl|klokka|klokken)\.?[^\S\n]*(?P<h2>[0-2]?\d)(?![\d.:])
      | (?:at[^\S\n]+)?(?P<h3>1[0-2]|0?[1-9])(?::(?P<mi3>[0-5]\d))?[^\S\n]*(?P<ap>[ap])\.?m\b\.?
      | (?:(?:at|ved|kl\.?)[^\S\n]+)?(?P<noon>noon|midday|{_MIDNIGHT})\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_TIME_BEFORE = re.compile(
    rf"(?:(?:kl|klokka|klokken)\.?\s*(?P<h>[0-2]?\d)(?:[:.](?P<mi>[0-5]\d))?|(?P<mid>{_MIDNIGHT}))"
    r"[^\S\n]*(?:,|den|on|natt\s+til)?[^\S\n]*$",
    re.IGNORECASE,
)
_THIS_YEAR = re.compile(r"^\s*(?:i\s+år|this\s+year|dette\s+året)\b", re.IGNORECASE)
_NEXT_YEAR = re.compile(r"^\s*(?:neste\s+år|til\s+neste\s+år|next\s+year)\b", re.IGNORECASE)
# The first day of a period that names its month once: "1.–28. februar", "fra 6. til 20. mai".
_PERIOD_START = re.compile(r"(?<![\d.,:])(?P<d>[0-3]?\d)\.?\s*(?:[-–—]|til(?:\s+og\s+med)?|to)\s*$", re.I)


@lru_cache(maxsize=1)
def _date_patterns() -> tuple[re.Pattern[str], ...]:
    """The date patterns, each written to start with a class so that ``re`` scans quickly
    (``feeds.deadlines.scan``); the plain form of each is in its comment."""
    months = "|".join(re.escape(n) for n in _month_words())
    first, rest = first_letter_words(_month_words())
    # (?<![\d.,])(?P<d>[0-3]?\d)(?:\.|st|nd|rd|th)?\s*(?:of\s+)?(?P<mon>{months})(?![a-zæøå])\.?...
    day_month = re.compile(
        rf"(?P<d>\d(?<![\d.,]\d)(?:(?<=[0-3])\d)?)(?:\.|st|nd|rd|th)?\s*(?:of\s+)?(?P<mon>{months})(?![a-zæøå])\.?"
        rf"(?:,?\s*(?P<y>(?:19|20)\d\d)(?!\d)|\s+'?(?P<y2>\d\d)(?![\d.:]))?",
        re.IGNORECASE,
    )
    # (?<![a-zæøå])(?P<mon>{months})\.?\s+(?P<d>[0-3]?\d)(?P<ord>st|nd|rd|th)?(?![\d])...
    month_day = re.compile(
        rf"(?P<mon>{first}(?<![a-zæøå].){rest})\.?\s+(?P<d>[0-3]?\d)(?P<ord>st|nd|rd|th)?(?![\d])"
        rf"(?P<comma>,?\s*(?P<y>(?:19|20)\d\d)(?!\d))?",
        re.IGNORECASE,
    )
    # (?<![\d.])(?P<d>[0-3]?\d)\s?[./]\s?(?P<m>[01]?\d)\s?[./]\s?(?P<y>(?:19|20)\d\d|\d\d)(?![\d])
    numeric = re.compile(
        r"(?P<d>\d(?<![\d.]\d)(?:(?<=[0-3])\d)?)\s?[./]\s?(?P<m>[01]?\d)\s?[./]\s?(?P<y>(?:19|20)\d\d|\d\d)(?![\d])"
    )
    # (?<!\d)(?P<y>(?:19|20)\d\d)-...
    iso = re.compile(r"(?P<y>(?:19|20)\d\d)(?<!\d\d{4})-(?P<m>[01]\d)-(?P<d>[0-3]\d)(?:T(?=\d))?(?!\d)")
    # \b(?:utgangen|utløpet|the\s+end)\s+(?:av|of)\s+(?P<mon>{months})...
    month_end = re.compile(
        rf"{any_case('ut')}(?<!\w.)(?:(?<=u)t(?:gangen|løpet)|(?<=t)he\s+end)\s+(?:av|of)\s+(?P<mon>{months})(?![a-zæøå])\.?"
        rf"(?:\s+(?P<y>(?:19|20)\d\d)(?!\d))?",
        re.IGNORECASE,
    )
    return day_month, month_day, numeric, iso, month_end


@dataclass
class DateMention:
    """One date found in a text, with the time given next to it.

    ``borrowed``: the first day of a period, its month (and year) taken from the period's end.
    ``month_end``: "utgangen av <måned>", the month's last day.
    """

    start: int
    end: int
    day: int
    month: int
    year: int | None
    hour: int | None = None
    minute: int | None = None
    year_hint: str = ""  # "this" | "next" | ""
    borrowed: bool = False
    month_end: bool = False

    @property
    def has_time(self) -> bool:
        return self.hour is not None

    def _day_in(self, year: int) -> date | None:
        day = calendar.monthrange(year, self.month)[1] if self.month_end else self.day
        try:
            return date(year, self.month, day)
        except ValueError:
            return None

    def resolve_year(self, reference: date) -> tuple[date | None, bool]:
        """The calendar date, and whether its year was guessed from the reference."""
        if self.year is not None:
            return self._day_in(self.year), False
        if self.year_hint == "this":
            return self._day_in(reference.year), False
        if self.year_hint == "next":
            return self._day_in(reference.year + 1), False
        candidate = self._day_in(reference.year)
        if candidate is None:
            return None, True
        if candidate < reference - timedelta(days=PASSED_GRACE_DAYS):
            return self._day_in(reference.year + 1), True
        return candidate, True

    def resolve(self, reference: date) -> date | None:
        """The calendar date, with a missing year taken from the reference."""
        return self.resolve_year(reference)[0]


def _two_digit(value: str) -> int:
    number = int(value)
    return 2000 + number if number < 100 else number


def _parse_time_after(text: str, pos: int) -> tuple[int, int, int] | None:
    """(hour, minute, end) of a time that follows a date at ``pos`` on the same line, if any."""
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


def _with_time(text: str, mention: DateMention, match_start: int) -> None:
    parsed = _parse_time_after(text, mention.end)
    if parsed:
        mention.hour, mention.minute, mention.end = parsed
        return
    before = _TIME_BEFORE.search(text, max(0, match_start - 30), match_start)
    if before and before.end() == match_start:
        if before.group("mid"):
            mention.hour, mention.minute = 23, 59
        else:
            mention.hour = int(before.group("h"))
            mention.minute = int(before.group("mi") or 0)
            if mention.hour == 24:
                mention.hour, mention.minute = 23, 59
            if mention.hour > 23:
                mention.hour = mention.minute = None


def _period_starts(text: str, found: list[DateMention]) -> list[DateMention]:
    """ "1.–28. februar": the period's first day, with the month of its last."""
    starts = []
    for mention in found:
        if mention.borrowed or mention.month_end:
            continue
        m = _PERIOD_START.search(text, max(0, mention.start - 20), mention.start)
        if not m or any(o.start < mention.start and o.end > m.start() for o in found if o is not mention):
            continue
        day = int(m.group("d"))
        if 1 <= day < mention.day:
            starts.append(
                DateMention(m.start(), m.start("d") + len(m.group("d")), day, mention.month, mention.year)
            )
            starts[-1].year_hint = mention.year_hint
            starts[-1].borrowed = True
    return starts


def find_dates(text: str, *, month_ends: bool = False) -> list[DateMention]:
    """Every date mention in ``text`` (non-overlapping, in order), with its time if one is given."""
    months = month_names()
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    day_month, month_day, numeric, iso, month_end = _date_patterns()
    patterns = (iso, numeric, day_month, month_day) + ((month_end,) if month_ends else ())
    for pattern in patterns:
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
            day = int(groups.get("d") or 31)
            year: int | None = None
            if groups.get("y"):
                year = _two_digit(groups["y"])
            elif groups.get("y2"):
                year = _two_digit(groups["y2"])
            if not (1 <= month <= 12 and 1 <= day <= 31):
                continue
            mention = DateMention(m.start(), m.end(), day, month, year, month_end=pattern is month_end)
            _with_time(text, mention, m.start())
            if year is None:
                after = text[mention.end : mention.end + 20]
                if _THIS_YEAR.match(after):
                    mention.year_hint = "this"
                elif _NEXT_YEAR.match(after):
                    mention.year_hint = "next"
            found.append(mention)
            taken.append((m.start(), mention.end))
    found.extend(_period_starts(text, found))
    found.sort(key=lambda d: d.start)
    return found
