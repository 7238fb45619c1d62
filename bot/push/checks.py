"""The sender's checks just before sending a claimed row: quiet hours, still wanted, written again
for today (the checks themselves are ``bot.push.refresh``'s; the sender is handed them)."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import parse_quiet_hours
from bot.push.localize import localize
from bot.push.outcomes import OutcomeBook
from bot.services import Services
from storage.claims import Claimed
from storage.rules.quiet import QuietHours, in_quiet, quiet_end

# (session, services, chat id, kind, payload) -> the payload to send, or the reason not to send it.
Refresh = Callable[[AsyncSession, Services, int, str, dict[str, Any]], Awaitable[dict[str, Any] | str]]
# (session, services, claimed rows) -> {row id: the reason not to send it} (the recipient no longer wants it)
Screen = Callable[[AsyncSession, Services, list[Claimed]], Awaitable[dict[int, str]]]


class PreSendChecks(OutcomeBook):
    """``Sender``'s base: what is checked between claiming a row and sending it."""

    _refresh: Refresh
    _screen: Screen
    _default_quiet: QuietHours

    async def _still_wanted(self, rows: list[Claimed]) -> list[Claimed]:
        """Cancel, with the reason, the pushes whose recipient no longer wants them (one batch check)."""
        if not any("call_id" in row.payload for row in rows):
            return rows
        async with self.services.session() as session:
            reasons = await self._screen(session, self.services, rows)
        for row in rows:
            if row.id in reasons:
                await self._cancel(row, reasons[row.id])
        return [row for row in rows if row.id not in reasons]

    def _quiet_until(self, row: Claimed) -> datetime | None:
        if row.payload.get("urgent"):
            return None
        quiet = self._default_quiet
        if row.quiet_hours is not None:
            try:
                quiet = parse_quiet_hours(row.quiet_hours)
            except ValueError:
                quiet = self._default_quiet
        now = self.now()
        tz = self.services.settings.tz
        if not in_quiet(now, quiet, tz):
            return None
        return quiet_end(now, quiet, tz)

    async def _fresh(self, row: Claimed) -> Claimed | str:
        """The row as it should go out now, or the reason it should not (see ``refresh``)."""
        row = localize(row)  # in the recipient's language (the sender set it)
        if not {"call_id", "rendered_on", "event_id"} & row.payload.keys():
            return row
        async with self.services.session() as session:
            fresh = await self._refresh(session, self.services, row.chat_id, row.kind, row.payload)
        if isinstance(fresh, str) or fresh is row.payload:
            return fresh if isinstance(fresh, str) else row
        return dataclasses.replace(row, payload=fresh)
