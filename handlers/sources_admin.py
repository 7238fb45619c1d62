"""/kilder: the sources with their health, and the buttons of the list and cards: pause, resume,
remove, "Hent nå". Adding a source is handlers.source_add; this module registers both."""

from __future__ import annotations

import html
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes

from bot import texts
from handlers import registry, source_add
from handlers.common import edit
from handlers.conversation import stale_button
from handlers.coordinator import answer, callback_arg, coordinator_only, keyboard, pressed, say, services_of
from handlers.paging import nav_row, page_arg, page_note, page_of
from handlers.source_actions import record, start_poll
from handlers.source_cards import ADD, LIST, card_keyboard, icon, render_card, render_line
from storage import drift as drift_store
from storage import sources as source_store
from storage.topics import list_topics


def _source_id(update: Update) -> int:
    return int(callback_arg(update))


# ---- the list and one source ------------------------------------------------------------------
async def _show_list(update: Update, context: ContextTypes.DEFAULT_TYPE, page: int = 0) -> None:
    """One page of the sources (``handlers.paging``): a line and a button each, ◀ ▶, «Legg til»."""
    services = services_of(context)
    tz, now = services.settings.tz, services.now()
    async with services.session() as session:
        everything = await source_store.list_sources(session)
        alarms = {sid: row.alarm_text for sid, row in (await drift_store.open_alarms(session)).items()}
    sources, page, pages = page_of(everything, page)
    lines = [render_line(s, tz, now, alarms.get(s.id, "")) for s in sources]
    buttons = [[(f"{icon(s)} {s.name[:50]}", f"{LIST}:s:{s.id}")] for s in sources]
    header = texts.KI_HEADER.format(count=len(everything)) if everything else texts.KI_EMPTY
    if pages > 1:
        header += " " + page_note(page, pages)
    buttons.append(nav_row(f"{LIST}:list:", page, pages))
    buttons.append([(texts.BTN_KI_ADD, f"{ADD}:add")])
    text = "\n\n".join([header, *lines])
    if update.callback_query is not None and page_arg(update.callback_query.data, -1) >= 0:
        await edit(update, context, text, keyboard(buttons))
        return
    await say(update, context, text, keyboard(buttons))


@coordinator_only
async def kilder(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/kilder: every source with its health, a button for each and «Legg til kilde»."""
    await _show_list(update, context)


@coordinator_only
async def show_list(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """«Alle kilder»: the list again; ◀ ▶: another page of it."""
    query = update.callback_query
    if query is not None and page_arg(query.data, -1) >= 0:
        await answer(update)
        await _show_list(update, context, page_arg(query.data))
        return
    await pressed(update)
    await _show_list(update, context)


async def _show_card(
    update: Update, context: ContextTypes.DEFAULT_TYPE, source_id: int, head: str = ""
) -> None:
    services = services_of(context)
    async with services.session() as session:
        source = await source_store.get_source(session, source_id)
        names = {t.slug: t.name for t in await list_topics(session)}
        row = (await drift_store.open_alarms(session)).get(source_id)
        alarm = (row.alarm_text, row.alarm_at) if row is not None else None
        card = render_card(source, names, services.settings.tz, services.now(), alarm) if source else None
        markup = card_keyboard(source, alarm=alarm is not None) if source else None
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
    await record(update, services, action, {"source_id": source_id, "name": name[:200]})
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
    await record(update, services, "source_removed", detail)
    await say(update, context, texts.KI_REMOVED.format(name=html.escape(found[0])))


@coordinator_only
async def remove_keep(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """«Avbryt» under the removal question."""
    await pressed(update)
    await say(update, context, texts.KI_KEPT)


@coordinator_only
async def acknowledge_drift(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """«Sett, fjern varselet»: the drift alarm is no longer shown (a new kind of drift is)."""
    await pressed(update)
    services = services_of(context)
    source_id = _source_id(update)
    async with services.session() as session:
        source = await source_store.get_source(session, source_id)
        done = await drift_store.acknowledge(session, source_id, now=services.now()) if source else False
        name = source.name if source else None
    if name is None:
        await say(update, context, texts.KI_GONE)
        return
    if done:
        await record(
            update, services, "source_drift_acknowledged", {"source_id": source_id, "name": name[:200]}
        )
    head = texts.KI_DRIFT_ACKED if done else texts.KI_DRIFT_NONE
    await _show_card(update, context, source_id, head.format(name=html.escape(name)))


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
    await record(update, services, "source_polled", {"source_id": source_id, "name": name[:200]})
    await say(update, context, texts.KI_POLLING.format(name=html.escape(name)))
    start_poll(update, context, source_id)


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    """The add conversation, the buttons of the list and cards, and an answer for stale ones."""
    return [
        source_add.build_conversation(),
        CommandHandler("kilder", kilder),
        CallbackQueryHandler(show_list, pattern=rf"^{LIST}:list(:\d+)?$"),
        CallbackQueryHandler(show_source, pattern=rf"^{LIST}:s:\d+$"),
        CallbackQueryHandler(pause, pattern=rf"^{LIST}:pause:\d+$"),
        CallbackQueryHandler(resume, pattern=rf"^{LIST}:resume:\d+$"),
        CallbackQueryHandler(poll_now, pattern=rf"^{LIST}:poll:\d+$"),
        CallbackQueryHandler(acknowledge_drift, pattern=rf"^{LIST}:ack:\d+$"),
        CallbackQueryHandler(remove_ask, pattern=rf"^{LIST}:rm:\d+$"),
        CallbackQueryHandler(remove_confirm, pattern=rf"^{LIST}:rmok:\d+$"),
        CallbackQueryHandler(remove_keep, pattern=rf"^{LIST}:keep$"),
        CallbackQueryHandler(stale_button, pattern=rf"^({LIST}|{ADD}):"),
    ]


COORD = frozenset({registry.COORDINATOR})
COMMANDS = [registry.Command("kilder", texts.KI_CMD, COORD)]
