"""Languages: which one is current, and the catalogues that translate the bokmål texts.

The bokmål texts in ``bot/texts/`` are the message ids (``nb`` is the source language). The current
language is a context variable: the composition root sets it for each update (the person's or the
group's choice, else the Telegram client's language) and the sender for each recipient, so a text
read as ``texts.NAME`` comes out in that language. A text without a translation stays in bokmål.

The catalogues are the ``.po`` files in ``bot/texts/locale/<lang>/LC_MESSAGES/messages.po``, read
with Babel and compiled in memory the first time a language is needed (no build step).
``python -m bot.texts.catalogue update`` brings them up to date with the texts.
"""

from __future__ import annotations

import gettext as _gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from functools import cache
from pathlib import Path

SOURCE = "nb"
LANGUAGES: tuple[str, ...] = ("nb", "nn", "en")
# The name of each language in itself: the buttons of /sprak.
NATIVE_NAMES = {"nb": "Bokmål", "nn": "Nynorsk", "en": "English"}
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"

_current: ContextVar[str] = ContextVar("foui_language", default=SOURCE)


def current_language() -> str:
    return _current.get()


def set_language(language: str) -> Token[str]:
    """Make ``language`` current in this context (unknown languages fall back to bokmål)."""
    return _current.set(language if language in LANGUAGES else SOURCE)


def reset_language(token: Token[str]) -> None:
    _current.reset(token)


@contextmanager
def use_language(language: str | None) -> Iterator[str]:
    """``with use_language("nn"):`` texts read inside come out in nynorsk."""
    token = set_language(language or SOURCE)
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def language_of_code(code: str | None) -> str | None:
    """The bot's language for a Telegram client's ``language_code``: nn → nynorsk, nb/no →
    bokmål, any other → English; none given → None (the caller's default)."""
    if not code:
        return None
    base = code.strip().lower().replace("_", "-").split("-")[0]
    if base == "nn":
        return "nn"
    if base in ("nb", "no"):
        return "nb"
    return "en" if base else None


def valid(language: str | None) -> str | None:
    return language if language in LANGUAGES else None


@cache
def translations(language: str) -> _gettext.NullTranslations:
    """The compiled catalogue of ``language`` (bokmål and unknown: no translation)."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == SOURCE or not path.is_file():
        return _gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)  # fuzzy entries are left out: they stay in bokmål until checked
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def gettext(message: str, language: str | None = None) -> str:
    """``message`` (a bokmål text) in the current language, or in bokmål when not translated."""
    language = language or _current.get()
    if language == SOURCE:
        return message
    return translations(language).gettext(message)


def ngettext(singular: str, plural: str, count: int, language: str | None = None) -> str:
    """The form for ``count`` from the catalogue (the plural rule is the catalogue's)."""
    language = language or _current.get()
    return translations(language).ngettext(singular, plural, count)


_ = gettext
