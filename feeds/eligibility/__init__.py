"""Who may apply for a call, and on what terms, read from the call's own text (pure: no I/O).

``extract(text, title=..., facts=...)`` returns ``Conditions``: the applicant types (kommune,
fylkeskommune, interkommunalt samarbeid, bedrift, forskningsorganisasjon, frivillig organisasjon,
andre), who may take part as a partner, who may not apply, whether a research partner or several
municipalities are required (or encouraged), the amounts (minimum and maximum per project, total)
and co-funding. Every finding carries the sentence it was read from; what the text does not state
stays None ("ukjent"): a guess is worse than nothing. ``Conditions.verdict`` says what it means for a
municipality: it can apply, it can take part, the call is not for municipalities, or unknown.

``facts`` are label/value pairs a source adapter read off the page ("eligible": "Hvem kan søke"
text, "audience": "Målgruppe", "amount": the listing's "Antatt tilgjengelige midler").

The modules: ``text`` (labelled fields and sentences), ``vocab`` (the words for each kind of
applicant), ``roles`` (who may apply or take part), ``amounts`` (money), ``needs`` (research
partner, several municipalities, co-funding), ``model`` (the result and its JSON form).
"""

from __future__ import annotations

from collections.abc import Mapping

from feeds.eligibility.amounts import read_amounts
from feeds.eligibility.model import (
    MUNICIPAL,
    Amount,
    Applicant,
    CoFunding,
    Conditions,
    Need,
    Requirement,
    Roles,
    Verdict,
)
from feeds.eligibility.needs import read_cofunding, read_research_partner, read_several_municipalities
from feeds.eligibility.roles import read_roles
from feeds.eligibility.text import fields, sentences

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
    "extract",
]

_FACT_LABELS = {"eligible": "Hvem kan søke", "audience": "Målgruppe", "amount": "Antatt tilgjengelige midler"}


def extract(text: str, *, title: str = "", facts: Mapping[str, str] | None = None) -> Conditions:
    """Everything the call's text says about who may apply and on what terms."""
    extra = [
        f"{_FACT_LABELS[k]}: {v}" for k, v in (facts or {}).items() if k in _FACT_LABELS and v and v.strip()
    ]
    full = "\n".join([*extra, text or ""])
    found_fields = fields(full)
    found_sentences = sentences(full)
    roles = read_roles(found_sentences, found_fields, title=title)
    amounts = read_amounts(found_sentences, found_fields)
    return Conditions(
        applicants=roles.applicants,
        participants=roles.participants,
        excluded=roles.excluded,
        research_partner=read_research_partner(found_sentences),
        several_municipalities=read_several_municipalities(found_sentences),
        amount_min=amounts.minimum,
        amount_max=amounts.maximum,
        amount_total=amounts.total,
        cofunding=read_cofunding(found_sentences),
        mentions_partners=roles.mentions_partners,
    )
