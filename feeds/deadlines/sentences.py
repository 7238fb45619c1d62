"""Dates inside running text: each read by its sentence, as a Norwegian reader would.

- The cue nearest before the date in its clause decides (``cues.classify_context``); with none, a
  cue right after it ("5. mars 2025 (Søknadsfrist)", "1. juni var det frist for å melde inn").
- Dates joined by "og", "and", "," share their reading ("Søknadsfrist 1. mars og 1. oktober").
- A range "fra A til B", "A–B", "mellom A og B", "1.–28. februar": A is a start, never a deadline;
  B is the application period's end when the range is a søknadsperiode or the call's open window
  ("er åpen mellom ..."), and nothing when it is a project period or an event ("i perioden ...").
- A moved deadline ("utsatt", "flytta", "forlenget", "postponed"): the date after "fra"/"frå" is
  the old one, the date after "til" the new one, which keeps the sentence's deadline word.
- Past tense ("Hovedsøknadsfrist var 15. februar", "som ikke søkte innen fristen 1. april",
  "1. juni var det frist") is an earlier round, not this one.
- A date at the start of a line followed by ":" dates a note ("4. mars 2024: Vi har i dag ...").
"""

from __future__ import annotations

import re

from feeds.deadlines import cues as c
from feeds.deadlines.candidates import OTHER, SENTENCE, Candidate, trim_evidence
from feeds.deadlines.dates import DateMention

# A sentence ends at ".", "!" or "?" before a capital (or the end), at ";", "•", "·" or a line break:
# (?:[.!?](?:\s+|$)(?=[A-ZÆØÅ«\"(]|$))|[;•·]|\n, written to start with a class (feeds.deadlines.scan).
_SENTENCE_END = re.compile(r"[.!?;•·\n](?:(?<=[.!?])(?:\s+|$)(?=[A-ZÆØÅ«\"(]|$)|(?<=[;•·\n]))")
_CLAUSE = re.compile(r",\s*(?:og|men|and|but|while)\b|\bmen\b|;", re.IGNORECASE)
_JOINER = re.compile(r"^\s*(?:og|and|eller|or|,|&|samt)\s*$", re.IGNORECASE)
_RANGE = re.compile(r"^\.?\s*(?:til|til\s+og\s+med|to|until|[-–—])\s*$", re.IGNORECASE)
_AND = re.compile(r"^\s*(?:og|and)\s*$", re.IGNORECASE)
_BETWEEN = re.compile(r"\b(?:mellom|between)\s*$", re.IGNORECASE)
_RANGE_OPEN = re.compile(r"\b(?:fra|frå|from|mellom|between)\s*$", re.IGNORECASE)
_OPEN_WINDOW = re.compile(
    r"\b(?:åpen|open|ope|søknadsvindu\w*|kan\s+søke|kan\s+søkje|can\s+apply|tar\s+imot|tek\s+imot|mottar|accept\w*)\b",
    re.IGNORECASE,
)
_NOTE = re.compile(r"^\s*:")
_FOR_OTHER = re.compile(
    r"^[\s,(]*(?:for|til)\s+(?:\w+\s+){0,2}?(?:\w*skisse\w*|innspill\w*|innspel\w*|påmelding\w*|registrering\w*|"
    r"rapport\w*|outlines?|pre-?proposals?|registration|reports?)\b",
    re.IGNORECASE,
)
_FOR_APPLICATION = re.compile(
    r"^[\s,(]*for\s+(?:\w+\s+){0,2}?(?:\w*søknad\w*|applications?|full\s+proposals?)\b", re.I
)
_WINDOW_WORD = re.compile(r"(?:åpn|opn|open|åpen|periode|period)", re.IGNORECASE)


def _masked(text: str, mentions: list[DateMention]) -> str:
    """The text with every date replaced by letters, so that a date's dots end no sentence."""
    chars = list(text)
    for m in mentions:
        end = m.end - 1 if text[m.end - 1] == "." else m.end  # "15. oktober." ends its sentence
        for k in range(m.start, end):
            if chars[k] != "\n":
                chars[k] = "d"
    return "".join(chars)


def sentence_spans(text: str, mentions: list[DateMention]) -> list[tuple[int, int]]:
    """(start, end) of every sentence, dates kept whole."""
    masked = _masked(text, mentions)
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(masked):
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text)))
    return spans


def _sentence_of(spans: list[tuple[int, int]], pos: int) -> int:
    for k, (start, end) in enumerate(spans):
        if start <= pos < end or (pos == end == spans[-1][1]):
            return k
    return len(spans) - 1


def _clause_start(text: str, floor: int, pos: int) -> int:
    start = floor
    for m in _CLAUSE.finditer(text, floor, pos):
        start = m.end()
    return start


def _range_end_kind(head: str, moved: bool) -> tuple[str | None, bool]:
    """What the end of "fra A til B" is, from the words before the range."""
    kind, labelled = c.classify_context(head)
    if moved and kind in (c.STRONG, c.WEAK, None) and any(q.kind == c.STRONG for q in c.cues(head)):
        return c.STRONG, True
    if kind == c.STRONG:
        return c.STRONG, labelled
    if kind == c.NEG:
        # "kan søkje i perioden 1.–28. februar", "er åpen for søknader fra A til B": the window to apply
        negs = [q for q in c.cues(head) if q.kind == c.NEG]
        window = all(_WINDOW_WORD.match(q.text) for q in negs)
        applying = _OPEN_WINDOW.search(head) or any(q.kind == c.VERB for q in c.cues(head))
        return (c.WEAK, False) if window and applying else (OTHER, False)
    if _OPEN_WINDOW.search(head) or any(q.kind == c.VERB for q in c.cues(head)):
        return c.WEAK, False
    return None, False


def _reading(
    text: str, mentions: list[DateMention], i: int, ctx: _Ctx, out: dict[int, Candidate]
) -> Candidate:
    """One mention's reading in its sentence."""
    mention = mentions[i]
    cand = Candidate(mention, None, SENTENCE, ctx.evidence, sentence=ctx.index)
    if not text[ctx.line_start : mention.start].strip(" •·-*") and _NOTE.match(text[mention.end :]):
        cand.kind = OTHER  # "4. mars 2024: Vi har i dag ..."
        return cand
    before = out.get(ctx.prev) if ctx.prev is not None else None
    if before is not None and ctx.prev is not None:
        between = text[mentions[ctx.prev].end : mention.start]
        head_ctx = text[ctx.clause : mentions[ctx.prev].start]
        is_range = bool(_RANGE.match(between)) or (
            bool(_AND.match(between)) and bool(_BETWEEN.search(head_ctx))
        )
        if is_range:
            cand.kind, cand.labelled = _range_end_kind(_RANGE_OPEN.sub("", head_ctx), ctx.moved)
            cand.moved = ctx.moved and bool(_RANGE_OPEN.search(head_ctx)) and cand.kind == c.STRONG
            before.kind = OTHER
            return cand
        if _JOINER.match(between):
            shared = before.list_kind if before.list_kind is not None else before.kind
            cand.kind, cand.labelled, cand.moved = shared, before.labelled, before.moved
            cand.year = before.year
            return cand
    kind, labelled = c.classify_context(ctx.context)
    if kind is None:
        kind = c.classify_after(ctx.after)
        labelled = kind == c.STRONG
    if ctx.moved:
        if c.FROM_BEFORE.search(ctx.context):
            kind = OTHER
        elif kind in (None, c.WEAK) and c.TO_BEFORE.search(ctx.context):
            if any(q.kind == c.STRONG for q in c.cues(text[ctx.start : mention.start])):
                kind, labelled = c.STRONG, True
        cand.moved = kind == c.STRONG
    cand.kind = OTHER if kind == c.NEG else kind
    cand.labelled = labelled and cand.kind == c.STRONG
    return cand


class _Ctx:
    """Where a mention stands: its sentence, clause, the text before and after it."""

    def __init__(
        self, text: str, mentions: list[DateMention], i: int, spans: list[tuple[int, int]], skip: set[int]
    ):
        mention = mentions[i]
        self.index = _sentence_of(spans, mention.start)
        self.start, self.end = spans[self.index]
        sentence = text[self.start : self.end]
        self.evidence = trim_evidence(sentence, mention.start - self.start)
        self.moved = bool(c.MOVED.search(sentence))
        self.prev = i - 1 if i > 0 and mentions[i - 1].end > self.start and (i - 1) not in skip else None
        floor = mentions[self.prev].end if self.prev is not None else self.start
        self.clause = _clause_start(text, self.start, mention.start)
        self.context = text[max(floor, self.clause) : mention.start]
        nxt = mentions[i + 1].start if i + 1 < len(mentions) else self.end
        self.after = text[mention.end : min(nxt, self.end)]
        self.line_start = text.rfind("\n", 0, mention.start) + 1
        self.sentence = sentence


def read_sentences(
    text: str, mentions: list[DateMention], skip: set[int], spans: list[tuple[int, int]] | None = None
) -> dict[int, Candidate]:
    """Candidates for the mentions inside running text (those not in ``skip``), by mention index."""
    spans = spans if spans is not None else sentence_spans(text, mentions)
    out: dict[int, Candidate] = {}
    for i, mention in enumerate(mentions):
        if i in skip:
            continue
        ctx = _Ctx(text, mentions, i, spans, skip)
        cand = _reading(text, mentions, i, ctx, out)
        cand.self_ref = bool(c.SELF.search(ctx.sentence))
        cand.recurring = bool(c.RECURRING.search(ctx.sentence))
        cand.tentative = bool(c.TENTATIVE.search(ctx.sentence))
        year = c.YEAR_OF_DEADLINES.search(text, ctx.start, mention.start)
        if year and mention.year is None:
            cand.year = int(year.group("y"))
        _purpose(cand, ctx.after, text[ctx.start : mention.start])
        if cand.is_deadline and not ctx.moved:
            past_before = c.PAST.search(ctx.context)
            if past_before or c.PAST_RIGHT_AFTER.match(ctx.after):
                cand.kind = OTHER  # an earlier round
        out[i] = cand
    _share_times(text, mentions, out)
    return out


def _purpose(cand: Candidate, after: str, before: str) -> None:
    """A date followed by what it is for: "Frist 1. mars for skisser og 1. juni for hovedsøknader"."""
    cand.list_kind = cand.kind
    if _FOR_OTHER.match(after):
        cand.kind = OTHER
    elif _FOR_APPLICATION.match(after) and not cand.is_deadline:
        if any(q.kind == c.STRONG for q in c.cues(before)):
            cand.kind = c.STRONG  # the sentence's deadline word, for the application


def _share_times(text: str, mentions: list[DateMention], out: dict[int, Candidate]) -> None:
    """A time given once for a list of dates ("20. mars og 2. oktober kl. 23:59") holds for all."""
    for i in range(len(mentions) - 2, -1, -1):
        a, b = mentions[i], mentions[i + 1]
        if i not in out or (i + 1) not in out or out[i].kind != out[i + 1].kind:
            continue
        if a.hour is None and b.hour is not None and _JOINER.match(text[a.end : b.start]):
            a.hour, a.minute = b.hour, b.minute
