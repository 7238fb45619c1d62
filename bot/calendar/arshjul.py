"""The årshjul: which recurring schemes' next rounds are expected when, from the rounds the bot has
seen plus a small seeded history of the region's recurring schemes (``SEEDED``). Shown under
/frister and in /arshjul as "forventet i <måned>", never as deadlines and never pushed.

The answer is cached for FRESH (in ``Services.extras``; a coordinator's correction clears it), so
/frister pays for reading every round and recognising schemes once in ten minutes, not on every
request, and that once runs off the event loop.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from storage import arshjul as store
from storage.rules.arshjul import Expected, Round, expected_rounds, within

FR, RFF, SF = "Forskningsrådet", "Regionale forskningsfond Trøndelag", "Statsforvalteren i Trøndelag"

# Earlier rounds of recurring schemes in Trøndelag, as their pages showed them (titles and deadlines
# from the real pages in the shared data). They let the årshjul know these schemes before the bot
# has seen two years of them itself.
SEEDED: tuple[Round, ...] = (
    Round(SF, "Fornyings- og innovasjonsprosjekter - skjønnsmidler", date(2018, 2, 1)),
    Round(SF, "Prosjektskjønn - fornying og innovasjon", date(2019, 6, 3)),
    Round(SF, "Prosjektskjønn - fornying og innovasjon 2021", date(2020, 9, 1)),
    Round(RFF, "Regionalt innovasjonsprosjekt – kommuner og næringsliv 2020", date(2020, 9, 16)),
    Round(RFF, "Regionalt innovasjonsprosjekt i kommunal sektor 2021", date(2021, 10, 20)),
    Round(RFF, "Regionalt innovasjonsprosjekt i næringslivet 2022", date(2022, 9, 21)),
    Round(RFF, "Regionalt innovasjonsprosjekt i næringslivet 2023", date(2023, 5, 31)),
    Round(FR, "Innovasjonsprosjekt i offentlig sektor", date(2020, 9, 16)),
    Round(FR, "Forskerprosjekt for fornyelse (tematisk utlysning)", date(2024, 3, 6)),
    Round(FR, "Forskerprosjekt for fornyelse (tematisk utlysning)", date(2025, 3, 5)),
)
CACHE_KEY = "arshjul"
FRESH = timedelta(minutes=10)  # a new call replaces its expected round within this long
MONTHS_AHEAD = 12


async def expected(
    session: AsyncSession,
    *,
    now: datetime,
    tz: ZoneInfo,
    months: int = MONTHS_AHEAD,
    cache: dict[str, Any] | None = None,
    seeded: tuple[Round, ...] = SEEDED,
) -> list[Expected]:
    """The rounds expected from this month to ``months`` months on, soonest first."""
    today = now.astimezone(tz).date()
    hit = cache.get(CACHE_KEY) if cache is not None else None
    if hit is not None and hit[0] == (today, seeded) and timedelta(0) <= now - hit[1] < FRESH:
        found: list[Expected] = hit[2]
    else:
        rounds = [*seeded, *await store.rounds(session, now=now, tz=tz)]
        words = await store.corrections(session)
        # Recognising schemes is CPU work that grows with the calls seen: off the event loop.
        found = await asyncio.to_thread(expected_rounds, rounds, words, today=today)
        if cache is not None:
            cache[CACHE_KEY] = ((today, seeded), now, found)
    return within(found, today, months)
