"""The network's group and coordinators as the bot uses them: the settings, else the database.

``FOUI_GROUP_CHAT_ID`` and ``FOUI_COORDINATOR_IDS`` win when set; otherwise the group connected with
``/oppsett`` and the coordinators kept by ``/koordinatorer`` are put into ``services.settings`` (a
copy), so every part of the bot that reads ``settings.group_chat_id`` and ``settings.coordinator_ids``
sees them. ``apply`` is called at start (a seeder) and again when the chat changes them.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.config import Settings
from bot.services import Services, get_services
from storage import network_setup

log = logging.getLogger(__name__)

_CONFIGURED = "configured_settings"
REFRESH_SECONDS = 60.0


def configured(services: Services) -> Settings:
    """The settings as the operator gave them (before anything from the database was put in)."""
    original = services.extras.setdefault(_CONFIGURED, services.settings)
    assert isinstance(original, Settings)
    return original


def group_from_settings(services: Services) -> bool:
    """True when FOUI_GROUP_CHAT_ID names the group (so /oppsett cannot change it)."""
    return configured(services).group_chat_id is not None


def coordinators_from_settings(services: Services) -> bool:
    """True when FOUI_COORDINATOR_IDS lists the coordinators (so /koordinatorer cannot change them)."""
    return bool(configured(services).coordinator_ids)


def apply(services: Services, *, group_id: int | None, coordinator_ids: list[int]) -> None:
    """Put the group and coordinators into ``services.settings``: the settings' own where they name them."""
    base = configured(services)
    coordinators = list(base.coordinator_ids) or list(coordinator_ids)
    services.settings = base.model_copy(update={"group_chat_id": group_id, "coordinator_ids": coordinators})


async def load(services: Services) -> None:
    """A SEEDER: read the connected group and the coordinators from the database into the settings.

    FOUI_GROUP_CHAT_ID wins, but is followed when that group became a supergroup.
    """
    base = configured(services)
    async with services.session() as session:
        row = await network_setup.get_setup(session)
        ids = await network_setup.coordinator_ids(session)
        group = (
            base.group_chat_id if base.group_chat_id is not None else (row.group_telegram_id if row else None)
        )
        if group is not None:
            now = await network_setup.current_group_id(session, group)
            if now != group and base.group_chat_id is not None:
                log.warning(
                    "FOUI_GROUP_CHAT_ID %s is now the supergroup %s: following it (change the setting)",
                    group,
                    now,
                )
            group = now
    apply(services, group_id=group, coordinator_ids=ids)


async def refresh_job(context: Any) -> None:
    """Every minute: what another process (a replica, or the sender following a group) changed."""
    try:
        await load(get_services(context.application))
    except Exception:
        log.exception("could not read the network's group and coordinators")


async def start_refresh(app: Any) -> None:
    """A STARTER: read the group and coordinators again every REFRESH_SECONDS."""
    if app.job_queue is not None:
        app.job_queue.run_repeating(
            refresh_job, interval=REFRESH_SECONDS, first=REFRESH_SECONDS, name="network-refresh"
        )
