"""The network's group and coordinators as the bot uses them: the settings, else the database.

``FOUI_GROUP_CHAT_ID`` and ``FOUI_COORDINATOR_IDS`` win when set; otherwise the group connected with
``/oppsett`` and the coordinators kept by ``/koordinatorer`` are put into ``services.settings`` (a
copy), so every part of the bot that reads ``settings.group_chat_id`` and ``settings.coordinator_ids``
sees them. ``apply`` is called at start (a seeder) and again when the chat changes them.
"""

from __future__ import annotations

import logging

from bot.config import Settings
from bot.services import Services
from storage import network_setup

log = logging.getLogger(__name__)

_CONFIGURED = "configured_settings"


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


def apply(
    services: Services, *, group_id: int | None, coordinator_ids: list[int], moved_to: int | None
) -> None:
    """Put the database's group and coordinators into ``services.settings`` where the settings name none."""
    base = configured(services)
    group = base.group_chat_id
    if group is not None and moved_to is not None:
        log.warning(
            "FOUI_GROUP_CHAT_ID %s became the supergroup %s; following it (change the setting to %s)",
            group,
            moved_to,
            moved_to,
        )
        group = moved_to
    elif group is None:
        group = group_id
    coordinators = list(base.coordinator_ids) or list(coordinator_ids)
    services.settings = base.model_copy(update={"group_chat_id": group, "coordinator_ids": coordinators})


async def load(services: Services) -> None:
    """A SEEDER: read the connected group and the coordinators from the database into the settings."""
    base = configured(services)
    async with services.session() as session:
        row = await network_setup.get_setup(session)
        ids = await network_setup.coordinator_ids(session)
        moved_to = (
            await network_setup.group_moved_to(session, base.group_chat_id)
            if base.group_chat_id is not None
            else None
        )
    apply(
        services,
        group_id=row.group_telegram_id if row is not None else None,
        coordinator_ids=ids,
        moved_to=moved_to,
    )
