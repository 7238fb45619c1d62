"""``foui-bot run``: long polling by default, a webhook when FOUI_WEBHOOK_URL is set."""

from __future__ import annotations

import logging
import sys
from urllib.parse import urlsplit

from telegram import Update

from bot import texts
from bot.app import MissingTokenError, build_application
from bot.config import Settings
from bot.locks import AlreadyRunningError, lock_for

log = logging.getLogger(__name__)


def webhook_path(url: str) -> str:
    """The path the webhook server listens on: the public URL's path ("" for the root)."""
    return urlsplit(url).path.strip("/")


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
        app = build_application(settings)
    except MissingTokenError as err:
        print(str(err), file=sys.stderr)
        return 2
    if settings.webhook_url:
        print(texts.STARTING_WEBHOOK.format(url=settings.webhook_url), file=sys.stderr)
        secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
        app.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=webhook_path(settings.webhook_url),
            webhook_url=settings.webhook_url,
            secret_token=secret,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        print(texts.STARTING_POLLING, file=sys.stderr)
        app.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0
