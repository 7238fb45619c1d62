"""/dekning: which municipalities have a FoUI contact, which have none and what waits for approval
(coordinators), 10 municipalities a page."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from bot import texts
from handlers.auth import is_coordinator
from handlers.common import answer, edit, esc, keyboard, reply, services
from handlers.coordinator import refuse
from handlers.network import municipality_list
from handlers.paging import nav_row, page_arg, page_note, page_of
from storage import registry
from storage.registry import Coverage

PAGE = "dk"


def coverage_items(coverage: Coverage) -> list[tuple[str, str]]:
    """Every municipality line with the heading of its section."""
    items: list[tuple[str, str]] = []
    with_heading = texts.COVERAGE_WITH.format(count=len(coverage.covered))
    for name, count in coverage.covered.items():
        line = texts.COVERAGE_ITEM_COUNT if count > 1 else texts.COVERAGE_ITEM
        items.append((with_heading, line.format(municipality=esc(name), count=count)))
    without = texts.COVERAGE_WITHOUT.format(count=len(coverage.uncovered))
    for name in coverage.uncovered:
        pending = coverage.pending.get(name)
        line = texts.COVERAGE_ITEM_PENDING if pending else texts.COVERAGE_ITEM
        items.append((without, line.format(municipality=esc(name), count=pending)))
    for name, count in coverage.unlisted.items():
        items.append(
            (texts.COVERAGE_UNLISTED, texts.COVERAGE_ITEM_COUNT.format(municipality=esc(name), count=count))
        )
    return items


def render_coverage(coverage: Coverage, total: int, page: int = 0) -> tuple[str, int, int]:
    """One page of /dekning: the summary, then 10 municipalities under their headings."""
    shown, page, pages = page_of(coverage_items(coverage), page)
    header = texts.COVERAGE_HEADER.format(covered=len(coverage.covered), total=total)
    lines = [f"{header} {page_note(page, pages)}".strip()]
    pending = sum(coverage.pending.values())
    if pending:
        lines.append(texts.COVERAGE_PENDING_TOTAL.format(registrations=texts.registrations_count(pending)))
    heading = None
    for item_heading, line in shown:
        if item_heading != heading:
            heading = item_heading
            lines += ["", heading]
        lines.append(line)
    if not coverage.uncovered and page == pages - 1:
        lines += ["", texts.COVERAGE_ALL_COVERED]
    return "\n".join(lines), page, pages


async def dekning(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/dekning (and its ◀ ▶): which municipalities have a FoUI contact (coordinators only)."""
    user = update.effective_user
    if user is None:
        return
    if not await is_coordinator(context, user.id):
        await refuse(update, context, "dekning")
        return
    query = update.callback_query
    names = municipality_list(context).names
    async with services(context).session() as session:
        coverage = await registry.coverage(session, names)
    text, page, pages = render_coverage(coverage, len(names), page_arg(query.data) if query else 0)
    markup = keyboard([nav_row(f"{PAGE}:", page, pages)])
    if query is not None:
        await answer(update)
        await edit(update, context, text, markup)
        return
    await reply(update, context, text, markup)


def build_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [CallbackQueryHandler(dekning, pattern=rf"^{PAGE}:\d+$")]
