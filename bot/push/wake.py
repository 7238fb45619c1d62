"""This process's sender, found through the services: woken when something was queued here."""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from bot.push.sender import Sender
from bot.services import Services

SENDER_KEY = "sender"
FANOUT_KEY = "fanout_worker"


class Wakeable(Protocol):
    def wake(self) -> None: ...


def get_sender(services: Services) -> Sender | None:
    sender = services.extras.get(SENDER_KEY)
    return sender if isinstance(sender, Sender) else None


def wake_sender(services: Services) -> None:
    """Tell this process's sender that something was queued."""
    sender = get_sender(services)
    if sender is not None:
        sender.wake()


def wake_fanout(services: Services) -> None:
    """Wake this process's fan-out worker (``bot.push.fanout_job``), if it runs: it does once the
    push jobs started; elsewhere (a poll from the command line, tests) the planner does the work."""
    worker: Wakeable | None = services.extras.get(FANOUT_KEY)
    if worker is not None:
        worker.wake()


def wake_fanout_after_commit(session: AsyncSession, services: Services) -> None:
    """Wake the fan-out worker once the transaction that noted fan-outs has committed (before, it
    would find nothing yet)."""

    def _wake(_session: Any) -> None:
        wake_fanout(services)

    event.listen(session.sync_session, "after_commit", _wake, once=True)
