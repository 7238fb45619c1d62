"""The webhook route (python-telegram-bot's custom-webhook pattern): every POST must carry the secret
in ``X-Telegram-Bot-Api-Secret-Token``; the update goes into the Application's update queue."""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any
from urllib.parse import urlsplit

from telegram import Update
from telegram.ext import Application

from bot.web.server import Request, Response, RouteHandler, text_response

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_path(url: str) -> str:
    """The path the webhook is served at: the public URL's path (``/`` for none)."""
    return "/" + urlsplit(url).path.strip("/")


def webhook_route(app: Application[Any, Any, Any, Any, Any, Any], secret: str) -> RouteHandler:
    """The POST handler: 403 without the right secret, 400 for a body that is not an update."""
    expected = secret.encode("utf-8")

    async def handle(request: Request) -> Response:
        given = (request.headers.get(SECRET_HEADER) or "").encode("utf-8")
        if not hmac.compare_digest(given, expected):
            log.warning("webhook call without the right secret refused")
            return text_response(403, "forbidden\n")
        try:
            data = json.loads(request.body)
            update = Update.de_json(data, app.bot)
        except Exception:
            log.warning("webhook call with a body that is not an update refused")
            return text_response(400, "bad request\n")
        if update is None:
            return text_response(400, "bad request\n")
        await app.update_queue.put(update)
        return text_response(200, "ok\n")

    return handle
