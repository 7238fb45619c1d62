"""The composition root's HTTP endpoints: what each wing tells /healthz and /metrics, the webhook,
and the routes other wings mount (``MOUNTS``); served by ``bot.web.server.WebServer``.

``start_web`` runs among the starters when the runner asked for the server
(``build_application(serve_http=True)``), ``stop_web`` at shutdown. ``FOUI_HTTP_PORT=0``: no server.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.calendar.feed import make_feed_app
from bot.push.wake import get_sender
from bot.services import Services, get_services
from bot.web.health import Health, healthz_route
from bot.web.metrics import Family, Metrics, metrics_route
from bot.web.server import MountHandler, WebServer
from bot.web.webhook import webhook_path, webhook_route
from storage import ops, truth
from storage import outbox as outbox_store

log = logging.getLogger(__name__)

WEB_KEY = "web"
# Routes the wings serve under a prefix of the bot's server: (prefix, handler from the services).
# The calendar wing's live feeds are mounted here as ("/kalender/", its handler factory).
MOUNTS: list[tuple[str, Callable[[Services], MountHandler]]] = [
    ("/kalender/", lambda services: make_feed_app(services.sessions, services.settings, services.clock)),
]
# A poll older than this many of the longest source interval (and at least STALE_MIN) is stale.
STALE_INTERVALS = 3
STALE_MIN = timedelta(hours=1)

App = Application[Any, Any, Any, Any, Any, Any]


def health_checks(app: App, health: Health) -> Health:
    services = get_services(app)

    async def database() -> tuple[bool, Any]:
        async with services.session() as session:
            return await ops.ping(session), None

    async def scheduler() -> tuple[bool, Any]:
        queue = app.job_queue
        return bool(queue is not None and queue.scheduler.running), None

    async def sender() -> tuple[bool, Any]:
        found = get_sender(services)
        running = bool(found is not None and getattr(found, "_running", False))
        return running, None

    async def last_poll() -> tuple[bool, Any]:
        async with services.session() as session:
            last, longest = await ops.last_poll(session)
        if longest is None:  # no enabled sources: nothing to poll
            return True, None
        stale = max(STALE_MIN, timedelta(minutes=longest * STALE_INTERVALS))
        now = services.now()
        fresh = (last is not None and now - last <= stale) or now - services.started_at <= stale
        return fresh, last.isoformat() if last is not None else None

    for name, check in (
        ("database", database),
        ("scheduler", scheduler),
        ("sender", sender),
        ("last_poll", last_poll),
    ):
        health.add(name, check)
    return health


def metric_collectors(app: App, metrics: Metrics) -> Metrics:
    services = get_services(app)

    async def counted() -> list[Family]:
        c = services.counters
        sender = get_sender(services)
        pushes = sender.counters["sent"] if sender is not None else 0
        return [
            Family("foui_updates_total", "counter", "Updates from Telegram handled").add(c["updates"]),
            Family("foui_replies_sent_total", "counter", "Replies and edits sent while handling updates").add(
                c["replies_sent"]
            ),
            Family("foui_messages_sent_total", "counter", "Messages and edits sent, replies and pushes").add(
                c["messages_sent"]
            ),
            Family("foui_pushes_sent_total", "counter", "Outbox messages sent by this process").add(pushes),
            Family("foui_telegram_429_total", "counter", "Flood-limit answers (429) from Telegram").add(
                c["telegram_429"]
            ),
            Family("foui_polls_total", "counter", "Source polls by outcome")
            .add(c["polls_ok"], outcome="ok")
            .add(c["polls_failed"], outcome="failed")
            .add(c["polls_skipped"], outcome="skipped"),
            Family("foui_poll_duration_seconds_sum", "counter", "Seconds spent polling sources").add(
                c["poll_ms"] / 1000
            ),
            Family("foui_poll_duration_seconds_count", "counter", "Source polls timed").add(
                c["polls_ok"] + c["polls_failed"]
            ),
        ]

    async def stored() -> list[Family]:
        now = services.now()
        async with services.session() as session:
            box = await outbox_store.stats(session, now=now)
            sources = await ops.sources_by_health(session)
            deadlines = await truth.counts(session)
        depth = Family("foui_outbox_messages", "gauge", "Outbox rows by status")
        for status in ("pending", "sending", "sent", "failed", "cancelled"):
            depth.add(getattr(box, status), status=status)
        health = Family("foui_sources", "gauge", "Sources by health")
        for state, n in sources.items():
            health.add(n, health=state)
        return [
            depth,
            Family("foui_outbox_due", "gauge", "Outbox rows due now").add(box.due),
            Family("foui_outbox_oldest_due_seconds", "gauge", "How long the oldest due push has waited").add(
                box.oldest_due_seconds
            ),
            health,
            Family("foui_deadlines_waiting_confirmation", "gauge", "Deadlines waiting for a coordinator").add(
                deadlines.waiting
            ),
        ]

    metrics.add(counted)
    metrics.add(stored)
    return metrics


def build_server(app: App) -> WebServer:
    """The server with every route: /healthz, /metrics, the webhook (when set), the wings' mounts."""
    services = get_services(app)
    settings = services.settings
    server = WebServer(settings.http_listen, settings.http_port)
    server.route("/healthz", healthz_route(health_checks(app, Health())))
    server.route("/metrics", metrics_route(metric_collectors(app, Metrics())))
    if settings.webhook_url and settings.webhook_secret is not None:
        secret = settings.webhook_secret.get_secret_value()
        server.route(webhook_path(settings.webhook_url), webhook_route(app, secret), methods=("POST",))
    for prefix, factory in MOUNTS:
        server.mount(prefix, factory(services))
    return server


def web_server(services: Services) -> WebServer | None:
    server = services.extras.get(WEB_KEY)
    return server if isinstance(server, WebServer) else None


async def start_web(app: App) -> None:
    """Start the HTTP server (a starter); FOUI_HTTP_PORT=0 means none."""
    services = get_services(app)
    if services.settings.http_port == 0 or web_server(services) is not None:
        return
    server = build_server(app)
    await server.start()
    services.extras[WEB_KEY] = server


async def stop_web(app: App) -> None:
    services = get_services(app)
    server = web_server(services)
    if server is not None:
        await server.stop()
        services.extras.pop(WEB_KEY, None)


async def serve_webhook(app: App, *, stop: asyncio.Event | None = None) -> None:
    """Webhook mode, python-telegram-bot's custom-webhook pattern: no Updater; our HTTP server puts
    each update (with the right secret) into the Application's queue. Runs until ``stop`` (an
    ``asyncio.Event``) is set, or SIGINT/SIGTERM."""
    services = get_services(app)
    settings = services.settings
    assert settings.webhook_url and settings.webhook_secret is not None
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # not the main thread (tests)
            pass
    await app.initialize()
    try:
        if app.post_init is not None:
            await app.post_init(app)
        await app.bot.set_webhook(
            url=settings.webhook_url,
            secret_token=settings.webhook_secret.get_secret_value(),
            allowed_updates=Update.ALL_TYPES,
        )
        await app.start()
        try:
            await stop.wait()
        finally:
            await app.stop()
    finally:
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
