"""What the eligibility reader finds in a call's text: plain values, each with its evidence sentence.

Nothing here guesses: a field the text does not state is None ("ukjent"). ``Conditions.to_dict``
and ``Conditions.from_dict`` turn a result into JSON-safe data and back (the database stores it so).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = [
    "MUNICIPAL",
    "Amount",
    "Applicant",
    "CoFunding",
    "Conditions",
    "Need",
    "Requirement",
    "Roles",
    "Verdict",
]


class Applicant(StrEnum):
    """Who may apply or take part, as the call names them."""

    KOMMUNE = "kommune"
    FYLKESKOMMUNE = "fylkeskommune"
    INTERKOMMUNALT = "interkommunalt"  # interkommunalt samarbeid, regionråd, sammenslutninger av kommuner
    BEDRIFT = "bedrift"
    FORSKNING = "forskningsorganisasjon"
    FRIVILLIG = "frivillig"  # frivillig organisasjon, lag og foreninger
    ANDRE = "andre"  # stiftelser, statlige virksomheter, enkeltpersoner, kommunale foretak ...


# What counts as "the municipality" for a municipal contact: itself, or a cooperation of municipalities.
MUNICIPAL = frozenset({Applicant.KOMMUNE, Applicant.INTERKOMMUNALT})


class Verdict(StrEnum):
    """What a call means for a municipality."""

    CAN_APPLY = "kan_soke"
    CAN_PARTNER = "kan_delta"
    NOT_FOR = "ikke"
    UNKNOWN = "ukjent"


class Need(StrEnum):
    """How strongly a call asks for something (a research partner, several municipalities)."""

    REQUIRED = "kreves"
    ENCOURAGED = "oppfordres"


@dataclass(frozen=True)
class Roles:
    """Types of organisation, each with the sentence that names it.

    ``exhaustive`` is True when the text lists who may apply ("Hvem kan søke: Kommuner",
    "X og Y kan søke") rather than naming someone in passing ("skal mobilisere bedrifter").
    """

    found: Mapping[Applicant, str] = field(default_factory=dict)
    exhaustive: bool = False

    @property
    def types(self) -> frozenset[Applicant]:
        return frozenset(self.found)

    def __bool__(self) -> bool:
        return bool(self.found)

    def evidence(self, *types: Applicant) -> str | None:
        """The sentence for the first of ``types`` that was found."""
        return next((self.found[t] for t in types if t in self.found), None)


@dataclass(frozen=True)
class Amount:
    """An amount in whole units of ``currency`` ("NOK" unless the text says "EUR")."""

    value: int
    sentence: str
    currency: str = "NOK"


@dataclass(frozen=True)
class CoFunding:
    """Co-funding: required or not, and the applicant's minimum own share in percent where stated."""

    required: bool
    sentence: str
    own_share_percent: int | None = None


@dataclass(frozen=True)
class Requirement:
    need: Need
    sentence: str


@dataclass(frozen=True)
class Conditions:
    """Everything the reader found; every field None or empty means "ukjent"."""

    applicants: Roles = field(default_factory=Roles)
    participants: Roles = field(default_factory=Roles)
    excluded: Roles = field(default_factory=Roles)
    research_partner: Requirement | None = None
    several_municipalities: Requirement | None = None
    amount_min: Amount | None = None
    amount_max: Amount | None = None
    amount_total: Amount | None = None
    cofunding: CoFunding | None = None
    mentions_partners: bool = False  # the text talks about partners or participants at all

    @property
    def verdict(self) -> Verdict:
        """May a municipality apply, take part, or neither? Unknown unless the text says.

        "Ikke for kommuner" needs either an explicit exclusion or an exhaustive list of applicants
        without municipalities in a text that says nothing about partners (where a municipality
        might still take part): hiding a call from someone who could use it is the worse mistake.
        """
        if self.applicants.types & MUNICIPAL:
            return Verdict.CAN_APPLY
        if self.participants.types & MUNICIPAL:
            return Verdict.CAN_PARTNER
        if Applicant.KOMMUNE in self.excluded.types:
            return Verdict.NOT_FOR
        if self.applicants.exhaustive and self.applicants and not self.mentions_partners:
            return Verdict.NOT_FOR
        return Verdict.UNKNOWN

    @property
    def verdict_evidence(self) -> str | None:
        verdict = self.verdict
        if verdict is Verdict.CAN_APPLY:
            return self.applicants.evidence(*MUNICIPAL)
        if verdict is Verdict.CAN_PARTNER:
            return self.participants.evidence(*MUNICIPAL)
        if verdict is Verdict.NOT_FOR:
            return self.excluded.evidence(Applicant.KOMMUNE) or next(iter(self.applicants.found.values()))
        return None

    @property
    def empty(self) -> bool:
        return self == Conditions(mentions_partners=self.mentions_partners)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe data (enum values as strings)."""

        def roles(r: Roles) -> dict[str, Any]:
            return {"found": {t.value: s for t, s in r.found.items()}, "exhaustive": r.exhaustive}

        def amount(a: Amount | None) -> dict[str, Any] | None:
            return None if a is None else {"value": a.value, "currency": a.currency, "sentence": a.sentence}

        def requirement(r: Requirement | None) -> dict[str, str] | None:
            return None if r is None else {"need": r.need.value, "sentence": r.sentence}

        cof = self.cofunding
        return {
            "applicants": roles(self.applicants),
            "participants": roles(self.participants),
            "excluded": roles(self.excluded),
            "research_partner": requirement(self.research_partner),
            "several_municipalities": requirement(self.several_municipalities),
            "amount_min": amount(self.amount_min),
            "amount_max": amount(self.amount_max),
            "amount_total": amount(self.amount_total),
            "cofunding": None
            if cof is None
            else {
                "required": cof.required,
                "own_share_percent": cof.own_share_percent,
                "sentence": cof.sentence,
            },
            "mentions_partners": self.mentions_partners,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Conditions:
        """The inverse of ``to_dict``; unknown or malformed parts read as "ukjent"."""
        if not data:
            return cls()

        def roles(raw: Any) -> Roles:
            if not isinstance(raw, Mapping):
                return Roles()
            found = {
                Applicant(k): str(v) for k, v in dict(raw.get("found") or {}).items() if k in _APPLICANTS
            }
            return Roles(found=found, exhaustive=bool(raw.get("exhaustive")))

        def amount(raw: Any) -> Amount | None:
            if not isinstance(raw, Mapping) or not isinstance(raw.get("value"), int):
                return None
            return Amount(raw["value"], str(raw.get("sentence", "")), str(raw.get("currency") or "NOK"))

        def requirement(raw: Any) -> Requirement | None:
            if not isinstance(raw, Mapping) or raw.get("need") not in _NEEDS:
                return None
            return Requirement(Need(raw["need"]), str(raw.get("sentence", "")))

        cof = data.get("cofunding")
        cofunding = None
        if isinstance(cof, Mapping) and isinstance(cof.get("required"), bool):
            share = cof.get("own_share_percent")
            cofunding = CoFunding(
                cof["required"], str(cof.get("sentence", "")), share if isinstance(share, int) else None
            )
        return cls(
            applicants=roles(data.get("applicants")),
            participants=roles(data.get("participants")),
            excluded=roles(data.get("excluded")),
            research_partner=requirement(data.get("research_partner")),
            several_municipalities=requirement(data.get("several_municipalities")),
            amount_min=amount(data.get("amount_min")),
            amount_max=amount(data.get("amount_max")),
            amount_total=amount(data.get("amount_total")),
            cofunding=cofunding,
            mentions_partners=bool(data.get("mentions_partners")),
        )


_APPLICANTS = {a.value for a in Applicant}
_NEEDS = {n.value for n in Need}
