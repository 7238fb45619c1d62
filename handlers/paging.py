"""Lists with buttons come in pages of ``PAGE_SIZE`` (Telegram allows 100 buttons under a message,
and a long list of buttons is hard to use): the items of one page and the ◀ ▶ row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from bot import texts

PAGE_SIZE = 10
T = TypeVar("T")

Button = tuple[str, str]


def pages_for(count: int, size: int = PAGE_SIZE) -> int:
    return max(1, -(-count // size))


def page_of(items: Sequence[T], page: int, size: int = PAGE_SIZE) -> tuple[list[T], int, int]:
    """The items on ``page`` (clamped to the pages there are), that page and the number of pages."""
    pages = pages_for(len(items), size)
    page = min(max(page, 0), pages - 1)
    return list(items[page * size : (page + 1) * size]), page, pages


def nav_row(prefix: str, page: int, pages: int) -> list[Button]:
    """◀ Forrige / Neste ▶ as needed; the data is ``prefix`` followed by the page number."""
    row: list[Button] = []
    if page > 0:
        row.append((texts.BTN_PREV, f"{prefix}{page - 1}"))
    if page < pages - 1:
        row.append((texts.BTN_NEXT, f"{prefix}{page + 1}"))
    return row


def page_note(page: int, pages: int) -> str:
    """ "Side 2 av 3." (empty for a single page)."""
    return texts.LIST_PAGE.format(page=page + 1, pages=pages) if pages > 1 else ""


def page_arg(data: str | None, default: int = 0) -> int:
    """The page number at the end of a button's data ("kl:list:2" -> 2)."""
    tail = (data or "").rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else default
