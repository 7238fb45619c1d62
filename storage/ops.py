"""Figures for the operator (/healthz and /metrics): the sources' health and the last good poll."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Source


async def ping(session: AsyncSession) -> bool:
    """The database answers."""
    return (await session.execute(text("SELECT 1"))).scalar_one() == 1


async def sources_by_health(session: AsyncSession) -> dict[str, int]:
    """Sources counted as ok, failing (its last poll failed), never polled yet, or disabled."""
    rows = await session.execute(
        select(
            Source.enabled, Source.consecutive_failures > 0, Source.last_success_at.is_(None), func.count()
        ).group_by(Source.enabled, Source.consecutive_failures > 0, Source.last_success_at.is_(None))
    )
    counts = {"ok": 0, "failing": 0, "never": 0, "disabled": 0}
    for enabled, failing, never, n in rows.tuples():
        key = "disabled" if not enabled else "failing" if failing else "never" if never else "ok"
        counts[key] += int(n)
    return counts


async def last_poll(session: AsyncSession) -> tuple[datetime | None, float | None]:
    """When an enabled source was last polled successfully, and the longest interval of the enabled
    sources in minutes (None, None without enabled sources)."""
    row = (
        await session.execute(
            select(func.max(Source.last_success_at), func.max(Source.interval_minutes)).where(
                Source.enabled.is_(True)
            )
        )
    ).one()
    return row[0], (float(row[1]) if row[1] is not None else None)
