"""The årshjul and the timeline end to end: expected rounds under /frister and in /arshjul, never as
deadlines and never pushed; the real call replaces the expected round; coordinators add and correct
expected rounds with `/nyfrist forventet`; «Vis som bilde» under /frister sends a timeline picture
drawn off the event loop, next to the text, never instead of it."""

from __future__ import annotations

import asyncio
import html
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot import texts
from bot.calendar.timeline import Mark, render_timeline
from handlers import pictures
from storage.models import AuditLog, CallStatus, Outbox
from tests.fixtures_bot import COORDINATOR, MEMBER
from tests.members_helpers import add_calls, messages, only_message
from tests.support.harness import BotHarness, FakeClock

SF = "Statsforvalteren i Trøndelag"
HISTORY = (
    {"title": "Prosjektskjønn - fornying og innovasjon 2024", "source": SF, "status": CallStatus.CLOSED,
     "deadline": datetime(2023, 12, 1, 22, 59, tzinfo=UTC), "has_time": True},
    {"title": "Prosjektskjønn – fornying og innovasjon 2025", "source": SF, "status": CallStatus.CLOSED,
     "deadline": datetime(2024, 12, 2, 22, 59, tzinfo=UTC), "has_time": True},
)  # fmt: skip
EXPECTED_LINE = texts.FRISTER_EXPECTED_ITEM.format(
    title="Prosjektskjønn – fornying og innovasjon 2025", source=SF, month="desember 2026"
)


@pytest.fixture
async def h(harness: BotHarness) -> AsyncIterator[BotHarness]:
    yield harness
    errors = [c for c in harness.api.calls if c.text == html.escape(texts.ERROR_GENERIC)]
    assert not errors, "a handler failed: the person was told something went wrong"


async def test_expected_rounds_show_under_frister_and_in_arshjul_until_the_real_call_appears(
    h: BotHarness, clock: FakeClock
) -> None:
    await add_calls(h, *HISTORY, {"title": "Helse nå", "days": 10})
    frister = only_message(await h.send("/frister", MEMBER))
    assert texts.FRISTER_EXPECTED_HEADER in frister.text and EXPECTED_LINE in frister.text
    arshjul = only_message(await h.send("/arshjul", MEMBER))
    months = [
        f"<b>{m.capitalize()} {y}</b>" for y, m in [(2026, "november"), (2026, "desember"), (2027, "oktober")]
    ]
    assert all(m in arshjul.text for m in months) and "<b>November 2027</b>" not in arshjul.text
    december = arshjul.text.split(months[1])[1].split("<b>Januar 2027</b>")[0]
    assert "<i>forventet</i>: Prosjektskjønn – fornying og innovasjon 2025" in december
    assert "desember 2023, desember 2024" in december
    # The seeded history of the region's schemes: Forskerprosjekt for fornyelse in March.
    march = arshjul.text.split("<b>Mars 2027</b>")[1].split("<b>April 2027</b>")[0]
    assert "<i>forventet</i>: Forskerprosjekt for fornyelse (tematisk utlysning)" in march
    async with h.services.session() as s:
        assert (await s.execute(select(Outbox))).first() is None  # never pushed

    await add_calls(
        h,
        {"title": "Prosjektskjønn - fornying og innovasjon 2027", "source": SF,
         "deadline": datetime(2026, 12, 7, 22, 59, tzinfo=UTC)},
    )  # fmt: skip
    clock.advance(minutes=9)
    assert EXPECTED_LINE in only_message(await h.send("/frister", MEMBER)).text  # cached a while
    clock.advance(minutes=2)
    frister = only_message(await h.send("/frister", MEMBER))
    assert texts.FRISTER_EXPECTED_HEADER not in frister.text
    assert "Prosjektskjønn - fornying og innovasjon 2027" in frister.text  # now a real deadline
    december = only_message(await h.send("/arshjul", MEMBER)).text.split("<b>Desember 2026</b>")[1]
    december = december.split("<b>Januar 2027</b>")[0]
    assert "forventet" not in december and "7. des: Prosjektskjønn - fornying og innovasjon 2027" in december


async def test_coordinators_add_correct_and_cancel_expected_rounds(h: BotHarness) -> None:
    await add_calls(h, *HISTORY)
    refused = await h.send("/nyfrist forventet januar KS: Fornyingsmidler", MEMBER)
    assert texts.COORD_REFUSED in [c.text for c in messages(refused)]
    saved = only_message(
        await h.send(f"/nyfrist forventet januar {SF}: Prosjektskjønn - fornying og innovasjon", COORDINATOR)
    )
    assert saved.text == texts.EXPECTED_SAVED.format(
        title="Prosjektskjønn - fornying og innovasjon", source=SF, month="januar", year=2027
    )
    text = only_message(await h.send("/arshjul", MEMBER)).text
    january = text.split("<b>Januar 2027</b>")[1].split("<b>Februar 2027</b>")[0]
    assert (
        "Prosjektskjønn – fornying og innovasjon 2025" in january and texts.ARSHJUL_BY_COORDINATOR in january
    )
    assert "forventet" not in text.split("<b>Desember 2026</b>")[1].split("<b>Januar 2027</b>")[0]
    added = only_message(await h.send("/nyfrist forventet mars 2027 KS: Skjønnsmidler fra KS", COORDINATOR))
    assert "mars 2027" in added.text
    await h.send(f"/nyfrist forventet ikke {SF}: Prosjektskjønn fornying og innovasjon", COORDINATOR)
    text = only_message(await h.send("/arshjul", MEMBER)).text
    assert "Prosjektskjønn" not in text and "Skjønnsmidler fra KS" in text
    for bad, answer in (
        ("/nyfrist forventet", texts.EXPECTED_USAGE),
        ("/nyfrist forventet blomkål KS: X", texts.EXPECTED_BAD_MONTH.format(word="blomkål")),
        ("/nyfrist forventet mars 2020 KS: X", texts.EXPECTED_PAST.format(month="mars", year=2020)),
        ("/nyfrist forventet mars KS uten kolon", texts.EXPECTED_USAGE),
    ):
        assert only_message(await h.send(bad, COORDINATOR)).text == answer
    async with h.services.session() as s:
        actions = (await s.execute(select(AuditLog.action))).scalars().all()
    assert actions.count("arshjul.expected") == 3


async def test_the_timeline_picture_is_offered_under_frister_and_drawn_off_the_loop(
    h: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await add_calls(
        h, {"title": "Pilot Helse", "days": 5}, {"title": "Innovasjon i offentlig sektor", "days": 40}
    )
    frister = only_message(await h.send("/frister", MEMBER))
    assert "Pilot Helse" in frister.text and texts.BTN_TIMELINE in frister.button_texts
    threads: list[Any] = []
    real = asyncio.to_thread

    async def spy(func: Any, *args: Any, **kwargs: Any) -> Any:
        threads.append(func)
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(pictures.asyncio, "to_thread", spy)
    calls = await h.press(frister, texts.BTN_TIMELINE, MEMBER)
    (photo,) = messages(calls, "sendPhoto")
    name, content = next(iter(photo.files.values()))
    assert name == texts.TIMELINE_FILENAME and content.startswith(b"\x89PNG\r\n\x1a\n")
    assert photo.params["caption"].startswith("📊")
    assert threads == [render_timeline]
    empty = only_message(await h.send("/frister klima", MEMBER))
    assert texts.BTN_TIMELINE not in empty.button_texts


def test_render_timeline_draws_rows_and_stays_within_bounds() -> None:
    today = date(2026, 11, 23)
    marks = [
        Mark(today + timedelta(days=1 + i % 50), f"Utlysning nummer {i} med en lang tittel " * 3)
        for i in range(40)
    ]
    marks.append(Mark(date(2027, 6, 1), "Utenfor vinduet"))
    png = render_timeline(marks, today=today)
    assert png.startswith(b"\x89PNG") and len(png) < 400_000
    assert render_timeline([], today=today).startswith(b"\x89PNG")
