"""Deadline truth in the database: a poll's reading applied to a call, the coordinators' answers,
and the figures for /status. The rules themselves are ``storage.rules.deadline_truth``.

A call's ``deadline_at``/``deadline_has_time``/``rolling`` are the *effective* deadline (what members
see); ``source_deadline_*`` what the source said at the last poll; ``deadline_state`` whose word the
effective deadline stands on. A change members are not told of yet (it waits for a coordinator) is a
``DeadlineChange`` with ``told`` False; the first such change's old side is what members last heard.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.models import Call, CallStatus, DeadlineChange
from storage.rules.deadline_truth import (
    DECIDED,
    DeadlineState,
    Reading,
    on_new_call,
    on_reading,
    told_reading,
)

LIVE = (CallStatus.OPEN, CallStatus.PLANNED, CallStatus.ROLLING)
GONE = "gone"  # the call is removed or unknown
DONE = "done"  # nothing waits for an answer any more (someone answered, or the page now states it)
STALE = "stale"  # the question was about an earlier reading of the source


def effective(call: Call) -> Reading:
    """What members see."""
    return Reading(None if call.rolling else call.deadline_at, call.deadline_has_time, call.rolling)


def source_reading(call: Call) -> Reading:
    """What the source said at the last poll."""
    return Reading(
        None if call.source_rolling else call.source_deadline_at,
        call.source_deadline_has_time,
        call.source_rolling,
    )


def _set_effective(call: Call, reading: Reading) -> None:
    call.deadline_at = None if reading.rolling else reading.at
    call.deadline_has_time = reading.has_time and reading.at is not None and not reading.rolling
    call.rolling = reading.rolling
    if reading.rolling and call.status == CallStatus.OPEN:
        call.status = CallStatus.ROLLING
    elif not reading.rolling and call.status == CallStatus.ROLLING:
        call.status = CallStatus.OPEN


def _set_source(call: Call, reading: Reading) -> None:
    call.source_deadline_at = None if reading.rolling else reading.at
    call.source_deadline_has_time = reading.has_time and reading.at is not None and not reading.rolling
    call.source_rolling = reading.rolling


def _set_state(call: Call, state: str, now: datetime) -> None:
    if state == DeadlineState.WAITING and call.deadline_state != DeadlineState.WAITING:
        call.deadline_waiting_since = now
    elif state != DeadlineState.WAITING:
        call.deadline_waiting_since = None
    call.deadline_state = state


def new_call_columns(
    reading: Reading, *, certain: bool, evidence: str, label: str, now: datetime
) -> tuple[dict[str, Any], bool]:
    """A new call's truth as column values (for a batch insert), and whether the coordinators are asked."""
    decision = on_new_call(reading, certain=certain, label_without_date=bool(label))
    columns = {
        "source_deadline_at": None if reading.rolling else reading.at,
        "source_deadline_has_time": reading.has_time and reading.at is not None and not reading.rolling,
        "source_rolling": reading.rolling,
        "deadline_evidence": (label if reading.empty else evidence)[:500],
        "deadline_state": decision.state,
        "deadline_waiting_since": now if decision.state == DeadlineState.WAITING else None,
    }
    return columns, decision.ask


def start(call: Call, reading: Reading, *, certain: bool, evidence: str, label: str, now: datetime) -> bool:
    """A new call's truth; True when the coordinators are to be asked."""
    columns, ask = new_call_columns(reading, certain=certain, evidence=evidence, label=label, now=now)
    for name, value in columns.items():
        setattr(call, name, value)
    return ask


async def _pending(session: AsyncSession, call_id: int) -> list[DeadlineChange]:
    query = (
        select(DeadlineChange)
        .where(DeadlineChange.call_id == call_id, DeadlineChange.told.is_(False))
        .order_by(DeadlineChange.changed_at, DeadlineChange.id)
    )
    return list((await session.execute(query)).scalars())


def _old_side(change: DeadlineChange) -> Reading:
    return Reading(
        None if change.old_rolling else change.old_deadline_at, change.old_has_time, change.old_rolling
    )


def _record(session: AsyncSession, call: Call, new: Reading, *, told: bool, now: datetime) -> None:
    session.add(
        DeadlineChange(
            call_id=call.id,
            old_deadline_at=call.deadline_at,
            new_deadline_at=None if new.rolling else new.at,
            old_rolling=call.rolling,
            new_rolling=new.rolling,
            changed_at=now,
            told=told,
            old_has_time=call.deadline_has_time,
        )
    )


@dataclass(frozen=True)
class Applied:
    """What a poll's reading did: ask the coordinators; ``told``: members are told of a change from this."""

    ask: bool = False
    changed: bool = False
    told: Reading | None = None


async def apply_reading(
    session: AsyncSession,
    call: Call,
    new: Reading,
    *,
    certain: bool,
    evidence: str,
    label: str,
    now: datetime,
) -> Applied:
    """A poll's reading of a known call (not entered by hand): the rules of ``on_reading``, stored."""
    before = effective(call)
    decision = on_reading(
        call.deadline_state,
        before,
        source_reading(call),
        new,
        certain=certain,
        label_without_date=bool(label),
    )
    if not new.empty:
        _set_source(call, new)
        call.deadline_evidence = (evidence or call.deadline_evidence)[:500]
    elif label and before.empty:
        call.deadline_evidence = label[:500]
    changed = decision.state != call.deadline_state
    told: Reading | None = None
    target = decision.effective
    if target is not None and not target.same(before):
        if target.at is not None and target.at == before.at and not target.rolling and not before.rolling:
            call.deadline_has_time = target.has_time  # the same day, now with its time: no change to tell
        else:
            pending = await _pending(session, call.id) if decision.tell else []
            if decision.tell:
                told = told_reading([(_old_side(p), target) for p in pending], before)
                for change in pending:
                    change.told = True
            _record(session, call, target, told=decision.tell, now=now)
            _set_effective(call, target)
        changed = True
    _set_state(call, decision.state, now)
    return Applied(ask=decision.ask, changed=changed, told=told)


@dataclass(frozen=True)
class Answer:
    """A coordinator's answer, stored: the call, and what members had been told before it."""

    call: Call
    told: Reading
    now: Reading

    @property
    def members_told_otherwise(self) -> bool:
        return not self.told.same(self.now)


async def _live_call(session: AsyncSession, call_id: int) -> Call | None:
    query = (
        select(Call)
        .options(selectinload(Call.topics))
        .where(Call.id == call_id, Call.status != CallStatus.REMOVED)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def _decide(
    session: AsyncSession, call: Call, reading: Reading, state: str, *, by: int | None, now: datetime
) -> Answer:
    before = effective(call)
    pending = await _pending(session, call.id)
    told = told_reading([(_old_side(p), reading) for p in pending], before)
    for change in pending:
        change.told = True
    if not reading.same(before):
        _record(session, call, reading, told=True, now=now)
        _set_effective(call, reading)
        if call.status == CallStatus.CLOSED and (
            reading.rolling or (reading.at is not None and reading.at >= now)
        ):
            call.status = CallStatus.ROLLING if reading.rolling else CallStatus.OPEN
    _set_state(call, state, now)
    call.deadline_decided_by = by
    call.deadline_decided_at = now
    call.last_changed_at = now
    await session.flush()
    return Answer(call, told, reading)


async def confirm(
    session: AsyncSession, call_id: int, *, key: str, by: int | None, now: datetime
) -> Answer | str:
    """ "Riktig": the source's reading the question was about is the deadline."""
    call = await _live_call(session, call_id)
    if call is None:
        return GONE
    if call.deadline_state != DeadlineState.WAITING:
        return DONE
    reading = source_reading(call)
    if reading.key() != key:
        return STALE
    return await _decide(session, call, reading, DeadlineState.CONFIRMED, by=by, now=now)


async def override(
    session: AsyncSession,
    call_id: int,
    reading: Reading,
    *,
    by: int | None,
    now: datetime,
    key: str | None = None,
) -> Answer | str:
    """A coordinator's own deadline ("Endre frist", "Løpende", "Ingen frist", /endrefrist).

    With ``key`` (a button under a question) the question must still be open and about that reading.
    """
    call = await _live_call(session, call_id)
    if call is None:
        return GONE
    if key is not None and call.deadline_state != DeadlineState.WAITING:
        return DONE
    if key is not None and source_reading(call).key() != key:
        return STALE
    return await _decide(session, call, reading, DeadlineState.SET, by=by, now=now)


async def load_calls(session: AsyncSession, call_ids: Sequence[int]) -> list[Call]:
    """Calls with their topics, in the order asked."""
    if not call_ids:
        return []
    query = select(Call).options(selectinload(Call.topics)).where(Call.id.in_(list(call_ids)))
    found = {c.id: c for c in (await session.execute(query)).scalars()}
    return [found[i] for i in call_ids if i in found]


async def get_call(session: AsyncSession, call_id: int) -> Call | None:
    """A call that is not removed, with its topics."""
    return await _live_call(session, call_id)


async def editable_calls(session: AsyncSession, *, words: str = "", limit: int = 40) -> list[Call]:
    """Calls a coordinator may change the deadline of: those waiting for one first, then by deadline.

    Live calls (open, planned, rolling) and any call that waits; ``words`` narrows to titles holding
    every word.
    """
    query = select(Call).where(Call.status != CallStatus.REMOVED)
    for word in words.split():
        query = query.where(func.lower(Call.title).contains(word.lower()))
    query = query.where(Call.status.in_(LIVE) | (Call.deadline_state == DeadlineState.WAITING))
    waiting_first = (Call.deadline_state != DeadlineState.WAITING).asc()
    query = query.order_by(waiting_first, Call.deadline_at.is_(None), Call.deadline_at, Call.id).limit(limit)
    return list((await session.execute(query)).scalars())


@dataclass(frozen=True)
class TruthCounts:
    confirmed: int  # by a coordinator (Riktig, or set by one)
    certain: int  # read from a label or an unambiguous sentence
    waiting: int  # waiting for a coordinator
    oldest: Call | None  # the call that has waited longest


async def counts(session: AsyncSession) -> TruthCounts:
    """The live calls' deadlines by whose word they stand on."""
    live = Call.status.in_(LIVE)
    has_deadline = Call.deadline_at.is_not(None) | Call.rolling.is_(True)
    rows = await session.execute(
        select(Call.deadline_state, func.count()).where(live, has_deadline).group_by(Call.deadline_state)
    )
    by_state = {state: int(n) for state, n in rows.tuples()}
    waiting_query = (
        select(Call)
        .where(Call.deadline_state == DeadlineState.WAITING, live)
        .order_by(Call.deadline_waiting_since, Call.id)
    )
    waiting = list((await session.execute(waiting_query)).scalars())
    return TruthCounts(
        confirmed=sum(by_state.get(s, 0) for s in DECIDED),
        certain=by_state.get(DeadlineState.CERTAIN, 0),
        waiting=len(waiting),
        oldest=waiting[0] if waiting else None,
    )
