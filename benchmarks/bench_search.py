"""/sok end to end through the fake Bot API, on the /frister benchmark's 10,000 calls (SQLite).

A search reads at most 8 words and 100 characters, so its cost does not grow with what is typed:
one word, 8 words and 900 words should take about as long. Run: ``python -m benchmarks search``.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from pathlib import Path

from benchmarks.bench_frister import SEED, populate, summary
from bot.config import load_settings
from tests.support.harness import FakeClock, Person, running_harness

ROUNDS = 40
WORDS = ["innovasjon", "kommunal", "sektor", "helse", "utlysning", "offentlig", "støtte", "formålet"]
KINDS = {
    "/sok, 1 word": 1,
    "/sok, 8 words": 8,
    "/sok, 900 words": 900,
}


async def run() -> dict[str, tuple[float, float]]:
    rng = random.Random(SEED)
    timings: dict[str, list[float]] = {name: [] for name in KINDS}
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(
            database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", log_level="WARNING", _env_file=None
        )
        async with running_harness(settings, clock=FakeClock()) as harness:
            await populate(harness, rng)
            person = Person(id=100_001, first_name="Medlem", username=None)
            for _ in range(ROUNDS):
                for name, count in KINDS.items():
                    words = [WORDS[i % len(WORDS)] + ("" if i < len(WORDS) else str(i)) for i in range(count)]
                    start = time.perf_counter()
                    calls = await harness.send("/sok " + " ".join(words), person)
                    timings[name].append((time.perf_counter() - start) * 1000)
                    assert calls and calls[-1].method == "sendMessage", calls
    return {name: summary(values) for name, values in timings.items()}


def main() -> None:
    import logging

    logging.getLogger().setLevel(logging.WARNING)
    results = asyncio.run(run())
    print(f"10,000 calls, SQLite; {ROUNDS} searches each")
    print(f"{'update':20} {'median ms':>10} {'p99 ms':>10}")
    for name, (median, p99) in results.items():
        print(f"{name:20} {median:10.2f} {p99:10.2f}")


if __name__ == "__main__":
    main()
