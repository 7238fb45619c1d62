"""A call's text as the eligibility reader sees it: labelled fields and sentences.

- Labelled fields: a label line ("Hvem kan søke:", "Kven kan søkje?", "Who can apply?",
  "Målgruppe:", "Beløp:") with its value on the same line after the colon, or on the next
  non-empty line (Statsforvalteren's label/value lists, Forskningsrådet's headings).
- Sentences: split at ".", "!", "?" before a capital letter or a line end, never after an
  abbreviation ("mill.", "ca.", "kr.", "St.") or inside a number; every line is its own sentence
  start, bullets too. A sentence keeps its original wording: it is the evidence shown to people.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from feeds.eligibility.lazy import Lazy

__all__ = ["Field", "Label", "Sentence", "fields", "normalise", "sentences"]

MAX_EVIDENCE = 300
MAX_SENTENCE = 600  # longer "sentences" are lists run together; they are read in pieces
MAX_TEXT = 60_000  # a call's text beyond this is boilerplate (menus, footers, other calls)


class Label(StrEnum):
    APPLY = "apply"  # Hvem kan søke
    AUDIENCE = "audience"  # Målgruppe (who may apply, when no "Hvem kan søke" says it)
    PARTICIPATE = "participate"  # Hvem kan delta / være prosjektdeltakere
    TOTAL = "total"  # Antatt tilgjengelige midler, Beløp, Ramme
    LIMITS = "limits"  # Støttegrenser, Søknadsbeløp


_LISTS = (Label.APPLY, Label.AUDIENCE, Label.PARTICIPATE)


_LABELS: tuple[tuple[Label, str], ...] = (
    (
        Label.PARTICIPATE,
        r"(?:hvem|kven)\s+kan\s+(?:delta|vere\s+med|være\s+med|være\s+prosjektdeltak\w*|vere\s+prosjektdeltak\w*"
        r"|være\s+partner\w*|vere\s+partnar\w*)(?:\s+i\s+prosjekt\w*)?|who\s+can\s+(?:participate|take\s+part|be\s+a?\s*partners?)"
        r"|prosjektdeltak\w*|partnere",
    ),
    (
        Label.APPLY,
        r"(?:hvem|kven)\s+kan\s+(?:søke|søkje|søkja|få\s+(?:tilskudd|tilskot|støtte|midler|midlar))(?:\s+om\s+\w+)?"
        r"|who\s+(?:can|may)\s+apply|eligible\s+applicants|eligibility|søkere|søkjarar|søkjarane|søker|søkjar",
    ),
    (Label.AUDIENCE, r"målgruppe(?:n|r)?|target\s+groups?"),
    (Label.LIMITS, r"støttegrenser|søknadsbeløp|søknadssum|støttebeløp"),
    (
        Label.TOTAL,
        r"(?:antatt\s+)?tilgjengel\w+\s+midl\w+|beløp|(?:økonomisk\s+|samlet\s+)?ramme|utlyst\s+beløp|budget|funding",
    ),
)
_LABEL_LINE = Lazy(
    r"^\s*(?:[•·*\-–]\s*)?(?P<label>"
    + "|".join(f"(?:{p})" for _, p in _LABELS)
    + r")\s*(?P<sep>[:?])?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_BULLET = Lazy(r"^\s*(?:[•·*\-–]|\d{1,2}[.)])\s+")
_INTRO = Lazy(
    r"\b(?:kan\s+søk\w*|who\s+can\s+apply|eligible|applicants?|søkere|søkjarar|målgrupp\w*|target\s+group\w*)\b",
    re.IGNORECASE,
)
_LABEL_KINDS = [(kind, Lazy(rf"^(?:{p})$", re.IGNORECASE)) for kind, p in _LABELS]

_ABBREVIATIONS = {
    "mill",
    "ca",
    "kr",
    "nr",
    "st",
    "meld",
    "mrd",
    "kl",
    "pr",
    "inkl",
    "evt",
    "ev",
    "mv",
    "osv",
    "dvs",
    "mht",
    "tlf",
    "jf",
    "jfr",
    "bl.a",
    "f.eks",
    "m.a",
    "t.d",
    "e.g",
    "i.e",
    "mnok",
    "maks",
    "min",
    "prof",
    "dr",
    "no",
}
_SENTENCE_END = Lazy(r"[.!?]+(?=\s+[A-ZÆØÅ0-9«\"(•]|\s*$)")
_SPACE = Lazy(r"[ \t\u00a0\u2007\u2009\u202f]+")


@dataclass(frozen=True)
class Sentence:
    text: str  # as written, whitespace collapsed
    line_start: bool  # the sentence opens its line


@dataclass(frozen=True)
class Field:
    label: Label
    value: str
    evidence: str  # "Hvem kan søke: Kommuner"
    items: tuple[str, ...] = ()  # the bullet lines, when the value is a list


def normalise(text: str) -> str:
    """Composed Unicode, ordinary spaces, "\\n" line ends."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(_SPACE.sub(" ", line).strip() for line in text.split("\n"))


def clip(sentence: str) -> str:
    """Evidence short enough to show: the sentence, cut at a word near MAX_EVIDENCE."""
    sentence = " ".join(sentence.split())
    if len(sentence) <= MAX_EVIDENCE:
        return sentence
    cut = sentence.rfind(" ", 0, MAX_EVIDENCE - 1)
    return sentence[: cut if cut > 0 else MAX_EVIDENCE - 1] + "…"


def _label_kind(label: str) -> Label:
    label = " ".join(label.split())
    for kind, pattern in _LABEL_KINDS:
        if pattern.match(label):
            return kind
    return Label.TOTAL  # unreachable: the line matched one of the labels


def _bullets(lines: list[str], i: int) -> list[str]:
    """The bullet lines from ``i`` on ("• Kommuner og kommunale foretak"), blank lines skipped."""
    out: list[str] = []
    for line in lines[i:]:
        if not line.strip():
            continue
        if not _BULLET.match(line):
            break
        out.append(_BULLET.sub("", line).strip())
    return out


def fields(text: str) -> list[Field]:
    """Every labelled field in the text, in order.

    A list label ("Hvem kan søke?", "Målgruppe", "Hvem kan delta") takes all the bullet lines that
    follow it; so does a line that introduces applicants and ends with ":" ("Følgende kan søke:",
    "applicants have to belong to one of the following categories:").
    """
    lines = normalise(text[:MAX_TEXT]).split("\n")
    found: list[Field] = []
    for i, line in enumerate(lines):
        m = _LABEL_LINE.match(line)
        if not m:
            if line.rstrip().endswith(":") and _INTRO.search(line):
                listed = _bullets(lines, i + 1)
                if listed:
                    value = "; ".join(listed)
                    found.append(Field(Label.APPLY, value, clip(f"{line.strip()} {value}"), tuple(listed)))
            continue
        rest = m.group("rest").strip()
        if rest and not m.group("sep"):
            continue  # "Søker er kommunale virksomheter ..." is a sentence, not a label
        kind = _label_kind(m.group("label"))
        items: list[str] = []
        if not rest:
            after = next((k for k in range(i + 1, min(i + 4, len(lines))) if lines[k].strip()), None)
            rest = lines[after] if after is not None else ""
            following = _LABEL_LINE.match(rest) if rest else None
            if not rest or (following is not None and following.group("sep")):
                continue
            if after is not None and kind in _LISTS and _BULLET.match(rest):
                items = _bullets(lines, after)
                rest = "; ".join(items)
        label = m.group("label")
        found.append(Field(kind, rest, clip(f"{label.strip()}: {rest}"), tuple(items)))
    return found


def _ends_sentence(line: str, dot: int) -> bool:
    """Is the "." at ``dot`` a sentence end (not "mill.", "ca.", "1.", "bl.a.")?"""
    if line[dot] != ".":
        return True
    word = re.search(r"([\w.]+)$", line[max(0, dot - 24) : dot])
    if word is None:
        return True
    token = word.group(1).lower().strip(".")
    if token in _ABBREVIATIONS:
        return False
    if token.isdigit() and len(token) <= 2:
        return False  # "1. mars", "5. Prioriteringer"
    return not (len(token) == 1 and token.isalpha())  # initials


def _pieces(sentence: str) -> list[str]:
    """A sentence longer than MAX_SENTENCE cut at commas (else spaces): no rule reads that far."""
    out: list[str] = []
    while len(sentence) > MAX_SENTENCE:
        cut = sentence.rfind(", ", 0, MAX_SENTENCE)
        cut = cut + 1 if cut > MAX_SENTENCE // 2 else sentence.rfind(" ", 0, MAX_SENTENCE)
        cut = cut if cut > 0 else MAX_SENTENCE
        out.append(sentence[:cut].strip())
        sentence = sentence[cut:].strip()
    return [*out, sentence] if sentence else out


def sentences(text: str) -> list[Sentence]:
    """The text's sentences, in order, line by line (only the first MAX_TEXT characters are read)."""
    out: list[Sentence] = []
    for line in normalise(text[:MAX_TEXT]).split("\n"):
        line = line.strip()
        if not line:
            continue
        start, found = 0, []
        for m in _SENTENCE_END.finditer(line):
            if _ends_sentence(line, m.start()):
                found.append(line[start : m.end()])
                start = m.end()
        found.append(line[start:])
        pieces = [p for f in found for p in _pieces(f.strip())]
        out.extend(Sentence(p, k == 0) for k, p in enumerate(pieces))
    return out
