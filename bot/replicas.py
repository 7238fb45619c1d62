"""Several processes on one PostgreSQL database (the composition root's part; see ``bot.locks``).

- ``take_locks``: at start, a long-polling ``foui-bot run`` takes the bot's poller lock (Telegram
  allows one getUpdates per token: a second poller is refused with a Norwegian message), and every
  process gets ``Services.is_leader``: the leader lock, tried again at each planner tick, so when
  the leader stops, another process takes over within a minute.
- ``release_locks``: at shutdown.
On SQLite nothing happens here: one process per database file (``bot.locks.InstanceLock``).
"""

from __future__ import annotations

import logging
from typing import Any

from telegram.error import Conflict
from telegram.ext import Application

from bot import texts
from bot.locks import LEADER_KEY, AdvisoryLock, AlreadyRunningError, is_postgres, poller_key
from bot.services import get_services

log = logging.getLogger(__name__)

LEADER_LOCK, POLLER_LOCK = "leader_lock", "poller_lock"
POLLING_CONFLICT = "polling_conflict"


def polling_conflict(app: Application[Any, Any, Any, Any, Any, Any], error: object) -> bool:
    """Telegram's 409 Conflict to getUpdates: another process long-polls this bot (on another
    database, or the lock could not see it). Say so, and stop: polling on would only fail."""
    if not isinstance(error, Conflict):
        return False
    log.error(texts.POLLING_CONFLICT)
    get_services(app).extras[POLLING_CONFLICT] = True
    app.stop_running()
    return True


def stopped_by_conflict(app: Application[Any, Any, Any, Any, Any, Any]) -> bool:
    return bool(get_services(app).extras.get(POLLING_CONFLICT))


async def take_locks(app: Application[Any, Any, Any, Any, Any, Any], *, polling: bool) -> None:
    """Take the poller lock (``polling``: this process long-polls Telegram) and set up the leader lock."""
    services = get_services(app)
    if not is_postgres(services.engine):
        return
    if polling:
        poller = AdvisoryLock(services.engine, poller_key(app.bot.token))
        if not await poller.try_acquire():
            raise AlreadyRunningError(texts.ALREADY_POLLING)
        services.extras[POLLER_LOCK] = poller
    leader = AdvisoryLock(services.engine, LEADER_KEY)
    services.extras[LEADER_LOCK] = leader

    async def is_leader() -> bool:
        was = leader.held
        try:
            now = await leader.try_acquire()
        except Exception:
            log.warning("could not ask for the leader lock; not planning this time", exc_info=True)
            return False
        if now and not was:
            log.info("this process now runs the scheduled planners (leader)")
        return now

    services.is_leader = is_leader


async def release_locks(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    services = get_services(app)
    for key in (LEADER_LOCK, POLLER_LOCK):
        lock = services.extras.pop(key, None)
        if isinstance(lock, AdvisoryLock):
            await lock.release()
