"""A long message goes out in parts, each its own outbox row (issue 14, point 4).

Measured failure: a message over 4,096 characters was one row sent as several messages, so a
failure on part 2 made the retry send part 1 again.
"""

from __future__ import annotations

import html

from storage.models import OutboxStatus
from storage.outbox import enqueue
from tests import test_push_world
from tests.test_push_world import World

world = test_push_world.world


def _long_text() -> str:
    paragraphs = [f"<b>Avsnitt {i}</b> {html.escape('R&D <ks> ')}" + "ord " * 180 for i in range(30)]
    return "\n\n".join(paragraphs)


async def test_a_failure_on_part_two_never_repeats_part_one(world: World) -> None:
    chat = await world.chat(1001)
    text = _long_text()
    async with world.services.session() as s:
        await enqueue(
            s,
            chat_id=chat,
            kind="digest",
            subject="digest:2026-11-24",
            payload={"text": text},
            not_before=world.clock.now,
        )
    await world.sender.drain()  # part 1 goes out, part 2 is queued as its own row
    assert len(world.api.sent(chat_id=1001)) == 1
    world.api.fail("sendMessage", chat_id=1001, error_code=500, description="Internal Server Error", times=1)
    for _ in range(5):  # past the 5 s backoff of the failed part
        await world.drain_all()
        world.clock.advance(seconds=10)
    sent = [c.text for c in world.api.sent(chat_id=1001)]
    assert len(sent) == len(set(sent)) + 1, "a part was sent twice"  # the failed try is recorded too
    sent = [m["text"] for (cid, _), m in world.api.messages.items() if cid == 1001]
    assert len(sent) == len(set(sent))
    rows = await world.rows()
    assert [r.subject for r in rows] == ["digest:2026-11-24"] + [
        f"digest:2026-11-24#{n}" for n in range(2, len(rows) + 1)
    ]
    assert len(rows) == len(sent) >= 3
    assert all(r.status == OutboxStatus.SENT for r in rows)
    assert [r.payload["text"] for r in rows] == sent
    assert [r.attempts for r in rows[:3]] == [1, 2, 1]  # the failed part was retried alone
    assert " ".join(sent).count("Avsnitt") == 30


async def test_the_buttons_go_under_the_last_part(world: World) -> None:
    chat = await world.chat(1001)
    markup = {"inline_keyboard": [[{"text": "Knapp", "callback_data": "x"}]]}
    async with world.services.session() as s:
        await enqueue(
            s,
            chat_id=chat,
            kind="weekly_overview",
            subject="w",
            payload={"text": _long_text(), "reply_markup": markup},
            not_before=world.clock.now,
        )
    await world.drain_all()
    sent = world.api.sent(chat_id=1001)
    assert len(sent) >= 3
    assert [bool(c.buttons) for c in sent] == [False] * (len(sent) - 1) + [True]
