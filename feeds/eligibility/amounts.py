"""Amounts of money in Norwegian and English call texts, and what each one is.

Forms read: "kr 500 000", "500 000 kroner", "500.000,-", "2 mill. kroner", "291,985 mill.kr",
"5,4 millioner kroner", "fem millioner kroner", "1 milliard kroner", "MNOK 1,5", "1,5 MNOK",
"NOK 1.5 million", "EUR 2 million", "€ 2 000 000", "15 millionar i ekstra midlar" (a scale without a
currency, only where the sentence is about money), ranges "mellom 3 og 7 millioner kroner",
"fra 500 000 til 2 mill. kroner", "1–3 mill. kroner".

An amount counts only with a cue in its sentence; without one it is left alone ("honorar til
forfattar 3000 kroner" in a budget example is not what the call offers):

- minimum: "minst", "minimum", "at least" right before it, or the low end of a range;
- maximum per project: "inntil", "opptil", "maks", "høyst", "up to" right before it, the high end
  of a range, or a per-project sentence ("Maksimalt tilskudd per prosjekt er ...", "kan søke om");
- total: "satt av", "lyser ut", "ramme", "tilgjengelige midler", "til fordeling", "totalt", ...
  ("lyser ut inntil 1,5 milliarder" is a total: "inntil" is about the pot, not a project).
The first amount of each kind wins, labelled fields ("Antatt tilgjengelige midler:", "Beløp:",
"Støttegrenser:") before running text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from feeds.eligibility.lazy import Lazy
from feeds.eligibility.model import Amount
from feeds.eligibility.text import Field, Label, Sentence, clip

__all__ = ["Amounts", "money_in", "read_amounts"]

_F = re.IGNORECASE
_NUM = r"\d{1,3}(?:[  .]\d{3})+(?:,\d+)?|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?"
_GROUPED = r"\d{1,3}(?: \d{3}){2,}"  # "19 000 000": written like money, read as money in a money sentence
_WORDS = {
    "en": 1, "ett": 1, "ein": 1, "eitt": 1, "én": 1, "one": 1, "to": 2, "two": 2, "tre": 3, "three": 3,
    "fire": 4, "four": 4, "fem": 5, "five": 5, "seks": 6, "six": 6, "sju": 7, "syv": 7, "seven": 7,
    "åtte": 8, "eight": 8, "ni": 9, "nine": 9, "ti": 10, "ten": 10, "tolv": 12, "femten": 15,
    "tjue": 20, "twenty": 20, "tretti": 30, "førti": 40, "femti": 50, "fifty": 50, "hundre": 100,
}  # fmt: skip
_WORD = "|".join(sorted(_WORDS, key=len, reverse=True))
_SCALE = r"(?:mill(?:ioner|ionar|ions?)?\.?|mnok|mrd\.?|milliard(?:er|ar)?|billions?|bn|tusen|thousand)"
_CUR_BEFORE = r"(?:kr\.?|nok|mnok|eur|€|euro)"
_CUR_AFTER = r"(?:(?:norske\s+)?(?:kroner|kronar|kr\.?)|mnok|nok|,-|eur|euro|€)"
_MONEY = Lazy(
    rf"(?<![\w,.])(?:(?P<cur1>{_CUR_BEFORE})\s?(?P<num1>{_NUM})(?:\s?(?P<scale1>{_SCALE}))?"
    rf"|(?:(?P<num2>{_NUM})|(?P<word2>{_WORD}))\s?(?P<scale2>{_SCALE})?\s?(?P<cur2>{_CUR_AFTER})"
    rf"|(?:(?P<num3>{_NUM})|(?P<word3>{_WORD}))\s(?P<scale3>{_SCALE})|(?P<num4>{_GROUPED}))(?![\w])",
    _F,
)
_HINT = Lazy(r"\d|mill|milliard|mrd|mnok|billion", _F)
_RANGE_BEFORE = Lazy(
    rf"(?:mellom|between|fra|frå|from)?\s*(?P<low>{_NUM})\s*(?P<lowscale>{_SCALE})?\s*(?:og|and|til|to|–|-)\s*$",
    _F,
)
_MONEY_CONTEXT = Lazy(
    r"\b(?:midl\w*|\w*midler|\w*midlar|tilskudd\w*|tilskot\w*|støtte\w*|kroner|kronar|budsjett\w*|ramme\w*"
    r"|beløp\w*|funding|grants?|budget|satt\s+av|sett\s+av|dele\s+ut|til\s+fordeling|lyser\s+ut|utlys\w*)\b",
    _F,
)
_CUE = Lazy(
    r"\b(?:(?P<min>minst|minimum|min\.|nedre\s+grense\w*|at\s+least|ikke\s+under|ikkje\s+under)"
    r"|(?P<max>inntil|opptil|opp\s+til|maks\w*|høyst|høgst|øvre\s+grense\w*|up\s+to|max\w*"
    r"|ikke\s+(?:over|mer\s+enn)|ikkje\s+(?:over|meir\s+enn)))\b",
    _F,
)
_PER_PROJECT = Lazy(
    r"\b(?:per|pr\.?)\s+(?:prosjekt\w*|søknad\w*|søker\w*|søkjar\w*|tiltak\w*|project\w*|application\w*|kommune)"
    r"|\bkan\s+søk(?:e|je)\s+om|\bcan\s+apply\s+for|\bsøknadsbeløp\w*|\bstøttegrense\w*|\bstøttebeløp\w*"
    r"|\bmaksimal\w*\s+(?:tilskudd|tilskot|støtte)\w*|\bsøke\s+om\s+(?:inntil|opptil|mellom)",
    _F,
)
_TOTAL = Lazy(
    r"\b(?:satt\s+av|sett\s+av|avsatt|avsetning\w*|lyser\s+(?:\S+\s+){0,4}?ut|utlyser|utlyst\w*|utlyses"
    r"|ramme\w*|tilgjengel\w+|til\s+fordeling|fordele\w*|del(?:er|e)\s+ut|totalt|samlet|samla|i\s+alt"
    r"|budsjett\w*|bevilg\w*|total\s+budget|available|disponibel\w*|pott\w*)\b",
    _F,
)
# Sentences that report demand or past awards, not what the call offers.
_REPORT = Lazy(
    r"\b(?:mottok|mottatt|fikk\s+inn|fekk\s+inn|kom\s+(?:det\s+)?inn|fordelte|har\s+fordelt|er\s+fordelt"
    r"|tildelte|har\s+tildelt|er\s+tildelt|delte\s+ut|har\s+delt\s+ut|received|awarded)\b",
    _F,
)
_CHANGE = Lazy(
    r"\b(?:økt|økte|øker|auka|aukar|redusert|reduserte|endret|endra|justert|justerte|increased|reduced|raised)\b",
    _F,
)
_MULTIPLIER = (
    ("mnok", 10**6), ("mrd", 10**9), ("milliard", 10**9), ("billion", 10**9), ("bn", 10**9),
    ("mill", 10**6), ("tusen", 10**3), ("thousand", 10**3),
)  # fmt: skip


@dataclass(frozen=True)
class Money:
    value: int
    currency: str
    start: int
    end: int
    factor: int  # 10**6 for "mill." and the like, else 1


@dataclass(frozen=True)
class Amounts:
    minimum: Amount | None = None
    maximum: Amount | None = None
    total: Amount | None = None


def _number(raw: str, scaled: bool) -> float:
    raw = raw.replace(" ", "").replace("\u00a0", "")
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", raw):  # 1.500.000 / 500.000,50
        return float(raw.replace(".", "").replace(",", "."))
    if re.fullmatch(r"\d{1,3}(?:,\d{3}){2,}", raw) or (not scaled and re.fullmatch(r"\d{1,3},\d{3}", raw)):
        return float(raw.replace(",", ""))  # English thousands: 1,500,000 / 500,000 NOK
    return float(raw.replace(",", "."))


def _multiplier(*tokens: str | None) -> int:
    for token in tokens:
        low = (token or "").lower()
        for prefix, factor in _MULTIPLIER:
            if low.startswith(prefix):
                return factor
    return 1


def money_in(sentence: str) -> list[Money]:
    """Every amount of money in a sentence, in order."""
    out: list[Money] = []
    if not _HINT.search(sentence):
        return out
    for m in _MONEY.finditer(sentence):
        cur = m.group("cur1") or m.group("cur2")
        scale = m.group("scale1") or m.group("scale2") or m.group("scale3")
        if cur is None and not m.group("num4") and not _MONEY_CONTEXT.search(sentence):
            continue  # "5 millioner innbyggere"
        word = m.group("word2") or m.group("word3")
        if word and not scale:
            continue  # "to kroner" is no offer
        factor = _multiplier(scale, cur)
        num = m.group("num1") or m.group("num2") or m.group("num3") or m.group("num4")
        if m.group("num4") and not _MONEY_CONTEXT.search(sentence):
            continue
        base = float(_WORDS[word.lower()]) if word else _number(num or "0", factor > 1)
        value = round(base * factor)
        if value < 1000:
            continue
        currency = "EUR" if cur and cur.lower().strip(".") in ("eur", "€", "euro") else "NOK"
        out.append(Money(value, currency, m.start(), m.end(), factor))
    return out


def _classify(sentence: str, found: list[Money], per_project: bool = False) -> list[tuple[str, Money, bool]]:
    """(kind, amount, strong) for the amounts with a cue; kind is "min", "max" or "total".

    Strong: a per-project sentence, a range "mellom 3 og 7 millioner", a total's own words. Weak: a
    bare "inntil"/"minst" (a headline's "Inntil 20 millioner kroner til ..." may be the whole pot).
    """
    if _REPORT.search(sentence):
        return []
    per_project = per_project or bool(_PER_PROJECT.search(sentence))
    total = bool(_TOTAL.search(sentence))
    change = _CHANGE.search(sentence)
    out: list[tuple[str, Money, bool]] = []
    floor = 0
    for money in found:
        before = sentence[floor : money.start]
        floor = money.end
        if change and re.search(r"\b(?:med|by)\s*$", before, _F):
            continue  # "økt ... med 2 millioner kroner": a change, not an amount
        rng = None if change else _RANGE_BEFORE.search(before)
        if rng and (re.match(r"\s*(?:mellom|between)", rng.group(0), _F) or per_project):
            low_value = _range_low(rng.group("low"), rng.group("lowscale"), money)
            if low_value:
                out.append(
                    ("min", Money(low_value, money.currency, money.start, money.end, money.factor), True)
                )
            out.append(("max", money, True))
            continue
        cues = list(_CUE.finditer(before[-40:]))
        cue = cues[-1].lastgroup if cues else None
        if cue and (per_project or not total):
            out.append((cue, money, per_project))
        elif total and not per_project:
            out.append(("total", money, True))
        elif per_project:
            out.append(("max", money, True))
    return out


def _range_low(low: str, low_scale: str | None, high: Money) -> int:
    """The low end of "mellom 3 og 7 millioner kroner": the high end's scale when it has none."""
    factor = _multiplier(low_scale) if low_scale else high.factor
    value = round(_number(low, factor > 1) * factor)
    return value if 1000 <= value < high.value else 0


def read_amounts(sentences: list[Sentence], fields: list[Field]) -> Amounts:
    """The call's minimum, maximum (per project) and total amounts, each with its sentence."""
    strong: dict[str, Amount] = {}
    weak: dict[str, Amount] = {}
    for f in fields:
        if f.label is Label.TOTAL:
            found = money_in(f.value)
            if found and not _PER_PROJECT.search(f.value) and not _REPORT.search(f.value):
                strong.setdefault("total", Amount(found[0].value, f.evidence, found[0].currency))
        elif f.label is Label.LIMITS:
            for kind, money, _strong in _classify(f.value, money_in(f.value), per_project=True):
                strong.setdefault(kind, Amount(money.value, f.evidence, money.currency))
    for s in sentences:
        for kind, money, is_strong in _classify(s.text, money_in(s.text)):
            (strong if is_strong else weak).setdefault(
                kind, Amount(money.value, clip(s.text), money.currency)
            )
    slots = {**weak, **strong}
    return Amounts(slots.get("min"), slots.get("max"), slots.get("total"))
