"""Structured blocks: dates under or beside a label.

Three layouts, read by their grammar rather than by one site's markup:
- a label line ending with ":" and the date on the next line (Statsforvalteren's "Søknadsfrist:"
  lists, "• Søknadsfrist:" bullets): the label before;
- date lines alternating with label lines without colons: Forskningsrådet's "Viktige datoer" (a
  date, then its label) or a page's "Frist" / date (a label, then the date). Which way a block runs
  is decided for the whole block: the side whose neighbours read as date labels ("Søknadsfrist",
  "Åpen for søknad", "Webinar", "Tidligste tillatte prosjektstart", "Opening date") wins; a tie
  goes to the date-first layout. A neighbour that is a sentence, a question or holds a date of
  its own is never a label;
- the label and the date as the whole of one sentence: "Søknadsfrist: 5. mars 2025 kl. 12.00",
  "Søknadsfrist 10. oktober 2021", "16. sep 2020 (Søknadsfrist)".
A date line under a neutral label ("Dato", "Tid", "Date") or under none is a calendar entry's date:
when the page's title names a deadline ("Søknadsfrist: Norsk-islandsk kultursamarbeid", "Frist for å
søkje ekstra aktivitetsmidlar") and it is the only such date, it is that deadline, not certain.
A time range on the line after ("00:00 — 13:00") ends at the entry's time.
"""

from __future__ import annotations

import re

from feeds.deadlines.candidates import BLOCK, CALENDAR, OTHER, Candidate, strip_bullets, trim_evidence
from feeds.deadlines.cues import NEG, STRONG, classify_label
from feeds.deadlines.dates import DateMention, find_dates

_WEEKDAY = r"(?:mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag|måndag|tysdag|laurdag|sundag|monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_FILLER = re.compile(
    rf"^(?:[\s,.:;()\-–—•·*]|{_WEEKDAY}|\(?(?:CET|CEST|norsk\s+tid|Norwegian\s+time|local\s+time)\)?)*$",
    re.IGNORECASE,
)
_NEUTRAL_LABEL = re.compile(r"^(?:dato|tid|når|tidspunkt|date|time|when)\s*:?$", re.IGNORECASE)
_TIME_RANGE = re.compile(
    r"^(?:kl\.?\s*)?[0-2]?\d[:.][0-5]\d\s*(?:[-–—]+|til|to)\s*(?:kl\.?\s*)?(?P<h>[0-2]?\d)[:.](?P<mi>[0-5]\d)$",
    re.IGNORECASE,
)
_DEADLINE_TITLE = re.compile(
    r"^(?:søknadsfrist\w*|frist(?:en)?|deadline|application\s+deadline)\s*(?::\s*|\s+for\s+)\S", re.IGNORECASE
)
_VERB_IN_LABEL = re.compile(r"\b(?:er|blir|vert|var|is|will|skal|må|kan)\b", re.IGNORECASE)
LABEL_MAX = 60


class Lines:
    """The text's lines with their offsets, and the date mentions on each."""

    def __init__(self, text: str, mentions: list[DateMention]) -> None:
        self.text = text
        self.starts: list[int] = []
        pos = 0
        for line in text.split("\n"):
            self.starts.append(pos)
            pos += len(line) + 1
        self.lines = text.split("\n")
        self.on_line: dict[int, list[int]] = {}
        for i, m in enumerate(mentions):
            self.on_line.setdefault(self.line_of(m.start), []).append(i)

    def line_of(self, pos: int) -> int:
        lo, hi = 0, len(self.starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.starts[mid] <= pos:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def neighbour(self, index: int, step: int) -> int | None:
        """The nearest non-empty line before (step -1) or after (step +1)."""
        j = index + step
        while 0 <= j < len(self.lines):
            if self.lines[j].strip():
                return j
            j += step
        return None


def label_like(line: str, has_date: bool | None = None) -> bool:
    """A short line that can be a date's label: no date of its own, not a sentence or a question.

    ``has_date``: whether the line holds a date, when the caller knows (else it is looked for).
    """
    s = strip_bullets(line)
    if not s or len(s) > LABEL_MAX or len(s.split()) > 8 or s.endswith(("?", "!")):
        return False
    if re.search(r":\s*\S", s):
        return False  # "Søknadsfrist: Tilskudd til lag" is a label with its own value
    if has_date is None:
        has_date = bool(find_dates(s))
    return not has_date and not _TIME_RANGE.match(s)


def label_kind(line: str) -> str | None:
    """STRONG (a deadline label), NEG (another date's label), "neutral" (Dato, Tid) or None."""
    s = strip_bullets(line)
    if _NEUTRAL_LABEL.match(s):
        return "neutral"
    return classify_label(s)


def _date_only(lines: Lines, index: int, mentions: list[DateMention]) -> bool:
    start = lines.starts[index]
    rest = lines.lines[index]
    for i in sorted(lines.on_line.get(index, []), key=lambda k: -mentions[k].start):
        m = mentions[i]
        rest = rest[: m.start - start] + " " + rest[m.end - start :]
    return bool(_FILLER.match(rest))


def _block_runs(date_lines: list[int], lines: Lines) -> list[list[int]]:
    """Date lines that belong together: at most two non-empty lines between them."""
    runs: list[list[int]] = []
    for index in date_lines:
        if runs:
            between = [ln for ln in lines.lines[runs[-1][-1] + 1 : index] if ln.strip()]
            if len(between) <= 2:
                runs[-1].append(index)
                continue
        runs.append([index])
    return runs


def _recognised(lines: Lines, j: int | None, *, colon_ok: bool) -> bool:
    if j is None:
        return False
    line = lines.lines[j].strip()
    if not label_like(line, j in lines.on_line) or (line.endswith(":") and not colon_ok):
        return False
    return label_kind(line) is not None


def _labels_for_run(run: list[int], lines: Lines) -> dict[int, int | None]:
    """Each date line's label line, the run's direction decided once."""
    labels: dict[int, int | None] = {}
    open_lines = []
    for index in run:
        prev = lines.neighbour(index, -1)
        if (
            prev is not None
            and lines.lines[prev].strip().endswith(":")
            and label_like(lines.lines[prev], prev in lines.on_line)
        ):
            labels[index] = prev
        else:
            open_lines.append(index)
    before = sum(_recognised(lines, lines.neighbour(i, -1), colon_ok=False) for i in open_lines)
    after = sum(_recognised(lines, lines.neighbour(i, +1), colon_ok=False) for i in open_lines)
    step = -1 if before > after else +1
    for index in open_lines:
        j = lines.neighbour(index, step)
        if j is not None and step > 0 and _TIME_RANGE.match(lines.lines[j].strip()):
            j = None
        ok = (
            j is not None
            and label_like(lines.lines[j], j in lines.on_line)
            and not lines.lines[j].strip().endswith(":")
        )
        labels[index] = j if ok else None
    return labels


def _end_time(lines: Lines, index: int) -> tuple[int, int] | None:
    j = lines.neighbour(index, +1)
    if j is None:
        return None
    m = _TIME_RANGE.match(lines.lines[j].strip())
    if not m:
        return None
    hour, minute = int(m.group("h")), int(m.group("mi"))
    if (hour, minute) == (24, 0):
        return 23, 59
    return (hour, minute) if hour < 24 else None


def _deadline_title(lines: Lines) -> str | None:
    for index, line in enumerate(lines.lines):
        s = strip_bullets(line)
        if _DEADLINE_TITLE.match(s) and not s.endswith(".") and len(s) <= 120 and index not in lines.on_line:
            return s
    return None


def _kind_of(label: str | None) -> str | None:
    if label is None:
        return None
    kind = label_kind(label)
    return {STRONG: STRONG, NEG: OTHER}.get(kind or "", kind)


def _period(line_mentions: list[int], mentions: list[DateMention]) -> list[int]:
    """On a period line ("1.–28. februar"), the first day is the opening: only the last is read."""
    return line_mentions[-1:] if any(mentions[i].borrowed for i in line_mentions) else line_mentions


def read_date_lines(text: str, mentions: list[DateMention]) -> dict[int, Candidate]:
    """Candidates for the mentions that stand alone on their line, by mention index."""
    lines = Lines(text, mentions)
    date_lines = [i for i in sorted(lines.on_line) if _date_only(lines, i, mentions)]
    out: dict[int, Candidate] = {}
    lone: list[tuple[int, int]] = []
    for run in _block_runs(date_lines, lines):
        for index, label_line in _labels_for_run(run, lines).items():
            label = lines.lines[label_line].strip() if label_line is not None else None
            kind = _kind_of(label)
            on_line = lines.on_line[index]
            for i in on_line:
                if i not in _period(on_line, mentions):
                    out[i] = Candidate(mentions[i], OTHER, BLOCK, label or "")
                    continue
                date_text = lines.lines[index].strip()
                evidence = trim_evidence(f"{strip_bullets(label).rstrip(':')}: {date_text}") if label else ""
                if kind in (STRONG, OTHER):
                    out[i] = Candidate(mentions[i], kind, BLOCK, evidence, labelled=kind == STRONG)
                else:
                    out[i] = Candidate(mentions[i], None, BLOCK, evidence)
                    if not mentions[i].has_time:  # a date with a clock and no label: a timestamp
                        lone.append((i, index))
    title = _deadline_title(lines)
    if title and len(lone) == 1:
        i, index = lone[0]
        end = _end_time(lines, index)
        if end is not None:
            mentions[i].hour, mentions[i].minute = end
        out[i] = Candidate(
            mentions[i], STRONG, CALENDAR, trim_evidence(f"{title} · {lines.lines[index].strip()}")
        )
    return out


def same_line_label(segment: str, mention_spans: list[tuple[int, int]]) -> str | None:
    """The label of a sentence that is only a label and its date(s), else None.

    ``segment`` is the sentence; ``mention_spans`` the dates in it, relative to it.
    """
    first, last = mention_spans[0][0], mention_spans[-1][1]
    head = strip_bullets(segment[:first]).strip()
    tail = segment[last:].strip()
    between = segment[mention_spans[0][1] : mention_spans[-1][0]] if len(mention_spans) > 1 else ""
    if between and not re.fullmatch(r"\s*(?:[-–—]|til|to)\s*", between):
        return None
    if head and not _FILLER.match(tail):
        return None
    if head:
        label = head.rstrip(":").strip()
        if len(label) > 40 or len(label.split()) > 5 or _VERB_IN_LABEL.search(label):
            return None
        return label if label_kind(label) in (STRONG, NEG) else None
    inner = tail.strip("().,: ")
    if inner and len(inner) <= 40 and label_kind(inner) in (STRONG, NEG):
        return inner
    return None
