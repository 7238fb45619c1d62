"""Rendering pushes: the text and buttons of each kind of push, from the settings and the call.

Pure of I/O: every function returns a payload (a dict the sender turns into a Telegram message).
The fan-out (``bot.push.fanout``) and the planners (``bot.push.plan``) queue them in the outbox;
``bot.push.refresh`` writes them again just before sending when the day has changed.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot import texts
from bot.config import Settings, parse_quiet_hours
from bot.push.apply_render import eligibility_line, status_rows
from bot.texts.i18n import current_language
from storage.digests import DigestDue
from storage.models import Call, Event
from storage.rules.deadline_truth import DeadlineState
from storage.rules.policy import PushPolicy
from storage.rules.reminders import deadline_end, reminder_key
from storage.truth import effective, source_reading

log = logging.getLogger(__name__)

WEEKLY_DAYS = 14
WEEKLY_HOUR = 8
MAX_ITEMS = 60
EVIDENCE_MAX = 110
# «Vis som bilde» under the weekly overview and the weekly digest: ``tl:uke:<scope>:<YYYYMMDD>``
# (``alle``: every deadline, as the group's overview lists them; ``mine``: the chat's topics; the
# day it was written, so a press months later is known to be stale). Answered by handlers.pictures.
WEEKLY_PICTURE = "tl:uke"


def _fallback_matches(text: str, keyword: str) -> bool:
    return keyword.casefold() in text.casefold()


def policy_for(settings: Settings) -> PushPolicy:
    """The push policy from the settings, with the keyword matcher of ``feeds.topics``."""
    try:
        from feeds.topics import matches_keyword
    except ImportError:  # pragma: no cover - feeds.topics ships with the sources issue
        matches_keyword = _fallback_matches
    return PushPolicy(
        tz=settings.tz,
        default_quiet=settings.quiet,
        default_reminder_days=tuple(settings.reminder_days),
        default_digest_hour=settings.digest_hour,
        parse_quiet=parse_quiet_hours,
        matches_keyword=matches_keyword,
    )


# ---- rendering ---------------------------------------------------------------------------------


def _title(call: Call) -> str:
    title = html.escape(" ".join(call.title.split()))
    if call.url:
        return texts.CALL_TITLE_LINK.format(url=html.escape(call.url, quote=True), title=title)
    return texts.CALL_TITLE_PLAIN.format(title=title)


def deadline_line(call: Call, now: datetime, settings: Settings) -> str:
    """ "Frist: …" with the days left, or rolling / no deadline (pushes and the call's detail view)."""
    if call.rolling or call.deadline_at is None:
        return texts.CALL_DEADLINE_ROLLING if call.rolling else texts.CALL_DEADLINE_NONE
    when = texts.format_datetime(
        call.deadline_at,
        has_time=call.deadline_has_time,
        tz=settings.tz,
        today=now.astimezone(settings.tz).date(),
    )
    left = texts.format_days_left(texts.days_left(call.deadline_at, now, settings.tz))
    return texts.CALL_DEADLINE.format(deadline=html.escape(when), left=html.escape(left))


def _deadline_short(call: Call, now: datetime, settings: Settings) -> str:
    return deadline_line(call, now, settings).removeprefix("Frist: ")


def unconfirmed(call: Call) -> str:
    """The mark after a deadline that waits for a coordinator ("frist ikke bekreftet"), else ""."""
    has_deadline = call.rolling or call.deadline_at is not None
    return texts.DEADLINE_UNCONFIRMED if has_deadline and call.deadline_state == DeadlineState.WAITING else ""


def evidence_line(call: Call) -> str:
    """One short line: what the deadline stands on (the page's words, or a coordinator)."""
    if call.manual:
        return texts.EVIDENCE_MANUAL
    words = html.escape(shorten(" ".join(call.deadline_evidence.split()), EVIDENCE_MAX))
    if call.deadline_state == DeadlineState.SET or not effective(call).same(source_reading(call)):
        return texts.EVIDENCE_SET
    if call.deadline_state == DeadlineState.CONFIRMED:
        return texts.EVIDENCE_CONFIRMED.format(evidence=words) if words else texts.EVIDENCE_CONFIRMED_PLAIN
    if (call.rolling or call.deadline_at is not None) and words:
        return texts.EVIDENCE_PAGE.format(evidence=words)
    return ""


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def call_buttons(call: Call) -> dict[str, Any]:
    """ "Legg i kalender" (when there is a deadline) and "Ikke interessert"; then the municipality's
    "Vi vurderer" / "Vi søker" / "Ikke aktuelt" and "Detaljer" (``bot.push.apply_render``)."""
    row = []
    if call.deadline_at is not None and not call.rolling:
        row.append({"text": texts.BUTTON_CALENDAR, "callback_data": f"push:ics:{call.id}"})
    row.append({"text": texts.BUTTON_MUTE, "callback_data": f"push:mute:{call.id}"})
    return {"inline_keyboard": [row, *status_rows(call.id)]}


def _about(call: Call, now: datetime | None, settings: Settings) -> dict[str, Any]:
    """What the sender checks just before sending a push about a call (``refresh_payload``):
    the call and the deadline it was written for, the local day the text was written (its "i morgen"
    is true that day) and when the deadline is over (a push held past it is not sent)."""
    # the deadline it was written for: a push whose call's deadline moved since is never sent as it is
    about: dict[str, Any] = {"call_id": call.id, "deadline_key": reminder_key(call)}
    if now is not None:
        about["rendered_on"] = now.astimezone(settings.tz).date().isoformat()
        about["lang"] = current_language()  # written again at sending in the recipient's language
    end = deadline_end(call)
    if end is not None and not call.rolling:
        about["expires_at"] = end.isoformat()
    return about


def render_new_call(
    call: Call, now: datetime, settings: Settings, conditions: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The payload of a new-call notice: title, deadline (and what it stands on), who may apply and
    how much (``conditions``: the stored reading, ``storage.conditions``), source, topics, link and the
    buttons."""
    lines = [deadline_line(call, now, settings) + unconfirmed(call)]
    if evidence_line(call):
        lines.append(evidence_line(call))
    lines.append(eligibility_line(conditions))
    if call.source_name:
        lines.append(texts.CALL_SOURCE.format(source=html.escape(call.source_name)))
    if call.topics:
        lines.append(texts.CALL_TOPICS.format(topics=html.escape(" · ".join(t.name for t in call.topics))))
    text = texts.NEW_CALL.format(title=_title(call), details="\n".join(lines))
    return {
        "text": text,
        "reply_markup": call_buttons(call),
        "disable_web_page_preview": True,
        **_about(call, now, settings),
    }


def _deadline_value(at: datetime | None, rolling: bool, has_time: bool, settings: Settings) -> str:
    if rolling:
        return texts.DEADLINE_CHANGED_ROLLING
    if at is None:
        return texts.DEADLINE_CHANGED_NONE
    return html.escape(texts.format_datetime(at, has_time=has_time, tz=settings.tz))


def render_deadline_changed(
    call: Call,
    old_at: datetime | None,
    old_rolling: bool,
    settings: Settings,
    now: datetime | None = None,
) -> dict[str, Any]:
    # A passed deadline followed by a later one is the next round, not a correction.
    next_round = (
        now is not None
        and old_at is not None
        and old_at < now
        and call.deadline_at is not None
        and call.deadline_at > old_at
    )
    template = texts.DEADLINE_NEXT_ROUND if next_round else texts.DEADLINE_CHANGED
    text = template.format(
        title=_title(call),
        new=_deadline_value(call.deadline_at, call.rolling, call.deadline_has_time, settings),
        old=_deadline_value(old_at, old_rolling, call.deadline_has_time, settings),
    )
    if evidence_line(call):
        text += "\n" + evidence_line(call)
    return {
        "text": text,
        "reply_markup": call_buttons(call),
        "disable_web_page_preview": True,
        **_about(call, None, settings),
    }


def render_reminder(call: Call, now: datetime, settings: Settings) -> dict[str, Any]:
    assert call.deadline_at is not None
    left = texts.format_days_left(texts.days_left(call.deadline_at, now, settings.tz))
    when = texts.format_datetime(call.deadline_at, has_time=call.deadline_has_time, tz=settings.tz)
    source = texts.CALL_SOURCE.format(source=html.escape(call.source_name)) if call.source_name else ""
    text = texts.REMINDER.format(
        left=html.escape(left), title=_title(call), deadline=html.escape(when), source=source
    ).rstrip()
    if evidence_line(call):
        text += "\n" + evidence_line(call)
    return {
        "text": text,
        "reply_markup": call_buttons(call),
        "disable_web_page_preview": True,
        "deadline_key": reminder_key(call),
        **_about(call, now, settings),
    }


def render_digest(due: DigestDue, now: datetime, settings: Settings) -> dict[str, Any]:
    return render_digest_calls(due.mode, due.calls, now, settings)


def render_digest_calls(
    mode: str, calls: Sequence[Call], now: datetime, settings: Settings
) -> dict[str, Any]:
    """A daily or weekly digest of these calls, its days left counted from ``now``."""
    header = texts.DIGEST_WEEKLY if mode == "weekly" else texts.DIGEST_DAILY
    items = [
        texts.DIGEST_ITEM.format(
            title=_title(call),
            deadline=_deadline_short(call, now, settings) + unconfirmed(call),
            source=html.escape(call.source_name or "–"),
        )
        + (f"\n  {evidence_line(call)}" if evidence_line(call) else "")
        for call in calls[:MAX_ITEMS]
    ]
    text = "\n\n".join([header.format(count=len(calls)), *items, texts.DIGEST_FOOTER])
    return {
        "text": text,
        "disable_web_page_preview": True,
        "call_ids": [c.id for c in calls],
        "digest_mode": mode,
        **({"reply_markup": picture_button("mine", now, settings)} if mode == "weekly" else {}),
        "rendered_on": local_day(now, settings),
        "lang": current_language(),
    }


def local_day(now: datetime, settings: Settings) -> str:
    return now.astimezone(settings.tz).date().isoformat()


def picture_button(scope: str, now: datetime, settings: Settings) -> dict[str, Any]:
    """The weekly overview's «Vis som bilde»: the next weeks' deadlines as a picture, next to the text."""
    day = now.astimezone(settings.tz).date().strftime("%Y%m%d")
    data = f"{WEEKLY_PICTURE}:{scope}:{day}"
    return {"inline_keyboard": [[{"text": texts.BTN_TIMELINE, "callback_data": data}]]}


def render_weekly(calls: Sequence[Call], now: datetime, settings: Settings) -> dict[str, Any]:
    if not calls:
        return {
            "text": texts.WEEKLY_EMPTY,
            "disable_web_page_preview": True,
            "reply_markup": picture_button("alle", now, settings),  # the next 8 weeks may hold some
            "rendered_on": local_day(now, settings),
            "lang": current_language(),
        }
    today = now.astimezone(settings.tz).date()
    items = []
    for call in calls[:MAX_ITEMS]:
        assert call.deadline_at is not None
        when = texts.format_datetime(
            call.deadline_at, has_time=call.deadline_has_time, tz=settings.tz, today=today
        )
        left = texts.format_days_left(texts.days_left(call.deadline_at, now, settings.tz))
        items.append(
            texts.WEEKLY_ITEM.format(
                deadline=html.escape(when),
                left=html.escape(left) + unconfirmed(call),
                title=_title(call),
                source=html.escape(call.source_name or "–"),
            )
            + (f"\n  {evidence_line(call)}" if evidence_line(call) else "")
        )
    text = "\n\n".join([texts.WEEKLY_OVERVIEW, *items, texts.WEEKLY_FOOTER])
    return {
        "text": text,
        "disable_web_page_preview": True,
        "reply_markup": picture_button("alle", now, settings),
        "call_ids": [c.id for c in calls],
        "rendered_on": local_day(now, settings),
        "lang": current_language(),
    }


def render_event_reminder(event: Event, lead: str, settings: Settings) -> dict[str, Any]:
    head = texts.EVENT_REMINDER_DAY if lead == "day" else texts.EVENT_REMINDER_HOUR
    lines = [
        head.format(title=html.escape(event.title)),
        texts.EVENT_WHEN.format(when=html.escape(texts.format_datetime(event.starts_at, tz=settings.tz))),
    ]
    if event.location:
        lines.append(texts.EVENT_WHERE.format(where=html.escape(event.location)))
    if event.video_url:
        lines.append(texts.EVENT_LINK.format(url=html.escape(event.video_url, quote=True)))
    if event.description:  # safe HTML, with the coordinator's formatting and links
        lines += ["", event.description]
    return {
        "text": "\n".join(lines),
        "disable_web_page_preview": True,
        # Written again in the recipient's language by the sender (``bot.push.refresh``).
        "event_id": event.id,
        "lead": lead,
        "lang": current_language(),
    }
