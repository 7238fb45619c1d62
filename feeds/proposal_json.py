"""The data a Forskningsrådet call page embeds for its React components (pure: text in, pairs out).

A call page carries ``window.__REACT_COMPONENTS__.push({name: "ProposalPage", props: {...}})``.
Where the dates sit in it is not documented, so they are read as *date-and-label pairs wherever
they are*: a dict with a date (.NET ticks, an ISO date, ``/Date(ms)/`` or a display value such as
"5. mars 2025") and a label beside it ("label", "title", "name", ...), or a date under a key that
names it ("applicationDeadline"). A ``displayValue`` beside ticks wins: it is what the page shows.
The pairs are written as a "Viktige datoer" block, so the deadline finder reads them exactly as it
reads the visible block.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from feeds.deadlines import OSLO
from feeds.html import Node, parse_html

__all__ = ["Embedded", "date_block", "read_embedded"]

_PUSH = re.compile(r"""__REACT_COMPONENTS__\s*\.\s*push\s*\(""")
_PROPS = re.compile(r"""["']?props["']?\s*:\s*""")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")
_MS_DATE = re.compile(r"^/Date\((-?\d+)(?:[+-]\d{4})?\)/$")
_DISPLAY = re.compile(
    r"^\d{1,2}\.?\s*(?:[A-Za-zæøåÆØÅ]{3,10}\.?\s+\d{4}|\d{1,2}\.\d{4})(?:\s+(?:kl\.?\s*)?\d{1,2}[.:]\d{2})?$"
)
_TICKS_MIN, _TICKS_MAX = 6.0e17, 7.0e17  # .NET ticks of the years 1902 to 2219
_LABEL_KEYS = ("label", "title", "name", "heading", "text", "description", "type", "key")
_STATUS_KEYS = re.compile(r"status", re.I)


class Embedded:
    """What one page embeds: date-and-label pairs, other text lines, a status text and a title."""

    def __init__(self) -> None:
        self.pairs: list[tuple[str, str]] = []
        self.lines: list[str] = []
        self.status: str = ""
        self.title: str = ""

    def __bool__(self) -> bool:
        return bool(self.pairs or self.lines or self.title)


def _props(source: str) -> list[Any]:
    found: list[Any] = []
    decoder = json.JSONDecoder()
    for push in _PUSH.finditer(source):
        m = _PROPS.search(source, push.end())
        if m is None:
            continue
        try:
            props, _ = decoder.raw_decode(source, m.end())
        except ValueError:
            continue
        found.append(props)
    return found


def read_embedded(root: Node) -> Embedded:
    """The pairs and text of every ``__REACT_COMPONENTS__`` push on the page (empty when none)."""
    out = Embedded()
    for script in root.iter("script"):
        source = "".join(c for c in script.children if isinstance(c, str))
        if "__REACT_COMPONENTS__" not in source:
            continue
        for props in _props(source):
            if isinstance(props, dict) and not out.title:
                title = props.get("title") or props.get("name") or props.get("heading")
                out.title = title.strip() if isinstance(title, str) else ""
            _walk(props, "", "", out)
    return out


def _fmt(moment: datetime, *, with_time: bool) -> str:
    if with_time and (moment.hour, moment.minute) != (0, 0):
        return f"{moment:%d.%m.%Y} kl. {moment:%H:%M}"
    return f"{moment:%d.%m.%Y}"


def _scalar_date(value: Any) -> str:
    """A date as text the deadline finder reads, or "" when ``value`` is not a date."""
    if isinstance(value, bool):
        return ""
    if isinstance(value, int | float) and _TICKS_MIN <= value <= _TICKS_MAX:
        # .NET ticks: 100 ns since 0001-01-01, wall-clock time in Norway.
        moment = datetime(1, 1, 1) + timedelta(microseconds=int(value) // 10)
        return _fmt(moment, with_time=True)
    if not isinstance(value, str):
        return ""
    text = value.strip()
    if _ISO.match(text):
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return ""
        if moment.tzinfo is not None:
            moment = moment.astimezone(OSLO)
        return _fmt(moment, with_time=len(text) > 10)
    m = _MS_DATE.match(text)
    if m:
        moment = datetime.fromtimestamp(int(m.group(1)) / 1000, UTC).astimezone(OSLO)
        return _fmt(moment, with_time=True)
    if len(text) <= 40 and _DISPLAY.match(text):
        return text
    return ""


def _own_date(node: dict[str, Any]) -> str:
    """A date object: its display value, else its ticks ({"ticks": ..., "displayValue": "5. mars 2025"})."""
    lowered = {str(k).lower(): v for k, v in node.items()}
    display = lowered.get("displayvalue")
    if isinstance(display, str) and _scalar_date(display):
        return display.strip()
    ticks = lowered.get("ticks")
    return _scalar_date(ticks) if ticks is not None else ""


def _label(node: dict[str, Any]) -> str:
    for key in _LABEL_KEYS:
        for k, v in node.items():
            if str(k).lower() == key and isinstance(v, str):
                text = " ".join(v.split())
                if 2 <= len(text) <= 80 and not _scalar_date(text):
                    return text
    return ""


def _label_from_key(key: str) -> str:
    lowered = key.lower()
    if re.search(r"deadline|frist|closing|due", lowered):
        return "Søknadsfrist"
    if re.search(r"open|start", lowered) and "project" not in lowered and "prosjekt" not in lowered:
        return "Åpen for søknad"
    return ""


def _walk(value: Any, key: str, inherited: str, out: Embedded) -> None:
    if isinstance(value, list):
        for v in value:
            _walk(v, key, inherited, out)
        return
    if isinstance(value, str):
        _text(value, key, out)
        return
    if not isinstance(value, dict):
        return
    own = _own_date(value)
    label = _label(value)
    if own:
        where = label or inherited or _label_from_key(key)
        if where:
            out.pairs.append((where, own))
        return
    direct = [
        (str(k), d) for k, v in value.items() if not isinstance(v, dict | list) and (d := _scalar_date(v))
    ]
    if len(direct) == 1 and label:
        out.pairs.append((label, direct[0][1]))
    else:
        for k, d in direct:
            where = _label_from_key(k) or label
            if where:
                out.pairs.append((where, d))
    dated = {k for k, _ in direct}
    nested = [v for v in value.values() if isinstance(v, dict) and _own_date(v)]
    for k, v in value.items():
        if str(k) in dated or (isinstance(v, str) and v.strip() == label):
            continue
        # A single nested date object takes this dict's label ({"label": ..., "date": {...}}).
        _walk(v, str(k), label if len(nested) == 1 else "", out)


def _text(value: str, key: str, out: Embedded) -> None:
    text = value.strip()
    if not text or _scalar_date(text):
        return
    if _STATUS_KEYS.search(key) and len(text) <= 30 and not out.status:
        out.status = text
    if "<" in text and ">" in text:
        out.lines.extend(parse_html(text).text().split("\n"))
    else:
        out.lines.append(text)


def date_block(pairs: list[tuple[str, str]]) -> str:
    """The pairs as a "Viktige datoer" block (a date line, then its label line)."""
    lines = ["Viktige datoer"]
    for label, when in pairs:
        lines += [when, label]
    return "\n".join(lines)
