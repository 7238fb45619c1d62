"""The one list of commands: it registers the handlers and builds the command menus.

Each handler module declares ``COMMANDS`` (a list of ``Command``) and may define
``build_handlers()`` for what is not a plain command (buttons, conversations). Add a module to
``MODULES`` and both its handlers and its menu entries appear.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
)
from telegram.ext import Application, BaseHandler, CommandHandler

from bot.texts.i18n import gettext as tr
from bot.texts.i18n import use_language

PRIVATE = "private"
GROUP = "group"
COORDINATOR = "coordinator"

# Handler modules, in registration order. Each helper module owns its own file. A command group split
# over several modules (events, sources_admin, manual_deadlines, announce, register) is listed once: the
# module here registers the handlers of its step modules (event_buttons, source_add, manual_edit, ...).
MODULES: list[str] = [
    "handlers.button_guard",
    "handlers.track",
    "handlers.start",
    "handlers.help",
    "handlers.frister",
    "handlers.topics",
    "handlers.alerts",
    "handlers.settings",
    "handlers.language",
    "handlers.search",
    "handlers.calendar",
    "handlers.arshjul",
    "handlers.pictures",
    "handlers.deadline_check",
    "handlers.manual_deadlines",
    "handlers.events",
    "handlers.announce",
    "handlers.tips",
    "handlers.status",
    "handlers.sources_admin",
    "handlers.register",
    "handlers.contacts",
    "handlers.membership",
    "handlers.privacy",
    "handlers.push_buttons",
    "handlers.call_detail",
    "handlers.soknader",
    "handlers.applications",
    "handlers.setup",
    "handlers.coordinator_list",
]

Callback = Callable[[Any, Any], Awaitable[Any]]

# What people type in the other languages, for commands named in bokmål (ASCII only: Telegram
# commands are [a-z0-9_]). Registered as aliases of the command, never shown in the menus.
LANGUAGE_ALIASES: dict[str, tuple[str, ...]] = {
    "frister": ("fristar", "deadlines"),
    "emner": ("emne", "topics"),
    "innstillinger": ("innstillingar",),
    "sok": ("search",),
    "kalender": ("calendar",),
    "varsle": ("varsla", "alert"),
}
# The menus' languages besides the default (bokmål): Telegram shows a client the menu of its
# language_code, or the default one.
MENU_LANGUAGES = ("nn", "en")


@dataclass(frozen=True)
class Command:
    """A command: its name, menu description, where it shows in the menu, and its callback.

    ``callback`` None means the module registers the command itself (for example as a
    conversation entry point) and the registry only puts it in the menus.
    """

    name: str
    description: str
    scopes: frozenset[str] = field(default_factory=lambda: frozenset({PRIVATE, GROUP}))
    callback: Callback | None = None
    aliases: tuple[str, ...] = ()
    menu: bool = True
    filters: Any = None  # extra PTB filters for the CommandHandler (e.g. to leave a deep link to another)


def load_modules(names: Iterable[str] | None = None) -> list[ModuleType]:
    return [importlib.import_module(name) for name in (MODULES if names is None else names)]


def all_commands(modules: list[ModuleType] | None = None) -> list[Command]:
    commands: list[Command] = []
    for module in modules if modules is not None else load_modules():
        commands.extend(getattr(module, "COMMANDS", []))
    return commands


def register(app: Application[Any, Any, Any, Any, Any, Any], modules: list[ModuleType] | None = None) -> None:
    """Add every module's handlers to the Application."""
    modules = modules if modules is not None else load_modules()
    for module in modules:
        build = getattr(module, "build_handlers", None)
        extra: list[BaseHandler[Any, Any, Any]] = list(build()) if build else []
        group: int = getattr(module, "HANDLER_GROUP", 0)  # e.g. -1: runs before every command
        for handler in extra:
            app.add_handler(handler, group)
        for command in getattr(module, "COMMANDS", []):
            if command.callback is not None:
                app.add_handler(
                    CommandHandler(
                        [command.name, *command.aliases, *LANGUAGE_ALIASES.get(command.name, ())],
                        command.callback,
                        filters=command.filters,
                    )
                )


def menu(scope: str, modules: list[ModuleType] | None = None) -> list[BotCommand]:
    """The menu for one scope; the coordinators' menu also holds everything private chats have."""
    wanted = {scope, PRIVATE} if scope == COORDINATOR else {scope}
    seen: set[str] = set()
    result: list[BotCommand] = []
    for command in all_commands(modules):
        if command.menu and command.scopes & wanted and command.name not in seen:
            seen.add(command.name)
            result.append(BotCommand(command.name, tr(command.description)))
    return result


async def set_menus(
    app: Application[Any, Any, Any, Any, Any, Any],
    coordinator_chat_ids: Iterable[int] = (),
    modules: list[ModuleType] | None = None,
) -> None:
    """setMyCommands for private chats, groups and each coordinator's private chat: in bokmål for
    every client, and in each of ``MENU_LANGUAGES`` for clients in that language."""
    bot = app.bot
    coordinators = list(coordinator_chat_ids)
    for language in (None, *MENU_LANGUAGES):
        with use_language(language):
            code = {"language_code": language} if language else {}
            private = BotCommandScopeAllPrivateChats()
            await bot.set_my_commands(menu(PRIVATE, modules), scope=private, **code)
            await bot.set_my_commands(menu(GROUP, modules), scope=BotCommandScopeAllGroupChats(), **code)
            coordinator_menu = menu(COORDINATOR, modules)
            for chat_id in coordinators:
                await bot.set_my_commands(coordinator_menu, scope=BotCommandScopeChat(chat_id), **code)


async def set_chat_menu(
    app: Application[Any, Any, Any, Any, Any, Any],
    chat_id: int,
    language: str | None,
    *,
    coordinator: bool,
    modules: list[ModuleType] | None = None,
) -> None:
    """A person's own menu after /sprak: in ``language`` whatever their app's language (None: back
    to the menus by the app's language; a coordinator keeps the coordinators' menu)."""
    bot, scope = app.bot, BotCommandScopeChat(chat_id)
    for code in (None, *MENU_LANGUAGES):
        extra = {"language_code": code} if code else {}
        if language is None and not coordinator:
            await bot.delete_my_commands(scope=scope, **extra)
            continue
        with use_language(language or code):
            await bot.set_my_commands(
                menu(COORDINATOR if coordinator else PRIVATE, modules), scope=scope, **extra
            )
