"""How /kilder shows a source: its line in the list, its card with its health, the card's buttons."""

from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from bot import texts
from handlers.coordinator import keyboard
from handlers.source_checks import kind_label, plain_reason
from storage.models import Source

LIST, ADD = "kl", "kla"  # the list's and cards' buttons; the add conversation's buttons


def _when(at: datetime | None, tz: ZoneInfo, now: datetime, default: str) -> str:
    if at is None:
        return default
    return texts.format_datetime(at, tz=tz, today=now.astimezone(tz).date())


def icon(source: Source) -> str:
    if not source.enabled:
        return "⏸"
    if source.last_success_at is None and source.last_error_at is None:
        return "⚪"
    failing = source.last_error_at is not None and (
        source.last_success_at is None or source.last_error_at > source.last_success_at
    )
    return "🔴" if failing else "🟢"


def _last_error(source: Source) -> str:
    error = (source.last_error or "").strip()
    return plain_reason(error.splitlines()[0])[:200] if error else ""


def next_poll_text(source: Source, tz: ZoneInfo, now: datetime) -> str:
    if not source.enabled:
        return texts.KI_NEXT_PAUSED
    if source.next_poll_at is None or source.next_poll_at <= now:
        return texts.KI_NEXT_SOON
    return _when(source.next_poll_at, tz, now, texts.KI_NEXT_SOON)


def _state(source: Source) -> str:
    return texts.KI_STATE_ACTIVE if source.enabled else texts.KI_STATE_PAUSED


def drift_line(alarm: str) -> str:
    """The open drift alarm under a source in the list (``bot.poll.drift``), or ""."""
    return texts.KI_DRIFT_LINE.format(text=html.escape(alarm[:200])) if alarm else ""


def render_line(source: Source, tz: ZoneInfo, now: datetime, alarm: str = "") -> str:
    """One source in the list: kind, state, last success, items found, failures, next poll, error,
    and its drift alarm."""
    error = _last_error(source)
    failures = source.consecutive_failures or 0
    return texts.KI_LINE.format(
        icon=icon(source),
        name=html.escape(source.name),
        kind=html.escape(kind_label(source.kind)),
        state=_state(source),
        success=_when(source.last_success_at, tz, now, texts.KI_NEVER),
        found=source.items_found or 0,
        failures=texts.KI_LINE_FAILURES.format(count=failures) if failures else "",
        next=next_poll_text(source, tz, now),
        error=texts.KI_LINE_ERROR.format(error=html.escape(error)) if error else "",
    ) + drift_line(alarm)


def render_card(
    source: Source,
    topic_names: dict[str, str],
    tz: ZoneInfo,
    now: datetime,
    alarm: tuple[str, datetime | None] | None = None,
) -> str:
    """One source with all of its health, and its open drift alarm (text, since when)."""
    topics = ", ".join(topic_names.get(s, s) for s in source.topics or []) or texts.NO_TOPICS
    error = _last_error(source)
    if error and source.last_error_at is not None:
        error = f"{error} ({_when(source.last_error_at, tz, now, '')})"
    return texts.KI_CARD.format(
        icon=icon(source),
        name=html.escape(source.name),
        kind=html.escape(kind_label(source.kind)),
        state=_state(source),
        url=html.escape(source.url),
        topics=html.escape(topics),
        success=_when(source.last_success_at, tz, now, texts.KI_NEVER),
        error=html.escape(error) if error else texts.KI_NO_ERROR,
        found=source.items_found or 0,
        failures=source.consecutive_failures or 0,
        next=next_poll_text(source, tz, now),
    ) + (
        texts.KI_DRIFT_CARD.format(when=_when(alarm[1], tz, now, ""), text=html.escape(alarm[0][:300]))
        if alarm
        else ""
    )


def card_keyboard(source: Source, *, alarm: bool = False) -> InlineKeyboardMarkup:
    toggle_button = (
        (texts.BTN_KI_PAUSE, f"{LIST}:pause:{source.id}")
        if source.enabled
        else (texts.BTN_KI_RESUME, f"{LIST}:resume:{source.id}")
    )
    ack = [[(texts.BTN_KI_DRIFT_ACK, f"{LIST}:ack:{source.id}")]] if alarm else []
    return keyboard(
        [
            *ack,
            [toggle_button, (texts.BTN_KI_POLL, f"{LIST}:poll:{source.id}")],
            [(texts.BTN_KI_REMOVE, f"{LIST}:rm:{source.id}"), (texts.BTN_KI_LIST, f"{LIST}:list")],
        ]
    )
