"""A call's own life after its first notice: "Utlysningen er åpnet" when a planned call opens, and one
grouped "Utlysningen er endret" when what matters in its text changes (amount, who may apply,
deadline), never one notice per field.

``note_call_life`` runs in the poll's transaction, after the conditions were read (called from
``bot.push.fanout.on_ingest``); an opening or a change is only noted there (``storage.fanouts``) and
told to the followers by ``fan_out_opened`` or ``tell_call_changed``, run by ``bot.push.fanout_job``
after the poll's commit. What members last heard of each call
is kept in ``call_watch`` (its status and a small snapshot of what matters), so a restart or a
second poll tells nothing twice; the outbox's unique key (chat, kind, subject) is the second guard.
A deadline that changed on its own keeps the fan-out's "Fristen er endret"; when it changed together
with the amount or who may apply, that notice is replaced by the grouped one.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.push.apply_render import amount_text, eligibility_line
from bot.push.render import call_buttons, deadline_line, evidence_line, policy_for
from bot.push.wake import wake_fanout_after_commit
from bot.services import Services
from feeds.eligibility import Conditions
from storage import pushes
from storage.conditions import conditions_of
from storage.fanouts import FANOUT_CALL_CHANGED, FANOUT_OPENED, queue_fanout_items, queue_fanouts
from storage.models import Call, CallStatus
from storage.notices import new_call_notices, told_rows
from storage.outbox import enqueue_for
from storage.pushes_bulk import by_moment, enqueue_group
from storage.rules.kinds import KIND_DEADLINE_CHANGED
from storage.source_models import CallWatch

log = logging.getLogger(__name__)

CHUNK = 500
KIND_CALL_OPENED = "call_opened"
KIND_CALL_CHANGED = "call_changed"
CANCELLED_GROUPED = "med i samlet endringsvarsel"
FIELDS = ("amount", "who", "deadline")
_LABELS = {
    "amount": texts.CALL_CHANGE_AMOUNT,
    "who": texts.CALL_CHANGE_WHO,
    "deadline": texts.CALL_CHANGE_DEADLINE,
}


def material(call: Call, conditions: Mapping[str, Any] | None, settings: Any) -> dict[str, str]:
    """What matters in a call for a municipality, as short display texts ("" when not stated)."""
    c = Conditions.from_dict(conditions)
    who = ", ".join(sorted(t.value for t in c.applicants.types))
    if call.rolling:
        deadline = texts.DEADLINE_CHANGED_ROLLING
    elif call.deadline_at is not None:
        deadline = texts.format_datetime(call.deadline_at, has_time=call.deadline_has_time, tz=settings.tz)
    else:
        deadline = ""
    return {"amount": amount_text(c) or "", "who": who, "deadline": deadline}


def changes_between(old: Mapping[str, Any], new: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """(field, old, new) for each field both state and that differs; a field that went missing is
    more likely a page read badly than a change, and is not told."""
    found = []
    for name in FIELDS:
        before, after = str(old.get(name) or ""), new.get(name, "")
        if before and after and before != after:
            found.append((name, before, after))
    return found


def _title(call: Call) -> str:
    title = html.escape(" ".join(call.title.split()))
    if call.url:
        return texts.CALL_TITLE_LINK.format(url=html.escape(call.url, quote=True), title=title)
    return texts.CALL_TITLE_PLAIN.format(title=title)


def render_opened(
    call: Call, now: datetime, settings: Any, conditions: Mapping[str, Any] | None
) -> dict[str, Any]:
    lines = [deadline_line(call, now, settings)]
    if evidence_line(call):
        lines.append(evidence_line(call))
    lines.append(eligibility_line(conditions))
    if call.source_name:
        lines.append(texts.CALL_SOURCE.format(source=html.escape(call.source_name)))
    text = texts.CALL_OPENED.format(title=_title(call), details="\n".join(lines))
    return {
        "text": text,
        "reply_markup": call_buttons(call),
        "disable_web_page_preview": True,
        "call_id": call.id,
    }


def render_changed(call: Call, changes: list[tuple[str, str, str]]) -> dict[str, Any]:
    lines = [
        texts.CALL_CHANGE_LINE.format(
            what=texts.tr(_LABELS[name]), new=html.escape(new), old=html.escape(old)
        )
        for name, old, new in changes
    ]
    text = texts.CALL_CHANGED.format(title=_title(call), changes="\n".join(lines))
    return {
        "text": text,
        "reply_markup": call_buttons(call),
        "disable_web_page_preview": True,
        "call_id": call.id,
    }


def _digest(changes: list[tuple[str, str, str]]) -> str:
    return hashlib.sha256(json.dumps(changes, ensure_ascii=False).encode()).hexdigest()[:16]


async def fan_out_opened(session: AsyncSession, services: Services, call_id: int) -> int:
    """ "Utlysningen er åpnet" to those who follow the call's topics or keywords (as for a new call);
    run by ``bot.push.fanout_job`` after the poll that saw it open. Nothing if it closed since."""
    call = await session.get(Call, call_id)
    if call is None or call.status != CallStatus.OPEN:
        return 0
    now, settings = services.now(), services.settings
    policy = policy_for(settings)
    reading = (await conditions_of(session, [call.id])).get(call.id)
    payload = render_opened(call, now, settings, reading.data if reading else None)
    queued = 0
    for notice in await new_call_notices(session, [call.id], policy, now=now):
        if await enqueue_for(
            session, notice.chat, kind=KIND_CALL_OPENED, subject=f"call:{call.id}:opened",
            payload=payload, now=now, policy=policy,
        ):  # fmt: skip
            queued += 1
    if queued:
        log.info("queued %d notices of a call that opened", queued)
    return queued


async def note_call_life(session: AsyncSession, services: Services, result: Any) -> int:
    """In the poll's transaction: note the fan-outs this ingest calls for, an opening
    (``call_opened``) or a grouped change (``call_changed``, its subject the changes' digest, its
    detail the changes), done by ``bot.push.fanout_job`` after the commit; returns how many were
    new. ``call_watch`` moves on here, so the next poll compares with what was noted."""
    ids = list(getattr(result, "touched", []) or [])
    if not ids:
        return 0
    now, settings = services.now(), services.settings
    calls: list[Call] = []
    watched: dict[int, CallWatch] = {}
    for i in range(0, len(ids), CHUNK):  # well under SQLite's variable limit
        chunk = ids[i : i + CHUNK]
        found = await session.execute(select(Call).where(Call.id.in_(chunk), Call.manual.is_(False)))
        calls.extend(found.scalars())
        rows = await session.execute(select(CallWatch).where(CallWatch.call_id.in_(chunk)))
        watched.update({w.call_id: w for w in rows.scalars()})
    readings = await conditions_of(session, [c.id for c in calls])
    told_deadline = {getattr(c, "call_id", None) for c in getattr(result, "deadline_changed", []) or []}
    opened: list[int] = []
    changed: list[tuple[int, str, dict[str, Any] | None]] = []
    for call in calls:
        reading = readings.get(call.id)
        data = reading.data if reading else None
        now_material = material(call, data, settings)
        watch = watched.get(call.id)
        if watch is None:
            session.add(CallWatch(call_id=call.id, status=call.status, material=now_material, updated_at=now))
            continue
        changes = changes_between(watch.material or {}, now_material)
        if watch.status == CallStatus.PLANNED and call.status == CallStatus.OPEN:
            opened.append(call.id)
        elif any(name != "deadline" for name, _, _ in changes):
            # With the deadline among the changes, the grouped notice replaces "Fristen er endret".
            grouped = call.id in told_deadline or any(name == "deadline" for name, _, _ in changes)
            detail = {"changes": [list(c) for c in changes], "grouped": grouped}
            changed.append((call.id, f"call:{call.id}:changed:{_digest(changes)}", detail))
        watch.status, watch.material, watch.updated_at = call.status, now_material, now
    noted = await queue_fanouts(session, opened, FANOUT_OPENED)
    noted += await queue_fanout_items(session, FANOUT_CALL_CHANGED, changed)
    if noted:
        wake_fanout_after_commit(session, services)
    return noted


async def tell_call_changed(
    session: AsyncSession, services: Services, call: Call, *, subject: str, detail: Mapping[str, Any]
) -> int:
    """The grouped "Utlysningen er endret" (a ``call_changed`` fan-out, run by
    ``bot.push.fanout.fan_out_changes``) to those who were told of the call, one statement per
    batch of chats whose quiet hours end at the same moment; a "Fristen er endret" not sent yet is
    cancelled when the deadline is among the changes. Returns how many rows were queued."""
    changes = [(str(name), str(old), str(new)) for name, old, new in detail.get("changes") or []]
    if not changes:
        return 0
    if detail.get("grouped"):
        await pushes.cancel_pending(
            session, [call.id], kinds=(KIND_DEADLINE_CHANGED,), reason=CANCELLED_GROUPED
        )
    now = services.now()
    policy = policy_for(services.settings)
    payload = render_changed(call, changes)
    queued = 0
    for (at, note), ids in by_moment(await told_rows(session, call), now, policy).items():
        queued += await enqueue_group(
            session, ids, kind=KIND_CALL_CHANGED, subject=subject, payload=payload, not_before=at, note=note
        )
    return queued
