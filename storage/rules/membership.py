"""Who is a member of the network, and which pushes are for members only (defined once, here).

A member is a person seen in the network's group (a message there, a ``chat_member`` update, a
join request the bot approved) who has not been seen leaving since, or a person whose registration
as a FoUI contact a coordinator approved (unless they were seen leaving the group afterwards), or a
configured coordinator. The coordinators' own material (announcements, tips, event invitations,
reminders and changes) goes to members only; public material (new calls, deadline changes,
reminders, digests, «Ukas frister») goes to anyone who subscribed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.rules.kinds import (
    KIND_DEADLINE_CHANGED,
    KIND_DIGEST,
    KIND_EVENT_REMINDER,
    KIND_NEW_CALL,
    KIND_REMINDER,
    KIND_WEEKLY,
)

KIND_ANNOUNCEMENT = "announcement"  # announcements and tips (``storage.announcements.OUTBOX_KIND``)
KIND_EVENT = "event"  # an event invitation
KIND_EVENT_CANCELLED = "event_cancelled"
KIND_EVENT_CHANGED = "event_changed"  # handlers.event_edit

# The network's own material: for members (and the network's group) only.
MEMBERS_ONLY_KINDS = frozenset(
    {KIND_ANNOUNCEMENT, KIND_EVENT, KIND_EVENT_REMINDER, KIND_EVENT_CANCELLED, KIND_EVENT_CHANGED}
)
# Public information: for anyone who follows the topics or keywords (or, «Ukas frister», the group).
PUBLIC_KINDS = frozenset({KIND_NEW_CALL, KIND_DEADLINE_CHANGED, KIND_REMINDER, KIND_DIGEST, KIND_WEEKLY})

CANCELLED_NOT_MEMBER = "mottakeren er ikke (lenger) med i nettverket"

APPROVED = "approved"  # ``storage.registry.RegistrationStatus.APPROVED``


@dataclass(frozen=True)
class Standing:
    """What decides membership, as stored about one person."""

    in_group: bool
    left_group_at: datetime | None
    registration_status: str | None
    coordinator: bool = False


def is_member(standing: Standing) -> bool:
    """Whether the person is a member of the network (see the module's docstring)."""
    if standing.coordinator or standing.in_group:
        return True
    return standing.registration_status == APPROVED and standing.left_group_at is None


def members_only(kind: str) -> bool:
    """Whether a push of this kind may reach members (and the network's group) only."""
    return kind in MEMBERS_ONLY_KINDS


def may_receive(kind: str, *, member: bool, network_group: bool) -> bool:
    """Whether a chat may receive a push of ``kind``: public kinds anyone; the network's own
    material only a member's private chat or the network's group."""
    if not members_only(kind):
        return True
    return member or network_group
