"""/innstillinger and /settings: how to be notified, reminder lead times and quiet hours, by buttons.

Personal settings live in a private chat; in a group the answer opens one with a deep link.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from bot import texts
from bot.config import Settings, parse_quiet_hours
from handlers.common import answer, current_chat, deep_link, edit, is_private, keyboard, reply, services
from handlers.errors import PrivateOnly, friendly
from handlers.registry import Command
from storage import conditions, members
from storage.models import Chat, NotifyMode

PREFIX = "st:"
HOURS = (6, 7, 8, 9, 10, 12, 14, 16, 18, 20)
REMINDER_CHOICES = (30, 14, 7, 3, 1, 0)
QUIET_CHOICES = ("21-07", "22-07", "22-06", "23-07", "20-08")
MODES = (
    (NotifyMode.INSTANT, texts.BTN_MODE_INSTANT),
    (NotifyMode.DAILY, texts.BTN_MODE_DAILY),
    (NotifyMode.WEEKLY, texts.BTN_MODE_WEEKLY),
)


@dataclass(frozen=True)
class Effective:
    """A chat's settings with the configured defaults filled in."""

    mode: str
    hour: int
    reminders: tuple[int, ...]
    quiet: str

    @classmethod
    def of(cls, chat: Chat, settings: Settings) -> Effective:
        reminders = chat.reminder_days if chat.reminder_days is not None else settings.reminder_days
        quiet = chat.quiet_hours if chat.quiet_hours is not None else settings.quiet_hours
        hour = chat.digest_hour if chat.digest_hour is not None else settings.digest_hour
        return cls(chat.notify_mode, hour, tuple(sorted(map(int, reminders), reverse=True)), quiet)


def join_words(parts: Sequence[str]) -> str:
    """'14, 3 og 1'."""
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} {texts.AND} {parts[-1]}"


def reminders_text(days: Sequence[int]) -> str:
    ahead = [str(d) for d in days if d > 0]
    if not ahead and 0 not in days:
        return texts.SETTINGS_REMINDERS_NONE
    if ahead == ["1"]:
        text = texts.SETTINGS_REMINDERS_ONE
    else:
        text = texts.SETTINGS_REMINDERS.format(days=join_words(ahead)) if ahead else ""
    if 0 in days:  # "14 og 3 dager før, og samme dag": not two og's in a row
        text = texts.SETTINGS_REMINDERS_AND_SAME.format(ahead=text) if text else texts.SETTINGS_DAYS_SAME
    return text


def quiet_text(value: str) -> str:
    parsed = parse_quiet_hours(value)
    if parsed is None:
        return texts.SETTINGS_QUIET_NONE
    return texts.SETTINGS_QUIET.format(start=parsed[0], end=parsed[1])


def mode_text(eff: Effective) -> str:
    if eff.mode == NotifyMode.DAILY:
        return texts.SETTINGS_MODE_DAILY.format(hour=eff.hour)
    if eff.mode == NotifyMode.WEEKLY:
        return texts.SETTINGS_MODE_WEEKLY.format(hour=eff.hour)
    return texts.SETTINGS_MODE_INSTANT


def _mark(selected: bool, label: str) -> str:
    return texts.BTN_SELECTED.format(label=label) if selected else label


def view(
    eff: Effective, menu: str = "", only_eligible: bool | None = None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The text and buttons of the settings message (main view or one of its menus); with
    ``only_eligible`` (the member's "bare det kommunen kan søke på eller delta i"), its line and button."""
    back = [(texts.BTN_BACK, f"{PREFIX}back")]
    if menu == "hour":
        hours = [(_mark(h == eff.hour, f"{h:02d}"), f"{PREFIX}hour:{h}") for h in HOURS]
        return texts.SETTINGS_HOUR_MENU, keyboard([hours[:5], hours[5:], back])
    if menu == "rem":
        rows = []
        for d in REMINDER_CHOICES:
            if d == 0:
                label = texts.BTN_REMINDER_ZERO
            elif d == 1:
                label = texts.BTN_REMINDER_ONE
            else:
                label = texts.BTN_REMINDER_DAY.format(days=d)
            rows.append((_mark(d in eff.reminders, label), f"{PREFIX}rem:{d}"))
        return texts.SETTINGS_REMINDERS_MENU, keyboard([rows[:3], rows[3:], back])
    if menu == "quiet":
        choices = []
        for q in QUIET_CHOICES:
            start, end = q.split("-")
            label = texts.BTN_QUIET_CHOICE.format(start=int(start), end=int(end))
            choices.append((_mark(q == eff.quiet, label), f"{PREFIX}quiet:{q}"))
        none = (_mark(eff.quiet == "", texts.BTN_QUIET_NONE), f"{PREFIX}quiet:none")
        return texts.SETTINGS_QUIET_MENU, keyboard([choices[:3], choices[3:], [none], back])
    text = texts.SETTINGS_TEXT.format(
        mode=mode_text(eff), reminders=reminders_text(eff.reminders), quiet=quiet_text(eff.quiet)
    )
    main: list[list[tuple[str, str]]] = [
        [(_mark(eff.mode == mode, texts.tr(label)), f"{PREFIX}mode:{mode}") for mode, label in MODES],
        [(texts.BTN_DIGEST_HOUR.format(hour=eff.hour), f"{PREFIX}menu:hour")],
        [(texts.BTN_REMINDERS, f"{PREFIX}menu:rem"), (texts.BTN_QUIET, f"{PREFIX}menu:quiet")],
    ]
    if only_eligible is not None:
        text = text.replace(
            "\n\n",
            "\n"
            + (texts.SETTINGS_ONLY_ELIGIBLE_ON if only_eligible else texts.SETTINGS_ONLY_ELIGIBLE_OFF)
            + "\n\n",
            1,
        )
        toggle = (
            (texts.BTN_ONLY_ELIGIBLE_OFF, f"{PREFIX}elig:off")
            if only_eligible
            else (texts.BTN_ONLY_ELIGIBLE_ON, f"{PREFIX}elig:on")
        )
        main.append([toggle])
    main.append([(texts.BTN_DONE, f"{PREFIX}done")])
    return text, keyboard(main)


async def show(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The settings message with its buttons."""
    svc = services(context)
    async with svc.session() as session:
        chat = await current_chat(session, update, svc.now())
        eff = Effective.of(chat, svc.settings)
        only = await conditions.eligibility_setting(session, chat.id)
    text, markup = view(eff, only_eligible=only)
    await reply(update, context, text, markup)


@friendly
async def innstillinger(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the personal settings (in a group: a button that opens a private chat)."""
    if not is_private(update):
        link = deep_link(context, "innstillinger")
        markup = keyboard([[(texts.BTN_OPEN_PRIVATE, f"url:{link}")]])
        raise PrivateOnly(texts.SETTINGS_PRIVATE_ONLY, link, markup)
    await show(update, context)


def apply(action: str, eff: Effective) -> dict[str, Any]:
    """The stored change a button asks for ({} for navigation); ValueError on nonsense."""
    name, _, value = action.partition(":")
    if name == "mode":
        if value not in {m for m, _ in MODES}:
            raise ValueError(value)
        return {"notify_mode": value}
    if name == "hour":
        hour = int(value)
        if hour not in HOURS:
            raise ValueError(value)
        return {"digest_hour": hour}
    if name == "rem":
        day = int(value)
        if day not in REMINDER_CHOICES:
            raise ValueError(value)
        days = set(eff.reminders) ^ {day}
        return {"reminder_days": sorted(days, reverse=True)}
    if name == "quiet":
        if value != "none" and value not in QUIET_CHOICES:
            raise ValueError(value)
        return {"quiet_hours": "" if value == "none" else value}
    return {}


def _as_stored(eff: Effective, change: dict[str, Any]) -> dict[str, Any]:
    """The current values of the fields ``change`` would set."""
    current = {
        "notify_mode": eff.mode,
        "digest_hour": eff.hour,
        "reminder_days": sorted(eff.reminders, reverse=True),
        "quiet_hours": eff.quiet,
    }
    return {key: current.get(key) for key in change}


@friendly
async def settings_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A press in the settings message: change a setting or move between its menus."""
    query = update.callback_query
    assert query is not None and query.data is not None
    action = query.data.removeprefix(PREFIX)
    if not is_private(update):
        await answer(update)
        return
    svc = services(context)
    async with svc.session() as session:
        chat = await current_chat(session, update, svc.now())
        eff = Effective.of(chat, svc.settings)
        only = await conditions.eligibility_setting(session, chat.id)
        if action in ("elig:on", "elig:off"):
            only = action == "elig:on"
            await conditions.set_only_eligible(session, chat.id, only, svc.now())
        try:
            change = apply(action, eff)
        except ValueError:
            change = {}
        if change == _as_stored(eff, change):  # pressed what is already chosen: nothing to save
            change = {}
        if change:
            chat = await members.update_settings(session, chat.id, **change)
            eff = Effective.of(chat, svc.settings)
    if action.startswith("elig:"):
        await answer(update, texts.ONLY_ELIGIBLE_NOW_ON if only else texts.ONLY_ELIGIBLE_NOW_OFF)
    else:
        await answer(update, texts.SETTINGS_SAVED if change else None)
    if action == "done":
        await edit(
            update,
            context,
            texts.SETTINGS_DONE.format(
                mode=mode_text(eff), reminders=reminders_text(eff.reminders), quiet=quiet_text(eff.quiet)
            ),
        )
        return
    menu = action.split(":", 1)[1] if action.startswith("menu:") else ""
    if action.startswith(("hour:", "mode:")):
        menu = ""
    elif action.startswith("rem:"):
        menu = "rem"
    elif action.startswith("quiet:"):
        menu = ""
    text, markup = view(eff, menu, None if menu else only)
    await edit(update, context, text, markup)


COMMANDS = [
    Command("innstillinger", texts.CMD_INNSTILLINGER, callback=innstillinger, aliases=("settings",)),
    # Telegram's global /settings: in the menus too; the handler is the alias above.
    Command("settings", texts.CMD_SETTINGS),
]


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [CallbackQueryHandler(settings_button, pattern=f"^{PREFIX}")]
