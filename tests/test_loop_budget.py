"""The event loop gets its turn during long planner and fan-out work (issue 18 point 5); the time
itself is measured in ``benchmarks/bench_scale.py``, not here."""

from __future__ import annotations

import asyncio
import gc

from bot.app import freeze_start
from storage.chunks import Budget


async def test_a_budget_gives_the_loop_a_turn_once_its_time_is_spent() -> None:
    ran: list[int] = []

    async def other() -> None:
        ran.append(1)

    task = asyncio.get_running_loop().create_task(other())
    await Budget(seconds=3600).tick()
    assert ran == []  # time left: no turn, no cost
    await Budget(seconds=0).tick()
    assert ran == [1]
    await task


def test_the_start_keeps_its_objects_out_of_the_collectors_full_passes() -> None:
    gc.unfreeze()
    try:
        freeze_start()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
