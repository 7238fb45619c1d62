"""``foui-bot console`` and ``foui-bot frister``: the bot in the terminal, without a token.

The console drives the real Application through the same fake Bot API as the tests
(``running_bot``): what you type goes in as a Telegram message, the bot's answers come out
as text, its buttons as numbered choices you pick by typing the number, and files it sends are
saved to disk.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
import tempfile
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from telegram.warnings import PTBUserWarning

from bot import texts
from bot.config import Settings
from bot.console.botapi import ApiCall, InProcessBotApi
from bot.console.driver import GROUP_ID, InProcessBot, Person, running_bot
from bot.texts.i18n import use_language

Out = Callable[[str], None]
QUIT = {":q", ":quit", "exit", "quit"}
_MESSAGES = {"sendMessage", "editMessageText", "editMessageReplyMarkup", "sendDocument", "sendPhoto"}

_LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.S)
_TAG = re.compile(r"<[^>]+>")


def html_to_text(text: str) -> str:
    """Telegram HTML as plain terminal text: tags dropped, links as their text."""
    text = _LINK.sub(lambda m: m.group(2), text)
    return html.unescape(_TAG.sub("", text))


class Console:
    """One person chatting with the bot; ``buttons`` are the choices of the last answer."""

    def __init__(
        self, harness: InProcessBot, person: Person, *, group: bool, out: Out, files_dir: Path
    ) -> None:
        self.harness = harness
        self.person = person
        self.group = group
        self.out = out
        self.files_dir = files_dir
        self.buttons: list[tuple[ApiCall, dict[str, Any]]] = []

    async def handle(self, line: str) -> None:
        """One line typed by the person: a button number, or a message to the bot."""
        if line.isdigit():
            number = int(line)
            if not 1 <= number <= len(self.buttons):
                self.out(texts.CONSOLE_NO_SUCH_BUTTON.format(number=number))
                return
            call, button = self.buttons[number - 1]
            if "url" in button:
                self.out(texts.CONSOLE_LINK_BUTTON.format(url=button["url"]))
                return
            calls = await self.harness.press_data(button["callback_data"], self.person, call)
        else:
            calls = await self.harness.send(line, self.person, group=self.group)
        self.show(calls)

    def show(self, calls: Sequence[ApiCall]) -> None:
        """Print what the bot did, and number its buttons."""
        shown = False
        buttons: list[tuple[ApiCall, dict[str, Any]]] = []
        for call in calls:
            if call.method == "sendMessage":
                self.out(texts.CONSOLE_BOT)
                self.out(html_to_text(call.text))
            elif call.method == "editMessageText":
                self.out(texts.CONSOLE_EDITED)
                self.out(html_to_text(call.text))
            elif call.method == "editMessageReplyMarkup":
                self.out(texts.CONSOLE_EDITED)
            elif call.method == "answerCallbackQuery":
                if call.params.get("text"):
                    self.out(texts.CONSOLE_NOTICE.format(text=call.params["text"]))
                    shown = True
                continue
            elif call.method in {"sendDocument", "sendPhoto"}:
                self._save_files(call)
            else:
                continue
            shown = True
            for row in call.buttons:
                labels = []
                for button in row:
                    buttons.append((call, button))
                    labels.append(f"[{len(buttons)}] {button['text']}")
                self.out("   ".join(labels))
        if any(c.method in _MESSAGES for c in calls):
            self.buttons = buttons  # numbers always mean the buttons of the latest answer
        if not shown:
            self.out(texts.CONSOLE_NOTHING)

    def _save_files(self, call: ApiCall) -> None:
        self.files_dir.mkdir(parents=True, exist_ok=True)
        for name, content in call.files.values():
            path = self.files_dir / Path(name).name
            path.write_bytes(content)
            self.out(texts.CONSOLE_DOCUMENT.format(name=name, path=path))
        if call.text:
            self.out(html_to_text(call.text))


def _lines(inputs: Iterable[str] | None, out: Out) -> Iterator[str]:
    if inputs is not None:
        for line in inputs:
            out(f"{texts.CONSOLE_PROMPT}{line}")
            yield line
        return
    while True:
        try:
            yield input(texts.CONSOLE_PROMPT)
        except (EOFError, KeyboardInterrupt):
            return


def console_settings(
    settings: Settings, *, user_id: int, group: bool, coordinator: bool, language: str | None = None
) -> Settings:
    """The settings as configured, with the console's person as coordinator and a group if needed
    (in ``language``, when given)."""
    update: dict[str, Any] = {}
    if group and language:
        update["language"] = language
    if coordinator and user_id not in settings.coordinator_ids:
        update["coordinator_ids"] = [*settings.coordinator_ids, user_id]
    if group and settings.group_chat_id is None:
        update["group_chat_id"] = GROUP_ID
    return settings.model_copy(update=update) if update else settings


async def run_console(
    settings: Settings,
    *,
    user_id: int = 1001,
    group: bool = False,
    coordinator: bool = False,
    inputs: Iterable[str] | None = None,
    out: Out = print,
    files_dir: Path | None = None,
    language: str = "nb",
) -> int:
    """Chat with the bot until the input ends (Ctrl+D) or the person types ':q', in ``language``
    (the console person's Telegram client language; the group's too with ``group``)."""
    with use_language(language):
        return await _run_console(settings, user_id, group, coordinator, inputs, out, files_dir, language)


async def _run_console(
    settings: Settings,
    user_id: int,
    group: bool,
    coordinator: bool,
    inputs: Iterable[str] | None,
    out: Out,
    files_dir: Path | None,
    language: str,
) -> int:
    from bot.console.examples import load_examples

    settings = console_settings(
        settings, user_id=user_id, group=group, coordinator=coordinator, language=language
    )
    api = InProcessBotApi()
    person = Person(
        id=user_id, first_name="Kari", last_name="Nordmann", username="kari", language_code=language
    )
    files_dir = files_dir or Path(tempfile.gettempdir()) / "foui-console"
    async with running_bot(settings, api=api) as harness:
        count = await load_examples(harness.services)
        out(texts.CONSOLE_INTRO)
        who = texts.CONSOLE_WHO_COORDINATOR if coordinator else texts.CONSOLE_WHO_MEMBER
        where = texts.CONSOLE_WHERE_GROUP if group else texts.CONSOLE_WHERE_PRIVATE
        out(
            texts.CONSOLE_WHERE.format(
                who=who.format(user_id=user_id), where=where, db=_safe(settings.database_url)
            )
        )
        out(texts.CONSOLE_EXAMPLES.format(count=count))
        console = Console(harness, person, group=group, out=out, files_dir=files_dir)
        for raw in _lines(inputs, out):
            line = raw.strip()
            if not line:
                continue
            if line in QUIT:
                break
            await console.handle(line)
    out(texts.CONSOLE_BYE)
    return 0


def _safe(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://{rest.rsplit('@', 1)[1]}"
    return url


def quiet_logs(settings: Settings) -> None:
    """Keep routine log lines (and PTB's warnings for developers) out of the conversation (DEBUG shows everything)."""
    if settings.log_level != "DEBUG":
        # e.g. "Ignoring `conversation_timeout` because the Applications JobQueue is not running"
        # in English on stderr the moment a conversation such as /registrer starts.
        warnings.filterwarnings("ignore", category=PTBUserWarning)
        logging.getLogger().setLevel(logging.WARNING)
        for name in ("telegram", "httpx", "apscheduler", "handlers", "bot"):
            logging.getLogger(name).setLevel(logging.ERROR)


def cli_console(
    settings: Settings, *, user_id: int, group: bool, coordinator: bool, language: str = "nb"
) -> int:
    """``foui-bot console``."""
    quiet_logs(settings)
    return asyncio.run(
        run_console(settings, user_id=user_id, group=group, coordinator=coordinator, language=language)
    )
