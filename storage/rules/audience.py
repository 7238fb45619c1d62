"""Who may receive a push: live calls, keyword text, instant notices, still-wanted checks, event audiences."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Protocol

from storage.rules.kinds import (
    CANCELLED_CLOSED,
    CANCELLED_DIGEST_MODE,
    CANCELLED_MUTED,
    CANCELLED_NO_CHAT,
    CANCELLED_UNFOLLOWED,
    KIND_NEW_CALL,
)
from storage.rules.values import CallStatus, NotifyMode

# A call in one of these states is still worth telling about.
LIVE_STATUSES = (CallStatus.OPEN, CallStatus.PLANNED, CallStatus.ROLLING)


class CallWords(Protocol):
    """What keyword alerts read of a call (a ``storage.models.Call`` fits)."""

    @property
    def title(self) -> str: ...

    @property
    def summary(self) -> str: ...

    @property
    def source_name(self) -> str: ...


def call_text(call: CallWords) -> str:
    """What keyword alerts look in: title, summary and source."""
    return f"{call.title}\n{call.summary or ''}\n{call.source_name or ''}"


def told_at_once(*, since: datetime, first_seen_at: datetime, muted: bool, notify_mode: str) -> bool:
    """Whether a follower gets the new-call notice at once: they followed (``since``) when the call
    was first seen, have not muted it, and chose instant notices (not a digest)."""
    if since > first_seen_at or muted:
        return False
    return notify_mode == NotifyMode.INSTANT


def unwanted_reason(
    kind: str, *, notify_mode: str | None, live: bool, muted: bool, follows: bool
) -> str | None:
    """Why a claimed push about a call is no longer wanted (None: still wanted).

    ``notify_mode`` None means the chat is gone; ``live`` the call is still open; ``follows`` the
    chat follows one of its topics or a matching keyword now.
    """
    if notify_mode is None:
        return CANCELLED_NO_CHAT
    if not live:
        return CANCELLED_CLOSED
    if muted:
        return CANCELLED_MUTED
    if not follows:
        return CANCELLED_UNFOLLOWED
    if kind == KIND_NEW_CALL and notify_mode != NotifyMode.INSTANT:
        return CANCELLED_DIGEST_MODE
    return None


def event_audience(answers: Mapping[int, str], followers: Iterable[int]) -> set[int]:
    """Who is reminded of an event: those who said yes, and the followers of its topics who did not
    say no (chat ids)."""
    chosen = {chat_id for chat_id, answer in answers.items() if answer == "yes"}
    chosen |= {chat_id for chat_id in followers if answers.get(chat_id) != "no"}
    return chosen
