"""What the languages cost: /frister and /hjelp end to end through the fake Bot API for a member
reading bokmål, nynorsk and English, on the /frister benchmark's 10,000 calls (SQLite); and the
first read of the nynorsk and English catalogues.

The ratio nynorsk/bokmål and English/bokmål should stay near 1.0 (lower is better): the catalogue is
a dictionary lookup per text, the dates come from Babel's tables. Run: ``python -m benchmarks languages``.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from pathlib import Path

from benchmarks.bench_frister import SEED, populate, summary
from bot.config import load_settings
from bot.texts import i18n
from tests.support.harness import FakeClock, Person, running_harness

ROUNDS = 40
PEOPLE = {
    "bokmål": Person(id=100_001, first_name="Kari", username=None, language_code="nb"),
    "nynorsk": Person(id=100_002, first_name="Solveig", username=None, language_code="nn"),
    "English": Person(id=100_003, first_name="John", username=None, language_code="en"),
}


def catalogue_load_ms() -> float:
    i18n.translations.cache_clear()
    start = time.perf_counter()
    for language in ("nn", "en"):
        i18n.translations(language)
    return (time.perf_counter() - start) * 1000


async def run() -> dict[str, tuple[float, float]]:
    timings: dict[str, list[float]] = {f"{c} {n}": [] for n in PEOPLE for c in ("/frister", "/hjelp")}
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(
            database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", log_level="WARNING", _env_file=None
        )
        async with running_harness(settings, clock=FakeClock()) as harness:
            await populate(harness, random.Random(SEED))
            for _ in range(ROUNDS):
                for name, person in PEOPLE.items():
                    for command in ("/frister", "/hjelp"):
                        start = time.perf_counter()
                        calls = await harness.send(command, person)
                        timings[f"{command} {name}"].append((time.perf_counter() - start) * 1000)
                        assert calls and calls[-1].method == "sendMessage", calls
    return {name: summary(values) for name, values in timings.items()}


def main() -> None:
    import logging

    logging.getLogger().setLevel(logging.WARNING)
    print(f"first read of the nn and en catalogues: {catalogue_load_ms():.0f} ms")
    results = asyncio.run(run())
    print(f"10,000 calls, SQLite; {ROUNDS} rounds")
    print(f"{'update':20} {'median ms':>10} {'p99 ms':>10} {'ratio to bokmål (lower is better)':>34}")
    for name, (median, p99) in results.items():
        base = results[name.split(" ")[0] + " bokmål"][0]
        print(f"{name:20} {median:10.2f} {p99:10.2f} {median / base:34.2f}")


if __name__ == "__main__":
    main()
