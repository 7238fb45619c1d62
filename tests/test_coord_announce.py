"""/kunngjoring and /tips end to end: preview, audiences, the outbox and the real sender,
correction and withdrawal of every copy within 24 hours."""

from __future__ import annotations

from sqlalchemy import select

from bot import texts
from storage.audit import REFUSED
from storage.models import Announcement, Outbox, OutboxStatus
from tests.coord_helpers import add_member, alerts, audit_entries, drain, last_message
from tests.fixtures_bot import COORDINATOR, MEMBER
from tests.support.harness import GROUP_ID, BotHarness, FakeClock

BOLD = [{"type": "bold", "offset": 0, "length": 7}]


async def _rows(harness: BotHarness) -> list[Outbox]:
    async with harness.services.session() as s:
        return list((await s.execute(select(Outbox).order_by(Outbox.id))).scalars())


async def _announce(
    harness: BotHarness, audience_button: str, *, pin: bool | None = None, topics: tuple[str, ...] = ()
) -> list:
    await harness.send("/kunngjoring", COORDINATOR)
    question = last_message(
        await harness.send("Viktig: samling i Steinkjer 3. mars <påmelding>", COORDINATOR, entities=BOLD)
    )
    assert question.text == texts.KU_ASK_AUDIENCE
    calls = await harness.press(question, audience_button, COORDINATOR)
    if topics:
        picker = last_message(calls)
        for name in topics:
            await harness.press(picker, name, COORDINATOR)
        calls = await harness.press(picker, texts.BTN_DONE, COORDINATOR)
    if pin is not None:
        calls = await harness.press(
            last_message(calls), texts.BTN_PIN_YES if pin else texts.BTN_PIN_NO, COORDINATOR
        )
    return calls


async def test_announcement_to_the_group_pinned_preview_is_exact(
    harness: BotHarness, clock: FakeClock
) -> None:
    await add_member(harness, 2001)
    calls = await _announce(harness, texts.BTN_AUD_GROUP, pin=True)
    sent = [c for c in calls if c.method == "sendMessage"]
    preview, confirm = sent[-2], sent[-1]
    expected = (
        "📣 <b>Fra FoUI-koordinatorene</b>\n\n<b>Viktig:</b> samling i Steinkjer 3. mars &lt;påmelding&gt;"
    )
    assert preview.text == expected
    assert confirm.text == texts.KU_CONFIRM.format(audience=texts.AUDIENCE_GROUP, recipients="1 mottaker")
    queued = last_message(await harness.press(confirm, texts.BTN_SEND, COORDINATOR))
    assert queued.text == texts.KU_QUEUED.format(recipients="1 mottaker")
    assert queued.button_texts == [texts.BTN_CORRECT, texts.BTN_WITHDRAW]
    [row] = await _rows(harness)
    assert row.kind == "announcement"
    assert row.payload == {"text": expected, "pin": True, "lang": "nb", "i18n": row.payload["i18n"]}
    assert row.payload["i18n"]["t"] == "ANNOUNCEMENT_FORMAT"  # framed again in each reader's language
    assert await drain(harness, clock) == 1
    delivered = harness.api.last("sendMessage", GROUP_ID)
    assert delivered.text == preview.text and delivered.params["parse_mode"] == "HTML"
    assert (
        harness.api.last("pinChatMessage", GROUP_ID).params["message_id"]
        == (await _rows(harness))[0].telegram_message_id
    )
    assert [e.action for e in await audit_entries(harness)] == ["announcement_sent"]


async def test_announcement_to_members_and_topics(harness: BotHarness, clock: FakeClock) -> None:
    a = await add_member(harness, 2001, topics=["helse"])
    b = await add_member(harness, 2002, topics=["oppvekst"])
    inactive = await add_member(harness, 2003, active=False)
    calls = await _announce(harness, texts.BTN_AUD_MEMBERS)
    confirm = last_message(calls)
    await harness.press(confirm, texts.BTN_SEND, COORDINATOR)
    members = {r.chat_id for r in await _rows(harness)}
    # Every active member (the coordinator who wrote to the bot is one too), not the inactive one.
    assert {a, b} <= members and inactive not in members
    assert confirm.text == texts.KU_CONFIRM.format(
        audience=texts.AUDIENCE_MEMBERS, recipients=f"{len(members)} mottakere"
    )
    calls = await _announce(harness, texts.BTN_AUD_TOPICS, topics=("Helse",))
    confirm = last_message(calls)
    assert "abonnentene på Helse" in confirm.text and "1 mottaker?" in confirm.text
    await harness.press(confirm, texts.BTN_SEND, COORDINATOR)
    rows = await _rows(harness)
    assert [r.chat_id for r in rows[len(members) :]] == [a]
    assert all(r.payload["pin"] is False for r in rows)
    assert await drain(harness, clock) == len(members) + 1


async def test_no_recipients_asks_again(harness: BotHarness) -> None:
    calls = await _announce(harness, texts.BTN_AUD_TOPICS, topics=("Helse",))
    again = last_message(calls)
    assert again.text == texts.KU_NO_RECIPIENTS
    assert texts.BTN_AUD_GROUP in again.button_texts
    await harness.press(again, texts.BTN_AUD_GROUP, COORDINATOR)


async def test_correct_edits_every_delivered_copy_and_updates_pending(
    harness: BotHarness, clock: FakeClock
) -> None:
    await add_member(harness, 2001)
    waiting = await add_member(harness, 2002)
    confirm = last_message(await _announce(harness, texts.BTN_AUD_BOTH, pin=False))
    queued = last_message(await harness.press(confirm, texts.BTN_SEND, COORDINATOR))
    await drain(harness, clock)
    # One member's copy is still waiting (as if the sender had not reached it yet).
    [waiting_row] = [r for r in await _rows(harness) if r.chat_id == waiting]
    async with harness.services.session() as s:
        row = await s.get(Outbox, waiting_row.id)
        assert row is not None
        row.status, row.telegram_message_id = OutboxStatus.PENDING, None
    ask = last_message(await harness.press(queued, texts.BTN_CORRECT, COORDINATOR))
    assert ask.text.startswith("✏️ Skriv den rettede teksten")
    calls = await harness.send("Samlingen er flyttet til 4. mars", COORDINATOR)
    sent = [c for c in calls if c.method == "sendMessage"]
    corrected = "📣 <b>Fra FoUI-koordinatorene</b>\n\nSamlingen er flyttet til 4. mars\n\n<i>(rettet)</i>"
    assert sent[-2].text == corrected
    calls = await harness.press(sent[-1], texts.BTN_CORRECT_CONFIRM, COORDINATOR)
    edits = [c for c in calls if c.method == "editMessageText"]
    assert {GROUP_ID, 2001} <= {c.chat_id for c in edits} and 2002 not in {c.chat_id for c in edits}
    assert all(c.params["text"] == corrected and c.params["parse_mode"] == "HTML" for c in edits)
    assert last_message(calls).text == texts.KR_CORRECTED.format(edited=texts.copies(len(edits)), pending=1)
    assert next(r for r in await _rows(harness) if r.chat_id == waiting).payload["text"] == corrected
    await drain(harness, clock)
    assert harness.api.last("sendMessage", 2002).text == corrected
    async with harness.services.session() as s:
        [item] = (await s.execute(select(Announcement))).scalars().all()
    assert item.edited_at is not None and "flyttet" in item.text_html


async def test_withdraw_deletes_every_copy_and_stops_pending(harness: BotHarness, clock: FakeClock) -> None:
    await add_member(harness, 2001)
    confirm = last_message(await _announce(harness, texts.BTN_AUD_BOTH, pin=True))
    queued = last_message(await harness.press(confirm, texts.BTN_SEND, COORDINATOR))
    await drain(harness, clock)
    await add_member(harness, 2002)
    ask = last_message(await harness.press(queued, texts.BTN_WITHDRAW, COORDINATOR))
    assert f"{texts.copies(len(await _rows(harness)))} slettes" in ask.text
    calls = await harness.press(ask, texts.BTN_WITHDRAW_CONFIRM, COORDINATOR)
    deleted = [c for c in calls if c.method == "deleteMessage"]
    assert {GROUP_ID, 2001} <= {c.chat_id for c in deleted}
    assert last_message(calls).text == texts.KR_WITHDRAWN.format(
        deleted=texts.copies(len(deleted)), cancelled=0
    )
    # Withdrawn: too late to change again.
    calls = await harness.press(queued, texts.BTN_CORRECT, COORDINATOR)
    assert last_message(calls).text == texts.KR_TOO_LATE


async def test_withdraw_before_sending_cancels_and_24h_limit(harness: BotHarness, clock: FakeClock) -> None:
    await add_member(harness, 2001)
    confirm = last_message(await _announce(harness, texts.BTN_AUD_MEMBERS))
    queued = last_message(await harness.press(confirm, texts.BTN_SEND, COORDINATOR))
    listing = await harness.send("/kunngjoringer", COORDINATOR)
    assert last_message(listing).button_texts == [texts.BTN_CORRECT, texts.BTN_WITHDRAW]
    ask = last_message(await harness.press(queued, texts.BTN_WITHDRAW, COORDINATOR))
    calls = await harness.press(ask, texts.BTN_WITHDRAW_CONFIRM, COORDINATOR)
    rows = await _rows(harness)
    assert last_message(calls).text == texts.KR_WITHDRAWN.format(deleted=texts.copies(0), cancelled=len(rows))
    assert {r.status for r in rows} == {OutboxStatus.CANCELLED}
    assert await drain(harness, clock) == 0
    # A second one, and 24 hours later it cannot be changed.
    confirm = last_message(await _announce(harness, texts.BTN_AUD_MEMBERS))
    queued = last_message(await harness.press(confirm, texts.BTN_SEND, COORDINATOR))
    clock.advance(hours=24, seconds=1)
    assert last_message(await harness.press(queued, texts.BTN_CORRECT, COORDINATOR)).text == texts.KR_TOO_LATE
    assert last_message(await harness.send("/kunngjoringer", COORDINATOR)).text == texts.KR_NONE


async def test_refused_and_cancel_at_every_step(harness: BotHarness) -> None:
    await add_member(harness, 2001)
    assert last_message(await harness.send("/kunngjoring", MEMBER)).text == texts.COORD_REFUSED
    assert last_message(await harness.send("/tips", MEMBER)).text == texts.COORD_REFUSED
    assert last_message(await harness.send("/kunngjoringer", MEMBER)).text == texts.COORD_REFUSED
    assert len(await audit_entries(harness, REFUSED)) == 3
    # Cancel after the text, after the audience, at the preview.
    await harness.send("/kunngjoring", COORDINATOR)
    assert last_message(await harness.send("/avbryt", COORDINATOR)).text == texts.CONV_CANCELLED
    await harness.send("/kunngjoring", COORDINATOR)
    question = last_message(await harness.send("Tekst", COORDINATOR))
    assert (
        last_message(await harness.press(question, texts.BTN_CANCEL, COORDINATOR)).text
        == texts.CONV_CANCELLED
    )
    confirm = last_message(await _announce(harness, texts.BTN_AUD_GROUP, pin=False))
    assert last_message(await harness.send("/avbryt", COORDINATOR)).text == texts.CONV_CANCELLED
    calls = await harness.press(confirm, texts.BTN_SEND, COORDINATOR)
    assert texts.CONV_STALE_BUTTON in alerts(calls)
    assert await _rows(harness) == []
    # A member cannot use a coordinator's correction button either.
    confirm = last_message(await _announce(harness, texts.BTN_AUD_GROUP, pin=False))
    queued = last_message(await harness.press(confirm, texts.BTN_SEND, COORDINATOR))
    calls = await harness.press(queued, texts.BTN_WITHDRAW, MEMBER)
    assert texts.COORD_REFUSED_ALERT in alerts(calls)


async def test_tips_to_group_and_subscribers(harness: BotHarness, clock: FakeClock) -> None:
    subscriber = await add_member(harness, 2001, topics=["anskaffelser"])
    await add_member(harness, 2002, topics=["helse"])
    await harness.send("/tips", COORDINATOR)
    link_question = last_message(await harness.send("Ny veileder om innovative anskaffelser", COORDINATOR))
    bad = last_message(await harness.send("anskaffelser.no", COORDINATOR))
    assert bad.text.startswith("Det ser ikke ut som en lenke")
    topics = last_message(await harness.send("https://anskaffelser.no/veileder", COORDINATOR))
    assert link_question.text == texts.TI_ASK_LINK
    await harness.press(topics, "Innovative anskaffelser", COORDINATOR)
    calls = await harness.press(topics, texts.BTN_DONE, COORDINATOR)
    sent = [c for c in calls if c.method == "sendMessage"]
    preview, confirm = sent[-2], sent[-1]
    assert preview.text.startswith("💡 <b>Tips</b>\nNy veileder om innovative anskaffelser")
    assert '<a href="https://anskaffelser.no/veileder">' in preview.text
    assert "2 mottakere" in confirm.text
    queued = last_message(await harness.press(confirm, texts.BTN_SEND, COORDINATOR))
    # A tip is called a tip, not an announcement, when it is queued.
    assert queued.text == texts.TI_QUEUED.format(recipients="2 mottakere")
    assert sent[-3].text == texts.TI_PREVIEW
    rows = await _rows(harness)
    assert [r.chat_id for r in rows][1:] == [subscriber]
    assert all(r.payload["text"] == preview.text for r in rows)
    assert await drain(harness, clock) == 2
    assert harness.api.last("sendMessage", GROUP_ID).text == preview.text
    # A tip can be corrected the same way; link and topics stay.
    await harness.press(queued, texts.BTN_CORRECT, COORDINATOR)
    calls = await harness.send("Ny veileder (oppdatert)", COORDINATOR)
    calls = await harness.press(last_message(calls), texts.BTN_CORRECT_CONFIRM, COORDINATOR)
    edit = next(c for c in calls if c.method == "editMessageText")
    assert (
        "Ny veileder (oppdatert)" in edit.params["text"] and "anskaffelser.no/veileder" in edit.params["text"]
    )
    assert [e.action for e in await audit_entries(harness)] == ["tip_sent", "announcement_corrected"]


async def test_cancel_at_every_step_of_tips(harness: BotHarness) -> None:
    for steps in ([], ["Tips"], ["Tips", "https://ks.no"]):
        await harness.send("/tips", COORDINATOR)
        for typed in steps:
            await harness.send(typed, COORDINATOR)
        assert last_message(await harness.send("/avbryt", COORDINATOR)).text == texts.CONV_CANCELLED
    assert await _rows(harness) == []


def test_counts_read_as_norwegian() -> None:
    """'1 mottaker', not '1 mottakere'; '1 kopi', not '1 kopier'."""
    assert texts.recipients(1) == "1 mottaker" and texts.recipients(0) == "0 mottakere"
    assert texts.recipients(12) == "12 mottakere"
    assert texts.copies(1) == "1 kopi" and texts.copies(3) == "3 kopier"
    assert texts.KR_CONFIRM.format(copies=texts.copies(1)) == "Rette 1 kopi?"
