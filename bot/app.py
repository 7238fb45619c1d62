"""Building the Application from the settings, in one function."""

from __future__ import annotations

import gc
import html
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes
from telegram.request import BaseRequest

from bot import network, texts
from bot.config import Settings
from bot.endpoints import start_web, stop_web
from bot.persistence import DatabasePersistence
from bot.poll.conditions import on_ingest_conditions, read_missing
from bot.poll.health import schedule_source_health
from bot.poll.jobs import start_polling, stop_polling
from bot.poll.seed import seed_sources
from bot.push.confirm import on_ingest_truth
from bot.push.fanout import on_ingest
from bot.push.jobs import start_pushes, stop_pushes
from bot.ratelimit import REPLYING, make_rate_limiter
from bot.replicas import polling_conflict, release_locks, take_locks
from bot.services import Services, get_services
from bot.texts.updates import LanguageApplication
from bot.web.heartbeat import schedule_heartbeat
from handlers import registry
from storage.db import migrate, startup_lock

log = logging.getLogger(__name__)

# A syntactically valid token for the in-process fake (console, tests); never sent anywhere.
FAKE_TOKEN = "123456789:FAKE_TOKEN_for_offline_use_only_000000"


class MissingTokenError(Exception):
    """No FOUI_BOT_TOKEN configured."""


def wire(services: Services) -> Services:
    """Hand the wings what they need from each other: every poll reads who may apply for its new and
    changed calls, then the push wing's fan-out runs (so a notice says who may apply), and so does its
    question to the coordinators about deadlines that are not certain."""
    for hook in (on_ingest_conditions, on_ingest, on_ingest_truth):
        if hook not in services.ingest_hooks:
            services.ingest_hooks.append(hook)
    return services


def make_services(settings: Settings, *, clock: Callable[[], datetime] | None = None) -> Services:
    """The services of one process, wired."""
    return wire(Services.create(settings, clock=clock))


async def prepare_database(services: Services) -> None:
    """Migrate, then seed what a fresh database needs (topics, default sources); one process at a time."""
    wire(services)
    async with startup_lock(services.engine):
        await migrate(services.engine)
        for seed in SEEDERS:
            await seed(services)


async def seed_topics(services: Services) -> None:
    """The default topic catalogue, added once (a coordinator's later edits are kept)."""
    from feeds.catalogue import DEFAULT_TOPICS
    from storage import topics

    async with services.session() as session:
        await topics.seed_topics(session, DEFAULT_TOPICS)


# Functions run after migration on every start; issues add their seeders here.
SEEDERS: list[Callable[[Services], Any]] = [seed_topics, seed_sources, read_missing, network.load]


async def start_services(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Everything that must happen before the first update: database, menus, jobs."""
    services = get_services(app)
    await prepare_database(services)
    await take_locks(app, polling=bool(services.extras.get(SERVE_HTTP)) and not services.settings.webhook_url)
    coordinator_ids = set(services.settings.coordinator_ids)
    group = services.settings.group_chat_id
    if group is not None:
        try:  # the group's administrators are coordinators too, so they get the coordinators' menu
            coordinator_ids |= {
                m.user.id for m in await app.bot.get_chat_administrators(group) if not m.user.is_bot
            }
        except Exception:
            log.warning("could not read the administrators of the network group %s", group, exc_info=True)
    try:
        await registry.set_menus(app, sorted(coordinator_ids))
    except Exception:  # a menu that could not be set must not stop the bot
        log.exception("could not set the command menus")
    for start in STARTERS:
        await start(app)
    if services.extras.get(SERVE_HTTP):
        await start_web(app)
    freeze_start()


def freeze_start() -> None:
    """Once started: collect once, then keep what the start built (modules, the Application, the
    settings, compiled queries) out of the garbage collector's full passes. A full pass walks every
    object the collector tracks; during a big planner run those passes blocked the event loop for
    0.2 to 0.4 s each (issue 18), most of it spent on the start's objects, which live as long as
    the process anyway."""
    gc.collect()
    gc.freeze()


# Functions run when the Application starts (for example scheduling jobs); issues add theirs.
STARTERS: list[Callable[[Application[Any, Any, Any, Any, Any, Any]], Any]] = [
    schedule_heartbeat,
    network.start_refresh,
    start_pushes,
    schedule_source_health,
    start_polling,
]


async def stop_services(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    await stop_polling(app)
    await stop_pushes(app)
    gc.unfreeze()  # what ``freeze_start`` kept aside is the collector's again (tests start many apps)
    await stop_web(app)
    await release_locks(app)
    await get_services(app).engine.dispose()


SERVE_HTTP = "serve_http"


class BotApplication(LanguageApplication):
    """The Application, counting updates; each update is handled in its reader's language
    (``LanguageApplication``), and what is sent while one is handled counts as a reply
    (rate-limited together with the pushes, see ``bot.ratelimit``)."""

    async def process_update(self, update: object) -> None:
        services = self.bot_data.get("services")
        if isinstance(services, Services) and isinstance(update, Update):
            services.counters["updates"] += 1
        persistence = self.persistence
        if isinstance(persistence, DatabasePersistence) and persistence.shared and isinstance(update, Update):
            await persistence.refresh_conversations(self, update)  # a replica may have moved it on
        token = REPLYING.set(True)
        try:
            await super().process_update(update)
        finally:
            REPLYING.reset(token)
            if self.persistence is not None:  # the conversation's step and drafts, written now
                try:
                    await self.update_persistence()
                except Exception:
                    log.exception("could not store the conversation state")


async def error_handler(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error with its traceback; tell the person, in Norwegian, that something went wrong."""
    if update is None and polling_conflict(context.application, context.error):
        return
    log.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await context.bot.send_message(update.effective_chat.id, html.escape(texts.ERROR_GENERIC))
        except Exception:
            log.warning("could not tell the person about the error", exc_info=True)


def build_application(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    clock: Callable[[], datetime] | None = None,
    services: Services | None = None,
    serve_http: bool = False,
    rate_limited: bool | None = None,
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The whole bot: handlers, error handler, services; ``request`` swaps in the fake Bot API.

    ``serve_http``: start the HTTP server (health, metrics, webhook) with the bot (``foui-bot run``).
    ``rate_limited``: every call through the shared rate limiter; by default only against the real
    Bot API (the in-process fakes answer at once, and tests of the limiter ask for it).
    """
    token = settings.token()
    if token is None:
        if request is None:
            raise MissingTokenError(texts.NO_TOKEN)
        token = FAKE_TOKEN
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.telegram_api_url)
        .post_init(start_services)
        .post_shutdown(stop_services)
        .concurrent_updates(False)
        .application_class(BotApplication)
    )
    if settings.telegram_file_url:
        builder = builder.base_file_url(settings.telegram_file_url)
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    services = wire(services or Services.create(settings, clock=clock))
    if rate_limited if rate_limited is not None else request is None:
        builder = builder.rate_limiter(cast(Any, make_rate_limiter(settings, services.counters)))
    if serve_http and settings.webhook_url:
        builder = builder.updater(None)  # the webhook is a route of our own server
    builder = builder.persistence(DatabasePersistence(services, shared=not settings.is_sqlite))
    app = builder.build()
    app.bot_data["services"] = services
    services.extras[SERVE_HTTP] = serve_http
    registry.register(app)
    app.add_error_handler(error_handler)
    return app
