"""Rendering "Kan vi søke?" and "Vi søker": the line that says who may apply, the status buttons,
the network's statuses, partner questions and introductions, plans and milestone reminders.

Pure of I/O, like ``bot.push.render``: each function returns text or a payload for the outbox.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot import texts
from bot.config import Settings
from feeds.eligibility import Conditions, Need, Verdict
from storage.models import Call
from storage.rules.applications import APPLYING, CONSIDERING, NOT_RELEVANT, Milestone, milestone_due
from storage.rules.reminders import reminder_key

STATUS_CODES = {"v": CONSIDERING, "s": APPLYING, "x": NOT_RELEVANT}
CODE_OF = {status: code for code, status in STATUS_CODES.items()}
_BUTTONS = (
    (CONSIDERING, texts.BUTTON_CONSIDER),
    (APPLYING, texts.BUTTON_APPLY),
    (NOT_RELEVANT, texts.BUTTON_NOT_RELEVANT),
)
PHRASES = {
    CONSIDERING: texts.STATUS_PHRASE_CONSIDER,
    APPLYING: texts.STATUS_PHRASE_APPLY,
    NOT_RELEVANT: texts.STATUS_PHRASE_NOT_RELEVANT,
}
WORDS = {
    CONSIDERING: texts.STATUS_WORD_CONSIDER,
    APPLYING: texts.STATUS_WORD_APPLY,
    NOT_RELEVANT: texts.STATUS_WORD_NOT_RELEVANT,
}
_VERDICTS = {
    Verdict.CAN_APPLY: texts.ELIG_CAN_APPLY,
    Verdict.CAN_PARTNER: texts.ELIG_CAN_PARTNER,
    Verdict.NOT_FOR: texts.ELIG_NOT_FOR,
    Verdict.UNKNOWN: texts.ELIG_UNKNOWN,
}


# ---- who may apply, and how much -------------------------------------------------------------------


def _number(value: float) -> str:
    """1,5 / 20 / 291,99 (Norwegian decimal comma, at most two decimals)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def money(value: int, currency: str = "NOK") -> str:
    """ "500 000 kr", "2 mill. kr", "1,5 mrd. kr", "60 000 euro"."""
    unit = texts.UNIT_EUR if currency == "EUR" else texts.UNIT_NOK
    if value >= 1_000_000_000:
        return texts.MONEY_BILLIONS.format(value=_number(value / 1e9), unit=unit)
    if value >= 1_000_000:
        return texts.MONEY_MILLIONS.format(value=_number(value / 1e6), unit=unit)
    return texts.MONEY_PLAIN.format(value=f"{value:,}".replace(",", "\u00a0"), unit=unit)


def amount_text(c: Conditions) -> str | None:
    """ "inntil 7 mill. kr per prosjekt (ramme 20 mill. kr)", or None when no amount is stated."""
    per: str | None = None
    low, high = c.amount_min, c.amount_max
    if low and high:
        same_scale = low.currency == high.currency and 10**6 <= low.value and high.value < 10**9
        low_text = _number(low.value / 1e6) if same_scale else money(low.value, low.currency)
        per = texts.AMOUNT_RANGE.format(low=low_text, high=money(high.value, high.currency))
    elif high:
        per = texts.AMOUNT_MAX.format(amount=money(high.value, high.currency))
    elif low:
        per = texts.AMOUNT_MIN.format(amount=money(low.value, low.currency))
    total = c.amount_total
    if per and total:
        return per + texts.AMOUNT_TOTAL_AFTER.format(amount=money(total.value, total.currency))
    if total:
        return texts.AMOUNT_TOTAL.format(amount=money(total.value, total.currency))
    return per


def eligibility_line(data: Mapping[str, Any] | None) -> str:
    """One line: who may apply and the amount ("✅ Kommunen kan søke · inntil 2 mill. kr per prosjekt")."""
    c = Conditions.from_dict(data)
    parts = [texts.tr(_VERDICTS[c.verdict])]
    amount = amount_text(c)
    if amount:
        parts.append(amount)
    return html.escape(texts.ELIG_SEPARATOR.join(parts))


def requirement_lines(data: Mapping[str, Any] | None) -> list[str]:
    """Research partner, several municipalities and co-funding, as the detail view lists them."""
    c = Conditions.from_dict(data)
    lines = []
    if c.research_partner:
        required = c.research_partner.need is Need.REQUIRED
        lines.append(texts.COND_RESEARCH_REQUIRED if required else texts.COND_RESEARCH_ENCOURAGED)
    if c.several_municipalities:
        required = c.several_municipalities.need is Need.REQUIRED
        lines.append(texts.COND_SEVERAL_REQUIRED if required else texts.COND_SEVERAL_ENCOURAGED)
    if c.cofunding:
        if not c.cofunding.required:
            lines.append(texts.COND_NO_COFUNDING)
        elif c.cofunding.own_share_percent:
            lines.append(texts.COND_COFUNDING_SHARE.format(percent=c.cofunding.own_share_percent))
        else:
            lines.append(texts.COND_COFUNDING)
    return [html.escape(line) for line in lines]


def required_partners(data: Mapping[str, Any] | None) -> tuple[list[str], str | None]:
    """What the call requires of partners (as sentences to show) and the text's own words for it."""
    c = Conditions.from_dict(data)
    found, evidence = [], None
    if c.research_partner and c.research_partner.need is Need.REQUIRED:
        found.append(texts.REQ_RESEARCH)
        evidence = c.research_partner.sentence
    if c.several_municipalities and c.several_municipalities.need is Need.REQUIRED:
        found.append(texts.REQ_SEVERAL)
        evidence = evidence or c.several_municipalities.sentence
    return found, evidence


def evidence_line(data: Mapping[str, Any] | None) -> str | None:
    sentence = Conditions.from_dict(data).verdict_evidence
    return texts.COND_EVIDENCE.format(sentence=html.escape(sentence)) if sentence else None


# ---- statuses ------------------------------------------------------------------------------------


def status_rows(call_id: int, chosen: str | None = None) -> list[list[dict[str, str]]]:
    """ "Vi vurderer", "Vi søker", "Ikke aktuelt" (the chosen one ticked), then "Detaljer"."""
    row = [
        {
            "text": texts.BUTTON_CHOSEN.format(label=texts.tr(label))
            if status == chosen
            else texts.tr(label),
            "callback_data": f"ap:s:{call_id}:{CODE_OF[status]}",
        }
        for status, label in _BUTTONS
    ]
    return [row, [{"text": texts.BUTTON_DETAILS, "callback_data": f"ap:v:{call_id}"}]]


def network_summary(statuses: Sequence[tuple[str, str]]) -> str:
    """ "3 kommuner vurderer, 1 søker (Inderøy)" (escaped)."""
    considering = [m for m, s in statuses if s == CONSIDERING]
    applying = [m for m, s in statuses if s == APPLYING]
    not_relevant = [m for m, s in statuses if s == NOT_RELEVANT]
    parts = []
    if considering:
        one = len(considering) == 1
        parts.append(
            texts.NETWORK_CONSIDER_ONE if one else texts.NETWORK_CONSIDER.format(count=len(considering))
        )
    if applying:
        parts.append(texts.NETWORK_APPLY.format(count=len(applying), names=", ".join(applying)))
    if not_relevant:
        parts.append(texts.NETWORK_NOT_RELEVANT.format(count=len(not_relevant)))
    return html.escape(texts.NETWORK_JOIN.join(parts) if parts else texts.NETWORK_NONE)


# ---- pushes through the outbox -------------------------------------------------------------------


def _title(call: Call) -> str:
    title = html.escape(" ".join(call.title.split()))
    if call.url:
        return texts.CALL_TITLE_LINK.format(url=html.escape(call.url, quote=True), title=title)
    return texts.CALL_TITLE_PLAIN.format(title=title)


def contact_html(name: str, username: str | None, telegram_id: int) -> str:
    """How to reach a person: their @username, else a link that opens a chat with them."""
    if username:
        return html.escape(texts.PARTNER_CONTACT_USERNAME.format(username=username))
    return texts.PARTNER_CONTACT_LINK.format(user_id=int(telegram_id))


def render_partner_ask(call: Call, municipality: str, status: str, intro_id: int) -> dict[str, Any]:
    text = texts.PARTNER_ASK.format(
        municipality=html.escape(municipality),
        phrase=html.escape(texts.tr(PHRASES[status])),
        title=_title(call),
    )
    buttons = [
        [
            {"text": texts.PARTNER_YES_BUTTON, "callback_data": f"ap:p:{intro_id}:y"},
            {"text": texts.PARTNER_NO_BUTTON, "callback_data": f"ap:p:{intro_id}:n"},
        ]
    ]
    return {"text": text, "reply_markup": {"inline_keyboard": buttons}, "disable_web_page_preview": True}


def render_partner_intro(
    call: Call, name: str, username: str | None, telegram_id: int, municipality: str
) -> dict[str, Any]:
    text = texts.PARTNER_INTRO.format(
        title=_title(call),
        name=html.escape(name or "?"),
        municipality=html.escape(municipality),
        contact=contact_html(name, username, telegram_id),
    )
    return {"text": text, "disable_web_page_preview": True}


def render_help_request(
    call: Call,
    name: str,
    username: str | None,
    telegram_id: int,
    municipality: str,
    requirements: Sequence[str],
) -> dict[str, Any]:
    text = texts.REQ_HELP_REQUEST.format(
        name=html.escape(name or "?"),
        municipality=html.escape(municipality),
        title=_title(call),
        requirements=html.escape(" ".join(requirements)),
        contact=contact_html(name, username, telegram_id),
    )
    return {"text": text, "disable_web_page_preview": True}


def weeks_text(weeks: int) -> str:
    return texts.WEEKS_ONE if weeks == 1 else texts.WEEKS_MANY.format(count=weeks)


def plan_items(call: Call, milestones: Sequence[Milestone], now: datetime, settings: Settings) -> list[str]:
    assert call.deadline_at is not None
    items = []
    for m in milestones:
        at = milestone_due(call.deadline_at, m.weeks, settings.tz)
        if at < now:
            items.append(texts.PLAN_ITEM_PASSED.format(label=html.escape(m.label), weeks=weeks_text(m.weeks)))
        else:
            when = texts.format_date(at.date(), today=now.astimezone(settings.tz).date())
            items.append(
                texts.PLAN_ITEM.format(
                    date=html.escape(when), weeks=weeks_text(m.weeks), label=html.escape(m.label)
                )
            )
    return items


def render_plan_offer(
    call: Call, milestones: Sequence[Milestone], now: datetime, settings: Settings
) -> tuple[str, list[list[tuple[str, str]]]]:
    """The offer of a plan (a direct reply to "Vi søker"): its text and buttons."""
    assert call.deadline_at is not None
    deadline = texts.format_datetime(call.deadline_at, has_time=call.deadline_has_time, tz=settings.tz)
    text = texts.PLAN_OFFER.format(
        title=_title(call),
        deadline=html.escape(deadline),
        items="\n".join(plan_items(call, milestones, now, settings)),
    )
    rows = [[(texts.PLAN_YES_BUTTON, f"ap:m:{call.id}:y"), (texts.PLAN_NO_BUTTON, f"ap:m:{call.id}:n")]]
    return text, rows


def render_milestone(
    call: Call, milestone: Milestone, municipality: str, plan_id: int, now: datetime, settings: Settings
) -> dict[str, Any]:
    assert call.deadline_at is not None
    deadline = texts.format_datetime(call.deadline_at, has_time=call.deadline_has_time, tz=settings.tz)
    left = texts.format_days_left(texts.days_left(call.deadline_at, now, settings.tz))
    text = texts.MILESTONE.format(
        label=html.escape(milestone.label),
        title=_title(call),
        deadline=html.escape(deadline),
        left=html.escape(left),
        weeks=weeks_text(milestone.weeks),
        municipality=html.escape(municipality),
    )
    return {
        "text": text,
        "reply_markup": {"inline_keyboard": status_rows(call.id, APPLYING)},
        "disable_web_page_preview": True,
        "call_id": call.id,
        "plan_id": plan_id,
        "deadline_key": reminder_key(call),
    }
