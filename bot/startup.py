"""Checks before ``foui-bot run`` starts the Application, each failure said in one or two Norwegian lines.

No traceback and no token reaches the operator from here: the sources file is read, the database
migrated (which also proves it is there and writable), and Telegram asked who the bot is, with a
growing pause between tries while Telegram cannot be reached. The Application's own start after
these checks then finds everything ready.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import socket
import sqlite3
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from telegram import Bot
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError

from bot import texts
from bot.config import Settings
from bot.logs import redact
from bot.poll.seed import load_source_defs
from feeds.sources import SourcesFileError
from storage import network_setup
from storage.db import make_engine, make_sessionmaker, migrate, startup_lock

log = logging.getLogger(__name__)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
FIRST_RETRY_SECONDS = 2.0
MAX_RETRY_SECONDS = 60.0


class StartError(Exception):
    """The bot cannot start; ``lines`` say why in Norwegian, ``code`` is the exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.lines = message.splitlines()
        self.code = code


def safe_url(url: str) -> str:
    """A database URL without its password."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':', 1)[0]}@{host}"
    return url


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _reason(exc: BaseException, secrets: list[str]) -> str:
    """The innermost error's first line, without the token or a password."""
    inner = _chain(exc)[-1]
    text = str(inner).strip().splitlines()[0] if str(inner).strip() else type(inner).__name__
    text = text.removeprefix("(sqlite3.OperationalError) ")
    return redact(text, secrets)[:300]


def describe_database_error(exc: BaseException, url: str, secrets: list[str] | None = None) -> str:
    """What went wrong with the database, for the operator (two lines at most)."""
    chain = _chain(exc)
    names = {type(e).__name__ for e in chain}
    words = " ".join(str(e) for e in chain).lower()
    reason = _reason(exc, [*(secrets or []), *database_password(url)])
    values = {"url": safe_url(url), "reason": reason}
    if "readonly" in words or "read-only" in words or "ReadOnlySqlTransactionError" in names:
        return texts.DATABASE_READ_ONLY.format(**values)
    if names & {"InvalidPasswordError", "InvalidAuthorizationSpecificationError"}:
        return texts.DATABASE_DENIED.format(**values)
    if "InvalidCatalogNameError" in names or "unable to open database file" in words:
        return texts.DATABASE_MISSING.format(**values)
    if any(isinstance(e, OSError | TimeoutError | ConnectionError) for e in chain):
        return texts.DATABASE_DOWN.format(**values)
    if any(isinstance(e, sqlite3.DatabaseError) for e in chain) and "not a database" in words:
        return texts.DATABASE_MISSING.format(**values)
    return texts.DATABASE_FAILED.format(**values)


def is_database_error(exc: BaseException) -> bool:
    """Whether an error that stopped a command came from the database (driver, SQLAlchemy, connection)."""
    for e in _chain(exc):
        if isinstance(e, SQLAlchemyError | sqlite3.Error | ConnectionError | socket.gaierror):
            return True
        if type(e).__module__.startswith("asyncpg"):
            return True
    return False


def database_password(url: str) -> list[str]:
    """The password in a database URL (none or one), to keep it out of every output."""
    if "@" in url and "://" in url:
        creds = url.split("://", 1)[1].rsplit("@", 1)[0]
        if ":" in creds:
            return [creds.split(":", 1)[1]]
    return []


def check_sources(settings: Settings) -> None:
    """A FOUI_SOURCES_FILE that cannot be read or parsed stops the start (rather than a bot with none)."""
    try:
        load_source_defs(settings)
    except SourcesFileError as err:
        raise StartError(texts.SOURCES_FILE_UNUSABLE.format(reason="; ".join(err.lines)), 2) from None


async def check_database(settings: Settings) -> None:
    """Connect and migrate: proves the database is there, reachable and writable."""
    engine = make_engine(settings.database_url)
    try:
        async with startup_lock(engine):  # several processes on PostgreSQL: one migrates at a time
            await migrate(engine)
        async with engine.begin() as conn:  # a write that changes nothing: is the database writable?
            await conn.execute(text("UPDATE alembic_version SET version_num = version_num"))
    except Exception as exc:
        log.debug("database check failed", exc_info=True)
        raise StartError(describe_database_error(exc, settings.database_url, _secrets(settings))) from None
    finally:
        await engine.dispose()


def _secrets(settings: Settings) -> list[str]:
    return [s for s in (settings.token(),) if s]


async def check_telegram(
    settings: Settings,
    *,
    say: Callable[[str], None],
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    bot: Bot | None = None,
) -> str:
    """Ask Telegram who the bot is (getMe); wait and try again while it cannot be reached.

    Returns the bot's username. A rejected token, or an answer that is not the Bot API's, stops.
    """
    token = settings.token()
    if bot is None:
        if token is None:
            raise StartError(texts.NO_TOKEN, 2)
        bot = Bot(token, base_url=settings.telegram_api_url)
    secrets = _secrets(settings)
    delay = FIRST_RETRY_SECONDS
    while True:
        try:
            async with bot:
                return bot.username
        except InvalidToken:
            raise StartError(texts.TOKEN_REJECTED, 2) from None
        except RetryAfter as exc:
            wait = float(exc.retry_after if isinstance(exc.retry_after, int | float) else delay)
            say(texts.TELEGRAM_UNREACHABLE.format(reason="429", seconds=round(wait)))
            await sleep(wait)
        except (BadRequest, Forbidden) as exc:
            raise StartError(texts.TELEGRAM_REFUSED.format(reason=_reason(exc, secrets)), 2) from None
        except (NetworkError, TelegramError) as exc:
            say(texts.TELEGRAM_UNREACHABLE.format(reason=_reason(exc, secrets), seconds=round(delay)))
            await sleep(delay)
            delay = min(delay * 2, MAX_RETRY_SECONDS)


def new_setup_code() -> str:
    """A code that is easy to type: 8 letters and digits without look-alikes, as XXXX-XXXX (40 bits)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


async def announce_setup(
    settings: Settings, *, bot: str, say: Callable[[str], None], make_code: Callable[[], str] = new_setup_code
) -> None:
    """Tell the operator how to connect the group: the /oppsett code on the very first start, once."""
    if settings.group_chat_id is not None:
        return
    engine = make_engine(settings.database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            row = await network_setup.get_setup(session)
            if row is not None and row.group_telegram_id is not None:
                say(texts.SETUP_CONNECTED.format(title=row.group_title or "?", group=row.group_telegram_id))
                return
            if settings.setup_code is not None:
                say(texts.SETUP_CODE_CONFIGURED.format(bot=bot))
                return
            code = make_code()
            made = await network_setup.ensure_code(
                session, network_setup.code_hash(code), now=datetime.now(UTC)
            )
            await session.commit()
    finally:
        await engine.dispose()
    say(texts.SETUP_CODE_NEW.format(bot=bot, code=code) if made else texts.SETUP_CODE_EARLIER)


async def preflight(settings: Settings, *, say: Callable[[str], None]) -> str:
    """Every check, cheapest first, then how to connect the group; returns the bot's username."""
    check_sources(settings)
    await check_database(settings)
    username = await check_telegram(settings, say=say)
    await announce_setup(settings, bot=username, say=say)
    return username
