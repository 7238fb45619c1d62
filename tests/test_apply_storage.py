"""'Vi søker' storage on a real database (SQLite, and PostgreSQL when configured): readings stored
once per text, calls stored before the feature read at start, the /frister filter's count, the
network's lists, and the statuses' owner."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.poll.conditions import read_calls, read_missing
from bot.services import Services
from storage import deadlines
from storage.applications import Contact, network_calls, set_status, unmarked_calls
from storage.conditions import conditions_of, only_eligible, set_only_eligible
from storage.models import Call, CallStatus, Chat, Registration
from storage.registry import RegistrationStatus
from tests.support.harness import BotHarness

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def _call(harness: BotHarness, title: str, summary: str, days: int | None = 10, **extra: object) -> int:
    async with harness.services.session() as s:
        call = Call(
            key=f"k:{title}",
            title=title,
            summary=summary,
            deadline_at=NOW + timedelta(days=days) if days is not None else None,
            deadline_has_time=True,
            first_seen_at=NOW,
            **extra,
        )
        s.add(call)
        await s.flush()
        return call.id


async def test_calls_stored_before_are_read_at_start_and_a_reading_is_made_once_per_text(
    harness: BotHarness,
) -> None:
    svc: Services = harness.services
    for_them = await _call(harness, "For kommuner", "Hvem kan søke: Kommuner")
    closed = await _call(harness, "Avsluttet", "Hvem kan søke: Kommuner", status=CallStatus.CLOSED)
    manual = await _call(harness, "Manuell", "Hvem kan søke: Kommuner", manual=True)
    await read_missing(svc)
    async with svc.session() as s:
        found = await conditions_of(s, [for_them, closed, manual])
        assert set(found) == {for_them} and found[for_them].verdict == "kan_soke"
        stamp = found[for_them].extracted_at
    async with svc.session() as s:
        call = await s.get(Call, for_them)
        assert call is not None
        assert await read_calls(s, [call], svc) == 0  # the same text is not read again
        call.summary = "Tilskudd gis til lag og organisasjoner."
        assert await read_calls(s, [call], svc) == 1
    async with svc.session() as s:
        again = (await conditions_of(s, [for_them]))[for_them]
        assert again.verdict == "ikke" and again.extracted_at >= stamp


async def test_the_filter_leaves_out_only_what_is_not_for_municipalities_and_counts_it(
    harness: BotHarness,
) -> None:
    svc = harness.services
    ids = [
        await _call(harness, "For kommuner", "Hvem kan søke: Kommuner"),
        await _call(harness, "For lag", "Tilskudd gis til lag og organisasjoner."),
        await _call(
            harness, "Løpende for lag", "Tilskudd gis til lag og organisasjoner.", days=None, rolling=True
        ),
        await _call(harness, "Uklar", "Formålet er å styrke forskningen."),
    ]
    async with svc.session() as s:
        await read_calls(s, [c for c in [await s.get(Call, i) for i in ids] if c is not None], svc)
    async with svc.session() as s:
        everything = await deadlines.upcoming(s, now=NOW)
        filtered = await deadlines.upcoming(s, now=NOW, only_eligible=True)
        assert [c.title for c in everything.calls] == ["For kommuner", "For lag", "Uklar"]
        assert [c.title for c in filtered.calls] == ["For kommuner", "Uklar"]
        assert (await deadlines.rolling(s, only_eligible=True)).total == 0
        assert await deadlines.left_out(s, now=NOW) == 2  # one with a deadline, one rolling
        assert await deadlines.left_out(s, now=NOW, until=NOW + timedelta(days=5)) == 1


async def test_statuses_belong_to_the_municipality_and_the_lists_read_them(harness: BotHarness) -> None:
    svc = harness.services
    soon = await _call(harness, "Snart", "", days=5)
    later = await _call(harness, "Senere", "", days=20)
    untouched = await _call(harness, "Urørt", "", days=8)
    async with svc.session() as s:
        chats = [Chat(telegram_id=tid, kind="private", name=f"P{tid}") for tid in (1, 2, 3)]
        s.add_all(chats)
        await s.flush()
        for chat, muni in zip(chats, ("Inderøy", "Inderøy", "Levanger"), strict=True):
            s.add(Registration(chat_id=chat.id, municipality=muni, status=RegistrationStatus.APPROVED))
        one, two, three = (
            Contact(c, m) for c, m in zip(chats, ("Inderøy", "Inderøy", "Levanger"), strict=True)
        )
        assert await set_status(s, later, one, "vurderer", NOW) is None
        assert await set_status(s, later, two, "soker", NOW) == "vurderer"  # the same municipality's status
        await set_status(s, soon, three, "ikke_aktuelt", NOW)
        assert await only_eligible(s, chats[0].id) is True  # on by default for an approved contact
        await set_only_eligible(s, chats[0].id, False, NOW)
        assert await only_eligible(s, chats[0].id) is False
    async with svc.session() as s:
        marked = await network_calls(s, NOW)
        assert [(m.call.title, m.statuses) for m in marked] == [
            ("Snart", [("Levanger", "ikke_aktuelt")]),
            ("Senere", [("Inderøy", "soker")]),
        ]
        calls, total = await unmarked_calls(s, NOW)
        assert [c.id for c in calls] == [untouched] and total == 1
