"""Seeding the sources at start: the region's defaults (``FOUI_REGION``) once, or a sources file's, which replace the others."""

from __future__ import annotations

import logging

from bot import texts
from bot.config import Settings
from bot.region.presets import region
from bot.services import Services
from feeds.sources import SourceDef, SourcesFileError, parse_sources_toml
from storage import sources as source_store

log = logging.getLogger(__name__)


def load_source_defs(settings: Settings) -> tuple[list[SourceDef], bool]:
    """The sources to seed and whether they replace the others (a sources file does)."""
    path = settings.sources_file
    if path is None or str(path) == "":
        return list(region(settings.region).sources), False
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SourcesFileError([texts.SOURCES_FILE_MISSING.format(path=path) + f" ({exc})"]) from None
    return parse_sources_toml(text), True


async def seed_sources(services: Services) -> None:
    """A SEEDER: the default sources once, or FOUI_SOURCES_FILE's, which replace the others."""
    try:
        defs, replace = load_source_defs(services.settings)
    except SourcesFileError as err:
        log.error(
            "%s\n%s",
            texts.SOURCES_FILE_INVALID.format(path=services.settings.sources_file),
            "\n".join(f"  {line}" for line in err.lines),
        )
        return
    async with services.session() as session:
        report = await source_store.seed_sources(
            session, defs, replace=replace, default_interval=services.settings.default_poll_minutes
        )
    if report.added or report.updated or report.disabled:
        log.info("sources: added %s, updated %s, disabled %s", report.added, report.updated, report.disabled)
