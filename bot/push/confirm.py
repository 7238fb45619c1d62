"""Deadline truth reaches people: the coordinators are asked about a deadline that is not certain,
and members hear of the answer.

- ``ask_coordinators``: one message per call (and per reading of its page) to each coordinator,
  with what was read, the evidence, the page link and the buttons Riktig / Endre frist / Løpende /
  Ingen frist. Queued reminders and change notices of the call are cancelled: nothing is reminded
  of while it waits. Run by the ingest hook ``on_ingest_truth`` in the poll's own transaction.
- ``after_answer``: once a coordinator answered (a button, or /endrefrist), members who were told of
  the call hear of a deadline that differs from what they were told (a ``deadline_changed`` fan-out,
  done by ``bot.push.fanout_job`` after the answer's commit, as for a poll); a new-call notice not sent yet
  is written again without the "ikke bekreftet" mark; the other coordinators' copies of the
  question not sent yet are cancelled.
"""

from __future__ import annotations

import html
import logging
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.config import Settings
from bot.push.fanout import note_deadline_changes, wake_after_commit
from bot.push.render import render_new_call, shorten
from bot.services import Services
from storage import events, pushes, truth
from storage.models import Call
from storage.outbox import enqueue
from storage.rules.deadline_truth import Reading
from storage.rules.kinds import (
    CANCELLED_ANSWERED,
    CANCELLED_WAITING,
    KIND_DEADLINE_CHANGED,
    KIND_DEADLINE_CHECK,
    KIND_NEW_CALL,
    KIND_REMINDER,
)

log = logging.getLogger(__name__)

PREFIX = "frist"  # callback data: frist:<ok|edit|roll|none>:<call id>:<reading key>
EVIDENCE_MAX = 300


def check_subject(call_id: int, key: str) -> str:
    return f"call:{call_id}:check:{key}"


def reading_text(reading: Reading, settings: Settings) -> str:
    """A deadline as a coordinator reads it: "fredag 5. mars 2027 kl. 13:00", "løpende", "ingen frist"."""
    if reading.rolling:
        return texts.DEADLINE_ROLLING
    if reading.at is None:
        return texts.DEADLINE_NONE
    local = reading.at.astimezone(settings.tz)
    text = texts.format_date(local.date(), year=True)  # the year always: guessing it is one way to be wrong
    return f"{text} kl. {local:%H:%M}" if reading.has_time else text


def check_buttons(call: Call) -> dict[str, Any]:
    """Riktig (not when nothing was read) / Endre frist / Løpende / Ingen frist, for this reading."""
    key = truth.source_reading(call).key()
    tail = f"{call.id}:{key}"
    first = (
        []
        if truth.source_reading(call).empty
        else [{"text": texts.BTN_CHECK_OK, "callback_data": f"{PREFIX}:ok:{tail}"}]
    )
    return {
        "inline_keyboard": [
            [*first, {"text": texts.BTN_CHECK_EDIT, "callback_data": f"{PREFIX}:edit:{tail}"}],
            [
                {"text": texts.BTN_CHECK_ROLLING, "callback_data": f"{PREFIX}:roll:{tail}"},
                {"text": texts.BTN_CHECK_NONE, "callback_data": f"{PREFIX}:none:{tail}"},
            ],
        ]
    }


def render_check(call: Call, settings: Settings) -> dict[str, Any]:
    """The coordinators' question about a call's deadline."""
    title = f"<b>{html.escape(shorten(' '.join(call.title.split()), 200))}</b>"
    evidence = (
        html.escape(shorten(" ".join(call.deadline_evidence.split()), EVIDENCE_MAX))
        or texts.CHECK_NO_EVIDENCE
    )
    source = texts.CHECK_SOURCE.format(source=html.escape(call.source_name)) if call.source_name else ""
    link = texts.CHECK_LINK.format(url=html.escape(call.url, quote=True)) if call.url else ""
    page, ours = truth.source_reading(call), truth.effective(call)
    if page.empty:
        text = texts.CHECK_NO_DATE.format(title=title, evidence=evidence, source=source, link=link)
    elif not page.same(ours):
        text = texts.CHECK_AGAIN.format(
            title=title,
            ours=html.escape(reading_text(ours, settings)),
            theirs=html.escape(reading_text(page, settings)),
            evidence=evidence,
            source=source,
            link=link,
        )
    else:
        text = texts.CHECK_NEW.format(
            title=title,
            deadline=html.escape(reading_text(page, settings)),
            evidence=evidence,
            source=source,
            link=link,
        )
    return {
        "text": text.replace("\n\n\n", "\n\n"),
        "reply_markup": check_buttons(call),
        "disable_web_page_preview": True,
    }


async def coordinator_chat_ids(session: AsyncSession, services: Services, now: datetime) -> list[int]:
    """The configured coordinators' own chats (a coordinator who never wrote is recorded by the sender)."""
    return [
        (await events.person_chat(session, uid, name="", username=None, now=now, private=True)).id
        for uid in services.settings.coordinator_ids
    ]


async def ask_coordinators(session: AsyncSession, services: Services, call_ids: list[int]) -> int:
    """Queue the question about each call to every coordinator; returns how many were queued."""
    if not call_ids:
        return 0
    now = services.now()
    calls = await truth.load_calls(session, call_ids)
    await pushes.cancel_pending(
        session, [c.id for c in calls], kinds=(KIND_REMINDER, KIND_DEADLINE_CHANGED), reason=CANCELLED_WAITING
    )
    chat_ids = await coordinator_chat_ids(session, services, now)
    if not chat_ids:
        log.warning("%d deadlines wait for a coordinator, but FOUI_COORDINATOR_IDS names none", len(calls))
    count = 0
    for call in calls:
        payload = render_check(call, services.settings)
        subject = check_subject(call.id, truth.source_reading(call).key())
        for chat_id in chat_ids:
            if await enqueue(
                session,
                chat_id=chat_id,
                kind=KIND_DEADLINE_CHECK,
                subject=subject,
                payload=payload,
                not_before=now,
            ):
                count += 1
        log.info(
            "call %s: deadline not certain (%s); coordinators asked", call.id, call.deadline_evidence[:80]
        )
    return count


async def on_ingest_truth(session: AsyncSession, result: Any, services: Services) -> None:
    """The ingest hook: ask the coordinators about the calls the ingest listed in ``result.ask``."""
    ask = list(getattr(result, "ask", []) or [])
    if ask and await ask_coordinators(session, services, ask):
        wake_after_commit(session, services)


async def after_answer(session: AsyncSession, services: Services, answer: truth.Answer) -> int:
    """Members hear of the answer where it matters; returns how many pushes were queued or fan-outs
    noted (a changed deadline: the job tells the followers after the commit)."""
    call = answer.call
    now = services.now()
    await pushes.cancel_pending(session, [call.id], kinds=(KIND_DEADLINE_CHECK,), reason=CANCELLED_ANSWERED)
    if answer.members_told_otherwise:  # told by the fan-out job once the answer is committed
        told = answer.told
        change = (call.id, told.at, answer.now.at, told.rolling, answer.now.rolling)
        return await note_deadline_changes(session, services, [change])
    await pushes.rewrite_pending(
        session, KIND_NEW_CALL, f"call:{call.id}", render_new_call(call, now, services.settings)
    )
    return 0
