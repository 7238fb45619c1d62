"""Plain text in a private chat is answered, and /avbryt outside a conversation says there is
nothing to cancel (issue 14, points 9 and 5).

Measured failure: plain text in a private chat got silence; /avbryt outside a conversation was
answered as an unknown command.
"""

from __future__ import annotations

import pytest

from bot import texts
from tests.coord_helpers import last_message
from tests.fixtures_bot import COORDINATOR, MEMBER
from tests.members_helpers import add_calls
from tests.support.harness import BotHarness

pytestmark = pytest.mark.filterwarnings("ignore:Ignoring `conversation_timeout`")


async def test_plain_text_gets_a_helpful_answer(harness: BotHarness) -> None:
    await harness.send("/start", MEMBER)
    reply = last_message(await harness.send("Hei! Hva kan du hjelpe meg med i dag?", MEMBER))
    assert reply.text == texts.PLAIN_TEXT_HELP


async def test_text_that_looks_like_a_search_is_searched(harness: BotHarness) -> None:
    await add_calls(harness, {"title": "Velferdsteknologi i kommunene", "days": 10, "topics": ["helse"]})
    reply = last_message(await harness.send("velferdsteknologi", MEMBER))
    assert reply.text.startswith(texts.PLAIN_TEXT_SEARCH.format(query="velferdsteknologi"))
    assert "Velferdsteknologi i kommunene" in reply.text
    # A search that finds nothing gets the short help instead.
    assert last_message(await harness.send("klimatilpasning", MEMBER)).text == texts.PLAIN_TEXT_HELP


async def test_nothing_in_the_group(harness: BotHarness) -> None:
    calls = await harness.send("velferdsteknologi", MEMBER, group=True)
    assert not [c for c in calls if c.method == "sendMessage"]


async def test_avbryt_outside_a_conversation(harness: BotHarness) -> None:
    assert last_message(await harness.send("/avbryt", MEMBER)).text == texts.CONV_NOTHING_TO_CANCEL
    await harness.send("/kunngjoring", COORDINATOR)
    assert last_message(await harness.send("/avbryt", COORDINATOR)).text == texts.CONV_CANCELLED
    assert last_message(await harness.send("/avbryt", COORDINATOR)).text == texts.CONV_NOTHING_TO_CANCEL


async def test_text_inside_a_conversation_is_not_answered_twice(harness: BotHarness) -> None:
    await harness.send("/registrer", MEMBER)
    calls = await harness.send("gauldal", MEMBER)
    sent = [c for c in calls if c.method == "sendMessage"]
    assert len(sent) == 1 and texts.PLAIN_TEXT_HELP not in sent[0].text


def test_www_addresses_are_links() -> None:
    from handlers.conversation import as_url, looks_like_url

    assert looks_like_url("www.ks.no/fou") and as_url("www.ks.no/fou") == "https://www.ks.no/fou"
    assert looks_like_url("https://ks.no") and as_url(" https://ks.no ") == "https://ks.no"
    assert not looks_like_url("anskaffelser.no") and not looks_like_url("www ks no")


async def test_a_tip_with_a_www_link(harness: BotHarness) -> None:
    await harness.send("/tips", COORDINATOR)
    await harness.send("Ny veileder", COORDINATOR)
    topics = last_message(await harness.send("www.ks.no/fou", COORDINATOR))
    assert topics.text == texts.TI_ASK_TOPICS
