"""'Kan vi søke?' and 'Vi søker' end to end: the real Application, the fake Bot API, a fake clock.

A new call's push says who may apply and carries the status buttons; statuses are recorded per
municipality, changeable and visible to the network; partner introductions need both to say yes and
happen once; a call that requires partners says so at the moment someone marks it."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot import texts
from storage.apply_models import ApplicationStatus, PartnerIntro
from storage.models import Chat
from storage.rules.applications import KIND_HELP, KIND_PARTNER_ASK, KIND_PARTNER_INTRO
from tests.apply_helpers import (
    INDEROY,
    LEVANGER,
    OUTSIDER,
    STEINKJER,
    alert_text,
    arrive,
    contact,
    deliver,
    outbox,
    person,
    to,
)
from tests.fixtures_bot import COORDINATOR
from tests.support.harness import GROUP_ID, BotHarness, FakeClock, Person

DEADLINE = datetime(2027, 3, 3, 12, 0, tzinfo=UTC)  # 13:00 in Norway
FOR_MUNICIPALITIES = (
    "Hvem kan søke: Kommuner og fylkeskommuner i Trøndelag\n"
    "Dere kan søke om inntil 2 mill. kroner per prosjekt. Vi lyser ut 20 millioner kroner totalt."
)
NEEDS_RESEARCH = "Hvem kan søke: Kommuner\nProsjektet må ha med minst én godkjent forskningsorganisasjon."


async def statuses(harness: BotHarness) -> list[tuple[str, str]]:
    async with harness.services.session() as s:
        rows = await s.execute(select(ApplicationStatus.municipality, ApplicationStatus.status))
        return sorted(rows.tuples())


async def test_a_new_call_push_says_who_may_apply_and_how_much(harness: BotHarness, clock: FakeClock) -> None:
    await contact(harness, INDEROY)
    await person(harness, OUTSIDER)
    call_id = await arrive(harness, "Innovasjon i kommunal sektor", FOR_MUNICIPALITIES, DEADLINE)
    sent = await deliver(harness, clock)
    for who in (INDEROY, OUTSIDER):
        push = to(sent, who)[0]
        assert f"{texts.ELIG_CAN_APPLY} · inntil 2 mill. kr per prosjekt (ramme 20 mill. kr)" in push.text
        assert push.button_texts[2:] == [
            texts.BUTTON_CONSIDER,
            texts.BUTTON_APPLY,
            texts.BUTTON_NOT_RELEVANT,
            texts.BUTTON_DETAILS,
        ]
        assert push.button(texts.BUTTON_APPLY)["callback_data"] == f"ap:s:{call_id}:s"
    not_for = await arrive(harness, "Tilskudd til lag", "Tilskudd gis til lag og organisasjoner.", DEADLINE)
    push = to(await deliver(harness, clock), INDEROY)[0]
    assert (
        texts.ELIG_NOT_FOR in push.text
        and push.button(texts.BUTTON_DETAILS)["callback_data"] == f"ap:v:{not_for}"
    )


async def test_statuses_per_municipality_changeable_and_seen_by_the_network(
    harness: BotHarness, clock: FakeClock
) -> None:
    for who in (INDEROY, LEVANGER, STEINKJER):
        await contact(harness, who)
    await person(harness, OUTSIDER)
    call_id = await arrive(harness, "Innovasjon i kommunal sektor", FOR_MUNICIPALITIES, DEADLINE)
    pushes = await deliver(harness, clock)

    refused = await harness.press(to(pushes, OUTSIDER)[0], texts.BUTTON_CONSIDER, OUTSIDER)
    assert alert_text(refused) == texts.AP_NOT_CONTACT
    assert await statuses(harness) == []

    pressed = await harness.press(to(pushes, INDEROY)[0], texts.BUTTON_CONSIDER, INDEROY)
    assert alert_text(pressed) == texts.AP_SET.format(
        municipality="Inderøy", phrase=texts.STATUS_PHRASE_CONSIDER
    )
    edited = next(c for c in pressed if c.method == "editMessageReplyMarkup")
    assert texts.BUTTON_CHOSEN.format(label=texts.BUTTON_CONSIDER) in edited.button_texts
    await harness.press(to(pushes, LEVANGER)[0], texts.BUTTON_APPLY, LEVANGER)
    await harness.press(to(pushes, STEINKJER)[0], texts.BUTTON_CONSIDER, STEINKJER)
    again = await harness.press(to(pushes, STEINKJER)[0], texts.BUTTON_CONSIDER, STEINKJER)
    assert alert_text(again) == texts.AP_UNCHANGED.format(municipality="Steinkjer")
    assert await statuses(harness) == [
        ("Inderøy", "vurderer"),
        ("Levanger", "soker"),
        ("Steinkjer", "vurderer"),
    ]

    detail = (await harness.send(f"/utlysning {call_id}", INDEROY))[-1]
    assert "2 kommuner vurderer, 1 søker (Levanger)" in detail.text
    assert texts.OWN_STATUS.format(municipality="Inderøy", status="vurderer") in detail.text
    assert texts.ELIG_CAN_APPLY in detail.text and "«Hvem kan søke: Kommuner og fylkeskommuner" in detail.text
    outsider_view = (await harness.send(f"/utlysning {call_id}", OUTSIDER))[-1]
    assert "søker (Levanger)" not in outsider_view.text  # the network's statuses stay in the network

    await harness.press(detail, texts.BUTTON_NOT_RELEVANT, INDEROY)  # changeable, from the detail view too
    assert ("Inderøy", "ikke_aktuelt") in await statuses(harness)
    coordinator_view = (await harness.send(f"/utlysning {call_id}", COORDINATOR))[-1]
    assert "1 kommune vurderer, 1 søker (Levanger), 1 ikke aktuelt" in coordinator_view.text


async def test_partners_are_put_in_touch_only_when_both_say_yes_and_once(
    harness: BotHarness, clock: FakeClock
) -> None:
    for who in (INDEROY, LEVANGER, STEINKJER):
        await contact(harness, who)
    await arrive(harness, "Innovasjon i kommunal sektor", FOR_MUNICIPALITIES, DEADLINE)
    pushes = await deliver(harness, clock)
    await harness.press(to(pushes, INDEROY)[0], texts.BUTTON_CONSIDER, INDEROY)
    assert await outbox(harness, KIND_PARTNER_ASK) == []  # nobody else on the call yet
    await harness.press(to(pushes, LEVANGER)[0], texts.BUTTON_APPLY, LEVANGER)
    asks = await deliver(harness, clock)
    ask_inderoy, ask_levanger = to(asks, INDEROY)[0], to(asks, LEVANGER)[0]
    assert "Levanger søker på utlysningen også" in ask_inderoy.text
    assert "Inderøy vurderer utlysningen også" in ask_levanger.text
    assert "Lars" not in ask_inderoy.text and "ingrid_i" not in ask_levanger.text  # nothing shared yet

    stranger = await harness.press(ask_inderoy, texts.PARTNER_YES_BUTTON, STEINKJER)
    assert alert_text(stranger) == texts.PARTNER_NOT_YOURS
    waiting = await harness.press(ask_inderoy, texts.PARTNER_YES_BUTTON, INDEROY)
    assert alert_text(waiting) == texts.PARTNER_WAITING
    assert await outbox(harness, KIND_PARTNER_INTRO) == []
    done = await harness.press(ask_levanger, texts.PARTNER_YES_BUTTON, LEVANGER)
    assert alert_text(done) == texts.PARTNER_INTRODUCED
    intros = await deliver(harness, clock)
    to_inderoy, to_levanger = to(intros, INDEROY)[0], to(intros, LEVANGER)[0]
    assert "Lars Levanger (Levanger)" in to_inderoy.text and 'href="tg://user?id=2002"' in to_inderoy.text
    assert "Ingrid Inderøy (Inderøy): @ingrid_i" in to_levanger.text
    again = await harness.press(ask_levanger, texts.PARTNER_YES_BUTTON, LEVANGER)
    assert alert_text(again) == texts.PARTNER_ALREADY
    assert len(await outbox(harness, KIND_PARTNER_INTRO)) == 2  # once each

    # A third municipality: asked with each of the two; Steinkjer says no, nothing is shared.
    await harness.press(to(pushes, STEINKJER)[0], texts.BUTTON_CONSIDER, STEINKJER)
    asks = await deliver(harness, clock)
    assert len(to(asks, STEINKJER)) == 2 and len(to(asks, INDEROY)) == 1 and len(to(asks, LEVANGER)) == 1
    await harness.press(to(asks, INDEROY)[0], texts.PARTNER_YES_BUTTON, INDEROY)
    no = await harness.press(to(asks, STEINKJER)[0], texts.PARTNER_NO_BUTTON, STEINKJER)
    assert alert_text(no) == texts.PARTNER_DECLINED
    assert len(await outbox(harness, KIND_PARTNER_INTRO)) == 2
    async with harness.services.session() as s:
        assert len((await s.execute(select(PartnerIntro))).scalars().all()) == 3


async def test_a_call_that_requires_partners_says_so_when_marked_and_offers_help(
    harness: BotHarness, clock: FakeClock
) -> None:
    await contact(harness, INDEROY)
    await person(harness, COORDINATOR, topics=())
    await arrive(harness, "Forskning i kommunene", NEEDS_RESEARCH, DEADLINE)
    pushes = await deliver(harness, clock)
    pressed = await harness.press(to(pushes, INDEROY)[0], texts.BUTTON_CONSIDER, INDEROY)
    notice = next(c for c in pressed if c.method == "sendMessage" and texts.REQ_RESEARCH in c.text)
    assert (
        notice.chat_id == INDEROY.id
        and "«Prosjektet må ha med minst én godkjent forskningsorganisasjon.»" in notice.text
    )
    helped = await harness.press(notice, texts.REQ_HELP_BUTTON, INDEROY)
    assert alert_text(helped) == texts.REQ_HELP_SENT
    assert alert_text(await harness.press(notice, texts.REQ_HELP_BUTTON, INDEROY)) == texts.REQ_HELP_ALREADY
    (request,) = to(await deliver(harness, clock), COORDINATOR)
    assert (
        "Ingrid Inderøy" in request.text
        and "(Inderøy)" in request.text
        and texts.REQ_RESEARCH in request.text
    )
    assert len(await outbox(harness, KIND_HELP)) == 1
    outsider = await harness.press(notice, texts.REQ_HELP_BUTTON, OUTSIDER)
    assert alert_text(outsider) == texts.AP_NOT_CONTACT


async def test_a_closed_call_cannot_be_marked(harness: BotHarness, clock: FakeClock) -> None:
    await contact(harness, INDEROY)
    await arrive(harness, "Innovasjon i kommunal sektor", FOR_MUNICIPALITIES, DEADLINE)
    push = to(await deliver(harness, clock), INDEROY)[0]
    clock.set(datetime(2027, 3, 4, 9, 0, tzinfo=UTC))
    assert alert_text(await harness.press(push, texts.BUTTON_APPLY, INDEROY)) == texts.AP_CALL_CLOSED
    assert await statuses(harness) == []


async def test_a_contact_who_left_the_network_can_no_longer_mark(
    harness: BotHarness, clock: FakeClock
) -> None:
    chat_id = await contact(harness, INDEROY)
    await arrive(harness, "Innovasjon i kommunal sektor", FOR_MUNICIPALITIES, DEADLINE)
    push = to(await deliver(harness, clock), INDEROY)[0]
    async with harness.services.session() as s:
        chat = await s.get(Chat, chat_id)
        assert chat is not None
        chat.left_group_at = harness.services.now()
    assert alert_text(await harness.press(push, texts.BUTTON_APPLY, INDEROY)) == texts.AP_NOT_CONTACT
    assert await statuses(harness) == []


async def test_in_the_group_a_contact_marks_for_the_municipality_and_details_go_private(
    harness: BotHarness, clock: FakeClock
) -> None:
    await contact(harness, INDEROY)
    await person(harness, Person(GROUP_ID, "FoUI Trøndelag", None, None), kind="supergroup")
    call_id = await arrive(harness, "Forskning i kommunene", NEEDS_RESEARCH, DEADLINE)
    group_push = next(c for c in await deliver(harness, clock) if c.chat_id == GROUP_ID)
    pressed = await harness.press(group_push, texts.BUTTON_APPLY, INDEROY)
    assert alert_text(pressed) == texts.AP_SET.format(
        municipality="Inderøy", phrase=texts.STATUS_PHRASE_APPLY
    )
    assert not [
        c for c in pressed if c.method == "editMessageReplyMarkup"
    ]  # the group's buttons stay neutral
    private = [c for c in pressed if c.method == "sendMessage"]
    assert {c.chat_id for c in private} == {INDEROY.id}  # the requirement and the plan offer, privately
    assert any(texts.REQ_RESEARCH in c.text for c in private) and any(
        "plan bakover" in c.text for c in private
    )
    details = await harness.press(group_push, texts.BUTTON_DETAILS, INDEROY)
    assert alert_text(details) == texts.DETAIL_PRIVATE
    view = next(c for c in details if c.method == "sendMessage")
    assert view.chat_id == INDEROY.id and f"Utlysning nr. {call_id}" in view.text
    assert "1 søker (Inderøy)" in view.text and texts.COND_RESEARCH_REQUIRED in view.text
