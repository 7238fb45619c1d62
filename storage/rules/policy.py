"""PushPolicy: the configured push defaults, and a chat's own quiet hours, lead times and digest hour."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any, Protocol

from storage.rules.quiet import QuietHours


class ChatPrefs(Protocol):
    """What the rules read of a chat (a ``storage.models.Chat`` fits)."""

    @property
    def quiet_hours(self) -> str | None: ...

    @property
    def reminder_days(self) -> Sequence[Any] | None: ...

    @property
    def digest_hour(self) -> int | None: ...


@dataclass(frozen=True)
class PushPolicy:
    """The configured defaults, and the two things storage may not import: the quiet-hours parser
    and the keyword matcher (``feeds.topics.matches_keyword``)."""

    tz: tzinfo
    default_quiet: QuietHours
    default_reminder_days: tuple[int, ...]
    default_digest_hour: int
    parse_quiet: Callable[[str], QuietHours]
    matches_keyword: Callable[[str, str], bool]

    def quiet_from(self, text: str | None) -> QuietHours:
        """Quiet hours as stored on a chat (None: the default; unreadable: the default too)."""
        if text is None:
            return self.default_quiet
        try:
            return self.parse_quiet(text)
        except ValueError:
            return self.default_quiet

    def quiet_for(self, chat: ChatPrefs) -> QuietHours:
        return self.quiet_from(chat.quiet_hours)

    def reminder_days_for(self, chat: ChatPrefs) -> tuple[int, ...]:
        days = chat.reminder_days if chat.reminder_days is not None else self.default_reminder_days
        return tuple(sorted({int(d) for d in days if 0 <= int(d) <= 365}))

    def digest_hour_for(self, chat: ChatPrefs) -> int:
        return chat.digest_hour if chat.digest_hour is not None else self.default_digest_hour
