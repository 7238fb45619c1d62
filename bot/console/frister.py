"""``foui-bot frister``: the upcoming deadlines as plain text in the terminal, as /frister in the
group shows them."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from dataclasses import replace

from bot.app import prepare_database
from bot.config import Settings
from bot.console.chat import html_to_text, quiet_logs
from bot.services import Services
from handlers import frister
from handlers.errors import UserError, text_for
from storage import deadlines
from storage import topics as topic_store


async def frister_text(settings: Settings, args: Sequence[str]) -> tuple[int, str]:
    """The upcoming deadlines as plain text, every page, as /frister in the group shows them."""
    services = Services.create(settings)
    try:
        await prepare_database(services)
        now, tz = services.now(), settings.tz
        parts: list[str] = []
        async with services.session() as session:
            catalogue = await topic_store.list_topics(session)
            sources = await deadlines.source_names(session)
            try:
                query = frister.parse_args(
                    args,
                    topics=catalogue,
                    sources=sources,
                    default_days=settings.frister_default_days,
                    private=False,
                )
            except UserError as error:
                return 2, html_to_text(text_for(error))
            page = 0
            while True:
                listing = await frister.load(session, replace(query, page=page), chat_id=None, now=now, tz=tz)
                text, _ = frister.render(listing, now, tz, private=False)
                parts.append(html_to_text(text))
                page += 1
                if page >= listing.pages:
                    break
        return 0, "\n\n".join(parts)
    finally:
        await services.engine.dispose()


def cli_frister(settings: Settings, args: Sequence[str]) -> int:
    """``foui-bot frister [emne | kilde | antall dager | alle]``."""
    quiet_logs(settings)
    code, text = asyncio.run(frister_text(settings, list(args)))
    print(text, file=sys.stdout if code == 0 else sys.stderr)
    return code
