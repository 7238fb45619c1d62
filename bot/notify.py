"""Rendering pushes and fanning them out into the outbox.

Every function here only queues (``storage.outbox.enqueue``); the sender delivers. The outbox's
unique key (chat, kind, subject) makes each of them safe to run again: a second poll, a restart
or another process queues nothing twice.

- New calls: ``notify_new_calls`` (called from ``bot.polling.ON_INGEST`` in the ingest's own
  transaction), to members with instant notices who followed a matching topic or keyword when the
  call was first seen. Members on daily or weekly digests get ``plan_digests`` instead.
- Changed deadlines: ``notify_deadline_changes``, "Fristen er endret" to those who were told.
- ``plan_reminders``, ``plan_digests``, ``plan_weekly_overview``, ``plan_event_reminders``: what is
  due now, from the database (``storage.pushes``), run every minute by ``bot/jobs.py``.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.config import Settings, parse_quiet_hours
from bot.services import Services
from storage import pushes
from storage.models import Call, Chat, Event
from storage.outbox import Claimed, enqueue
from storage.pushes import PushPolicy, quiet_end

log = logging.getLogger(__name__)

WEEKLY_DAYS = 14
WEEKLY_HOUR = 8
MAX_ITEMS = 60


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


def _deadline(call: Call, now: datetime, settings: Settings) -> str:
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
    return _deadline(call, now, settings).removeprefix("Frist: ")


def call_buttons(call: Call) -> dict[str, Any]:
    """ "Legg i kalender" (when there is a deadline) and "Ikke interessert"."""
    row = []
    if call.deadline_at is not None and not call.rolling:
        row.append({"text": texts.BUTTON_CALENDAR, "callback_data": f"push:ics:{call.id}"})
    row.append({"text": texts.BUTTON_MUTE, "callback_data": f"push:mute:{call.id}"})
    return {"inline_keyboard": [row]}


def _about(call: Call, now: datetime | None, settings: Settings) -> dict[str, Any]:
    """What the sender checks just before sending a push about a call (``refresh_payload``):
    the call, the local day the text was written (its "i morgen" is true that day) and when the
    deadline is over (a push held past it is not sent)."""
    about: dict[str, Any] = {"call_id": call.id}
    if now is not None:
        about["rendered_on"] = now.astimezone(settings.tz).date().isoformat()
    end = pushes.deadline_end(call)
    if end is not None and not call.rolling:
        about["expires_at"] = end.isoformat()
    return about


def render_new_call(call: Call, now: datetime, settings: Settings) -> dict[str, Any]:
    """The payload of a new-call notice: title, source, deadline, topics, link and the two buttons."""
    lines = [_deadline(call, now, settings)]
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
    return {
        "text": text,
        "reply_markup": call_buttons(call),
        "disable_web_page_preview": True,
        "deadline_key": pushes.reminder_key(call),
        **_about(call, now, settings),
    }


def render_digest(due: pushes.DigestDue, now: datetime, settings: Settings) -> dict[str, Any]:
    return render_digest_calls(due.mode, due.calls, now, settings)


def render_digest_calls(
    mode: str, calls: Sequence[Call], now: datetime, settings: Settings
) -> dict[str, Any]:
    """A daily or weekly digest of these calls, its days left counted from ``now``."""
    header = texts.DIGEST_WEEKLY if mode == "weekly" else texts.DIGEST_DAILY
    items = [
        texts.DIGEST_ITEM.format(
            title=_title(call),
            deadline=_deadline_short(call, now, settings),
            source=html.escape(call.source_name or "–"),
        )
        for call in calls[:MAX_ITEMS]
    ]
    text = "\n\n".join([header.format(count=len(calls)), *items, texts.DIGEST_FOOTER])
    return {
        "text": text,
        "disable_web_page_preview": True,
        "call_ids": [c.id for c in calls],
        "digest_mode": mode,
        "rendered_on": _local_day(now, settings),
    }


def _local_day(now: datetime, settings: Settings) -> str:
    return now.astimezone(settings.tz).date().isoformat()


def render_weekly(calls: Sequence[Call], now: datetime, settings: Settings) -> dict[str, Any]:
    if not calls:
        return {
            "text": texts.WEEKLY_EMPTY,
            "disable_web_page_preview": True,
            "rendered_on": _local_day(now, settings),
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
                left=html.escape(left),
                title=_title(call),
                source=html.escape(call.source_name or "–"),
            )
        )
    text = "\n\n".join([texts.WEEKLY_OVERVIEW, *items, texts.WEEKLY_FOOTER])
    return {
        "text": text,
        "disable_web_page_preview": True,
        "call_ids": [c.id for c in calls],
        "rendered_on": _local_day(now, settings),
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
    return {"text": "\n".join(lines), "disable_web_page_preview": True}


# ---- fan-out -----------------------------------------------------------------------------------


def _not_before(chat: Chat, moment: datetime, policy: PushPolicy) -> datetime:
    """Held back to the end of the chat's quiet hours, if ``moment`` falls in them."""
    return quiet_end(moment, policy.quiet_for(chat), policy.tz)


async def _enqueue_for(
    session: AsyncSession,
    chat: Chat,
    *,
    kind: str,
    subject: str,
    payload: dict[str, Any],
    now: datetime,
    policy: PushPolicy,
) -> bool:
    """Queue one push for a chat, held back to the end of its quiet hours and noted as such (so the
    held row follows the chat's quiet hours if the member changes them)."""
    at = _not_before(chat, now, policy)
    note = pushes.QUIET_HELD if at > now else None
    return await enqueue(
        session, chat_id=chat.id, kind=kind, subject=subject, payload=payload, not_before=at, note=note
    )


async def notify_new_calls(session: AsyncSession, services: Services, call_ids: Iterable[int]) -> int:
    """Queue a notice of each new call for every instant-notice member and group that follows it."""
    now = services.now()
    policy = policy_for(services.settings)
    count = 0
    for notice in await pushes.new_call_notices(session, call_ids, policy, now=now):
        payload = render_new_call(notice.call, now, services.settings)
        if await _enqueue_for(
            session,
            notice.chat,
            kind=pushes.KIND_NEW_CALL,
            subject=f"call:{notice.call.id}",
            payload=payload,
            now=now,
            policy=policy,
        ):
            count += 1
    if count:
        log.info("queued %d notices of new calls", count)
    return count


async def notify_deadline_changes(
    session: AsyncSession,
    services: Services,
    changes: Iterable[Any],
) -> int:
    """ "Fristen er endret" to those who were told of each call; notices not sent yet are rewritten.

    ``changes``: ``storage.calls.DeadlineChanged`` items or (call_id, old_at, new_at, old_rolling,
    new_rolling) tuples.
    """
    now = services.now()
    policy = policy_for(services.settings)
    count = 0
    for change in changes:
        if isinstance(change, tuple):
            call_id, old_at, _new_at, old_rolling, _new_rolling = change
        else:  # storage.calls.DeadlineChanged
            call_id, old_at, old_rolling = change.call_id, change.old_at, change.old_rolling
        call = await pushes.load_call(session, call_id)
        if call is None:
            continue
        # Reminders queued for the old deadline, and an earlier change not sent yet, are replaced.
        await pushes.cancel_pending(
            session,
            [call.id],
            kinds=(pushes.KIND_REMINDER, pushes.KIND_DEADLINE_CHANGED),
            reason=pushes.CANCELLED_DEADLINE,
        )
        for row in await pushes.pending_rows(session, pushes.KIND_NEW_CALL, f"call:{call.id}"):
            row.payload = render_new_call(call, now, services.settings)
        payload = render_deadline_changed(call, old_at, old_rolling, services.settings, now)
        key = pushes.reminder_key(call)
        for chat in await pushes.told_of(session, call):
            if await _enqueue_for(
                session,
                chat,
                kind=pushes.KIND_DEADLINE_CHANGED,
                subject=f"call:{call.id}:{key}",
                payload=payload,
                now=now,
                policy=policy,
            ):
                count += 1
    return count


async def on_ingest(session: AsyncSession, result: Any, services: Services) -> None:
    """The hook in ``bot.polling.ON_INGEST``: new calls, changed deadlines and closed calls, in the
    poll's own transaction."""
    new = list(getattr(result, "new", []) or [])
    changed = list(getattr(result, "deadline_changed", []) or [])
    closed = list(getattr(result, "closed", []) or [])
    if closed:
        cancelled = await pushes.cancel_pending(
            session, closed, kinds=pushes.CALL_KINDS, reason=pushes.CANCELLED_CLOSED
        )
        if cancelled:
            log.info("cancelled %d queued pushes about %d closed calls", cancelled, len(closed))
    if new:
        await notify_new_calls(session, services, new)
    if changed:
        await notify_deadline_changes(session, services, changed)
    if new or changed:
        wake_after_commit(session, services)


def wake_after_commit(session: AsyncSession, services: Services) -> None:
    """Wake this process's sender once the transaction that queued rows has committed.

    Waking it before the commit would let it look, see nothing yet, and wait a whole
    ``FOUI_OUTBOX_POLL_SECONDS`` for rows that were already there.
    """
    from bot.jobs import wake_sender

    def _wake(_session: Any) -> None:
        wake_sender(services)

    event.listen(session.sync_session, "after_commit", _wake, once=True)


async def plan_reminders(session: AsyncSession, services: Services) -> int:
    now = services.now()
    policy = policy_for(services.settings)
    count = 0
    for due in await pushes.due_reminders(session, now=now, policy=policy):
        if await _enqueue_for(
            session,
            due.chat,
            kind=pushes.KIND_REMINDER,
            subject=due.subject,
            payload=render_reminder(due.call, now, services.settings),
            now=now,
            policy=policy,
        ):
            count += 1
    return count


async def plan_digests(session: AsyncSession, services: Services) -> int:
    now = services.now()
    policy = policy_for(services.settings)
    count = 0
    for due in await pushes.due_digests(session, now=now, policy=policy):
        if await _enqueue_for(
            session,
            due.chat,
            kind=pushes.KIND_DIGEST,
            subject=due.subject,
            payload=render_digest(due, now, services.settings),
            now=now,
            policy=policy,
        ):
            count += 1
    return count


async def plan_weekly_overview(session: AsyncSession, services: Services) -> int:
    """ "Ukas frister" to the network group on Mondays from 08:00 (once a week)."""
    settings = services.settings
    if settings.group_chat_id is None:
        return 0
    now = services.now()
    moment = pushes.weekly_overview_moment(now, settings.tz, WEEKLY_HOUR)
    if moment is None:
        return 0
    chat = await pushes.group_chat(session, settings.group_chat_id, now=now)
    if not chat.active:
        return 0
    calls = await pushes.deadlines_between(session, now, now + timedelta(days=WEEKLY_DAYS))
    year, week, _ = moment.astimezone(settings.tz).isocalendar()
    queued = await enqueue(
        session,
        chat_id=chat.id,
        kind=pushes.KIND_WEEKLY,
        subject=f"weekly:{year}-W{week:02d}",
        payload=render_weekly(calls, now, settings),
        not_before=now,
    )
    return int(queued)


async def plan_event_reminders(session: AsyncSession, services: Services) -> int:
    now = services.now()
    policy = policy_for(services.settings)
    count = 0
    for due in await pushes.due_event_reminders(session, now=now, policy=policy):
        if await enqueue(
            session,
            chat_id=due.chat.id,
            kind=pushes.KIND_EVENT_REMINDER,
            subject=due.subject,
            payload=render_event_reminder(due.event, due.lead, services.settings),
            not_before=now,
        ):
            count += 1
    return count


async def refresh_payload(
    session: AsyncSession, services: Services, chat_id: int, kind: str, payload: dict[str, Any]
) -> dict[str, Any] | str:
    """A queued push, checked just before the sender sends it (``Sender(refresh=...)``).

    Returns the reason not to send it (the call closed or removed, its deadline over, or changed
    after this reminder was written; a digest none of whose calls is still open), or the payload:
    written again when it was written on an earlier day, so a notice, a digest or «Ukas frister»
    held over night does not say "i morgen" on the day itself. Same-day payloads cost no query.
    """
    now = services.now()
    settings = services.settings
    today = _local_day(now, settings)
    if kind == pushes.KIND_DIGEST:
        if payload.get("rendered_on") in (None, today):
            return payload
        return await _refresh_digest(session, services, chat_id, payload)
    if kind == pushes.KIND_WEEKLY:
        if payload.get("rendered_on") in (None, today):
            return payload
        calls = await pushes.deadlines_between(session, now, now + timedelta(days=WEEKLY_DAYS))
        return {**payload, **render_weekly(calls, now, settings)}
    call_id = payload.get("call_id")
    if kind not in pushes.CALL_KINDS or not isinstance(call_id, int):
        return payload
    expires = payload.get("expires_at")
    if isinstance(expires, str) and datetime.fromisoformat(expires) <= now:
        return pushes.CANCELLED_EXPIRED
    if payload.get("rendered_on") in (None, today):
        return payload
    call = await pushes.load_call(session, call_id)
    if call is None or call.status not in pushes.LIVE_STATUSES:
        return pushes.CANCELLED_CLOSED
    end = pushes.deadline_end(call)
    if end is not None and end <= now:
        return pushes.CANCELLED_EXPIRED
    if kind == pushes.KIND_NEW_CALL:
        return render_new_call(call, now, settings)
    if kind == pushes.KIND_REMINDER:
        if payload.get("deadline_key") != pushes.reminder_key(call):
            return pushes.CANCELLED_DEADLINE
        return render_reminder(call, now, settings)
    return payload


async def _refresh_digest(
    session: AsyncSession, services: Services, chat_id: int, payload: dict[str, Any]
) -> dict[str, Any] | str:
    """A digest written on an earlier day (held by quiet hours, retries or a stopped bot), as it
    should read now: calls closed, past their deadline, muted or no longer followed are left out
    (nothing left: not sent), and the days left are counted from today."""
    now = services.now()
    ids = [i for i in payload.get("call_ids") or [] if isinstance(i, int)]
    calls = [
        c
        for c in await pushes.load_calls(session, ids)
        if c.status in pushes.LIVE_STATUSES and ((end := pushes.deadline_end(c)) is None or end > now)
    ]
    wanted = await pushes.following(session, [chat_id], calls, policy_for(services.settings))
    calls = [c for c in calls if (chat_id, c.id) in wanted]
    if not calls:
        return pushes.CANCELLED_DIGEST_EMPTY
    order = {call_id: index for index, call_id in enumerate(ids)}
    calls.sort(key=lambda c: order.get(c.id, len(order)))
    mode = str(payload.get("digest_mode") or "daily")
    return {**payload, **render_digest_calls(mode, calls, now, services.settings)}


async def screen_claimed(
    session: AsyncSession, services: Services, rows: Sequence[Claimed]
) -> dict[int, str]:
    """Of a claimed batch, the pushes about a call their recipient no longer wants (unsubscribed,
    muted, switched to a digest, deleted their data), with the reason (``Sender(screen=...)``)."""
    return await pushes.unwanted(session, rows, policy_for(services.settings))


PLANNERS = (plan_reminders, plan_event_reminders, plan_digests, plan_weekly_overview)


async def plan_all(services: Services) -> dict[str, int]:
    """Queue everything that is due now; each planner in its own transaction, so one failing
    does not hold back the others. Returns how many rows each queued."""
    counts: dict[str, int] = {}
    for planner in PLANNERS:
        try:
            async with services.session() as session:
                counts[planner.__name__] = await planner(session, services)
        except Exception:
            log.exception("%s failed; it runs again in a minute", planner.__name__)
            counts[planner.__name__] = 0
    return counts
