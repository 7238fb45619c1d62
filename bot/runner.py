"""``foui-bot run``: long polling by default, a webhook when FOUI_WEBHOOK_URL is set.

Before the Application starts, ``bot.startup`` checks the sources file, the database and the token;
each failure is one or two Norwegian lines on stderr and an exit code, never a traceback.
"""

from __future__ import annotations

import asyncio
import logging
import sys

from telegram import Update

from bot import texts
from bot.app import build_application
from bot.config import Settings
from bot.endpoints import serve_webhook
from bot.locks import AlreadyRunningError, lock_for
from bot.logs import redact
from bot.replicas import stopped_by_conflict
from bot.startup import StartError, describe_database_error, preflight
from bot.web.server import HttpServerError

log = logging.getLogger(__name__)


def say(line: str) -> None:
    """One line for the operator, on stderr (the log under Docker and systemd)."""
    print(line, file=sys.stderr, flush=True)


def run(settings: Settings) -> int:
    """Start the bot and block until SIGINT/SIGTERM; returns the exit code.

    On SQLite a second bot on the same file refuses to start (``bot/locks.py``).
    """
    if settings.token() is None:
        say(texts.NO_TOKEN)
        return 2
    lock = lock_for(settings.database_url)
    if lock is not None:
        try:
            lock.acquire()
        except AlreadyRunningError as err:
            say(str(err))
            return 1
        except OSError as exc:  # a directory that cannot be created or written
            say(describe_database_error(exc, settings.database_url))
            return 1
    try:
        asyncio.run(preflight(settings, say=say))
        return _run(settings)
    except StartError as err:
        for line in err.lines:
            say(line)
        return err.code
    except KeyboardInterrupt:
        return 130
    finally:
        if lock is not None:
            lock.release()


def _run(settings: Settings) -> int:
    app = build_application(settings, serve_http=True)
    try:
        if settings.webhook_url:
            say(texts.STARTING_WEBHOOK.format(url=settings.webhook_url))
            asyncio.run(serve_webhook(app))
        else:
            say(texts.STARTING_POLLING)
            app.run_polling(allowed_updates=Update.ALL_TYPES)
            if stopped_by_conflict(app):  # Telegram's 409: another process polls this bot elsewhere
                say(texts.POLLING_CONFLICT)
                return 1
    except (AlreadyRunningError, HttpServerError) as err:  # another poller; the port is taken
        say(str(err))
        return 1
    except Exception as exc:  # after the checks: still one line, the details only at DEBUG
        log.debug("the bot stopped", exc_info=True)
        reason = redact(f"{type(exc).__name__}: {exc}".splitlines()[0])
        raise StartError(texts.UNEXPECTED_STOP.format(reason=reason)) from None
    return 0
