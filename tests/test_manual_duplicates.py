"""No duplicates by hand (issue 14, point 5).

Measured failure: the same manual deadline could be entered twice with /nyfrist, and was then
pushed twice.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot import texts
from storage.models import Call
from tests.coord_helpers import last_message
from tests.fixtures_bot import COORDINATOR
from tests.support.harness import BotHarness

pytestmark = pytest.mark.filterwarnings("ignore:Ignoring `conversation_timeout`")


async def _enter(harness: BotHarness, title: str, deadline: str, link: str) -> None:
    await harness.send("/nyfrist", COORDINATOR)
    await harness.send(title, COORDINATOR)
    await harness.send(deadline, COORDINATOR)
    topics = last_message(await harness.send(link, COORDINATOR))
    await harness.press(topics, "Helse", COORDINATOR)
    await harness.press(topics, texts.BTN_DONE, COORDINATOR)
    confirm = last_message(await harness.send("KS", COORDINATOR))
    await harness.press(confirm, texts.BTN_SAVE, COORDINATOR)


async def _titles(harness: BotHarness) -> list[str]:
    async with harness.services.session() as s:
        return [c.title for c in (await s.execute(select(Call).order_by(Call.id))).scalars()]


async def test_the_same_title_warns_and_opens_the_one_there(harness: BotHarness) -> None:
    await _enter(harness, "KS FoU-ordning 2027", "5. mars kl. 13", "https://www.ks.no/fou")
    await harness.send("/nyfrist", COORDINATOR)
    warning = last_message(await harness.send("ks  FoU-ordning   2027", COORDINATOR))
    assert warning.text.startswith("⚠️ Det finnes allerede en utlysning med samme tittel")
    assert "KS FoU-ordning 2027" in warning.text
    assert warning.button_texts[:2] == [texts.BTN_OPEN_EXISTING, texts.BTN_ADD_ANYWAY]
    opened = last_message(await harness.press(warning, texts.BTN_OPEN_EXISTING, COORDINATOR))
    assert (
        opened.text.endswith("Vil du endre den, skriv /endrefrist.") and "KS FoU-ordning 2027" in opened.text
    )
    assert await _titles(harness) == ["KS FoU-ordning 2027"]
    # The conversation is over: the next text is not taken as a deadline.
    assert last_message(await harness.send("5. mars kl. 13", COORDINATOR)).text == texts.PLAIN_TEXT_HELP


async def test_the_same_link_and_deadline_warns_and_can_be_added_anyway(harness: BotHarness) -> None:
    await _enter(harness, "KS FoU-ordning 2027", "5. mars kl. 13", "https://www.ks.no/fou")
    await harness.send("/nyfrist", COORDINATOR)
    await harness.send("FoU-midler fra KS", COORDINATOR)
    await harness.send("5. mars kl. 13", COORDINATOR)
    warning = last_message(await harness.send("https://www.ks.no/fou/", COORDINATOR))
    assert warning.text.startswith("⚠️ Det finnes allerede en utlysning med samme lenke og frist")
    topics = last_message(await harness.press(warning, texts.BTN_ADD_ANYWAY, COORDINATOR))
    assert topics.text == texts.NF_ASK_TOPICS
    # Another deadline on the same link is no duplicate.
    await harness.send("/avbryt", COORDINATOR)
    await _enter(harness, "KS FoU-ordning 2028", "5. mars 2028 kl. 13", "https://www.ks.no/fou")
    assert await _titles(harness) == ["KS FoU-ordning 2027", "KS FoU-ordning 2028"]
