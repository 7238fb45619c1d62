"""'Vi søker' end to end, part two: the plan back from the deadline (offered, reminded through the
outbox with a fake clock, moved with the deadline, stopped with the status), /milepeler, /frister
following the eligibility setting, /soknader and the coordinators' view, /minedata and /slettmeg."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot import texts
from bot.push.plan import plan_all
from storage.apply_models import ApplicationPlan, ApplicationStatus, PartnerIntro
from storage.models import Outbox, OutboxStatus
from storage.rules.applications import KIND_MILESTONE, KIND_PARTNER_ASK
from tests.apply_helpers import (
    INDEROY,
    INDEROY_2,
    LEVANGER,
    OUTSIDER,
    alert_text,
    arrive,
    contact,
    deliver,
    outbox,
    person,
    to,
)
from tests.fixtures_bot import COORDINATOR
from tests.support.fakebot import ApiCall
from tests.support.harness import GROUP_ID, BotHarness, FakeClock, Person

DEADLINE = datetime(2027, 3, 3, 12, 0, tzinfo=UTC)  # Wednesday 3 March 2027, 13:00 in Norway
MOVED = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)
FOR_MUNICIPALITIES = "Hvem kan søke: Kommuner i Trøndelag"


async def milestones_planned(harness: BotHarness) -> int:
    return (await plan_all(harness.services))["plan_milestones"]


async def test_a_plan_back_from_the_deadline_reminds_moves_and_stops(
    harness: BotHarness, clock: FakeClock
) -> None:
    for who in (INDEROY, INDEROY_2, LEVANGER):
        await contact(harness, who)
    await arrive(harness, "Innovasjon i kommunal sektor", FOR_MUNICIPALITIES, DEADLINE, key="plan-call")
    pushes = await deliver(harness, clock)

    pressed = await harness.press(to(pushes, INDEROY)[0], texts.BUTTON_APPLY, INDEROY)
    offer = next(c for c in pressed if c.method == "sendMessage" and "plan bakover" in c.text)
    assert "onsdag 20. januar 2027 (6 uker før): Forankring i ledelsen" in offer.text
    assert "onsdag 24. februar 2027 (1 uke før): Godkjenning og siste gjennomlesing" in offer.text
    assert alert_text(await harness.press(offer, texts.PLAN_YES_BUTTON, LEVANGER)) == texts.PLAN_NOT_APPLYING
    assert alert_text(await harness.press(offer, texts.PLAN_YES_BUTTON, INDEROY)) == texts.PLAN_MADE
    assert await milestones_planned(harness) == 0

    clock.set(datetime(2027, 1, 20, 8, 0, tzinfo=UTC))  # 09:00 in Norway, six weeks before
    assert await milestones_planned(harness) == 2  # both of Inderøy's contacts, nobody else
    sent = [c for c in await deliver(harness, clock) if "Milepæl" in c.text]  # the group gets «Ukas frister»
    assert sorted(c.chat_id or 0 for c in sent) == [INDEROY.id, INDEROY_2.id]
    assert "Milepæl: Forankring i ledelsen" in sent[0].text and "6 uker igjen" in sent[0].text
    assert await milestones_planned(harness) == 0  # once

    await arrive(harness, "Innovasjon i kommunal sektor", FOR_MUNICIPALITIES, MOVED, key="plan-call")
    await deliver(harness, clock)  # "Fristen er endret"
    clock.set(datetime(2027, 1, 27, 8, 0, tzinfo=UTC))  # six weeks before the new deadline
    assert await milestones_planned(harness) == 2
    moved = [c for c in await deliver(harness, clock) if "Milepæl" in c.text]
    assert len(moved) == 2 and "onsdag 10. mars" in moved[0].text
    clock.set(datetime(2027, 2, 10, 8, 0, tzinfo=UTC))  # three weeks before the old deadline: nothing
    assert await milestones_planned(harness) == 0

    clock.set(datetime(2027, 2, 17, 8, 0, tzinfo=UTC))  # three weeks before the new one
    assert await milestones_planned(harness) == 2
    changed = await harness.press(to(pushes, INDEROY_2)[0], texts.BUTTON_CONSIDER, INDEROY_2)
    assert alert_text(changed).endswith(texts.AP_PLAN_STOPPED.strip())
    assert [c for c in await deliver(harness, clock) if "Milepæl" in c.text] == []
    rows = [r for r in await outbox(harness, KIND_MILESTONE) if ":3:" in r.subject]
    assert {r.status for r in rows} == {OutboxStatus.CANCELLED}
    clock.set(datetime(2027, 3, 3, 8, 0, tzinfo=UTC))
    assert await milestones_planned(harness) == 0


async def test_milepeler_sets_the_defaults_for_new_plans(harness: BotHarness, clock: FakeClock) -> None:
    await contact(harness, INDEROY)
    refused = await harness.send("/milepeler 8 Første utkast", INDEROY)
    assert texts.MILEPELER_SAVED not in [c.text for c in refused]
    bad = (await harness.send("/milepeler 8 Første utkast; tull", COORDINATOR))[-1]
    assert bad.text.startswith("Forstod ikke milepælene")
    saved = (await harness.send("/milepeler 8 Første utkast; 2 Intern frist", COORDINATOR))[-1]
    assert saved.text == texts.MILEPELER_SAVED
    shown = (await harness.send("/milepeler", COORDINATOR))[-1]
    items = shown.text.split("\n\n")[0]
    assert (
        "8 uker før: Første utkast" in items
        and "2 uker før: Intern frist" in items
        and "Forankring" not in items
    )
    await arrive(harness, "Innovasjon i kommunal sektor", FOR_MUNICIPALITIES, DEADLINE)
    push = to(await deliver(harness, clock), INDEROY)[0]
    offer = next(
        c for c in await harness.press(push, texts.BUTTON_APPLY, INDEROY) if "plan bakover" in c.text
    )
    assert "(8 uker før): Første utkast" in offer.text and "(2 uker før): Intern frist" in offer.text
    assert (await harness.send("/milepeler standard", COORDINATOR))[-1].text == texts.MILEPELER_RESET


async def test_frister_follows_the_setting_and_says_how_many_it_left_out(
    harness: BotHarness, clock: FakeClock
) -> None:
    await contact(harness, INDEROY)
    await person(harness, OUTSIDER)
    now = harness.services.now()
    await arrive(harness, "Kommunal innovasjon", FOR_MUNICIPALITIES, now + timedelta(days=10))
    await arrive(
        harness,
        "Tilskudd til idrettslag",
        "Tilskudd gis til lag og organisasjoner.",
        now + timedelta(days=12),
    )
    await arrive(harness, "Uklar utlysning", "Formålet er å styrke forskningen.", now + timedelta(days=14))

    listing = (await harness.send("/frister alle", INDEROY))[-1]
    assert "Kommunal innovasjon" in listing.text and "Uklar utlysning" in listing.text  # unknown is shown
    assert "Tilskudd til idrettslag" not in listing.text and texts.FRISTER_HIDDEN_ONE in listing.text
    everything = (await harness.press(listing, texts.BTN_SHOW_ALL_CALLS, INDEROY))[-1]
    assert "Tilskudd til idrettslag" in everything.text and texts.FRISTER_HIDDEN_ONE not in everything.text
    back = (await harness.press(everything, texts.BTN_ONLY_ELIGIBLE, INDEROY))[-1]
    assert "Tilskudd til idrettslag" not in back.text

    outsider = (await harness.send("/frister alle", OUTSIDER))[-1]  # no municipality: no filter by default
    assert "Tilskudd til idrettslag" in outsider.text and texts.FRISTER_HIDDEN_ONE not in outsider.text

    settings = (await harness.send("/innstillinger", INDEROY))[-1]
    assert texts.SETTINGS_ONLY_ELIGIBLE_ON in settings.text
    off = await harness.press(settings, texts.BTN_ONLY_ELIGIBLE_OFF, INDEROY)
    assert alert_text(off) == texts.ONLY_ELIGIBLE_NOW_OFF
    assert texts.SETTINGS_ONLY_ELIGIBLE_OFF in off[-1].text
    listing = (await harness.send("/frister alle", INDEROY))[-1]
    assert "Tilskudd til idrettslag" in listing.text and texts.FRISTER_HIDDEN_ONE not in listing.text


async def test_soknader_and_the_coordinators_network_view(harness: BotHarness, clock: FakeClock) -> None:
    await contact(harness, INDEROY)
    await contact(harness, LEVANGER)
    await person(harness, OUTSIDER)
    now = harness.services.now()
    late = await arrive(harness, "Sen utlysning", FOR_MUNICIPALITIES, now + timedelta(days=40))
    soon = await arrive(harness, "Snart utlysning", FOR_MUNICIPALITIES, now + timedelta(days=20))
    nobody = await arrive(harness, "Ingen har sett", FOR_MUNICIPALITIES, now + timedelta(days=30))
    pushes = await deliver(harness, clock)

    def push_of(title: str, who: Person) -> ApiCall:
        return next(c for c in to(pushes, who) if f">{title}</a>" in c.text)

    await harness.press(push_of("Sen utlysning", INDEROY), texts.BUTTON_APPLY, INDEROY)
    await harness.press(push_of("Snart utlysning", INDEROY), texts.BUTTON_CONSIDER, INDEROY)
    await harness.press(push_of("Snart utlysning", LEVANGER), texts.BUTTON_APPLY, LEVANGER)

    mine = (await harness.send("/soknader", INDEROY))[-1]
    assert mine.text.startswith("📋 <b>Inderøy jobber med</b> (2)")
    assert mine.text.index("Snart utlysning") < mine.text.index("Sen utlysning")
    assert (
        f"vurderer · {texts.format_datetime(now + timedelta(days=20), has_time=False, weekday=False)}"
        in mine.text
    )
    assert f"/utlysning {late}" in mine.text and "Ingen har sett" not in mine.text
    assert (await harness.send("/soknader", OUTSIDER))[-1].text == texts.SOKNADER_NOT_CONTACT
    assert (await harness.send("/soknader", INDEROY, group=True, chat_id=GROUP_ID))[
        -1
    ].text == texts.SOKNADER_PRIVATE

    network = (await harness.send("/soknader", COORDINATOR))[-1]
    assert "1 kommune vurderer, 1 søker (Levanger)" in network.text and f"/utlysning {soon}" in network.text
    assert "1 søker (Inderøy)" in network.text
    unmarked = network.text.split("Åpne utlysninger ingen har sett på")[1]
    assert "Ingen har sett" in unmarked and f"/utlysning {nobody}" in unmarked and "Snart" not in unmarked


async def test_minedata_and_slettmeg_cover_statuses_introductions_and_plans(
    harness: BotHarness, clock: FakeClock
) -> None:
    await contact(harness, INDEROY)
    await contact(harness, LEVANGER)
    await arrive(harness, "Innovasjon i kommunal sektor", FOR_MUNICIPALITIES, DEADLINE)
    pushes = await deliver(harness, clock)
    await harness.press(to(pushes, LEVANGER)[0], texts.BUTTON_CONSIDER, LEVANGER)
    pressed = await harness.press(to(pushes, INDEROY)[0], texts.BUTTON_APPLY, INDEROY)
    offer = next(c for c in pressed if "plan bakover" in c.text)
    await harness.press(offer, texts.PLAN_YES_BUTTON, INDEROY)
    asks = await outbox(harness, KIND_PARTNER_ASK)
    assert any(r.subject.startswith(f"{INDEROY.id}:") for r in asks)  # Levanger's question names Inderøy

    document = next(c for c in await harness.send("/minedata", INDEROY) if c.method == "sendDocument")
    data = json.loads(next(iter(document.files.values()))[1])
    assert [s["status"] for s in data["application_statuses"]] == ["soker"]
    assert data["partner_introductions"][0]["other_municipality"] == "Levanger"
    assert (
        "your_answer" in data["partner_introductions"][0]
        and "their_answer" not in data["partner_introductions"][0]
    )
    assert data["plans_you_made"][0]["milestones"][0] == [6, "Forankring i ledelsen"]

    ask = (await harness.send("/slettmeg", INDEROY))[-1]
    await harness.press(ask, texts.DELETE_YES_BUTTON, INDEROY)
    async with harness.services.session() as s:
        assert [r[0] for r in (await s.execute(select(ApplicationStatus.municipality))).all()] == ["Levanger"]
        assert (await s.execute(select(PartnerIntro))).scalars().all() == []
        assert (await s.execute(select(ApplicationPlan))).scalars().all() == []
        about = await s.execute(select(Outbox).where(Outbox.subject.startswith(f"{INDEROY.id}:")))
        assert about.scalars().all() == []
