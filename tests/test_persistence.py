"""Conversations survive a restart: a coordinator's half-written /kunngjoring goes on where it was."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot import texts
from bot.config import Settings
from bot.persistence import dumps, loads
from tests.coord_helpers import add_member, last_message
from tests.fixtures_bot import COORDINATOR, MEMBER
from tests.support.harness import FakeClock, running_harness

TEXT = "Viktig: samling i Steinkjer 3. mars"


async def test_a_restart_in_the_middle_of_kunngjoring_continues_it(
    settings: Settings, clock: FakeClock
) -> None:
    async with running_harness(settings, clock=clock) as first:
        await add_member(first, 2001)
        await first.send("/kunngjoring", COORDINATOR)
        question = last_message(await first.send(TEXT, COORDINATOR))
        assert question.text == texts.KU_ASK_AUDIENCE
    # The bot restarts (a new process: nothing in memory) and the coordinator presses a button.
    async with running_harness(settings, clock=clock) as second:
        pin = last_message(await second.press(question, texts.BTN_AUD_GROUP, COORDINATOR))
        assert pin.text == texts.KU_ASK_PIN, "the conversation was lost in the restart"
        calls = await second.press(pin, texts.BTN_PIN_NO, COORDINATOR)
        sent = [c for c in calls if c.method == "sendMessage"]
        assert TEXT in sent[-2].text  # the preview has the text typed before the restart
        queued = last_message(await second.press(sent[-1], texts.BTN_SEND, COORDINATOR))
        assert queued.text == texts.KU_QUEUED.format(recipients="1 mottaker")
    # Once sent, the conversation is over, also after another restart.
    async with running_harness(settings, clock=clock) as third:
        again = await third.press(sent[-1], texts.BTN_SEND, COORDINATOR)
        assert not any(c.text == texts.KU_QUEUED.format(recipients="1 mottaker") for c in again)


def test_drafts_keep_their_types() -> None:
    draft = {
        "draft:x": {
            "at": datetime(2026, 3, 3, 9, 0, tzinfo=UTC),
            "day": date(2026, 3, 3),
            "pair": (1, "a"),
            "set": {"b", "a"},
            "n": 3,
            "text": "<b>hei</b>",
            "none": None,
        }
    }
    assert loads(dumps(draft)) == draft


def test_a_value_that_cannot_be_stored_is_left_out() -> None:
    assert loads(dumps({"ok": 1, "bad": object()})) == {"ok": 1}


async def test_another_replica_continues_the_conversation(settings: Settings, clock: FakeClock) -> None:
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("replicas share a PostgreSQL database")
    async with running_harness(settings, clock=clock) as a, running_harness(settings, clock=clock) as b:
        await add_member(a, 2001)
        await a.send("/kunngjoring", COORDINATOR)
        question = last_message(await a.send(TEXT, COORDINATOR))
        # Behind a load balancer, the next update goes to the other process …
        pin = last_message(await b.press(question, texts.BTN_AUD_GROUP, COORDINATOR))
        assert pin.text == texts.KU_ASK_PIN
        # … and the one after that back to the first, which must not think it is still at step 2.
        calls = await a.press(pin, texts.BTN_PIN_NO, COORDINATOR)
        sent = [c for c in calls if c.method == "sendMessage"]
        assert TEXT in sent[-2].text


async def test_a_restart_in_the_middle_of_registrer_continues_it(
    settings: Settings, clock: FakeClock
) -> None:
    async with running_harness(settings, clock=clock) as first:
        await first.send("/registrer", MEMBER)
        reply = last_message(await first.send("Namsskogan", MEMBER))
        assert reply.text == texts.REG_ASK_ROLE.format(municipality="Namsskogan")
    async with running_harness(settings, clock=clock) as second:
        done = last_message(await second.send("Rådgiver", MEMBER))
        assert done.text == texts.REG_SENT.format(municipality="Namsskogan", role="Rådgiver")
