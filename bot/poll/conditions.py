"""Reading who may apply for each new or changed call (``feeds.eligibility``), in the poll's own
transaction: an ingest hook the composition root runs before the push wing's fan-out, so a new
call's notice already says "Kommunen kan søke". ``read_missing`` reads calls stored before this
existed (run once at start)."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Iterable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import Services
from feeds.eligibility import Conditions, extract
from storage.conditions import calls_to_read, store_conditions, text_hashes
from storage.following import load_calls
from storage.models import Call

log = logging.getLogger(__name__)


def call_text(call: Call) -> tuple[str, str, dict[str, str]]:
    """What the reader reads of a stored call: its title, its text and the source's facts."""
    raw = getattr(call, "facts", None) or {}  # the facts a source adapter read off the page, when stored
    facts = {str(k): str(v) for k, v in raw.items() if isinstance(v, str)}
    return call.title or "", call.summary or "", facts


def text_hash(call: Call) -> str:
    title, text, facts = call_text(call)
    parts = [title, text, *(f"{k}={v}" for k, v in sorted(facts.items()))]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _read_all(items: list[tuple[int, str, str, dict[str, str]]]) -> dict[int, Conditions | None]:
    """Read each call's text (run in a worker thread: a long listing must not stall the event loop)."""
    found: dict[int, Conditions | None] = {}
    for call_id, title, text, facts in items:
        try:
            found[call_id] = extract(text, title=title, facts=facts)
        except Exception:  # a reading that fails must not cost the poll its calls
            log.exception("could not read the conditions of call %s", call_id)
            found[call_id] = None
    return found


async def read_calls(session: AsyncSession, calls: Iterable[Call], services: Services) -> int:
    """Read and store the conditions of these calls whose text changed; returns how many were stored."""
    calls = [c for c in calls if not c.manual]
    known = await text_hashes(session, [c.id for c in calls])
    digests = {c.id: text_hash(c) for c in calls}
    todo = [(c.id, *call_text(c)) for c in calls if known.get(c.id) != digests[c.id]]
    if not todo:
        return 0
    readings = await asyncio.to_thread(_read_all, todo) if len(todo) > 1 else _read_all(todo)
    now = services.now()
    stored = 0
    for call_id, conditions in readings.items():
        if conditions is None:
            continue
        if await store_conditions(
            session,
            call_id,
            verdict=conditions.verdict.value,
            data=conditions.to_dict(),
            text_hash=digests[call_id],
            now=now,
        ):
            stored += 1
    return stored


async def on_ingest_conditions(session: AsyncSession, result: Any, services: Services) -> None:
    """The ingest hook: new and changed calls are read again (unchanged text costs one query)."""
    facts = [getattr(f, "call_id", None) for f in getattr(result, "facts_changed", []) or []]
    ids = list(
        dict.fromkeys([*(getattr(result, "touched", []) or []), *(i for i in facts if isinstance(i, int))])
    )
    if not ids:
        return
    stored = await read_calls(session, await load_calls(session, ids), services)
    if stored:
        log.info("read the conditions of %d calls", stored)


async def read_missing(services: Services) -> None:
    """Read the open calls stored before their conditions were read (a few hundred at a time)."""
    async with services.session() as session:
        calls = await calls_to_read(session)
        stored = await read_calls(session, calls, services) if calls else 0
    if stored:
        log.info("read the conditions of %d calls stored earlier", stored)
