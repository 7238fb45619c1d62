"""The årshjul's data: every round the bot has seen (calls with a deadline, open or long closed) and
the coordinators' corrections (``ExpectedRound``). Recognising the schemes is the pure
``storage.rules.arshjul``."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.calendar_models import ExpectedRound
from storage.models import Call, CallStatus
from storage.rules.arshjul import Correction, Round, scheme_key

__all__ = ["corrections", "rounds", "set_correction"]

HISTORY_YEARS = 6  # rounds older than this say little about next year


async def rounds(session: AsyncSession, *, now: datetime, tz: ZoneInfo) -> list[Round]:
    """Every call with a fixed deadline in the last HISTORY_YEARS years (and ahead)."""
    query = select(Call.id, Call.source_name, Call.title, Call.deadline_at).where(
        Call.deadline_at.is_not(None),
        Call.deadline_at >= now - timedelta(days=365 * HISTORY_YEARS),
        Call.rolling.is_(False),
        Call.status.not_in((CallStatus.REMOVED, CallStatus.ROLLING)),
    )
    return [
        Round(source, title, deadline.astimezone(tz).date(), call_id)
        for call_id, source, title, deadline in (await session.execute(query)).all()
        if source
    ]


async def corrections(session: AsyncSession) -> list[Correction]:
    rows = (await session.execute(select(ExpectedRound).order_by(ExpectedRound.id))).scalars().all()
    return [Correction(r.source_name, r.title, r.year, r.month) for r in rows]


async def set_correction(
    session: AsyncSession, *, source: str, title: str, year: int | None, month: int | None, now: datetime
) -> ExpectedRound:
    """A coordinator's expected round for a scheme (None: not expected); replaces their earlier word."""
    key = scheme_key(title)
    query = select(ExpectedRound).where(ExpectedRound.source_name == source, ExpectedRound.scheme_key == key)
    row = (await session.execute(query)).scalar_one_or_none()
    if row is None:
        row = ExpectedRound(source_name=source, scheme_key=key)
        session.add(row)
    row.title, row.year, row.month, row.updated_at = title, year, month, now
    await session.flush()
    return row
