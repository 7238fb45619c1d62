"""/kilder: the sources with their health; pause, resume, remove, "Hent nå", and adding a source
(tried at once without saving, refused with the reason when it yields nothing)."""

from __future__ import annotations

import asyncio
import html
import ipaddress
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes

from bot import texts
from bot.poll.poll import PollOutcome, make_fetcher, poll_source
from bot.services import Services
from feeds.adapters import KINDS, UnknownKindError
from feeds.fetch import FetchError, fetch_source
from feeds.items import ParseError
from handlers import registry
from handlers.coordinator import (
    END,
    answer,
    ask_topics,
    button_step,
    callback_arg,
    cancel_row,
    conversation,
    coordinator_only,
    draft,
    drop_draft,
    fresh_draft,
    keyboard,
    message_text,
    pressed,
    say,
    services_of,
    stale_button,
    text_step,
    toggle_topic,
)
from storage import audit, pushes
from storage import sources as source_store
from storage.models import Source
from storage.topics import list_topics

log = logging.getLogger(__name__)

LIST, ADD = "kl", "kla"
ADD_URL, ADD_KIND, ADD_NAME, ADD_TOPICS = "kilde:adresse", "kilde:type", "kilde:navn", "kilde:emner"
DRAFT_ADD = "draft:kilde"
TASKS_KEY = "sources_admin_tasks"  # background polls ("Hent nå"), awaited by tests and on shutdown
MAX_NAME = 120
MAX_URL = 2000
MAX_ITEMS_SHOWN = 10
EXAMPLES_SHOWN = 3
KIND_LABELS = {
    "rss": texts.KI_KIND_RSS,
    "rss_tilskudd": texts.KI_KIND_RSS_TILSKUDD,
    "forskningsradet": texts.KI_KIND_FORSKNINGSRADET,
    "statsforvalteren": texts.KI_KIND_STATSFORVALTEREN,
}


# ---- plain functions ----------------------------------------------------------------------------
def check_source_url(url: str, *, allow_private: bool) -> str | None:
    """None when ``url`` may be a source; else the Norwegian reason (HTML, escaped)."""
    shown = html.escape(url[:100])
    if not url or len(url) > MAX_URL or any(c.isspace() for c in url):
        return texts.KI_URL_INVALID.format(url=shown)
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return texts.KI_URL_INVALID.format(url=shown)
    if parts.scheme.lower() not in ("http", "https"):
        return texts.KI_URL_SCHEME.format(url=shown)
    if not host or parts.username is not None or parts.password is not None:
        return texts.KI_URL_INVALID.format(url=shown)
    if not allow_private and is_private_host(host):
        return texts.KI_URL_PRIVATE.format(host=html.escape(host))
    if "." not in host and ":" not in host and not allow_private:
        return texts.KI_URL_INVALID.format(url=shown)
    return None


def is_private_host(host: str) -> bool:
    """localhost, *.local, or an IP literal that is not a public address (no DNS lookup)."""
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global


# What the network library says in English, as a coordinator would say it (the raw text is logged).
_PLAIN_REASONS = (
    (
        (
            "name or service not known",
            "temporary failure in name resolution",
            "nodename nor servname",
            "no address associated",
            "getaddrinfo failed",
        ),
        texts.KI_REASON_NO_HOST,
    ),
    (
        ("connection refused", "connect call failed", "all connection attempts failed"),
        texts.KI_REASON_NO_CONNECT,
    ),
)


def plain_reason(reason: str) -> str:
    """Why a source failed, in Norwegian: known network errors explained, anything else as it is."""
    lowered = reason.lower()
    for markers, plain in _PLAIN_REASONS:
        if any(marker in lowered for marker in markers):
            return plain
    return reason


def kind_label(kind: str) -> str:
    """A source's kind as people call it ('RSS / Atom'), not its slug."""
    return KIND_LABELS.get(kind, kind)


@dataclass
class Trial:
    """A source tried without saving anything: the items' titles, or the reason it was refused."""

    titles: list[str] = field(default_factory=list)
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None


async def try_source(services: Services, kind: str, url: str) -> Trial:
    """Fetch and parse the listing once (``foui-bot poll --dry-run``'s path); nothing is stored."""
    settings = services.settings
    try:
        async with make_fetcher(settings) as fetcher, asyncio.timeout(settings.http_timeout_seconds + 5):
            fetched = await fetch_source(fetcher, kind, url, now=services.now(), fetch_details=False)
    except (FetchError, ParseError, UnknownKindError) as exc:
        return Trial(reason=str(getattr(exc, "reason", None) or exc))
    except TimeoutError:
        return Trial(reason=texts.KI_REASON_TIMEOUT)
    except Exception as exc:
        log.exception("trying source %s (%s) failed", url, kind)
        return Trial(reason=texts.SOURCE_REASON_UNEXPECTED.format(error=type(exc).__name__))
    if not fetched.items:
        return Trial(reason=texts.SOURCE_REASON_NOTHING)
    return Trial(titles=[item.title for item in fetched.items])


def _when(at: datetime | None, tz: ZoneInfo, now: datetime, default: str) -> str:
    if at is None:
        return default
    return texts.format_datetime(at, tz=tz, today=now.astimezone(tz).date())


def _icon(source: Source) -> str:
    if not source.enabled:
        return "⏸"
    if source.last_success_at is None and source.last_error_at is None:
        return "⚪"
    failing = source.last_error_at is not None and (
        source.last_success_at is None or source.last_error_at > source.last_success_at
    )
    return "🔴" if failing else "🟢"


def _last_error(source: Source) -> str:
    error = (source.last_error or "").strip()
    return plain_reason(error.splitlines()[0])[:200] if error else ""


def _next(source: Source, tz: ZoneInfo, now: datetime) -> str:
    if not source.enabled:
        return texts.KI_NEXT_PAUSED
    if source.next_poll_at is None or source.next_poll_at <= now:
        return texts.KI_NEXT_SOON
    return _when(source.next_poll_at, tz, now, texts.KI_NEXT_SOON)


def _state(source: Source) -> str:
    return texts.KI_STATE_ACTIVE if source.enabled else texts.KI_STATE_PAUSED


def render_line(source: Source, tz: ZoneInfo, now: datetime) -> str:
    """One source in the list: kind, state, last success, items found, failures, next poll, error."""
    error = _last_error(source)
    failures = source.consecutive_failures or 0
    return texts.KI_LINE.format(
        icon=_icon(source),
        name=html.escape(source.name),
        kind=html.escape(kind_label(source.kind)),
        state=_state(source),
        success=_when(source.last_success_at, tz, now, texts.KI_NEVER),
        found=source.items_found or 0,
        failures=texts.KI_LINE_FAILURES.format(count=failures) if failures else "",
        next=_next(source, tz, now),
        error=texts.KI_LINE_ERROR.format(error=html.escape(error)) if error else "",
    )


def render_card(source: Source, topic_names: dict[str, str], tz: ZoneInfo, now: datetime) -> str:
    """One source with all of its health."""
    topics = ", ".join(topic_names.get(s, s) for s in source.topics or []) or texts.NO_TOPICS
    error = _last_error(source)
    if error and source.last_error_at is not None:
        error = f"{error} ({_when(source.last_error_at, tz, now, '')})"
    return texts.KI_CARD.format(
        icon=_icon(source),
        name=html.escape(source.name),
        kind=html.escape(kind_label(source.kind)),
        state=_state(source),
        url=html.escape(source.url),
        topics=html.escape(topics),
        success=_when(source.last_success_at, tz, now, texts.KI_NEVER),
        error=html.escape(error) if error else texts.KI_NO_ERROR,
        found=source.items_found or 0,
        failures=source.consecutive_failures or 0,
        next=_next(source, tz, now),
    )


def card_keyboard(source: Source) -> InlineKeyboardMarkup:
    toggle_button = (
        (texts.BTN_KI_PAUSE, f"{LIST}:pause:{source.id}")
        if source.enabled
        else (texts.BTN_KI_RESUME, f"{LIST}:resume:{source.id}")
    )
    return keyboard(
        [
            [toggle_button, (texts.BTN_KI_POLL, f"{LIST}:poll:{source.id}")],
            [(texts.BTN_KI_REMOVE, f"{LIST}:rm:{source.id}"), (texts.BTN_KI_LIST, f"{LIST}:list")],
        ]
    )


def _deadline(at: datetime | None, has_time: bool, rolling: bool, tz: ZoneInfo, now: datetime) -> str:
    if rolling:
        return texts.KI_DEADLINE_ROLLING
    if at is None:
        return texts.KI_DEADLINE_NONE
    return texts.format_datetime(at, has_time=has_time, tz=tz, today=now.astimezone(tz).date())


async def render_outcome(services: Services, outcome: PollOutcome) -> str:
    """What "Hent nå" (or the first poll of a new source) came to: counts and the calls, or the error."""
    tz, now = services.settings.tz, services.now()
    name = html.escape(outcome.name)
    if not outcome.ok:
        async with services.session() as session:
            source = await source_store.get_source(session, outcome.source_id)
            failures = source.consecutive_failures if source else 0
            next_poll = _next(source, tz, now) if source else texts.KI_NEXT_SOON
        return texts.KI_POLL_FAILED.format(
            name=name,
            reason=html.escape(plain_reason(outcome.reason or "")),
            failures=failures,
            next=next_poll,
        )
    result = outcome.result
    if outcome.not_modified or result is None:
        return texts.KI_POLL_NOT_MODIFIED.format(name=name)
    lines = [
        texts.KI_POLL_OK.format(
            name=name,
            found=outcome.found,
            new=len(result.new) + len(result.new_closed),
            changed=len(result.changed),
            closed=len(result.closed),
        )
    ]
    marks: dict[int, str] = {}
    for call_id in [*result.new, *result.new_closed]:
        marks[call_id] = texts.KI_MARK_NEW
    for change in result.deadline_changed:
        marks[change.call_id] = texts.KI_MARK_DEADLINE
    for call_id in result.closed:
        marks.setdefault(call_id, texts.KI_MARK_CLOSED)
    for call_id in result.changed:
        marks.setdefault(call_id, texts.KI_MARK_CHANGED)
    async with services.session() as session:
        for call_id, mark in list(marks.items())[:MAX_ITEMS_SHOWN]:
            call = await pushes.load_call(session, call_id)
            if call is not None:
                deadline = _deadline(call.deadline_at, call.deadline_has_time, call.rolling, tz, now)
                lines.append(
                    texts.KI_POLL_ITEM.format(mark=mark, title=html.escape(call.title), deadline=deadline)
                )
    if len(marks) > MAX_ITEMS_SHOWN:
        lines.append(texts.KI_POLL_MORE.format(count=len(marks) - MAX_ITEMS_SHOWN))
    if outcome.warnings:
        lines.append(
            texts.KI_POLL_WARNINGS.format(
                count=len(outcome.warnings), first=html.escape(outcome.warnings[0][:200])
            )
        )
    return "\n".join(lines)


async def _record(update: Update, services: Services, action: str, detail: dict[str, Any]) -> None:
    user = update.effective_user
    async with services.session() as session:
        await audit.record(
            session, actor_id=user.id if user else None, action=action, detail=detail, at=services.now()
        )


def _source_id(update: Update) -> int:
    return int(callback_arg(update))


# ---- the list and one source ------------------------------------------------------------------
async def _show_list(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services = services_of(context)
    tz, now = services.settings.tz, services.now()
    async with services.session() as session:
        sources = await source_store.list_sources(session)
        lines = [render_line(s, tz, now) for s in sources]
        buttons = [[(f"{_icon(s)} {s.name[:50]}", f"{LIST}:s:{s.id}")] for s in sources]
    header = texts.KI_HEADER.format(count=len(lines)) if lines else texts.KI_EMPTY
    buttons.append([(texts.BTN_KI_ADD, f"{ADD}:add")])
    await say(update, context, "\n\n".join([header, *lines]), keyboard(buttons))


@coordinator_only
async def kilder(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/kilder: every source with its health, a button for each and «Legg til kilde»."""
    await _show_list(update, context)


@coordinator_only
async def show_list(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """«Alle kilder»: the list again."""
    await pressed(update)
    await _show_list(update, context)


async def _show_card(
    update: Update, context: ContextTypes.DEFAULT_TYPE, source_id: int, head: str = ""
) -> None:
    services = services_of(context)
    async with services.session() as session:
        source = await source_store.get_source(session, source_id)
        names = {t.slug: t.name for t in await list_topics(session)}
        card = render_card(source, names, services.settings.tz, services.now()) if source else None
        markup = card_keyboard(source) if source else None
    if card is None:
        await say(update, context, texts.KI_GONE)
        return
    await say(update, context, f"{head}\n\n{card}" if head else card, markup)


@coordinator_only
async def show_source(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A source's button: its card with pause/resume, «Hent nå» and «Fjern»."""
    await answer(update)
    await _show_card(update, context, _source_id(update))


async def _set_enabled(update: Update, context: ContextTypes.DEFAULT_TYPE, enabled: bool) -> None:
    await pressed(update)
    services = services_of(context)
    source_id = _source_id(update)
    async with services.session() as session:
        source = await source_store.set_enabled(session, source_id, enabled, now=services.now())
        name = source.name if source else None
    if name is None:
        await say(update, context, texts.KI_GONE)
        return
    action = "source_resumed" if enabled else "source_paused"
    await _record(update, services, action, {"source_id": source_id, "name": name[:200]})
    head = (texts.KI_RESUMED if enabled else texts.KI_PAUSED).format(name=html.escape(name))
    await _show_card(update, context, source_id, head)


@coordinator_only
async def pause(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """«Pause»: the poll job skips the source until it is resumed."""
    await _set_enabled(update, context, False)


@coordinator_only
async def resume(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """«Gjenoppta»: polled again, at once."""
    await _set_enabled(update, context, True)


@coordinator_only
async def remove_ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """«Fjern»: ask to confirm."""
    await answer(update)
    source_id = _source_id(update)
    async with services_of(context).session() as session:
        source = await source_store.get_source(session, source_id)
        found = (source.name, source.url) if source else None
    if found is None:
        await say(update, context, texts.KI_GONE)
        return
    await say(
        update,
        context,
        texts.KI_REMOVE_CONFIRM.format(name=html.escape(found[0]), url=html.escape(found[1])),
        keyboard(
            [[(texts.BTN_KI_REMOVE_YES, f"{LIST}:rmok:{source_id}"), (texts.BTN_CANCEL, f"{LIST}:keep")]]
        ),
    )


@coordinator_only
async def remove_confirm(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """«Ja, fjern»: the source is deleted; its calls stay."""
    await pressed(update)
    services = services_of(context)
    source_id = _source_id(update)
    async with services.session() as session:
        source = await source_store.remove_source(session, source_id)
        found = (source.name, source.url, source.kind) if source else None
    if found is None:
        await say(update, context, texts.KI_GONE)
        return
    detail = {"source_id": source_id, "name": found[0][:200], "url": found[1][:500], "kind": found[2]}
    await _record(update, services, "source_removed", detail)
    await say(update, context, texts.KI_REMOVED.format(name=html.escape(found[0])))


@coordinator_only
async def remove_keep(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """«Avbryt» under the removal question."""
    await pressed(update)
    await say(update, context, texts.KI_KEPT)


def background_polls(services: Services) -> set[asyncio.Task[Any]]:
    tasks: set[asyncio.Task[Any]] = services.extras.setdefault(TASKS_KEY, set())
    return tasks


async def _poll_and_report(services: Services, bot: Any, chat_id: int, source_id: int) -> PollOutcome:
    """Poll one source exactly as the job does (ingest hooks, health) and tell the coordinator."""
    outcome = await poll_source(services, source_id)
    await bot.send_message(chat_id, await render_outcome(services, outcome), parse_mode=ParseMode.HTML)
    return outcome


def start_poll(update: Update, context: ContextTypes.DEFAULT_TYPE, source_id: int) -> asyncio.Task[Any]:
    """Poll in the background, so a slow source does not hold up the bot for everyone else."""
    services = services_of(context)
    chat = update.effective_chat
    assert chat is not None
    work = _poll_and_report(services, context.bot, chat.id, source_id)
    app = context.application
    # While running, the Application awaits the task on shutdown and reports its errors.
    task = (
        app.create_task(work, update=update, name="kilder:hent")
        if app.running
        else asyncio.get_running_loop().create_task(work, name="kilder:hent")
    )
    tasks = background_polls(services)
    tasks.add(task)
    task.add_done_callback(tasks.discard)
    return task


@coordinator_only
async def poll_now(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """«Hent nå»: poll the source at once and report new and changed calls, or the error."""
    services = services_of(context)
    source_id = _source_id(update)
    async with services.session() as session:
        source = await source_store.get_source(session, source_id)
        name = source.name if source else None
    if name is None:
        await answer(update)
        await say(update, context, texts.KI_GONE)
        return
    await answer(update, texts.KI_POLLING.format(name=name))
    await _record(update, services, "source_polled", {"source_id": source_id, "name": name[:200]})
    await say(update, context, texts.KI_POLLING.format(name=html.escape(name)))
    start_poll(update, context, source_id)


# ---- «Legg til kilde» ---------------------------------------------------------------------------
@coordinator_only
async def add_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """«Legg til kilde»: ask for the address."""
    await answer(update)
    fresh_draft(context, DRAFT_ADD)
    await say(update, context, texts.KI_ADD_ASK_URL + texts.CANCEL_HINT, keyboard([cancel_row(ADD)]))
    return ADD_URL


async def add_url(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The address: a web address, not a source already."""
    services = services_of(context)
    url = message_text(update)
    problem = check_source_url(url, allow_private=services.settings.sources_allow_private_urls)
    if problem is None:
        async with services.session() as session:
            existing = await source_store.get_by_url(session, url)
            name = existing.name if existing else None
        if name is not None:
            problem = texts.KI_URL_DUPLICATE.format(name=html.escape(name))
    if problem is not None:
        log.info("source address refused: %r", url[:200])
        await say(update, context, problem, keyboard([cancel_row(ADD)]))
        return ADD_URL
    draft(context, DRAFT_ADD)["url"] = url
    rows = [[(KIND_LABELS.get(kind, kind), f"{ADD}:k:{kind}")] for kind in KINDS]
    await say(
        update,
        context,
        texts.KI_ADD_ASK_KIND.format(url=html.escape(url)),
        keyboard([*rows, cancel_row(ADD)]),
    )
    return ADD_KIND


async def add_kind(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | int:
    """The kind: try the source at once, without saving; refuse it with the reason if it yields nothing."""
    await pressed(update)
    services = services_of(context)
    data = draft(context, DRAFT_ADD)
    kind = callback_arg(update)
    if kind not in KINDS or "url" not in data:
        return ADD_KIND
    data["kind"] = kind
    await say(update, context, texts.KI_ADD_TRYING)
    trial = await try_source(services, kind, data["url"])
    if not trial.ok:
        reason = trial.reason or ""
        log.info("source %s (%s) refused: %s", data["url"][:200], kind, reason)
        await _record(
            update, services, "source_add_refused", {"url": data["url"][:500], "kind": kind, "reason": reason}
        )
        drop_draft(context, DRAFT_ADD)
        await say(update, context, texts.KI_ADD_REFUSED.format(reason=html.escape(plain_reason(reason))))
        return END
    examples = "\n".join(
        texts.KI_ADD_EXAMPLE.format(title=html.escape(title[:120])) for title in trial.titles[:EXAMPLES_SHOWN]
    )
    await say(
        update,
        context,
        texts.KI_ADD_FOUND.format(found=len(trial.titles), examples=examples) + texts.CANCEL_HINT,
        keyboard([cancel_row(ADD)]),
    )
    return ADD_NAME


async def add_name(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The name; then the topics (optional)."""
    name = message_text(update)
    if not name or len(name) > MAX_NAME:
        await say(update, context, texts.KI_NAME_TOO_LONG.format(limit=MAX_NAME))
        return ADD_NAME
    draft(context, DRAFT_ADD)["name"] = name
    text = texts.KI_ADD_ASK_TOPICS.format(name=html.escape(name))
    await ask_topics(update, context, DRAFT_ADD, ADD, text, extra=cancel_row(ADD))
    return ADD_TOPICS


async def add_topic(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """Toggle one topic."""
    await toggle_topic(update, context, DRAFT_ADD, ADD, extra=cancel_row(ADD))
    return ADD_TOPICS


async def add_save(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """«Ferdig»: save the source and poll it the first time, through the normal path."""
    await pressed(update)
    services = services_of(context)
    data = draft(context, DRAFT_ADD)
    if not {"url", "kind", "name"} <= data.keys():
        drop_draft(context, DRAFT_ADD)
        await stale_button(update, context)
        return END
    interval = services.settings.default_poll_minutes
    taken: str | None = None
    source_id = 0
    async with services.session() as session:
        existing = await source_store.get_by_url(session, data["url"])
        if existing is not None:
            taken = existing.name
        else:
            source = await source_store.add_source(
                session,
                name=data["name"],
                kind=data["kind"],
                url=data["url"],
                topics=data.get("topics", []),
                interval_minutes=interval,
            )
            source_id = source.id
    drop_draft(context, DRAFT_ADD)
    if taken is not None:  # added by someone else meanwhile
        await say(update, context, texts.KI_URL_DUPLICATE.format(name=html.escape(taken)))
        return END
    detail = {
        "source_id": source_id,
        "name": data["name"][:200],
        "kind": data["kind"],
        "url": data["url"][:500],
        "topics": list(data.get("topics", [])),
    }
    await _record(update, services, "source_added", detail)
    await say(
        update,
        context,
        texts.KI_ADD_SAVED.format(
            name=html.escape(data["name"]),
            kind=html.escape(kind_label(data["kind"])),
            minutes=f"{interval:g}",
        ),
    )
    start_poll(update, context, source_id)
    return END


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    """The add conversation, the buttons of the list and cards, and an answer for stale ones."""
    return [
        conversation(
            "kilde",
            ADD,
            [CallbackQueryHandler(coordinator_only(add_start), pattern=rf"^{ADD}:add$")],
            {
                ADD_URL: text_step(add_url),
                ADD_KIND: button_step(ADD, add_kind, "k:"),
                ADD_NAME: text_step(add_name),
                ADD_TOPICS: [*button_step(ADD, add_topic, "t:"), *button_step(ADD, add_save, "done$")],
            },
        ),
        CommandHandler("kilder", kilder),
        CallbackQueryHandler(show_list, pattern=rf"^{LIST}:list$"),
        CallbackQueryHandler(show_source, pattern=rf"^{LIST}:s:\d+$"),
        CallbackQueryHandler(pause, pattern=rf"^{LIST}:pause:\d+$"),
        CallbackQueryHandler(resume, pattern=rf"^{LIST}:resume:\d+$"),
        CallbackQueryHandler(poll_now, pattern=rf"^{LIST}:poll:\d+$"),
        CallbackQueryHandler(remove_ask, pattern=rf"^{LIST}:rm:\d+$"),
        CallbackQueryHandler(remove_confirm, pattern=rf"^{LIST}:rmok:\d+$"),
        CallbackQueryHandler(remove_keep, pattern=rf"^{LIST}:keep$"),
        CallbackQueryHandler(stale_button, pattern=rf"^({LIST}|{ADD}):"),
    ]


COORD = frozenset({registry.COORDINATOR})
COMMANDS = [registry.Command("kilder", texts.KI_CMD, COORD)]
