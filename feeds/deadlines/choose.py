"""Choosing the call's deadline among the dates read, and saying how certain it is.

1. Every date is read where it stands (``blocks``: under or beside a label; ``sentences``: in
   running text). Only deadlines of the application itself count.
2. A labelled deadline of the call itself beats running text, before and after it has passed:
   when a structured block names a deadline, only the block's deadlines and sentences about "denne
   utlysningen" count; other sentences may only lend a stated time to the same day. A moved
   deadline in running text ("utsatt til 1. april") that the block does not show wins, not certain.
3. Of several deadlines (rounds), the next upcoming one relative to ``now`` (default: the
   reference) wins; if all have passed, the latest.
4. Certain only when the date stands under or beside a deadline label, or in the one sentence that
   states the deadline with a deadline word ("Søknadsfristen er ...", a list of rounds counts as one)
   and nothing else in the text names another deadline. Never certain: a planned call (status
   "Planlagt"), a date found only after "innen" or "til og med", a calendar entry's date, a yearly
   rule ("hvert år"), a plan ("foreløpig"), a year-less date that would already have passed at the
   reference, two different times for one day, a change to rolling intake against a dated deadline.
5. Forskningsrådet's main deadlines are at 13:00 Norwegian time: a labelled deadline without a time
   from a forskningsradet source (not Regionale forskningsfond, whose deadlines vary) gets 13:00.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from feeds.deadlines.blocks import read_date_lines, same_line_label
from feeds.deadlines.candidates import BLOCK, CALENDAR, Candidate, strip_bullets, trim_evidence
from feeds.deadlines.cues import NEG, RECURRING, STRONG, TENTATIVE, label_kind_is
from feeds.deadlines.dates import find_dates
from feeds.deadlines.model import OSLO, Deadline, as_date, as_moment, normalise
from feeds.deadlines.rolling import rolling_phrase, turned_rolling
from feeds.deadlines.sentences import read_sentences, sentence_spans

FORSKNINGSRADET_DEADLINE_TIME = time(13, 0)
_PLANNED = re.compile(r"^(?:planlagt|planlagd|planned|kommende|upcoming)$", re.IGNORECASE)


@dataclass
class _Day:
    """Everything read about one deadline day."""

    day: date
    cands: list[Candidate]
    guessed_past: bool = False


def read_candidates(text: str) -> list[Candidate]:
    """Every date in the (normalised) text, read where it stands."""
    mentions = find_dates(text, month_ends=True)
    found = read_date_lines(text, mentions)
    spans = sentence_spans(text, mentions)
    for start, end in spans:
        inside = [i for i, m in enumerate(mentions) if start <= m.start < end and i not in found]
        if not inside:
            continue
        pos = mentions[inside[0]].start
        line_end = text.find("\n", pos)
        line = text[text.rfind("\n", 0, pos) + 1 : len(text) if line_end == -1 else line_end]
        if strip_bullets(line) != strip_bullets(text[start:end]):
            continue  # a label and its date inside a paragraph is running text
        label = same_line_label(
            text[start:end], [(mentions[i].start - start, mentions[i].end - start) for i in inside]
        )
        if label is None:
            continue
        kind = STRONG if label_kind_is(label, STRONG) else NEG
        for n, i in enumerate(inside):
            is_end = n == len(inside) - 1
            reading = kind if is_end else NEG
            segment = text[start:end]
            found[i] = Candidate(
                mentions[i],
                reading if reading == STRONG else "other",
                BLOCK,
                trim_evidence(segment),
                labelled=reading == STRONG,
                recurring=bool(RECURRING.search(segment)),
                tentative=bool(TENTATIVE.search(segment)),
            )
    found.update(read_sentences(text, mentions, set(found), spans))
    return [found[i] for i in sorted(found)]


def _planned(text: str) -> bool:
    """A call whose status line says it is planned ("Planlagt"): its dates may still change."""
    head = [ln.strip() for ln in text.split("\n") if ln.strip()][:5]
    return any(_PLANNED.match(ln) for ln in head)


def _is_regional_fund(url: str | None) -> bool:
    """Regionale forskningsfond uses Forskningsrådet's template but sets its own deadline times."""
    if not url:
        return False
    return bool(re.search(r"regionaleforskningsfond|/rff[a-z-]*/", url, re.IGNORECASE))


def _resolve(cand: Candidate, ref: date) -> tuple[date | None, bool]:
    if cand.year is not None and cand.mention.year is None:
        cand.mention.year = cand.year
    return cand.mention.resolve_year(ref)


def _pool(cands: list[Candidate], ref: date) -> tuple[list[Candidate], bool]:
    """The candidates that may be the call's deadline, and whether the pool itself can be certain."""
    deadlines = [c for c in cands if c.is_deadline]
    block = [c for c in deadlines if c.tier == BLOCK and c.kind == STRONG]
    if not block:
        return deadlines, True
    block_days = {_resolve(c, ref)[0] for c in block}
    moved = [c for c in deadlines if c.moved and c.tier != BLOCK and _resolve(c, ref)[0] not in block_days]
    if moved:
        return moved, False
    return block + [c for c in deadlines if c.tier != BLOCK and c.self_ref], True


def _days(pool: list[Candidate], ref: date) -> dict[date, _Day]:
    days: dict[date, _Day] = {}
    for cand in pool:
        day, guessed = _resolve(cand, ref)
        if day is None:
            continue
        entry = days.setdefault(day, _Day(day, []))
        entry.cands.append(cand)
        entry.guessed_past = entry.guessed_past or (guessed and day < ref)
    return days


def _clock(entry: _Day, others: list[Candidate], ref: date, fr_time: bool) -> tuple[time | None, bool]:
    """The day's time and whether it is unambiguous: a stated time, else 13:00 (Forskningsrådet), else none."""
    stated = {(c.mention.hour, c.mention.minute or 0) for c in entry.cands if c.mention.hour is not None}
    if not stated:
        same_day = [c for c in others if c.mention.hour is not None and _resolve(c, ref)[0] == entry.day]
        stated = {(c.mention.hour, c.mention.minute or 0) for c in same_day if c.mention.hour is not None}
    if stated:
        hour, minute = max(stated)
        return time(hour, minute), len(stated) == 1
    if fr_time and any(c.labelled for c in entry.cands):
        return FORSKNINGSRADET_DEADLINE_TIME, True
    return None, True


def _certain(entry: _Day, days: dict[date, _Day], pool_certain: bool, block_pool: bool) -> bool:
    if not pool_certain or entry.guessed_past:
        return False
    if any(_yearly(c) or c.tentative for c in entry.cands):
        return False
    if any(c.tier == BLOCK and c.kind == STRONG for c in entry.cands):
        return True
    if block_pool:  # the call's own sentences beside its block ("Denne utlysningen har to frister: ...")
        return any(c.kind == STRONG and c.self_ref for c in entry.cands)
    sentences = {c.sentence for d in days.values() for c in d.cands}
    if len(days) > 1 and len(sentences) > 1:
        return False  # several deadlines in several sentences: which one is the call's?
    return any(c.kind == STRONG and c.tier != CALENDAR for c in entry.cands)


def _yearly(cand: Candidate) -> bool:
    """A yearly rule with a year-less date ("hvert år innen 15. oktober"): the year is our guess."""
    return cand.recurring and cand.mention.year is None and cand.year is None


def _evidence(entry: _Day) -> str:
    ranked = sorted(entry.cands, key=lambda c: (c.tier != BLOCK, c.kind != STRONG, not c.evidence))
    return ranked[0].evidence if ranked else ""


def find_deadlines(
    text: str, *, reference: date | datetime, source_kind: str | None = None, url: str | None = None
) -> list[Deadline]:
    """Every dated application deadline the text states for the call, oldest first (no duplicates)."""
    return _deadlines(normalise(text), reference=reference, source_kind=source_kind, url=url)


def _deadlines(
    text: str, *, reference: date | datetime, source_kind: str | None, url: str | None
) -> list[Deadline]:
    ref = as_date(reference)
    cands = read_candidates(text)
    pool, pool_certain = _pool(cands, ref)
    block_pool = any(c.tier == BLOCK for c in pool)
    days = _days(pool, ref)
    planned = _planned(text)
    fr_time = source_kind == "forskningsradet" and not _is_regional_fund(url)
    others = [c for c in cands if c.is_deadline]
    out = []
    for day in sorted(days):
        entry = days[day]
        clock, one_time = _clock(entry, others, ref, fr_time)
        certain = _certain(entry, days, pool_certain, block_pool) and one_time and not planned
        at = datetime.combine(day, clock or time(0), OSLO)
        out.append(Deadline(at=at, has_time=clock is not None, evidence=_evidence(entry), certain=certain))
    return out


def unread_deadline_label(text: str) -> str:
    """The deadline label of a text in which no deadline could be read ("Søknadsfrist:" and no date).

    Empty when the text has no deadline label, or when ``find_deadline`` reads a deadline from it.
    A call from such a page is shown to the coordinators like an uncertain deadline.
    """
    flat = normalise(text)
    lines = [ln for ln in flat.split("\n") if ln.strip()]
    for n, line in enumerate(lines):
        s = re.split(r"(?<=[.!?])\s", strip_bullets(line), maxsplit=1)[0].rstrip(".")
        head = s.split(":", 1)[0] if ":" in s else s
        if len(head) > 40 or not label_kind_is(head, STRONG):
            continue
        if head == s and len(s) > 40:
            continue  # a sentence that merely mentions a deadline
        bare = strip_bullets(line).rstrip(":").strip() == head  # the line is the label alone
        if bare and n + 1 < len(lines) and len(lines[n + 1]) <= 120:
            s = f"{head}: {strip_bullets(lines[n + 1])}"
        if find_deadline(flat, reference=date(2000, 1, 1)) is not None:
            return ""
        return trim_evidence(s)
    return ""


def find_deadline(
    text: str,
    *,
    reference: date | datetime,
    source_kind: str | None = None,
    url: str | None = None,
    now: date | datetime | None = None,
) -> Deadline | None:
    """The application deadline stated in ``text``; None when it states none.

    ``reference`` is the page's publication or opening date (it resolves a missing year);
    ``now`` (default: the reference) chooses between rounds: the next upcoming one, else the latest.
    ``source_kind`` and ``url`` decide Forskningsrådet's 13:00 rule.
    """
    flat = normalise(text)
    deadlines = _deadlines(flat, reference=reference, source_kind=source_kind, url=url)
    if deadlines:
        changed = turned_rolling(flat)
        if changed:
            return Deadline(rolling=True, evidence=trim_evidence(changed), certain=False)
        moment = as_moment(now if now is not None else reference)
        for deadline in deadlines:
            end = deadline.ends_at
            if end is not None and end >= moment:
                return deadline
        return deadlines[-1]
    phrase = rolling_phrase(flat)
    if phrase is not None:
        strength, sentence = phrase
        return Deadline(
            rolling=True,
            evidence=trim_evidence(sentence),
            certain=strength == "strong" and not _planned(flat),
        )
    return None
