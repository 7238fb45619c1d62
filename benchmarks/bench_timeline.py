"""The timeline picture behind «Vis som bilde» (/frister, the weekly overview, weekly digests): how
long one takes to draw (5 and 30 deadlines), how long the event loop stalls while one is drawn the
way the bot does it (``handlers.pictures.draw``: in a thread, one at a time) against drawing it on
the loop, and what a second press costs (the picture is kept). The stall ratio thread/inline should
be far below 1 (lower is better). Run: ``python -m benchmarks timeline``.
"""

from __future__ import annotations

import asyncio
import time
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

from bot.calendar.timeline import Mark, render_timeline
from handlers.pictures import draw

TODAY = date(2026, 11, 30)
REPEATS = 5


def marks(n: int) -> list[Mark]:
    return [
        Mark(TODAY + timedelta(days=1 + (i * 53) % 55), f"Utlysning {i}: fornying og innovasjon")
        for i in range(n)
    ]


async def longest_stall(work: Any) -> float:
    """The longest gap between ticks of a 1 ms heartbeat while ``work`` runs."""
    worst, done = 0.0, False

    async def beat() -> None:
        nonlocal worst
        last = time.perf_counter()
        while not done:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            worst, last = max(worst, now - last), now

    beating = asyncio.create_task(beat())
    await asyncio.sleep(0.01)
    await work()
    done = True
    await beating
    return worst


async def run() -> None:
    render_timeline(marks(3), today=TODAY)  # matplotlib's import and font cache, once
    for n in (5, 30):
        best = min(_timed(lambda n=n: render_timeline(marks(n), today=TODAY)) for _ in range(REPEATS))
        print(f"{n:>3} deadlines: {best * 1000:6.1f} ms a picture (best of {REPEATS})")
    inline, threaded = [], []
    for i in range(REPEATS):
        shown = marks(30)[i:]

        async def on_loop(shown: list[Mark] = shown) -> None:
            render_timeline(shown, today=TODAY)

        async def in_thread(shown: list[Mark] = shown) -> None:
            await draw(SimpleNamespace(extras={}), shown, TODAY)  # type: ignore[arg-type]

        inline.append(await longest_stall(on_loop))
        threaded.append(await longest_stall(in_thread))
    a, b = sorted(inline)[REPEATS // 2], sorted(threaded)[REPEATS // 2]
    print(f"loop stall while drawing: inline {a * 1000:.1f} ms, in a thread {b * 1000:.1f} ms (median)")
    print(f"ratio thread/inline: {b / a:.2f} (lower is better; far below 1 = the loop keeps answering)")
    services = SimpleNamespace(extras={})
    await draw(services, marks(30), TODAY)  # type: ignore[arg-type]
    start = time.perf_counter()
    await draw(services, marks(30), TODAY)  # type: ignore[arg-type]
    print(f"a second press with the same deadlines: {(time.perf_counter() - start) * 1000:.2f} ms (kept)")


def _timed(work: Any) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
