"""This process's sender, found through the services: woken when something was queued here."""

from __future__ import annotations

from bot.push.sender import Sender
from bot.services import Services

SENDER_KEY = "sender"


def get_sender(services: Services) -> Sender | None:
    sender = services.extras.get(SENDER_KEY)
    return sender if isinstance(sender, Sender) else None


def wake_sender(services: Services) -> None:
    """Tell this process's sender that something was queued."""
    sender = get_sender(services)
    if sender is not None:
        sender.wake()
