"""/nyfrist, /endrefrist, /slettfrist end to end: the real Application against the fake Bot API."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot import texts
from storage.audit import REFUSED
from storage.models import Call, CallStatus, DeadlineChange
from tests.coord_helpers import alerts, audit_entries, last_message
from tests.fixtures_bot import COORDINATOR, MEMBER
from tests.support.harness import GROUP_ID, BotHarness, FakeClock, Person


async def _calls(harness: BotHarness) -> list[Call]:
    async with harness.services.session() as s:
        query = select(Call).options(selectinload(Call.topics)).order_by(Call.id)
        return list((await s.execute(query)).scalars())


async def _new_deadline(
    harness: BotHarness, person: Person = COORDINATOR, title: str = "KS FoU-ordning 2027"
) -> None:
    await harness.send("/nyfrist", person)
    await harness.send(title, person)
    link_question = last_message(await harness.send("5. mars kl. 13", person))
    assert link_question.text == texts.NF_ASK_LINK
    topics_question = last_message(await harness.send("https://www.ks.no/fou", person))
    assert topics_question.text == texts.NF_ASK_TOPICS
    calls = await harness.press(topics_question, "Helse", person)
    edited = [c for c in calls if c.method == "editMessageReplyMarkup"][-1]
    assert any(t.startswith("✅ Helse") for t in edited.button_texts)
    source_question = last_message(await harness.press(topics_question, texts.BTN_DONE, person))
    assert source_question.text.startswith("Trinn 5 av 5")
    assert "KS" in source_question.button_texts
    preview = last_message(await harness.press(source_question, "KS", person))
    assert "KS FoU-ordning 2027" in preview.text
    assert "fredag 5. mars 2027 kl. 13:00" in preview.text
    assert preview.params["parse_mode"] == "HTML"
    saved = last_message(await harness.press(preview, "Lagre", person))
    assert saved.text.startswith(texts.NF_SAVED)


async def test_nyfrist_whole_flow_saves_a_call_like_a_polled_one(harness: BotHarness) -> None:
    await _new_deadline(harness)
    [call] = await _calls(harness)
    assert call.manual and call.key.startswith("manual:")
    assert call.status == CallStatus.OPEN
    assert call.deadline_at == datetime(2027, 3, 5, 12, 0, tzinfo=UTC)  # 13:00 in Oslo, winter time
    assert call.deadline_has_time
    assert call.url == "https://www.ks.no/fou"
    assert call.source_name == "KS"
    assert call.created_by == COORDINATOR.id
    assert [t.slug for t in call.topics] == ["helse"]
    assert [e.action for e in await audit_entries(harness)] == ["manual_deadline_created"]


async def test_nyfrist_refused_for_a_member_with_an_audit_entry(harness: BotHarness) -> None:
    calls = await harness.send("/nyfrist", MEMBER)
    assert last_message(calls).text == texts.COORD_REFUSED
    [entry] = await audit_entries(harness, REFUSED)
    assert entry.actor_id == MEMBER.id
    assert entry.detail["command"] == "/nyfrist"
    # The refusal ends it: the next text is not taken as a title.
    await harness.send("Et forsøk", MEMBER)
    assert await _calls(harness) == []


async def test_group_admin_is_a_coordinator(harness: BotHarness) -> None:
    admin = Person(4242, "Gro", "Admin", "gro")
    harness.api.set_admins(GROUP_ID, [admin.id])
    await _new_deadline(harness, admin)
    assert len(await _calls(harness)) == 1


async def test_coordinator_status_is_checked_at_every_step(harness: BotHarness) -> None:
    admin = Person(4242, "Gro", "Admin", "gro")
    harness.api.set_admins(GROUP_ID, [admin.id])
    await harness.send("/nyfrist", admin)
    # No longer an administrator (the cache expires): the next step is refused.
    harness.api.set_admins(GROUP_ID, [])
    harness.app.bot_data.get("admin_cache", {}).clear()
    calls = await harness.send("Tittel", admin)
    assert last_message(calls).text == texts.COORD_REFUSED
    assert len(await audit_entries(harness, REFUSED)) == 1


async def test_in_the_group_the_coordinator_is_sent_to_a_private_chat(harness: BotHarness) -> None:
    calls = await harness.send("/nyfrist", COORDINATOR, group=True)
    reply = last_message(calls)
    assert reply.chat_id == GROUP_ID
    assert "privat samtale" in reply.text
    assert reply.buttons[0][0]["url"] == f"https://t.me/{harness.bot_username}"


async def test_dates_that_cannot_be_understood_are_asked_again(harness: BotHarness) -> None:
    await harness.send("/nyfrist", COORDINATOR)
    await harness.send("Skjønnsmidler 2027", COORDINATOR)
    for typed in ("neste tirsdag en gang", "31. februar", "5. mars kl. 25"):
        reply = last_message(await harness.send(typed, COORDINATOR))
        assert reply.text.startswith("Den datoen forstod jeg ikke")
        assert "«5. mars kl. 13»" in reply.text
    reply = last_message(await harness.send("01.01.2020", COORDINATOR))
    assert "har allerede vært" in reply.text
    # Still on the same step: a good date moves on.
    assert last_message(await harness.send("05.03.2027 13:00", COORDINATOR)).text == texts.NF_ASK_LINK


async def test_bad_link_is_explained_and_no_link_is_fine(harness: BotHarness) -> None:
    await harness.send("/nyfrist", COORDINATOR)
    await harness.send("Skjønnsmidler", COORDINATOR)
    await harness.send("i morgen kl 10", COORDINATOR)
    reply = last_message(await harness.send("ks.no", COORDINATOR))
    assert reply.text.startswith("Det ser ikke ut som en lenke")
    topics = last_message(await harness.press(reply, texts.BTN_NO_LINK, COORDINATOR))
    assert topics.text == texts.NF_ASK_TOPICS
    # Done without a topic is refused with an alert.
    calls = await harness.press(topics, texts.BTN_DONE, COORDINATOR)
    assert texts.TOPICS_PICK_ONE in alerts(calls)


async def test_cancel_at_every_step_of_nyfrist(harness: BotHarness) -> None:
    steps = ["Tittel", "5. mars kl. 13", "https://ks.no/x"]
    for stop in range(len(steps) + 1):
        await harness.send("/nyfrist", COORDINATOR)
        for typed in steps[:stop]:
            await harness.send(typed, COORDINATOR)
        assert last_message(await harness.send("/avbryt", COORDINATOR)).text == texts.CONV_CANCELLED
        # After cancelling, text is no longer taken as an answer.
        assert [c for c in await harness.send("Noe annet", COORDINATOR) if c.method == "sendMessage"] == []
    # Cancel button on the preview.
    await harness.send("/nyfrist", COORDINATOR)
    for typed in steps:
        reply = last_message(await harness.send(typed, COORDINATOR))
    await harness.press(reply, "Helse", COORDINATOR)
    source = last_message(await harness.press(reply, texts.BTN_DONE, COORDINATOR))
    preview = last_message(await harness.send("Statsforvalteren", COORDINATOR))
    assert source.text.startswith("Trinn 5")
    assert (
        last_message(await harness.press(preview, texts.BTN_CANCEL, COORDINATOR)).text == texts.CONV_CANCELLED
    )
    assert await _calls(harness) == []
    # An old button from the cancelled conversation is answered, not acted on.
    calls = await harness.press_data("nf:save", COORDINATOR)
    assert texts.CONV_STALE_BUTTON in alerts(calls)
    assert await _calls(harness) == []


async def test_endrefrist_changes_the_deadline_and_records_it(harness: BotHarness, clock: FakeClock) -> None:
    await _new_deadline(harness)
    pick = last_message(await harness.send("/endrefrist", COORDINATOR))
    assert pick.text.startswith("✏️")
    fields = last_message(await harness.press(pick, "KS FoU-ordning", COORDINATOR))
    question = last_message(await harness.press(fields, texts.BTN_FIELD_DEADLINE, COORDINATOR))
    assert question.text.startswith(texts.EF_ASK_DEADLINE)
    bad = last_message(await harness.send("snart", COORDINATOR))
    assert bad.text.startswith("Den datoen forstod jeg ikke")
    done = last_message(await harness.send("12. mars kl. 12", COORDINATOR))
    assert done.text.startswith("✅ Endret")
    assert "fredag 12. mars 2027 kl. 12:00" in done.text
    [call] = await _calls(harness)
    assert call.deadline_at == datetime(2027, 3, 12, 11, 0, tzinfo=UTC)
    async with harness.services.session() as s:
        [change] = (await s.execute(select(DeadlineChange))).scalars().all()
    assert change.old_deadline_at == datetime(2027, 3, 5, 12, 0, tzinfo=UTC)
    assert change.new_deadline_at == call.deadline_at


async def test_endrefrist_title_topics_and_link(harness: BotHarness) -> None:
    await _new_deadline(harness)
    pick = last_message(await harness.send("/endrefrist", COORDINATOR))
    fields = last_message(await harness.press(pick, "KS FoU", COORDINATOR))
    await harness.press(fields, texts.BTN_FIELD_TITLE, COORDINATOR)
    assert (
        "<b>KS FoU 2027 &lt;ny&gt;</b>"
        in last_message(await harness.send("KS FoU 2027 <ny>", COORDINATOR)).text
    )
    pick = last_message(await harness.send("/endrefrist", COORDINATOR))
    fields = last_message(await harness.press(pick, "KS FoU", COORDINATOR))
    topics = last_message(await harness.press(fields, texts.BTN_FIELD_TOPICS, COORDINATOR))
    await harness.press(topics, "Oppvekst", COORDINATOR)
    await harness.press(topics, "Helse", COORDINATOR)
    await harness.press(topics, texts.BTN_DONE, COORDINATOR)
    pick = last_message(await harness.send("/endrefrist", COORDINATOR))
    fields = last_message(await harness.press(pick, "KS FoU", COORDINATOR))
    link = last_message(await harness.press(fields, texts.BTN_FIELD_LINK, COORDINATOR))
    await harness.press(link, texts.BTN_NO_LINK, COORDINATOR)
    [call] = await _calls(harness)
    assert call.title == "KS FoU 2027 <ny>"
    assert [t.slug for t in call.topics] == ["oppvekst"]
    assert call.url is None


async def test_endrefrist_cancel_and_empty(harness: BotHarness) -> None:
    assert last_message(await harness.send("/endrefrist", COORDINATOR)).text == texts.EF_NONE
    await _new_deadline(harness)
    pick = last_message(await harness.send("/endrefrist", COORDINATOR))
    fields = last_message(await harness.press(pick, "KS FoU", COORDINATOR))
    await harness.press(fields, texts.BTN_FIELD_TITLE, COORDINATOR)
    assert last_message(await harness.send("/avbryt", COORDINATOR)).text == texts.CONV_CANCELLED
    [call] = await _calls(harness)
    assert call.title == "KS FoU-ordning 2027"
    assert last_message(await harness.send("/endrefrist", MEMBER)).text == texts.COORD_REFUSED


async def test_slettfrist_removes_after_confirming(harness: BotHarness) -> None:
    await _new_deadline(harness)
    pick = last_message(await harness.send("/slettfrist", COORDINATOR))
    confirm = last_message(await harness.press(pick, "KS FoU", COORDINATOR))
    assert "Slette denne fristen?" in confirm.text
    assert (
        last_message(await harness.press(confirm, texts.BTN_CANCEL, COORDINATOR)).text == texts.CONV_CANCELLED
    )
    assert (await _calls(harness))[0].status == CallStatus.OPEN
    pick = last_message(await harness.send("/slettfrist", COORDINATOR))
    confirm = last_message(await harness.press(pick, "KS FoU", COORDINATOR))
    done = last_message(await harness.press(confirm, "Slett", COORDINATOR))
    assert done.text == texts.SF_DONE.format(title="KS FoU-ordning 2027")
    assert (await _calls(harness))[0].status == CallStatus.REMOVED
    assert last_message(await harness.send("/slettfrist", COORDINATOR)).text == texts.EF_NONE
    assert last_message(await harness.send("/slettfrist", MEMBER)).text == texts.COORD_REFUSED
    actions = [e.action for e in await audit_entries(harness)]
    assert actions == ["manual_deadline_created", "manual_deadline_removed", REFUSED]
