"""How dates, times and counts read to a person, in the current language (Babel's data):
"fredag 5. mars kl. 13:00", "fredag 5. mars kl. 13.00" (nynorsk), "Friday 5 March at 13:00"."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import overload
from zoneinfo import ZoneInfo

from babel.dates import format_date as _babel_date
from babel.dates import get_day_names, get_month_names
from babel.numbers import format_decimal

from bot.texts.i18n import current_language, gettext, ngettext

OSLO = ZoneInfo("Europe/Oslo")

# Per language: Babel's locale, the date without and with the year, and the time. A new language
# adds a row here (and its catalogue); see the README, "Languages".
DATE_FORMS: dict[str, tuple[str, str, str, str]] = {
    "nb": ("nb", "d. MMMM", "d. MMMM y", "HH:mm"),
    "nn": ("nn", "d. MMMM", "d. MMMM y", "HH.mm"),
    "en": ("en_GB", "d MMMM", "d MMMM y", "HH:mm"),
}


def _forms() -> tuple[str, str, str, str]:
    return DATE_FORMS.get(current_language(), DATE_FORMS["nb"])


class _Names(Sequence[str]):
    """Month or weekday names in the current language (``MONTHS[2]`` is "mars" in bokmål)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def _names(self) -> list[str]:
        locale = _forms()[0]
        if self.kind == "month":
            names = get_month_names("wide", locale=locale)
            return [names[i] for i in range(1, 13)]
        days = get_day_names("wide", locale=locale)
        return [days[i] for i in range(7)]

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return self._names()[index]

    def __len__(self) -> int:
        return 12 if self.kind == "month" else 7

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())


WEEKDAYS: Sequence[str] = _Names("weekday")
MONTHS: Sequence[str] = _Names("month")


def format_date(
    value: date, *, weekday: bool = True, year: bool | None = None, today: date | None = None
) -> str:
    """'fredag 5. mars' (the year only when it is not this year, unless told)."""
    locale, plain, with_year, _time = _forms()
    show_year = year if year is not None else (today is not None and value.year != today.year)
    text = _babel_date(value, with_year if show_year else plain, locale=locale)
    if weekday:
        text = f"{WEEKDAYS[value.weekday()]} {text}"
    return text


def format_day_range(start: date, end: date, *, year: bool = False) -> str:
    """A week's days: '16.–22. mars', '28. desember–3. januar' ('16–22 March' in English)."""
    locale, plain, _with_year, _time = _forms()
    day = plain.split(" ")[0]  # "d." or "d"
    if start.month == end.month:
        text = f"{_babel_date(start, day, locale=locale)}–{_babel_date(end, plain, locale=locale)}"
    else:
        text = f"{_babel_date(start, plain, locale=locale)}–{_babel_date(end, plain, locale=locale)}"
    return f"{text} {end.year}" if year else text


def format_time(value: datetime) -> str:
    """'13:00' ('13.00' in nynorsk)."""
    return value.strftime(_forms()[3].replace("HH", "%H").replace("mm", "%M"))


def format_datetime(
    value: datetime,
    *,
    has_time: bool = True,
    tz: ZoneInfo = OSLO,
    weekday: bool = True,
    today: date | None = None,
) -> str:
    """'fredag 5. mars kl. 13:00' in Norwegian time; without the time when it is not known."""
    local = value.astimezone(tz)
    text = format_date(local.date(), weekday=weekday, today=today)
    if has_time:
        text = gettext("{date} kl. {time}").format(date=text, time=format_time(local))
    return text


def format_number(value: float) -> str:
    """'12 345,5' (bokmål and nynorsk), '12,345.5' (English)."""
    return format_decimal(value, locale=_forms()[0])


def days_left(deadline: datetime, now: datetime, tz: ZoneInfo = OSLO) -> int:
    """Whole calendar days from today to the deadline's date, in Norwegian time."""
    return (deadline.astimezone(tz).date() - now.astimezone(tz).date()).days


def format_days_left(days: int) -> str:
    if days < 0:
        return gettext("fristen er ute")
    if days == 0:
        return gettext("i dag")
    if days == 1:
        return gettext("i morgen")
    return ngettext("om {days} dag", "om {days} dager", days).format(days=days)
