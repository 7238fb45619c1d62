"""A queued message written again in its recipient's language just before it is sent: its
``"i18n"`` part (``bot.texts.deferred``: an announcement's frame) becomes its text."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from bot import texts
from bot.texts.i18n import current_language
from storage.claims import Claimed

log = logging.getLogger(__name__)


def localize_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload with its text in the current language (unchanged when it has no ``"i18n"``)."""
    spec = payload.get("i18n")
    if not isinstance(spec, dict) or payload.get("lang", "nb") == current_language():
        return payload
    try:
        text = texts.render_deferred(spec)
    except (KeyError, ValueError, AttributeError, IndexError):
        log.warning("could not write a queued text again (%s); sending it as queued", spec.get("t"))
        return payload
    return {**payload, "text": text, "lang": current_language()}


def localize(row: Claimed) -> Claimed:
    payload = localize_payload(row.payload)
    return row if payload is row.payload else dataclasses.replace(row, payload=payload)
