"""«Legg til kilde»: address, kind (tried at once, refused with the reason), name, topics; then saved."""

from __future__ import annotations

import html
import logging
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, ContextTypes, ConversationHandler

from bot import texts
from feeds.adapters import KINDS
from handlers import source_web
from handlers.conversation import (
    ask_topics,
    button_step,
    conversation,
    draft,
    drop_draft,
    fresh_draft,
    stale_button,
    text_step,
    toggle_topic,
)
from handlers.coordinator import (
    END,
    answer,
    callback_arg,
    cancel_row,
    coordinator_only,
    keyboard,
    message_text,
    pressed,
    say,
    services_of,
)
from handlers.source_actions import record, start_poll
from handlers.source_cards import ADD
from handlers.source_checks import KIND_LABELS, check_source_url, kind_label, plain_reason, try_source
from storage import sources as source_store

log = logging.getLogger(__name__)

ADD_URL, ADD_KIND, ADD_NAME, ADD_TOPICS = "kilde:adresse", "kilde:type", "kilde:navn", "kilde:emner"
DRAFT_ADD = "draft:kilde"
MAX_NAME = 120
EXAMPLES_SHOWN = 3


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
    if kind == "web":  # the coordinator's selectors first, with a preview (handlers.source_web)
        return await source_web.ask_selectors(update, context)
    await say(update, context, texts.KI_ADD_TRYING)
    trial = await try_source(services, kind, data["url"])
    if not trial.ok:
        reason = trial.reason or ""
        log.info("source %s (%s) refused: %s", data["url"][:200], kind, reason)
        await record(
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


async def add_selectors(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """A web source's selectors: tried at once and previewed (``handlers.source_web``)."""
    return await source_web.add_selectors(update, context, DRAFT_ADD)


async def add_web_ok(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """«Ja, bruk disse» under the preview: on to the name."""
    return ADD_NAME if await source_web.web_ok(update, context, DRAFT_ADD) else source_web.ADD_SELECTORS


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
    await record(update, services, "source_added", detail)
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


def build_conversation() -> ConversationHandler[Any]:
    """The add conversation, started by «Legg til kilde» (sources_admin registers it)."""
    return conversation(
        "kilde",
        ADD,
        [CallbackQueryHandler(coordinator_only(add_start), pattern=rf"^{ADD}:add$")],
        {
            ADD_URL: text_step(add_url),
            ADD_KIND: button_step(ADD, add_kind, "k:"),
            source_web.ADD_SELECTORS: [
                *text_step(add_selectors),
                *button_step(ADD, add_web_ok, f"{source_web.WEB_OK}$"),
            ],
            ADD_NAME: text_step(add_name),
            ADD_TOPICS: [*button_step(ADD, add_topic, "t:"), *button_step(ADD, add_save, "done$")],
        },
    )
