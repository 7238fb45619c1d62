"""Each source's drift baseline and its open alarm (``storage.rules.drift`` decides; this stores).

``observe`` compares a poll's yield with the source's baseline, moves the baseline on after a normal
poll, and opens an alarm when a drift starts (``raised``: tell the coordinators, once). An alarm
ends when a poll looks normal again (fixed) or a coordinator acknowledges it in /kilder.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.rules.drift import Drift, Yield, judge, next_baseline
from storage.source_models import SourceDrift

__all__ = ["Observed", "acknowledge", "observe", "open_alarms"]


@dataclass
class Observed:
    row: SourceDrift
    drift: Drift | None
    baseline: Yield
    raised: bool  # a drift started now: tell the coordinators
    fixed: bool  # an alarm ended now: the source looks normal again


def _baseline(row: SourceDrift) -> Yield:
    shape = tuple(str(f) for f in row.baseline_shape or [])
    return Yield(row.baseline_found, row.baseline_fresh, row.baseline_dated, shape, shape)


async def observe(session: AsyncSession, source_id: int, now_yield: Yield, *, now: datetime) -> Observed:
    row = await session.get(SourceDrift, source_id)
    if row is None:
        row = SourceDrift(
            source_id=source_id,
            baseline_found=0,
            baseline_fresh=0,
            baseline_dated=0,
            baseline_shape=[],
            alarm_text="",
            updated_at=now,
        )
        session.add(row)
    baseline = _baseline(row)
    drift = judge(baseline, now_yield)
    raised = fixed = False
    if drift is None:
        after = next_baseline(baseline, now_yield)
        row.baseline_found, row.baseline_fresh, row.baseline_dated = after.found, after.fresh, after.dated
        row.baseline_shape = list(after.shape)
        if row.alarm is not None:
            fixed = True
            row.alarm, row.alarm_text, row.alarm_at, row.acknowledged_at = None, "", None, None
    elif drift.kind != row.alarm:
        row.alarm, row.alarm_at, row.acknowledged_at = drift.kind, now, None
        raised = True
    row.updated_at = now
    await session.flush()
    return Observed(row, drift, baseline, raised, fixed)


async def acknowledge(session: AsyncSession, source_id: int, *, now: datetime) -> bool:
    """A coordinator has seen the alarm: /kilder no longer shows it (a new kind of drift will)."""
    row = await session.get(SourceDrift, source_id)
    if row is None or row.alarm is None or row.acknowledged_at is not None:
        return False
    row.acknowledged_at = now
    await session.flush()
    return True


async def open_alarms(session: AsyncSession) -> dict[int, SourceDrift]:
    """source id -> its alarm, for the alarms neither fixed nor acknowledged."""
    rows = await session.execute(
        select(SourceDrift).where(SourceDrift.alarm.is_not(None), SourceDrift.acknowledged_at.is_(None))
    )
    return {row.source_id: row for row in rows.scalars()}
