"""Every user-visible text, in bokmål, translated when read. Tests refer to these names.

One module per area keeps the files small; import from ``bot.texts`` only (``from bot import
texts``; ``texts.NAME``). HTML texts use ``{placeholders}`` that callers fill with ``html.escape``d
values.

Reading ``texts.NAME`` gives the text in the current language (``bot.texts.i18n``): the bokmål text
is the message id in the catalogues, so a new constant works at once (in bokmål) and is translated
when ``python -m bot.texts.catalogue update`` has put it in the ``.po`` files and someone has
written the translation. A text kept in a variable at import time stays bokmål: translate it where
it is used with ``texts.tr(value)``.
"""

import sys
import types
from typing import Any

from bot.texts.applications import *  # noqa: F403
from bot.texts.calendar import *  # noqa: F403
from bot.texts.closed import *  # noqa: F403
from bot.texts.common import *  # noqa: F403
from bot.texts.coordinators import *  # noqa: F403
from bot.texts.deploy import *  # noqa: F403
from bot.texts.fetching import *  # noqa: F403
from bot.texts.format import *  # noqa: F403
from bot.texts.i18n import gettext as tr
from bot.texts.i18n import ngettext as tr_plural  # noqa: F401
from bot.texts.language import *  # noqa: F403
from bot.texts.members import *  # noqa: F403
from bot.texts.network import *  # noqa: F403
from bot.texts.pushes import *  # noqa: F403
from bot.texts.sources import *  # noqa: F403
from bot.texts.sources_admin import *  # noqa: F403
from bot.texts.sources_push import *  # noqa: F403
from bot.texts.truth import *  # noqa: F403
from bot.texts.web import *  # noqa: F403

# Texts that are not for people to read in their language: log lines, file names, prompts.
NOT_TRANSLATED = frozenset({"BLOCKED_LOG", "CALENDAR_FILENAME", "PUSH_CALENDAR_FILENAME"})


def translatable(name: str, value: object) -> bool:
    """Whether ``texts.<name>`` is a text that goes through the catalogue."""
    return (
        type(value) is str
        and name[:1].isupper()
        and name not in NOT_TRANSLATED
        and not name.endswith("_LOG")
        and not name.startswith("_")
    )


_read = types.ModuleType.__getattribute__
_decided: dict[str, bool] = {}  # name -> translatable (constants do not change)


class _Texts(types.ModuleType):
    """``bot.texts`` itself: a text constant read from it comes out in the current language."""

    def __getattribute__(self, name: str) -> Any:
        value = _read(self, name)
        if type(value) is str:
            decided = _decided.get(name)
            if decided is None:
                decided = _decided[name] = translatable(name, value)
            if decided:
                return tr(value)
        return value


sys.modules[__name__].__class__ = _Texts


def deferred(name: str, **args: object) -> dict[str, object]:
    """A text to be written later in its reader's language (an outbox payload's ``"i18n"``):
    the constant's name and its arguments (strings, or other ``deferred`` texts)."""
    if not translatable(name, types.ModuleType.__getattribute__(sys.modules[__name__], name)):
        raise ValueError(f"not a text: {name}")
    return {"t": name, "args": args}


def render_deferred(spec: object) -> str:
    """A ``deferred`` text in the current language."""
    if not isinstance(spec, dict):
        return str(spec)
    template = getattr(sys.modules[__name__], str(spec.get("t")))
    if not isinstance(template, str):
        raise ValueError(f"not a text: {spec.get('t')}")
    args = spec.get("args") or {}
    return template.format(**{str(k): render_deferred(v) for k, v in dict(args).items()})
