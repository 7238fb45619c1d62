"""``foui-bot run``: long polling by default, a webhook when FOUI_WEBHOOK_URL is set."""

from __future__ import annotations

import asyncio
import logging
import sys

from telegram import Update

from bot import texts
from bot.app import MissingTokenError, build_application
from bot.config import Settings
from bot.endpoints import serve_webhook
from bot.locks import AlreadyRunningError, lock_for
from bot.replicas import stopped_by_conflict
from bot.web.server import HttpServerError

log = logging.getLogger(__name__)


def run(settings: Settings) -> int:
    """Start the bot and block until SIGINT/SIGTERM; returns the exit code.

    On SQLite a second bot on the same file refuses to start (``bot/locks.py``).
    """
    lock = lock_for(settings.database_url)
    if lock is not None:
        try:
            lock.acquire()
        except AlreadyRunningError as err:
            print(str(err), file=sys.stderr)
            return 1
    try:
        return _run(settings)
    finally:
        if lock is not None:
            lock.release()


def _run(settings: Settings) -> int:
    try:
        app = build_application(settings, serve_http=True)
    except MissingTokenError as err:
        print(str(err), file=sys.stderr)
        return 2
    if settings.webhook_url:
        print(texts.STARTING_WEBHOOK.format(url=settings.webhook_url), file=sys.stderr)
        try:
            asyncio.run(serve_webhook(app))
        except HttpServerError as err:
            print(str(err), file=sys.stderr)
            return 1
    else:
        print(texts.STARTING_POLLING, file=sys.stderr)
        try:
            app.run_polling(allowed_updates=Update.ALL_TYPES)
        except (AlreadyRunningError, HttpServerError) as err:  # another poller; the port is taken
            print(str(err), file=sys.stderr)
            return 1
        if stopped_by_conflict(app):  # Telegram's 409: another process polls this bot elsewhere
            print(texts.POLLING_CONFLICT, file=sys.stderr)
            return 1
    return 0
